// lag.h -- the consumer's lag (`$consumer lag`, lag.cpp): the query, which
// blocks for at most its timeout, and the job that runs it on a worker
// thread for -command/-await.
#pragma once

#include "await.h"
#include "callbacks.h"
#include "util.h"
#include "wakeup.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace kafkatcl {

class Handle;

// One partition's figures; offsets -1 until known.
struct LagRow {
    std::string topic;
    int32_t partition;
    int64_t committed = -1, low = -1, high = -1;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
};

// Plain C++ data only: Run may run on any thread.
struct LagQuery {
    rd_kafka_t *rk = nullptr;
    int timeoutMs = 30000;
    std::vector<std::string> topics; // their partitions are added to rows by Run
    std::vector<LagRow> rows;
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR; // the whole call failed
    std::string message;

    void Run();                        // blocks for at most timeoutMs
    Tcl_Obj *Result() const;           // {total N partitions {{topic T partition P ...} ...}}
    int Report(Tcl_Interp *interp) const; // the result, or the KAFKA error
};

// lag -command/-await: the query on a worker thread; the result in the handle's thread.
class LagJob : public std::enable_shared_from_this<LagJob> {
  public:
    LagJob(Handle *handle, LagQuery query, Tcl_Obj *command, std::shared_ptr<Await> await);
    ~LagJob(); // joins the worker
    void Start();

  private:
    void OnWake();
    Handle *handle_;
    LagQuery query_;
    ObjRef command_;
    AwaitSlot await_;
    WakeupPtr wakeup_;
    std::atomic<bool> done_{false};
    std::thread worker_; // last: started after everything it uses exists
};

} // namespace kafkatcl
