// group.cpp -- the group consumer (KafkaConsumer semantics) on consumer
// handles: subscribe/assign, poll/consume, positions, pause/resume,
// rebalance callbacks (commit: commit.cpp). Needs group.id in the configuration.
#include "handle.h"

#include "master.h"
#include "message.h"
#include "method.h"
#include "options.h"
#include "partitions.h"
#include "stream.h"

#include <algorithm>
#include <cstring>

namespace kafkatcl {

namespace {
Tcl_WideInt NowMs() {
    Tcl_Time now;
    Tcl_GetTime(&now);
    return (Tcl_WideInt)now.sec * 1000 + now.usec / 1000;
}

int ErrResult(Tcl_Interp *interp, rd_kafka_resp_err_t err, const char *what) {
    if (!err) return TCL_OK;
    if (err == RD_KAFKA_RESP_ERR__UNKNOWN_GROUP) return NoGroupError(interp);
    return KafkaError(interp, err, std::string(what) + " failed: " + rd_kafka_err2str(err));
}
} // namespace

// The group consumer's queue; nullptr (and a KAFKA _UNKNOWN_GROUP error, as
// librdkafka gives for the other group methods) when the handle was created
// without group.id.
rd_kafka_queue_t *Handle::ConsumerQueue() {
    if (!consumerQueue_) consumerQueue_.reset(rd_kafka_queue_get_consumer(rk_.get()));
    if (!consumerQueue_) NoGroupError(interp_);
    return consumerQueue_.get();
}

namespace {
// Why librdkafka refused a rebalance change (err 0: it was applied).
struct RebalanceFailure {
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::string message; // "rebalance: <call> failed: <librdkafka's reason>"
};

std::string PartitionCount(const rd_kafka_topic_partition_list_t *parts) {
    int n = parts ? parts->cnt : 0;
    return std::to_string(n) + (n == 1 ? " partition" : " partitions");
}

// A cooperative revoke librdkafka refused (a revoked partition had already
// left the assignment) changes nothing, and the group waits for the unassign
// it asked for: close and delete would wait for ever. Unassigns what is still
// assigned of the revoked partitions instead; says so after the message.
void UnassignStillAssigned(rd_kafka_t *rk, const rd_kafka_topic_partition_list_t *revoked, std::string *message) {
    rd_kafka_topic_partition_list_t *raw = nullptr;
    if (rd_kafka_assignment(rk, &raw)) return;
    PartitionListPtr current(raw);
    PartitionListPtr left(rd_kafka_topic_partition_list_new(revoked->cnt));
    for (int i = 0; i < revoked->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = revoked->elems[i];
        if (rd_kafka_topic_partition_list_find(current.get(), tp.topic, tp.partition))
            rd_kafka_topic_partition_list_add(left.get(), tp.topic, tp.partition);
    }
    rd_kafka_error_t *error = rd_kafka_incremental_unassign(rk, left.get());
    if (error) rd_kafka_error_destroy(error);
    else *message += "; unassigned the " + PartitionCount(left.get()) + " still assigned instead";
}

// Applies the change librdkafka proposes: incremental with the cooperative
// protocol; otherwise assign it, or drop the assignment (revoke, group error).
RebalanceFailure ApplyRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts,
                                bool cooperative) {
    bool assign = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS;
    bool revoke = err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS;
    RebalanceFailure failure;
    std::string call;
    if (cooperative && (assign || revoke)) {
        call = std::string(assign ? "incremental_assign" : "incremental_unassign") + " of " + PartitionCount(parts);
        rd_kafka_error_t *error = assign ? rd_kafka_incremental_assign(rk, parts) : rd_kafka_incremental_unassign(rk, parts);
        if (error) {
            failure.err = rd_kafka_error_code(error);
            failure.message = rd_kafka_error_string(error);
            rd_kafka_error_destroy(error);
        }
    } else {
        call = assign ? "assign of " + PartitionCount(parts) : std::string("assign (dropping the assignment)");
        failure.err = rd_kafka_assign(rk, assign ? parts : NULL); // only the code: librdkafka logs its reason
        if (failure.err) failure.message = rd_kafka_err2str(failure.err);
    }
    if (failure.err) failure.message = "rebalance: " + call + " failed: " + failure.message;
    if (failure.err && cooperative && revoke && parts) UnassignStillAssigned(rk, parts, &failure.message);
    return failure;
}

// The rebalance event for the Tcl command, before the change is applied.
HandleEvent RebalanceEvent(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t *parts,
                           const char *protocol, bool lost) {
    HandleEvent e{HandleEvent::Rebalance};
    e.err = err;
    HandleEvent::RebalanceChange &change = e.rebalance;
    change.event = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS   ? "assign"
                   : err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? "revoke"
                                                                 : "error";
    change.protocol = protocol;
    change.lost = lost;
    for (int i = 0; parts && i < parts->cnt; i++)
        change.partitions.emplace_back(parts->elems[i].topic, parts->elems[i].partition);
    return e;
}
} // namespace

