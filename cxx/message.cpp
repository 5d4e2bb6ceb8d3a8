// message.cpp -- consumed messages into Tcl variables, and the batch loop.
#include "message.h"

#include "handle.h"
#include "object.h"
#include "objcache.h"
#include "serdebind.h"

#include <algorithm>
#include <chrono>
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
    TopicNameObj topicName;                     // values shared by consecutive messages
    PartitionObjs partitionObjs;
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

// Consecutive messages of a batch nearly always share topic, partition and
// timestamp type, and often the timestamp (a producer's messages of one
// millisecond), and setting an array element costs a variable lookup and more
// (a sixth of a consume_batch loop). So RunBatchBody leaves those four
// elements alone while they still hold the value it set, which a write/unset
// trace on each tells it: a body that changes or unsets one (or the whole
// array) gets it set again for the next message. The traces live only for
// the batch.
class StickyElements {
  public:
    enum { PARTITION, TOPIC, TIMESTAMP_TYPE, TIMESTAMP, COUNT };
    StickyElements(Tcl_Interp *interp, Tcl_Obj *arrayName) : interp_(interp), arrayName_(arrayName) {
        for (Slot &slot : slots_) slot.self = this;
    }
    ~StickyElements() {
        for (Slot &slot : slots_) {
            if (slot.traced)
                Tcl_UntraceVar2(interp_, Tcl_GetString(arrayName_), Tcl_GetString(slot.name), kTraceFlags, OnTrace, &slot);
        }
    }
    StickyElements(const StickyElements &) = delete;
    StickyElements &operator=(const StickyElements &) = delete;

    // Sets element `which` (named `name`) to `value` unless it holds it already.
    bool Set(int which, Tcl_Obj *name, Tcl_Obj *value) {
        Slot &slot = slots_[which];
        if (slot.holds == value) return true;
        writing_ = true;
        bool ok = Tcl_ObjSetVar2(interp_, arrayName_, name, value, TCL_LEAVE_ERR_MSG) != nullptr;
        writing_ = false;
        slot.holds = nullptr;
        if (!ok) return false;
        if (!slot.traced) {
            slot.name = name;
            slot.traced = Tcl_TraceVar2(interp_, Tcl_GetString(arrayName_), Tcl_GetString(name), kTraceFlags, OnTrace,
                                        &slot) == TCL_OK;
        }
        if (slot.traced) slot.holds = value; // still there unless the trace says otherwise
        return true;
    }

    // Sets element `which` to the integer `value` unless it holds it already.
    bool SetWide(int which, Tcl_Obj *name, Tcl_WideInt value) {
        Slot &slot = slots_[which];
        if (slot.holds && slot.wide == value) return true;
        if (!Set(which, name, Tcl_NewWideIntObj(value))) return false;
        slot.wide = value;
        return true;
    }

  private:
    static constexpr int kTraceFlags = TCL_TRACE_WRITES | TCL_TRACE_UNSETS;
    struct Slot {
        StickyElements *self = nullptr;
        Tcl_Obj *name = nullptr;  // element name (one of ElementNames', alive all along)
        Tcl_Obj *holds = nullptr; // the value the element holds for sure, or nullptr
        Tcl_WideInt wide = 0;     // what `holds` says, when SetWide set it
        bool traced = false;
    };
    static char *OnTrace(ClientData cd, Tcl_Interp *, const char *, const char *, int flags) {
        Slot *slot = static_cast<Slot *>(cd);
        if (flags & TCL_TRACE_UNSETS) {
            slot->traced = false; // Tcl removes a variable's traces when it is unset
            slot->holds = nullptr;
        } else if (!slot->self->writing_) {
            slot->holds = nullptr;
        }
        return nullptr;
    }
    Tcl_Interp *interp_;
    Tcl_Obj *arrayName_;
    Slot slots_[COUNT];
    bool writing_ = false; // our own Tcl_ObjSetVar2 is running: its trace is not news
};

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

// The serdes bound to msg's topic in `format`, or nullptr.
static const SerdePair *BoundSerdes(const rd_kafka_message_t *msg, const MessageFormat &format) {
    if (!format.serdes || msg->err || !msg->rkt) return nullptr;
    return format.serdes->Find(rd_kafka_topic_name(msg->rkt));
}

