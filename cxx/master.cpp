// master.cpp -- ::kafka::kafka and the master object's methods.
#include "master.h"

#include "config.h"
#include "handle.h"
#include "method.h"
#include "options.h"
#include "subscriber.h"

#include <cstring>

namespace kafkatcl {

Master::Master(Tcl_Interp *interp)
    : Object(interp, nullptr), conf_(NewClientConf()), topicConf_(rd_kafka_topic_conf_new()) {}

// One row per method (see method.h). The original's names and the later
// KafkaTcl's (error_callback, statistics_callback) are rows of one handler.
struct MasterMethods {
    using M = Master;
    static const MethodTable<M> &Table() {
        static const char *const configUsage = "?key? ?value key value ...?";
        static const MethodDef<M> rows[] = {
            {"config", &M::ClientConfigMethod, 0, kAnyArgs, configUsage, kAllKinds},
            {"topic_config", &M::TopicConfigMethod, 0, kAnyArgs, configUsage, kAllKinds},
            {"create_producer", &M::CreateProducerMethod, 1, 1, "cmdName|#auto", kAllKinds},
            {"producer_creator", &M::CreateProducerMethod, 1, 1, "cmdName|#auto", kAllKinds},
            {"create_consumer", &M::CreateConsumerMethod, 1, 1, "cmdName|#auto", kAllKinds},
            {"consumer_creator", &M::CreateConsumerMethod, 1, 1, "cmdName|#auto", kAllKinds},
            {"decode", &M::DecodeMethod, 0, 1, "?binary|text?", kAllKinds},
            {"headers", &M::HeadersMethod, 0, 1, "?on|off?", kAllKinds},
            {"set_delivery_report_callback", &M::DeliveryReportCallbackMethod, 0, 1, "?command?", kAllKinds},
            {"set_error_callback", &M::ErrorCallbackMethod, 0, 1, "?command?", kAllKinds},
            {"set_statistics_callback", &M::StatisticsCallbackMethod, 0, 2, "?-dict? ?command?", kAllKinds},
            {"set_socket_callback", &M::SocketCallbackMethod, 0, kAnyArgs, "", kAllKinds},
            {"error_callback", &M::ErrorCallbackMethod, 0, 1, "?command?", kAllKinds},
            {"statistics_callback", &M::StatisticsCallbackMethod, 0, 2, "?-dict? ?command?", kAllKinds},
            {"throttle_callback", &M::ThrottleCallbackMethod, 0, 1, "?command?", kAllKinds},
            {"offset_commit_callback", &M::OffsetCommitCallbackMethod, 0, 1, "?command?", kAllKinds},
            {"oauthbearer_token_refresh_callback", &M::OauthbearerRefreshCallbackMethod, 0, 1, "?command?", kAllKinds},
            // The logger checks its own words (the command only with callback).
            {"logger", &M::LoggerMethod, 1, kAnyArgs, "stderr|syslog|callback ?command?|none", kAllKinds},
            {"delivery_report", &M::DeliveryReportMethod, 1, kAnyArgs,
             "every ?N? | sample | counts | callback ?command?", kAllKinds},
            {"partitioner", &M::PartitionerMethod, 0, 1, "?name?", kAllKinds},
            {"subscriber", &M::SubscriberMethod, 1, 1, "cmdName|#auto", kAllKinds, true},
            {"delete", &M::DeleteMethod, 0, 0, "", kAllKinds},
        };
        static const MethodTable<M> table(rows);
        return table;
    }
};

int Master::Invoke(int objc, Tcl_Obj *const objv[]) { return MasterMethods::Table().Dispatch(this, kAllKinds, objc, objv); }

std::vector<const char *> Master::MethodNames() { return MasterMethods::Table().Names(); }

// config ?key? ?value key value ...?: a change of statistics.interval.ms
// while handles exist is refused; a topic property also goes to topic_config.
int Master::ClientConfigMethod(int objc, Tcl_Obj *const objv[]) {
    if (CheckConfigChange(objc, objv, false) != TCL_OK) return TCL_ERROR;
    return SetClientAndTopicConfig(interp_, conf_.get(), topicConf_.get(), objc, objv);
}

int Master::TopicConfigMethod(int objc, Tcl_Obj *const objv[]) {
    if (CheckConfigChange(objc, objv, true) != TCL_OK) return TCL_ERROR;
    return kafkatcl::TopicConfigMethod(interp_, topicConf_.get(), objc, objv);
}

int Master::CreateProducerMethod(int, Tcl_Obj *const objv[]) { return CreateHandle(RD_KAFKA_PRODUCER, objv[2]); }

int Master::CreateConsumerMethod(int, Tcl_Obj *const objv[]) { return CreateHandle(RD_KAFKA_CONSUMER, objv[2]); }

int Master::DeliveryReportCallbackMethod(int objc, Tcl_Obj *const objv[]) {
    if (SetCallback(callbacks_.delivery, objc, objv) != TCL_OK) return TCL_ERROR;
    if (objc == 3) callbacks_.deliveryPayload = false; // the seed form's reports: no payload
    return TCL_OK;
}

int Master::ErrorCallbackMethod(int objc, Tcl_Obj *const objv[]) { return SetCallback(callbacks_.error, objc, objv); }

// librdkafka owns its sockets and threads; a Tcl-level socket callback would
// run on librdkafka's threads. The event loop integration (see "ASYNCHRONOUS
// USE" in kafka.man) replaces it.
int Master::SocketCallbackMethod(int, Tcl_Obj *const[]) {
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED,
                      "set_socket_callback is not supported: librdkafka manages its own sockets; "
                      "events reach Tcl through the event loop without it");
}

