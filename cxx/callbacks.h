// callbacks.h -- the Tcl callbacks a master holds (delivery report, error,
// statistics, logger) and how any KafkaTcl callback is invoked.
//
// Handles read these settings from their master each time an event is
// delivered, so callbacks set after a handle was created take effect at once.
#pragma once

#include "util.h"

#include <atomic>

namespace kafkatcl {

// A counted reference to a Tcl_Obj (nullptr allowed); used for callback
// command prefixes so that replacing a callback while it runs is safe.
class ObjRef {
  public:
    ObjRef() = default;
    explicit ObjRef(Tcl_Obj *o) : o_(o) { if (o_) Tcl_IncrRefCount(o_); }
    ObjRef(const ObjRef &other) : ObjRef(other.o_) {}
    ObjRef &operator=(const ObjRef &other) {
        ObjRef copy(other);
        std::swap(o_, copy.o_);
        return *this;
    }
    ObjRef(ObjRef &&other) noexcept : o_(other.o_) { other.o_ = nullptr; }
    ObjRef &operator=(ObjRef &&other) noexcept {
        std::swap(o_, other.o_);
        return *this;
    }
    ~ObjRef() { if (o_) Tcl_DecrRefCount(o_); }
    Tcl_Obj *get() const { return o_; }
    explicit operator bool() const { return o_ != nullptr; }

  private:
    Tcl_Obj *o_ = nullptr;
};

// Invokes command prefix `cmd` with `arg` appended, at global level. Errors go
// to the interp's background error handler (bgerror) with `context` added to
// errorInfo; they never propagate. Returns the Tcl completion code.
int InvokeCallback(Tcl_Interp *interp, Tcl_Obj *cmd, Tcl_Obj *arg, const char *context);
// The same with `argc` arguments appended (1 or more).
int InvokeCallback(Tcl_Interp *interp, Tcl_Obj *cmd, int argc, Tcl_Obj *const argv[], const char *context);

// Sets or clears (empty command) a callback; returns the current one.
ObjRef CallbackArg(Tcl_Obj *obj);

enum class LogMode { Stderr, Syslog, Callback, None };

// Where librdkafka's log lines go: the master's setting, or a handle's own
// (`$handle logger ...`), which overrides the master's for that handle.
struct LoggerSetting {
    std::atomic<LogMode> mode{LogMode::Stderr}; // read by librdkafka threads
    ObjRef command;                             // for LogMode::Callback
    // logger stderr|syslog|callback command|none: objv[2] on, checked, set.
    // With followMaster (a handle's logger), "master" is a fourth word: it
    // sets *followMaster and leaves the setting alone.
    int Set(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], bool *followMaster = nullptr);
};

struct MasterCallbacks {
    ObjRef delivery, error, statistics;
    bool statisticsDict = false; // `statistics_callback -dict`: the JSON parsed to a dict first
    ObjRef throttle;             // throttle_callback
    ObjRef offsetCommit;         // offset_commit_callback
    // oauthbearer_token_refresh_callback: librdkafka gets a refresh callback
    // only for handles created while this is set (see Handle::Open).
    ObjRef oauthbearerRefresh;
    LoggerSetting logger;
    int deliveryEvery = 1;                           // report every Nth success (0: failures only)
    // Reports carry the message's payload: the callback was set with the
    // later KafkaTcl's `delivery_report callback`, whose reports had it.
    // Off for set_delivery_report_callback, keeping its compact fast path.
    bool deliveryPayload = false;
    Tcl_WideInt samplesWanted = 0; // `delivery_report sample`: report this many next successes too
    // Delivery counters for `delivery_report counts`.
    Tcl_WideInt delivered = 0, failed = 0;
};

} // namespace kafkatcl
