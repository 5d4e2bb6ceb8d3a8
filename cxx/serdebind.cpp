// serdebind.cpp -- see serdebind.h.
#include "serdebind.h"

#include "avroserde.h"
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
    struct Words {
        Tcl_Obj *value = nullptr, *key = nullptr;
    };
    static const OptionTable<Words> table({{"-value", &Words::value}, {"-key", &Words::key}}, Placement::Only, false);
    Words words;
    if (table.Parse(interp, objc, objv, first, nullptr, &words) != TCL_OK) return TCL_ERROR;
    SerdePair pair = byTopic_.count(topic) ? byTopic_[topic] : SerdePair();
    if (words.value && BoundName(interp, words.value, false, &pair.value) != TCL_OK) return TCL_ERROR;
    if (words.key && BoundName(interp, words.key, true, &pair.key) != TCL_OK) return TCL_ERROR;
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

// ---- The fast path ---------------------------------------------------------
// What a bound serde has fully cached, it publishes (tcl/serde.tcl:
// fastEncode, fastDecode, unset when it is renamed or deleted); for those
// the kafka::avro object is called here, without the serde's Tcl procs. The
// entries exist only where the procs would do exactly `$avro encode VALUE
// -id ID` or `$avro decode BODY`, so the results are the same; anything
// else, a failure included, goes the Tcl way, which gives its own result.

// The entry for `key` of the dict fast-path array `array`(serde), or nullptr.
static Tcl_Obj *FastEntry(Tcl_Interp *interp, const char *array, Tcl_Obj *serde, Tcl_Obj *key) {
    Tcl_Obj *dict = Tcl_GetVar2Ex(interp, array, Tcl_GetString(serde), TCL_GLOBAL_ONLY);
    Tcl_Obj *entry = nullptr;
    if (!dict || Tcl_DictObjGet(NULL, dict, key, &entry) != TCL_OK) return nullptr;
    return entry;
}

// The kafka::avro object named avroName, or nullptr.
static AvroSchema *AvroObject(Tcl_Interp *interp, Tcl_Obj *avroName) {
    Object *object = Object::FromCommand(interp, avroName);
    AvroSchema *avro = object ? dynamic_cast<AvroSchema *>(object) : nullptr;
    return avro && !avro->Deleted() ? avro : nullptr;
}

// The interp's result after `code` into *out, then reset: whether code was TCL_OK.
static bool TakeResult(Tcl_Interp *interp, int code, ObjRef *out) {
    if (code == TCL_OK) *out = ObjRef(Tcl_GetObjResult(interp));
    Tcl_ResetResult(interp);
    return code == TCL_OK;
}

static bool FastEncode(Tcl_Interp *interp, Tcl_Obj *serde, const char *topic, Tcl_Obj *value, ObjRef *out) {
    ObjRef topicObj(Tcl_NewStringObj(topic, -1));
    Tcl_Obj *entry = FastEntry(interp, "::kafka::Serde::fastEncode", serde, topicObj.get());
    Tcl_Obj *idObj = nullptr, *avroName = nullptr;
    Tcl_WideInt id;
    if (!entry || Tcl_ListObjIndex(NULL, entry, 0, &idObj) != TCL_OK ||
        Tcl_ListObjIndex(NULL, entry, 1, &avroName) != TCL_OK || !idObj || !avroName ||
        Tcl_GetWideIntFromObj(NULL, idObj, &id) != TCL_OK || id < 0 || id > INT32_MAX)
        return false;
    AvroSchema *avro = AvroObject(interp, avroName);
    if (!avro) return false;
    Preserve keep(avro);
    return TakeResult(interp, avro->EncodeValue(value, true, (uint32_t)id), out);
}

// Adds PREFIXschema_id and PREFIXvalue of `field` of `message` (an unshared
// dict) decoded as the serde's deserialize would; nothing for a message
// without a key and a key serde. False: not for the fast path.
static bool FastDecodeSide(Tcl_Interp *interp, Tcl_Obj *serde, bool forKey, Tcl_Obj *message) {
    Tcl_Obj *bytesObj = nullptr;
    ObjRef field(Tcl_NewStringObj(forKey ? "key" : "payload", -1));
    if (Tcl_DictObjGet(NULL, message, field.get(), &bytesObj) != TCL_OK) return false;
    if (!bytesObj) return forKey;
    Tcl_Size len;
    const unsigned char *p = Tcl_GetByteArrayFromObj(bytesObj, &len);
    if (len < 5 || p[0] != 0) return false; // the Tcl way says what is wrong
    uint32_t id = ((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) | p[4];
    ObjRef idObj(Tcl_NewWideIntObj(id));
    Tcl_Obj *avroName = FastEntry(interp, "::kafka::Serde::fastDecode", serde, idObj.get());
    AvroSchema *avro = avroName ? AvroObject(interp, avroName) : nullptr;
    if (!avro) return false;
    Preserve keep(avro);
    ObjRef value;
    if (!TakeResult(interp, avro->DecodeBytes(avro, p + 5, len - 5), &value)) return false;
    const char *prefix = forKey ? "key_" : "";
    Tcl_DictObjPut(NULL, message, Tcl_NewStringObj((std::string(prefix) + "schema_id").c_str(), -1), idObj.get());
    Tcl_DictObjPut(NULL, message, Tcl_NewStringObj((std::string(prefix) + "value").c_str(), -1), value.get());
    return true;
}

// `message` decoded by the fast path (a new dict), or none.
static ObjRef FastDecode(Tcl_Interp *interp, const SerdePair &pair, Tcl_Obj *message) {
    ObjRef copy(Tcl_DuplicateObj(message));
    if (pair.value && !FastDecodeSide(interp, pair.value.get(), false, copy.get())) return ObjRef();
    if (pair.key && !FastDecodeSide(interp, pair.key.get(), true, copy.get())) return ObjRef();
    return copy;
}

Tcl_Obj *DecodeMessage(Tcl_Interp *interp, const SerdePair &pair, Tcl_Obj *message) {
    // Runs inside consume paths: whatever the script's result or error
    // state is there stays as it was.
    Tcl_InterpState saved = Tcl_SaveInterpState(interp, TCL_OK);
    SerdePair keep = pair; // a script run meanwhile may rebind
    Tcl_IncrRefCount(message);
    if (ObjRef fast = FastDecode(interp, keep, message)) {
        Tcl_RestoreInterpState(interp, saved);
        Tcl_DecrRefCount(message);
        Tcl_Obj *result = fast.get();
        Tcl_IncrRefCount(result);
        fast = ObjRef();
        result->refCount--; // unowned, as below
        return result;
    }
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
    if (FastEncode(interp, serde, topic, value, out)) return TCL_OK;
    if (EvalWords(interp, {Tcl_NewStringObj("::kafka::Serde::Encode", -1), serde, Tcl_NewStringObj(topic, -1), value}) !=
        TCL_OK)
        return TCL_ERROR;
    *out = ObjRef(Tcl_GetObjResult(interp));
    Tcl_ResetResult(interp);
    return TCL_OK;
}

} // namespace kafkatcl
