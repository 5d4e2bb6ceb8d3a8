// subscriber.cpp -- the subscriber object's methods (see subscriber.h).
#include "subscriber.h"

#include <cstring>

#include "config.h"
#include "handle.h"
#include "master.h"
#include "message.h"
#include "method.h"
#include "options.h"

#include <cstring>
#include <cstdint>
#include <set>

namespace kafkatcl {

namespace {

// A word that can only be an option: "-" first, and a single list element
// (a tuple or a list of them cannot look like that, so {-t 0}, a tuple of a
// topic named -t, is no option; -1 is one, a bad one).
bool LooksLikeOption(Tcl_Obj *word) {
    const char *s = Tcl_GetString(word);
    return s[0] == '-' && !strpbrk(s, " \t\n\r{}\"\\");
}

// The options of a method come first; "--" ends them (for a topic whose name
// starts with "-").
template <class Words>
OptionTable<Words> LeadingOptions(std::initializer_list<OptionDef<Words>> defs) {
    return OptionTable<Words>(defs, Placement::Leading, true, LooksLikeOption);
}

// The leading options of a method that has a -timeout (checked here, passed
// on to the handle as words), then minWords..maxWords other words.
template <class Options>
int OptionsThenWords(Tcl_Interp *interp, const OptionTable<Options> &table, const char *usage, int objc,
                     Tcl_Obj *const objv[], size_t minWords, size_t maxWords, Options *options,
                     std::vector<Tcl_Obj *> *words) {
    if (table.Parse(interp, objc, objv, 2, usage, options, words) != TCL_OK) return TCL_ERROR;
    if (words->size() < minWords || words->size() > maxWords) return WrongArgs(interp, 2, objv, usage);
    int timeout;
    return options->timeout ? GetTimeout(interp, options->timeout, &timeout) : TCL_OK;
}

Tcl_Obj *Word(const char *s) { return Tcl_NewStringObj(s, -1); }

} // namespace

int TupleList(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], Tcl_Obj **tuples) {
    if (objc != 1) {
        *tuples = Tcl_NewListObj(objc, objv);
        return TCL_OK;
    }
    Tcl_Size n;
    Tcl_Obj **items;
    if (Tcl_ListObjGetElements(NULL, objv[0], &n, &items) != TCL_OK)
        return ArgError(interp, std::string("bad partition list \"") + Tcl_GetString(objv[0]) +
                                    "\": must be a list of {topic ?partition? ?offset?}");
    bool oneTuple = n >= 2 && n <= 3 && IsIntegerWord(items[1]);
    for (Tcl_Size i = 0; oneTuple && i < n; i++) {
        Tcl_Size k;
        if (Tcl_ListObjLength(NULL, items[i], &k) != TCL_OK || k != 1) oneTuple = false;
    }
    *tuples = oneTuple ? Tcl_NewListObj(1, objv) : Tcl_NewListObj(n, items);
    return TCL_OK;
}

Subscriber::Subscriber(Tcl_Interp *interp, Master *master)
    : Object(interp, master), master_(master), conf_(rd_kafka_conf_dup(master->Conf())),
      topicConf_(rd_kafka_topic_conf_dup(master->TopicConf())) {
    // The later KafkaTcl's subscriber starts at the earliest message where
    // the group has no committed offset: so do ours, unless the master asks
    // for something else than librdkafka's default.
    char value[64], fresh[64], errstr[256];
    size_t size = sizeof value, freshSize = sizeof fresh;
    TopicConfPtr defaults(rd_kafka_topic_conf_new());
    rd_kafka_topic_conf_get(topicConf_.get(), "auto.offset.reset", value, &size);
    rd_kafka_topic_conf_get(defaults.get(), "auto.offset.reset", fresh, &freshSize);
    if (strcmp(value, fresh)) return;
    rd_kafka_topic_conf_set(topicConf_.get(), "auto.offset.reset", "earliest", errstr, sizeof errstr);
    rd_kafka_conf_set(conf_.get(), "auto.offset.reset", "earliest", errstr, sizeof errstr);
}

Handle *Subscriber::LiveConsumer() const {
    for (Object *child : Children())
        if (child == consumer_ && !child->Deleted()) return consumer_;
    return nullptr;
}