// A rebalance_callback -sync command runs here, inside librdkafka's
// rebalance callback (in this thread: it runs while poll, consume,
// consume_batch, a consume_callback stream or close serve the group's
// queue), before anything is applied. True when it made the change itself
// (assign, incremental_assign, incremental_unassign).
bool Handle::RunSyncRebalance(HandleEvent &event) {
    Preserve keep(this);
    Tcl_InterpState saved = Tcl_SaveInterpState(interp_, TCL_OK);
    inRebalance_ = true;
    rebalanceHandled_ = false;
    // A callback like any other: calls inside it dispatch nothing (see ServeEvents).
    DispatchingGuard noNesting(&dispatching_);
    DispatchOne(event);
    inRebalance_ = false;
    Tcl_RestoreInterpState(interp_, saved);
    return rebalanceHandled_;
}

// Runs a -sync command first (unless it made the change itself, applies the
// change librdkafka proposes), else applies the change and queues the events
// for Tcl: a refused change goes to the error callback, and the after-the-fact
// rebalance callback's dict then carries the error instead of announcing the
// change as done.
void Handle::OnRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
    Handle *self = static_cast<Handle *>(opaque);
    self->MarkRebalanced(err, parts);
    // Asked once, before the assign: it is a request to the group thread,
    // which during close stops answering once the revoke is applied.
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    if (!protocol) protocol = "NONE";
    HandleEvent e = RebalanceEvent(err, parts, protocol, rd_kafka_assignment_lost(rk) != 0);
    bool sync = self->rebalanceSync_ && self->rebalanceCommand_ && !self->inRebalance_ && !self->Deleted();
    if (sync && self->RunSyncRebalance(e)) return;
    RebalanceFailure failure = ApplyRebalance(rk, err, parts, !strcmp(protocol, "COOPERATIVE"));
    if (self->Deleted()) return;
    if (failure.err) {
        HandleEvent error{HandleEvent::Error};
        error.err = failure.err;
        error.text = failure.message;
        self->Record(std::move(error));
    }
    if (sync || !self->rebalanceCommand_) return;
    e.rebalance.applyErr = failure.err;
    e.rebalance.applyMessage = failure.message;
    self->Record(std::move(e));
}

// What a batch fetch took of the partitions a rebalance moves, before the
// move, is stale (PopOneByOne, message.cpp): the partition left this member,
// or restarts from its committed offset. A group error drops the assignment.
void Handle::MarkRebalanced(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t *parts) {
    bool change = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS || err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS;
    if (!change || !parts) return MarkAllRepositioned();
    for (int i = 0; i < parts->cnt; i++) MarkRepositioned(parts->elems[i].topic, parts->elems[i].partition);
}

