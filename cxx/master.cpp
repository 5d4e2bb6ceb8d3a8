// master.cpp -- ::kafka::kafka and the master object's methods.
#include "master.h"

#include "config.h"
#include "handle.h"
#include "subscriber.h"

#include <cstring>

namespace kafkatcl {

Master::Master(Tcl_Interp *interp)
    : Object(interp, nullptr), conf_(rd_kafka_conf_new()), topicConf_(rd_kafka_topic_conf_new()) {}

int Master::Invoke(int objc, Tcl_Obj *const objv[]) {
    static const char *const methods[] = {"config",
                                          "topic_config",
                                          "create_producer",
                                          "producer_creator",
                                          "create_consumer",
                                          "consumer_creator",
                                          "decode",
                                          "headers",
                                          "set_delivery_report_callback",
                                          "set_error_callback",
                                          "set_statistics_callback",
                                          "set_socket_callback",
                                          "error_callback",
                                          "statistics_callback",
                                          "logger",
                                          "delivery_report",
                                          "partitioner",
                                          "subscriber",
                                          "delete",
                                          NULL};
    enum {
        CONFIG, TOPIC_CONFIG, CREATE_PRODUCER, PRODUCER_CREATOR, CREATE_CONSUMER, CONSUMER_CREATOR, DECODE, HEADERS,
        SET_DR_CB, SET_ERROR_CB, SET_STATS_CB, SET_SOCKET_CB, ERROR_CB, STATS_CB, LOGGER, DELIVERY_REPORT, PARTITIONER,
        SUBSCRIBER, DELETE
    };
    int m;
    if (GetIndex(interp_, objv[1], methods, "method", &m) != TCL_OK) return TCL_ERROR;
    switch (m) {
    case CONFIG:
        if (CheckConfigChange(objc, objv, false) != TCL_OK) return TCL_ERROR;
        if (objc < 4 || objc % 2) return ConfigMethod(interp_, conf_.get(), objc, objv);
        // Pair by pair: librdkafka keeps a topic property given here in the
        // global conf's default topic conf, which topics made with their own
        // conf (every new_topic) never see, so each one accepted also goes
        // to the master's topic_config.
        for (int i = 2; i + 1 < objc; i += 2) {
            Tcl_Obj *pair[4] = {objv[0], objv[1], objv[i], objv[i + 1]};
            if (ConfigMethod(interp_, conf_.get(), 4, pair) != TCL_OK) return TCL_ERROR;
            if (GlobalShadowsDeprecatedTopicKey(Tcl_GetString(objv[i]))) continue;
            char errstr[256];
            OutBytes value(objv[i + 1]); // as Configure reads it
            rd_kafka_topic_conf_set(topicConf_.get(), Tcl_GetString(objv[i]), std::string(value.data(), value.size()).c_str(),
                                    errstr, sizeof errstr); // RD_KAFKA_CONF_UNKNOWN: not a topic property
        }
        return TCL_OK;
    case TOPIC_CONFIG:
        if (CheckConfigChange(objc, objv, true) != TCL_OK) return TCL_ERROR;
        return TopicConfigMethod(interp_, topicConf_.get(), objc, objv);
    case CREATE_PRODUCER:
    case PRODUCER_CREATOR:
        return CreateHandle(RD_KAFKA_PRODUCER, objc, objv);
    case CREATE_CONSUMER:
    case CONSUMER_CREATOR:
        return CreateHandle(RD_KAFKA_CONSUMER, objc, objv);
    case DECODE:
        return DecodeMethod(objc, objv);
    case HEADERS:
        return HeadersMethod(objc, objv);
    case SET_DR_CB:
        if (SetCallback(callbacks_.delivery, objc, objv) != TCL_OK) return TCL_ERROR;
        if (objc == 3) callbacks_.deliveryPayload = false; // the seed form's reports: no payload
        return TCL_OK;
    case SET_ERROR_CB:
    case ERROR_CB: // the later KafkaTcl's name
        return SetCallback(callbacks_.error, objc, objv);
    case SET_STATS_CB:
    case STATS_CB: // the later KafkaTcl's name
        return StatisticsCallbackMethod(objc, objv);
    case SET_SOCKET_CB:
        // librdkafka owns its sockets and threads; a Tcl-level socket callback
        // would run on librdkafka's threads. The event loop integration
        // (see "ASYNCHRONOUS USE" in kafka.man) replaces it.
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED,
                          "set_socket_callback is not supported: librdkafka manages its own sockets; "
                          "events reach Tcl through the event loop without it");
    case LOGGER:
        return LoggerMethod(objc, objv);
    case DELIVERY_REPORT:
        return DeliveryReportMethod(objc, objv);
    case PARTITIONER:
        return PartitionerMethod(objc, objv);
    case SUBSCRIBER:
        // Only the whole word: "subscribe" (a consumer method) must not make a
        // subscriber. (A fresh word: Tcl would reuse objv[1]'s cached prefix match.)
        if (strcmp(Tcl_GetString(objv[1]), "subscriber")) {
            ObjRef word(Tcl_NewStringObj(Tcl_GetString(objv[1]), -1));
            Tcl_GetIndexFromObj(interp_, word.get(), methods, "method", TCL_EXACT, &m);
            return RelabelError(interp_);
        }
        return CreateSubscriber(interp_, this, objc, objv);
    case DELETE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        DeleteCommand();
        return TCL_OK;
    }
    return TCL_ERROR;
}