Handle *Subscriber::Consumer() {
    if (Handle *h = LiveConsumer()) return h;
    std::string error;
    HandleOrigin origin{this, conf_.get(), topicConf_.get()};
    Handle *h = Handle::Create(interp_, master_, RD_KAFKA_CONSUMER, &error, &origin);
    if (!h) {
        ArgError(interp_, "cannot create the subscriber's consumer: " + error);
        return nullptr;
    }
    ObjRef autoName(Word("#auto"));
    if (Object::Install(interp_, h, autoName.get(), "kafka_consumer") != TCL_OK) return nullptr;
    Tcl_ResetResult(interp_);
    consumer_ = h;
    callback_ = ObjRef(); // a new handle has no stream running
    return h;
}

int Subscriber::CallHandle(Handle *handle, Handle::Method run, std::vector<Tcl_Obj *> args) {
    Preserve keep(handle);
    int code = handle->CallMethod(run, args);
    return code == TCL_ERROR && IsNoGroupError() ? NoGroup() : code;
}

// Whether the error just left is the handle's NoGroupError (errorCode {KAFKA _UNKNOWN_GROUP ...}).
bool Subscriber::IsNoGroupError() {
    ObjRef options(Tcl_GetReturnOptions(interp_, TCL_ERROR));
    ObjRef key(Tcl_NewStringObj("-errorcode", -1));
    Tcl_Obj *errorCode = nullptr, *name = nullptr;
    Tcl_DictObjGet(nullptr, options.get(), key.get(), &errorCode);
    if (errorCode) Tcl_ListObjIndex(nullptr, errorCode, 1, &name);
    return name && !strcmp(Tcl_GetString(name), "_UNKNOWN_GROUP");
}

// The subscriber's one wording for "no group.id" (it has its own config, not a master's).
int Subscriber::NoGroup() {
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__UNKNOWN_GROUP,
                      "this subscriber has no group: set group.id with its config before its first use");
}

int Subscriber::CallHandleWithTimeout(Handle *handle, Handle::Method run, std::vector<Tcl_Obj *> args, Tcl_Obj *timeout) {
    ObjRef flag(Word("-timeout"));
    if (timeout) args.insert(args.end(), {flag.get(), timeout});
    return CallHandle(handle, run, args);
}

bool Subscriber::HasGroup(Handle *handle) {
    rd_kafka_consumer_group_metadata_t *group = rd_kafka_consumer_group_metadata(handle->Kafka());
    if (group) rd_kafka_consumer_group_metadata_destroy(group);
    return group != nullptr;
}

// One row per method (see method.h).
struct SubscriberMethods {
    using S = Subscriber;
    static const MethodTable<S> &Table() {
        static const MethodDef<S> rows[] = {
            {"config", &S::ConfigMethod, 0, kAnyArgs, "?key? ?value key value ...?", kAllKinds},
            {"subscribe", &S::SubscribeMethod, 0, kAnyArgs, "?tuple ...?", kAllKinds},
            {"unsubscribe", &S::UnsubscribeMethod, 0, 0, "", kAllKinds},
            {"assignments", &S::AssignmentMethod, 0, 0, "", kAllKinds},
            {"assignment", &S::AssignmentMethod, 0, 0, "", kAllKinds},
            {"assign", &S::AssignMethod, 0, kAnyArgs, "?tuple ...?", kAllKinds},
            {"consume", &S::ConsumeMethod, 0, 2, "?timeoutMs? ?arrayName?", kAllKinds},
            {"callback", &S::CallbackMethod, 0, 2, "?timeoutMs? ?command?", kAllKinds},
            {"commit", &S::CommitMethod, 0, kAnyArgs, "?-async? ?tuple ...?", kAllKinds},
            // offsets and watermarks: one word may be a bad option, which
            // that error reports; the handlers count the other words.
            {"offsets", &S::OffsetsMethod, 1, kAnyArgs, kOffsetsUsage, kAllKinds},
            {"watermarks", &S::WatermarksMethod, 1, kAnyArgs, kWatermarksUsage, kAllKinds},
            {"meta", &S::MetaMethod, 1, 1, "refresh|print", kAllKinds},
            {"info", &S::InfoMethod, 1, kAnyArgs, "topics|partitions topic|brokers ?-timeout ms?", kAllKinds},
            {"handle", &S::HandleMethod, 0, 0, "", kAllKinds},
            {"delete", &S::DeleteMethod, 0, 0, "", kAllKinds},
        };
        static const MethodTable<S> table(rows);
        return table;
    }
    static constexpr const char *kOffsetsUsage = "?-committed? ?-timeout ms? tuple ?tuple ...?";
    static constexpr const char *kWatermarksUsage = "?-cached? ?-timeout ms? topic partition";
};

