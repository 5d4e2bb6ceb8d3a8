// util.cpp -- errors, argument parsing and byte conversion shared by all objects.
#include "util.h"

#include <cctype>
#include <climits>
#include <cstring>

namespace kafkatcl {

int KafkaError(Tcl_Interp *interp, rd_kafka_resp_err_t err, const std::string &message) {
    Tcl_SetObjResult(interp, Tcl_NewStringObj(message.c_str(), -1));
    Tcl_SetErrorCode(interp, "KAFKA", rd_kafka_err2name(err), message.c_str(), (char *)NULL);
    return TCL_ERROR;
}

int KafkaError(Tcl_Interp *interp, rd_kafka_resp_err_t err) {
    return KafkaError(interp, err, rd_kafka_err2str(err));
}

int NoGroupError(Tcl_Interp *interp) {
    return KafkaError(interp, RD_KAFKA_RESP_ERR__UNKNOWN_GROUP,
                      "this consumer handle has no group: set group.id in its master's config before create_consumer");
}

int ArgError(Tcl_Interp *interp, const std::string &message) {
    return KafkaError(interp, RD_KAFKA_RESP_ERR__INVALID_ARG, message);
}

int RelabelError(Tcl_Interp *interp) {
    std::string message = Tcl_GetStringResult(interp);
    return ArgError(interp, message);
}

int WrongArgs(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], const char *usage) {
    Tcl_WrongNumArgs(interp, objc, objv, (usage && *usage) ? usage : NULL);
    return RelabelError(interp);
}

bool IsIntegerWord(Tcl_Obj *obj) {
    const char *s = Tcl_GetString(obj);
    while (isspace((unsigned char)*s)) s++;
    if (*s == '-' || *s == '+') s++;
    if (!isdigit((unsigned char)*s)) return false;
    while (isdigit((unsigned char)*s)) s++;
    while (isspace((unsigned char)*s)) s++;
    return *s == '\0';
}

// Tcl_GetIntFromObj and Tcl_GetWideIntFromObj accept unsigned values and
// wrap them (4294967295 -> -1, so a huge timeout became -1, "forever"):
// parse as a wide integer and refuse a value whose sign is not the one written.
static bool ParseWide(Tcl_Obj *obj, Tcl_WideInt *out) {
    if (Tcl_GetWideIntFromObj(NULL, obj, out) != TCL_OK) return false;
    // A pure number (no string form, e.g. from expr) was never parsed, so it
    // cannot have wrapped; skipping it keeps the produce loop free of allocations.
    if (!obj->bytes) return true;
    const char *s = obj->bytes;
    while (isspace((unsigned char)*s)) s++;
    return *out == 0 || (*out < 0) == (*s == '-');
}

static int BadInteger(Tcl_Interp *interp, Tcl_Obj *obj, const char *what) {
    Tcl_WideInt w;
    const char *s = Tcl_GetString(obj);
    while (isspace((unsigned char)*s) || *s == '-' || *s == '+') s++;
    // A decimal number too large, or a wrapped one; in Tcl 8.6 not "08", a
    // bad octal number (Tcl 9 reads "08" as decimal 8).
    bool octal = TCL_MAJOR_VERSION < 9 && *s == '0';
    if ((IsIntegerWord(obj) && !octal) || Tcl_GetWideIntFromObj(NULL, obj, &w) == TCL_OK)
        return ArgError(interp, std::string(what) + " \"" + Tcl_GetString(obj) + "\" is out of range");
    return ArgError(interp, std::string("expected integer ") + what + " but got \"" + Tcl_GetString(obj) + "\"");
}

int GetInt(Tcl_Interp *interp, Tcl_Obj *obj, const char *what, int *out) {
    Tcl_WideInt w;
    if (!ParseWide(obj, &w) || w < INT_MIN || w > INT_MAX) return BadInteger(interp, obj, what);
    *out = (int)w;
    return TCL_OK;
}

int GetWideInt(Tcl_Interp *interp, Tcl_Obj *obj, const char *what, Tcl_WideInt *out) {
    if (!ParseWide(obj, out)) return BadInteger(interp, obj, what);
    return TCL_OK;
}

int GetPartition(Tcl_Interp *interp, Tcl_Obj *obj, bool allowUnassigned, int32_t *out) {
    int p;
    if (GetInt(interp, obj, "partition", &p) != TCL_OK) return TCL_ERROR;
    if (p < 0 && !(allowUnassigned && p == -1)) {
        return ArgError(interp, std::string("partition must be ") +
                                    (allowUnassigned ? "-1 or " : "") + "a non-negative integer, got " +
                                    std::to_string(p));
    }
    *out = p;
    return TCL_OK;
}

int GetTimeout(Tcl_Interp *interp, Tcl_Obj *obj, int *out) {
    int t;
    if (GetInt(interp, obj, "timeout (milliseconds)", &t) != TCL_OK) return TCL_ERROR;
    if (t < -1) return ArgError(interp, "timeout must be -1 (forever) or >= 0 milliseconds");
    *out = t;
    return TCL_OK;
}

int GetCount(Tcl_Interp *interp, Tcl_Obj *obj, int *out) {
    int n;
    if (GetInt(interp, obj, "count", &n) != TCL_OK) return TCL_ERROR;
    if (n <= 0 || n > 1000000) return ArgError(interp, "count must be between 1 and 1000000");
    *out = n;
    return TCL_OK;
}

