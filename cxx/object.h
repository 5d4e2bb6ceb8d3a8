// object.h -- the base of every KafkaTcl object command (master, handle,
// topic, queue, mock cluster).
//
// Lifetime rules (why they look like this):
//  * An object is a Tcl command. `$obj delete` and `rename $obj ""` are the
//    same thing: both run the command's delete proc.
//  * Deleting a parent first deletes its children's commands, so no child can
//    outlive the librdkafka object it points into.
//  * The C++ object is freed with Tcl_EventuallyFree: a method that runs user
//    script (consume_batch's body, a callback) holds a Tcl_Preserve, so a script
//    that deletes its own object, or its parent, only marks it deleted; the
//    memory and the librdkafka resources go when the last method returns.
//  * Every child Tcl_Preserves its parent, so the parent's librdkafka object is
//    destroyed only after every child's (librdkafka requires that order).
#pragma once

#include "util.h"

#include <vector>

namespace kafkatcl {

class Object {
  public:
    Object(Tcl_Interp *interp, Object *parent);
    virtual ~Object();
    Object(const Object &) = delete;
    Object &operator=(const Object &) = delete;

    // Registers the object as a Tcl command. nameObj is a command name or
    // "#auto", which picks "<autoPrefix>N" unused in this interp. On success
    // the interp result is the command name and the object belongs to Tcl; on
    // failure the object has been freed.
    static int Install(Tcl_Interp *interp, Object *object, Tcl_Obj *nameObj, const char *autoPrefix);

    // Runs one method; objv[0] is the command name, objv[1] the method.
    virtual int Invoke(int objc, Tcl_Obj *const objv[]) = 0;

    bool Deleted() const { return deleted_; }
    Tcl_Interp *Interp() const { return interp_; }
    Object *Parent() const { return parent_; }
    Tcl_Obj *NameObj() const; // fully-qualified command name (new object)

    // Deletes this object's command (and so its children's). Safe to call twice.
    void DeleteCommand();

    // The KafkaTcl object behind a command name, or nullptr.
    static Object *FromCommand(Tcl_Interp *interp, Tcl_Obj *name);

    // Removes this object from its parent's list of children.
    void Unlink();

  protected:
    // Called from the delete proc before children go; release resources that
    // must go while the interp is intact (e.g. event handlers).
    virtual void OnDelete() {}

    Tcl_Interp *interp_;

  private:
    static int Dispatch(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);
    static void DeleteProc(ClientData cd);
    static void FreeProc(char *cd);

    Object *parent_;
    std::vector<Object *> children_;
    Tcl_Command token_ = nullptr;
    bool deleted_ = false;
};

// Keeps an object alive across a call that may run Tcl script.
class Preserve {
  public:
    explicit Preserve(void *p) : p_(p) { Tcl_Preserve(p_); }
    ~Preserve() { Tcl_Release(p_); }
    Preserve(const Preserve &) = delete;
    Preserve &operator=(const Preserve &) = delete;

  private:
    void *p_;
};

// Finds the KafkaTcl object behind a command name of the given C++ type.
template <typename T>
T *LookupObject(Tcl_Interp *interp, Tcl_Obj *name, const char *kind);

template <typename T>
T *LookupObject(Tcl_Interp *interp, Tcl_Obj *name, const char *kind) {
    Object *o = Object::FromCommand(interp, name);
    T *t = o ? dynamic_cast<T *>(o) : nullptr;
    if (!t || t->Deleted()) {
        ArgError(interp, std::string("\"") + Tcl_GetString(name) + "\" is not a kafka " + kind + " object");
        return nullptr;
    }
    return t;
}

} // namespace kafkatcl
