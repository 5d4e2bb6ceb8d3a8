// serdebind.h -- kafka::serde objects bound to a handle's topics
// ($handle serde, $topic serde): produce -value/-key encode through them, and
// every consumed message is decoded in the one place messages become Tcl
// values (message.cpp: MessageToDict and StoreMessageInArray, through
// MessageFormat::serdes). The serdes themselves are Tcl (tcl/serde.tcl);
// this only keeps their names and calls ::kafka::Serde::Decorate/Encode.
#pragma once

#include "callbacks.h"
#include "util.h"

#include <map>
#include <string>

namespace kafkatcl {

// The serdes of one topic (or of all the handle's topics): fully qualified
// command names, or none.
struct SerdePair {
    ObjRef value, key;
    bool Empty() const { return !value && !key; }
};

class SerdeBindings {
  public:
    // The topic's own pair, else the handle-wide one, else nullptr.
    const SerdePair *Find(const char *topic) const;
    bool Empty() const { return byTopic_.empty(); }
    // serde ?-value s? ?-key k?  for `topic` ("" : every topic of the
    // handle): binds ("" unbinds) and returns {value S key K} as now bound.
    // objv[first..objc) are the option words.
    int Method(Tcl_Interp *interp, const std::string &topic, int objc, Tcl_Obj *const objv[], int first);

  private:
    std::map<std::string, SerdePair> byTopic_; // "" : the handle-wide pair
};

// The message dict `message` (refcount any) with what the pair decodes
// added (value schema_id, key_value key_schema_id, or error and message):
// never fails, never changes the interp's result or error state.
Tcl_Obj *DecodeMessage(Tcl_Interp *interp, const SerdePair &pair, Tcl_Obj *message);

// The wire-format bytes of `value` for `topic` by serde `serde` (a bound
// name) into *out; a Tcl error (the serde's, naming the field path) else.
int EncodeWithSerde(Tcl_Interp *interp, Tcl_Obj *serde, const char *topic, Tcl_Obj *value, ObjRef *out);

} // namespace kafkatcl
