// wakeup.cpp -- queue event callback + pipe + Tcl file handler + zero-delay timer.
#include "wakeup.h"

#include <fcntl.h>
#include <unistd.h>

namespace kafkatcl {

Wakeup::Wakeup(Tcl_Interp *interp, std::function<void()> onWake) : interp_(interp), onWake_(std::move(onWake)) {
    int fds[2];
    if (pipe(fds) != 0) return;
    for (int fd : fds) {
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); // librdkafka must never block on a full pipe
        fcntl(fd, F_SETFD, FD_CLOEXEC);
    }
    readFd_ = fds[0];
    writeFd_ = fds[1];
    Tcl_CreateFileHandler(readFd_, TCL_READABLE, OnReadable, this);
}

Wakeup::~Wakeup() {
    if (timer_) Tcl_DeleteTimerHandler(timer_);
    if (readFd_ >= 0) {
        Tcl_DeleteFileHandler(readFd_);
        close(readFd_);
        close(writeFd_);
    }
}

void Wakeup::Dispose::operator()(Wakeup *w) const {
    if (w->running_ == 0) {
        delete w;
        return;
    }
    // Inside w's own onWake_: silence it now, free it when Run unwinds.
    if (w->timer_) Tcl_DeleteTimerHandler(w->timer_);
    w->timer_ = nullptr;
    if (w->readFd_ >= 0) Tcl_DeleteFileHandler(w->readFd_);
    w->disposed_ = true;
}

void Wakeup::Watch(rd_kafka_queue_t *queue) {
    if (Ok()) rd_kafka_queue_cb_event_enable(queue, OnEvent, this);
}

// librdkafka calls the event callback with the queue's lock held, and
// disabling takes that lock: once Unwatch returns no OnEvent is running.
void Wakeup::Unwatch(rd_kafka_queue_t *queue) { rd_kafka_queue_cb_event_enable(queue, NULL, NULL); }

void Wakeup::OnEvent(rd_kafka_t *, void *opaque) {
    Wakeup *self = static_cast<Wakeup *>(opaque);
    if (!self->signalled_.exchange(true)) {
        ssize_t ignored = write(self->writeFd_, "1", 1);
        (void)ignored; // the pipe is non-blocking; a full pipe is already readable
    }
}

void Wakeup::Again() {
    if (!timer_) timer_ = Tcl_CreateTimerHandler(0, OnTimer, this);
}

void Wakeup::OnReadable(ClientData cd, int) {
    Wakeup *self = static_cast<Wakeup *>(cd);
    char buf[256];
    while (read(self->readFd_, buf, sizeof buf) > 0) {
    }
    // Events arriving from here on write again; those that came before are
    // seen by onWake_, which reads the queues after this.
    self->signalled_.store(false);
    Run(self);
}

void Wakeup::OnTimer(ClientData cd) {
    Wakeup *self = static_cast<Wakeup *>(cd);
    self->timer_ = nullptr;
    Run(self);
}

// onWake_ may delete the interp, and with it (at the release) the owner of
// this wakeup; the owner's WakeupPtr then leaves the delete to us.
void Wakeup::Run(Wakeup *self) {
    if (self->disposed_) return;
    Tcl_Interp *interp = self->interp_;
    Tcl_Preserve(interp);
    ++self->running_;
    self->onWake_();
    bool last = --self->running_ == 0 && self->disposed_;
    if (last) delete self;
    Tcl_Release(interp);
}

} // namespace kafkatcl
