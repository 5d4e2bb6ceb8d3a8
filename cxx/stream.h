// stream.h -- asynchronous consume_callback: delivers each message arriving
// on a librdkafka queue to a Tcl command through the event loop, until
// cancelled. At most kBatch messages are taken per wake; more are taken only
// after the command has run for those, so a slow script makes librdkafka
// pause fetching (its queue limits apply) instead of growing memory.
#pragma once

#include "await.h"
#include "callbacks.h"
#include "object.h"
#include "wakeup.h"

#include <memory>

namespace kafkatcl {

class Handle;
class NextWait;

struct StreamSeat;

class Stream : public std::enable_shared_from_this<Stream> {
  public:
    static constexpr size_t kBatch = 500;

    // Destroys `queue` at Stop() when ownsQueue (else it belongs to a Queue
    // object or the handle, whose StreamSlot stops it before they free it).
    // Use StreamSlot::Start, which gives the stream its slot's seat.
    static std::shared_ptr<Stream> Start(std::shared_ptr<StreamSeat> seat, Object *owner, Handle *handle,
                                         rd_kafka_queue_t *queue, bool ownsQueue, Tcl_Obj *command);
    ~Stream();
    // Stops the stream for good: no more commands, the queue unwatched and
    // let go (destroyed when the stream owns it). Owners call it before they
    // free the queue or the handle: a running OnWake may keep the Stream
    // itself alive a little longer, but never its use of the queue.
    void Stop();
    void WakeAgain(); // another OnWake soon, unless stopped

  private:
    Stream(std::shared_ptr<StreamSeat> seat, Object *owner, Handle *handle, rd_kafka_queue_t *queue, bool ownsQueue,
           Tcl_Obj *command);
    void OnWake();

    std::shared_ptr<StreamSeat> seat_;
    Object *owner_;
    Handle *handle_;
    ObjRef command_;
    WakeupPtr wakeup_; // outlives queue_ (declared first)
    QueuePtr queue_;
    bool ownsQueue_;
    bool cancelled_ = false;
};

// What the streams that follow one another in one slot (a queue's, a group
// consumer's, a topic partition's) share. A stream never re-enters its
// callback: a wake that comes while the callback runs (the callback called
// `update`, `vwait` ...) is held until it returns, also for a stream started
// from inside the callback in its predecessor's place. Messages of one
// partition so reach the script in order whatever the callback does.
struct StreamSeat {
    bool dispatching = false; // a callback or body of this slot's queue is running (or its fetch)
    bool wakeHeld = false;    // a wake came meanwhile: served when it returns
    std::weak_ptr<Stream> current;
};

// Marks a seat's messages being handed to the script (a stream's OnWake, a
// consume_batch body, a synchronous consume_callback) for its lifetime; at
// the end serves a wake held meanwhile (on the seat's current stream: the
// script may have restarted it).
class SeatHold {
  public:
    explicit SeatHold(std::shared_ptr<StreamSeat> seat);
    ~SeatHold();
    SeatHold(const SeatHold &) = delete;
    SeatHold &operator=(const SeatHold &) = delete;

  private:
    std::shared_ptr<StreamSeat> seat_;
    bool was_; // (never true: nested reads are refused; restored all the same)
};

// An owner's hold on its asynchronous stream. Replacing or dropping it (Reset,
// Start, destruction) stops the stream first, so the owner may free the queue
// right after, even while a running OnWake still keeps the Stream itself alive.
class StreamSlot {
  public:
    StreamSlot() : seat_(std::make_shared<StreamSeat>()) {}
    ~StreamSlot() { Reset(); }
    StreamSlot(const StreamSlot &) = delete;
    StreamSlot &operator=(const StreamSlot &) = delete;
    void Reset();
    // Stops the current stream and starts one on `queue` to `command`.
    void Start(Object *owner, Handle *handle, rd_kafka_queue_t *queue, bool ownsQueue, Tcl_Obj *command);
    bool Active() const { return stream_ != nullptr; }
    // A callback of this slot's streams is running (the script is inside it,
    // or in an event handler run by an `update` inside it).
    bool Dispatching() const { return seat_->dispatching; }
    // _CONFLICT when Dispatching: a read of the queue (`what`) from inside
    // would overtake the messages still to be handed to the script.
    int RefuseWhileDispatching(Tcl_Interp *interp, const char *what) const;
    const std::shared_ptr<StreamSeat> &Seat() const { return seat_; }

