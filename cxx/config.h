// config.h -- the `config`/`topic_config` methods shared by masters and handles:
// dump (secrets masked), read one key, or set key/value pairs.
#pragma once

#include "util.h"

namespace kafkatcl {

// Global (client) configuration: `config ?key? ?value key value ...?`.
int ConfigMethod(Tcl_Interp *interp, rd_kafka_conf_t *conf, int objc, Tcl_Obj *const objv[]);
// Topic configuration, same forms.
int TopicConfigMethod(Tcl_Interp *interp, rd_kafka_topic_conf_t *conf, int objc, Tcl_Obj *const objv[]);

// True for keys whose values must never be shown (passwords, secrets).
bool IsSecretKey(const char *key);

} // namespace kafkatcl
