// config.cpp -- one implementation of config get/set/dump for both kinds of
// librdkafka configuration object.
#include "config.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <vector>

#include <sys/stat.h>
#include <unistd.h>

namespace kafkatcl {

bool IsSecretKey(const char *key) {
    // ssl.key.pem is the client's private key itself.
    return strstr(key, "password") || strstr(key, "secret") || !strcmp(key, "sasl.oauthbearer.config") ||
           strstr(key, "jaas") || !strcmp(key, "ssl.key.pem");
}

rd_kafka_conf_t *NewClientConf() {
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    // Client telemetry (KIP-714, librdkafka 2.5 and later) makes
    // rd_kafka_destroy wait for a last push, up to a second per handle
    // (measured on 2.8.0: consumer create+delete 301 ms, 0.5 ms without):
    // off unless the user turns it on. A librdkafka that does not know the
    // property refuses it, and has no telemetry to wait for.
    char errstr[256];
    rd_kafka_conf_set(conf, "enable.metrics.push", "false", errstr, sizeof errstr);
    return conf;
}

void ApplyTopicConf(rd_kafka_conf_t *conf, const rd_kafka_topic_conf_t *tconf) {
    TopicConfPtr defaults(rd_kafka_topic_conf_new());
    size_t n, dn;
    const char **pairs = rd_kafka_topic_conf_dump(const_cast<rd_kafka_topic_conf_t *>(tconf), &n);
    const char **dpairs = rd_kafka_topic_conf_dump(defaults.get(), &dn);
    for (size_t i = 0; i + 1 < n; i += 2) {
        bool same = false;
        for (size_t j = 0; j + 1 < dn; j += 2) {
            if (!strcmp(pairs[i], dpairs[j])) {
                same = !strcmp(pairs[i + 1], dpairs[j + 1]);
                break;
            }
        }
        if (same) continue;
        char errstr[256];
        rd_kafka_conf_set(conf, pairs[i], pairs[i + 1], errstr, sizeof errstr); // pointer-valued keys just fail
    }
    rd_kafka_conf_dump_free(pairs, n);
    rd_kafka_conf_dump_free(dpairs, dn);
}

namespace {

struct ConfOps {
    std::function<const char **(size_t *)> dump;
    std::function<rd_kafka_conf_res_t(const char *, char *, size_t *)> get;
    std::function<rd_kafka_conf_res_t(const char *, const char *, char *, size_t)> set;
    // set on a copy of the configuration, thrown away: whether set would take it
    std::function<rd_kafka_conf_res_t(const char *, const char *, char *, size_t)> trySet;
};

// A property's current value, whatever its length (the size-query form of
// rd_kafka_conf_get first, then the value); false if there is no such
// property or it has no string form.
bool GetValue(const ConfOps &ops, const char *key, std::string *value) {
    size_t size = 0;
    if (ops.get(key, nullptr, &size) != RD_KAFKA_CONF_OK) return false;
    std::vector<char> buf(size + 1, '\0');
    size = buf.size();
    if (ops.get(key, buf.data(), &size) != RD_KAFKA_CONF_OK) return false;
    value->assign(buf.data()); // up to the NUL librdkafka wrote
    return true;
}

Tcl_Obj *DumpAsList(const ConfOps &ops) {
    size_t count;
    const char **pairs = ops.dump(&count);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i + 1 < count; i += 2) {
        Tcl_ListObjAppendElement(NULL, list, Tcl_NewStringObj(pairs[i], -1));
        const char *value = IsSecretKey(pairs[i]) ? "***" : pairs[i + 1];
        Tcl_ListObjAppendElement(NULL, list, NewTextObj(value, strlen(value))); // UTF-8, as set
    }
    rd_kafka_conf_dump_free(pairs, count);
    return list;
}

int Configure(Tcl_Interp *interp, const ConfOps &ops, int objc, Tcl_Obj *const objv[]) {
    // objv[0] object, objv[1] method, then ?key? or key value ...
    if (objc == 2) {
        Tcl_SetObjResult(interp, DumpAsList(ops));
        return TCL_OK;
    }
    if (objc == 3) {
        const char *key = Tcl_GetString(objv[2]);
        std::string value;
        if (!GetValue(ops, key, &value)) {
            return ArgError(interp, std::string("No such configuration property: \"") + key + "\"");
        }
        const char *shown = IsSecretKey(key) ? "***" : value.c_str();
        Tcl_SetObjResult(interp, NewTextObj(shown, strlen(shown))); // UTF-8, as set
        return TCL_OK;
    }
    if (objc % 2 != 0) return WrongArgs(interp, 2, objv, "?key? ?value key value ...?");
    for (int i = 2; i < objc; i += 2) {
        char errstr[512];
        const char *key = Tcl_GetString(objv[i]);
        std::string v;
        if (GetCString(interp, objv[i + 1], std::string("the value of \"") + key + "\"", &v) != TCL_OK) return TCL_ERROR;
        // librdkafka applies a list value (debug all,typo) word by word and
        // stops at the bad word, and a flags value cannot be set back (debug
        // words add up): a value is tried on a copy first, so a refused one
        // leaves the old value.
        rd_kafka_conf_res_t res = ops.trySet(key, v.c_str(), errstr, sizeof errstr);
        if (res == RD_KAFKA_CONF_OK) res = ops.set(key, v.c_str(), errstr, sizeof errstr);
        if (res == RD_KAFKA_CONF_OK) continue;
        // Name the key the user gave: librdkafka names the property an alias maps to.
        if (res == RD_KAFKA_CONF_INVALID) return ArgError(interp, std::string(errstr) + " (setting \"" + key + "\")");
        return ArgError(interp, errstr);
    }
    return TCL_OK;
}

} // namespace