  private:
    std::shared_ptr<StreamSeat> seat_;
    std::shared_ptr<Stream> stream_;
};

// The synchronous form: takes what arrives within timeoutMs and invokes
// command per message (dict), with loop semantics; result: the count.
int ConsumeCallbackSync(Tcl_Interp *interp, Object *owner, Handle *handle, int timeoutMs, Tcl_Obj *command,
                        const std::function<ssize_t(int timeout, rd_kafka_message_t **buf, size_t n)> &fetch);

// consume_callback for a queue (a Queue object's or the group consumer's):
// objv is "obj consume_callback ?timeoutMs? command" (arity checked by the
// caller). With a timeout: the synchronous form; without: (re)starts or, for
// an empty command, stops the asynchronous stream held in *stream.
// Starting a stream is refused (_CONFLICT) while a coroutine waits in `next`
// on the queue (`wait`): the stream would take its messages.
int QueueConsumeCallback(Tcl_Interp *interp, Object *owner, Handle *handle, rd_kafka_queue_t *queue,
                         StreamSlot *stream, const std::unique_ptr<NextWait> &wait, int objc, Tcl_Obj *const objv[]);
// _CONFLICT when a coroutine waits in `next` on the queue; `what` starts the message.
int RefuseWhileNextWaits(Tcl_Interp *interp, const std::unique_ptr<NextWait> &wait, const char *what);

// `next` waiting in a coroutine for a queue's next message: watches the
// queue (and a timer for -timeout) and resumes the coroutine with the
// message's dict, its error, or _TIMED_OUT. Its owner stops it before it
// frees the queue; a wait stopped that way fails with _DESTROY.
class NextWait {
  public:
    NextWait(Object *owner, Handle *handle, rd_kafka_queue_t *queue, std::shared_ptr<Await> await, int timeoutMs);
    ~NextWait();
    NextWait(const NextWait &) = delete;
    NextWait &operator=(const NextWait &) = delete;
    // A coroutine still waits (one deleted or resumed by hand released its
    // claim at that moment: see Await::OnAbandon).
    bool Active() const { return await_ && await_->Waiting(); }
    // Ends the wait: the coroutine gets KAFKA _DESTROY `why` (from the event loop).
    void Stop(const char *why = "the consumer or queue was deleted while next waited");

  private:
    std::shared_ptr<Await> Finish(); // stops watching; the await to complete
    void OnWake();
    static void OnTimeout(ClientData cd);

    Object *owner_;
    Handle *handle_;
    rd_kafka_queue_t *queue_; // the owner's
    std::shared_ptr<Await> await_;
    int timeoutMs_;
    WakeupPtr wakeup_;
    Tcl_TimerToken timer_ = nullptr;
    bool serving_ = false; // OnWake is serving the handle's events (they may run `update`)
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true); // false once freed
};

// next ?-timeout ms? for a queue (a Queue object's or the group consumer's):
// in a coroutine, the queue's next message as a dict (at once when one is
// waiting, else the coroutine yields until one comes); a message carrying an
// error raises it; none within the timeout raises KAFKA _TIMED_OUT. One
// `next` at a time per queue, and none while consume_callback streams it.
int QueueNext(Tcl_Interp *interp, Object *owner, Handle *handle, rd_kafka_queue_t *queue, const StreamSlot &stream,
              std::unique_ptr<NextWait> *wait, int objc, Tcl_Obj *const objv[]);

} // namespace kafkatcl
