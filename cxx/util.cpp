// util.cpp -- errors, argument parsing and byte conversion shared by all objects.
#include "util.h"

#include <cctype>
#include <dlfcn.h>
#include <mutex>
#include <climits>
#include <cstdint>
#include <cstdio>
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

// The length (1-4) of the well-formed UTF-8 sequence at s (n > 0 bytes
// there) with its code point in *cp, or 0 if the bytes there are none
// (Unicode's table 3-7: no overlong forms, nothing above U+10FFFF). With
// surrogates, the 3-byte form of U+D800..U+DFFF counts too: Tcl holds a
// surrogate character so.
static size_t Utf8Sequence(const unsigned char *s, size_t n, bool surrogates, uint32_t *cp) {
    unsigned char b = s[0];
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    size_t len;
    uint32_t c;
    unsigned char lo = 0x80, hi = 0xBF; // the range of the second byte
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1F;
    } else if (b >= 0xE0 && b <= 0xEF) {
        len = 3, c = b & 0x0F;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED && !surrogates) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len || s[1] < lo || s[1] > hi) return 0;
    c = (c << 6) | (s[1] & 0x3F);
    for (size_t i = 2; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        c = (c << 6) | (s[i] & 0x3F);
    }
    *cp = c;
    return len;
}

static void AppendUtf8(std::string *out, uint32_t cp) {
    if (cp < 0x80) {
        out->push_back((char)cp);
    } else if (cp < 0x800) {
        out->push_back((char)(0xC0 | (cp >> 6)));
        out->push_back((char)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out->push_back((char)(0xE0 | (cp >> 12)));
        out->push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back((char)(0x80 | (cp & 0x3F)));
    } else {
        out->push_back((char)(0xF0 | (cp >> 18)));
        out->push_back((char)(0x80 | ((cp >> 12) & 0x3F)));
        out->push_back((char)(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back((char)(0x80 | (cp & 0x3F)));
    }
}

// One character in Tcl's internal form: NUL as C0 80; above U+FFFF four
// bytes on Tcl 9, a surrogate pair (two 3-byte forms) on Tcl 8.6, whose
// strings hold UTF-16 units (TCL_UTF_MAX 3), as its own utf-8 decoder does.
static void AppendInternal(std::string *out, uint32_t cp) {
    if (cp == 0) {
        out->append("\xC0\x80", 2);
    } else if (cp < 0x10000 || TCL_UTF_MAX > 3) {
        AppendUtf8(out, cp);
    } else {
        AppendUtf8(out, 0xD800 + ((cp - 0x10000) >> 10));
        AppendUtf8(out, 0xDC00 + ((cp - 0x10000) & 0x3FF));
    }
}

static bool IsHighSurrogate(uint32_t c) { return c >= 0xD800 && c <= 0xDBFF; }
static bool IsLowSurrogate(uint32_t c) { return c >= 0xDC00 && c <= 0xDFFF; }

// Tcl's internal form of a string to UTF-8: C0 80 becomes a zero byte, a
// high surrogate followed by a low one the character they stand for (Tcl 9
// keeps "\ud83d\ude00" as two characters; Tcl 8.6 stores everything above
// U+FFFF so). A byte that starts no sequence (only C code can make such a
// string) is the character of its value, as Tcl 8.6 reads it. Returns false
// at a lone surrogate, with its character index and value.
static bool InternalToUtf8(const char *str, size_t n, std::string *out, long *badIndex, unsigned *badChar) {
    const unsigned char *s = (const unsigned char *)str;
    out->reserve(n);
    long chars = 0;
    for (size_t i = 0; i < n; chars++) {
        uint32_t cp, low;
        size_t len = Utf8Sequence(s + i, n - i, true, &cp);
        if (s[i] == 0xC0 && i + 1 < n && s[i + 1] == 0x80) {
            out->push_back('\0');
            len = 2;
        } else if (len == 0) {
            AppendUtf8(out, s[i]);
            len = 1;
        } else if (IsHighSurrogate(cp) && i + 3 < n && Utf8Sequence(s + i + 3, n - i - 3, true, &low) == 3 &&
                   IsLowSurrogate(low)) {
            AppendUtf8(out, 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00));
            len = 6;
            chars++; // two characters in Tcl
        } else if (IsHighSurrogate(cp) || IsLowSurrogate(cp)) {
            *badIndex = chars;
            *badChar = cp;
            return false;
        } else {
            out->append((const char *)s + i, len);
        }
        i += len;
    }
    return true;
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
    InternalToUtf8(s, (size_t)len, &utf8_, &badIndex_, &badChar_);
    data_ = utf8_.data();
    size_ = utf8_.size();
}

int OutBytes::Check(Tcl_Interp *interp, const char *what) const {
    if (badIndex_ < 0) return TCL_OK;
    char hex[16];
    snprintf(hex, sizeof hex, "U+%04X", badChar_);
    // U+DC80..U+DCFF: what decode text made of a byte that was not UTF-8.
    const char *why = badChar_ >= 0xDC80 && badChar_ <= 0xDCFF ? " (decode text's stand-in for a byte that was not UTF-8)" : "";
    return ArgError(interp, std::string(what) + " holds a lone surrogate " + hex + why + " at character " +
                                std::to_string(badIndex_) +
                                ", which has no UTF-8 form: pair it, or send bytes as a byte array");
}

int GetCString(Tcl_Interp *interp, Tcl_Obj *obj, const std::string &what, std::string *out) {
    OutBytes bytes(obj);
    if (bytes.Check(interp, what.c_str()) != TCL_OK) return TCL_ERROR;
    if (memchr(bytes.data(), '\0', bytes.size()))
        return ArgError(interp, what + " holds a NUL character, which librdkafka's C strings cannot hold");
    out->assign(bytes.data(), bytes.size());
    return TCL_OK;
}

Tcl_Obj *NewBytesObj(const void *data, size_t size, bool asText) {
    if (!asText) return Tcl_NewByteArrayObj((const unsigned char *)data, (Tcl_Size)size);
    return NewTextObj((const char *)data, size);
}

Tcl_Obj *NewTextObj(const char *data, size_t size) {
    if (size == 0) return Tcl_NewObj();
    if (!HasNonAscii(data, size, /*orNul=*/true)) return Tcl_NewStringObj(data, (Tcl_Size)size);
    const unsigned char *s = (const unsigned char *)data;
    std::string internal;
    internal.reserve(size + size / 2);
    for (size_t i = 0; i < size;) {
        uint32_t cp;
        size_t len = Utf8Sequence(s + i, size - i, false, &cp);
        if (len == 0) cp = 0xDC00 + s[i], len = 1; // not UTF-8: its byte, escaped (s[i] >= 0x80 here)
        AppendInternal(&internal, cp);
        i += len;
    }
    return Tcl_NewStringObj(internal.data(), (Tcl_Size)internal.size());
}

// librdkafka's threads keep running while the process exits (Tcl's exit
// destroys no consumer handle; doing so could wait for the cluster), and
// OpenSSL 3 frees its state from an atexit handler: librdkafka 2.14.2's
// broker threads take random numbers from OpenSSL (rd_jitter on a
// reconnect), and one that did so after that handler crashed the process
// (torture seed 133123, real broker: 4 exits in 25 with SIGSEGV in
// RAND_get_rand_method). OPENSSL_INIT_NO_ATEXIT on OpenSSL's first
// initialisation in the process keeps its state to the end. Looked up at
// run time: librdkafka may be built without OpenSSL (then nothing to do),
// and KafkaTcl itself does not link it. No effect if something in the
// process initialised OpenSSL before the first handle (e.g. the tls package).
void KeepCryptoAtExit() {
    static std::once_flag once;
    std::call_once(once, [] {
        void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD);
        if (!crypto) return;
        using InitFn = int (*)(uint64_t, const void *);
        if (auto init = reinterpret_cast<InitFn>(dlsym(crypto, "OPENSSL_init_crypto"))) {
            const uint64_t kNoAtExit = 0x00080000L; // OPENSSL_INIT_NO_ATEXIT (OpenSSL 3.0)
            init(kNoAtExit, nullptr);
        }
        dlclose(crypto); // only drops the reference NOLOAD took
    });
}

} // namespace kafkatcl