int Subscriber::Invoke(int objc, Tcl_Obj *const objv[]) {
    return SubscriberMethods::Table().Dispatch(this, kAllKinds, objc, objv);
}

std::vector<const char *> Subscriber::MethodNames() { return SubscriberMethods::Table().Names(); }

int Subscriber::UnsubscribeMethod(int, Tcl_Obj *const[]) {
    Handle *h = Consumer();
    return h ? CallHandle(h, &Handle::Unsubscribe, {}) : TCL_ERROR;
}

int Subscriber::AssignmentMethod(int, Tcl_Obj *const[]) {
    Handle *h = Consumer();
    return h ? CallHandle(h, &Handle::Assignment, {}) : TCL_ERROR;
}

// handle: the consumer handle's command (made now if there is none).
int Subscriber::HandleMethod(int, Tcl_Obj *const[]) {
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    Tcl_SetObjResult(interp_, h->NameObj());
    return TCL_OK;
}

// config ?key? ?value key value ...?: the subscriber's own copy. Settings
// reach librdkafka when the consumer is made, so a change after that is
// refused rather than silently ignored.
int Subscriber::ConfigMethod(int objc, Tcl_Obj *const objv[]) {
    if (objc < 4 || objc % 2) return kafkatcl::ConfigMethod(interp_, conf_.get(), objc, objv);
    if (Handle *h = LiveConsumer()) {
        ObjRef name(h->NameObj());
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                          std::string("the subscriber's consumer ") + Tcl_GetString(name.get()) +
                              " exists: its configuration was fixed when it was made; set config before the "
                              "first subscribe, assign, consume ... (or use a new subscriber)");
    }
    // As the master's config: a topic property also goes to the topic configuration.
    return SetClientAndTopicConfig(interp_, conf_.get(), topicConf_.get(), objc, objv);
}

// subscribe ?tuple ...?: the topics of the tuples (partitions and offsets
// are the group's to decide); no argument: the current subscription.
int Subscriber::SubscribeMethod(int objc, Tcl_Obj *const objv[]) {
    ObjRef tuples;
    if (objc > 2) {
        Tcl_Obj *list;
        if (TupleList(interp_, objc - 2, objv + 2, &list) != TCL_OK) return TCL_ERROR;
        tuples = ObjRef(list);
    }
    ObjRef topics(Tcl_NewListObj(0, NULL));
    std::set<std::string> seen; // {t 0} {t 1} name t once: librdkafka refuses a repeated topic
    Tcl_Size n = 0;
    Tcl_Obj **items = nullptr;
    if (tuples) Tcl_ListObjGetElements(NULL, tuples.get(), &n, &items);
    for (Tcl_Size i = 0; i < n; i++) {
        Tcl_Size k;
        Tcl_Obj **f;
        if (Tcl_ListObjGetElements(NULL, items[i], &k, &f) != TCL_OK || k > 3 || (k > 1 && !IsIntegerWord(f[1])))
            return ArgError(interp_, std::string("bad topic \"") + Tcl_GetString(items[i]) +
                                         "\": must be topic or {topic ?partition? ?offset?}");
        if (k && seen.insert(Tcl_GetString(f[0])).second) Tcl_ListObjAppendElement(NULL, topics.get(), f[0]);
    }
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    if (objc == 2) return CallHandle(h, &Handle::Subscription, {});
    return CallHandle(h, &Handle::Subscribe, {topics.get()});
}

// assign ?tuple ...?: no tuple, {} or the topic #none: no assignment.
int Subscriber::AssignMethod(int objc, Tcl_Obj *const objv[]) {
    Tcl_Obj *list;
    if (TupleList(interp_, objc - 2, objv + 2, &list) != TCL_OK) return TCL_ERROR;
    ObjRef tuples(list);
    ObjRef kept(Tcl_NewListObj(0, NULL));
    Tcl_Size n;
    Tcl_Obj **items;
    Tcl_ListObjGetElements(NULL, list, &n, &items);
    for (Tcl_Size i = 0; i < n; i++) {
        Tcl_Obj *topic = nullptr;
        if (Tcl_ListObjIndex(NULL, items[i], 0, &topic) == TCL_OK) {
            const char *name = topic ? Tcl_GetString(topic) : "";
            if (!*name || !strcmp(name, "#none")) continue;
        }
        Tcl_ListObjAppendElement(NULL, kept.get(), items[i]); // the handle reports what is wrong with it
    }
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    return CallHandle(h, &Handle::Assign, {kept.get()});
}

