// message.cpp -- consumed messages into Tcl variables, and the batch loop.
#include "message.h"

#include "object.h"

#include <cstring>
#include <map>
#include <string>
#include <utility>

namespace kafkatcl {

namespace {
// Element names, made once per thread: filling arrays is a hot path.
struct ElementNames {
    Tcl_Obj *payload, *partition, *offset, *topic, *timestamp, *key, *headers, *timestampType;
    Tcl_Obj *tsCreate, *tsLogAppend, *tsNone; // the timestamp_type values
    std::string lastTopic;                      // the last topic name and its Tcl_Obj
    Tcl_Obj *lastTopicObj = nullptr;
    ElementNames() {
        Tcl_Obj **all[] = {&payload, &partition, &offset, &topic, &timestamp, &key, &headers, &timestampType,
                           &tsCreate, &tsLogAppend, &tsNone};
        const char *names[] = {"payload", "partition", "offset", "topic", "timestamp", "key", "headers", "timestamp_type",
                               "create", "logappend", "none"};
        for (int i = 0; i < 11; i++) {
            *all[i] = Tcl_NewStringObj(names[i], -1);
            Tcl_IncrRefCount(*all[i]);
        }
    }
    // Tcl_Objs are owned by one thread; leaked deliberately at thread exit
    // would be a leak, so release them.
    ~ElementNames() {
        for (Tcl_Obj *o : {payload, partition, offset, topic, timestamp, key, headers, timestampType, tsCreate, tsLogAppend, tsNone})
            Tcl_DecrRefCount(o);
        if (lastTopicObj) Tcl_DecrRefCount(lastTopicObj);
    }
    Tcl_Obj *TopicObj(const char *name) {
        if (!lastTopicObj || lastTopic != name) {
            if (lastTopicObj) Tcl_DecrRefCount(lastTopicObj);
            lastTopic = name;
            lastTopicObj = Tcl_NewStringObj(name, -1);
            Tcl_IncrRefCount(lastTopicObj);
        }
        return lastTopicObj;
    }
};
thread_local ElementNames *tlsNames = nullptr;

void FreeNames(ClientData) {
    delete tlsNames;
    tlsNames = nullptr;
}

ElementNames &Names() {
    if (!tlsNames) {
        tlsNames = new ElementNames;
        Tcl_CreateThreadExitHandler(FreeNames, NULL);
    }
    return *tlsNames;
}
} // namespace

// librdkafka's timestamp types by name.
static Tcl_Obj *TimestampTypeObj(rd_kafka_timestamp_type_t t) {
    ElementNames &n = Names();
    return t == RD_KAFKA_TIMESTAMP_CREATE_TIME ? n.tsCreate : t == RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME ? n.tsLogAppend : n.tsNone;
}

// The message's headers as a list {name value ...}, or nullptr when it has none.
static Tcl_Obj *HeadersObj(const rd_kafka_message_t *msg, bool asText) {
    rd_kafka_headers_t *hdrs;
    if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return nullptr;
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    const char *name;
    const void *value;
    size_t size;
    for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; i++) {
        Tcl_ListObjAppendElement(NULL, list, NewBytesObj(name, strlen(name), true));
        Tcl_ListObjAppendElement(NULL, list, NewBytesObj(value ? value : "", value ? size : 0, asText));
    }
    return list;
}

int StoreMessageInArray(Tcl_Interp *interp, Tcl_Obj *arrayName, const rd_kafka_message_t *msg, bool asText,
                        ArrayFill *fill) {
    ElementNames &n = Names();
    ArrayFill unknown;
    if (!fill) fill = &unknown;
    rd_kafka_timestamp_type_t tsType;
    int64_t ts = rd_kafka_message_timestamp(msg, &tsType);
    const int flags = TCL_LEAVE_ERR_MSG;
    if (!Tcl_ObjSetVar2(interp, arrayName, n.payload, NewBytesObj(msg->payload, msg->len, asText), flags) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.partition, Tcl_NewIntObj(msg->partition), flags) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.offset, Tcl_NewWideIntObj(msg->offset), flags) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.topic, n.TopicObj(rd_kafka_topic_name(msg->rkt)), flags) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.timestamp, Tcl_NewWideIntObj(ts), flags) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.timestampType, TimestampTypeObj(tsType), flags)) {
        return RelabelError(interp);
    }
    if (Tcl_Obj *headers = HeadersObj(msg, asText)) {
        if (!Tcl_ObjSetVar2(interp, arrayName, n.headers, headers, flags)) return RelabelError(interp);
        fill->headersSet = true;
    } else if (fill->headersSet) {
        Tcl_UnsetVar2(interp, Tcl_GetString(arrayName), "headers", 0);
        fill->headersSet = false;
    }
    if (msg->key) {
        if (!Tcl_ObjSetVar2(interp, arrayName, n.key, NewBytesObj(msg->key, msg->key_len, asText), flags))
            return RelabelError(interp);
        fill->keySet = true;
    } else if (fill->keySet) {
        Tcl_UnsetVar2(interp, Tcl_GetString(arrayName), "key", 0);
        fill->keySet = false;
    }
    return TCL_OK;
}

int StoreConsumed(Tcl_Interp *interp, const MessagePtr &msg, Tcl_Obj *arrayName, bool asText) {
    if (!msg || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Tcl_SetObjResult(interp, Tcl_NewIntObj(0));
        return TCL_OK;
    }
    if (msg->err) return MessageError(interp, msg.get());
    if (StoreMessageInArray(interp, arrayName, msg.get(), asText) != TCL_OK) return TCL_ERROR;
    Tcl_SetObjResult(interp, Tcl_NewIntObj(1));
    return TCL_OK;
}