// Methods that serve the group's queue cannot run inside a -sync rebalance
// command: librdkafka is in the middle of serving it.
int Handle::RefuseInRebalance(Tcl_Obj *method) {
    if (!inRebalance_) return TCL_OK;
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                      std::string(Tcl_GetString(method)) + " cannot be called from the rebalance callback -sync: "
                      "return from it, the group's change is applied then");
}

// poll ?timeoutMs?: the next message as a dict, or "" when none came.
int Handle::Poll(int objc, Tcl_Obj *const objv[]) {
    int timeout = 0;
    if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    if (RefuseInRebalance(objv[1]) != TCL_OK || !ConsumerQueue() || // (!ConsumerQueue(): no group.id)
        groupStream_.RefuseWhileDispatching(interp_, "poll") != TCL_OK)
        return TCL_ERROR;
    MessagePtr msg(rd_kafka_consumer_poll(rk_.get(), timeout));
    ServeEvents();
    bool none = !msg || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (!none && msg->err) return MessageError(interp_, msg.get());
    Tcl_SetObjResult(interp_, none ? Tcl_NewObj() : MessageToDict(msg.get(), Format()));
    return TCL_OK;
}

// consume timeoutMs arrayName: 1 and the message in the array, or 0.
int Handle::Consume(int, Tcl_Obj *const objv[]) {
    int timeout;
    if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK || RefuseInRebalance(objv[1]) != TCL_OK ||
        !ConsumerQueue() || // (no group.id)
        groupStream_.RefuseWhileDispatching(interp_, "consume") != TCL_OK)
        return TCL_ERROR;
    MessagePtr msg(rd_kafka_consumer_poll(rk_.get(), timeout));
    ServeEvents();
    return StoreConsumed(interp_, msg, objv[3], Format());
}

// consume_batch timeoutMs count arrayName body: runs body per message; the count.
int Handle::ConsumeBatch(int, Tcl_Obj *const objv[]) {
    int timeout, count;
    if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK || GetCount(interp_, objv[3], &count) != TCL_OK ||
        RefuseInRebalance(objv[1]) != TCL_OK || groupStream_.RefuseWhileDispatching(interp_, "consume_batch") != TCL_OK)
        return TCL_ERROR;
    rd_kafka_queue_t *queue = ConsumerQueue();
    if (!queue) return TCL_ERROR;
    SeatHold hold(groupStream_.Seat()); // a stream started in the body waits for it
    std::vector<MessagePtr> messages;
    int rc = FetchBatch(interp_, (size_t)count,
                        [this, queue, timeout](rd_kafka_message_t **buf, size_t n) {
                            return ConsumeBatchQueue(this, queue, timeout, buf, n);
                        },
                        &messages, "consume_batch");
    ServeEvents(); // on every path
    if (rc != TCL_OK) return TCL_ERROR;
    return RunBatchBody(interp_, this, this, messages, objv[4], objv[5], Format());
}

// subscribe/assign on a group consumer whose handle also has partitions
// started with consume_start: an error, see GroupInUse. (Without group.id
// librdkafka refuses the call itself, with _UNKNOWN_GROUP.)
int Handle::RefuseGroupWhileStarted() {
    if (startedPartitions_ == 0) return TCL_OK;
    rd_kafka_consumer_group_metadata_t *group = rd_kafka_consumer_group_metadata(rk_.get());
    if (!group) return TCL_OK;
    rd_kafka_consumer_group_metadata_destroy(group);
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                      "this handle consumes partitions started with consume_start: use another consumer handle "
                      "for the group consumer, or consume_stop them first");
}

