// util.h -- small shared pieces: RAII owners for librdkafka objects,
// error reporting with KAFKA errorCodes, argument parsing, byte conversion.
#pragma once

#include <tcl.h>
#include <librdkafka/rdkafka.h>

#include <climits>
#include <memory>
#include <string>

// Tcl 9 counts lengths and list sizes in Tcl_Size; Tcl 8.6 in int.
#ifndef TCL_SIZE_MAX
typedef int Tcl_Size;
#define TCL_SIZE_MAX INT_MAX
#endif

namespace kafkatcl {

// ---------------------------------------------------------------------------
// RAII owners: every librdkafka object we hold is released exactly once.

template <typename T, void (*Destroy)(T *)>
struct Releaser {
    void operator()(T *p) const { if (p) Destroy(p); }
};
template <typename T, void (*Destroy)(T *)>
using Owned = std::unique_ptr<T, Releaser<T, Destroy>>;

struct MetadataReleaser {
    void operator()(const rd_kafka_metadata_t *m) const { if (m) rd_kafka_metadata_destroy(m); }
};

using ConfPtr      = Owned<rd_kafka_conf_t, rd_kafka_conf_destroy>;
using TopicConfPtr = Owned<rd_kafka_topic_conf_t, rd_kafka_topic_conf_destroy>;
using KafkaPtr     = Owned<rd_kafka_t, rd_kafka_destroy>;
using TopicPtr     = Owned<rd_kafka_topic_t, rd_kafka_topic_destroy>;
using QueuePtr     = Owned<rd_kafka_queue_t, rd_kafka_queue_destroy>;
using MessagePtr   = Owned<rd_kafka_message_t, rd_kafka_message_destroy>;
using EventPtr     = Owned<rd_kafka_event_t, rd_kafka_event_destroy>;
using MetadataPtr  = std::unique_ptr<const rd_kafka_metadata_t, MetadataReleaser>;

// ---------------------------------------------------------------------------
// Errors. Every error leaves errorCode {KAFKA <ERRNAME> <message>}, where
// ERRNAME comes from rd_kafka_err2name (e.g. _INVALID_ARG, _TIMED_OUT).

int KafkaError(Tcl_Interp *interp, rd_kafka_resp_err_t err, const std::string &message);
int KafkaError(Tcl_Interp *interp, rd_kafka_resp_err_t err); // message from rd_kafka_err2str
int ArgError(Tcl_Interp *interp, const std::string &message);  // _INVALID_ARG
// A consumer handle made without group.id, whichever method met it: one
// message that says what to do (librdkafka's own is "Local: Unknown group"),
// errorCode {KAFKA _UNKNOWN_GROUP message}.
int NoGroupError(Tcl_Interp *interp);
// Tcl_WrongNumArgs plus a KAFKA errorCode.
int WrongArgs(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], const char *usage);
// Re-labels whatever error Tcl just left (from Tcl_GetIntFromObj & co.) as KAFKA _INVALID_ARG.
int RelabelError(Tcl_Interp *interp);

// ---------------------------------------------------------------------------
// Argument parsing; each leaves a KAFKA error on failure.

// Integers are range-checked: a value that does not fit is an error, never wrapped.
int GetInt(Tcl_Interp *interp, Tcl_Obj *obj, const char *what, int *out);
int GetWideInt(Tcl_Interp *interp, Tcl_Obj *obj, const char *what, Tcl_WideInt *out);
int GetPartition(Tcl_Interp *interp, Tcl_Obj *obj, bool allowUnassigned, int32_t *out);
// Whether the word is a decimal integer, of any size (" 12", "-99999999999999999999").
bool IsIntegerWord(Tcl_Obj *obj);
int GetTimeout(Tcl_Interp *interp, Tcl_Obj *obj, int *out);   // ms, >= -1 (-1 = wait forever)
int GetCount(Tcl_Interp *interp, Tcl_Obj *obj, int *out);     // > 0
// beginning|end|stored|N|-N (and the librdkafka words earliest/latest/smallest/largest).
int GetStartOffset(Tcl_Interp *interp, Tcl_Obj *obj, int64_t *out);
// Called before every rd_kafka_new: OpenSSL keeps its state until the
// process ends, as librdkafka's threads may use it while it exits.
void KeepCryptoAtExit();
// Looks up a method or option word in a NULL-terminated table.
int GetIndex(Tcl_Interp *interp, Tcl_Obj *obj, const char *const *table, const char *what, int *index);

// dict set for building result dicts: the key from a C string.
void DictPut(Tcl_Obj *dict, const char *key, Tcl_Obj *value);

// ---------------------------------------------------------------------------
// Bytes and text: the one definition of how a Tcl value crosses into Kafka
// and back, the same on Tcl 8.6 and Tcl 9 (doc/kafka.man, BYTES AND TEXT).
//
// Outgoing: a value whose internal type is a byte array is sent as its bytes
// (unless its string form holds characters above U+00FF, which a byte array
// cannot represent, proving it is text); any other value is text, sent as
// UTF-8: NUL as a zero byte, a surrogate pair as the one character it
// stands for. A lone surrogate has no UTF-8 form: Check reports it.
class OutBytes {
  public:
    explicit OutBytes(Tcl_Obj *obj);
    OutBytes(const OutBytes &) = delete;
    OutBytes &operator=(const OutBytes &) = delete;
    const char *data() const { return data_; }
    size_t size() const { return size_; }
    // TCL_OK, or a KAFKA _INVALID_ARG error naming `what` (e.g. "payload")
    // when the text holds a lone surrogate (then data() is not meaningful).
    int Check(Tcl_Interp *interp, const char *what) const;

  private:
    const char *data_ = nullptr;
    size_t size_ = 0;
    std::string utf8_;        // the UTF-8 form, when the text needed converting
    long badIndex_ = -1;      // the lone surrogate's character index, or -1
    unsigned badChar_ = 0;    // ... and its value
};

// A value for librdkafka's C-string parameters (config keys and values,
// OAUTHBEARER strings): the bytes OutBytes sends, which must not hold a NUL
// (a C string ends there) or a lone surrogate. Errors name `what`.
int GetCString(Tcl_Interp *interp, Tcl_Obj *obj, const std::string &what, std::string *out);

class SerdeBindings;

// How consumed messages become Tcl values: payloads and keys as byte arrays
// or (asText) UTF-8 decoded strings; with or without their headers; decoded
// by the serdes bound to their topic (serdebind.h), in `interp`, when the
// handle has any.
struct MessageFormat {
    bool asText = false;
    bool headers = true;
    const SerdeBindings *serdes = nullptr;
    Tcl_Interp *interp = nullptr;
};

// Incoming: a pure byte array, or (asText) the bytes decoded as UTF-8, where
// each byte that is not part of a well-formed UTF-8 sequence becomes the lone
// surrogate U+DC80..U+DCFF of its value (Python's "surrogateescape"):
// lossless, and no valid UTF-8 decodes to a surrogate.
Tcl_Obj *NewBytesObj(const void *data, size_t size, bool asText);
// Text from librdkafka (a UTF-8 C string or sized text) by the same rule.
Tcl_Obj *NewTextObj(const char *data, size_t size);

} // namespace kafkatcl