int Master::SubscriberMethod(int, Tcl_Obj *const objv[]) { return CreateSubscriber(interp_, this, objv[2]); }

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

int Master::CreateHandle(rd_kafka_type_t type, Tcl_Obj *nameObj) {
    std::string error;
    Handle *handle = Handle::Create(interp_, this, type, &error);
    if (!handle) return ArgError(interp_, "cannot create kafka handle: " + error);
    return Object::Install(interp_, handle, nameObj, type == RD_KAFKA_PRODUCER ? "kafka_producer" : "kafka_consumer");
}

int Master::DecodeMethod(int objc, Tcl_Obj *const objv[]) {
    static const char *const modes[] = {"binary", "text", NULL};
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
    if (objc == 3) {
        int on;
        if (Tcl_GetBooleanFromObj(NULL, objv[2], &on) != TCL_OK)
            return ArgError(interp_, std::string("expected on or off but got \"") + Tcl_GetString(objv[2]) + "\"");
        consumeHeaders_ = on != 0;
    }
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(consumeHeaders_ ? "on" : "off", -1));
    return TCL_OK;
}

// Only "-dict" itself is an option word: a command prefix starting with "-"
// stays a command, as it always was.
static bool IsDictOption(Tcl_Obj *word) { return !strcmp(Tcl_GetString(word), "-dict"); }

// set_statistics_callback|statistics_callback ?-dict? ?command?
// -dict: the callback gets the statistics as a dict, parsed by tcllib's
// ::json::json2dict (required here, so a missing tcllib is an error now, not
// in every later callback).
int Master::StatisticsCallbackMethod(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        bool dict = false;
    };
    static const OptionTable<Words> table({{"-dict", &Words::dict}}, Placement::Leading, false, IsDictOption);
    Words words;
    std::vector<Tcl_Obj *> rest;
    if (table.Parse(interp_, objc, objv, 2, nullptr, &words, &rest) != TCL_OK) return TCL_ERROR;
    bool asDict = words.dict;
    if (rest.size() > 1 || (asDict && rest.empty())) return kWrongArgs;
    Tcl_Obj *command = rest.empty() ? nullptr : rest[0];
    // librdkafka produces statistics only for handles created with a
    // non-zero statistics.interval.ms.
    if (command && Tcl_GetCharLength(command) > 0 && !Children().empty() &&
        ConfString("statistics.interval.ms", false) == "0")
        return RefuseWithHandles("statistics.interval.ms was 0 when they were created, so librdkafka makes no "
                                 "statistics for them",
                                 "set statistics.interval.ms in the master's config, and the callback, "
                                 "before creating handles");
    if (asDict && Tcl_GetCharLength(command) > 0 && !Tcl_PkgRequire(interp_, "json", "1", 0))
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__NOT_IMPLEMENTED,
                          std::string("statistics_callback -dict needs tcllib's json package: ") +
                              Tcl_GetStringResult(interp_));
    if (command) {
        callbacks_.statistics = CallbackArg(command);
        callbacks_.statisticsDict = asDict;
    }
    Tcl_SetObjResult(interp_, callbacks_.statistics ? callbacks_.statistics.get() : Tcl_NewObj());
    return TCL_OK;
}

int Master::ThrottleCallbackMethod(int objc, Tcl_Obj *const objv[]) { return SetCallback(callbacks_.throttle, objc, objv); }
int Master::OffsetCommitCallbackMethod(int objc, Tcl_Obj *const objv[]) {
    return SetCallback(callbacks_.offsetCommit, objc, objv);
}

// oauthbearer_token_refresh_callback ?command?: librdkafka takes a refresh
// callback only when a handle is created (and then uses neither OIDC nor
// unsecured JWTs), so handles made without one cannot get it later.
int Master::OauthbearerRefreshCallbackMethod(int objc, Tcl_Obj *const objv[]) {
    if (objc == 3 && Tcl_GetCharLength(objv[2]) > 0 && !callbacks_.oauthbearerRefresh && !Children().empty())
        return RefuseWithHandles("they were created without an oauthbearer token refresh callback and librdkafka "
                                 "cannot add one",
                                 "set the callback before creating handles, or use another master");
    return SetCallback(callbacks_.oauthbearerRefresh, objc, objv);
}

// set_*_callback ?command?: set (empty clears) and return the command.
int Master::SetCallback(ObjRef &slot, int objc, Tcl_Obj *const objv[]) {
    if (objc == 3) slot = CallbackArg(objv[2]);
    Tcl_SetObjResult(interp_, slot ? slot.get() : Tcl_NewObj());
    return TCL_OK;
}