// commit ?-async? ?tuple ...?: the given offsets, or (none) what was consumed.
int Subscriber::CommitMethod(int objc, Tcl_Obj *const objv[]) {
    struct Options {
        bool async = false;
    };
    static const OptionTable<Options> table = LeadingOptions<Options>({{"-async", &Options::async}});
    Options options;
    std::vector<Tcl_Obj *> words;
    if (table.Parse(interp_, objc, objv, 2, "?-async? ?tuple ...?", &options, &words) != TCL_OK) return TCL_ERROR;
    ObjRef async(Word("-async"));
    std::vector<Tcl_Obj *> args;
    if (options.async) args.push_back(async.get());
    ObjRef tuples;
    if (!words.empty()) {
        Tcl_Obj *list;
        if (TupleList(interp_, (int)words.size(), words.data(), &list) != TCL_OK) return TCL_ERROR;
        tuples = ObjRef(list);
        // The handle would take a list that is one option-like word ("--
        // -async") for an option; no such word is a {topic partition offset}.
        Tcl_Size n;
        Tcl_Obj *only;
        if (Tcl_ListObjLength(NULL, list, &n) == TCL_OK && n == 1 && Tcl_ListObjIndex(NULL, list, 0, &only) == TCL_OK &&
            LooksLikeOption(only))
            return ArgError(interp_, std::string("bad partition \"") + Tcl_GetString(only) +
                                         "\": must be {topic partition offset}");
        args.push_back(list);
    }
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    return CallHandle(h, &Handle::Commit, args);
}

