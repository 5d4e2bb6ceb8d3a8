// commit.cpp -- committing a group consumer's offsets, and learning how each
// commit went: `commit` (synchronous, -async, -async -command, -await) and
// the master's offset_commit_callback (automatic commits and the others).
//
// Two routes bring commit results back, both through the handle's wakeup:
// - every handle sets librdkafka's offset_commit_cb; librdkafka posts it on
//   the main queue for each commit made without a callback of its own (the
//   automatic ones, commit, commit -async), served by rd_kafka_poll;
// - `commit -command/-await` goes through rd_kafka_commit_queue on the
//   handle's commit queue, read as events: librdkafka then skips the
//   offset_commit_cb for it (that commit has a callback of its own), so each
//   result has exactly one receiver. The event's opaque is the request's id
//   in commitWaiters_, never a pointer: a reply after the handle forgot the
//   request finds nothing and is dropped.
#include "handle.h"

#include "master.h"
#include "method.h"
#include "options.h"
#include "partitions.h"

#include <syslog.h>

namespace kafkatcl {

namespace {
// The result's error: librdkafka's for the whole commit, else the first
// failed partition's. Nothing to commit (_NO_OFFSET) is no failure.
rd_kafka_resp_err_t CommitError(const HandleEvent &e, std::string *message) {
    if (e.err == RD_KAFKA_RESP_ERR__NO_OFFSET) return RD_KAFKA_RESP_ERR_NO_ERROR;
    if (e.err) {
        *message = std::string("commit failed: ") + rd_kafka_err2str(e.err);
        return e.err;
    }
    const rd_kafka_topic_partition_list_t *list = e.offsets.get();
    for (int i = 0; list && i < list->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = list->elems[i];
        if (!tp.err) continue;
        *message = std::string("commit failed for ") + tp.topic + " [" + std::to_string(tp.partition) +
                   "]: " + rd_kafka_err2str(tp.err);
        return tp.err;
    }
    return RD_KAFKA_RESP_ERR_NO_ERROR;
}

// The result's offsets: those committed or refused. librdkafka's list also
// names, with offset INVALID, the assigned partitions it had nothing new for.
Tcl_Obj *CommitOffsets(const HandleEvent &e) {
    PartitionListPtr sent(rd_kafka_topic_partition_list_new(e.offsets ? e.offsets->cnt : 0));
    for (int i = 0; e.offsets && i < e.offsets->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = e.offsets->elems[i];
        if (tp.offset < 0 && !tp.err) continue;
        rd_kafka_topic_partition_t *copy = rd_kafka_topic_partition_list_add(sent.get(), tp.topic, tp.partition);
        copy->offset = tp.offset;
        copy->err = tp.err;
    }
    return PartitionsToObj(sent.get(), true);
}

// {error ""|ERRNAME ?message M? offsets {{topic partition offset ?ERRNAME?} ...} handle H}
Tcl_Obj *CommitDict(const HandleEvent &e, Tcl_Obj *handle) {
    std::string message;
    rd_kafka_resp_err_t err = CommitError(e, &message);
    Tcl_Obj *dict = Tcl_NewDictObj();
    DictPut(dict, "error", Tcl_NewStringObj(err ? rd_kafka_err2name(err) : "", -1));
    if (err) DictPut(dict, "message", Tcl_NewStringObj(message.c_str(), -1));
    DictPut(dict, "offsets", CommitOffsets(e));
    DictPut(dict, "handle", handle);
    return dict;
}

// Never called: the commit queue is read as events, and librdkafka then
// returns each result as an event. Passing it tells librdkafka that the
// commit has its own receiver (see the top of the file).
void CommitHasOwnReceiver(rd_kafka_t *, rd_kafka_resp_err_t, rd_kafka_topic_partition_list_t *, void *) {}
} // namespace

// librdkafka's offset_commit_cb (inside rd_kafka_poll, this thread).
void Handle::OnOffsetCommit(rd_kafka_t *, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets, void *opaque) {
    HandleEvent e{HandleEvent::OffsetCommit};
    e.err = err;
    if (offsets) e.offsets.reset(rd_kafka_topic_partition_list_copy(offsets));
    static_cast<Handle *>(opaque)->Record(std::move(e));
}

// The results that arrived on the commit queue, recorded as events (so they
// keep their order with the others and share ServeEvents' limit).
void Handle::TakeCommitResults() {
    while (rd_kafka_event_t *event = rd_kafka_queue_poll(commitQueue_.get(), 0)) {
        if (rd_kafka_event_type(event) == RD_KAFKA_EVENT_OFFSET_COMMIT) {
            HandleEvent e{HandleEvent::OffsetCommit};
            e.err = rd_kafka_event_error(event);
            if (rd_kafka_topic_partition_list_t *list = rd_kafka_event_topic_partition_list(event))
                e.offsets.reset(rd_kafka_topic_partition_list_copy(list));
            e.commitId = (uint64_t)(uintptr_t)rd_kafka_event_opaque(event);
            Record(std::move(e));
        }
        rd_kafka_event_destroy(event);
    }
}

void Handle::DispatchCommitResult(HandleEvent &e) {
    if (e.commitId == 0) { // offset_commit_cb
        if (e.err == RD_KAFKA_RESP_ERR__NO_OFFSET) return; // an automatic commit with nothing new
        ObjRef cmd = master_->Callbacks().offsetCommit;
        std::string message;
        if (cmd) InvokeCallback(interp_, cmd.get(), CommitDict(e, NameObj()), "kafka offset commit callback");
        else if (rd_kafka_resp_err_t err = CommitError(e, &message)) // not lost: logged
            LogLine(LOG_WARNING, "COMMITFAIL", message + " (" + rd_kafka_err2name(err) + ")");
        return;
    }
    auto it = commitWaiters_.find(e.commitId);
    if (it == commitWaiters_.end()) return;
    CommitWaiter waiter = std::move(it->second);
    commitWaiters_.erase(it);
    if (!waiter.command) { // -await; nothing to do if its coroutine is gone
        if (!waiter.await) return;
        std::string message;
        rd_kafka_resp_err_t err = CommitError(e, &message);
        if (err) waiter.await->Fail(err, message);
        else waiter.await->Succeed(CommitOffsets(e));
        return;
    }
    InvokeCallback(interp_, waiter.command.get(), CommitDict(e, NameObj()), "kafka commit -command callback");
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

// commit -command/-await: sends the commit with its result to come on the
// commit queue. With -await the coroutine waits for it here.
int Handle::CommitWithReceiver(rd_kafka_topic_partition_list_t *list, Tcl_Obj *command, bool await) {
    CommitWaiter waiter;
    std::shared_ptr<Await> coroutine;
    if (await && !(coroutine = Await::Begin(interp_, "commit -await"))) return TCL_ERROR;
    if (!commitQueue_) {
        commitQueue_.reset(rd_kafka_queue_new(rk_.get()));
        wakeup_->Watch(commitQueue_.get());
    }
    uint64_t id = ++commitSeq_;
    rd_kafka_resp_err_t err =
        rd_kafka_commit_queue(rk_.get(), list, commitQueue_.get(), CommitHasOwnReceiver, (void *)(uintptr_t)id);
    if (err == RD_KAFKA_RESP_ERR__UNKNOWN_GROUP) return NoGroupError(interp_);
    if (err) return KafkaError(interp_, err, std::string("commit failed: ") + rd_kafka_err2str(err));
    waiter.command = ObjRef(command);
    waiter.await = AwaitSlot(coroutine, "the consumer was deleted before the commit's result");
    commitWaiters_.emplace(id, std::move(waiter));
    return coroutine ? Await::Suspend(interp_, coroutine) : TCL_OK;
}

// commit ?-async? ?-command cmd|-await? ?offsets | -message msg?
int Handle::Commit(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        bool async = false, await = false;
        Tcl_Obj *message = nullptr, *command = nullptr;
    };
    using W = Words;
    static const OptionTable<W> table(
        {{"-async", &W::async}, {"-message", &W::message}, {"-command", &W::command}, {"-await", &W::await}},
        Placement::Leading, false);
    Words words;
    std::vector<Tcl_Obj *> rest;
    if (table.Parse(interp_, objc, objv, 2, UsageOf(&Handle::Commit), &words, &rest) != TCL_OK) return TCL_ERROR;
    if (rest.size() > 1 || (words.message && !rest.empty())) return kWrongArgs;
    ObjRef command = words.command ? CallbackArg(words.command) : ObjRef();
    if (words.command && !command) return ArgError(interp_, "commit -command needs a command");
    if (command && words.await) return ArgError(interp_, "-command and -await exclude each other");
    PartitionListPtr list;
    if (words.message) {
        list.reset(MessageOffset(words.message));
        if (!list) return TCL_ERROR;
    } else if (!rest.empty()) {
        list.reset(PartitionsFromObj(interp_, rest[0], true));
        if (!list) return TCL_ERROR;
    }
    if (!list) StoreHanded(); // committing the stored offsets from inside a batch: what it handed so far
    if (command || words.await) return CommitWithReceiver(list.get(), command.get(), words.await);
    rd_kafka_resp_err_t err = rd_kafka_commit(rk_.get(), list.get(), words.async);
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) err = RD_KAFKA_RESP_ERR_NO_ERROR; // nothing new to commit
    if (err == RD_KAFKA_RESP_ERR__UNKNOWN_GROUP) return NoGroupError(interp_);
    if (err) return KafkaError(interp_, err, std::string("commit failed: ") + rd_kafka_err2str(err));
    return list ? PartitionErrors(interp_, list.get(), "commit") : TCL_OK;
}

} // namespace kafkatcl
