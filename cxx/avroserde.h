// avroserde.h -- an Avro schema as a Tcl object (::kafka::avro create): Tcl
// values to Avro binary and back with Avro C (Debian's libavro-dev), with
// writer/reader schema resolution, and the Schema Registry wire format
// (::kafka::avro frame / unframe).
#pragma once

#include "callbacks.h"
#include "object.h"

#include <avro.h>

#include <map>
#include <vector>

namespace kafkatcl {

// RAII for Avro C's reference-counted objects.
inline void ReleaseSchema(avro_schema_t s) { avro_schema_decref(s); }
inline void ReleaseIface(avro_value_iface_t *i) { avro_value_iface_decref(i); }
inline void ReleaseReader(avro_reader_t r) { avro_reader_free(r); }
inline void ReleaseWriter(avro_writer_t w) { avro_writer_free(w); }
using AvroSchemaPtr = Owned<struct avro_obj_t, ReleaseSchema>;
using AvroIfacePtr = Owned<avro_value_iface_t, ReleaseIface>;
using AvroReaderPtr = Owned<struct avro_reader_t_, ReleaseReader>;
using AvroWriterPtr = Owned<struct avro_writer_t_, ReleaseWriter>;

// The field names of each record schema as Tcl objects, made once: the
// encoder's dict look-ups (a new string object a field a record otherwise).
using FieldNameObjs = std::map<avro_schema_t, std::vector<ObjRef>>;

// An avro_value_t made from an interface, released with it.
class AvroValue {
  public:
    AvroValue() = default;
    ~AvroValue() { if (made_) avro_value_decref(&value_); }
    AvroValue(const AvroValue &) = delete;
    AvroValue &operator=(const AvroValue &) = delete;
    // 0 on success (an Avro C error code otherwise).
    int MakeGeneric(avro_value_iface_t *iface) { return Made(avro_generic_value_new(iface, &value_)); }
    int MakeResolvedReader(avro_value_iface_t *iface) { return Made(avro_resolved_reader_new_value(iface, &value_)); }
    avro_value_t *get() { return &value_; }
    bool made() const { return made_; }
    void Destroy() {
        if (made_) avro_value_decref(&value_);
        made_ = false;
    }

  private:
    int Made(int rc) {
        made_ = rc == 0;
        return rc;
    }
    avro_value_t value_{};
    bool made_ = false;
};

class AvroSchema : public Object {
  public:
    static AvroSchema *Create(Tcl_Interp *interp, Tcl_Obj *json, std::string *error);
    int Invoke(int objc, Tcl_Obj *const objv[]) override;
    static std::vector<const char *> MethodNames();
    // The cores of `encode VALUE ?-id ID?` and `decode BYTES ?-writer W?`
    // (W kept alive by the caller), for C++ callers (serdebind.cpp's fast
    // path): the same result or error in the interp.
    int EncodeValue(Tcl_Obj *value, bool framed, uint32_t id);
    int DecodeBytes(AvroSchema *writer, const unsigned char *bytes, Tcl_Size len);

  private:
    AvroSchema(Tcl_Interp *interp, avro_schema_t schema, avro_value_iface_t *iface, Tcl_Obj *json);
    ~AvroSchema() override;
    friend struct AvroMethods;
    int SchemaMethod(int objc, Tcl_Obj *const objv[]);
    int Encode(int objc, Tcl_Obj *const objv[]);
    int Decode(int objc, Tcl_Obj *const objv[]);
    avro_value_t *ResetEncodeValue();
    avro_value_t *ReadReused(avro_reader_t reader, size_t inputSize);
    static void DropReusedValues(ClientData self);

    AvroSchemaPtr schema_;
    AvroIfacePtr iface_; // generic values of schema_
    AvroValue encodeValue_;  // what Encode fills, made once (see ResetEncodeValue)
    AvroValue decodeValue_;  // what Decode reads this schema's bytes into (see ReadReused)
    FieldNameObjs fieldNames_; // of this schema's records, for Encode
    Tcl_Obj *json_;      // the schema text it was made from
    bool recursive_ = false; // a record refers to itself (see Decode)
};

// ::kafka::avro create name|#auto schema | frame id body | unframe bytes
int AvroCmd(ClientData cd, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]);

} // namespace kafkatcl
