// avroserde.cpp -- Avro schema objects: Tcl values <-> Avro binary (Avro C).
//
// The mapping (doc/kafka.man, SCHEMA REGISTRY AND AVRO): null is "", boolean
// 0/1, int/long integers, float/double doubles, bytes and fixed byte arrays,
// string text (UTF-8 on the wire), record a dict by field name, enum its
// symbol, array a list, map a dict; a union of null and one type is "" for
// null, else the value; any other union the tagged pair {typeName value}.
// Logical types travel as their underlying type.
#include "avroserde.h"

#include "method.h"
#include "options.h"

#include <cstdlib>
#include <cstring>
#include <string>
#include <unordered_set>
#include <vector>

namespace kafkatcl {

namespace {

// "path: message" (just the message at the top level).
std::string At(const std::string &path, const std::string &message) {
    return path.empty() ? message : path + ": " + message;
}

std::string Shown(Tcl_Obj *obj) {
    std::string s = Tcl_GetString(obj);
    if (s.size() > 40) s = s.substr(0, 40) + "...";
    return "\"" + s + "\"";
}

// ASCII text is its own UTF-8 (the common case: no conversion).
bool IsAscii(const char *s, Tcl_Size len) {
    for (Tcl_Size i = 0; i < len; i++)
        if ((unsigned char)s[i] >= 0x80) return false;
    return true;
}

// Tcl text as UTF-8 (Tcl's own form writes NUL as C0 80).
std::string Utf8(Tcl_Obj *obj) {
    static Tcl_Encoding utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_Size len;
    const char *s = Tcl_GetStringFromObj(obj, &len);
    Tcl_DString ds;
    Tcl_UtfToExternalDString(utf8, s, len, &ds);
    std::string out(Tcl_DStringValue(&ds), (size_t)Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    return out;
}

// For [null, T] and [T, null]: the index of the null branch, else -1.
int NullableBranch(avro_schema_t u) {
    if (avro_schema_union_size(u) != 2) return -1;
    for (int i = 0; i < 2; i++)
        if (is_avro_null(avro_schema_union_branch(u, i))) return i;
    return -1;
}

// The bytes of an Avro bytes or fixed value: each character U+0000..U+00FF
// is one byte, as Tcl's binary command reads a value. Not OutBytes' rule
// (text becomes UTF-8): a byte array that went through its string form (a
// list or dict reparsed from its text) is then a string of the same
// characters and must still give the same bytes. NULL when a character is
// above U+00FF (Tcl 8.6 would keep its low byte).
const unsigned char *AvroBytesOf(Tcl_Obj *obj, Tcl_Size *len) {
#if TCL_MAJOR_VERSION >= 9
    return Tcl_GetBytesFromObj(NULL, obj, len);
#else
    bool pureBytes = obj->bytes == NULL && obj->typePtr && strcmp(obj->typePtr->name, "bytearray") == 0;
    if (!pureBytes) {
        Tcl_Size n;
        const char *s = Tcl_GetStringFromObj(obj, &n);
        // Tcl's internal UTF-8: a lead byte from C4 on starts a character above U+00FF.
        for (Tcl_Size i = 0; i < n; i++)
            if ((unsigned char)s[i] >= 0xC4) return NULL;
    }
    return Tcl_GetByteArrayFromObj(obj, len);
#endif
}

// Tcl value -> Avro value. On failure returns false with *error set.
class Encoder {
  public:
    Encoder(Tcl_Interp *interp, FieldNameObjs *fieldNames) : interp_(interp), fieldNames_(fieldNames) {}
    bool Put(Tcl_Obj *obj, avro_value_t *v, const std::string &path);
    std::string error;

  private:
    bool Fail(const std::string &path, const std::string &message) {
        error = At(path, message);
        return false;
    }
    bool Expected(const std::string &path, const char *what, Tcl_Obj *obj) {
        return Fail(path, std::string("expected ") + what + ", got " + Shown(obj));
    }
    bool Avro(const std::string &path, int rc) { return rc == 0 || Fail(path, avro_strerror()); }
    bool PutScalar(Tcl_Obj *obj, avro_value_t *v, avro_type_t type, const std::string &path);
    bool PutRecord(Tcl_Obj *obj, avro_value_t *v, const std::string &path);
    bool PutArray(Tcl_Obj *obj, avro_value_t *v, const std::string &path);
    bool PutMap(Tcl_Obj *obj, avro_value_t *v, const std::string &path);
    bool PutUnion(Tcl_Obj *obj, avro_value_t *v, const std::string &path);
    const std::vector<ObjRef> &FieldNames(avro_schema_t record);
    Tcl_Interp *interp_;
    FieldNameObjs *fieldNames_;
};

const std::vector<ObjRef> &Encoder::FieldNames(avro_schema_t record) {
    std::vector<ObjRef> &names = (*fieldNames_)[record];
    if (names.empty()) {
        for (size_t i = 0, n = avro_schema_record_size(record); i < n; i++)
            names.emplace_back(Tcl_NewStringObj(avro_schema_record_field_name(record, (int)i), -1));
    }
    return names;
}

bool Encoder::Put(Tcl_Obj *obj, avro_value_t *v, const std::string &path) {
    avro_type_t type = avro_value_get_type(v);
    switch (type) {
    case AVRO_RECORD: return PutRecord(obj, v, path);
    case AVRO_ARRAY: return PutArray(obj, v, path);
    case AVRO_MAP: return PutMap(obj, v, path);
    case AVRO_UNION: return PutUnion(obj, v, path);
    default: return PutScalar(obj, v, type, path);
    }
}

bool Encoder::PutScalar(Tcl_Obj *obj, avro_value_t *v, avro_type_t type, const std::string &path) {
    avro_schema_t schema = avro_value_get_schema(v);
    switch (type) {
    case AVRO_NULL:
        if (*Tcl_GetString(obj)) return Expected(path, "null (an empty string)", obj);
        return Avro(path, avro_value_set_null(v));
    case AVRO_BOOLEAN: {
        int b;
        if (Tcl_GetBooleanFromObj(NULL, obj, &b) != TCL_OK) return Expected(path, "boolean", obj);
        return Avro(path, avro_value_set_boolean(v, b));
    }
    case AVRO_INT32:
    case AVRO_INT64: {
        Tcl_WideInt w;
        if (!IsIntegerWord(obj) || Tcl_GetWideIntFromObj(NULL, obj, &w) != TCL_OK)
            return Expected(path, type == AVRO_INT32 ? "int" : "long", obj);
        if (type == AVRO_INT64) return Avro(path, avro_value_set_long(v, w));
        if (w < INT32_MIN || w > INT32_MAX) return Fail(path, "int out of range: " + Shown(obj));
        return Avro(path, avro_value_set_int(v, (int32_t)w));
    }
    case AVRO_FLOAT:
    case AVRO_DOUBLE: {
        double d;
        if (Tcl_GetDoubleFromObj(NULL, obj, &d) != TCL_OK)
            return Expected(path, type == AVRO_FLOAT ? "float" : "double", obj);
        return Avro(path, type == AVRO_FLOAT ? avro_value_set_float(v, (float)d) : avro_value_set_double(v, d));
    }
    case AVRO_STRING: {
        Tcl_Size len;
        const char *text = Tcl_GetStringFromObj(obj, &len);
        if (IsAscii(text, len)) return Avro(path, avro_value_set_string_len(v, text, (size_t)len + 1));
        std::string s = Utf8(obj);
        return Avro(path, avro_value_set_string_len(v, s.c_str(), s.size() + 1));
    }
    case AVRO_BYTES:
    case AVRO_FIXED: {
        Tcl_Size len;
        const unsigned char *bytes = AvroBytesOf(obj, &len);
        if (!bytes) return Expected(path, "bytes (a byte array, characters U+0000..U+00FF)", obj);
        if (type == AVRO_BYTES) return Avro(path, avro_value_set_bytes(v, (void *)bytes, (size_t)len));
        int64_t size = avro_schema_fixed_size(schema);
        if ((int64_t)len != size)
            return Fail(path, "expected " + std::to_string(size) + " bytes (fixed " + avro_schema_name(schema) +
                                  "), got " + std::to_string(len));
        return Avro(path, avro_value_set_fixed(v, (void *)bytes, (size_t)len));
    }
    case AVRO_ENUM: {
        int symbol = avro_schema_enum_get_by_name(schema, Tcl_GetString(obj));
        if (symbol < 0) {
            std::string all;
            for (int i = 0; i < avro_schema_enum_number_of_symbols(schema); i++)
                all += std::string(i ? ", " : "") + avro_schema_enum_get(schema, i);
            return Fail(path, "expected a symbol of enum " + std::string(avro_schema_name(schema)) + " (" + all +
                                  "), got " + Shown(obj));
        }
        return Avro(path, avro_value_set_enum(v, symbol));
    }
    default: return Fail(path, "unsupported Avro type");
    }
}

bool Encoder::PutRecord(Tcl_Obj *obj, avro_value_t *v, const std::string &path) {
    avro_schema_t schema = avro_value_get_schema(v);
    Tcl_Size n;
    if (Tcl_DictObjSize(NULL, obj, &n) != TCL_OK)
        return Expected(path, (std::string("a dict (record ") + avro_schema_name(schema) + ")").c_str(), obj);
    const std::vector<ObjRef> &names = FieldNames(schema);
    size_t fields = names.size();
    for (size_t i = 0; i < fields; i++) {
        const char *name = avro_schema_record_field_name(schema, (int)i);
        std::string child = path.empty() ? name : path + "." + name;
        Tcl_Obj *value = nullptr;
        Tcl_DictObjGet(NULL, obj, names[i].get(), &value);
        if (!value) return Fail(child, "missing");
        avro_value_t field;
        if (!Avro(child, avro_value_get_by_index(v, i, &field, NULL)) || !Put(value, &field, child)) return false;
    }
    if ((size_t)n == fields) return true;
    Tcl_DictSearch search;
    Tcl_Obj *key, *value;
    int done;
    Tcl_DictObjFirst(NULL, obj, &search, &key, &value, &done);
    for (; !done; Tcl_DictObjNext(&search, &key, &value, &done)) {
        if (avro_schema_record_field_get_index(schema, Tcl_GetString(key)) < 0) {
            std::string unknown = Tcl_GetString(key);
            Tcl_DictObjDone(&search);
            return Fail(path, "no field \"" + unknown + "\" in record " + avro_schema_name(schema));
        }
    }
    return true;
}

bool Encoder::PutArray(Tcl_Obj *obj, avro_value_t *v, const std::string &path) {
    Tcl_Size n;
    Tcl_Obj **items;
    if (Tcl_ListObjGetElements(NULL, obj, &n, &items) != TCL_OK) return Expected(path, "a list (array)", obj);
    for (Tcl_Size i = 0; i < n; i++) {
        std::string child = path + "[" + std::to_string(i) + "]";
        avro_value_t item;
        if (!Avro(child, avro_value_append(v, &item, NULL)) || !Put(items[i], &item, child)) return false;
    }
    return true;
}

bool Encoder::PutMap(Tcl_Obj *obj, avro_value_t *v, const std::string &path) {
    Tcl_Size n;
    if (Tcl_DictObjSize(NULL, obj, &n) != TCL_OK) return Expected(path, "a dict (map)", obj);
    Tcl_DictSearch search;
    Tcl_Obj *key, *value;
    int done;
    Tcl_DictObjFirst(NULL, obj, &search, &key, &value, &done);
    for (; !done; Tcl_DictObjNext(&search, &key, &value, &done)) {
        std::string child = path + "[" + Tcl_GetString(key) + "]";
        avro_value_t item;
        if (!Avro(child, avro_value_add(v, Utf8(key).c_str(), &item, NULL, NULL)) || !Put(value, &item, child)) {
            Tcl_DictObjDone(&search);
            return false;
        }
    }
    return true;
}

bool Encoder::PutUnion(Tcl_Obj *obj, avro_value_t *v, const std::string &path) {
    avro_schema_t schema = avro_value_get_schema(v);
    avro_value_t branch;
    int nullBranch = NullableBranch(schema);
    if (nullBranch >= 0) {
        bool isNull = !*Tcl_GetString(obj);
        int which = isNull ? nullBranch : 1 - nullBranch;
        if (!Avro(path, avro_value_set_branch(v, which, &branch))) return false;
        return isNull ? Avro(path, avro_value_set_null(&branch)) : Put(obj, &branch, path);
    }
    Tcl_Size n;
    Tcl_Obj **pair;
    if (Tcl_ListObjGetElements(NULL, obj, &n, &pair) != TCL_OK || n != 2)
        return Expected(path, "a union's {type value}", obj);
    int which;
    if (!avro_schema_union_branch_by_name(schema, &which, Tcl_GetString(pair[0]))) {
        std::string all;
        for (size_t i = 0; i < avro_schema_union_size(schema); i++)
            all += std::string(i ? ", " : "") + avro_schema_type_name(avro_schema_union_branch(schema, (int)i));
        return Fail(path, "no type " + Shown(pair[0]) + " in the union (" + all + ")");
    }
    if (!Avro(path, avro_value_set_branch(v, which, &branch))) return false;
    return Put(pair[1], &branch, path);
}

// Avro value -> Tcl value (a new object), or nullptr with *error set.
Tcl_Obj *Get(avro_value_t *v, std::string *error);

// Records of a recursive schema may nest as deep as their bytes allow (one
// byte a level): deeper than this is refused, before Tcl's own recursion
// over nested values (string forms, freeing) runs out of C stack.
constexpr int kMaxDepth = 1000;
thread_local int depth = 0;
struct Deeper {
    Deeper() { depth++; }
    ~Deeper() { depth--; }
};

Tcl_Obj *GetCompound(avro_value_t *v, avro_type_t type, std::string *error) {
    size_t n = 0;
    avro_value_get_size(v, &n);
    Tcl_Obj *out = type == AVRO_ARRAY ? Tcl_NewListObj(0, NULL) : Tcl_NewDictObj();
    for (size_t i = 0; i < n; i++) {
        avro_value_t child;
        const char *name = nullptr;
        Tcl_Obj *value;
        if (avro_value_get_by_index(v, i, &child, &name) || !(value = Get(&child, error))) {
            if (error->empty()) *error = avro_strerror();
            Tcl_DecrRefCount(Tcl_NewListObj(1, &out)); // frees out
            return nullptr;
        }
        if (type == AVRO_ARRAY) {
            Tcl_ListObjAppendElement(NULL, out, value);
        } else {
            Tcl_DictObjPut(NULL, out, NewBytesObj(name, strlen(name), true), value);
        }
    }
    return out;
}

Tcl_Obj *GetUnion(avro_value_t *v, std::string *error) {
    avro_value_t branch;
    int which;
    if (avro_value_get_discriminant(v, &which) || avro_value_get_current_branch(v, &branch)) {
        *error = avro_strerror();
        return nullptr;
    }
    Tcl_Obj *value = Get(&branch, error);
    avro_schema_t schema = avro_value_get_schema(v);
    if (!value || NullableBranch(schema) >= 0) return value;
    Tcl_Obj *pair[2] = {Tcl_NewStringObj(avro_schema_type_name(avro_schema_union_branch(schema, which)), -1), value};
    return Tcl_NewListObj(2, pair);
}

Tcl_Obj *Get(avro_value_t *v, std::string *error) {
    Deeper level;
    if (depth > kMaxDepth) {
        *error = "values nested deeper than " + std::to_string(kMaxDepth) + " levels";
        return nullptr;
    }
    avro_type_t type = avro_value_get_type(v);
    switch (type) {
    case AVRO_NULL: return Tcl_NewObj();
    case AVRO_BOOLEAN: { int b = 0; avro_value_get_boolean(v, &b); return Tcl_NewBooleanObj(b); }
    case AVRO_INT32: { int32_t i = 0; avro_value_get_int(v, &i); return Tcl_NewWideIntObj(i); }
    case AVRO_INT64: { int64_t l = 0; avro_value_get_long(v, &l); return Tcl_NewWideIntObj(l); }
    case AVRO_FLOAT: { float f = 0; avro_value_get_float(v, &f); return Tcl_NewDoubleObj(f); }
    case AVRO_DOUBLE: { double d = 0; avro_value_get_double(v, &d); return Tcl_NewDoubleObj(d); }
    case AVRO_STRING: {
        const char *s = ""; size_t size = 1;
        avro_value_get_string(v, &s, &size);
        return NewBytesObj(s, size ? size - 1 : 0, true); // size counts the NUL
    }
    case AVRO_BYTES: { const void *b = nullptr; size_t size = 0; avro_value_get_bytes(v, &b, &size); return Tcl_NewByteArrayObj((const unsigned char *)b, (Tcl_Size)size); }
    case AVRO_FIXED: { const void *b = nullptr; size_t size = 0; avro_value_get_fixed(v, &b, &size); return Tcl_NewByteArrayObj((const unsigned char *)b, (Tcl_Size)size); }
    case AVRO_ENUM: {
        int symbol = 0;
        avro_value_get_enum(v, &symbol);
        const char *name = avro_schema_enum_get(avro_value_get_schema(v), symbol);
        return Tcl_NewStringObj(name ? name : "", -1);
    }
    case AVRO_RECORD:
    case AVRO_MAP:
    case AVRO_ARRAY: return GetCompound(v, type, error);
    case AVRO_UNION: return GetUnion(v, error);
    default: *error = "unsupported Avro type"; return nullptr;
    }
}

// Avro C allocates a string's or bytes' length as read from the input
// before reading them: a corrupt length would ask for terabytes. While this
// thread decodes, no single allocation may exceed what the input can hold,
// and every block Avro C allocates is tracked: on a truncated record it
// returns without freeing the string it was reading, so what the failed
// read's value did not free is freed here (DecodeScope::FreeLeftovers).
struct DecodeState {
    size_t limit = 0; // 0: not decoding
    std::unordered_set<void *> live;
};
thread_local DecodeState decoding;

void *LimitedAllocator(void *, void *ptr, size_t, size_t nsize) {
    if (decoding.limit && ptr) decoding.live.erase(ptr);
    if (nsize == 0) {
        free(ptr);
        return nullptr;
    }
    if (decoding.limit && nsize > decoding.limit) {
        if (ptr) decoding.live.insert(ptr); // realloc failed: the old block stays
        return nullptr;                     // Avro C reports ENOMEM
    }
    void *p = realloc(ptr, nsize);
    if (decoding.limit) decoding.live.insert(p ? p : ptr);
    return p;
}

class DecodeScope {
  public:
    explicit DecodeScope(size_t inputSize) {
        static bool installed = (avro_set_allocator(LimitedAllocator, nullptr), true);
        (void)installed;
        decoding.limit = inputSize * 2 + 4096;
        decoding.live.clear();
    }
    ~DecodeScope() { Stop(); }
    // The read succeeded: its blocks belong to the value.
    void Stop() {
        decoding.limit = 0;
        decoding.live.clear();
    }
    // The read failed and its value is gone: what is left leaked.
    void FreeLeftovers() {
        for (void *p : decoding.live) free(p);
        Stop();
    }
};

// Avro C prefixes each new error to the last one's text: start afresh.
void ClearAvroError() { avro_set_error("%s", ""); }

// Whether the schema refers to a record inside itself (a linked list, a
// tree): Avro C reads each level of such a record with a recursive call.
bool IsRecursive(avro_schema_t s, std::vector<avro_schema_t> *path) {
    if (is_avro_link(s)) {
        avro_schema_t target = avro_schema_link_target(s);
        for (avro_schema_t up : *path)
            if (up == target) return true;
        return false;
    }
    path->push_back(s);
    bool found = false;
    if (is_avro_record(s)) {
        for (size_t i = 0; !found && i < avro_schema_record_size(s); i++)
            found = IsRecursive(avro_schema_record_field_get_by_index(s, (int)i), path);
    } else if (is_avro_union(s)) {
        for (size_t i = 0; !found && i < avro_schema_union_size(s); i++)
            found = IsRecursive(avro_schema_union_branch(s, (int)i), path);
    } else if (is_avro_array(s)) {
        found = IsRecursive(avro_schema_array_items(s), path);
    } else if (is_avro_map(s)) {
        found = IsRecursive(avro_schema_map_values(s), path);
    }
    path->pop_back();
    return found;
}

avro_schema_t Unlinked(avro_schema_t s) { return is_avro_link(s) ? avro_schema_link_target(s) : s; }

// The schema of RECORD's field NAME, or null (avro_schema_record_field_get
// reads an unset variable when there is no such field).
avro_schema_t FieldNamed(avro_schema_t record, const char *name) {
    for (size_t i = 0; i < avro_schema_record_size(record); i++)
        if (strcmp(avro_schema_record_field_name(record, (int)i), name) == 0)
            return avro_schema_record_field_get_by_index(record, (int)i);
    return nullptr;
}

// The first reader record field (through records, arrays, maps and the
// named branches of unions) that the writer's schema lacks, worded as Avro
// C words it, or "".  Checked before avro_resolved_reader_new: Avro C 1.11
// crashes there (SIGSEGV) when a nested record's reader has a field the
// writer lacks after all the writer's fields (tests/avro.test avro-1.13).
std::string MissingReaderField(avro_schema_t w, avro_schema_t r,
                               std::vector<std::pair<avro_schema_t, avro_schema_t>> *seen) {
    w = Unlinked(w);
    r = Unlinked(r);
    for (const auto &pair : *seen)
        if (pair.first == w && pair.second == r) return "";
    seen->emplace_back(w, r);
    if (is_avro_record(w) && is_avro_record(r)) {
        for (size_t i = 0; i < avro_schema_record_size(r); i++) {
            const char *name = avro_schema_record_field_name(r, (int)i);
            avro_schema_t wf = FieldNamed(w, name);
            if (!wf) return std::string("Reader field ") + name + " doesn't appear in writer";
            std::string inner = MissingReaderField(wf, avro_schema_record_field_get_by_index(r, (int)i), seen);
            if (!inner.empty()) return std::string("Field ") + name + " isn't compatible: " + inner;
        }
    } else if (is_avro_array(w) && is_avro_array(r)) {
        return MissingReaderField(avro_schema_array_items(w), avro_schema_array_items(r), seen);
    } else if (is_avro_map(w) && is_avro_map(r)) {
        return MissingReaderField(avro_schema_map_values(w), avro_schema_map_values(r), seen);
    } else if (is_avro_union(w) || is_avro_union(r)) {
        // Each named writer branch against the reader's branch of that name.
        size_t n = is_avro_union(w) ? avro_schema_union_size(w) : 1;
        for (size_t i = 0; i < n; i++) {
            avro_schema_t wb = Unlinked(is_avro_union(w) ? avro_schema_union_branch(w, (int)i) : w);
            if (!is_avro_record(wb)) continue;
            avro_schema_t rb = r;
            if (is_avro_union(r)) {
                int which = 0;
                rb = avro_schema_union_branch_by_name(r, &which, avro_schema_name(wb));
            }
            if (!rb) continue;
            std::string inner = MissingReaderField(wb, rb, seen);
            if (!inner.empty()) return inner;
        }
    }
    return "";
}

// A record of a recursive schema nests one level per byte at most; Avro C
// runs out of C stack some 20000 levels down, and kMaxDepth refuses more
// than 1000 anyway: longer input of such a schema is refused unread.
constexpr size_t kMaxRecursiveInput = 16384;

int DeserializationError(Tcl_Interp *interp, const std::string &message) {
    return KafkaError(interp, RD_KAFKA_RESP_ERR__VALUE_DESERIALIZATION, message);
}

} // namespace

// ---------------------------------------------------------------------------

AvroSchema *AvroSchema::Create(Tcl_Interp *interp, Tcl_Obj *json, std::string *error) {
    std::string text = Utf8(json);
    ClearAvroError();
    avro_schema_t schema = nullptr;
    if (avro_schema_from_json_length(text.data(), text.size(), &schema)) {
        *error = avro_strerror();
        return nullptr;
    }
    AvroSchemaPtr owned(schema);
    avro_value_iface_t *iface = avro_generic_class_from_schema(schema);
    if (!iface) {
        *error = avro_strerror();
        return nullptr;
    }
    AvroSchema *object = new AvroSchema(interp, owned.release(), iface, json);
    std::vector<avro_schema_t> path;
    object->recursive_ = IsRecursive(object->schema_.get(), &path);
    return object;
}

AvroSchema::AvroSchema(Tcl_Interp *interp, avro_schema_t schema, avro_value_iface_t *iface, Tcl_Obj *json)
    : Object(interp, nullptr), schema_(schema), iface_(iface), json_(json) {
    Tcl_IncrRefCount(json_);
    Tcl_CreateThreadExitHandler(DropReusedValues, this);
}

AvroSchema::~AvroSchema() {
    Tcl_DeleteThreadExitHandler(DropReusedValues, this);
    Tcl_DecrRefCount(json_);
}

// At exit, an object the script never deleted still holds the values it
// reuses: freed here, so that what a record left in them is not reported
// as leaked (LeakSanitizer) when the process ends.
void AvroSchema::DropReusedValues(ClientData self) {
    static_cast<AvroSchema *>(self)->encodeValue_.Destroy();
    static_cast<AvroSchema *>(self)->decodeValue_.Destroy();
}

struct AvroMethods {
    using M = AvroSchema;
    static const MethodTable<M> &Table() {
        static const MethodDef<M> rows[] = {
            {"schema", &M::SchemaMethod, 0, 0, "", kAllKinds},
            {"encode", &M::Encode, 1, 3, "value ?-id schemaId?", kAllKinds},
            {"decode", &M::Decode, 1, 3, "bytes ?-writer avroObject?", kAllKinds},
            {"delete", &M::DeleteMethod, 0, 0, "", kAllKinds},
        };
        static const MethodTable<M> table(rows);
        return table;
    }
};

int AvroSchema::Invoke(int objc, Tcl_Obj *const objv[]) { return AvroMethods::Table().Dispatch(this, kAllKinds, objc, objv); }

std::vector<const char *> AvroSchema::MethodNames() { return AvroMethods::Table().Names(); }

int AvroSchema::SchemaMethod(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, json_);
    return TCL_OK;
}

static int GetSchemaId(Tcl_Interp *interp, Tcl_Obj *obj, uint32_t *out) {
    Tcl_WideInt id;
    if (!IsIntegerWord(obj) || Tcl_GetWideIntFromObj(NULL, obj, &id) != TCL_OK || id < 0 || id > INT32_MAX)
        return ArgError(interp, std::string("expected a schema id (0 to 2147483647) but got \"") + Tcl_GetString(obj) + "\"");
    *out = (uint32_t)id;
    return TCL_OK;
}

// The Schema Registry wire format's header: magic byte 0, big-endian id.
static void PutHeader(unsigned char *p, uint32_t id) {
    p[0] = 0;
    p[1] = (unsigned char)(id >> 24);
    p[2] = (unsigned char)(id >> 16);
    p[3] = (unsigned char)(id >> 8);
    p[4] = (unsigned char)id;
}

// encode value ?-id schemaId?: the Avro binary, framed with -id.
// The generic value Encode fills, emptied: made once a schema and reset
// each call (making one allocates every field's storage anew, a third of
// an encode's time); a value a failed encode left half set is reset too.
// nullptr with Avro C's error set when it cannot be made.
avro_value_t *AvroSchema::ResetEncodeValue() {
    if (!encodeValue_.made() && encodeValue_.MakeGeneric(iface_.get())) return nullptr;
    if (avro_value_reset(encodeValue_.get())) return nullptr;
    return encodeValue_.get();
}

// encode and decode: one word (the value, the bytes) and options around it
// ("--" ends them); kWrongArgs for another count of words.
template <class Words>
static int OptionsAndOneWord(Tcl_Interp *interp, const OptionTable<Words> &table, int objc, Tcl_Obj *const objv[],
                             Words *words, Tcl_Obj **word) {
    std::vector<Tcl_Obj *> rest;
    if (table.Parse(interp, objc, objv, 2, nullptr, words, &rest) != TCL_OK) return TCL_ERROR;
    if (rest.size() != 1) return kWrongArgs;
    *word = rest[0];
    return TCL_OK;
}

int AvroSchema::Encode(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        Tcl_Obj *id = nullptr;
    };
    static const OptionTable<Words> table({{"-id", &Words::id}}, Placement::Anywhere, true);
    Words words;
    Tcl_Obj *value;
    if (int code = OptionsAndOneWord(interp_, table, objc, objv, &words, &value)) return code;
    uint32_t id = 0;
    if (words.id && GetSchemaId(interp_, words.id, &id) != TCL_OK) return TCL_ERROR;
    return EncodeValue(value, words.id != nullptr, id);
}