// The fields a message's bound serdes add (value schema_id key_value
// key_schema_id, or error and message).
static const char *const kDecodedFields[] = {"value", "schema_id", "key_value", "key_schema_id", "error", "message"};

// The one place a consumed message meets its topic's serdes (MessageToDict
// and StoreMessageInArray, so every consume path): what `pair` decodes of
// msg, as a dict holding (some of) kDecodedFields. The serdes always read
// the bytes, whatever `$master decode` says.
static ObjRef DecodedFields(const rd_kafka_message_t *msg, const MessageFormat &format, const SerdePair &pair) {
    ElementNames &n = Names();
    Tcl_Obj *raw = Tcl_NewDictObj();
    Tcl_DictObjPut(NULL, raw, n.payload, NewBytesObj(msg->payload, msg->len, false));
    if (msg->key) Tcl_DictObjPut(NULL, raw, n.key, NewBytesObj(msg->key, msg->key_len, false));
    return ObjRef(DecodeMessage(format.interp, pair, raw));
}

// Calls each(element, value) for every name of kDecodedFields, in order,
// with what `pair` decoded of msg (value nullptr: not decoded); stops at the
// first that returns false.
template <class Each>
static bool ForEachDecoded(const rd_kafka_message_t *msg, const MessageFormat &format, const SerdePair &pair,
                           Each each) {
    ObjRef decoded = DecodedFields(msg, format, pair);
    for (const char *name : kDecodedFields) {
        ObjRef element(Tcl_NewStringObj(name, -1));
        Tcl_Obj *value = nullptr;
        Tcl_DictObjGet(NULL, decoded.get(), element.get(), &value);
        if (!each(element.get(), value)) return false;
    }
    return true;
}

// With serdes bound to msg's topic: each decoded element set or removed,
// so a previous message's never stays behind.
static int StoreDecoded(Tcl_Interp *interp, Tcl_Obj *arrayName, const rd_kafka_message_t *msg, MessageFormat format) {
    const SerdePair *pair = BoundSerdes(msg, format);
    if (!pair) return TCL_OK;
    bool ok = ForEachDecoded(msg, format, *pair, [&](Tcl_Obj *element, Tcl_Obj *value) {
        if (value) return Tcl_ObjSetVar2(interp, arrayName, element, value, TCL_LEAVE_ERR_MSG) != nullptr;
        Tcl_UnsetVar2(interp, Tcl_GetString(arrayName), Tcl_GetString(element), 0);
        return true;
    });
    return ok ? TCL_OK : RelabelError(interp);
}

int StoreMessageInArray(Tcl_Interp *interp, Tcl_Obj *arrayName, const rd_kafka_message_t *msg, MessageFormat format,
                        ArrayFill *fill) {
    ElementNames &n = Names();
    ArrayFill unknown;
    if (!fill) fill = &unknown;
    rd_kafka_timestamp_type_t tsType;
    int64_t ts = rd_kafka_message_timestamp(msg, &tsType);
    const int flags = TCL_LEAVE_ERR_MSG;
    StickyElements *sticky = fill->sticky;
    auto set = [&](int which, Tcl_Obj *name, Tcl_Obj *value) {
        return sticky ? sticky->Set(which, name, value) : Tcl_ObjSetVar2(interp, arrayName, name, value, flags) != nullptr;
    };
    auto setWide = [&](int which, Tcl_Obj *name, Tcl_WideInt value) {
        return sticky ? sticky->SetWide(which, name, value) : set(which, name, Tcl_NewWideIntObj(value));
    };
    if (!Tcl_ObjSetVar2(interp, arrayName, n.payload, NewBytesObj(msg->payload, msg->len, format.asText), flags) ||
        !set(StickyElements::PARTITION, n.partition, n.partitionObjs.Get(msg->partition)) ||
        !Tcl_ObjSetVar2(interp, arrayName, n.offset, Tcl_NewWideIntObj(msg->offset), flags) ||
        !set(StickyElements::TOPIC, n.topic, n.topicName.Get(rd_kafka_topic_name(msg->rkt))) ||
        !setWide(StickyElements::TIMESTAMP, n.timestamp, ts) ||
        !set(StickyElements::TIMESTAMP_TYPE, n.timestampType, TimestampTypeObj(tsType))) {
        return RelabelError(interp);
    }
    if (Tcl_Obj *headers = format.headers ? HeadersObj(msg, format.asText) : nullptr) {
        if (!Tcl_ObjSetVar2(interp, arrayName, n.headers, headers, flags)) return RelabelError(interp);
        fill->headersSet = true;
    } else if (fill->headersSet) {
        Tcl_UnsetVar2(interp, Tcl_GetString(arrayName), "headers", 0);
        fill->headersSet = false;
    }
    if (msg->key) {
        if (!Tcl_ObjSetVar2(interp, arrayName, n.key, NewBytesObj(msg->key, msg->key_len, format.asText), flags))
            return RelabelError(interp);
        fill->keySet = true;
    } else if (fill->keySet) {
        Tcl_UnsetVar2(interp, Tcl_GetString(arrayName), "key", 0);
        fill->keySet = false;
    }
    return StoreDecoded(interp, arrayName, msg, format);
}

