// handle.cpp -- producer/consumer handle methods.
#include "handle.h"

#include "admin.h"
#include "config.h"
#include "master.h"
#include "partitions.h"
#include "stream.h"
#include "queue.h"
#include "topic.h"

#include <cstring>
#include <syslog.h>

namespace kafkatcl {

Handle *Handle::Create(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, std::string *error,
                       const HandleOrigin *origin) {
    HandleOrigin from = origin ? *origin : HandleOrigin{master, master->Conf(), master->TopicConf()};
    Handle *handle = new Handle(interp, master, type, from);
    if (!handle->Open(from, error)) {
        handle->Unlink();
        delete handle;
        return nullptr;
    }
    return handle;
}

Handle::Handle(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, const HandleOrigin &origin)
    : Object(interp, origin.parent), master_(master), type_(type), owner_(Tcl_GetCurrentThread()),
      topicConf_(rd_kafka_topic_conf_dup(origin.topicConf)) {
}

// Makes the rd_kafka_t with our callbacks, and hooks its main queue to the event loop.
bool Handle::Open(const HandleOrigin &origin, std::string *error) {
    wakeup_.reset(new Wakeup(interp_, [this] { ServeEvents(); }));
    if (!wakeup_->Ok()) {
        *error = "cannot create the event-loop pipe";
        return false;
    }
    ConfPtr conf(rd_kafka_conf_dup(origin.conf));
    ApplyTopicConf(conf.get(), origin.topicConf);
    rd_kafka_conf_set_opaque(conf.get(), this);
    if (IsProducer()) rd_kafka_conf_set_dr_msg_cb(conf.get(), OnDelivery);
    else rd_kafka_conf_set_rebalance_cb(conf.get(), OnRebalance);
    rd_kafka_conf_set_error_cb(conf.get(), OnError);
    rd_kafka_conf_set_stats_cb(conf.get(), OnStatistics);
    rd_kafka_conf_set_log_cb(conf.get(), OnLog);
    char errstr[512];
    if (!IsProducer()) {
        // KafkaTcl's one changed default (consumers only; unless the user set
        // it). librdkafka 2.0.2 stops fetching once a partition has
        // queued.min.messages (100000) waiting and resumes only on its next
        // ~1 s tick, so a script that reads a little slower than the fetcher
        // stalled every 100000 messages (measured: 7.5 s instead of 1.3 s for
        // 1M x 100 B). Memory stays bounded by queued.max.messages.kbytes.
        char value[32];
        size_t size = sizeof value;
        if (rd_kafka_conf_get(conf.get(), "queued.min.messages", value, &size) == RD_KAFKA_CONF_OK && !strcmp(value, "100000"))
            rd_kafka_conf_set(conf.get(), "queued.min.messages", "1000000", errstr, sizeof errstr);
    }
    // Logs go through the main queue, so they reach Tcl in this thread.
    rd_kafka_conf_set(conf.get(), "log.queue", "true", errstr, sizeof errstr);
    // Without a buffer: the value's size, NUL included; no value at all is _INVALID.
    size_t brokersSize = 0;
    brokersUnset_ = rd_kafka_conf_get(conf.get(), "bootstrap.servers", NULL, &brokersSize) != RD_KAFKA_CONF_OK ||
                    brokersSize <= 1;
    rd_kafka_t *rk = rd_kafka_new(type_, conf.get(), errstr, sizeof errstr);
    if (!rk) {
        *error = errstr;
        return false;
    }
    conf.release(); // rd_kafka_new took it
    rk_.reset(rk);
    rd_kafka_set_log_queue(rk, NULL);
    mainQueue_.reset(rd_kafka_queue_get_main(rk));
    wakeup_->Watch(mainQueue_.get());
    wakeup_->Again(); // librdkafka signals only when the queue goes from empty to non-empty
    if (IsProducer()) {
        // `exit` does not delete interps: flush queued messages then (bounded).
        Tcl_CreateThreadExitHandler(FlushAtExit, this);
        exitHandler_ = true;
    }
    return true;
}

Handle::~Handle() {
    // A handle that never became a command (its name was refused) was not
    // through OnDelete: its exit handler must not outlive it.
    if (exitHandler_) Tcl_DeleteThreadExitHandler(FlushAtExit, this);
    adminPending_.clear();
    groupStream_.Reset(); // before consumerQueue_ goes
    consumerQueue_.reset();
    // librdkafka 2.0.2 asserts (rd_kafka_cgrp_destroy_final) when a consumer
    // that subscribed again while assigned is destroyed subscribed.
    if (rk_ && groupInUse_) rd_kafka_unsubscribe(rk_.get());
    if (rk_) {
        if (IsProducer()) {
            rd_kafka_flush(rk_.get(), kCloseFlushMs);
            // Whatever is still undelivered is purged; serving the purge reports
            // releases their -opaque values.
            rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
            rd_kafka_poll(rk_.get(), 0);
        }
        wakeup_->Unwatch(mainQueue_.get());
        mainQueue_.reset();
    }
    topicConf_.reset();
    rk_.reset();
}

void Handle::DropPending(AdminPending *pending) {
    for (auto it = adminPending_.begin(); it != adminPending_.end(); ++it) {
        if (it->get() == pending) {
            adminPending_.erase(it);
            return;
        }
    }
}

void Handle::OnDelete() {
    if (exitHandler_) Tcl_DeleteThreadExitHandler(FlushAtExit, this);
    exitHandler_ = false;
}

void Handle::FlushAtExit(ClientData cd) {
    Handle *self = static_cast<Handle *>(cd);
    rd_kafka_flush(self->rk_.get(), kCloseFlushMs);
}

// ---------------------------------------------------------------------------
// Events: librdkafka callbacks record them, ServeEvents delivers them to Tcl.

void Handle::Record(HandleEvent &&event) {
    std::lock_guard<std::mutex> lock(eventsMutex_);
    events_.push_back(std::move(event));
}

void Handle::OnDelivery(rd_kafka_t *, const rd_kafka_message_t *msg, void *opaque) {
    Handle *self = static_cast<Handle *>(opaque);
    // Adopt the reference produce -opaque took: released whatever happens next.
    ObjRef userOpaque;
    if (msg->_private) {
        userOpaque = ObjRef(static_cast<Tcl_Obj *>(msg->_private));
        Tcl_DecrRefCount(static_cast<Tcl_Obj *>(msg->_private));
    }
    MasterCallbacks &cb = self->master_->Callbacks();
    if (msg->err) cb.failed++; else cb.delivered++;
    if (!cb.delivery || self->Deleted()) return;
    if (!msg->err) { // sampling: every Nth success and the ones asked for by `sample`; all failures
        unsigned long n = ++self->deliverySeq_;
        if (cb.deliveryEvery == 0 || n % (unsigned long)cb.deliveryEvery != 0) {
            if (cb.samplesWanted == 0) return;
            cb.samplesWanted--;
        }
    }
    // Runs in the handle's thread (inside rd_kafka_poll/flush).
    self->deliveries_.Record(msg, std::move(userOpaque), self->Format().asText, cb.deliveryPayload);
}

void Handle::OnError(rd_kafka_t *rk, int err, const char *reason, void *opaque) {
    Handle *self = static_cast<Handle *>(opaque);
    HandleEvent e{HandleEvent::Error};
    e.err = (rd_kafka_resp_err_t)err;
    e.text = reason ? reason : "";
    if (err == RD_KAFKA_RESP_ERR__FATAL) {
        char buf[512];
        e.err = rd_kafka_fatal_error(rk, buf, sizeof buf);
        e.text = buf;
        e.fatal = true;
    }
    self->Record(std::move(e));
}

int Handle::OnStatistics(rd_kafka_t *, char *json, size_t len, void *opaque) {
    Handle *self = static_cast<Handle *>(opaque);
    HandleEvent e{HandleEvent::Statistics};
    e.text.assign(json, len);
    self->Record(std::move(e));
    return 0; // librdkafka frees json
}

const LoggerSetting &Handle::Logger() const { return hasOwnLogger_ ? ownLogger_ : master_->Callbacks().logger; }

// The notice rd_kafka_new logs when a handle has no brokers yet: the
// documented order of calls makes the handle first and adds brokers after.
static bool IsNoBrokersNotice(const char *fac, const char *buf) {
    return !strcmp(fac, "CONFWARN") && strstr(buf, "No `bootstrap.servers` configured");
}

void Handle::OnLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf) {
    Handle *self = static_cast<Handle *>(rd_kafka_opaque(rk));
    if (!self) return;
    if (self->brokersUnset_ && IsNoBrokersNotice(fac, buf)) return;
    switch (self->Logger().mode.load()) {
    case LogMode::None:
        return;
    case LogMode::Stderr:
        fprintf(stderr, "%%%d|%s|%s| %s\n", level, fac, rd_kafka_name(rk), buf);
        return;
    case LogMode::Syslog:
        syslog(level, "%s: [%s] %s", rd_kafka_name(rk), fac, buf);
        return;
    case LogMode::Callback:
        break;
    }
    HandleEvent e{HandleEvent::Log};
    e.level = level;
    e.facility = fac;
    e.text = buf;
    self->Record(std::move(e));
}