int FetchBatch(Tcl_Interp *interp, size_t count, const std::function<ssize_t(rd_kafka_message_t **, size_t)> &fetch,
               std::vector<MessagePtr> *messages, const char *what) {
    std::vector<rd_kafka_message_t *> raw(count);
    ssize_t got = fetch(raw.data(), count);
    if (got < 0) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        return KafkaError(interp, err, std::string(what) + " failed: " + rd_kafka_err2str(err));
    }
    messages->reserve((size_t)got);
    for (ssize_t i = 0; i < got; i++) messages->emplace_back(raw[(size_t)i]);
    return TCL_OK;
}

int MessageError(Tcl_Interp *interp, const rd_kafka_message_t *msg) {
    std::string text = rd_kafka_message_errstr(msg);
    if (msg->rkt) {
        text += " (topic " + std::string(rd_kafka_topic_name(msg->rkt)) + ", partition " +
                std::to_string(msg->partition) + ")";
    }
    return KafkaError(interp, msg->err, text);
}

void PutBack(std::vector<MessagePtr> &messages, size_t from) {
    std::map<std::pair<rd_kafka_topic_t *, int32_t>, int64_t> first;
    for (size_t i = from; i < messages.size(); i++) {
        const rd_kafka_message_t *m = messages[i].get();
        if (m->err || !m->rkt) continue;
        first.emplace(std::make_pair(m->rkt, m->partition), m->offset); // keeps the earliest
    }
    for (auto &entry : first) {
        // Asynchronous seek (timeout 0): already-fetched messages are discarded
        // by librdkafka's op versioning, so the next consume restarts there.
        rd_kafka_seek(entry.first.first, entry.first.second, entry.second, 0);
    }
}

Tcl_Obj *MessageToDict(const rd_kafka_message_t *msg, bool asText) {
    ElementNames &n = Names();
    Tcl_Obj *d = Tcl_NewDictObj();
    if (msg->err) {
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("error", -1), Tcl_NewStringObj(rd_kafka_err2name(msg->err), -1));
        Tcl_DictObjPut(NULL, d, Tcl_NewStringObj("message", -1), Tcl_NewStringObj(rd_kafka_message_errstr(msg), -1));
        if (msg->rkt) Tcl_DictObjPut(NULL, d, n.topic, Tcl_NewStringObj(rd_kafka_topic_name(msg->rkt), -1));
        Tcl_DictObjPut(NULL, d, n.partition, Tcl_NewIntObj(msg->partition));
        return d;
    }
    rd_kafka_timestamp_type_t tsType;
    Tcl_DictObjPut(NULL, d, n.payload, NewBytesObj(msg->payload, msg->len, asText));
    Tcl_DictObjPut(NULL, d, n.partition, Tcl_NewIntObj(msg->partition));
    Tcl_DictObjPut(NULL, d, n.offset, Tcl_NewWideIntObj(msg->offset));
    Tcl_DictObjPut(NULL, d, n.topic, Tcl_NewStringObj(rd_kafka_topic_name(msg->rkt), -1));
    Tcl_DictObjPut(NULL, d, n.timestamp, Tcl_NewWideIntObj(rd_kafka_message_timestamp(msg, &tsType)));
    Tcl_DictObjPut(NULL, d, n.timestampType, TimestampTypeObj(tsType));
    if (msg->key) Tcl_DictObjPut(NULL, d, n.key, NewBytesObj(msg->key, msg->key_len, asText));
    if (Tcl_Obj *headers = HeadersObj(msg, asText)) Tcl_DictObjPut(NULL, d, n.headers, headers);
    return d;
}

int RunBatch(Tcl_Interp *interp, Object *owner, std::vector<MessagePtr> &messages,
             const std::function<int(const rd_kafka_message_t *)> &perMessage, const char *what) {
    int ran = 0;
    for (size_t i = 0; i < messages.size(); i++) {
        const rd_kafka_message_t *m = messages[i].get();
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
        int code = perMessage(m);
        if (code == TCL_OK || code == TCL_CONTINUE) {
            ran++;
        } else if (code == TCL_BREAK) {
            ran++;
            if (!owner->Deleted()) PutBack(messages, i + 1);
            break;
        } else {
            if (code == TCL_ERROR) {
                Tcl_AppendObjToErrorInfo(interp, Tcl_ObjPrintf("\n    (%s line %d)", what, Tcl_GetErrorLine(interp)));
            }
            if (!owner->Deleted()) PutBack(messages, i + 1);
            return code;
        }
        if (owner->Deleted()) break; // the script deleted its own consumer
    }
    Tcl_SetObjResult(interp, Tcl_NewIntObj(ran));
    return TCL_OK;
}

int RunBatchBody(Tcl_Interp *interp, Object *owner, std::vector<MessagePtr> &messages, Tcl_Obj *arrayName,
                 Tcl_Obj *body, bool asText) {
    ArrayFill fill; // the body may unset elements itself: then Tcl_UnsetVar2 just finds nothing
    return RunBatch(
        interp, owner, messages,
        [&](const rd_kafka_message_t *m) {
            if (m->err) return MessageError(interp, m);
            if (StoreMessageInArray(interp, arrayName, m, asText, &fill) != TCL_OK) return TCL_ERROR;
            return Tcl_EvalObjEx(interp, body, 0);
        },
        "\"consume_batch\" body");
}

} // namespace kafkatcl
