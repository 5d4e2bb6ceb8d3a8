// handle.h -- a producer or consumer handle (one rd_kafka_t), made by the
// master's create_producer/create_consumer. Topics and queues are its children.
#pragma once

#include "callbacks.h"
#include "delivery.h"
#include "partitions.h"
#include "serdebind.h"
#include "object.h"
#include "stream.h"
#include "wakeup.h"

#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace kafkatcl {

// One librdkafka event waiting to be delivered to Tcl. Plain C++ data: it may
// be recorded on a librdkafka thread (logs) and is turned into Tcl values only
// in the handle's own thread.
struct HandleEvent {
    enum Kind { Error, Statistics, Log, Rebalance, Throttle, OauthbearerRefresh, OffsetCommit } kind; // delivery reports: see DeliveryReports
    // Error: the error; Rebalance: librdkafka's rebalance code (_ASSIGN_PARTITIONS ...);
    // OffsetCommit: the commit's overall error.
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    // Error: its message; Statistics: the JSON; Log: the line; Throttle: the
    // broker's name; OauthbearerRefresh: sasl.oauthbearer.config
    std::string text;
    bool fatal = false;   // Error: librdkafka says the instance is unusable
    int level = 0;        // Log: syslog level
    std::string facility; // Log: librdkafka's facility (BROKER, CONFWARN ...)
    int32_t brokerId = -1; // Throttle: the broker's id ...
    int throttleMs = 0;    // ... and its throttle time
    struct RebalanceChange {
        std::string event;    // "assign", "revoke" or "error"
        std::string protocol; // the group's rebalance protocol: EAGER, COOPERATIVE or NONE
        std::vector<std::pair<std::string, int32_t>> partitions;
        rd_kafka_resp_err_t applyErr = RD_KAFKA_RESP_ERR_NO_ERROR; // librdkafka refused the change
        std::string applyMessage;                                  // which call failed, and why
        bool lost = false; // rd_kafka_assignment_lost: the partitions were lost, not revoked
    } rebalance; // Rebalance only
    PartitionListPtr offsets; // OffsetCommit: the offsets, with per-partition errors
    uint64_t commitId = 0;    // OffsetCommit: its commit -command/-await request (0: none)
};

class Master;

// Where a handle's configuration comes from when it is not its master's
// (create_consumer): a subscriber's own copy, the subscriber being the
// handle's parent (see subscriber.h). Callbacks and decoding stay the master's.
struct HandleOrigin {
    Object *parent;
    const rd_kafka_conf_t *conf;
    const rd_kafka_topic_conf_t *topicConf;
};

class Handle : public Object {
  public:
    // How long deleting a producer handle (or exiting) waits for outstanding
    // messages to be delivered before destroying it. Documented in kafka.man.
    static constexpr int kCloseFlushMs = 10000;
    // flush waits at most this long before running the callbacks of what it collected (see Flush).
    static constexpr int kFlushSliceMs = 1;

    // Makes the rd_kafka_t from the master's configuration (or origin's);
    // nullptr and *error on failure.
    static Handle *Create(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, std::string *error,
                          const HandleOrigin *origin = nullptr);
    ~Handle() override;

    int Invoke(int objc, Tcl_Obj *const objv[]) override;

    // The kinds of handle in the method table (method.h), and a facet that
    // is not a kind: it marks the admin calls, so their names can be listed
    // (the fuzzer gives their -command options its scripts).
    static constexpr unsigned kProducerKind = 1;
    static constexpr unsigned kConsumerKind = 2;
    static constexpr unsigned kAdminFacet = 4;
    // The method names of a kind (or of the admin facet), in table order.
    static std::vector<const char *> MethodNames(unsigned kind);
    // Runs one of this handle's methods from C++, as its command would run
    // "$handle method ?arg ...?" (see MethodTable::Call).
    using Method = int (Handle::*)(int objc, Tcl_Obj *const objv[]);
    int CallMethod(Method run, const std::vector<Tcl_Obj *> &args);