void Handle::ServeEvents(size_t limit) {
    if (Deleted() || !rk_) return;
    Preserve keep(this);
    rd_kafka_poll(rk_.get(), 0);
    // Callbacks also run inside commands (consume, flush, poll ...): that
    // command's result and error state must survive them.
    Tcl_Interp *interp = interp_;
    Tcl_InterpState saved = nullptr;
    bool more = false;
    for (size_t done = 0; !Deleted(); done++) {
        // Delivery reports first (only this thread records them: no lock),
        // then the other events; each kind stays in order.
        if (!deliveries_.Empty()) {
            if (done == limit) {
                more = true;
                break;
            }
            if (!saved) saved = Tcl_SaveInterpState(interp, TCL_OK);
            ObjRef report = deliveries_.Next();
            if (Tcl_Obj *cmd = master_->Callbacks().delivery.get())
                InvokeCallback(interp, cmd, report.get(), "kafka delivery report callback");
            deliveries_.Recycle(std::move(report));
            continue;
        }
        HandleEvent event;
        {
            std::lock_guard<std::mutex> lock(eventsMutex_);
            if (events_.empty()) break;
            if (done == limit) {
                more = true;
                break;
            }
            event = std::move(events_.front());
            events_.pop_front();
        }
        if (!saved) saved = Tcl_SaveInterpState(interp, TCL_OK);
        DispatchOne(event);
    }
    if (saved) Tcl_RestoreInterpState(interp, saved);
    if (more && !Deleted()) wakeup_->Again();
}

