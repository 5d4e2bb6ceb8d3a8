// topic.h -- a topic producer or topic consumer (one rd_kafka_topic_t),
// made by a handle's new_topic. Which methods it has depends on the handle.
#pragma once

#include "object.h"
#include "stream.h"

#include <map>
#include <memory>
#include <set>

namespace kafkatcl {

class Handle;

class Topic : public Object {
  public:
    Topic(Tcl_Interp *interp, Handle *handle, rd_kafka_topic_t *rkt);
    ~Topic() override;
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    rd_kafka_topic_t *Rkt() const { return rkt_.get(); }

  private:
    int InvokeProducer(int objc, Tcl_Obj *const objv[]);
    int InvokeConsumer(int objc, Tcl_Obj *const objv[]);
    // Methods both kinds have (topicinfo.cpp): info, config, creator, name, delete.
    int InvokeCommon(int m, int objc, Tcl_Obj *const objv[]);
    int Info(int objc, Tcl_Obj *const objv[]);
    int PartitionCount(int timeoutMs, bool unknownIsZero, int *count);
    int Config(int objc, Tcl_Obj *const objv[]);
    int Creator(int objc, Tcl_Obj *const objv[]);

    int Produce(int objc, Tcl_Obj *const objv[]);
    int ProduceBatch(int objc, Tcl_Obj *const objv[]);
    int Consume(int objc, Tcl_Obj *const objv[]);
    int ConsumeBatch(int objc, Tcl_Obj *const objv[]);
    int ConsumeStart(int objc, Tcl_Obj *const objv[], bool toQueue);
    int ConsumeStop(int objc, Tcl_Obj *const objv[]);
    int ConsumeCallback(int objc, Tcl_Obj *const objv[]);
    int StartStream(int32_t partition, Tcl_Obj *command);
    int RequireStarted(int32_t partition);
    void AwaitLeaders();

    Handle *handle_;
    TopicPtr rkt_;
    // The topic configuration rd_kafka_topic_new was given (librdkafka keeps
    // no readable copy): what `config` shows.
    TopicConfPtr conf_;
    std::set<int32_t> started_; // partitions with consume_start in effect
    bool leadersKnown_ = false;  // AwaitLeaders got this topic's metadata
    std::map<int32_t, StreamSlot> streams_; // asynchronous consume_callback per partition
};

} // namespace kafkatcl
