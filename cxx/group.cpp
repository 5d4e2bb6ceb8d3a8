// group.cpp -- the group consumer (KafkaConsumer semantics) on consumer
// handles: subscribe/assign, poll/consume, commit, positions, pause/resume,
// rebalance callbacks. Needs group.id in the configuration.
#include "handle.h"

#include "master.h"
#include "message.h"
#include "partitions.h"
#include "stream.h"

#include <cstring>

namespace kafkatcl {

namespace {
enum {
    SUBSCRIBE, UNSUBSCRIBE, SUBSCRIPTION, ASSIGN, INCREMENTAL_ASSIGN, INCREMENTAL_UNASSIGN, ASSIGNMENT, POLL, CONSUME,
    CONSUME_BATCH, CONSUME_CALLBACK, COMMIT, COMMITTED, POSITION, SEEK, PAUSE, RESUME, STORE_OFFSETS,
    REBALANCE_CALLBACK, CLOSE
};

int ErrResult(Tcl_Interp *interp, rd_kafka_resp_err_t err, const char *what) {
    if (!err) return TCL_OK;
    return KafkaError(interp, err, std::string(what) + " failed: " + rd_kafka_err2str(err));
}
} // namespace

// The group consumer's queue; nullptr (and a KAFKA _UNKNOWN_GROUP error, as
// librdkafka gives for the other group methods) when the handle was created
// without group.id.
rd_kafka_queue_t *Handle::ConsumerQueue() {
    if (!consumerQueue_) consumerQueue_.reset(rd_kafka_queue_get_consumer(rk_.get()));
    if (!consumerQueue_)
        KafkaError(interp_, RD_KAFKA_RESP_ERR__UNKNOWN_GROUP,
                   "this consumer handle has no group: set group.id before creating it");
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
    return failure;
}
} // namespace

// Applies the change librdkafka proposes, then queues the events for Tcl: a
// refused change goes to the error callback, and the rebalance callback's
// dict then carries the error instead of announcing the change as done.
void Handle::OnRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque) {
    Handle *self = static_cast<Handle *>(opaque);
    // Asked once, before the assign: it is a request to the group thread,
    // which during close stops answering once the revoke is applied.
    const char *protocol = rd_kafka_rebalance_protocol(rk);
    if (!protocol) protocol = "NONE";
    RebalanceFailure failure = ApplyRebalance(rk, err, parts, !strcmp(protocol, "COOPERATIVE"));
    if (self->Deleted()) return;
    if (failure.err) {
        HandleEvent e{HandleEvent::Error};
        e.err = failure.err;
        e.text = failure.message;
        self->Record(std::move(e));
    }
    if (!self->rebalanceCommand_) return;
    HandleEvent e{HandleEvent::Rebalance};
    e.err = err;
    e.text = err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS   ? "assign"
             : err == RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS ? "revoke"
                                                           : "error";
    e.facility = protocol;
    e.applyErr = failure.err;
    e.applyMessage = failure.message;
    for (int i = 0; parts && i < parts->cnt; i++) e.partitions.emplace_back(parts->elems[i].topic, parts->elems[i].partition);
    self->Record(std::move(e));
}

// poll ?timeoutMs? -> dict or "" | consume timeoutMs array -> 1/0 |
// consume_batch timeoutMs count array body -> count
int Handle::GroupConsume(int objc, Tcl_Obj *const objv[], int form) {
    int timeout = 0, count = 1;
    if (form == POLL) {
        if (objc > 3) return WrongArgs(interp_, 2, objv, "?timeoutMs?");
        if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    } else if (form == CONSUME) {
        if (objc != 4) return WrongArgs(interp_, 2, objv, "timeoutMs arrayName");
        if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    } else {
        if (objc != 6) return WrongArgs(interp_, 2, objv, "timeoutMs count arrayName body");
        if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK || GetCount(interp_, objv[3], &count) != TCL_OK)
            return TCL_ERROR;
    }
    if (form == CONSUME_BATCH) {
        rd_kafka_queue_t *queue = ConsumerQueue();
        if (!queue) return TCL_ERROR;
        std::vector<MessagePtr> messages;
        int rc = FetchBatch(interp_, (size_t)count,
                            [queue, timeout](rd_kafka_message_t **buf, size_t n) {
                                return rd_kafka_consume_batch_queue(queue, timeout, buf, n);
                            },
                            &messages, "consume_batch");
        ServeEvents(); // on every path
        if (rc != TCL_OK) return TCL_ERROR;
        return RunBatchBody(interp_, this, messages, objv[4], objv[5], Format());
    }
    MessagePtr msg(rd_kafka_consumer_poll(rk_.get(), timeout));
    ServeEvents();
    if (form == CONSUME) return StoreConsumed(interp_, msg, objv[3], Format());
    bool none = !msg || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF;
    if (!none && msg->err) return MessageError(interp_, msg.get());
    Tcl_SetObjResult(interp_, none ? Tcl_NewObj() : MessageToDict(msg.get(), Format()));
    return TCL_OK;
}

