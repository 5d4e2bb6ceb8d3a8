// handle.cpp -- producer/consumer handle methods.
#include "handle.h"

#include "admin.h"
#include "config.h"
#include "master.h"
#include "method.h"
#include "options.h"
#include "partitions.h"
#include "stream.h"
#include "queue.h"
#include "topic.h"

#include <algorithm>
#include <chrono>
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
    else {
        rd_kafka_conf_set_rebalance_cb(conf.get(), OnRebalance);
        rd_kafka_conf_set_offset_commit_cb(conf.get(), OnOffsetCommit); // see commit.cpp
    }
    rd_kafka_conf_set_error_cb(conf.get(), OnError);
    rd_kafka_conf_set_stats_cb(conf.get(), OnStatistics);
    rd_kafka_conf_set_log_cb(conf.get(), OnLog);
    rd_kafka_conf_set_throttle_cb(conf.get(), OnThrottle);
    // Only when asked for: with a refresh callback librdkafka uses neither
    // its built-in OIDC token source nor enable.sasl.oauthbearer.unsecure.jwt.
    if (master_->Callbacks().oauthbearerRefresh)
        rd_kafka_conf_set_oauthbearer_token_refresh_cb(conf.get(), OnOauthbearerRefresh);
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
        size = sizeof value;
        if (rd_kafka_conf_get(conf.get(), "enable.auto.offset.store", value, &size) == RD_KAFKA_CONF_OK)
            autoOffsetStore_ = !strcmp(value, "true");
    }
    // Logs go through the main queue, so they reach Tcl in this thread.
    rd_kafka_conf_set(conf.get(), "log.queue", "true", errstr, sizeof errstr);
    // Without a buffer: the value's size, NUL included; no value at all is _INVALID.
    size_t brokersSize = 0;
    brokersUnset_ = rd_kafka_conf_get(conf.get(), "bootstrap.servers", NULL, &brokersSize) != RD_KAFKA_CONF_OK ||
                    brokersSize <= 1;
    KeepCryptoAtExit();
    rd_kafka_t *rk = rd_kafka_new(type_, conf.get(), errstr, sizeof errstr);
    if (!rk) {
        *error = ExplainCreateFailure(conf.get(), errstr); // rd_kafka_new left conf to us
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
    lagJobs_.clear(); // joins their workers, which use rk_
    groupStream_.Reset(); // before consumerQueue_ goes
    groupNext_.reset();
    consumerQueue_.reset();
    // A close -timeout that ran out of time: librdkafka's own close in
    // rd_kafka_destroy would wait for it without limit.
    bool closing = closeQueue_ && !rd_kafka_consumer_closed(rk_.get());
    if (closeQueue_) wakeup_->Unwatch(closeQueue_.get());
    closeQueue_.reset();
    commitWaiters_.clear();
    if (commitQueue_) wakeup_->Unwatch(commitQueue_.get());
    commitQueue_.reset();
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
    if (closing) rd_kafka_destroy_flags(rk_.release(), RD_KAFKA_DESTROY_F_NO_CONSUMER_CLOSE);
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
    // Reports not served yet: the messages' own callbacks still get theirs.
    while (!deliveries_.Empty()) {
        Delivery d = deliveries_.Next();
        if (d.own && d.own->PerMessage()) DeliverLater(std::move(d.report), std::move(d.own));
    }
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
    // Adopt what produce -opaque/-command/-await made: released whatever happens next.
    std::unique_ptr<MessageOpaque> own(static_cast<MessageOpaque *>(msg->_private));
    MasterCallbacks &cb = self->master_->Callbacks();
    if (msg->err) cb.failed++; else cb.delivered++;
    bool perMessage = own && own->PerMessage();
    if (self->Deleted()) {
        if (perMessage) self->DeliverLater(msg, std::move(own));
        return;
    }
    bool toMaster = cb.delivery && self->Sampled(msg, cb);
    if (!toMaster && !perMessage) return;
    // Runs in the handle's thread (inside rd_kafka_poll/flush).
    self->deliveries_.Record(msg, std::move(own), self->Format().asText, cb.deliveryPayload, toMaster);
}

