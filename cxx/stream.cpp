// stream.cpp -- consume_callback, asynchronous and synchronous.
#include "stream.h"

#include "handle.h"
#include "message.h"
#include "options.h"

#include <cstring>
#include <vector>

namespace kafkatcl {

std::shared_ptr<Stream> Stream::Start(std::shared_ptr<StreamSeat> seat, Object *owner, Handle *handle,
                                      rd_kafka_queue_t *queue, bool ownsQueue, Tcl_Obj *command) {
    std::shared_ptr<Stream> s(new Stream(std::move(seat), owner, handle, queue, ownsQueue, command));
    s->seat_->current = s;
    s->wakeup_->Watch(s->queue_.get());
    s->wakeup_->Again(); // messages may already be waiting
    return s;
}

Stream::Stream(std::shared_ptr<StreamSeat> seat, Object *owner, Handle *handle, rd_kafka_queue_t *queue,
               bool ownsQueue, Tcl_Obj *command)
    : seat_(std::move(seat)), owner_(owner), handle_(handle), command_(command), queue_(queue), ownsQueue_(ownsQueue) {
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

void Stream::WakeAgain() {
    if (!cancelled_) wakeup_->Again();
}

void StreamSlot::Reset() {
    if (stream_) stream_->Stop();
    stream_.reset();
}

void StreamSlot::Start(Object *owner, Handle *handle, rd_kafka_queue_t *queue, bool ownsQueue, Tcl_Obj *command) {
    Reset();
    stream_ = Stream::Start(seat_, owner, handle, queue, ownsQueue, command);
}

SeatHold::SeatHold(std::shared_ptr<StreamSeat> seat) : seat_(std::move(seat)), was_(seat_->dispatching) {
    seat_->dispatching = true;
}

SeatHold::~SeatHold() {
    seat_->dispatching = was_;
    if (was_ || !seat_->wakeHeld) return;
    seat_->wakeHeld = false;
    if (std::shared_ptr<Stream> current = seat_->current.lock()) current->WakeAgain();
}

int StreamSlot::RefuseWhileDispatching(Tcl_Interp *interp, const char *what) const {
    if (!seat_->dispatching) return TCL_OK;
    return KafkaError(interp, RD_KAFKA_RESP_ERR__CONFLICT,
                      std::string(what) + ": a consume_callback command or consume_batch body of this queue is "
                      "running: its messages not yet handed out would be overtaken: return from it first");
}

void Stream::OnWake() {
    if (cancelled_ || owner_->Deleted()) return;
    if (seat_->dispatching) { // an `update` in the callback: never re-entered, served once it returns
        seat_->wakeHeld = true;
        return;
    }
    // The owner is released after the stream (reverse declaration order); its
    // destructor Stop()s the stream in any case before the queue goes.
    Preserve keepOwner(owner_);
    std::shared_ptr<Stream> keep = shared_from_this(); // a stop from the command must not free us here
    SeatHold hold(seat_); // from the fetch on: a rebalance callback served below may run `update` too
    std::vector<rd_kafka_message_t *> raw(kBatch);
    ssize_t got = ConsumeBatchQueue(handle_, queue_.get(), 0, raw.data(), kBatch);
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
        // A bound serde's registry look-up may run scripts that stop the
        // stream or delete its owner: then the message is not handed out.
        ObjRef dict(MessageToDict(messages[i].get(), format));
        if (cancelled_ || owner_->Deleted()) {
            if (!owner_->Deleted()) PutBack(handle_, messages, i, mark);
            return;
        }
        stored.Handed(messages[i].get());
        InvokeCallback(interp, command_.get(), dict.get(), "kafka consume_callback");
    }
    if ((size_t)got == kBatch) WakeAgain();
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

int RefuseWhileNextWaits(Tcl_Interp *interp, const std::unique_ptr<NextWait> &wait, const char *what) {
    if (!wait || !wait->Active()) return TCL_OK;
    return KafkaError(interp, RD_KAFKA_RESP_ERR__CONFLICT,
                      std::string(what) + ": a coroutine waits in next for this queue's messages: end its wait first");
}

int QueueConsumeCallback(Tcl_Interp *interp, Object *owner, Handle *handle, rd_kafka_queue_t *queue,
                         StreamSlot *stream, const std::unique_ptr<NextWait> &wait, int objc, Tcl_Obj *const objv[]) {
    if (objc == 4) {
        int timeout;
        if (GetTimeout(interp, objv[2], &timeout) != TCL_OK ||
            stream->RefuseWhileDispatching(interp, "consume_callback") != TCL_OK)
            return TCL_ERROR;
        SeatHold hold(stream->Seat()); // a stream started in the command waits for it
        return ConsumeCallbackSync(interp, owner, handle, timeout, objv[3],
                                   [handle, queue](int t, rd_kafka_message_t **buf, size_t n) {
                                       return ConsumeBatchQueue(handle, queue, t, buf, n);
                                   });
    }
    ObjRef command = CallbackArg(objv[2]);
    if (!command) {
        stream->Reset();
        return TCL_OK;
    }
    if (RefuseWhileNextWaits(interp, wait, "consume_callback") != TCL_OK) return TCL_ERROR;
    stream->Start(owner, handle, queue, false, command.get());
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
    // A cancelled coroutine releases the queue at once: nothing is taken for it.
    await_->OnAbandon([this] { Finish(); });
}

NextWait::~NextWait() {
    *alive_ = false;
    Stop();
}

std::shared_ptr<Await> NextWait::Finish() {
    if (await_) {
        wakeup_->Unwatch(queue_);
        await_->OnAbandon(nullptr);
    }
    if (timer_) Tcl_DeleteTimerHandler(timer_);
    timer_ = nullptr;
    return std::move(await_);
}

void NextWait::Stop(const char *why) {
    std::shared_ptr<Await> await = Finish();
    if (await) await->FailLater(RD_KAFKA_RESP_ERR__DESTROY, why);
}

namespace {
// A message taken for a waiter that went away meanwhile (a callback served
// between the fetch and the delivery deleted its coroutine): back to the
// queue by a seek, and, when librdkafka stored its offset on taking it
// (enable.auto.offset.store), that store undone, so it is neither lost nor
// committed for nobody.
void Untake(Handle *handle, MessagePtr msg, uint64_t mark) {
    if (msg->err || !msg->rkt) return;
    if (handle->AutoOffsetStore()) rd_kafka_offset_store(msg->rkt, msg->partition, msg->offset);
    std::vector<MessagePtr> one;
    one.push_back(std::move(msg));
    PutBack(handle, one, 0, mark); // unless the script moved the partition meanwhile
}
} // namespace

// Completing resumes the coroutine, which may start another NextWait in
// this one's place (freeing this one): nothing of *this is used after it.
// The handle's events served here may run scripts (`update` too, or a
// `next` that replaces this wait): OnWake is not re-entered meanwhile, and
// checks after them that its waiter is still there.
void NextWait::OnWake() {
    if (serving_ || owner_->Deleted()) return;
    if (!Active()) {
        Finish();
        return;
    }
    Preserve keepOwner(owner_);
    Handle *handle = handle_;
    std::shared_ptr<bool> alive = alive_;
    MessagePtr msg = TakeMessage(queue_);
    const uint64_t mark = handle->RepositionMark();
    if (owner_ == handle_) { // a rebalance goes before its messages
        serving_ = true;
        handle->ServeEvents();
        if (!*alive) {
            if (msg) Untake(handle, std::move(msg), mark);
            return;
        }
        serving_ = false;
        if (msg && !Active()) return Untake(handle, std::move(msg), mark);
    }
    if (!msg || !Active()) return;
    Tcl_Interp *interp = owner_->Interp();
    ObjRef decoded;
    if (!msg->err) {
        // A bound serde's first registry look-up waits in the http
        // package's vwait: scripts run meanwhile, as above, and may cancel
        // the waiter; then the message goes back.
        serving_ = true;
        decoded = ObjRef(MessageToDict(msg.get(), handle_->Format()));
        if (!*alive) return Untake(handle, std::move(msg), mark);
        serving_ = false;
        if (!Active()) return Untake(handle, std::move(msg), mark);
    }
    std::shared_ptr<Await> await = Finish();
    if (!msg->err) return await->Succeed(decoded.get());
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
    int timeout = -1;
    if (TimeoutOption(interp, objc, objv, 2, &timeout) != TCL_OK) return TCL_ERROR;
    if (stream.RefuseWhileDispatching(interp, "next") != TCL_OK) return TCL_ERROR;
    std::shared_ptr<Await> await = Await::Begin(interp, "next");
    if (!await) return TCL_ERROR;
    bool streamed = stream.Active() || stream.Dispatching();
    if (streamed || (*wait && (*wait)->Active()))
        return KafkaError(interp, RD_KAFKA_RESP_ERR__CONFLICT,
                          streamed ? "next: consume_callback streams this queue: stop it first"
                                   : "next: another coroutine already waits for this queue's next message");
    wait->reset(); // a cancelled waiter's (before the new wait watches the queue: one watcher per queue)
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