// commit -message: the message dict's (as poll gives it, or [array get]
// of consume's array) topic and partition with its offset + 1, the next
// message to read. nullptr and an error when it is not such a dict.
rd_kafka_topic_partition_list_t *Handle::MessageOffset(Tcl_Obj *message) {
    static const char *const keys[] = {"topic", "partition", "offset"};
    Tcl_Obj *values[3];
    for (int k = 0; k < 3; k++) {
        Tcl_Obj *key = Tcl_NewStringObj(keys[k], -1);
        Tcl_IncrRefCount(key);
        int ok = Tcl_DictObjGet(NULL, message, key, &values[k]);
        Tcl_DecrRefCount(key);
        if (ok != TCL_OK || !values[k]) {
            ArgError(interp_, std::string("bad message \"") + Tcl_GetString(message) +
                                  "\": must be a dict with topic, partition and offset, as poll returns");
            return nullptr;
        }
    }
    int32_t partition;
    Tcl_WideInt offset;
    if (GetPartition(interp_, values[1], false, &partition) != TCL_OK ||
        GetWideInt(interp_, values[2], "offset", &offset) != TCL_OK)
        return nullptr;
    if (offset < 0) {
        ArgError(interp_, "the message's offset must be >= 0");
        return nullptr;
    }
    rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, Tcl_GetString(values[0]), partition)->offset = offset + 1;
    return list;
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