static void Put(Tcl_Obj *dict, const char *key, Tcl_Obj *value) {
    Tcl_DictObjPut(NULL, dict, Tcl_NewStringObj(key, -1), value);
}

void Handle::DispatchOne(HandleEvent &e) {
    MasterCallbacks &cb = master_->Callbacks();
    Tcl_Obj *arg = nullptr;
    ObjRef cmd;
    const char *context = "";
    switch (e.kind) {
    case HandleEvent::Error:
        cmd = cb.error;
        context = "kafka error callback";
        arg = Tcl_NewDictObj();
        Put(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(e.err), -1));
        Put(arg, "message", Tcl_NewStringObj(e.text.c_str(), -1));
        Put(arg, "fatal", Tcl_NewBooleanObj(e.fatal));
        Put(arg, "handle", NameObj());
        break;
    case HandleEvent::Statistics:
        cmd = cb.statistics;
        context = "kafka statistics callback";
        arg = Tcl_NewStringObj(e.text.c_str(), (int)e.text.size());
        break;
    case HandleEvent::Rebalance: {
        cmd = rebalanceCommand_;
        context = "kafka rebalance callback";
        arg = Tcl_NewDictObj();
        Put(arg, "event", Tcl_NewStringObj(e.text.c_str(), -1));
        Tcl_Obj *parts = Tcl_NewListObj(0, NULL);
        for (auto &tp : e.partitions) {
            Tcl_Obj *pair[2] = {Tcl_NewStringObj(tp.first.c_str(), -1), Tcl_NewIntObj(tp.second)};
            Tcl_ListObjAppendElement(NULL, parts, Tcl_NewListObj(2, pair));
        }
        Put(arg, "partitions", parts);
        Put(arg, "protocol", Tcl_NewStringObj(e.facility.c_str(), -1));
        if (e.err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && e.err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
            Put(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(e.err), -1));
        else if (e.applyErr) // not applied: never announced as done
            Put(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(e.applyErr), -1));
        if (e.applyErr) Put(arg, "message", Tcl_NewStringObj(e.applyMessage.c_str(), -1));
        break;
    }
    case HandleEvent::Log:
        cmd = Logger().mode.load() == LogMode::Callback ? Logger().command : ObjRef();
        context = "kafka logger callback";
        arg = Tcl_NewDictObj();
        Put(arg, "level", Tcl_NewIntObj(e.level));
        Put(arg, "facility", Tcl_NewStringObj(e.facility.c_str(), -1));
        Put(arg, "message", Tcl_NewStringObj(e.text.c_str(), -1));
        break;
    }
    Tcl_IncrRefCount(arg);
    if (cmd) InvokeCallback(interp_, cmd.get(), arg, context);
    Tcl_DecrRefCount(arg);
}