int AvroSchema::EncodeValue(Tcl_Obj *tclValue, bool framed, uint32_t id) {
    ClearAvroError();
    avro_value_t *value = ResetEncodeValue();
    if (!value) return KafkaError(interp_, RD_KAFKA_RESP_ERR__FAIL, avro_strerror());
    Encoder encoder(interp_, &fieldNames_);
    if (!encoder.Put(tclValue, value, ""))
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__VALUE_SERIALIZATION, encoder.error);
    size_t size = 0;
    if (avro_value_sizeof(value, &size)) return KafkaError(interp_, RD_KAFKA_RESP_ERR__FAIL, avro_strerror());
    size_t header = framed ? 5 : 0;
    Tcl_Obj *result = Tcl_NewByteArrayObj(NULL, 0);
    unsigned char *out = Tcl_SetByteArrayLength(result, (Tcl_Size)(header + size));
    if (header) PutHeader(out, id);
    AvroWriterPtr writer(avro_writer_memory((const char *)out + header, (int64_t)size));
    if (avro_value_write(writer.get(), value)) {
        Tcl_DecrRefCount(Tcl_NewListObj(1, &result)); // frees result
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__FAIL, avro_strerror());
    }
    Tcl_SetObjResult(interp_, result);
    return TCL_OK;
}

