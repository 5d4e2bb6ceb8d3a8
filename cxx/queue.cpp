// queue.cpp -- reading what consume_start_queue routed to a queue.
#include "queue.h"

#include "handle.h"
#include "message.h"
#include "method.h"
#include "stream.h"

#include <vector>

namespace kafkatcl {

Queue::Queue(Tcl_Interp *interp, Handle *handle, rd_kafka_queue_t *queue)
    : Object(interp, handle), handle_(handle), queue_(queue) {}

Queue::~Queue() { // before queue_ goes
    stream_.Reset();
    next_.reset();
}

// One row per method (see method.h).
struct QueueMethods {
    using Q = Queue;
    static const MethodTable<Q> &Table() {
        static const MethodDef<Q> rows[] = {
            {"consume", &Q::Consume, 2, 2, "timeoutMs arrayName", kAllKinds},
            {"consume_batch", &Q::ConsumeBatch, 4, 4, "timeoutMs count arrayName body", kAllKinds},
            {"consume_callback", &Q::ConsumeCallback, 0, 2, "?command? | timeoutMs command", kAllKinds},
            {"length", &Q::Length, 0, 0, "", kAllKinds},
            {"next", &Q::Next, 0, 2, "?-timeout ms?", kAllKinds},
            {"delete", &Q::DeleteMethod, 0, 0, "", kAllKinds},
        };
        static const MethodTable<Q> table(rows);
        return table;
    }
};

int Queue::Invoke(int objc, Tcl_Obj *const objv[]) { return QueueMethods::Table().Dispatch(this, kAllKinds, objc, objv); }

std::vector<const char *> Queue::MethodNames() { return QueueMethods::Table().Names(); }

// length: the messages waiting in the queue.
int Queue::Length(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, Tcl_NewIntObj((int)rd_kafka_queue_length(queue_.get())));
    return TCL_OK;
}

// next ?-timeout ms?: in a coroutine, the next message (see QueueNext).
int Queue::Next(int objc, Tcl_Obj *const objv[]) {
    return QueueNext(interp_, this, handle_, queue_.get(), stream_, &next_, objc, objv);
}

// consume timeout array -> 1 or 0, as the topic consumer's consume.
int Queue::Consume(int objc, Tcl_Obj *const objv[]) {
    int timeout;
    if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK || stream_.RefuseWhileDispatching(interp_, "consume") != TCL_OK)
        return TCL_ERROR;
    MessagePtr msg(rd_kafka_consume_queue(queue_.get(), timeout));
    handle_->ServeEvents(); // on every path, timeouts too
    return StoreConsumed(interp_, msg, objv[3], handle_->Format());
}

// consume_batch timeout count array body -> messages processed
int Queue::ConsumeBatch(int objc, Tcl_Obj *const objv[]) {
    int timeout, count;
    if (GetTimeout(interp_, objv[2], &timeout) != TCL_OK || GetCount(interp_, objv[3], &count) != TCL_OK ||
        stream_.RefuseWhileDispatching(interp_, "consume_batch") != TCL_OK)
        return TCL_ERROR;
    SeatHold hold(stream_.Seat()); // a stream started in the body waits for it
    std::vector<MessagePtr> messages;
    rd_kafka_queue_t *q = queue_.get();
    int rc = FetchBatch(interp_, (size_t)count,
                        [this, q, timeout](rd_kafka_message_t **buf, size_t n) { return ConsumeBatchQueue(handle_, q, timeout, buf, n); },
                        &messages, "consume_batch");
    handle_->ServeEvents(); // on every path
    if (rc != TCL_OK) return TCL_ERROR;
    return RunBatchBody(interp_, this, handle_, messages, objv[4], objv[5], handle_->Format());
}

// consume_callback                    the asynchronous command ("" if none)
// consume_callback command            (asynchronous, "" stops)
// consume_callback timeoutMs command  (synchronous: returns the count)
// One argument is always a command, the later KafkaTcl's form; a timeout
// comes only with a command after it.
int Queue::ConsumeCallback(int objc, Tcl_Obj *const objv[]) {
    if (objc == 2) {
        Tcl_SetObjResult(interp_, command_ ? command_.get() : Tcl_NewObj());
        return TCL_OK;
    }
    if (QueueConsumeCallback(interp_, this, handle_, queue_.get(), &stream_, next_, objc, objv) != TCL_OK) return TCL_ERROR;
    if (objc == 3) command_ = CallbackArg(objv[2]);
    return TCL_OK;
}

} // namespace kafkatcl
