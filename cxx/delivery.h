// delivery.h -- delivery reports on their way from librdkafka's dr_msg_cb to
// the Tcl callback. A million-message producer loop makes a million of them,
// so a report is recorded as a few numbers (plus the topic name's Tcl_Obj)
// and only made into the callback's key/value list when dispatched. The list
// of the previous report is rewritten in place when the callback kept no
// reference to it, so a steady stream allocates nothing per report.
#pragma once

#include "callbacks.h"
#include "objcache.h"

#include <deque>
#include <string>
#include <vector>

namespace kafkatcl {

class DeliveryReports {
  public:
    DeliveryReports();
    // In rd_kafka_poll/flush, in the handle's thread: remembers `msg`'s report.
    // `userOpaque` is the produce -opaque value (may be empty); withPayload:
    // the report carries the message's payload (see deliveryPayload).
    void Record(const rd_kafka_message_t *msg, ObjRef userOpaque, bool decodeText, bool withPayload);
    bool Empty() const { return pending_.empty(); }
    // The oldest report as the callback's argument:
    // topic T partition P offset O error {} ?message M? ?key K? ?payload D? ?opaque V?
    ObjRef Next();
    // Hands back an argument after its callback: kept for reuse when nobody
    // else holds it.
    void Recycle(ObjRef report);

  private:
    struct Pending {
        ObjRef full;  // a report with an error, a key, a payload or an opaque value: built at once
        ObjRef topic; // else: the plain report's topic, partition and offset
        int32_t partition;
        int64_t offset;
    };
    bool Rewrite(Tcl_Obj *list, const Pending &p);

    std::deque<Pending> pending_;
    ObjRef topicKey_, partitionKey_, offsetKey_, errorKey_, messageKey_, keyKey_, payloadKey_, opaqueKey_, empty_;
    TopicNameObj topicName_;
    PartitionObjs partitionObjs_;
    ObjRef spare_; // the last plain report, free for rewriting
};

} // namespace kafkatcl
