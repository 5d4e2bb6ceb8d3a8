// admin.h -- the admin client: the handle methods of admin.cpp's table
// kAdminCalls (create_topics, describe_configs, ...; one row each).
//
// Every call takes -timeout ms and, with -command cmd, runs asynchronously:
// cmd gets {error "" result R} or {error ERRNAME message M} through the event
// loop; with -await (in a coroutine) the call yields until the result and
// returns it (or raises its error), as the synchronous call does. Results keep per-item errors: one failed topic never hides the rest.
#pragma once

#include "await.h"
#include "callbacks.h"
#include "method.h"
#include "util.h"
#include "wakeup.h"

#include <memory>

namespace kafkatcl {

class Handle;

// Converts a successful admin result event into its Tcl value.
using AdminConverter = Tcl_Obj *(*)(const rd_kafka_event_t *event);

// An asynchronous admin call waiting for its result.
class AdminPending : public std::enable_shared_from_this<AdminPending> {
  public:
    // Its result goes to `command`, or to `await`'s coroutine, or nowhere
    // (an orphaned synchronous call).
    AdminPending(Handle *handle, rd_kafka_queue_t *queue, AdminConverter convert, Tcl_Obj *command,
                 std::shared_ptr<Await> await);
    ~AdminPending();
    void Start();

  private:
    void OnWake();
    Handle *handle_;
    AdminConverter convert_;
    ObjRef command_;
    AwaitSlot await_;
    WakeupPtr wakeup_;
    QueuePtr queue_;
};

// The admin calls' rows of the handle's method table, made from admin.cpp's
// kAdminCalls (one shared handler; `kinds`: the kinds and facet they carry).
std::vector<MethodDef<Handle>> AdminMethodRows(unsigned kinds);

// Whether admin call `method` (its whole name) is refused on the mock
// cluster (the fuzzer sends those to a handle with no reachable broker).
bool AdminRefusedOnMock(const char *method);

// Their names, NULL-terminated, from the handle's table (the fuzzer's list).
extern const char *const *const kAdminMethods;

// The result of an admin event: TCL_OK and *result, or a KAFKA error.
int AdminEventResult(Tcl_Interp *interp, const rd_kafka_event_t *event, AdminConverter convert, Tcl_Obj **result);

} // namespace kafkatcl