// Reads one value of this schema into decodeValue_, made once and reset
// for each read (its fields' storage reused: making a value anew for every
// record was a third of a decode's time). On failure the partial value is
// destroyed (made anew next time) and the blocks Avro C dropped on the way
// are freed too; nullptr with Avro C's error set.
avro_value_t *AvroSchema::ReadReused(avro_reader_t reader, size_t inputSize) {
    DecodeScope scope(inputSize);
    if (!decodeValue_.made() && decodeValue_.MakeGeneric(iface_.get())) return nullptr;
    if (avro_value_reset(decodeValue_.get()) == 0 && avro_value_read(reader, decodeValue_.get()) == 0)
        return decodeValue_.get();
    std::string error = avro_strerror();
    decodeValue_.Destroy();
    scope.FreeLeftovers();
    avro_set_error("%s", error.c_str());
    return nullptr;
}

// decode bytes ?-writer avroObject?: the Tcl value; with -writer, the bytes
// were written with that schema and are read as this one (resolution).
int AvroSchema::Decode(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        Tcl_Obj *writer = nullptr;
    };
    static const OptionTable<Words> table({{"-writer", &Words::writer}}, Placement::Anywhere, true);
    Words words;
    Tcl_Obj *bytesWord;
    if (int code = OptionsAndOneWord(interp_, table, objc, objv, &words, &bytesWord)) return code;
    AvroSchema *writer = this;
    if (words.writer && !(writer = LookupObject<AvroSchema>(interp_, words.writer, "avro"))) return TCL_ERROR;
    Preserve keep(writer);
    Tcl_Size len;
    const unsigned char *bytes = Tcl_GetByteArrayFromObj(bytesWord, &len);
    return DecodeBytes(writer, bytes, len);
}

