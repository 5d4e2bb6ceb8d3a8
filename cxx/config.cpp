// config.cpp -- one implementation of config get/set/dump for both kinds of
// librdkafka configuration object.
#include "config.h"

#include <cstring>
#include <functional>

namespace kafkatcl {

bool IsSecretKey(const char *key) {
    // ssl.key.pem is the client's private key itself.
    return strstr(key, "password") || strstr(key, "secret") || !strcmp(key, "sasl.oauthbearer.config") ||
           strstr(key, "jaas") || !strcmp(key, "ssl.key.pem");
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
};

Tcl_Obj *DumpAsList(const ConfOps &ops) {
    size_t count;
    const char **pairs = ops.dump(&count);
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (size_t i = 0; i + 1 < count; i += 2) {
        Tcl_ListObjAppendElement(NULL, list, Tcl_NewStringObj(pairs[i], -1));
        Tcl_ListObjAppendElement(NULL, list, Tcl_NewStringObj(IsSecretKey(pairs[i]) ? "***" : pairs[i + 1], -1));
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
        char value[4096];
        size_t size = sizeof value;
        if (ops.get(key, value, &size) != RD_KAFKA_CONF_OK) {
            return ArgError(interp, std::string("No such configuration property: \"") + key + "\"");
        }
        Tcl_SetObjResult(interp, Tcl_NewStringObj(IsSecretKey(key) ? "***" : value, -1));
        return TCL_OK;
    }
    if (objc % 2 != 0) return WrongArgs(interp, 2, objv, "?key? ?value key value ...?");
    for (int i = 2; i < objc; i += 2) {
        char errstr[512];
        const char *key = Tcl_GetString(objv[i]);
        OutBytes value(objv[i + 1]);
        std::string v(value.data(), value.size());
        rd_kafka_conf_res_t res = ops.set(key, v.c_str(), errstr, sizeof errstr);
        if (res == RD_KAFKA_CONF_INVALID) {
            // Name the key the user gave: librdkafka names the property an alias maps to.
            return ArgError(interp, std::string(errstr) + " (setting \"" + key + "\")");
        }
        if (res != RD_KAFKA_CONF_OK) return ArgError(interp, errstr);
    }
    return TCL_OK;
}

} // namespace

int ConfigMethod(Tcl_Interp *interp, rd_kafka_conf_t *conf, int objc, Tcl_Obj *const objv[]) {
    ConfOps ops{[conf](size_t *n) { return rd_kafka_conf_dump(conf, n); },
                [conf](const char *k, char *v, size_t *s) { return rd_kafka_conf_get(conf, k, v, s); },
                [conf](const char *k, const char *v, char *e, size_t es) { return rd_kafka_conf_set(conf, k, v, e, es); }};
    return Configure(interp, ops, objc, objv);
}

int TopicConfigMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[]) {
    ConfOps ops{[conf](size_t *n) { return rd_kafka_topic_conf_dump(conf, n); },
                [conf](const char *k, char *v, size_t *s) { return rd_kafka_topic_conf_get(conf, k, v, s); },
                [conf](const char *k, const char *v, char *e, size_t es) { return rd_kafka_topic_conf_set(conf, k, v, e, es); }};
    return Configure(interp, ops, objc, objv);
}

} // namespace kafkatcl