int Handle::ConsumerMethod(int m, int objc, Tcl_Obj *const objv[]) {
    rd_kafka_t *rk = rk_.get();
    int timeout = 5000;
    switch (m) {
    case SUBSCRIBE: {
        // subscribe topicList ?-command cmd?: -command also starts the
        // asynchronous consume_callback (the consumer callback mode).
        if (objc != 3 && objc != 5) return WrongArgs(interp_, 2, objv, "topicList ?-command cmd?");
        if (objc == 5 && strcmp(Tcl_GetString(objv[3]), "-command"))
            return ArgError(interp_, std::string("bad option \"") + Tcl_GetString(objv[3]) + "\": must be -command");
        int n;
        Tcl_Obj **topics;
        if (Tcl_ListObjGetElements(NULL, objv[2], &n, &topics) != TCL_OK || n == 0)
            return ArgError(interp_, "topicList must be a non-empty list of topics or ^regex patterns");
        PartitionListPtr list(rd_kafka_topic_partition_list_new(n));
        for (int i = 0; i < n; i++) rd_kafka_topic_partition_list_add(list.get(), Tcl_GetString(topics[i]), RD_KAFKA_PARTITION_UA);
        if (RefuseGroupWhileStarted() != TCL_OK) return TCL_ERROR;
        rd_kafka_resp_err_t err = rd_kafka_subscribe(rk, list.get());
        if (!err) groupInUse_ = true;
        if (err) return ErrResult(interp_, err, "subscribe");
        if (objc == 3) return TCL_OK;
        rd_kafka_queue_t *q = ConsumerQueue();
        if (!q) return TCL_ERROR;
        Tcl_Obj *stream[3] = {objv[0], objv[1], objv[4]}; // as "consumer consume_callback cmd"
        return QueueConsumeCallback(interp_, this, this, q, &groupStream_, 3, stream);
    }
    case UNSUBSCRIBE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        return ErrResult(interp_, rd_kafka_unsubscribe(rk), "unsubscribe");
    case SUBSCRIPTION: {
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        rd_kafka_topic_partition_list_t *raw = nullptr;
        if (ErrResult(interp_, rd_kafka_subscription(rk, &raw), "subscription") != TCL_OK) return TCL_ERROR;
        PartitionListPtr list(raw);
        Tcl_Obj *topics = Tcl_NewListObj(0, NULL);
        for (int i = 0; i < list->cnt; i++) Tcl_ListObjAppendElement(NULL, topics, Tcl_NewStringObj(list->elems[i].topic, -1));
        Tcl_SetObjResult(interp_, topics);
        return TCL_OK;
    }
    case ASSIGN:
    case INCREMENTAL_ASSIGN:
    case INCREMENTAL_UNASSIGN: {
        if (objc != 3 && !(m == ASSIGN && objc == 2)) return WrongArgs(interp_, 2, objv, m == ASSIGN ? "?partitions?" : "partitions");
        PartitionListPtr list(objc == 3 ? PartitionsFromObj(interp_, objv[2], false) : nullptr);
        if (objc == 3 && !list) return TCL_ERROR;
        bool empty = !list || list->cnt == 0;
        if (m != INCREMENTAL_UNASSIGN && !empty && RefuseGroupWhileStarted() != TCL_OK) return TCL_ERROR;
        if (m == ASSIGN) {
            rd_kafka_resp_err_t err = rd_kafka_assign(rk, empty ? NULL : list.get());
            if (!err && !empty) groupInUse_ = true;
            return ErrResult(interp_, err, "assign");
        }
        rd_kafka_error_t *error = m == INCREMENTAL_ASSIGN ? rd_kafka_incremental_assign(rk, list.get())
                                                          : rd_kafka_incremental_unassign(rk, list.get());
        if (!error && m == INCREMENTAL_ASSIGN && !empty) groupInUse_ = true;
        return error ? RdError(interp_, error, Tcl_GetString(objv[1])) : TCL_OK;
    }
    case ASSIGNMENT: {
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        rd_kafka_topic_partition_list_t *raw = nullptr;
        if (ErrResult(interp_, rd_kafka_assignment(rk, &raw), "assignment") != TCL_OK) return TCL_ERROR;
        PartitionListPtr list(raw);
        Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), false));
        return TCL_OK;
    }
    case POLL:
    case CONSUME:
    case CONSUME_BATCH:
        return GroupConsume(objc, objv, m);
    case CONSUME_CALLBACK: {
        if (objc != 3 && objc != 4) return WrongArgs(interp_, 2, objv, "?timeoutMs? command");
        int t; // arguments first, then the state (as the other methods do)
        if (objc == 4 && GetTimeout(interp_, objv[2], &t) != TCL_OK) return TCL_ERROR;
        rd_kafka_queue_t *q = ConsumerQueue();
        if (!q) return TCL_ERROR;
        return QueueConsumeCallback(interp_, this, this, q, &groupStream_, objc, objv);
    }
    case COMMIT: {
        // commit ?-async? ?offsets? | commit ?-async? -message msg
        static const char *const usage = "?-async? ?-message msg | {{topic partition offset} ...}?";
        bool async = false;
        Tcl_Obj *message = nullptr;
        int i = 2;
        // Option words: one word starting with "-" cannot be a partition list.
        while (i < objc && Tcl_GetString(objv[i])[0] == '-' && !strpbrk(Tcl_GetString(objv[i]), " \t\n{")) {
            const char *word = Tcl_GetString(objv[i]);
            if (!strcmp(word, "-async")) {
                async = true;
                i++;
            } else if (!strcmp(word, "-message")) {
                if (i + 1 >= objc) return WrongArgs(interp_, 2, objv, usage);
                message = objv[i + 1];
                i += 2;
            } else {
                return ArgError(interp_, std::string("bad option \"") + word + "\": must be -async or -message");
            }
        }
        if (objc > i + 1 || (message && objc > i)) return WrongArgs(interp_, 2, objv, usage);
        PartitionListPtr list;
        if (message) {
            list.reset(MessageOffset(message));
            if (!list) return TCL_ERROR;
        } else if (i < objc) {
            list.reset(PartitionsFromObj(interp_, objv[i], true));
            if (!list) return TCL_ERROR;
        }
        rd_kafka_resp_err_t err = rd_kafka_commit(rk, list.get(), async);
        if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) err = RD_KAFKA_RESP_ERR_NO_ERROR; // nothing new to commit
        if (ErrResult(interp_, err, "commit") != TCL_OK) return TCL_ERROR;
        return list ? PartitionErrors(interp_, list.get(), "commit") : TCL_OK;
    }
    case COMMITTED:
    case POSITION: {
        if (m == COMMITTED && TrailingTimeout(interp_, &objc, objv, 2, &timeout) != TCL_OK) return TCL_ERROR;
        if (objc > 3) return WrongArgs(interp_, 2, objv, m == COMMITTED ? "?partitions? ?-timeout ms?" : "?partitions?");
        PartitionListPtr list;
        if (objc == 3) {
            list.reset(PartitionsFromObj(interp_, objv[2], false));
            if (!list) return TCL_ERROR;
        } else {
            rd_kafka_topic_partition_list_t *raw = nullptr;
            if (ErrResult(interp_, rd_kafka_assignment(rk, &raw), "assignment") != TCL_OK) return TCL_ERROR;
            list.reset(raw);
        }
        rd_kafka_resp_err_t err = m == COMMITTED ? rd_kafka_committed(rk, list.get(), timeout) : rd_kafka_position(rk, list.get());
        if (ErrResult(interp_, err, m == COMMITTED ? "committed" : "position") != TCL_OK) return TCL_ERROR;
        Tcl_SetObjResult(interp_, PartitionsToObj(list.get(), true));
        return TCL_OK;
    }
    case SEEK: {
        // seek topic partition offset ?-timeout ms?
        if (TrailingTimeout(interp_, &objc, objv, 5, &timeout) != TCL_OK) return TCL_ERROR;
        if (objc != 5) return WrongArgs(interp_, 2, objv, "topic partition offset ?-timeout ms?");
        Tcl_Obj *triple[3] = {objv[2], objv[3], objv[4]};
        Tcl_Obj *one = Tcl_NewListObj(1, nullptr);
        Tcl_ListObjAppendElement(NULL, one, Tcl_NewListObj(3, triple));
        Tcl_IncrRefCount(one);
        PartitionListPtr list(PartitionsFromObj(interp_, one, true));
        Tcl_DecrRefCount(one);
        if (!list) return TCL_ERROR;
        if (rd_kafka_error_t *error = rd_kafka_seek_partitions(rk, list.get(), timeout)) return RdError(interp_, error, "seek");
        // With timeout 0 librdkafka marks each seek it started _IN_PROGRESS: that is success.
        for (int i = 0; i < list->cnt; i++)
            if (list->elems[i].err == RD_KAFKA_RESP_ERR__IN_PROGRESS) list->elems[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
        return PartitionErrors(interp_, list.get(), "seek");
    }
    case PAUSE:
    case RESUME: {
        if (objc != 3) return WrongArgs(interp_, 2, objv, "partitions");
        PartitionListPtr list(PartitionsFromObj(interp_, objv[2], false));
        if (!list) return TCL_ERROR;
        rd_kafka_resp_err_t err = m == PAUSE ? rd_kafka_pause_partitions(rk, list.get()) : rd_kafka_resume_partitions(rk, list.get());
        if (ErrResult(interp_, err, Tcl_GetString(objv[1])) != TCL_OK) return TCL_ERROR;
        return PartitionErrors(interp_, list.get(), Tcl_GetString(objv[1]));
    }
    case STORE_OFFSETS: {
        if (objc != 3) return WrongArgs(interp_, 2, objv, "{{topic partition offset} ...}");
        PartitionListPtr list(PartitionsFromObj(interp_, objv[2], true));
        if (!list) return TCL_ERROR;
        if (ErrResult(interp_, rd_kafka_offsets_store(rk, list.get()), "store_offsets") != TCL_OK) return TCL_ERROR;
        return PartitionErrors(interp_, list.get(), "store_offsets");
    }
    case REBALANCE_CALLBACK:
        if (objc > 3) return WrongArgs(interp_, 2, objv, "?command?");
        if (objc == 3) rebalanceCommand_ = CallbackArg(objv[2]);
        Tcl_SetObjResult(interp_, rebalanceCommand_ ? rebalanceCommand_.get() : Tcl_NewObj());
        return TCL_OK;
    case CLOSE:
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        if (startedPartitions_ > 0) // librdkafka 2.0.2 would wait forever
            return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                              "close is for the group consumer: stop the partitions started with consume_start "
                              "(consume_stop) or delete the handle");
        groupStream_.Reset();
        {
            rd_kafka_unsubscribe(rk); // see ~Handle: close alone leaves a re-subscription behind
            rd_kafka_resp_err_t err = rd_kafka_consumer_close(rk);
            groupInUse_ = false; // nothing assigned any more
            ServeEvents(SIZE_MAX); // the final revoke
            return ErrResult(interp_, err, "close");
        }
    }
    return TCL_ERROR;
}

} // namespace kafkatcl