int StoreConsumed(Tcl_Interp *interp, const MessagePtr &msg, Tcl_Obj *arrayName, MessageFormat format) {
    if (!msg || msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        Tcl_SetObjResult(interp, Tcl_NewIntObj(0));
        return TCL_OK;
    }
    if (msg->err) return MessageError(interp, msg.get());
    if (StoreMessageInArray(interp, arrayName, msg.get(), format) != TCL_OK) return TCL_ERROR;
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

namespace {
// librdkafka before 2.1.0 (its PR #4208) skips messages in its batch calls:
// rd_kafka_consume_batch(_queue) advances a partition's application offset
// (what position reports and where a resume fetches from) as it collects
// each message, and when the partition's op version moves on meanwhile (a
// pause, resume or seek; every rebalance pauses the whole assignment, so a
// cooperative rebalance does it to the partitions the member keeps) it drops
// the collected messages of that partition but leaves the offset past them.
// The resume then fetches from there: those messages are never returned,
// and a commit of the position (send_offsets_to_transaction) passes them.
bool BatchCallsSkip() {
    static const bool skips = rd_kafka_version() < 0x020100ff;
    return skips;
}

Tcl_WideInt MonotonicMs() {
    using namespace std::chrono;
    return (Tcl_WideInt)duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// The batch call's contract (up to n messages within timeoutMs, fewer only
// when the time is up; -1 when `pop` failed before the first) from `pop`,
// librdkafka's single-message call, which advances the application offset
// only for the message it returns. A message whose partition was
// repositioned after it was taken (a rebalance or seek served by a later
// pop: Handle::RepositionedSince) is dropped, as the batch call's own purge
// would: that partition is no longer this member's, or restarts elsewhere.
// While messages are waiting it pops them without a timeout, and reads the
// clock only when the queue is empty: a pop with a timeout reads the clock
// too, and those reads were a sixth of a consume_batch loop (perf, 1 M x
// 100 B; issue 26).
ssize_t PopOneByOne(Handle *handle, int timeoutMs, rd_kafka_message_t **buf, size_t n,
                    const std::function<rd_kafka_message_t *(int)> &pop) {
    const Tcl_WideInt deadline = timeoutMs > 0 ? MonotonicMs() + timeoutMs : 0;
    std::vector<uint64_t> takenAt; // the reposition mark right after each pop
    size_t got = 0;
    while (got < n) {
        rd_kafka_message_t *m = pop(0);
        if (!m && timeoutMs < 0) {
            m = pop(-1);
        } else if (!m && timeoutMs > 0) {
            Tcl_WideInt left = deadline - MonotonicMs();
            if (left > 0) m = pop((int)left);
        }
        if (!m) {
            if (got == 0 && rd_kafka_last_error() == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) return -1;
            break; // time is up (or rd_kafka_yield)
        }
        buf[got++] = m;
        takenAt.push_back(handle->RepositionMark());
        if (handle->Deleted()) break; // a -sync rebalance command deleted it: no more fetching
    }
    size_t kept = 0;
    for (size_t i = 0; i < got; i++) {
        rd_kafka_message_t *m = buf[i];
        if (m->rkt && handle->RepositionedSince(rd_kafka_topic_name(m->rkt), m->partition, takenAt[i]))
            rd_kafka_message_destroy(m);
        else
            buf[kept++] = m;
    }
    return (ssize_t)kept;
}
} // namespace

ssize_t ConsumeBatchQueue(Handle *handle, rd_kafka_queue_t *queue, int timeoutMs, rd_kafka_message_t **buf, size_t n) {
    if (!BatchCallsSkip()) return rd_kafka_consume_batch_queue(queue, timeoutMs, buf, n);
    return PopOneByOne(handle, timeoutMs, buf, n, [queue](int t) { return rd_kafka_consume_queue(queue, t); });
}

ssize_t ConsumeBatchPartition(Handle *handle, rd_kafka_topic_t *rkt, int32_t partition, int timeoutMs,
                              rd_kafka_message_t **buf, size_t n) {
    if (!BatchCallsSkip()) return rd_kafka_consume_batch(rkt, partition, timeoutMs, buf, n);
    return PopOneByOne(handle, timeoutMs, buf, n,
                       [rkt, partition](int t) { return rd_kafka_consume(rkt, partition, t); });
}

int MessageError(Tcl_Interp *interp, const rd_kafka_message_t *msg) {
    std::string text = rd_kafka_message_errstr(msg);
    if (msg->rkt) {
        text += " (topic " + std::string(rd_kafka_topic_name(msg->rkt)) + ", partition " +
                std::to_string(msg->partition) + ")";
    }
    return KafkaError(interp, msg->err, text);
}

void PutBack(Handle *handle, std::vector<MessagePtr> &messages, size_t from, uint64_t mark) {
    std::map<std::pair<rd_kafka_topic_t *, int32_t>, int64_t> first;
    for (size_t i = from; i < messages.size(); i++) {
        const rd_kafka_message_t *m = messages[i].get();
        if (m->err || !m->rkt) continue;
        first.emplace(std::make_pair(m->rkt, m->partition), m->offset); // keeps the earliest
    }
    for (auto &entry : first) {
        rd_kafka_topic_t *rkt = entry.first.first;
        int32_t partition = entry.first.second;
        if (handle->RepositionedSince(rd_kafka_topic_name(rkt), partition, mark)) continue;
        // Asynchronous seek (timeout 0): already-fetched messages are discarded
        // by librdkafka's op versioning, so the next consume restarts there.
        rd_kafka_seek(rkt, partition, entry.second, 0);
    }
}

static Tcl_Obj *RawMessageToDict(const rd_kafka_message_t *msg, MessageFormat format);

// Every dict path (poll, next, -await, streams, the subscriber) comes
// through here, the array paths through StoreDecoded.
Tcl_Obj *MessageToDict(const rd_kafka_message_t *msg, MessageFormat format) {
    Tcl_Obj *d = RawMessageToDict(msg, format);
    const SerdePair *pair = BoundSerdes(msg, format);
    if (!pair) return d;
    ForEachDecoded(msg, format, *pair, [d](Tcl_Obj *element, Tcl_Obj *value) {
        if (value) Tcl_DictObjPut(NULL, d, element, value);
        return true;
    });
    return d;
}

static Tcl_Obj *RawMessageToDict(const rd_kafka_message_t *msg, MessageFormat format) {
    const bool asText = format.asText;
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
    Tcl_DictObjPut(NULL, d, n.partition, n.partitionObjs.Get(msg->partition));
    Tcl_DictObjPut(NULL, d, n.offset, Tcl_NewWideIntObj(msg->offset));
    Tcl_DictObjPut(NULL, d, n.topic, Tcl_NewStringObj(rd_kafka_topic_name(msg->rkt), -1));
    Tcl_DictObjPut(NULL, d, n.timestamp, Tcl_NewWideIntObj(rd_kafka_message_timestamp(msg, &tsType)));
    Tcl_DictObjPut(NULL, d, n.timestampType, TimestampTypeObj(tsType));
    if (msg->key) Tcl_DictObjPut(NULL, d, n.key, NewBytesObj(msg->key, msg->key_len, asText));
    if (Tcl_Obj *headers = format.headers ? HeadersObj(msg, asText) : nullptr) Tcl_DictObjPut(NULL, d, n.headers, headers);
    return d;
}

HandedOffsets::HandedOffsets(Object *owner, Handle *handle, const std::vector<MessagePtr> &messages)
    : owner_(owner), handle_(handle), on_(handle->AutoOffsetStore()) {
    if (on_) handle->RunningBatch(this, true);
    for (size_t i = 0; on_ && i < messages.size(); i++) {
        const rd_kafka_message_t *m = messages[i].get();
        if (m->err || !m->rkt) continue;
        bool known = false;
        for (const Partition &p : partitions_) known = known || (p.rkt == m->rkt && p.partition == m->partition);
        if (known) continue;
        partitions_.push_back({m->rkt, m->partition, m->offset});
        // Stores offset + 1. Fails (_STATE) for a partition not assigned any
        // more (nothing to commit there), and for a topic consumer's partition
        // on a handle with group.id (librdkafka's check): left as it was then.
        rd_kafka_offset_store(m->rkt, m->partition, m->offset - 1);
    }
}

void HandedOffsets::Handed(const rd_kafka_message_t *m) {
    if (!on_ || m->err) return;
    for (Partition &p : partitions_)
        if (p.rkt == m->rkt && p.partition == m->partition) p.next = m->offset + 1;
}

HandedOffsets::~HandedOffsets() {
    if (!on_) return;
    handle_->RunningBatch(this, false);
    Store();
}

void HandedOffsets::Store() const {
    if (owner_->Deleted()) return;
    for (const Partition &p : partitions_) rd_kafka_offset_store(p.rkt, p.partition, p.next - 1);
}

bool Superseded(Handle *handle, const rd_kafka_message_t *m, uint64_t mark) {
    return m->rkt && handle->RepositionedSince(rd_kafka_topic_name(m->rkt), m->partition, mark);
}

int RunBatch(Tcl_Interp *interp, Object *owner, Handle *handle, std::vector<MessagePtr> &messages,
             const std::function<int(const rd_kafka_message_t *)> &perMessage, const char *what) {
    uint64_t mark = handle->RepositionMark(); // a seek/start by the body wins over the put-back
    HandedOffsets stored(owner, handle, messages);
    int ran = 0;
    for (size_t i = 0; i < messages.size(); i++) {
        const rd_kafka_message_t *m = messages[i].get();
        if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF || Superseded(handle, m, mark)) continue;
        stored.Handed(m);
        int code = perMessage(m);
        if (code == TCL_OK || code == TCL_CONTINUE) {
            ran++;
        } else if (code == TCL_BREAK) {
            ran++;
            if (!owner->Deleted()) PutBack(handle, messages, i + 1, mark);
            break;
        } else {
            if (code == TCL_ERROR) {
                Tcl_AppendObjToErrorInfo(interp, Tcl_ObjPrintf("\n    (%s line %d)", what, Tcl_GetErrorLine(interp)));
            }
            if (!owner->Deleted()) PutBack(handle, messages, i + 1, mark);
            return code;
        }
        if (owner->Deleted()) break; // the script deleted its own consumer
    }
    Tcl_SetObjResult(interp, Tcl_NewIntObj(ran));
    return TCL_OK;
}

int RunBatchBody(Tcl_Interp *interp, Object *owner, Handle *handle, std::vector<MessagePtr> &messages,
                 Tcl_Obj *arrayName, Tcl_Obj *body, MessageFormat format) {
    StickyElements sticky(interp, arrayName);
    ArrayFill fill; // the body may unset elements itself: then Tcl_UnsetVar2 just finds nothing
    fill.sticky = &sticky;
    return RunBatch(
        interp, owner, handle, messages,
        [&](const rd_kafka_message_t *m) {
            if (m->err) return MessageError(interp, m);
            if (StoreMessageInArray(interp, arrayName, m, format, &fill) != TCL_OK) return TCL_ERROR;
            return Tcl_EvalObjEx(interp, body, 0);
        },
        "\"consume_batch\" body");
}

} // namespace kafkatcl