// subscribe topicList ?-command cmd?: -command also starts the
// asynchronous consume_callback (the consumer callback mode).
int Handle::Subscribe(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        Tcl_Obj *command = nullptr;
    };
    static const OptionTable<Words> table({{"-command", &Words::command}}, Placement::Only, false);
    if (objc == 4) return kWrongArgs;
    Words words;
    if (table.Parse(interp_, objc, objv, 3, nullptr, &words) != TCL_OK) return TCL_ERROR;
    Tcl_Size n;
    Tcl_Obj **topics;
    if (Tcl_ListObjGetElements(NULL, objv[2], &n, &topics) != TCL_OK || n == 0)
        return ArgError(interp_, "topicList must be a non-empty list of topics or ^regex patterns");
    PartitionListPtr list(rd_kafka_topic_partition_list_new((int)n));
    for (Tcl_Size i = 0; i < n; i++) rd_kafka_topic_partition_list_add(list.get(), Tcl_GetString(topics[i]), RD_KAFKA_PARTITION_UA);
    if (RefuseGroupWhileStarted() != TCL_OK) return TCL_ERROR;
    // All or nothing: the stream's refusal comes before the subscription.
    if (words.command && CallbackArg(words.command) && RefuseWhileNextWaits(interp_, groupNext_, "subscribe -command") != TCL_OK)
        return TCL_ERROR;
    rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), list.get());
    if (err) return ErrResult(interp_, err, "subscribe");
    groupInUse_ = true;
    if (!words.command) return TCL_OK;
    rd_kafka_queue_t *q = ConsumerQueue();
    if (!q) return TCL_ERROR;
    Tcl_Obj *stream[3] = {objv[0], objv[1], words.command}; // as "consumer consume_callback cmd"
    return QueueConsumeCallback(interp_, this, this, q, &groupStream_, groupNext_, 3, stream);
}

int Handle::Unsubscribe(int, Tcl_Obj *const[]) {
    StoreHanded(); // the revoke commits them
    return ErrResult(interp_, rd_kafka_unsubscribe(rk_.get()), "unsubscribe");
}

void Handle::RunningBatch(HandedOffsets *batch, bool running) {
    if (running) runningBatches_.push_back(batch);
    else runningBatches_.erase(std::find(runningBatches_.begin(), runningBatches_.end(), batch));
}

void Handle::StoreHanded() {
    for (HandedOffsets *batch : runningBatches_) batch->Store();
}

int Handle::Subscription(int, Tcl_Obj *const[]) {
    rd_kafka_topic_partition_list_t *raw = nullptr;
    if (ErrResult(interp_, rd_kafka_subscription(rk_.get(), &raw), "subscription") != TCL_OK) return TCL_ERROR;
    PartitionListPtr list(raw);
    Tcl_Obj *topics = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < list->cnt; i++) Tcl_ListObjAppendElement(NULL, topics, Tcl_NewStringObj(list->elems[i].topic, -1));
    Tcl_SetObjResult(interp_, topics);
    return TCL_OK;
}

// assign ?partitions?, incremental_assign partitions, incremental_unassign partitions.
int Handle::GroupChange(int objc, Tcl_Obj *const objv[], bool incremental, bool assign) {
    rd_kafka_t *rk = rk_.get();
    PartitionListPtr list(objc == 3 ? PartitionsFromObj(interp_, objv[2], false) : nullptr);
    if (objc == 3 && !list) return TCL_ERROR;
    bool empty = !list || list->cnt == 0;
    if (assign && !empty && RefuseGroupWhileStarted() != TCL_OK) return TCL_ERROR;
    if (!incremental) MarkAllRepositioned();
    for (int i = 0; incremental && i < list->cnt; i++) MarkRepositioned(list->elems[i].topic, list->elems[i].partition);
    if (!incremental) {
        rd_kafka_resp_err_t err = rd_kafka_assign(rk, empty ? NULL : list.get());
        if (!err && !empty) groupInUse_ = true;
        if (!err && inRebalance_) rebalanceHandled_ = true; // a -sync command made the change
        return ErrResult(interp_, err, "assign");
    }
    rd_kafka_error_t *error = assign ? rd_kafka_incremental_assign(rk, list.get()) : rd_kafka_incremental_unassign(rk, list.get());
    if (!error && assign && !empty) groupInUse_ = true;
    if (!error && inRebalance_) rebalanceHandled_ = true;
    if (error && rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__UNKNOWN_GROUP) {
        rd_kafka_error_destroy(error);
        return NoGroupError(interp_);
    }
    return error ? RdError(interp_, error, Tcl_GetString(objv[1])) : TCL_OK;
}

