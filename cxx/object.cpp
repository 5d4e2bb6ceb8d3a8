// object.cpp -- command registration, #auto naming and ordered deletion.
#include "object.h"

#include <algorithm>
#include <map>

namespace kafkatcl {

// Per-interp #auto counters, kept as interp assoc data (no process globals).
namespace {
const char *kCountersKey = "kafkatcl::autoCounters";
using Counters = std::map<std::string, unsigned long>;

void FreeCounters(ClientData cd, Tcl_Interp *) { delete static_cast<Counters *>(cd); }

Counters &CountersOf(Tcl_Interp *interp) {
    auto *c = static_cast<Counters *>(Tcl_GetAssocData(interp, kCountersKey, NULL));
    if (!c) {
        c = new Counters;
        Tcl_SetAssocData(interp, kCountersKey, FreeCounters, c);
    }
    return *c;
}
} // namespace

Object::Object(Tcl_Interp *interp, Object *parent) : interp_(interp), parent_(parent) {
    if (parent_) {
        parent_->Ref();
        parent_->children_.push_back(this);
    }
}

Object::~Object() {
    if (parent_) parent_->Unref();
}

// Frees an object that never became a command.
static int Discard(Tcl_Interp *interp, Object *object, const std::string &why) {
    object->Unlink();
    delete object;
    return ArgError(interp, why);
}

int Object::Install(Tcl_Interp *interp, Object *object, Tcl_Obj *nameObj, const char *autoPrefix) {
    std::string name = Tcl_GetString(nameObj);
    std::string shown = name;
    Tcl_CmdInfo info;
    if (name == "#auto") {
        unsigned long &n = CountersOf(interp)[autoPrefix];
        do {
            shown = autoPrefix + std::to_string(n++);
            name = "::" + shown;
        } while (Tcl_GetCommandInfo(interp, name.c_str(), &info));
    } else if (name.empty()) {
        return Discard(interp, object, "object name must not be empty");
    } else if (Tcl_GetCommandInfo(interp, name.c_str(), &info)) {
        return Discard(interp, object, "command \"" + name + "\" already exists");
    }
    // An NRE command, so that a method may suspend its coroutine (await.h).
    object->token_ = Tcl_NRCreateCommand(interp, name.c_str(), Dispatch, NRDispatch, object, DeleteProc);
    Tcl_SetObjResult(interp, Tcl_NewStringObj(shown.c_str(), -1));
    return TCL_OK;
}

void Object::Unlink() {
    if (!parent_) return;
    auto &siblings = parent_->children_;
    siblings.erase(std::remove(siblings.begin(), siblings.end(), this), siblings.end());
}

Tcl_Obj *Object::NameObj() const {
    Tcl_Obj *o = Tcl_NewObj();
    if (token_ && !deleted_) Tcl_GetCommandFullName(interp_, token_, o);
    return o;
}

// Called directly (not through Tcl's evaluation), the command still runs in
// NRE, where an await can only report that it cannot yield.
int Object::Dispatch(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    return Tcl_NRCallObjProc(interp, NRDispatch, cd, objc, objv);
}

int Object::NRDispatch(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    Object *self = static_cast<Object *>(cd);
    if (objc < 2) return WrongArgs(interp, 1, objv, "method ?arg ...?");
    Preserve keep(self);
    return self->Invoke(objc, objv);
}

void Object::DeleteCommand() {
    if (!deleted_ && token_) Tcl_DeleteCommandFromToken(interp_, token_);
}

void Object::DeleteProc(ClientData cd) {
    Object *self = static_cast<Object *>(cd);
    self->deleted_ = true;
    self->OnDelete();
    // Children unlink themselves from children_ as they go.
    while (!self->children_.empty()) {
        Object *child = self->children_.back();
        if (child->token_ && !child->deleted_) {
            Tcl_DeleteCommandFromToken(child->interp_, child->token_);
        } else {
            self->children_.pop_back();
        }
    }
    self->Unlink();
    self->token_ = nullptr;
    self->freeOnRelease_ = true;
    self->Ref(); // so that the Unref below frees it if nothing else holds it
    self->Unref();
}

Object *Object::FromCommand(Tcl_Interp *interp, Tcl_Obj *name) {
    Tcl_CmdInfo info;
    if (!Tcl_GetCommandInfo(interp, Tcl_GetString(name), &info)) return nullptr;
    if (info.objProc != Dispatch) return nullptr; // not one of ours
    return static_cast<Object *>(info.objClientData);
}

} // namespace kafkatcl