MessageFormat Handle::Format() const { return master_->Format(); }

// Method tables: the methods every handle has come first, in the same order
// in both tables, then the producer's or the consumer's own.
#define KAFKATCL_COMMON_METHODS "name", "new_topic", "log_level", "logger", "add_brokers", "create_queue", \
        "output_queue_length", "info", "config", "flush", "get_watermark_offsets",              \
        "query_watermark_offsets", "offsets_for_times", "meta", "partitioner", "delete",        \
        /* admin.cpp, in kAdminMethods order */                                                 \
        "create_topics", "delete_topics", "create_partitions", "describe_configs", "alter_configs", \
        "delete_records", "list_groups", "describe_groups", "delete_groups", "list_group_offsets", \
        "alter_group_offsets", "delete_group_offsets", "create_acls", "describe_acls", "delete_acls"
static const char *const producerMethods[] = {KAFKATCL_COMMON_METHODS, "purge", "init_transactions",
                                              "begin_transaction", "send_offsets_to_transaction",
                                              "commit_transaction", "abort_transaction", NULL};
static const char *const consumerMethods[] = {KAFKATCL_COMMON_METHODS, "subscribe", "unsubscribe", "subscription",
                                              "assign", "incremental_assign", "incremental_unassign", "assignment",
                                              "poll", "consume", "consume_batch", "consume_callback", "commit",
                                              "committed", "position", "seek", "pause", "resume", "store_offsets",
                                              "rebalance_callback", "close", NULL};
enum { NAME, NEW_TOPIC, LOG_LEVEL, LOGGER, ADD_BROKERS, CREATE_QUEUE, OUTQ_LEN, INFO, CONFIG, FLUSH, GET_WATERMARKS,
       QUERY_WATERMARKS, OFFSETS_FOR_TIMES, META, PARTITIONER, DELETE, ADMIN_FIRST, ADMIN_COUNT = 15,
       COMMON_COUNT = ADMIN_FIRST + ADMIN_COUNT };