// enable.auto.commit names a global property and, at topic level, a
// deprecated alias librdkafka 2.0.2 never reads: copying it to topic_config
// would only earn every handle a deprecation warning the user did not ask for.
bool Master::GlobalShadowsDeprecatedTopicKey(const char *key) {
    PropertyInfo global = LookUpProperty(key, false);
    return global.known && !global.deprecated && LookUpProperty(key, true).deprecated;
}

std::string Master::ConfString(const char *key, bool topic) const {
    char value[512];
    size_t size = sizeof value;
    rd_kafka_conf_res_t res = topic ? rd_kafka_topic_conf_get(topicConf_.get(), key, value, &size)
                                    : rd_kafka_conf_get(conf_.get(), key, value, &size);
    return res == RD_KAFKA_CONF_OK ? std::string(value) : std::string();
}

int Master::RefuseWithHandles(const std::string &what, const std::string &advice) {
    std::string names;
    for (Object *child : Children()) {
        ObjRef name(child->NameObj());
        names += (names.empty() ? "" : ", ") + std::string(Tcl_GetString(name.get()));
    }
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                      "the master has handles (" + names + "): " + what + "; " + advice);
}

// config/topic_config key value ...: a change of statistics.interval.ms or
// partitioner while handles exist is refused before anything is set.
int Master::CheckConfigChange(int objc, Tcl_Obj *const objv[], bool topic) {
    if (objc < 4 || objc % 2 != 0 || Children().empty()) return TCL_OK;
    for (int i = 2; i + 1 < objc; i += 2) {
        std::string key = Tcl_GetString(objv[i]);
        bool stats = !topic && key == "statistics.interval.ms";
        if (!stats && key != "partitioner" && key != "topic.partitioner") continue;
        std::string current = stats ? ConfString("statistics.interval.ms", false) : ConfString("partitioner", true);
        std::string wanted = Tcl_GetString(objv[i + 1]);
        int a;
        if (wanted == current || (stats && Tcl_GetIntFromObj(NULL, objv[i + 1], &a) == TCL_OK && std::to_string(a) == current))
            continue;
        return RefuseWithHandles(key + " is fixed when a handle is created and would not change for them",
                                 "set it before creating handles, or use another master");
    }
    return TCL_OK;
}

int Master::CreateHandle(rd_kafka_type_t type, int objc, Tcl_Obj *const objv[]) {
    if (objc != 3) return WrongArgs(interp_, 2, objv, "cmdName|#auto");
    std::string error;
    Handle *handle = Handle::Create(interp_, this, type, &error);
    if (!handle) return ArgError(interp_, "cannot create kafka handle: " + error);
    return Object::Install(interp_, handle, objv[2], type == RD_KAFKA_PRODUCER ? "kafka_producer" : "kafka_consumer");
}

int Master::DecodeMethod(int objc, Tcl_Obj *const objv[]) {
    static const char *const modes[] = {"binary", "text", NULL};
    if (objc > 3) return WrongArgs(interp_, 2, objv, "?binary|text?");
    if (objc == 3) {
        int mode;
        if (GetIndex(interp_, objv[2], modes, "decode mode", &mode) != TCL_OK) return TCL_ERROR;
        decodeText_ = (mode == 1);
    }
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(modes[decodeText_ ? 1 : 0], -1));
    return TCL_OK;
}

// headers ?on|off?: whether consumed messages carry their headers. Off saves
// librdkafka 2.0.2's header parse, which allocates and frees a buffer for
// every message, headers or not (about 90 ns, a sixth of a consume_batch
// loop's time per message). kcat and confluent-kafka-python parse headers
// only when asked for them.
int Master::HeadersMethod(int objc, Tcl_Obj *const objv[]) {
    if (objc > 3) return WrongArgs(interp_, 2, objv, "?on|off?");
    if (objc == 3) {
        int on;
        if (Tcl_GetBooleanFromObj(NULL, objv[2], &on) != TCL_OK)
            return ArgError(interp_, std::string("expected on or off but got \"") + Tcl_GetString(objv[2]) + "\"");
        consumeHeaders_ = on != 0;
    }
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(consumeHeaders_ ? "on" : "off", -1));
    return TCL_OK;
}