int AvroSchema::DecodeBytes(AvroSchema *writer, const unsigned char *bytes, Tcl_Size len) {
    ClearAvroError();
    if (writer->recursive_ && (size_t)len > kMaxRecursiveInput)
        return DeserializationError(interp_, std::to_string(len) + " bytes of a recursive schema: more than " +
                                                 std::to_string(kMaxRecursiveInput) +
                                                 " are refused (Avro C reads each nesting level recursively)");
    AvroReaderPtr reader(avro_reader_memory((const char *)bytes, (int64_t)len));
    avro_value_t *written = writer->ReadReused(reader.get(), (size_t)len);
    if (!written)
        return DeserializationError(interp_, std::string("cannot decode ") + std::to_string(len) +
                                                  " bytes as Avro: " + avro_strerror());
    // A record shorter than its bytes: not what this schema wrote.
    size_t used = 0;
    if (avro_value_sizeof(written, &used) || used != (size_t)len)
        return DeserializationError(interp_, "bytes left over after decoding " + std::to_string(len) +
                                                 " bytes as Avro: not written with this schema");
    std::string error;
    Tcl_Obj *result;
    if (writer == this) {
        result = Get(written, &error);
    } else {
        std::vector<std::pair<avro_schema_t, avro_schema_t>> seen;
        std::string missing = MissingReaderField(writer->schema_.get(), schema_.get(), &seen);
        if (!missing.empty())
            return DeserializationError(interp_, "the writer's schema cannot be read as this one: " + missing);
        AvroIfacePtr resolver(avro_resolved_reader_new(writer->schema_.get(), schema_.get()));
        if (!resolver)
            return DeserializationError(interp_, std::string("the writer's schema cannot be read as this one: ") +
                                                     avro_strerror());
        AvroValue resolved;
        if (resolved.MakeResolvedReader(resolver.get())) return KafkaError(interp_, RD_KAFKA_RESP_ERR__FAIL, avro_strerror());
        avro_resolved_reader_set_source(resolved.get(), written);
        result = Get(resolved.get(), &error);
    }
    if (!result) return DeserializationError(interp_, "cannot decode: " + error);
    Tcl_SetObjResult(interp_, result);
    return TCL_OK;
}