// The ConfOps of a global or a topic configuration: the two have the same
// functions in librdkafka, each under its own names.
template <class Conf, const char **(*Dump)(Conf *, size_t *),
          rd_kafka_conf_res_t (*Get)(const Conf *, const char *, char *, size_t *),
          rd_kafka_conf_res_t (*Set)(Conf *, const char *, const char *, char *, size_t),
          Conf *(*Dup)(const Conf *), void (*Destroy)(Conf *)>
ConfOps OpsOf(Conf *conf) {
    return ConfOps{[conf](size_t *n) { return Dump(conf, n); },
                   [conf](const char *k, char *v, size_t *s) { return Get(conf, k, v, s); },
                   [conf](const char *k, const char *v, char *e, size_t es) { return Set(conf, k, v, e, es); },
                   [conf](const char *k, const char *v, char *e, size_t es) {
                       Owned<Conf, Destroy> copy(Dup(conf));
                       return Set(copy.get(), k, v, e, es);
                   }};
}

int ConfigMethod(Tcl_Interp *interp, rd_kafka_conf_t *conf, int objc, Tcl_Obj *const objv[]) {
    ConfOps ops = OpsOf<rd_kafka_conf_t, rd_kafka_conf_dump, rd_kafka_conf_get, rd_kafka_conf_set, rd_kafka_conf_dup,
                        rd_kafka_conf_destroy>(conf);
    return Configure(interp, ops, objc, objv);
}

int TopicConfigMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[]) {
    ConfOps ops = OpsOf<rd_kafka_topic_conf_t, rd_kafka_topic_conf_dump, rd_kafka_topic_conf_get,
                        rd_kafka_topic_conf_set, rd_kafka_topic_conf_dup, rd_kafka_topic_conf_destroy>(conf);
    return Configure(interp, ops, objc, objv);
}

// enable.auto.commit names a global property and, at topic level, a
// deprecated alias librdkafka 2.0.2 never reads.
static bool GlobalShadowsDeprecatedTopicKey(const char *key) {
    PropertyInfo global = LookUpProperty(key, false);
    return global.known && !global.deprecated && LookUpProperty(key, true).deprecated;
}

int SetClientAndTopicConfig(Tcl_Interp *interp, rd_kafka_conf_t *conf, rd_kafka_topic_conf_t *tconf, int objc,
                            Tcl_Obj *const objv[]) {
    if (objc < 4 || objc % 2) return ConfigMethod(interp, conf, objc, objv); // not pairs: its errors
    for (int i = 2; i + 1 < objc; i += 2) {
        Tcl_Obj *pair[4] = {objv[0], objv[1], objv[i], objv[i + 1]};
        if (ConfigMethod(interp, conf, 4, pair) != TCL_OK) return TCL_ERROR;
        if (GlobalShadowsDeprecatedTopicKey(Tcl_GetString(objv[i]))) continue;
        char errstr[256];
        std::string value; // as Configure read it, without error then
        GetCString(interp, objv[i + 1], "", &value);
        rd_kafka_topic_conf_set(tconf, Tcl_GetString(objv[i]), value.c_str(), errstr,
                                sizeof errstr); // RD_KAFKA_CONF_UNKNOWN: not a topic property
    }
    return TCL_OK;
}