    rd_kafka_t *Kafka() const { return rk_.get(); }
    Master *GetMaster() const { return master_; }

    // Serves librdkafka's queued events (delivery reports, errors, stats,
    // logs) and invokes up to `limit` Tcl callbacks; asks the event loop to
    // come back for the rest. Called from the event loop and by blocking
    // methods (flush, consume, ...) so scripts without an event loop still
    // get their callbacks.
    void ServeEvents(size_t limit = kDispatchBatch);

    // Asynchronous admin calls in flight (they must not outlive rk_).
    void KeepPending(std::shared_ptr<class AdminPending> pending) { adminPending_.push_back(std::move(pending)); }
    void DropPending(class AdminPending *pending);
    // lag -command/-await in flight (lag.cpp): joined before rk_ goes.
    void DropLag(class LagJob *job);
    static constexpr size_t kDispatchBatch = 1000;
    bool IsProducer() const { return type_ == RD_KAFKA_PRODUCER; }
    MessageFormat Format() const;
    // The serdes bound to this handle's topics ($handle serde, $topic serde).
    SerdeBindings &Serdes() { return serdes_; }
    // The topic configuration new_topic gives the next topic (`$handle config`).
    const rd_kafka_topic_conf_t *TopicConf() const { return topicConf_.get(); }
    // Partitions of this handle's topics started with consume_start(_queue),
    // by topic name. librdkafka has one fetcher per topic partition and
    // handle, whichever topic object started it: starting it again from a
    // second topic object of the same topic aborts librdkafka 2.0.2
    // (rd_kafka_toppar_fetch_start assert), and its rd_kafka_consumer_close
    // never returns while any are started.
    void MarkStarted(const std::string &topic, int32_t partition, bool started) {
        if (started) startedSet_.insert({topic, partition});
        else startedSet_.erase({topic, partition});
        startedPartitions_ = (int)startedSet_.size();
    }
    bool IsStarted(const std::string &topic, int32_t partition) const { return startedSet_.count({topic, partition}) != 0; }
    // Whether the handle has been a group consumer (subscribe, assign) since
    // its last close. A handle consumes either that way or by partition
    // (consume_start): librdkafka 2.0.2 aborts the process (assert in
    // rd_kafka_toppar_fetch_start) when one partition is consumed both ways.
    bool GroupInUse() const { return groupInUse_; }
    // The brokers add_brokers gave, comma-separated (for MockCluster::Reaches).
    const std::string &AddedBrokers() const { return addedBrokers_; }
    // The script's own positioning of partitions (seek, start, stop, assign,
    // incremental_(un)assign), so that a batch's put-back of the messages it
    // did not reach (PutBack, message.h) never undoes a position the script
    // set meanwhile, inside the batch's body or stream callback or not: take
    // a mark before running the script, ask RepositionedSince after.
    uint64_t RepositionMark() const { return repositionSeq_; }
    void MarkRepositioned(const std::string &topic, int32_t partition) { repositioned_[{topic, partition}] = ++repositionSeq_; }
    void MarkAllRepositioned() { allRepositioned_ = ++repositionSeq_; } // assign: the whole assignment
    // A rebalance moves partitions too (group.cpp).
    void MarkRebalanced(rd_kafka_resp_err_t err, const rd_kafka_topic_partition_list_t *parts);
    // (A C string: the usual case, per message, builds no std::string.)
    bool RepositionedSince(const char *topic, int32_t partition, uint64_t mark) const {
        if (mark == repositionSeq_) return false; // the usual case, per message: no lookup
        auto it = repositioned_.find({std::string(topic), partition});
        return allRepositioned_ > mark || (it != repositioned_.end() && it->second > mark);
    }
    // enable.auto.offset.store: librdkafka stores a message's offset as
    // consumed when it hands the message over (a batch's too, all at once).
    bool AutoOffsetStore() const { return autoOffsetStore_; }
    // The batches being run (HandedOffsets, message.h; nested when a body
    // consumes again): StoreHanded stores what each handed so far, before a
    // call that commits the stored offsets.
    void RunningBatch(class HandedOffsets *batch, bool running);
    void StoreHanded();
    // A failed produce or produce_batch (producer.cpp): a KAFKA error whose
    // errorCode, on an idempotent or transactional producer, has the fourth
    // element of the transaction methods' errors: {fatal} once librdkafka
    // raised a fatal error (e.g. the producer was fenced), else empty.
    int ProduceError(rd_kafka_resp_err_t err, const std::string &message);