int Handle::Assign(int objc, Tcl_Obj *const objv[]) { return GroupChange(objc, objv, false, true); }
int Handle::IncrementalAssign(int objc, Tcl_Obj *const objv[]) { return GroupChange(objc, objv, true, true); }
int Handle::IncrementalUnassign(int objc, Tcl_Obj *const objv[]) { return GroupChange(objc, objv, true, false); }

int Handle::Assignment(int, Tcl_Obj *const[]) {
    rd_kafka_topic_partition_list_t *raw = nullptr;
    if (ErrResult(interp_, rd_kafka_assignment(rk_.get(), &raw), "assignment") != TCL_OK) return TCL_ERROR;
    PartitionListPtr list(raw);
    Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), false));
    return TCL_OK;
}

// consume_callback ?timeoutMs? command
int Handle::ConsumeCallback(int objc, Tcl_Obj *const objv[]) {
    int t; // arguments first, then the state (as the other methods do)
    if (objc == 4 && GetTimeout(interp_, objv[2], &t) != TCL_OK) return TCL_ERROR;
    rd_kafka_queue_t *q = ConsumerQueue();
    if (!q) return TCL_ERROR;
    return QueueConsumeCallback(interp_, this, this, q, &groupStream_, groupNext_, objc, objv);
}

// next ?-timeout ms?: in a coroutine, the group consumer's next message (see QueueNext).
int Handle::Next(int objc, Tcl_Obj *const objv[]) {
    rd_kafka_queue_t *q = ConsumerQueue();
    if (!q) return TCL_ERROR;
    if (rd_kafka_consumer_closed(rk_.get())) // nothing would ever come
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE, "next: the group consumer is closed");
    return QueueNext(interp_, this, this, q, groupStream_, &groupNext_, objc, objv);
}

// committed ?partitions? ?-timeout ms? | position ?partitions? (default: the assignment)
int Handle::Positions(int objc, Tcl_Obj *const objv[], bool committed) {
    rd_kafka_t *rk = rk_.get();
    int timeout = kDefaultTimeoutMs;
    if (committed && TrailingTimeout(interp_, &objc, objv, 0, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc > 3) return kWrongArgs;
    PartitionListPtr list;
    if (objc == 3) {
        list.reset(PartitionsFromObj(interp_, objv[2], false));
        if (!list) return TCL_ERROR;
    } else {
        rd_kafka_topic_partition_list_t *raw = nullptr;
        if (ErrResult(interp_, rd_kafka_assignment(rk, &raw), "assignment") != TCL_OK) return TCL_ERROR;
        list.reset(raw);
    }
    rd_kafka_resp_err_t err = committed ? rd_kafka_committed(rk, list.get(), timeout) : rd_kafka_position(rk, list.get());
    if (ErrResult(interp_, err, committed ? "committed" : "position") != TCL_OK) return TCL_ERROR;
    Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), true));
    return TCL_OK;
}

int Handle::Committed(int objc, Tcl_Obj *const objv[]) { return Positions(objc, objv, true); }
int Handle::Position(int objc, Tcl_Obj *const objv[]) { return Positions(objc, objv, false); }

