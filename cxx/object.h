// object.h -- the base of every KafkaTcl object command (master, handle,
// topic, queue, mock cluster).
//
// Lifetime rules (why they look like this):
//  * An object is a Tcl command. `$obj delete` and `rename $obj ""` are the
//    same thing: both run the command's delete proc.
//  * Deleting a parent first deletes its children's commands, so no child can
//    outlive the librdkafka object it points into.
//  * The C++ object is reference counted (Ref/Unref, like Tcl_Preserve but
//    without its global lock: objects never leave their thread). Every method
//    call holds a reference, so a script that deletes its own object, or its
//    parent, only marks it deleted; the memory and the librdkafka resources go
//    when the last reference is dropped.
//  * Every child holds a reference to its parent, so the parent's librdkafka
//    object is destroyed only after every child's (librdkafka requires that order).
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

    // Also true once its interp is being deleted (a callback may run
    // `interp delete` on its own interp): nothing more may run there.
    bool Deleted() const { return deleted_ || Tcl_InterpDeleted(interp_); }
    Tcl_Interp *Interp() const { return interp_; }
    Object *Parent() const { return parent_; }
    Tcl_Obj *NameObj() const; // fully-qualified command name (new object)

    // Deletes this object's command (and so its children's). Safe to call twice.
    void DeleteCommand();
    // The `delete` method every object has (a method-table handler).
    int DeleteMethod(int, Tcl_Obj *const[]) {
        DeleteCommand();
        return TCL_OK;
    }

    // The KafkaTcl object behind a command name, or nullptr.
    static Object *FromCommand(Tcl_Interp *interp, Tcl_Obj *name);

    // The live (not deleted) children, e.g. a master's handles.
    const std::vector<Object *> &Children() const { return children_; }

    // Removes this object from its parent's list of children.
    void Unlink();

    // Keeps the C++ object alive; the last Unref after deletion frees it.
    void Ref() { refs_++; }
    void Unref() {
        if (--refs_ == 0 && freeOnRelease_) delete this;
    }

  protected:
    // Called from the delete proc before children go; release resources that
    // must go while the interp is intact (e.g. event handlers).
    virtual void OnDelete() {}

    Tcl_Interp *interp_;

  private:
    static int Dispatch(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);
    static int NRDispatch(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);
    static void DeleteProc(ClientData cd);

    Object *parent_;
    std::vector<Object *> children_;
    Tcl_Command token_ = nullptr;
    bool deleted_ = false;
    unsigned refs_ = 0;
    bool freeOnRelease_ = false; // the command is gone: free at refs_ == 0
};

// Keeps an object alive across a call that may run Tcl script.
class Preserve {
  public:
    explicit Preserve(Object *o) : o_(o) { o_->Ref(); }
    ~Preserve() { o_->Unref(); }
    Preserve(const Preserve &) = delete;
    Preserve &operator=(const Preserve &) = delete;

  private:
    Object *o_;
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