// set_statistics_callback|statistics_callback ?command?
int Master::StatisticsCallbackMethod(int objc, Tcl_Obj *const objv[]) {
    // librdkafka produces statistics only for handles created with a
    // non-zero statistics.interval.ms.
    if (objc == 3 && Tcl_GetCharLength(objv[2]) > 0 && !Children().empty() &&
        ConfString("statistics.interval.ms", false) == "0")
        return RefuseWithHandles("statistics.interval.ms was 0 when they were created, so librdkafka makes no "
                                 "statistics for them",
                                 "set statistics.interval.ms in the master's config, and the callback, "
                                 "before creating handles");
    return SetCallback(callbacks_.statistics, objc, objv);
}

// set_*_callback ?command?: set (empty clears) and return the command.
int Master::SetCallback(ObjRef &slot, int objc, Tcl_Obj *const objv[]) {
    if (objc > 3) return WrongArgs(interp_, 2, objv, "?command?");
    if (objc == 3) slot = CallbackArg(objv[2]);
    Tcl_SetObjResult(interp_, slot ? slot.get() : Tcl_NewObj());
    return TCL_OK;
}

// logger stderr|syslog|callback command
int Master::LoggerMethod(int objc, Tcl_Obj *const objv[]) { return callbacks_.logger.Set(interp_, objc, objv); }

// delivery_report every ?N? | sample | counts | callback ?command?
int Master::DeliveryReportMethod(int objc, Tcl_Obj *const objv[]) {
    static const char *const subs[] = {"every", "sample", "counts", "callback", NULL};
    enum { EVERY, SAMPLE, COUNTS, CALLBACK };
    if (objc < 3) return WrongArgs(interp_, 2, objv, "every ?N? | sample | counts | callback ?command?");
    int sub;
    if (GetIndex(interp_, objv[2], subs, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    if (sub == EVERY) {
        if (objc > 4) return WrongArgs(interp_, 3, objv, "?N?");
        if (objc == 4) {
            int n;
            if (GetInt(interp_, objv[3], "N", &n) != TCL_OK) return TCL_ERROR;
            if (n < 0) return ArgError(interp_, "N must be >= 0");
            callbacks_.deliveryEvery = n;
        }
        Tcl_SetObjResult(interp_, Tcl_NewIntObj(callbacks_.deliveryEvery));
        return TCL_OK;
    }
    if (sub == CALLBACK) {
        // The callback slot of set_delivery_report_callback; set this way,
        // its reports also carry the message's payload, as the original's did.
        if (objc > 4) return WrongArgs(interp_, 3, objv, "?command?");
        if (objc == 4) {
            callbacks_.delivery = CallbackArg(objv[3]);
            callbacks_.deliveryPayload = true;
        }
        Tcl_SetObjResult(interp_, callbacks_.delivery ? callbacks_.delivery.get() : Tcl_NewObj());
        return TCL_OK;
    }
    if (objc != 3) return WrongArgs(interp_, 3, objv, "");
    if (sub == SAMPLE) { // one more successful report is delivered, whatever `every` says
        Tcl_SetObjResult(interp_, Tcl_NewWideIntObj(++callbacks_.samplesWanted));
        return TCL_OK;
    }
    Tcl_Obj *d = Tcl_NewDictObj();
    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("delivered", -1), Tcl_NewWideIntObj(callbacks_.delivered));
    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("failed", -1), Tcl_NewWideIntObj(callbacks_.failed));
    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("every", -1), Tcl_NewIntObj(callbacks_.deliveryEvery));
    Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("sampled", -1), Tcl_NewWideIntObj(callbacks_.samplesWanted));
    Tcl_SetObjResult(interp_, d);
    return TCL_OK;
}

// partitioner ?name?: librdkafka's topic "partitioner" property for new handles.
int Master::PartitionerMethod(int objc, Tcl_Obj *const objv[]) {
    return kafkatcl::PartitionerMethod(interp_, topicConf_.get(), objc, objv, [this](const char *name) {
        if (Children().empty() || ConfString("partitioner", true) == name) return TCL_OK;
        return RefuseWithHandles("the partitioner is fixed when a handle is created and would not change for them",
                                 "set it before creating handles, or use another master");
    });
}

int KafkaCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    static const char *const subcommands[] = {"version", "create", NULL};
    if (objc < 2) return WrongArgs(interp, 1, objv, "version|create ?arg ...?");
    int sub;
    if (GetIndex(interp, objv[1], subcommands, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    if (sub == 0) {
        if (objc != 2) return WrongArgs(interp, 2, objv, "");
        Tcl_SetObjResult(interp, Tcl_NewStringObj(rd_kafka_version_str(), -1));
        return TCL_OK;
    }
    if (objc != 3) return WrongArgs(interp, 2, objv, "cmdName|#auto");
    return Object::Install(interp, new Master(interp), objv[2], "kafka_handle");
}

} // namespace kafkatcl