// seek topic partition offset ?-timeout ms?
int Handle::Seek(int objc, Tcl_Obj *const objv[]) {
    int timeout = kDefaultTimeoutMs;
    if (TrailingTimeout(interp_, &objc, objv, 3, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc != 5) return kWrongArgs;
    Tcl_Obj *triple[3] = {objv[2], objv[3], objv[4]};
    ObjRef one(Tcl_NewListObj(0, nullptr));
    Tcl_ListObjAppendElement(NULL, one.get(), Tcl_NewListObj(3, triple));
    PartitionListPtr list(PartitionsFromObj(interp_, one.get(), true));
    if (!list) return TCL_ERROR;
    for (int i = 0; i < list->cnt; i++) MarkRepositioned(list->elems[i].topic, list->elems[i].partition);
    if (rd_kafka_error_t *error = rd_kafka_seek_partitions(rk_.get(), list.get(), timeout)) return RdError(interp_, error, "seek");
    // With timeout 0 librdkafka marks each seek it started _IN_PROGRESS: that is success.
    for (int i = 0; i < list->cnt; i++)
        if (list->elems[i].err == RD_KAFKA_RESP_ERR__IN_PROGRESS) list->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
    return PartitionErrors(interp_, list.get(), "seek");
}

// pause/resume partitions. librdkafka 2.0.2 moves a partition that is read
// (assigned or started) and resumed without being paused back to its
// committed offset, auto.offset.reset or consume_start's offset (its fetch
// restarts from a stale next offset): the messages already read come again.
// So the handle keeps the set of partitions the application paused
// (librdkafka keeps that flag on the partition across unassign/assign and
// consume_stop/start, and so does the set), and leaves out of the call the
// partitions it reads whose state would not change: a resume of one not
// paused, a pause of one paused (a second pause would set its next offset
// again from the last one read). The others go to librdkafka as before: a
// partition not read has no fetch to restart, and one the handle does not
// know gets librdkafka's own _UNKNOWN_PARTITION.
int Handle::Pause(int, Tcl_Obj *const objv[]) { return PauseOrResume(objv[2], true); }
int Handle::Resume(int, Tcl_Obj *const objv[]) { return PauseOrResume(objv[2], false); }

int Handle::PauseOrResume(Tcl_Obj *partitions, bool pause) {
    const char *what = pause ? "pause" : "resume";
    PartitionListPtr list(PartitionsFromObj(interp_, partitions, false));
    if (!list) return TCL_ERROR;
    std::set<std::pair<std::string, int32_t>> read(startedSet_);
    rd_kafka_topic_partition_list_t *raw = nullptr;
    if (!rd_kafka_assignment(rk_.get(), &raw)) {
        PartitionListPtr assigned(raw);
        for (int i = 0; i < assigned->cnt; i++) read.emplace(assigned->elems[i].topic, assigned->elems[i].partition);
    }
    PartitionListPtr change(rd_kafka_topic_partition_list_new(list->cnt));
    std::set<std::pair<std::string, int32_t>> listed; // a partition twice: a second resume would be of one not paused
    for (int i = 0; i < list->cnt; i++) {
        std::pair<std::string, int32_t> tp(list->elems[i].topic, list->elems[i].partition);
        bool same = (appPaused_.count(tp) > 0) == pause;
        if ((!same || !read.count(tp)) && listed.insert(tp).second)
            rd_kafka_topic_partition_list_add(change.get(), tp.first.c_str(), tp.second);
    }
    if (!change->cnt) return TCL_OK;
    rd_kafka_resp_err_t err = pause ? rd_kafka_pause_partitions(rk_.get(), change.get())
                                    : rd_kafka_resume_partitions(rk_.get(), change.get());
    if (ErrResult(interp_, err, what) != TCL_OK) return TCL_ERROR;
    for (int i = 0; i < change->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = change->elems[i];
        if (tp.err) continue;
        if (pause) appPaused_.emplace(tp.topic, tp.partition);
        else appPaused_.erase({tp.topic, tp.partition});
    }
    return PartitionErrors(interp_, change.get(), what);
}

// store_offsets {{topic partition offset} ...}
int Handle::StoreOffsets(int, Tcl_Obj *const objv[]) {
    PartitionListPtr list(PartitionsFromObj(interp_, objv[2], true));
    if (!list) return TCL_ERROR;
    if (ErrResult(interp_, rd_kafka_offsets_store(rk_.get(), list.get()), "store_offsets") != TCL_OK) return TCL_ERROR;
    return PartitionErrors(interp_, list.get(), "store_offsets");
}

// rebalance_callback ?-sync? ?command?: sets it ("" for none); the current
// one (after -sync when it is one: the words that set it again).
int Handle::RebalanceCallback(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        bool sync = false;
    };
    static const OptionTable<Words> table({{"-sync", &Words::sync}}, Placement::Leading, false);
    Words words;
    std::vector<Tcl_Obj *> rest;
    if (table.Parse(interp_, objc, objv, 2, UsageOf(&Handle::RebalanceCallback), &words, &rest) != TCL_OK)
        return TCL_ERROR;
    if (rest.size() > 1 || (words.sync && rest.empty())) return kWrongArgs;
    if (!rest.empty()) {
        rebalanceCommand_ = CallbackArg(rest[0]);
        rebalanceSync_ = words.sync && rebalanceCommand_;
    }
    if (!rebalanceSync_) {
        Tcl_SetObjResult(interp_, rebalanceCommand_ ? rebalanceCommand_.get() : Tcl_NewObj());
        return TCL_OK;
    }
    Tcl_Obj *setting[2] = {Tcl_NewStringObj("-sync", -1), rebalanceCommand_.get()};
    Tcl_SetObjResult(interp_, Tcl_NewListObj(2, setting));
    return TCL_OK;
}