// logger stderr|syslog|callback command
int Master::LoggerMethod(int objc, Tcl_Obj *const objv[]) { return callbacks_.logger.Set(interp_, objc, objv); }

// delivery_report every ?N? | sample | counts | callback ?command?: a nested table.
int Master::DeliveryReportMethod(int objc, Tcl_Obj *const objv[]) {
    using M = Master;
    using Row = const MethodDef<M> &;
    auto every = [](M *self, Row, int objc, Tcl_Obj *const objv[]) {
        MasterCallbacks &cb = self->callbacks_;
        if (objc == 4) {
            int n;
            if (GetInt(self->Interp(), objv[3], "N", &n) != TCL_OK) return TCL_ERROR;
            if (n < 0) return ArgError(self->Interp(), "N must be >= 0");
            cb.deliveryEvery = n;
        }
        Tcl_SetObjResult(self->Interp(), Tcl_NewIntObj(cb.deliveryEvery));
        return TCL_OK;
    };
    auto sample = [](M *self, Row, int, Tcl_Obj *const[]) { // one more successful report, whatever `every` says
        Tcl_SetObjResult(self->Interp(), Tcl_NewWideIntObj(++self->callbacks_.samplesWanted));
        return TCL_OK;
    };
    auto counts = [](M *self, Row, int, Tcl_Obj *const[]) {
        const MasterCallbacks &cb = self->callbacks_;
        Tcl_Obj *d = Tcl_NewDictObj();
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("delivered", -1), Tcl_NewWideIntObj(cb.delivered));
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("failed", -1), Tcl_NewWideIntObj(cb.failed));
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("every", -1), Tcl_NewIntObj(cb.deliveryEvery));
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("sampled", -1), Tcl_NewWideIntObj(cb.samplesWanted));
        Tcl_SetObjResult(self->Interp(), d);
        return TCL_OK;
    };
    // The callback slot of set_delivery_report_callback; set this way, its
    // reports also carry the message's payload, as the original's did.
    auto callback = [](M *self, Row, int objc, Tcl_Obj *const objv[]) {
        MasterCallbacks &cb = self->callbacks_;
        if (objc == 4) {
            cb.delivery = CallbackArg(objv[3]);
            cb.deliveryPayload = true;
        }
        Tcl_SetObjResult(self->Interp(), cb.delivery ? cb.delivery.get() : Tcl_NewObj());
        return TCL_OK;
    };
    static const MethodDef<M> rows[] = {
        {"every", nullptr, 0, 1, "?N?", kAllKinds, false, every},
        {"sample", nullptr, 0, 0, "", kAllKinds, false, sample},
        {"counts", nullptr, 0, 0, "", kAllKinds, false, counts},
        {"callback", nullptr, 0, 1, "?command?", kAllKinds, false, callback},
    };
    static const MethodTable<M> table(rows, {kAllKinds}, "subcommand", 2);
    return table.Dispatch(this, kAllKinds, objc, objv);
}

// partitioner ?name?: librdkafka's topic "partitioner" property for new handles.
int Master::PartitionerMethod(int objc, Tcl_Obj *const objv[]) {
    return kafkatcl::PartitionerMethod(interp_, topicConf_.get(), objc, objv, [this](const char *name) {
        if (Children().empty() || ConfString("partitioner", true) == name) return TCL_OK;
        return RefuseWithHandles("the partitioner is fixed when a handle is created and would not change for them",
                                 "set it before creating handles, or use another master");
    });
}

// ::kafka::kafka's subcommands (see DispatchPlainCommand, method.h).
struct KafkaCommand {
    Tcl_Interp *interp;
    Tcl_Interp *Interp() const { return interp; }

    int Version(int, Tcl_Obj *const[]) {
        Tcl_SetObjResult(interp, Tcl_NewStringObj(rd_kafka_version_str(), -1));
        return TCL_OK;
    }
    // #auto: kafka_masterN (formerly kafka_handleN, though Handle is the
    // producer/consumer; see COMPATIBILITY in kafka.man).
    int Create(int, Tcl_Obj *const objv[]) {
        return Object::Install(interp, new Master(interp), objv[2], "kafka_master");
    }

    static const MethodTable<KafkaCommand> &Table() {
        static const MethodDef<KafkaCommand> rows[] = {
            {"version", &KafkaCommand::Version, 0, 0, "", kAllKinds},
            {"create", &KafkaCommand::Create, 1, 1, "cmdName|#auto", kAllKinds},
        };
        static const MethodTable<KafkaCommand> table(rows, {kAllKinds}, "subcommand");
        return table;
    }
};

int KafkaCmd(ClientData, Tcl_Interp *interp, int objc, Tcl_Obj *const objv[]) {
    return DispatchPlainCommand<KafkaCommand>(interp, objc, objv);
}

std::vector<const char *> KafkaCmdNames() { return KafkaCommand::Table().Names(); }

} // namespace kafkatcl