// Whether the master's callback gets this report: every Nth success and
// the ones asked for by `sample`; all failures.
bool Handle::Sampled(const rd_kafka_message_t *msg, MasterCallbacks &cb) {
    if (msg->err) return true;
    unsigned long n = ++deliverySeq_;
    if (cb.deliveryEvery != 0 && n % (unsigned long)cb.deliveryEvery == 0) return true;
    if (cb.samplesWanted == 0) return false;
    cb.samplesWanted--;
    return true;
}

// A report for a message's own -command/-await once the handle is deleted
// (its close flush and purge): through the event loop, as no script may run here.
void Handle::DeliverLater(const rd_kafka_message_t *msg, std::unique_ptr<MessageOpaque> own) {
    own->err = msg->err;
    ObjRef report = deliveries_.Build(msg, own->opaque.get(), Format().asText, master_->Callbacks().deliveryPayload);
    DeliverLater(std::move(report), std::move(own));
}

void Handle::DeliverLater(ObjRef report, std::unique_ptr<MessageOpaque> own) {
    std::shared_ptr<MessageOpaque> shared(std::move(own));
    Tcl_Interp *interp = interp_;
    RunLater(interp, [interp, report, shared] { DeliverToMessage(interp, report.get(), *shared); });
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

void Handle::OnThrottle(rd_kafka_t *, const char *broker, int32_t brokerId, int throttleMs, void *opaque) {
    HandleEvent e{HandleEvent::Throttle};
    e.text = broker ? broker : "";
    e.brokerId = brokerId;
    e.throttleMs = throttleMs;
    static_cast<Handle *>(opaque)->Record(std::move(e));
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
    if (closeQueue_) ServeCloseQueue(0); // a close -timeout still going on
    if (commitQueue_) TakeCommitResults();
    // Called from inside one of this handle's callbacks (flush, purge, poll,
    // consume, `update` ...): librdkafka's part is done above (reports and
    // events are recorded), but the callbacks wait for the running loop
    // below, which takes them after the current callback returns. Running
    // them here would nest one dispatcher per pending event (issue 29: a C
    // stack overflow at 30000 reports).
    if (dispatching_) return;
    DispatchingGuard guard(&dispatching_);
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
            Delivery d = deliveries_.Next();
            Tcl_Obj *cmd = master_->Callbacks().delivery.get();
            if (cmd && d.toMaster) InvokeCallback(interp, cmd, d.report.get(), "kafka delivery report callback");
            if (d.own && !Deleted()) DeliverToMessage(interp, d.report.get(), *d.own);
            else if (d.own) DeliverLater(std::move(d.report), std::move(d.own));
            else deliveries_.Recycle(std::move(d.report));
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

// The rebalance callback's dict: the event, its partitions, the protocol,
// and the error when there was one or librdkafka refused the change (a
// change not applied is never announced as done).
static Tcl_Obj *RebalanceDict(const HandleEvent &e) {
    const HandleEvent::RebalanceChange &r = e.rebalance;
    Tcl_Obj *arg = Tcl_NewDictObj();
    DictPut(arg, "event", Tcl_NewStringObj(r.event.c_str(), -1));
    Tcl_Obj *parts = Tcl_NewListObj(0, NULL);
    for (auto &tp : r.partitions) {
        Tcl_Obj *pair[2] = {Tcl_NewStringObj(tp.first.c_str(), -1), Tcl_NewIntObj(tp.second)};
        Tcl_ListObjAppendElement(NULL, parts, Tcl_NewListObj(2, pair));
    }
    DictPut(arg, "partitions", parts);
    DictPut(arg, "protocol", Tcl_NewStringObj(r.protocol.c_str(), -1));
    DictPut(arg, "lost", Tcl_NewBooleanObj(r.lost));
    if (e.err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS && e.err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
        DictPut(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(e.err), -1));
    else if (r.applyErr)
        DictPut(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(r.applyErr), -1));
    if (r.applyErr) DictPut(arg, "message", Tcl_NewStringObj(r.applyMessage.c_str(), -1));
    return arg;
}

static Tcl_Obj *ErrorDict(const HandleEvent &e, Tcl_Obj *handle) {
    Tcl_Obj *arg = Tcl_NewDictObj();
    DictPut(arg, "error", Tcl_NewStringObj(rd_kafka_err2name(e.err), -1));
    DictPut(arg, "message", Tcl_NewStringObj(e.text.c_str(), -1));
    DictPut(arg, "fatal", Tcl_NewBooleanObj(e.fatal));
    DictPut(arg, "handle", handle);
    return arg;
}

static Tcl_Obj *LogDict(const HandleEvent &e) {
    Tcl_Obj *arg = Tcl_NewDictObj();
    DictPut(arg, "level", Tcl_NewIntObj(e.level));
    DictPut(arg, "facility", Tcl_NewStringObj(e.facility.c_str(), -1));
    DictPut(arg, "message", Tcl_NewStringObj(e.text.c_str(), -1));
    return arg;
}

static Tcl_Obj *ThrottleDict(const HandleEvent &e, Tcl_Obj *handle) {
    Tcl_Obj *arg = Tcl_NewDictObj();
    DictPut(arg, "broker_name", Tcl_NewStringObj(e.text.c_str(), -1));
    DictPut(arg, "broker_id", Tcl_NewIntObj(e.brokerId));
    DictPut(arg, "throttle_time_ms", Tcl_NewIntObj(e.throttleMs));
    DictPut(arg, "handle", handle);
    return arg;
}

// `statistics_callback -dict`: the JSON through tcllib's ::json::json2dict
// (loaded when the callback was set). None when that failed: the error
// went to bgerror, as a callback's would.
static ObjRef StatisticsDict(Tcl_Interp *interp, const std::string &json) {
    Tcl_Obj *words[2] = {Tcl_NewStringObj("::json::json2dict", -1), Tcl_NewStringObj(json.c_str(), (int)json.size())};
    for (Tcl_Obj *w : words) Tcl_IncrRefCount(w);
    int code = Tcl_EvalObjv(interp, 2, words, TCL_EVAL_GLOBAL);
    for (Tcl_Obj *w : words) Tcl_DecrRefCount(w);
    if (code != TCL_OK) {
        Tcl_AddErrorInfo(interp, "\n    (kafka statistics callback: parsing the statistics JSON)");
        Tcl_BackgroundException(interp, code);
        Tcl_ResetResult(interp);
        return ObjRef();
    }
    ObjRef dict(Tcl_GetObjResult(interp));
    Tcl_ResetResult(interp);
    return dict;
}

void Handle::DispatchOne(HandleEvent &e) {
    MasterCallbacks &cb = master_->Callbacks();
    ObjRef arg;
    ObjRef cmd;
    const char *context = "";
    switch (e.kind) {
    case HandleEvent::Error:
        cmd = cb.error;
        context = "kafka error callback";
        arg = ObjRef(ErrorDict(e, NameObj()));
        break;
    case HandleEvent::Statistics:
        cmd = cb.statistics;
        context = "kafka statistics callback";
        if (!cmd) return;
        arg = cb.statisticsDict ? StatisticsDict(interp_, e.text)
                                : ObjRef(Tcl_NewStringObj(e.text.c_str(), (int)e.text.size()));
        if (!arg) return;
        break;
    case HandleEvent::Rebalance:
        cmd = rebalanceCommand_;
        context = "kafka rebalance callback";
        arg = ObjRef(RebalanceDict(e));
        break;
    case HandleEvent::Log:
        cmd = Logger().mode.load() == LogMode::Callback ? Logger().command : ObjRef();
        context = "kafka logger callback";
        arg = ObjRef(LogDict(e));
        break;
    case HandleEvent::Throttle:
        cmd = cb.throttle;
        context = "kafka throttle callback";
        arg = ObjRef(ThrottleDict(e, NameObj()));
        break;
    case HandleEvent::OauthbearerRefresh:
        DispatchOauthbearerRefresh(e);
        return;
    case HandleEvent::OffsetCommit:
        DispatchCommitResult(e);
        return;
    }
    if (cmd) InvokeCallback(interp_, cmd.get(), arg.get(), context);
}

MessageFormat Handle::Format() const {
    MessageFormat format = master_->Format();
    if (!serdes_.Empty()) {
        format.serdes = &serdes_;
        format.interp = interp_;
    }
    return format;
}

// serde ?-topic name? ?-value serde? ?-key serde?: binds (or, with "",
// unbinds) the serdes of one topic, or of every topic of the handle that
// has none of its own; returns the pair now bound.
int Handle::SerdeMethod(int objc, Tcl_Obj *const objv[]) {
    std::string topic;
    int first = 2;
    if (objc > 3 && !strcmp(Tcl_GetString(objv[2]), "-topic")) {
        topic = Tcl_GetString(objv[3]);
        if (topic.empty()) return ArgError(interp_, "-topic needs a topic name");
        first = 4;
    }
    if ((objc - first) % 2) return kWrongArgs;
    return serdes_.Method(interp_, topic, objc, objv, first);
}

// One row per method (see method.h). The "bad method" list is in this order:
// the methods every handle has, the admin calls (admin.cpp), then the
// producer's (producer.cpp) or the consumer's (group.cpp).
struct HandleMethods {
    using H = Handle;
    static constexpr unsigned P = Handle::kProducerKind, C = Handle::kConsumerKind, Both = P | C;
    static constexpr unsigned Admin = Both | Handle::kAdminFacet;
    // Rows whose handler parses options have a wide arity: the handler
    // counts the positional words itself and returns kWrongArgs.
    static constexpr MethodDef<H> commonRows[] = {
        {"name", &H::Name, 0, 0, "", Both},
        {"new_topic", &H::NewTopic, 2, 2, "cmdName|#auto topic", Both},
        {"log_level", &H::LogLevel, 1, 1, "level", Both},
        {"logger", &H::LoggerMethod, 0, kAnyArgs, "stderr|syslog|callback ?command?|none|master", Both},
        {"add_brokers", &H::AddBrokers, 1, 1, "brokerList", Both},
        {"create_queue", &H::CreateQueue, 1, 1, "cmdName|#auto", Both},
        {"output_queue_length", &H::OutputQueueLength, 0, 0, "", Both},
        {"info", &H::Info, 1, kAnyArgs, "topics|brokers|partitions|topic|cluster|watermarks ?arg ...? ?-timeout ms?", Both},
        {"config", &H::TopicConfig, 0, kAnyArgs, "?key? ?value key value ...?", Both},
        {"flush", &H::Flush, 0, 1, "?timeoutMs?", Both},
        {"get_watermark_offsets", &H::GetWatermarks, 2, 2, "topic partition", Both},
        {"query_watermark_offsets", &H::QueryWatermarks, 2, 4, "topic partition ?-timeout ms?", Both},
        {"offsets_for_times", &H::OffsetsForTimes, 1, 3, "{{topic partition timestampMs} ...} ?-timeout ms?", Both},
        {"meta", &H::Meta, 1, kAnyArgs, "refresh|print ?-timeout ms?", Both},
        {"partitioner", &H::Partitioner, 0, 1, "?name?", Both},
        {"serde", &H::SerdeMethod, 0, 6, "?-topic name? ?-value serde? ?-key serde?", Both},
        // sasl.cpp
        {"oauthbearer_set_token", &H::OauthbearerSetToken, 3, 4, "token lifetimeMs principal ?extensions?", Both},
        {"oauthbearer_set_token_failure", &H::OauthbearerSetTokenFailure, 1, 1, "message", Both},
        {"delete", &H::DeleteMethod, 0, 0, "", Both},
    };
    // (here the admin calls' rows: AdminMethodRows, from admin.cpp's table)
    static constexpr MethodDef<H> kindRows[] = {
        // producer.cpp
        {"purge", &H::Purge, 0, kAnyArgs, "?-queued? ?-inflight?", P},
        {"init_transactions", &H::InitTransactions, 0, 1, "?timeoutMs?", P},
        {"begin_transaction", &H::BeginTransaction, 0, 0, "", P},
        {"send_offsets_to_transaction", &H::SendOffsetsToTransaction, 1, 4,
         "consumerHandle ?{{topic partition offset} ...}? ?-timeout ms?", P},
        {"commit_transaction", &H::CommitTransaction, 0, 1, "?timeoutMs?", P},
        {"abort_transaction", &H::AbortTransaction, 0, 1, "?timeoutMs?", P},
        // group.cpp
        {"subscribe", &H::Subscribe, 1, 3, "topicList ?-command cmd?", C},
        {"unsubscribe", &H::Unsubscribe, 0, 0, "", C},
        {"subscription", &H::Subscription, 0, 0, "", C},
        {"assign", &H::Assign, 0, 1, "?partitions?", C},
        {"incremental_assign", &H::IncrementalAssign, 1, 1, "partitions", C},
        {"incremental_unassign", &H::IncrementalUnassign, 1, 1, "partitions", C},
        {"assignment", &H::Assignment, 0, 0, "", C},
        {"poll", &H::Poll, 0, 1, "?timeoutMs?", C},
        {"consume", &H::Consume, 2, 2, "timeoutMs arrayName", C},
        {"consume_batch", &H::ConsumeBatch, 4, 4, "timeoutMs count arrayName body", C},
        {"consume_callback", &H::ConsumeCallback, 1, 2, "?timeoutMs? command", C},
        {"next", &H::Next, 0, 2, "?-timeout ms?", C},
        {"commit", &H::Commit, 0, kAnyArgs, "?-async? ?-command cmd|-await? ?-message msg | {{topic partition offset} ...}?", C},
        {"committed", &H::Committed, 0, 3, "?partitions? ?-timeout ms?", C},
        {"position", &H::Position, 0, 1, "?partitions?", C},
        {"lag", &H::Lag, 0, kAnyArgs, "?topicList? ?-timeout ms? ?-command cmd|-await?", C},
        {"seek", &H::Seek, 3, 5, "topic partition offset ?-timeout ms?", C},
        {"pause", &H::Pause, 1, 1, "partitions", C},
        {"resume", &H::Resume, 1, 1, "partitions", C},
        {"store_offsets", &H::StoreOffsets, 1, 1, "{{topic partition offset} ...}", C},
        {"rebalance_callback", &H::RebalanceCallback, 0, 2, "?-sync? ?command?", C},
        {"close", &H::Close, 0, 2, "?-timeout ms?", C},
        {"member_id", &H::MemberId, 0, 0, "", C},
        {"generation", &H::Generation, 0, 0, "", C},
    };
    static std::vector<MethodDef<H>> AllRows() {
        std::vector<MethodDef<H>> rows(std::begin(commonRows), std::end(commonRows));
        for (const MethodDef<H> &row : AdminMethodRows(Admin)) rows.push_back(row);
        rows.insert(rows.end(), std::begin(kindRows), std::end(kindRows));
        return rows;
    }
    static const MethodTable<H> &Table() {
        static const MethodTable<H> table(AllRows(), {P, C, Handle::kAdminFacet});
        return table;
    }
};

int Handle::Invoke(int objc, Tcl_Obj *const objv[]) {
    return HandleMethods::Table().Dispatch(this, IsProducer() ? kProducerKind : kConsumerKind, objc, objv);
}

std::vector<const char *> Handle::MethodNames(unsigned kind) { return HandleMethods::Table().Names(kind); }

int Handle::CallMethod(Method run, const std::vector<Tcl_Obj *> &args) { return HandleMethods::Table().Call(this, run, args); }

const char *Handle::UsageOf(int (Handle::*run)(int, Tcl_Obj *const[])) {
    return HandleMethods::Table().UsageOf(run);
}

int Handle::Name(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_name(rk_.get()), -1));
    return TCL_OK;
}