  protected:
    void OnDelete() override;

  private:
    Handle(Tcl_Interp *interp, Master *master, rd_kafka_type_t type, const HandleOrigin &origin);
    static void FlushAtExit(ClientData cd);
    bool Open(const HandleOrigin &origin, std::string *error);
    void Record(HandleEvent &&event);
    void DispatchOne(HandleEvent &event);

    // librdkafka callbacks (run inside rd_kafka_poll/flush, or for logs
    // possibly on a librdkafka thread).
    static void OnDelivery(rd_kafka_t *rk, const rd_kafka_message_t *msg, void *opaque);
    static void OnError(rd_kafka_t *rk, int err, const char *reason, void *opaque);
    static int OnStatistics(rd_kafka_t *rk, char *json, size_t len, void *opaque);
    static void OnLog(const rd_kafka_t *rk, int level, const char *fac, const char *buf);
    static void OnThrottle(rd_kafka_t *rk, const char *broker, int32_t brokerId, int throttleMs, void *opaque);
    // sasl.cpp
    static void OnOauthbearerRefresh(rd_kafka_t *rk, const char *config, void *opaque);
    void DispatchOauthbearerRefresh(const HandleEvent &e);
    // commit.cpp
    static void OnOffsetCommit(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *offsets,
                               void *opaque);
    void TakeCommitResults();
    void DispatchCommitResult(HandleEvent &e);
    int CommitWithReceiver(rd_kafka_topic_partition_list_t *list, Tcl_Obj *command, bool await);
    bool Sampled(const rd_kafka_message_t *msg, MasterCallbacks &cb);
    void DeliverLater(const rd_kafka_message_t *msg, std::unique_ptr<MessageOpaque> own);
    void DeliverLater(ObjRef report, std::unique_ptr<MessageOpaque> own);

