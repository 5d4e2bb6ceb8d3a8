// serdebind.cpp -- see serdebind.h.
#include "serdebind.h"

#include "options.h"

namespace kafkatcl {

const SerdePair *SerdeBindings::Find(const char *topic) const {
    if (byTopic_.empty()) return nullptr;
    auto it = byTopic_.find(topic);
    if (it == byTopic_.end()) it = byTopic_.find("");
    return it == byTopic_.end() ? nullptr : &it->second;
}

// Evaluates words (a Tcl list, refcount any) at the current level.
static int EvalWords(Tcl_Interp *interp, std::initializer_list<Tcl_Obj *> words) {
    Tcl_Obj *cmd = Tcl_NewListObj(0, NULL);
    for (Tcl_Obj *w : words) Tcl_ListObjAppendElement(NULL, cmd, w);
    Tcl_IncrRefCount(cmd);
    int code = Tcl_EvalObjEx(interp, cmd, 0);
    Tcl_DecrRefCount(cmd);
    return code;
}

// The qualified name of serde `name` checked for its side (Serde::Bound),
// or none for "".
static int BoundName(Tcl_Interp *interp, Tcl_Obj *name, bool forKey, ObjRef *out) {
    if (!*Tcl_GetString(name)) {
        *out = ObjRef();
        return TCL_OK;
    }
    if (EvalWords(interp, {Tcl_NewStringObj("::kafka::Serde::Bound", -1), name, Tcl_NewBooleanObj(forKey)}) != TCL_OK)
        return TCL_ERROR;
    *out = ObjRef(Tcl_GetObjResult(interp));
    return TCL_OK;
}

int SerdeBindings::Method(Tcl_Interp *interp, const std::string &topic, int objc, Tcl_Obj *const objv[], int first) {
    enum { VALUE, KEY };
    static const OptionSpec specs[] = {{"-value", true}, {"-key", true}};
    static const OptionParser parser(specs, OptionParser::Only, false);
    ParsedOptions options;
    if (parser.Parse(interp, objc, objv, first, nullptr, &options) != TCL_OK) return TCL_ERROR;
    SerdePair pair = byTopic_.count(topic) ? byTopic_[topic] : SerdePair();
    if (options.Has(VALUE) && BoundName(interp, options.Get(VALUE), false, &pair.value) != TCL_OK) return TCL_ERROR;
    if (options.Has(KEY) && BoundName(interp, options.Get(KEY), true, &pair.key) != TCL_OK) return TCL_ERROR;
    if (pair.Empty()) byTopic_.erase(topic);
    else byTopic_[topic] = pair;
    Tcl_Obj *result = Tcl_NewListObj(0, NULL);
    for (auto side : {std::make_pair("value", &pair.value), std::make_pair("key", &pair.key)}) {
        Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj(side.first, -1));
        Tcl_ListObjAppendElement(NULL, result, side.second->get() ? side.second->get() : Tcl_NewObj());
    }
    Tcl_SetObjResult(interp, result);
    return TCL_OK;
}

Tcl_Obj *DecodeMessage(Tcl_Interp *interp, const SerdePair &pair, Tcl_Obj *message) {
    // Runs inside consume paths: whatever the script's result or error
    // state is there stays as it was.
    Tcl_InterpState saved = Tcl_SaveInterpState(interp, TCL_OK);
    SerdePair keep = pair; // a script run meanwhile may rebind
    Tcl_IncrRefCount(message);
    Tcl_Obj *none = Tcl_NewObj();
    int code = EvalWords(interp, {Tcl_NewStringObj("::kafka::Serde::Decorate", -1), keep.value ? keep.value.get() : none,
                                  keep.key ? keep.key.get() : none, message});
    Tcl_Obj *result;
    if (code == TCL_OK) {
        result = Tcl_GetObjResult(interp);
    } else {
        // Decorate catches what the serdes raise: this is a last resort,
        // still the message's own error, never a lost message.
        result = Tcl_DuplicateObj(message);
        Tcl_DictObjPut(NULL, result, Tcl_NewStringObj("error", -1),
                       Tcl_NewStringObj(keep.value ? "_VALUE_DESERIALIZATION" : "_KEY_DESERIALIZATION", -1));
        Tcl_DictObjPut(NULL, result, Tcl_NewStringObj("message", -1), Tcl_GetObjResult(interp));
    }
    Tcl_IncrRefCount(result);
    Tcl_RestoreInterpState(interp, saved);
    Tcl_DecrRefCount(message);
    // Handed back unowned, as Tcl_New*Obj would (the callers' convention):
    // our reference is dropped without freeing.
    result->refCount--;
    return result;
}

int EncodeWithSerde(Tcl_Interp *interp, Tcl_Obj *serde, const char *topic, Tcl_Obj *value, ObjRef *out) {
    if (EvalWords(interp, {Tcl_NewStringObj("::kafka::Serde::Encode", -1), serde, Tcl_NewStringObj(topic, -1), value}) !=
        TCL_OK)
        return TCL_ERROR;
    *out = ObjRef(Tcl_GetObjResult(interp));
    Tcl_ResetResult(interp);
    return TCL_OK;
}

} // namespace kafkatcl
