// stream.cpp -- consume_callback, asynchronous and synchronous.
#include "stream.h"

#include "handle.h"
#include "message.h"
#include "options.h"

#include <vector>

namespace kafkatcl {

std::shared_ptr<Stream> Stream::Start(Object *owner, Handle *handle, rd_kafka_queue_t *queue, bool ownsQueue,
                                      Tcl_Obj *command) {
    std::shared_ptr<Stream> s(new Stream(owner, handle, queue, ownsQueue, command));
    s->wakeup_->Watch(s->queue_.get());
    s->wakeup_->Again(); // messages may already be waiting
    return s;
}

Stream::Stream(Object *owner, Handle *handle, rd_kafka_queue_t *queue, bool ownsQueue, Tcl_Obj *command)
    : owner_(owner), handle_(handle), command_(command), queue_(queue), ownsQueue_(ownsQueue) {
    wakeup_.reset(new Wakeup(owner->Interp(), [this] { OnWake(); }));
}

Stream::~Stream() { Stop(); }

void Stream::Stop() {
    cancelled_ = true;
    if (!queue_) return;
    wakeup_->Unwatch(queue_.get());
    if (!ownsQueue_) queue_.release();
    queue_.reset();
}

void StreamSlot::Reset(std::shared_ptr<Stream> next) {
    if (stream_) stream_->Stop();
    stream_ = std::move(next);
}

void Stream::OnWake() {
    if (cancelled_ || owner_->Deleted()) return;
    // The owner is released after the stream (reverse declaration order); its
    // destructor Stop()s the stream in any case before the queue goes.
    Preserve keepOwner(owner_);
    std::shared_ptr<Stream> keep = shared_from_this(); // a stop from the command must not free us here
    std::vector<rd_kafka_message_t *> raw(kBatch);
    ssize_t got = rd_kafka_consume_batch_queue(queue_.get(), 0, raw.data(), kBatch);
    std::vector<MessagePtr> messages;
    for (ssize_t i = 0; i < got; i++) messages.emplace_back(raw[(size_t)i]);
    HandedOffsets stored(owner_, handle_, messages);
    // A group consumer's rebalance runs inside that fetch: its callback (and
    // any other handle event) goes before the messages it assigned.
    if (owner_ == handle_) handle_->ServeEvents();
    if (messages.empty()) return;
    uint64_t mark = handle_->RepositionMark(); // a seek/start by the callbacks wins over the put-back
    Tcl_Interp *interp = owner_->Interp();
    MessageFormat format = handle_->Format();
    for (size_t i = 0; i < messages.size(); i++) {
        if (messages[i]->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || Superseded(handle_, messages[i].get(), mark)) continue;
        if (cancelled_ || owner_->Deleted()) {
            if (!owner_->Deleted()) PutBack(handle_, messages, i, mark);
            return;
        }
        stored.Handed(messages[i].get());
        InvokeCallback(interp, command_.get(), MessageToDict(messages[i].get(), format), "kafka consume_callback");
    }
    if (!cancelled_ && !owner_->Deleted() && (size_t)got == kBatch) wakeup_->Again();
}

int ConsumeCallbackSync(Tcl_Interp *interp, Object *owner, Handle *handle, int timeoutMs, Tcl_Obj *command,
                        const std::function<ssize_t(int, rd_kafka_message_t **, size_t)> &fetch) {
    std::vector<MessagePtr> messages;
    int rc = FetchBatch(interp, Stream::kBatch,
                        [&](rd_kafka_message_t **buf, size_t n) { return fetch(timeoutMs, buf, n); }, &messages,
                        "consume_callback");
    handle->ServeEvents(); // on every path
    if (rc != TCL_OK) return TCL_ERROR;
    MessageFormat format = handle->Format();
    ObjRef cmd(command);
    return RunBatch(
        interp, owner, handle, messages,
        [&](const rd_kafka_message_t *m) {
            Tcl_Obj *script = Tcl_DuplicateObj(cmd.get());
            Tcl_IncrRefCount(script);
            Tcl_ListObjAppendElement(NULL, script, MessageToDict(m, format));
            int code = Tcl_EvalObjEx(interp, script, TCL_EVAL_GLOBAL);
            Tcl_DecrRefCount(script);
            return code;
        },
        "\"consume_callback\" command");
}

int QueueConsumeCallback(Tcl_Interp *interp, Object *owner, Handle *handle, rd_kafka_queue_t *queue,
                         StreamSlot *stream, int objc, Tcl_Obj *const objv[]) {
    if (objc == 4) {
        int timeout;
        if (GetTimeout(interp, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
        return ConsumeCallbackSync(interp, owner, handle, timeout, objv[3],
                                   [queue](int t, rd_kafka_message_t **buf, size_t n) {
                                       return rd_kafka_consume_batch_queue(queue, t, buf, n);
                                   });
    }
    stream->Reset();
    ObjRef command = CallbackArg(objv[2]);
    if (command) stream->Reset(Stream::Start(owner, handle, queue, false, command.get()));
    return TCL_OK;
}

// The queue's next message, end-of-partition notices skipped; null if none waits.
static MessagePtr TakeMessage(rd_kafka_queue_t *queue) {
    for (;;) {
        MessagePtr msg(rd_kafka_consume_queue(queue, 0));
        if (!msg || msg->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) return msg;
    }
}

NextWait::NextWait(Object *owner, Handle *handle, rd_kafka_queue_t *queue, std::shared_ptr<Await> await, int timeoutMs)
    : owner_(owner), handle_(handle), queue_(queue), await_(std::move(await)), timeoutMs_(timeoutMs) {
    wakeup_.reset(new Wakeup(owner->Interp(), [this] { OnWake(); }));
    wakeup_->Watch(queue_);
    wakeup_->Again(); // a message may have come in meanwhile
    if (timeoutMs_ >= 0) timer_ = Tcl_CreateTimerHandler(timeoutMs_, OnTimeout, this);
}

std::shared_ptr<Await> NextWait::Finish() {
    if (await_) wakeup_->Unwatch(queue_);
    if (timer_) Tcl_DeleteTimerHandler(timer_);
    timer_ = nullptr;
    return std::move(await_);
}

void NextWait::Stop() {
    std::shared_ptr<Await> await = Finish();
    if (await) await->FailLater(RD_KAFKA_RESP_ERR__DESTROY, "the consumer or queue was deleted while next waited");
}

// Completing resumes the coroutine, which may start another NextWait in
// this one's place (freeing this one): nothing of *this is used after it.
void NextWait::OnWake() {
    if (!await_ || owner_->Deleted()) return;
    Preserve keepOwner(owner_);
    MessagePtr msg = TakeMessage(queue_);
    if (owner_ == handle_) handle_->ServeEvents(); // a rebalance goes before its messages
    if (!msg || !await_) return;
    Tcl_Interp *interp = owner_->Interp();
    MessageFormat format = handle_->Format();
    std::shared_ptr<Await> await = Finish();
    if (!msg->err) return await->Succeed(MessageToDict(msg.get(), format));
    Tcl_InterpState saved = Tcl_SaveInterpState(interp, TCL_OK);
    MessageError(interp, msg.get());
    await->Complete(TCL_ERROR);
    Tcl_RestoreInterpState(interp, saved);
}

void NextWait::OnTimeout(ClientData cd) {
    NextWait *self = static_cast<NextWait *>(cd);
    self->timer_ = nullptr;
    int ms = self->timeoutMs_;
    std::shared_ptr<Await> await = self->Finish();
    if (await) await->Fail(RD_KAFKA_RESP_ERR__TIMED_OUT, "next: no message within " + std::to_string(ms) + " ms");
}

int QueueNext(Tcl_Interp *interp, Object *owner, Handle *handle, rd_kafka_queue_t *queue, const StreamSlot &stream,
              std::unique_ptr<NextWait> *wait, int objc, Tcl_Obj *const objv[]) {
    static const OptionSpec specs[] = {{"-timeout", true}};
    static const OptionParser parser(specs, OptionParser::Only, false);
    ParsedOptions options;
    int timeout = -1;
    if (parser.Parse(interp, objc, objv, 2, nullptr, &options) != TCL_OK ||
        (options.Has(0) && GetTimeout(interp, options.Get(0), &timeout) != TCL_OK))
        return TCL_ERROR;
    std::shared_ptr<Await> await = Await::Begin(interp, "next");
    if (!await) return TCL_ERROR;
    if (stream.Active() || (*wait && (*wait)->Active()))
        return KafkaError(interp, RD_KAFKA_RESP_ERR__CONFLICT,
                          stream.Active() ? "next: consume_callback streams this queue: stop it first"
                                          : "next: another coroutine already waits for this queue's next message");
    MessagePtr msg = TakeMessage(queue);
    if (owner == handle) handle->ServeEvents();
    if (msg && msg->err) return MessageError(interp, msg.get());
    if (msg) {
        Tcl_SetObjResult(interp, MessageToDict(msg.get(), handle->Format()));
        return TCL_OK;
    }
    if (timeout == 0) return KafkaError(interp, RD_KAFKA_RESP_ERR__TIMED_OUT, "next: no message within 0 ms");
    wait->reset(new NextWait(owner, handle, queue, await, timeout));
    return Await::Suspend(interp, await);
}

} // namespace kafkatcl