// What is wrong with `path` as the value of file property `key`, as far as
// the file system tells; "" when nothing is (then OpenSSL's reason stands).
static std::string FileProblem(const std::string &key, const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || access(path.c_str(), R_OK) != 0) {
        std::string reason = strerror(errno);
        if (!reason.empty()) reason[0] = (char)tolower((unsigned char)reason[0]);
        return reason;
    }
    if (S_ISDIR(st.st_mode)) return key == "ssl.ca.location" ? "" : "is a directory, not a file";
    if (S_ISREG(st.st_mode) && st.st_size == 0) return "is empty";
    return "";
}

std::string ExplainCreateFailure(const rd_kafka_conf_t *conf, const std::string &errstr) {
    static const char *const fileKeys[] = {"ssl.ca.location", "ssl.certificate.location", "ssl.key.location",
                                           "ssl.crl.location"};
    for (const char *key : fileKeys) {
        std::string prefix = std::string(key) + " failed: ";
        if (errstr.compare(0, prefix.size(), prefix) != 0) continue;
        char path[4096];
        size_t size = sizeof path;
        if (rd_kafka_conf_get(conf, key, path, &size) != RD_KAFKA_CONF_OK || !*path) return errstr;
        std::string openssl = errstr.substr(prefix.size()), problem = FileProblem(key, path);
        if (problem.empty()) return prefix + "file \"" + path + "\": " + openssl;
        return prefix + "file \"" + path + "\"" + (problem.compare(0, 3, "is ") ? ": " : " ") + problem +
               " (OpenSSL: " + openssl + ")";
    }
    return errstr;
}

namespace {

// librdkafka has no API for a property's flags, but rd_kafka_conf_properties_show
// prints its table (CONFIGURATION.md's rows, "name | C/P | range | default |
// importance | description"), deprecated ones marked "**DEPRECATED**".
struct PropertyTable {
    std::map<std::string, PropertyInfo> global, topic;
    PropertyTable();
};

std::string Trim(const std::string &s) {
    size_t b = s.find_first_not_of(' '), e = s.find_last_not_of(' ');
    return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

PropertyTable::PropertyTable() {
    char *text = nullptr;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (!out) return;
    rd_kafka_conf_properties_show(out);
    fclose(out);
    std::map<std::string, PropertyInfo> *section = nullptr;
    const char *marker = "**DEPRECATED** ";
    for (const char *line = text; line && *line;) {
        const char *end = strchr(line, '\n');
        std::string row(line, end ? end - line : strlen(line));
        line = end ? end + 1 : nullptr;
        if (row.rfind("## Global", 0) == 0) section = &global;
        else if (row.rfind("## Topic", 0) == 0) section = &topic;
        size_t bar = row.find('|');
        if (!section || bar == std::string::npos || row.find("---") == 0) continue;
        PropertyInfo info;
        info.known = true;
        size_t at = row.find(marker);
        if (at != std::string::npos) {
            info.deprecated = true;
            std::string rest = row.substr(at + strlen(marker));
            info.description = rest.substr(0, rest.find(" <br>"));
        }
        std::string name = Trim(row.substr(0, bar));
        if (!name.empty() && name != "Property") (*section)[name] = info;
    }
    free(text);
}

} // namespace

PropertyInfo LookUpProperty(const std::string &key, bool topic) {
    static const PropertyTable table; // read once, the first time it is needed
    const auto &section = topic ? table.topic : table.global;
    auto it = section.find(key);
    return it == section.end() ? PropertyInfo() : it->second;
}

const char *const kPartitionerNames[] = {"random", "consistent", "consistent_random", "murmur2",
                                         "murmur2_random", "fnv1a", "fnv1a_random", NULL};

int PartitionerMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[],
                      const std::function<int(const char *name)> &beforeSet) {
    if (objc > 3) return WrongArgs(interp, 2, objv, "?name?");
    if (objc == 3) {
        int n;
        char errstr[256];
        if (GetIndex(interp, objv[2], kPartitionerNames, "partitioner", &n) != TCL_OK) return TCL_ERROR;
        if (beforeSet && beforeSet(kPartitionerNames[n]) != TCL_OK) return TCL_ERROR;
        if (rd_kafka_topic_conf_set(conf, "partitioner", kPartitionerNames[n], errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
            return ArgError(interp, errstr);
    }
    char value[64];
    size_t size = sizeof value;
    if (rd_kafka_topic_conf_get(conf, "partitioner", value, &size) != RD_KAFKA_CONF_OK) value[0] = 0;
    Tcl_SetObjResult(interp, Tcl_NewStringObj(value, -1));
    return TCL_OK;
}

} // namespace kafkatcl