int GetStartOffset(Tcl_Interp *interp, Tcl_Obj *obj, int64_t *out) {
    const char *word = Tcl_GetString(obj);
    if (!strcmp(word, "beginning") || !strcmp(word, "earliest") || !strcmp(word, "smallest")) {
        *out = RD_KAFKA_OFFSET_BEGINNING;
    } else if (!strcmp(word, "end") || !strcmp(word, "latest") || !strcmp(word, "largest")) {
        *out = RD_KAFKA_OFFSET_END;
    } else if (!strcmp(word, "stored")) {
        *out = RD_KAFKA_OFFSET_STORED;
    } else {
        Tcl_WideInt n;
        if (!ParseWide(obj, &n)) {
            return ArgError(interp, std::string("bad offset \"") + word +
                                        "\": must be beginning, end, stored, an offset N or -N for N "
                                        "messages before the end");
        }
        *out = n >= 0 ? n : RD_KAFKA_OFFSET_TAIL(-n);
    }
    return TCL_OK;
}

int GetIndex(Tcl_Interp *interp, Tcl_Obj *obj, const char *const *table, const char *what, int *index) {
    if (Tcl_GetIndexFromObj(interp, obj, table, what, 0, index) != TCL_OK) return RelabelError(interp);
    return TCL_OK;
}

void DictPut(Tcl_Obj *dict, const char *key, Tcl_Obj *value) {
    Tcl_DictObjPut(NULL, dict, Tcl_NewStringObj(key, -1), value);
}

// ---------------------------------------------------------------------------

// Eight bytes at a time: every produced payload and every consumed text goes
// through here. With orNul a zero byte counts too: ASCII without NUL reads the
// same in UTF-8 and in Tcl's internal form (where NUL is C0 80), so consumed
// text like that needs no conversion.
static bool HasNonAscii(const char *s, size_t n, bool orNul = false) {
    const uint64_t ones = 0x0101010101010101ull, highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t word;
        memcpy(&word, s + i, 8);
        if (word & highs) return true;
        if (orNul && ((word - ones) & ~word & highs)) return true; // a zero byte
    }
    for (; i < n; i++)
        if ((unsigned char)s[i] >= 0x80 || (orNul && s[i] == 0)) return true;
    return false;
}

// In Tcl's internal UTF-8, lead bytes 0xC4 and above encode characters > U+00FF.
static bool HasCharAbove255(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0xC4) return true;
    return false;
}

// Tcl 8.6 registers the byte-array type as "bytearray", Tcl 9 registers it
// under no name: ask a fresh byte array for it, which works on both.
static const Tcl_ObjType *ByteArrayType() {
    static const Tcl_ObjType *type = [] {
        Tcl_Obj *probe = Tcl_NewByteArrayObj(NULL, 0);
        Tcl_IncrRefCount(probe);
        const Tcl_ObjType *t = probe->typePtr;
        Tcl_DecrRefCount(probe);
        return t;
    }();
    return type;
}

// The bytes of a byte array; NULL (on Tcl 9 only) when it holds a
// character above U+00FF, where Tcl 8.6 would have kept the low bytes.
static const unsigned char *ByteArrayBytes(Tcl_Obj *obj, Tcl_Size *len) {
#if TCL_MAJOR_VERSION >= 9
    return Tcl_GetBytesFromObj(NULL, obj, len);
#else
    return Tcl_GetByteArrayFromObj(obj, len);
#endif
}

OutBytes::OutBytes(Tcl_Obj *obj) {
    if (obj->typePtr == ByteArrayType() &&
        (obj->bytes == NULL || !HasCharAbove255(obj->bytes, (size_t)obj->length))) {
        Tcl_Size len;
        if (const unsigned char *bytes = ByteArrayBytes(obj, &len)) {
            data_ = (const char *)bytes;
            size_ = (size_t)len;
            return;
        }
    }
    Tcl_Size len;
    const char *s = Tcl_GetStringFromObj(obj, &len);
    if (!HasNonAscii(s, (size_t)len)) { // the common case: no conversion needed
        data_ = s;
        size_ = (size_t)len;
        return;
    }
    // Tcl's internal form differs from UTF-8 (NUL is C0 80): convert properly.
    static Tcl_Encoding utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_DStringInit(&ds_);
    converted_ = true;
    Tcl_UtfToExternalDString(utf8, s, len, &ds_);
    data_ = Tcl_DStringValue(&ds_);
    size_ = (size_t)Tcl_DStringLength(&ds_);
}

OutBytes::~OutBytes() {
    if (converted_) Tcl_DStringFree(&ds_);
}

Tcl_Obj *NewBytesObj(const void *data, size_t size, bool asText) {
    if (!asText || size == 0) {
        if (!asText) return Tcl_NewByteArrayObj((const unsigned char *)data, (Tcl_Size)size);
        return Tcl_NewObj();
    }
    if (!HasNonAscii((const char *)data, size, /*orNul=*/true)) return Tcl_NewStringObj((const char *)data, (Tcl_Size)size);
    static Tcl_Encoding utf8 = Tcl_GetEncoding(NULL, "utf-8");
    Tcl_DString ds;
    Tcl_ExternalToUtfDString(utf8, (const char *)data, (Tcl_Size)size, &ds);
    Tcl_Obj *result = Tcl_NewStringObj(Tcl_DStringValue(&ds), Tcl_DStringLength(&ds));
    Tcl_DStringFree(&ds);
    return result;
}

} // namespace kafkatcl