    // The methods: one row each in handle.cpp's table (HandleMethods), which
    // checks their arity. Each handler's file: handle.cpp unless noted.
    friend struct HandleMethods;
    friend class Subscriber; // names the consumer methods it forwards to (CallMethod)
    int Name(int objc, Tcl_Obj *const objv[]);
    int NewTopic(int objc, Tcl_Obj *const objv[]);
    int CreateQueue(int objc, Tcl_Obj *const objv[]);
    int LogLevel(int objc, Tcl_Obj *const objv[]);
    int LoggerMethod(int objc, Tcl_Obj *const objv[]);
    int AddBrokers(int objc, Tcl_Obj *const objv[]);
    int OutputQueueLength(int objc, Tcl_Obj *const objv[]);
    int TopicConfig(int objc, Tcl_Obj *const objv[]); // `config`
    int Partitioner(int objc, Tcl_Obj *const objv[]);
    int SerdeMethod(int objc, Tcl_Obj *const objv[]); // `serde`
    int Flush(int objc, Tcl_Obj *const objv[]);
    int GetWatermarks(int objc, Tcl_Obj *const objv[]);
    int QueryWatermarks(int objc, Tcl_Obj *const objv[]);
    int OffsetsForTimes(int objc, Tcl_Obj *const objv[]);
    // sasl.cpp
    int OauthbearerSetToken(int objc, Tcl_Obj *const objv[]);
    int OauthbearerSetTokenFailure(int objc, Tcl_Obj *const objv[]);
    // info.cpp
    int Info(int objc, Tcl_Obj *const objv[]);
    int Meta(int objc, Tcl_Obj *const objv[]);
    // ... their sub-words' shared handlers (rows: Info's and Meta's nested tables)
    int InfoOf(int type, int words, int objc, Tcl_Obj *const objv[]);
    int MetaOf(bool print, int objc, Tcl_Obj *const objv[]);
    // producer.cpp
    int Purge(int objc, Tcl_Obj *const objv[]);
    int InitTransactions(int objc, Tcl_Obj *const objv[]);
    int BeginTransaction(int objc, Tcl_Obj *const objv[]);
    int SendOffsetsToTransaction(int objc, Tcl_Obj *const objv[]);
    int CommitTransaction(int objc, Tcl_Obj *const objv[]);
    int AbortTransaction(int objc, Tcl_Obj *const objv[]);
    // group.cpp
    int Subscribe(int objc, Tcl_Obj *const objv[]);
    int Unsubscribe(int objc, Tcl_Obj *const objv[]);
    int Subscription(int objc, Tcl_Obj *const objv[]);
    int Assign(int objc, Tcl_Obj *const objv[]);
    int IncrementalAssign(int objc, Tcl_Obj *const objv[]);
    int IncrementalUnassign(int objc, Tcl_Obj *const objv[]);
    int Assignment(int objc, Tcl_Obj *const objv[]);
    int Poll(int objc, Tcl_Obj *const objv[]);
    int Consume(int objc, Tcl_Obj *const objv[]);
    int ConsumeBatch(int objc, Tcl_Obj *const objv[]);
    int ConsumeCallback(int objc, Tcl_Obj *const objv[]);
    int Next(int objc, Tcl_Obj *const objv[]);
    int Commit(int objc, Tcl_Obj *const objv[]); // commit.cpp
    int Committed(int objc, Tcl_Obj *const objv[]);
    int Position(int objc, Tcl_Obj *const objv[]);
    int Lag(int objc, Tcl_Obj *const objv[]); // lag.cpp
    int Seek(int objc, Tcl_Obj *const objv[]);
    int Pause(int objc, Tcl_Obj *const objv[]);
    int Resume(int objc, Tcl_Obj *const objv[]);
    int PauseOrResume(Tcl_Obj *partitions, bool pause);
    int StoreOffsets(int objc, Tcl_Obj *const objv[]);
    int RebalanceCallback(int objc, Tcl_Obj *const objv[]);
    int Close(int objc, Tcl_Obj *const objv[]);
    int MemberId(int objc, Tcl_Obj *const objv[]);
    int Generation(int objc, Tcl_Obj *const objv[]);