int Handle::Invoke(int objc, Tcl_Obj *const objv[]) {
    int m;
    if (GetIndex(interp_, objv[1], IsProducer() ? producerMethods : consumerMethods, "method", &m) != TCL_OK)
        return TCL_ERROR;
    if (m >= COMMON_COUNT) {
        return IsProducer() ? ProducerMethod(m - COMMON_COUNT, objc, objv) : ConsumerMethod(m - COMMON_COUNT, objc, objv);
    }
    if (m >= ADMIN_FIRST) return AdminMethod(this, m - ADMIN_FIRST, objc, objv);
    switch (m) {
    case NAME:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_name(rk_.get()), -1));
        return TCL_OK;
    case NEW_TOPIC:
        return NewTopic(objc, objv);
    case LOG_LEVEL:
        return LogLevel(objc, objv);
    case LOGGER: {
        bool followMaster = false;
        if (ownLogger_.Set(interp_, objc, objv, &followMaster) != TCL_OK) return TCL_ERROR;
        hasOwnLogger_ = !followMaster;
        return TCL_OK;
    }
    case ADD_BROKERS:
        return AddBrokers(objc, objv);
    case CREATE_QUEUE:
        return CreateQueue(objc, objv);
    case OUTQ_LEN:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        Tcl_SetObjResult(interp_, Tcl_NewIntObj(rd_kafka_outq_len(rk_.get())));
        return TCL_OK;
    case INFO:
        return Info(objc, objv);
    case CONFIG:
        return TopicConfig(objc, objv);
    case FLUSH:
        return Flush(objc, objv);
    case GET_WATERMARKS:
    case QUERY_WATERMARKS:
        return Watermarks(m == QUERY_WATERMARKS, objc, objv);
    case OFFSETS_FOR_TIMES:
        return OffsetsForTimes(objc, objv);
    case META:
        return Meta(objc, objv);
    case PARTITIONER: // the topic configuration's partitioner, for topics made later
        return PartitionerMethod(interp_, topicConf_.get(), objc, objv);
    case DELETE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        DeleteCommand();
        return TCL_OK;
    }
    return TCL_ERROR;
}

// config ?key? ?value key value ...?: the handle's topic configuration.
// librdkafka warns of deprecated properties only in rd_kafka_new, for the
// master's settings; those set here get the same warning from us.
int Handle::TopicConfig(int objc, Tcl_Obj *const objv[]) {
    if (TopicConfigMethod(interp_, topicConf_.get(), objc, objv) != TCL_OK) return TCL_ERROR;
    for (int i = 2; objc >= 4 && i + 1 < objc; i += 2) {
        PropertyInfo info = LookUpProperty(Tcl_GetString(objv[i]), true);
        if (info.deprecated)
            LogLine(LOG_WARNING, "CONFWARN", std::string("Configuration property ") + Tcl_GetString(objv[i]) +
                                                 " is deprecated: " + info.description);
    }
    return TCL_OK;
}

void Handle::LogLine(int level, const char *facility, const std::string &text) {
    OnLog(rk_.get(), level, facility, text.c_str());
    wakeup_->Again(); // a callback logger's line waits in events_ for ServeEvents
}

int Handle::NewTopic(int objc, Tcl_Obj *const objv[]) {
    if (objc != 4) return WrongArgs(interp_, 2, objv, "cmdName|#auto topic");
    const char *name = Tcl_GetString(objv[3]);
    if (!*name) return ArgError(interp_, "topic name must not be empty");
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk_.get(), name, rd_kafka_topic_conf_dup(topicConf_.get()));
    if (!rkt) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        return KafkaError(interp_, err, std::string("cannot create topic \"") + name + "\": " + rd_kafka_err2str(err));
    }
    return Object::Install(interp_, new Topic(interp_, this, rkt), objv[2], "kafka_topic");
}

int Handle::CreateQueue(int objc, Tcl_Obj *const objv[]) {
    if (objc != 3) return WrongArgs(interp_, 2, objv, "cmdName|#auto");
    return Object::Install(interp_, new Queue(interp_, this, rd_kafka_queue_new(rk_.get())), objv[2], "kafka_queue");
}

int Handle::LogLevel(int objc, Tcl_Obj *const objv[]) {
    // syslog(3) levels, in order, so the index is the level.
    static const char *const levels[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL};
    if (objc != 3) return WrongArgs(interp_, 2, objv, "level");
    int level;
    if (GetIndex(interp_, objv[2], levels, "level", &level) != TCL_OK) return TCL_ERROR;
    rd_kafka_set_log_level(rk_.get(), level);
    return TCL_OK;
}

