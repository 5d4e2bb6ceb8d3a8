// queue.h -- a queue object (rd_kafka_queue_t) made by a handle's
// create_queue; topic consumers route partitions to it with consume_start_queue.
#pragma once

#include "callbacks.h"
#include "object.h"
#include "stream.h"

#include <memory>
#include <vector>

namespace kafkatcl {

class Handle;

class Queue : public Object {
  public:
    Queue(Tcl_Interp *interp, Handle *handle, rd_kafka_queue_t *queue);
    ~Queue() override;
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    rd_kafka_queue_t *Rkqu() const { return queue_.get(); }

    // The method names, in table order (the fuzzer's list).
    static std::vector<const char *> MethodNames();

  private:
    friend struct QueueMethods; // holds the method table

    int Consume(int objc, Tcl_Obj *const objv[]);
    int ConsumeBatch(int objc, Tcl_Obj *const objv[]);
    int ConsumeCallback(int objc, Tcl_Obj *const objv[]);
    int Length(int objc, Tcl_Obj *const objv[]);
    int Next(int objc, Tcl_Obj *const objv[]);

    Handle *handle_;
    QueuePtr queue_;
    StreamSlot stream_; // asynchronous consume_callback
    std::unique_ptr<NextWait> next_; // a coroutine's `next`
    ObjRef command_;    // its command, for `consume_callback` with no argument
};

} // namespace kafkatcl