    // The usage in the method's row, for the "wrong # args" an option parser
    // gives (an option without its value).
    static const char *UsageOf(int (Handle::*run)(int, Tcl_Obj *const[]));
    // The watermarks of objv topic and partition words: librdkafka's cached
    // ones, or (timeoutMs >= -1) asked of the leader. `what` starts the error.
    int Watermarks(Tcl_Obj *topic, Tcl_Obj *partition, bool query, int timeoutMs, const char *what);
    int RefreshMetadata(int timeout);
    // Logs a line of our own through this handle's logger, as librdkafka's are.
    void LogLine(int level, const char *facility, const std::string &text);
    // group.cpp helpers
    int GroupChange(int objc, Tcl_Obj *const objv[], bool incremental, bool assign);
    int Positions(int objc, Tcl_Obj *const objv[], bool committed);
    // producer.cpp helper: init/commit/abort_transaction ?timeoutMs?
    int TransactionCall(int objc, Tcl_Obj *const objv[], rd_kafka_error_t *(*call)(rd_kafka_t *, int));
    rd_kafka_queue_t *ConsumerQueue();
    rd_kafka_topic_partition_list_t *MessageOffset(Tcl_Obj *message);
    static void OnRebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t *parts, void *opaque);
    bool RunSyncRebalance(HandleEvent &event);
    int RefuseInRebalance(Tcl_Obj *method);
    int CloseWithin(int timeoutMs);
    void ServeCloseQueue(int timeoutMs);

    Master *master_;
    rd_kafka_type_t type_;
    Tcl_ThreadId owner_;
    // Declaration order is destruction order reversed: the event list and the
    // wakeup pipe outlive rk_, which may still log or signal while destroyed.
    std::mutex eventsMutex_;
    std::deque<HandleEvent> events_;
    DeliveryReports deliveries_;
    WakeupPtr wakeup_;
    KafkaPtr rk_;
    QueuePtr mainQueue_;     // librdkafka's main queue, watched by wakeup_
    QueuePtr consumerQueue_; // the group consumer's queue (made on first use)
    QueuePtr closeQueue_;    // close -timeout: rd_kafka_consumer_close_queue's, watched by wakeup_
    StreamSlot groupStream_; // asynchronous group consume_callback
    std::unique_ptr<NextWait> groupNext_; // a coroutine's `next` on the group consumer
    // commit -command/-await (commit.cpp): their results' queue, watched by
    // wakeup_ (made on first use), and who waits for which, by request id.
    struct CommitWaiter {
        ObjRef command;
        AwaitSlot await;
    };
    QueuePtr commitQueue_;
    std::map<uint64_t, CommitWaiter> commitWaiters_;
    uint64_t commitSeq_ = 0;
    ObjRef rebalanceCommand_;
    bool rebalanceSync_ = false;    // rebalance_callback -sync: see RunSyncRebalance
    bool inRebalance_ = false;      // a -sync rebalance command is running
    bool rebalanceHandled_ = false; // ... and it changed the assignment itself
    std::vector<std::shared_ptr<class AdminPending>> adminPending_;
    std::vector<std::shared_ptr<class LagJob>> lagJobs_;
    TopicConfPtr topicConf_; // per-handle topic configuration for new_topic
    MetadataPtr metadata_;   // kept by `meta refresh`, shown by `meta print`
    bool brokersUnset_ = false; // made without bootstrap.servers (see OnLog)
    bool exitHandler_ = false;
    std::string addedBrokers_; // see AddedBrokers
    SerdeBindings serdes_;     // see Serdes
    // ServeEvents is running callbacks: a nested call (from one of them)
    // only records, the running loop dispatches (see ServeEvents).
    bool dispatching_ = false;
    struct DispatchingGuard {
        bool *flag;
        bool before;
        explicit DispatchingGuard(bool *f) : flag(f), before(*f) { *flag = true; }
        ~DispatchingGuard() { *flag = before; }
        DispatchingGuard(const DispatchingGuard &) = delete;
        DispatchingGuard &operator=(const DispatchingGuard &) = delete;
    };
    unsigned long deliverySeq_ = 0; // for delivery_report every N
    int startedPartitions_ = 0;     // see MarkStarted
    std::set<std::pair<std::string, int32_t>> startedSet_;
    bool groupInUse_ = false;       // see GroupInUse
    std::set<std::pair<std::string, int32_t>> appPaused_; // see Handle::Pause
    std::map<std::pair<std::string, int32_t>, uint64_t> repositioned_; // see RepositionMark
    uint64_t repositionSeq_ = 0, allRepositioned_ = 0;
    bool autoOffsetStore_ = true;
    std::vector<class HandedOffsets *> runningBatches_; // see RunningBatch
    // `$handle logger ...`: this handle's own logger, else the master's.
    LoggerSetting ownLogger_;
    std::atomic<bool> hasOwnLogger_{false}; // read by librdkafka threads
    const LoggerSetting &Logger() const;
    int RefuseGroupWhileStarted();  // group.cpp
};

} // namespace kafkatcl
