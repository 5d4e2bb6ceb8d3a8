// wakeup.h -- the one mechanism that brings librdkafka events into the Tcl
// event loop: librdkafka writes a byte to a pipe when a queue becomes
// non-empty (rd_kafka_queue_io_event_enable), and a Tcl file handler on the
// pipe runs `onWake` in the thread that owns the object. No polling.
//
// `Again()` asks for another `onWake` from the event loop soon (a zero-delay
// timer): callers handle a bounded batch per wake and come back for the
// rest, so a burst never starves the event loop.
#pragma once

#include "util.h"

#include <functional>

namespace kafkatcl {

class Wakeup {
  public:
    explicit Wakeup(std::function<void()> onWake);
    ~Wakeup();
    Wakeup(const Wakeup &) = delete;
    Wakeup &operator=(const Wakeup &) = delete;

    bool Ok() const { return readFd_ >= 0; }
    // Makes librdkafka signal this wakeup whenever `queue` gets events.
    void Watch(rd_kafka_queue_t *queue);
    void Unwatch(rd_kafka_queue_t *queue);
    void Again();

  private:
    static void OnReadable(ClientData cd, int mask);
    static void OnTimer(ClientData cd);

    std::function<void()> onWake_;
    int readFd_ = -1, writeFd_ = -1;
    Tcl_TimerToken timer_ = nullptr;
};

} // namespace kafkatcl
