// await.h -- coroutine await: a method called with -await (produce, the admin
// calls) or `next` suspends the calling coroutine until its result arrives,
// then returns that result (or raises its error) in the coroutine. The event
// loop runs meanwhile: the coroutine's `yield` returns to it.
//
// Why in C: a Tcl procedure cannot make a C command yield, and a C command
// can only yield when Tcl calls it through its non-recursive engine (NRE).
// So every object command is an NRE command (Object::Install), and a method
// that awaits ends with Await::Suspend: it queues a callback and evaluates
// `::yield` through Tcl_NREvalObj. The completer (a delivery report, an admin
// reply, a message, a timeout) stores the result and resumes the coroutine by
// its command token; the queued callback then returns the result as the
// method's own.
//
// Resuming the coroutine from elsewhere (a stray `$coro` call) while it waits
// ends the wait with a KAFKA _STATE error; deleting the coroutine ends it
// silently. The result then arriving is dropped.
#pragma once

#include "callbacks.h"

#include <functional>
#include <memory>
#include <string>

namespace kafkatcl {

class Await : public std::enable_shared_from_this<Await> {
  public:
    // A new await when the caller runs in a coroutine; else nullptr and
    // {KAFKA _STATE "<what> must be called inside a coroutine"}.
    static std::shared_ptr<Await> Begin(Tcl_Interp *interp, const char *what);
    // The awaiting method's return: suspends the coroutine until Complete
    // (at once when it already completed).
    static int Suspend(Tcl_Interp *interp, const std::shared_ptr<Await> &await);
    // Takes the interp's result (code TCL_OK) or its error and return
    // options (TCL_ERROR) as the await's result, and resumes the coroutine.
    // Nothing when the await is over already. Must not run inside the
    // coroutine itself (it never does: the coroutine is suspended).
    void Complete(int code);
    // As Complete with `value` / a KAFKA error of err and message.
    void Succeed(Tcl_Obj *value);
    void Fail(rd_kafka_resp_err_t err, const std::string &message);
    // As Fail, from a zero-delay timer: for the paths that run while an
    // object is being deleted, where no script should run.
    void FailLater(rd_kafka_resp_err_t err, const std::string &message);
    // Still waiting for its result (not completed, not abandoned).
    bool Waiting() const { return state_ == Pending || state_ == Suspended; }
    bool IsSuspended() const { return state_ == Suspended; }
    // Runs `fn` once, at the moment the coroutine abandons the wait (it was
    // deleted or resumed by hand): a waiter releases its claim at once (a
    // `next` stops watching its queue, so no message is taken for nobody).
    // An empty `fn` clears it; never runs after a result was delivered.
    void OnAbandon(std::function<void()> fn) { onAbandon_ = std::move(fn); }

  private:
    explicit Await(Tcl_Interp *interp, Tcl_Command coroutine) : interp_(interp), coroutine_(coroutine) {}
    static int Resumed(ClientData data[], Tcl_Interp *interp, int result);
    int Deliver();
    void Resume();

    enum State { Pending, Suspended, Completed, Abandoned };
    Tcl_Interp *interp_;
    Tcl_Command coroutine_;
    State state_ = Pending;
    int code_ = TCL_OK;
    ObjRef value_, options_; // the result, and for an error its return options
    std::function<void()> onAbandon_;
};

// A completer's hold on an await: what the result goes to. Dropping it with
// the await still waiting fails it (later) with _DESTROY and `why`: a
// message, reply or queue that goes away never leaves its coroutine waiting.
class AwaitSlot {
  public:
    AwaitSlot() = default;
    AwaitSlot(std::shared_ptr<Await> await, std::string why) : await_(std::move(await)), why_(std::move(why)) {}
    AwaitSlot(AwaitSlot &&) = default;
    AwaitSlot &operator=(AwaitSlot &&other) {
        Drop();
        await_ = std::move(other.await_);
        why_ = std::move(other.why_);
        return *this;
    }
    ~AwaitSlot() { Drop(); }
    explicit operator bool() const { return await_ && await_->Waiting(); }
    Await *operator->() const { return await_.get(); }

  private:
    void Drop() {
        // (Pending: the method failed before it suspended; nobody waits.)
        if (await_ && await_->IsSuspended()) await_->FailLater(RD_KAFKA_RESP_ERR__DESTROY, why_);
        await_.reset();
    }
    std::shared_ptr<Await> await_;
    std::string why_;
};

// Runs `fn` from a zero-delay timer in this thread unless `interp` is
// deleted by then (the interp is preserved meanwhile).
void RunLater(Tcl_Interp *interp, std::function<void()> fn);

} // namespace kafkatcl