// close ?-timeout ms?: without -timeout, librdkafka's blocking close; with
// it, rd_kafka_consumer_close_queue and this thread serves the close's queue
// (the final revoke's callback runs here) until closed or the time is up.
int Handle::Close(int objc, Tcl_Obj *const objv[]) {
    int timeout = -1;
    if (TrailingTimeout(interp_, &objc, objv, 0, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc != 2) return kWrongArgs;
    if (RefuseInRebalance(objv[1]) != TCL_OK) return TCL_ERROR;
    if (startedPartitions_ > 0) // librdkafka 2.0.2 would wait forever
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                          "close is for the group consumer: stop the partitions started with consume_start "
                          "(consume_stop) or delete the handle");
    groupStream_.Reset();
    if (groupNext_) groupNext_->Stop("the group consumer was closed while next waited"); // never left hanging
    StoreHanded(); // a close from inside a batch: what the script got so far is committed, no more
    if (timeout < 0 && !closeQueue_) {
        rd_kafka_unsubscribe(rk_.get()); // see ~Handle: close alone leaves a re-subscription behind
        rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk_.get());
        groupInUse_ = false;   // nothing assigned any more
        ServeEvents(SIZE_MAX); // the final revoke
        return ErrResult(interp_, err, "close");
    }
    return CloseWithin(timeout);
}

// The bounded close (and any close after one that ran out of time).
int Handle::CloseWithin(int timeout) {
    rd_kafka_t *rk = rk_.get();
    if (!closeQueue_) {
        rd_kafka_unsubscribe(rk);
        QueuePtr queue(rd_kafka_queue_new(rk));
        if (rd_kafka_error_t *error = rd_kafka_consumer_close_queue(rk, queue.get())) return RdError(interp_, error, "close");
        closeQueue_ = std::move(queue);
        wakeup_->Watch(closeQueue_.get()); // what is left of it is served from the event loop
    }
    Tcl_WideInt deadline = timeout < 0 ? 0 : NowMs() + timeout;
    while (!rd_kafka_consumer_closed(rk)) {
        Tcl_WideInt left = timeout < 0 ? 100 : deadline - NowMs();
        if (left <= 0) break;
        ServeCloseQueue((int)(left < 100 ? left : 100));
        if (Deleted()) break;
    }
    ServeEvents(SIZE_MAX); // the final revoke's after-the-fact callback
    if (!rd_kafka_consumer_closed(rk_.get()))
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__TIMED_OUT,
                          "close did not complete within " + std::to_string(timeout) +
                              " ms: it goes on from the event loop (close again to wait for it)");
    groupInUse_ = false;
    return TCL_OK;
}