// consume ?timeoutMs?: the next message as a key-value list, empty when none
// came in time (no timeout: do not wait); a message carrying an error comes
// as a list with an "error" key, as in the later KafkaTcl.
// consume timeoutMs arrayName: the consumer handle's consume (1/0, array filled).
int Subscriber::ConsumeMethod(int objc, Tcl_Obj *const objv[]) {
    int timeout = 0;
    if (objc >= 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    if (objc == 4) return CallHandle(h, &Handle::Consume, {objv[2], objv[3]});
    if (!HasGroup(h))
        return NoGroup();
    Preserve keep(h); // callbacks run below may delete it; the message must go first
    MessagePtr msg(rd_kafka_consumer_poll(h->Kafka(), timeout));
    h->ServeEvents();
    bool none = !msg || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    Tcl_SetObjResult(interp_, none ? Tcl_NewObj() : MessageToDict(msg.get(), h->Format()));
    return TCL_OK;
}

// callback ?command?: messages go to command through the event loop ("" or
// #none stops); no argument: the current command.
// callback timeoutMs command: the synchronous consume_callback.
int Subscriber::CallbackMethod(int objc, Tcl_Obj *const objv[]) {
    if (objc == 2) {
        Tcl_SetObjResult(interp_, LiveConsumer() && callback_ ? callback_.get() : Tcl_NewObj());
        return TCL_OK;
    }
    int timeout;
    if (objc == 4 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    if (objc == 4) return CallHandle(h, &Handle::ConsumeCallback, {objv[2], objv[3]});
    bool stop = !strcmp(Tcl_GetString(objv[2]), "#none") || !CallbackArg(objv[2]);
    ObjRef none(Tcl_NewObj());
    if (CallHandle(h, &Handle::ConsumeCallback, {stop ? none.get() : objv[2]}) != TCL_OK) return TCL_ERROR;
    callback_ = stop ? ObjRef() : ObjRef(objv[2]);
    return TCL_OK;
}

// offsets ?-committed? ?-timeout ms? tuple ?tuple ...?: the positions (next
// offset to consume), or with -committed the group's committed offsets.
int Subscriber::OffsetsMethod(int objc, Tcl_Obj *const objv[]) {
    struct Options {
        bool committed = false;
        Tcl_Obj *timeout = nullptr;
    };
    static const OptionTable<Options> table =
        LeadingOptions<Options>({{"-committed", &Options::committed}, {"-timeout", &Options::timeout}});
    Options options;
    std::vector<Tcl_Obj *> words;
    if (OptionsThenWords(interp_, table, SubscriberMethods::kOffsetsUsage, objc, objv, 1, SIZE_MAX, &options, &words) !=
        TCL_OK)
        return TCL_ERROR;
    Tcl_Obj *list;
    if (TupleList(interp_, (int)words.size(), words.data(), &list) != TCL_OK) return TCL_ERROR;
    ObjRef tuples(list);
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    if (!options.committed) return CallHandle(h, &Handle::Position, {list});
    return CallHandleWithTimeout(h, &Handle::Committed, {list}, options.timeout);
}

// watermarks ?-cached? ?-timeout ms? topic partition -> {low high}: asked of
// the partition's leader, or with -cached the consumer's last fetched values.
int Subscriber::WatermarksMethod(int objc, Tcl_Obj *const objv[]) {
    struct Options {
        bool cached = false;
        Tcl_Obj *timeout = nullptr;
    };
    static const OptionTable<Options> table =
        LeadingOptions<Options>({{"-cached", &Options::cached}, {"-timeout", &Options::timeout}});
    Options options;
    std::vector<Tcl_Obj *> words;
    int32_t partition;
    if (OptionsThenWords(interp_, table, SubscriberMethods::kWatermarksUsage, objc, objv, 2, 2, &options, &words) !=
        TCL_OK)
        return TCL_ERROR;
    if (GetPartition(interp_, words[1], false, &partition) != TCL_OK) return TCL_ERROR;
    Handle *h = Consumer();
    if (!h) return TCL_ERROR;
    if (options.cached) return CallHandle(h, &Handle::GetWatermarks, {words[0], words[1]});
    return CallHandleWithTimeout(h, &Handle::QueryWatermarks, {words[0], words[1]}, options.timeout);
}

// meta refresh|print: the consumer handle's (its kept copy, its printer).
int Subscriber::MetaMethod(int objc, Tcl_Obj *const objv[]) {
    using S = Subscriber;
    auto run = [](S *self, const MethodDef<S> &row, int, Tcl_Obj *const[]) {
        Handle *h = self->Consumer();
        ObjRef word(Word(row.name));
        return h ? self->CallHandle(h, &Handle::Meta, {word.get()}) : TCL_ERROR;
    };
    static const MethodDef<S> rows[] = {
        {"refresh", nullptr, 0, 0, "", kAllKinds, false, run},
        {"print", nullptr, 0, 0, "", kAllKinds, false, run},
    };
    static const MethodTable<S> table(rows, {kAllKinds}, "subcommand", 2);
    return table.Dispatch(this, kAllKinds, objc, objv);
}

// info topics|partitions topic|brokers ?-timeout ms?: the consumer handle's
// info (asked of the cluster each time).
int Subscriber::InfoMethod(int objc, Tcl_Obj *const objv[]) {
    using S = Subscriber;
    auto run = [](S *self, const MethodDef<S> &row, int objc, Tcl_Obj *const objv[]) {
        if (objc - 3 - row.minArgs == 1) return kWrongArgs; // -timeout without its value
        Handle *h = self->Consumer();
        if (!h) return TCL_ERROR;
        ObjRef full(Word(row.name)); // the handle has more info types: no prefix may pick one of those
        std::vector<Tcl_Obj *> args{full.get()};
        args.insert(args.end(), objv + 3, objv + objc);
        return self->CallHandle(h, &Handle::Info, args);
    };
    static const MethodDef<S> rows[] = {
        {"topics", nullptr, 0, 2, "?-timeout ms?", kAllKinds, false, run},
        {"partitions", nullptr, 1, 3, "topic ?-timeout ms?", kAllKinds, false, run},
        {"brokers", nullptr, 0, 2, "?-timeout ms?", kAllKinds, false, run},
    };
    static const MethodTable<S> table(rows, {kAllKinds}, "info type", 2);
    return table.Dispatch(this, kAllKinds, objc, objv);
}

int CreateSubscriber(Tcl_Interp *interp, Master *master, Tcl_Obj *nameObj) {
    return Object::Install(interp, new Subscriber(interp, master), nameObj, "kafka_subscriber");
}

} // namespace kafkatcl
