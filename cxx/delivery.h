// delivery.h -- delivery reports on their way from librdkafka's dr_msg_cb to
// the Tcl callback. A million-message producer loop makes a million of them,
// so a report is recorded as a few numbers (plus the topic name's Tcl_Obj)
// and only made into the callback's key/value list when dispatched. The list
// of the previous report is rewritten in place when the callback kept no
// reference to it, so a steady stream allocates nothing per report.
#pragma once

#include "await.h"
#include "callbacks.h"
#include "objcache.h"

#include <deque>
#include <memory>
#include <string>
#include <vector>

namespace kafkatcl {

// What a message carries to its delivery report (librdkafka's msg_opaque),
// made only when produce has -opaque, -command or -await: without them the
// opaque is NULL and the report path is as cheap as before.
struct MessageOpaque {
    ObjRef opaque;   // -opaque: a value the report carries
    ObjRef command;  // -command: gets this message's report
    AwaitSlot await; // -await: the coroutine waiting for it
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR; // the delivery's, once reported
    bool PerMessage() const { return command || await; }
};

// Hands `report` to the message's own -command and -await.
void DeliverToMessage(Tcl_Interp *interp, Tcl_Obj *report, MessageOpaque &own);

// A recorded report on its way out: to the master's delivery callback
// (toMaster: sampling chose it) and to the message's own (own).
struct Delivery {
    ObjRef report;
    std::unique_ptr<MessageOpaque> own;
    bool toMaster;
};

class DeliveryReports {
  public:
    DeliveryReports();
    // In rd_kafka_poll/flush, in the handle's thread: remembers `msg`'s report.
    // `own` holds the produce -opaque value and the message's own callbacks
    // (may be empty); withPayload: the report carries the message's payload
    // (see deliveryPayload).
    void Record(const rd_kafka_message_t *msg, std::unique_ptr<MessageOpaque> own, bool decodeText, bool withPayload,
                bool toMaster);
    // The full report of `msg`, built at once.
    ObjRef Build(const rd_kafka_message_t *msg, Tcl_Obj *userOpaque, bool decodeText, bool withPayload);
    bool Empty() const { return pending_.empty(); }
    // The oldest report, as the callbacks' argument:
    // topic T partition P offset O error {} ?message M? ?key K? ?payload D? ?opaque V?
    Delivery Next();
    // Hands back an argument after its callback: kept for reuse when nobody
    // else holds it.
    void Recycle(ObjRef report);

  private:
    struct Pending {
        ObjRef full;  // a report with an error, a key, a payload or an opaque value: built at once
        ObjRef topic; // else: the plain report's topic, partition and offset
        int32_t partition;
        int64_t offset;
        std::unique_ptr<MessageOpaque> own;
        bool toMaster;
    };
    bool Rewrite(Tcl_Obj *list, const Pending &p);

    std::deque<Pending> pending_;
    ObjRef topicKey_, partitionKey_, offsetKey_, errorKey_, messageKey_, keyKey_, payloadKey_, opaqueKey_, empty_;
    TopicNameObj topicName_;
    PartitionObjs partitionObjs_;
    ObjRef spare_; // the last plain report, free for rewriting
};

} // namespace kafkatcl
