// delivery.cpp -- delivery reports, recorded compactly and built on dispatch.
#include "delivery.h"

#include "util.h"

#include <cstring>

namespace kafkatcl {

namespace {
constexpr int kPlainLength = 8; // topic T partition P offset O error {}
}

DeliveryReports::DeliveryReports()
    : topicKey_(Tcl_NewStringObj("topic", -1)), partitionKey_(Tcl_NewStringObj("partition", -1)),
      offsetKey_(Tcl_NewStringObj("offset", -1)), errorKey_(Tcl_NewStringObj("error", -1)),
      messageKey_(Tcl_NewStringObj("message", -1)), keyKey_(Tcl_NewStringObj("key", -1)),
      payloadKey_(Tcl_NewStringObj("payload", -1)), opaqueKey_(Tcl_NewStringObj("opaque", -1)), empty_(Tcl_NewObj()) {}

void DeliveryReports::Record(const rd_kafka_message_t *msg, std::unique_ptr<MessageOpaque> own, bool decodeText,
                             bool withPayload, bool toMaster) {
    if (!msg->err && !msg->key && !own && !withPayload) {
        Tcl_Obj *topic = topicName_.Get(rd_kafka_topic_name(msg->rkt));
        pending_.push_back(Pending{ObjRef(), ObjRef(topic), msg->partition, msg->offset, nullptr, toMaster});
        return;
    }
    ObjRef full = Build(msg, own ? own->opaque.get() : nullptr, decodeText, withPayload);
    if (own) own->err = msg->err;
    pending_.push_back(Pending{std::move(full), ObjRef(), 0, 0, std::move(own), toMaster});
}

ObjRef DeliveryReports::Build(const rd_kafka_message_t *msg, Tcl_Obj *userOpaque, bool decodeText, bool withPayload) {
    Tcl_Obj *topic = topicName_.Get(rd_kafka_topic_name(msg->rkt));
    Tcl_Obj *words[16];
    int n = 0;
    words[n++] = topicKey_.get();
    words[n++] = topic;
    words[n++] = partitionKey_.get();
    words[n++] = partitionObjs_.Get(msg->partition);
    words[n++] = offsetKey_.get();
    words[n++] = Tcl_NewWideIntObj(msg->offset);
    words[n++] = errorKey_.get();
    words[n++] = msg->err ? Tcl_NewStringObj(rd_kafka_err2name(msg->err), -1) : empty_.get();
    if (msg->err) {
        words[n++] = messageKey_.get();
        words[n++] = Tcl_NewStringObj(rd_kafka_err2str(msg->err), -1);
    }
    if (msg->key) {
        words[n++] = keyKey_.get();
        words[n++] = NewBytesObj(msg->key, msg->key_len, decodeText);
    }
    if (withPayload) {
        words[n++] = payloadKey_.get();
        words[n++] = NewBytesObj(msg->payload, msg->payload ? msg->len : 0, decodeText);
    }
    if (userOpaque) {
        words[n++] = opaqueKey_.get();
        words[n++] = userOpaque;
    }
    return ObjRef(Tcl_NewListObj(n, words));
}

// Makes `list`, a plain report nobody else holds, say `p` instead; false when
// it is not one (the callback turned it into a dict, say).
bool DeliveryReports::Rewrite(Tcl_Obj *list, const Pending &p) {
    static const Tcl_ObjType *listType = Tcl_GetObjType("list");
    Tcl_Size n;
    Tcl_Obj **el;
    if (Tcl_IsShared(list) || list->typePtr != listType || Tcl_ListObjGetElements(NULL, list, &n, &el) != TCL_OK ||
        n != kPlainLength || el[0] != topicKey_.get() || el[2] != partitionKey_.get() || el[4] != offsetKey_.get() ||
        el[6] != errorKey_.get() || el[7] != empty_.get())
        return false;
    // Tcl_ListObjReplace copies the elements first if another list shares them.
    if (el[1] != p.topic.get()) {
        Tcl_Obj *topic = p.topic.get();
        Tcl_ListObjReplace(NULL, list, 1, 1, 1, &topic);
        Tcl_ListObjGetElements(NULL, list, &n, &el);
    }
    Tcl_Obj *partition = partitionObjs_.Get(p.partition);
    if (el[3] != partition) Tcl_ListObjReplace(NULL, list, 3, 1, 1, &partition);
    // A new offset object rather than Tcl_SetWideIntObj on the old one: a
    // copy of this list (Tcl_DuplicateObj) may share its elements.
    Tcl_Obj *offset = Tcl_NewWideIntObj(p.offset);
    Tcl_ListObjReplace(NULL, list, 5, 1, 1, &offset);
    return true;
}

Delivery DeliveryReports::Next() {
    Pending p = std::move(pending_.front());
    pending_.pop_front();
    if (p.full) return Delivery{std::move(p.full), std::move(p.own), p.toMaster};
    ObjRef spare = std::move(spare_);
    if (spare && Rewrite(spare.get(), p)) return Delivery{std::move(spare), nullptr, p.toMaster};
    Tcl_Obj *words[kPlainLength] = {topicKey_.get(),  p.topic.get(),   partitionKey_.get(), partitionObjs_.Get(p.partition),
                                    offsetKey_.get(), Tcl_NewWideIntObj(p.offset), errorKey_.get(), empty_.get()};
    return Delivery{ObjRef(Tcl_NewListObj(kPlainLength, words)), nullptr, p.toMaster};
}

void DeliverToMessage(Tcl_Interp *interp, Tcl_Obj *report, MessageOpaque &own) {
    if (own.command) InvokeCallback(interp, own.command.get(), report, "kafka produce -command callback");
    if (!own.await) return;
    if (own.err) own.await->Fail(own.err, std::string("delivery failed: ") + rd_kafka_err2str(own.err));
    else own.await->Succeed(report);
}

void DeliveryReports::Recycle(ObjRef report) {
    if (!Tcl_IsShared(report.get())) spare_ = std::move(report);
}

} // namespace kafkatcl