int Handle::AddBrokers(int objc, Tcl_Obj *const objv[]) {
    if (objc != 3) return WrongArgs(interp_, 2, objv, "brokerList");
    // Accept a Tcl list or librdkafka's comma-separated form.
    int n;
    Tcl_Obj **elems;
    if (Tcl_ListObjGetElements(NULL, objv[2], &n, &elems) != TCL_OK) return ArgError(interp_, "brokerList must be a list");
    std::string brokers;
    for (int i = 0; i < n; i++) {
        if (i) brokers += ",";
        brokers += Tcl_GetString(elems[i]);
    }
    int added = brokers.empty() ? 0 : rd_kafka_brokers_add(rk_.get(), brokers.c_str());
    if (added == 0) {
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__INVALID_ARG, "no valid brokers in \"" + brokers + "\"");
    }
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(added));
    return TCL_OK;
}

int Handle::Flush(int objc, Tcl_Obj *const objv[]) {
    if (objc > 3) return WrongArgs(interp_, 2, objv, "?timeoutMs?");
    int timeout = 10000;
    if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    rd_kafka_flush(rk_.get(), timeout); // runs our delivery callbacks, recording reports
    int left = rd_kafka_outq_len(rk_.get());
    ServeEvents(SIZE_MAX);
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(left));
    return TCL_OK;
}

// get_watermark_offsets topic partition           (cached, from the last fetch)
// query_watermark_offsets topic partition ?-timeout ms?   (asks the leader)
int Handle::Watermarks(bool query, int objc, Tcl_Obj *const objv[]) {
    int timeout = 5000;
    if (query && objc == 6) {
        static const char *const options[] = {"-timeout", NULL};
        int o;
        if (GetIndex(interp_, objv[4], options, "option", &o) != TCL_OK || GetTimeout(interp_, objv[5], &timeout) != TCL_OK)
            return TCL_ERROR;
        objc = 4;
    }
    if (objc != 4) return WrongArgs(interp_, 2, objv, query ? "topic partition ?-timeout ms?" : "topic partition");
    int32_t partition;
    if (GetPartition(interp_, objv[3], false, &partition) != TCL_OK) return TCL_ERROR;
    int64_t low = -1, high = -1;
    rd_kafka_resp_err_t err =
        query ? rd_kafka_query_watermark_offsets(rk_.get(), Tcl_GetString(objv[2]), partition, &low, &high, timeout)
              : rd_kafka_get_watermark_offsets(rk_.get(), Tcl_GetString(objv[2]), partition, &low, &high);
    if (err) return KafkaError(interp_, err, std::string("watermark offsets: ") + rd_kafka_err2str(err));
    Tcl_Obj *pair[2] = {Tcl_NewWideIntObj(low), Tcl_NewWideIntObj(high)};
    Tcl_SetObjResult(interp_, Tcl_NewListObj(2, pair));
    return TCL_OK;
}

// offsets_for_times {{topic partition timestampMs} ...} ?-timeout ms?
int Handle::OffsetsForTimes(int objc, Tcl_Obj *const objv[]) {
    int timeout = 5000;
    if (objc == 5) {
        static const char *const options[] = {"-timeout", NULL};
        int o;
        if (GetIndex(interp_, objv[3], options, "option", &o) != TCL_OK || GetTimeout(interp_, objv[4], &timeout) != TCL_OK)
            return TCL_ERROR;
        objc = 3;
    }
    if (objc != 3) return WrongArgs(interp_, 2, objv, "{{topic partition timestampMs} ...} ?-timeout ms?");
    PartitionListPtr list(PartitionsFromObj(interp_, objv[2], true));
    if (!list) return TCL_ERROR;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_.get(), list.get(), timeout);
    if (err) return KafkaError(interp_, err, std::string("offsets_for_times: ") + rd_kafka_err2str(err));
    Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), true));
    return TCL_OK;
}

} // namespace kafkatcl