int Handle::LoggerMethod(int objc, Tcl_Obj *const objv[]) {
    bool followMaster = false;
    if (ownLogger_.Set(interp_, objc, objv, &followMaster) != TCL_OK) return TCL_ERROR;
    hasOwnLogger_ = !followMaster;
    return TCL_OK;
}

int Handle::OutputQueueLength(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(rd_kafka_outq_len(rk_.get())));
    return TCL_OK;
}

// The topic configuration's partitioner, for topics made later.
int Handle::Partitioner(int objc, Tcl_Obj *const objv[]) {
    return PartitionerMethod(interp_, topicConf_.get(), objc, objv);
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

int Handle::NewTopic(int, Tcl_Obj *const objv[]) {
    const char *name = Tcl_GetString(objv[3]);
    if (!*name) return ArgError(interp_, "topic name must not be empty");
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk_.get(), name, rd_kafka_topic_conf_dup(topicConf_.get()));
    if (!rkt) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        return KafkaError(interp_, err, std::string("cannot create topic \"") + name + "\": " + rd_kafka_err2str(err));
    }
    return Object::Install(interp_, new Topic(interp_, this, rkt), objv[2], "kafka_topic");
}

int Handle::CreateQueue(int, Tcl_Obj *const objv[]) {
    return Object::Install(interp_, new Queue(interp_, this, rd_kafka_queue_new(rk_.get())), objv[2], "kafka_queue");
}