// ::kafka::avro create name|#auto schema | frame schemaId body | unframe bytes
int AvroCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    static const char *const subcommands[] = {"create", "frame", "unframe", NULL};
    static const char *const usage = "create name|#auto schema | frame schemaId body | unframe bytes";
    if (objc < 2) return WrongArgs(interp, 1, objv, usage);
    int sub;
    if (GetIndex(interp, objv[1], subcommands, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    static const int words[] = {4, 4, 3};
    static const char *const usages[] = {"create name|#auto schema", "frame schemaId body", "unframe bytes"};
    if (objc != words[sub]) return WrongArgs(interp, 1, objv, usages[sub]);
    if (sub == 0) {
        std::string error;
        AvroSchema *schema = AvroSchema::Create(interp, objv[3], &error);
        if (!schema) return ArgError(interp, "bad Avro schema: " + error);
        return Object::Install(interp, schema, objv[2], "kafka_avro");
    }
    if (sub == 1) {
        uint32_t id;
        if (GetSchemaId(interp, objv[2], &id) != TCL_OK) return TCL_ERROR;
        OutBytes body(objv[3]);
        Tcl_Obj *result = Tcl_NewByteArrayObj(NULL, 0);
        unsigned char *out = Tcl_SetByteArrayLength(result, (Tcl_Size)(5 + body.size()));
        PutHeader(out, id);
        if (body.size()) memcpy(out + 5, body.data(), body.size());
        Tcl_SetObjResult(interp, result);
        return TCL_OK;
    }
    Tcl_Size len;
    const unsigned char *p = Tcl_GetByteArrayFromObj(objv[2], &len);
    if (len < 5)
        return DeserializationError(interp, std::to_string(len) + " bytes: too short for the Schema Registry wire "
                                                                  "format (magic byte 0, 4-byte schema id, record)");
    if (p[0] != 0)
        return DeserializationError(interp, "magic byte " + std::to_string(p[0]) +
                                                ": not the Schema Registry wire format (magic byte 0)");
    uint32_t id = ((uint32_t)p[1] << 24) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 8) | p[4];
    Tcl_Obj *pair[2] = {Tcl_NewWideIntObj(id), Tcl_NewByteArrayObj(p + 5, len - 5)};
    Tcl_SetObjResult(interp, Tcl_NewListObj(2, pair));
    return TCL_OK;
}

} // namespace kafkatcl
