// topic.h -- a topic producer or topic consumer (one rd_kafka_topic_t),
// made by a handle's new_topic. Which methods it has depends on the handle.
#pragma once

#include "object.h"
#include "stream.h"

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <vector>

namespace kafkatcl {

class Handle;

struct ProduceArgs;

class Topic : public Object {
  public:
    // The kinds in the method table (see method.h): a topic of a producer
    // handle or of a consumer handle.
    static constexpr unsigned kProducerKind = 1, kConsumerKind = 2;

    Topic(Tcl_Interp *interp, Handle *handle, rd_kafka_topic_t *rkt);
    ~Topic() override;
    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    rd_kafka_topic_t *Rkt() const { return rkt_.get(); }

    // The method names of a kind, in table order (the fuzzer's lists).
    static std::vector<const char *> MethodNames(unsigned kind);
    // The words `info` takes, NULL-terminated.
    static const char *const *InfoTypes();

  private:
    friend struct TopicMethods; // holds the method table

    // Methods both kinds have (topicinfo.cpp).
    int Info(int objc, Tcl_Obj *const objv[]);
    friend struct TopicInfoMethods; // info's nested table
    int InfoOf(int type, const char *usage, int objc, Tcl_Obj *const objv[]);
    int PartitionCount(int timeoutMs, bool unknownIsZero, int *count);
    int Config(int objc, Tcl_Obj *const objv[]);
    int Creator(int objc, Tcl_Obj *const objv[]);
    int Name(int objc, Tcl_Obj *const objv[]);
    int SerdeMethod(int objc, Tcl_Obj *const objv[]); // `serde`
    int EncodeBound(ProduceArgs *args, ObjRef *payload, ObjRef *key);

    int Produce(int objc, Tcl_Obj *const objv[]);
    int BatchMessages(Tcl_Obj *list, std::deque<OutBytes> *keep, std::vector<rd_kafka_message_t> *msgs);
    int WaitForRoom(Tcl_WideInt *deadline, int waitMs);
    int ProduceSimple(const ProduceArgs &args, const OutBytes &payload, const OutBytes *key);
    int ProduceTyped(const ProduceArgs &args, const OutBytes &payload, const OutBytes *key, rd_kafka_headers_t *headers);
    int ProduceBatch(int objc, Tcl_Obj *const objv[]);
    int Consume(int objc, Tcl_Obj *const objv[]);
    int ConsumeBatch(int objc, Tcl_Obj *const objv[]);
    int ConsumeStartMethod(int objc, Tcl_Obj *const objv[]) { return ConsumeStart(objc, objv, false); }
    int ConsumeStartQueueMethod(int objc, Tcl_Obj *const objv[]) { return ConsumeStart(objc, objv, true); }
    int ConsumeStart(int objc, Tcl_Obj *const objv[], bool toQueue);
    int ConsumeStop(int objc, Tcl_Obj *const objv[]);
    int ConsumeCallback(int objc, Tcl_Obj *const objv[]);
    int StartStream(int32_t partition, Tcl_Obj *command);
    int RequireStarted(int32_t partition);
    int RequireNotQueued(int32_t partition);
    void AwaitLeaders();
    void FetchLeaders(int timeoutMs);
    // How long consume_start waits for the watermarks that resolve a logical
    // start offset (ResolveLogicalStart), on top of fetch.wait.max.ms
    // (ResolveBoundMs); documented in kafka.man.
    static constexpr int kResolveMs = 500;
    int ResolveLogicalStart(int32_t partition, Tcl_Obj *word, int64_t *offset);
    int ResolveBoundMs() const;
    // The watermarks of one partition, and when the broker gave them.
    struct Watermarks {
        int64_t low = -1, high = -1;
        std::chrono::steady_clock::time_point at;
    };
    rd_kafka_resp_err_t QueryWatermarks(int32_t partition, int boundMs, Watermarks *wanted);
    rd_kafka_resp_err_t AskWatermarks(int32_t partition, int boundMs, Watermarks *wanted);
    std::vector<int32_t> PartitionsSharingLeader(int32_t partition) const;
    rd_kafka_resp_err_t AskWatermarksOf(const std::vector<int32_t> &asked, int32_t partition, int boundMs,
                                        Watermarks *wanted);
    // How long the watermarks one logical start fetched for the topic's other
    // partitions may serve their starts (each entry serves one start).
    static constexpr int kPrefetchValidMs = 1000;

    Handle *handle_;
    TopicPtr rkt_;
    // The topic configuration rd_kafka_topic_new was given (librdkafka keeps
    // no readable copy): what `config` shows.
    TopicConfPtr conf_;
    std::set<int32_t> started_; // partitions with consume_start in effect
    std::set<int32_t> queued_;  // of those, the ones start_queue routed to a queue
    bool leadersKnown_ = false;  // AwaitLeaders got this topic's metadata
    std::vector<int32_t> leaders_; // from that metadata: each partition's leader (-1: none)
    std::map<int32_t, Watermarks> prefetched_; // see QueryWatermarks
    std::map<int32_t, StreamSlot> streams_; // asynchronous consume_callback per partition
};

} // namespace kafkatcl