int Handle::LogLevel(int, Tcl_Obj *const objv[]) {
    // syslog(3) levels, in order, so the index is the level.
    static const char *const levels[] = {"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL};
    int level;
    if (GetIndex(interp_, objv[2], levels, "level", &level) != TCL_OK) return TCL_ERROR;
    rd_kafka_set_log_level(rk_.get(), level);
    return TCL_OK;
}

int Handle::AddBrokers(int, Tcl_Obj *const objv[]) {
    // Accept a Tcl list or librdkafka's comma-separated form.
    Tcl_Size n;
    Tcl_Obj **elems;
    if (Tcl_ListObjGetElements(NULL, objv[2], &n, &elems) != TCL_OK) return ArgError(interp_, "brokerList must be a list");
    std::string brokers;
    for (Tcl_Size i = 0; i < n; i++) {
        if (i) brokers += ",";
        brokers += Tcl_GetString(elems[i]);
    }
    int added = brokers.empty() ? 0 : rd_kafka_brokers_add(rk_.get(), brokers.c_str());
    if (added) addedBrokers_ += "," + brokers;
    if (added == 0) {
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__INVALID_ARG, "no valid brokers in \"" + brokers + "\"");
    }
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(added));
    return TCL_OK;
}

// flush ?timeoutMs?: waits in slices of kFlushSliceMs and runs the callbacks
// of the reports each slice collected before the next, so the script's
// callbacks run while librdkafka still sends, and a message they produce is
// waited for too. One wait of the whole timeout ran every callback after it
// (perf, issue 26: all of a produce loop's callbacks ran at the end of its
// `flush 10` calls) and returned 0 with such a message outstanding.
int Handle::Flush(int objc, Tcl_Obj *const objv[]) {
    int timeout = 10000;
    if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    using Clock = std::chrono::steady_clock;
    const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(std::max(timeout, 0));
    int left;
    for (;;) {
        int slice = kFlushSliceMs;
        if (timeout >= 0) {
            auto remains = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            slice = (int)std::max<decltype(remains)>(0, std::min<decltype(remains)>(slice, remains));
        }
        // Runs our delivery callbacks, recording reports. On a consumer it
        // does nothing but say _NOT_IMPLEMENTED: then one pass, no waiting.
        rd_kafka_resp_err_t err = rd_kafka_flush(rk_.get(), slice);
        left = rd_kafka_outq_len(rk_.get());
        ServeEvents(SIZE_MAX);
        if (Deleted() || !rk_) break; // a callback deleted the handle: its rk_ is gone
        // Read again after the callbacks: what they produced is waited for too.
        left = rd_kafka_outq_len(rk_.get());
        if (left == 0 || (err && err != RD_KAFKA_RESP_ERR__TIMED_OUT) || (timeout >= 0 && Clock::now() >= deadline))
            break;
    }
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(left));
    return TCL_OK;
}

