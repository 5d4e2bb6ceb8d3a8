// wakeup.h -- the one mechanism that brings librdkafka events into the Tcl
// event loop: librdkafka calls us when a queue gets an event
// (rd_kafka_queue_cb_event_enable), we write one byte to a pipe unless a
// byte is already waiting, and a Tcl file handler on the pipe runs `onWake`
// in the thread that owns the object. No polling, and one write per wake
// however many events arrive (librdkafka 2.0.2's own io-event pipe would be
// written for every event: a syscall and a notifier wake-up each).
//
// `Again()` asks for another `onWake` from the event loop soon (a zero-delay
// timer): callers handle a bounded batch per wake and come back for the
// rest, so a burst never starves the event loop.
//
// `interp` (the owner's) is preserved while `onWake` runs, as Tcl's own
// `after` and `fileevent` handlers do: a callback may delete it, and Tcl
// then frees it once `onWake` has returned.
//
// A callback may also delete the owner, and with it the Wakeup whose
// `onWake` is running. Owners therefore hold a `WakeupPtr`, whose deleter
// defers the delete while `onWake` runs: the Wakeup goes quiet at once (no
// file handler, no timer) and is freed when the outermost `onWake` returns.
#pragma once

#include "util.h"

#include <atomic>
#include <functional>
#include <memory>

namespace kafkatcl {

class Wakeup {
  public:
    // The deleter of WakeupPtr: deletes now, or after the running onWake.
    struct Dispose {
        void operator()(Wakeup *w) const;
    };

    Wakeup(Tcl_Interp *interp, std::function<void()> onWake);
    ~Wakeup();
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    bool Ok() const { return readFd_ >= 0; }
    // Makes librdkafka signal this wakeup whenever `queue` gets events.
    void Watch(rd_kafka_queue_t *queue);
    void Unwatch(rd_kafka_queue_t *queue);
    void Again();
    // From any thread: as librdkafka's queue event callback does (lag's worker, lag.cpp).
    void Signal() { OnEvent(nullptr, this); }

  private:
    static void OnEvent(rd_kafka_t *rk, void *opaque); // librdkafka's threads
    static void OnReadable(ClientData cd, int mask);
    static void OnTimer(ClientData cd);
    static void Run(Wakeup *self); // onWake_ with the interp preserved

    Tcl_Interp *interp_;
    std::function<void()> onWake_;
    int readFd_ = -1, writeFd_ = -1;
    std::atomic<bool> signalled_{false}; // a byte is in the pipe, not yet read
    Tcl_TimerToken timer_ = nullptr;
    int running_ = 0;      // onWake_ calls in progress (a callback may nest the event loop)
    bool disposed_ = false; // the owner let go while onWake_ ran
};

using WakeupPtr = std::unique_ptr<Wakeup, Wakeup::Dispose>;

} // namespace kafkatcl