// Serves the close's queue until it is empty (waiting up to timeoutMs for
// the first op). rd_kafka_consumer_close_queue forwards the group's queue
// there, with the messages fetched and not read yet: a callback-mode serve
// (rd_kafka_queue_poll_callback) meets them and librdkafka aborts the
// process (rd_kafka_q_serve: assert res != RD_KAFKA_OP_RES_PASS). So it is
// served as events: a rebalance runs OnRebalance as librdkafka's callback
// would, an error goes to the error callback, and a message is dropped
// unread, as rd_kafka_consumer_close drops it: its offset is not stored
// (only handing it to the application stores it), so it is not committed.
void Handle::ServeCloseQueue(int timeoutMs) {
    Preserve keep(this);
    while (!Deleted()) {
        EventPtr event(rd_kafka_queue_poll(closeQueue_.get(), timeoutMs));
        if (!event) return; // nothing in time, or the close's TERMINATE (served inside)
        timeoutMs = 0;
        rd_kafka_event_t *ev = event.get();
        switch (rd_kafka_event_type(ev)) {
        case RD_KAFKA_EVENT_REBALANCE:
            OnRebalance(rk_.get(), rd_kafka_event_error(ev), rd_kafka_event_topic_partition_list(ev), this);
            break;
        case RD_KAFKA_EVENT_ERROR:
            OnError(rk_.get(), rd_kafka_event_error(ev), rd_kafka_event_error_string(ev), this);
            break;
        default: // a fetched message (RD_KAFKA_EVENT_FETCH): dropped unread
            break;
        }
    }
}

// member_id: the member id the group coordinator gave this consumer ("" until it joined).
int Handle::MemberId(int, Tcl_Obj *const[]) {
    if (!ConsumerQueue()) return TCL_ERROR;
    char *id = rd_kafka_memberid(rk_.get());
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(id ? id : "", -1));
    if (id) rd_kafka_mem_free(rk_.get(), id);
    return TCL_OK;
}

// generation: the group generation this member is in (-1 until it joined).
// librdkafka 2.0.2 has no getter: its serialized group metadata (the
// "CGMDv2:" format of rd_kafka_consumer_group_metadata_write, the same up to
// 2.8 at least) carries the generation id right after the magic.
int Handle::Generation(int, Tcl_Obj *const[]) {
    if (!ConsumerQueue()) return TCL_ERROR;
    using GroupMetadataPtr = Owned<rd_kafka_consumer_group_metadata_t, rd_kafka_consumer_group_metadata_destroy>;
    GroupMetadataPtr group(rd_kafka_consumer_group_metadata(rk_.get()));
    void *buffer = nullptr;
    size_t size = 0;
    if (!group) return NoGroupError(interp_);
    if (rd_kafka_error_t *error = rd_kafka_consumer_group_metadata_write(group.get(), &buffer, &size))
        return RdError(interp_, error, "generation");
    static const char magic[7] = {'C', 'G', 'M', 'D', 'v', '2', ':'};
    int32_t generation = 0;
    bool known = size >= sizeof magic + sizeof generation && !memcmp(buffer, magic, sizeof magic);
    if (known) memcpy(&generation, (char *)buffer + sizeof magic, sizeof generation);
    rd_kafka_mem_free(rk_.get(), buffer);
    if (!known)
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__UNSUPPORTED_FEATURE,
                          "generation: this librdkafka's group metadata format is not known");
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(generation));
    return TCL_OK;
}

} // namespace kafkatcl
