// config.h -- the `config`/`topic_config` methods shared by masters and handles:
// dump (secrets masked), read one key, or set key/value pairs.
#pragma once

#include "util.h"

#include <functional>

namespace kafkatcl {

// Global (client) configuration: `config ?key? ?value key value ...?`.
int ConfigMethod(Tcl_Interp *interp, rd_kafka_conf_t *conf, int objc, Tcl_Obj *const objv[]);
// Topic configuration, same forms.
int TopicConfigMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[]);

// config key value ?key value ...? on a client configuration that comes with
// its own topic configuration (a master's, a subscriber's): each pair is set
// in `conf` (errors as ConfigMethod's), and each one accepted in `tconf` too
// when it is a topic property. Why: librdkafka keeps a topic property given
// to the client conf in that conf's default topic conf, which topics made
// with their own conf (every new_topic) never see. A global key whose topic
// namesake is only a deprecated alias (enable.auto.commit) is not copied: it
// would earn every handle a deprecation warning nobody asked for.
int SetClientAndTopicConfig(Tcl_Interp *interp, rd_kafka_conf_t *conf, rd_kafka_topic_conf_t *tconf, int objc,
                            Tcl_Obj *const objv[]);

// Copies onto `conf` every property of `tconf` that differs from librdkafka's
// default. (rd_kafka_conf_set_default_topic_conf would instead replace the
// topic properties set through the global `config`, e.g. auto.offset.reset.)
void ApplyTopicConf(rd_kafka_conf_t *conf, const rd_kafka_topic_conf_t *tconf);

// A new client configuration with KafkaTcl's defaults (see NewClientConf in
// config.cpp): what masters and mock clusters start from.
rd_kafka_conf_t *NewClientConf();

// rd_kafka_new's error `errstr`, made to say what to fix when it is about a
// file property (OpenSSL's "ssl.ca.location failed: error:...:system lib"):
// names the file and, when it can tell, why it cannot be used (no such
// file, not readable, empty, a directory).
std::string ExplainCreateFailure(const rd_kafka_conf_t *conf, const std::string &errstr);

// True for keys whose values must never be shown (passwords, secrets).
bool IsSecretKey(const char *key);

// What the linked librdkafka's own property table says of `key` as a global
// (topic false) or topic property: whether it knows it, and when it
// deprecates it, its description (what its CONFWARN warning quotes).
struct PropertyInfo {
    bool known = false;
    bool deprecated = false;
    std::string description;
};
PropertyInfo LookUpProperty(const std::string &key, bool topic);

// The names `partitioner` accepts (librdkafka's topic "partitioner" values).
extern const char *const kPartitionerNames[];
// partitioner ?name? on a topic configuration: with a name, checks it (and
// calls `beforeSet`, which may refuse with a Tcl error), then sets it;
// returns the current name.
int PartitionerMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[],
                      const std::function<int(const char *name)> &beforeSet = nullptr);

} // namespace kafkatcl