int Handle::Watermarks(Tcl_Obj *topic, Tcl_Obj *partitionWord, bool query, int timeoutMs, const char *what) {
    int32_t partition;
    if (GetPartition(interp_, partitionWord, false, &partition) != TCL_OK) return TCL_ERROR;
    int64_t low = -1, high = -1;
    const char *name = Tcl_GetString(topic);
    rd_kafka_resp_err_t err = query ? rd_kafka_query_watermark_offsets(rk_.get(), name, partition, &low, &high, timeoutMs)
                                    : rd_kafka_get_watermark_offsets(rk_.get(), name, partition, &low, &high);
    if (err) return KafkaError(interp_, err, std::string(what) + ": " + rd_kafka_err2str(err));
    Tcl_Obj *pair[2] = {Tcl_NewWideIntObj(low), Tcl_NewWideIntObj(high)};
    Tcl_SetObjResult(interp_, Tcl_NewListObj(2, pair));
    return TCL_OK;
}

// get_watermark_offsets topic partition           (cached, from the last fetch)
int Handle::GetWatermarks(int, Tcl_Obj *const objv[]) {
    return Watermarks(objv[2], objv[3], false, 0, "watermark offsets");
}

// query_watermark_offsets topic partition ?-timeout ms?   (asks the leader)
int Handle::QueryWatermarks(int objc, Tcl_Obj *const objv[]) {
    int timeout = kDefaultTimeoutMs;
    if ((objc - 4) % 2 != 0) return kWrongArgs; // the row allows one "-timeout ms" at most
    if (TimeoutOption(interp_, objc, objv, 4, &timeout) != TCL_OK) return TCL_ERROR;
    return Watermarks(objv[2], objv[3], true, timeout, "watermark offsets");
}

// offsets_for_times {{topic partition timestampMs} ...} ?-timeout ms?
int Handle::OffsetsForTimes(int objc, Tcl_Obj *const objv[]) {
    int timeout = kDefaultTimeoutMs;
    if ((objc - 3) % 2 != 0) return kWrongArgs; // the row allows one "-timeout ms" at most
    if (TimeoutOption(interp_, objc, objv, 3, &timeout) != TCL_OK) return TCL_ERROR;
    PartitionListPtr list(PartitionsFromObj(interp_, objv[2], true));
    if (!list) return TCL_ERROR;
    rd_kafka_resp_err_t err = rd_kafka_offsets_for_times(rk_.get(), list.get(), timeout);
    if (err) return KafkaError(interp_, err, std::string("offsets_for_times: ") + rd_kafka_err2str(err));
    Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), true));
    return TCL_OK;
}

} // namespace kafkatcl
