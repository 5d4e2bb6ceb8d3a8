// topic.cpp -- topic producer and topic consumer methods.
#include "topic.h"

#include "handle.h"
#include "message.h"
#include "method.h"
#include "options.h"
#include "partitions.h"
#include "queue.h"
#include "serdebind.h"
#include "stream.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <system_error>
#include <thread>
#include <vector>

namespace kafkatcl {

Topic::Topic(Tcl_Interp *interp, Handle *handle, rd_kafka_topic_t *rkt)
    : Object(interp, handle), handle_(handle), rkt_(rkt) {
    // A second new_topic of a topic the handle has gets librdkafka's existing
    // rd_kafka_topic_t, whose configuration is the first one's.
    for (Object *o : handle->Children()) {
        Topic *other = o == this ? nullptr : dynamic_cast<Topic *>(o);
        if (other && other->Rkt() == rkt) {
            conf_.reset(rd_kafka_topic_conf_dup(other->conf_.get()));
            return;
        }
    }
    conf_.reset(rd_kafka_topic_conf_dup(handle->TopicConf()));
}

Topic::~Topic() {
    streams_.clear(); // stops them: a running OnWake may still hold one
    for (int32_t p : started_) {
        rd_kafka_consume_stop(rkt_.get(), p);
        handle_->MarkStarted(rd_kafka_topic_name(rkt_.get()), p, false);
    }
}

static const char *const kProduceUsage =
    "partition payload ?key? | ?-partition P? ?-key K? ?-headers {name value ...}? ?-timestamp ms? ?-opaque value? "
    "?-command cmd? ?-await? payload|-value value";

// One row per method (see method.h): the producer topic's, the consumer
// topic's, then those both kinds have, so each kind's "must be ..." list
// keeps its order. start/start_queue/stop (the later KafkaTcl's names) and
// consume_start/consume_start_queue/consume_stop (the original's) are the
// same methods.
struct TopicMethods {
    using T = Topic;
    static constexpr unsigned P = Topic::kProducerKind, C = Topic::kConsumerKind, Both = P | C;
    static const MethodTable<T> &Table() {
        static const MethodDef<T> rows[] = {
            {"produce", &T::Produce, 1, kAnyArgs, kProduceUsage, P},
            {"produce_one", &T::Produce, 1, kAnyArgs, kProduceUsage, P},
            {"produce_batch", &T::ProduceBatch, 2, 6, "partition {{payload ?key?} ...} ?-command cmd? ?-timeout ms?", P},
            {"consume", &T::Consume, 3, 3, "partition timeoutMs arrayName", C},
            {"consume_batch", &T::ConsumeBatch, 5, 5, "partition timeoutMs count arrayName body", C},
            {"start", &T::ConsumeStartMethod, 2, 3, "partition offset ?command?", C},
            {"start_queue", &T::ConsumeStartQueueMethod, 3, 3, "partition offset queue", C},
            {"stop", &T::ConsumeStop, 1, 1, "partition", C},
            {"consume_start", &T::ConsumeStartMethod, 2, 3, "partition offset ?command?", C},
            {"consume_start_queue", &T::ConsumeStartQueueMethod, 3, 3, "partition offset queue", C},
            {"consume_stop", &T::ConsumeStop, 1, 1, "partition", C},
            {"consume_callback", &T::ConsumeCallback, 2, 3, "partition ?timeoutMs? command", C},
            {"info", &T::Info, 1, kAnyArgs, "topic|name|partitions|consistent_partition|output_queue_length ?arg ...?", Both},
            {"config", &T::Config, 0, kAnyArgs, "?key? ?value key value ...?", Both},
            {"creator", &T::Creator, 1, kAnyArgs, "method ?arg ...?", Both},
            {"name", &T::Name, 0, 0, "", Both},
            {"serde", &T::SerdeMethod, 0, 4, "?-value serde? ?-key serde?", Both},
            {"delete", &T::DeleteMethod, 0, 0, "", Both},
        };
        static const MethodTable<T> table(rows, {P, C});
        return table;
    }
};

int Topic::Invoke(int objc, Tcl_Obj *const objv[]) {
    return TopicMethods::Table().Dispatch(this, handle_->IsProducer() ? kProducerKind : kConsumerKind, objc, objv);
}

std::vector<const char *> Topic::MethodNames(unsigned kind) { return TopicMethods::Table().Names(kind); }

// Headers from a Tcl list {name value ...}: repeated names allowed, values
// binary-safe. A name holding a NUL byte is refused: librdkafka's header
// names are C strings, it would cut the name there without a word.
static int HeadersFromList(Tcl_Interp *interp, Tcl_Obj *list, rd_kafka_headers_t **out) {
    Tcl_Size n;
    Tcl_Obj **elems;
    if (Tcl_ListObjGetElements(NULL, list, &n, &elems) != TCL_OK || n % 2 != 0)
        return ArgError(interp, "headers must be a list of name value pairs");
    for (Tcl_Size i = 0; i < n; i += 2) {
        OutBytes name(elems[i]);
        if (!memchr(name.data(), 0, name.size())) continue;
        std::string shown = Tcl_GetString(elems[i]); // Tcl's NUL is "\xC0\x80": shown as \0
        for (size_t at; (at = shown.find("\xC0\x80")) != std::string::npos;) shown.replace(at, 2, "\\0");
        return ArgError(interp, "header name \"" + shown + "\" holds a NUL byte: header names are C strings");
    }
    rd_kafka_headers_t *hdrs = rd_kafka_headers_new((size_t)n / 2);
    for (Tcl_Size i = 0; i < n; i += 2) {
        OutBytes name(elems[i]), value(elems[i + 1]);
        if (name.Check(interp, "header name") != TCL_OK || value.Check(interp, "header value") != TCL_OK) {
            rd_kafka_headers_destroy(hdrs);
            return TCL_ERROR;
        }
        rd_kafka_header_add(hdrs, name.data(), (ssize_t)name.size(), value.data(), (ssize_t)value.size());
    }
    *out = hdrs;
    return TCL_OK;
}

// What one produce call sends.
struct ProduceArgs {
    int32_t partition = RD_KAFKA_PARTITION_UA;
    Tcl_Obj *payload = nullptr, *key = nullptr, *headers = nullptr, *opaque = nullptr, *command = nullptr;
    Tcl_Obj *value = nullptr; // -value: encoded by the topic's value serde into the payload
    bool await = false;
    Tcl_WideInt timestamp = 0; // 0: none (librdkafka stamps it)
    MessageOpaque *own = nullptr; // the message's opaque (made from opaque, command, await), or none
};

// produce partition payload ?key?  (the original form)
static int ParseProducePositional(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], ProduceArgs *args) {
    if (objc != 4 && objc != 5) return WrongArgs(interp, 2, objv, kProduceUsage);
    if (GetPartition(interp, objv[2], true, &args->partition) != TCL_OK) return TCL_ERROR;
    args->payload = objv[3];
    if (objc == 5) args->key = objv[4];
    return TCL_OK;
}

// produce ?-partition P? ?-key K? ?-headers H? ?-timestamp MS? ?-opaque V? ?-command C? ?-await? payload|-value V
// The last word is the payload whatever it looks like, unless the words
// come in pairs (besides -await) and one is -value; each word before it is
// an option or an option's value (Only: "-x" or "x" there is a bad option).
static int ParseProduceOptions(Tcl_Interp *interp, int objc, Tcl_Obj *const objv[], ProduceArgs *args) {
    struct Words {
        Tcl_Obj *partition = nullptr, *key = nullptr, *headers = nullptr, *timestamp = nullptr, *opaque = nullptr,
                *command = nullptr, *value = nullptr;
        bool await = false;
    };
    using W = Words;
    static const OptionTable<W> table({{"-partition", &W::partition},
                                       {"-key", &W::key},
                                       {"-headers", &W::headers},
                                       {"-timestamp", &W::timestamp},
                                       {"-opaque", &W::opaque},
                                       {"-command", &W::command},
                                       {"-await", &W::await},
                                       {"-value", &W::value}},
                                      Placement::Only, false);
    int flags = 0, values = 0; // -await words: the others come in pairs
    for (int i = 2; i < objc - 1; i++) {
        flags += !strcmp(Tcl_GetString(objv[i]), "-await");
        values += !strcmp(Tcl_GetString(objv[i]), "-value");
    }
    // With -value there is no payload word: a last "-await" is the flag.
    bool lastIsAwait = !strcmp(Tcl_GetString(objv[objc - 1]), "-await");
    bool withPayload = (objc - flags - (values && lastIsAwait)) % 2 == 1;
    if (!withPayload && !values) return WrongArgs(interp, 2, objv, kProduceUsage);
    Words words;
    if (table.Parse(interp, withPayload ? objc - 1 : objc, objv, 2, kProduceUsage, &words) != TCL_OK)
        return TCL_ERROR;
    if (withPayload && words.value) return ArgError(interp, "a payload and -value exclude each other");
    if (words.partition && GetPartition(interp, words.partition, true, &args->partition) != TCL_OK)
        return TCL_ERROR;
    if (words.timestamp) {
        if (GetWideInt(interp, words.timestamp, "timestamp (milliseconds)", &args->timestamp) != TCL_OK)
            return TCL_ERROR;
        if (args->timestamp < 0) return ArgError(interp, "timestamp must be >= 0 milliseconds since the epoch");
    }
    args->key = words.key;
    args->headers = words.headers;
    args->opaque = words.opaque;
    args->command = words.command;
    args->await = words.await;
    args->value = words.value;
    args->payload = withPayload ? objv[objc - 1] : nullptr;
    return TCL_OK;
}

// The message's opaque for the options that need one (else none): the
// -opaque value, the -command, and the coroutine of -await (*await).
static int MakeMessageOpaque(Tcl_Interp *interp, const ProduceArgs &args, std::unique_ptr<MessageOpaque> *own,
                             std::shared_ptr<Await> *await) {
    if (args.await && !(*await = Await::Begin(interp, "produce -await"))) return TCL_ERROR;
    ObjRef command = args.command ? CallbackArg(args.command) : ObjRef();
    if (!args.opaque && !command && !*await) return TCL_OK;
    own->reset(new MessageOpaque);
    (*own)->opaque = ObjRef(args.opaque);
    (*own)->command = std::move(command);
    if (*await) (*own)->await = AwaitSlot(*await, "the producer was deleted before the delivery report");
    return TCL_OK;
}

// produce and produce_one: either form above.
int Topic::Produce(int objc, Tcl_Obj *const objv[]) {
    ProduceArgs args;
    int dummy;
    // Any integer, even one too large for a partition (then GetPartition says so).
    bool positional = Tcl_GetIntFromObj(NULL, objv[2], &dummy) == TCL_OK || IsIntegerWord(objv[2]);
    if ((positional ? ParseProducePositional : ParseProduceOptions)(interp_, objc, objv, &args) != TCL_OK)
        return TCL_ERROR;
    ObjRef encodedPayload, encodedKey; // before anything is made that an error would have to undo
    if (EncodeBound(&args, &encodedPayload, &encodedKey) != TCL_OK) return TCL_ERROR;
    OutBytes payload(args.payload);
    std::unique_ptr<OutBytes> key(args.key ? new OutBytes(args.key) : nullptr);
    if (payload.Check(interp_, "payload") != TCL_OK || (key && key->Check(interp_, "key") != TCL_OK)) return TCL_ERROR;
    rd_kafka_headers_t *headers = nullptr;
    std::unique_ptr<MessageOpaque> own;
    std::shared_ptr<Await> await;
    if (MakeMessageOpaque(interp_, args, &own, &await) != TCL_OK) return TCL_ERROR;
    if (args.headers && HeadersFromList(interp_, args.headers, &headers) != TCL_OK) return TCL_ERROR;
    args.own = own.get();
    int code = !headers && !args.timestamp ? ProduceSimple(args, payload, key.get())
                                           : ProduceTyped(args, payload, key.get(), headers);
    if (code != TCL_OK) return code; // `own` goes with the message that failed
    own.release(); // the delivery report takes it (Handle::OnDelivery)
    return await ? Await::Suspend(interp_, await) : TCL_OK;
}

// -value through the topic's value serde, and the key through its key
// serde when one is bound (serdebind.h); args then point at the bytes. A
// value that does not fit the schema is the serde's error: nothing is sent.
int Topic::EncodeBound(ProduceArgs *args, ObjRef *payload, ObjRef *key) {
    const char *topic = rd_kafka_topic_name(rkt_.get());
    const SerdePair *bound = handle_->Serdes().Find(topic);
    SerdePair pair = bound ? *bound : SerdePair(); // encoding runs scripts that may rebind
    if (args->value) {
        if (!pair.value)
            return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                              std::string("-value needs a value serde bound to topic \"") + topic +
                                  "\" ($topic serde -value serde, or $handle serde -value serde)");
        if (EncodeWithSerde(interp_, pair.value.get(), topic, args->value, payload) != TCL_OK) return TCL_ERROR;
        args->payload = payload->get();
    }
    if (args->key && pair.key) {
        if (EncodeWithSerde(interp_, pair.key.get(), topic, args->key, key) != TCL_OK) return TCL_ERROR;
        args->key = key->get();
    }
    // A registry look-up waits in vwait: a script run there may delete us.
    if ((args->value || (args->key && pair.key)) && (Deleted() || handle_->Deleted()))
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__DESTROY, "produce: the topic or its producer was deleted while encoding");
    return TCL_OK;
}

// The usual message: rd_kafka_produce, measurably cheaper per message than
// rd_kafka_produceva's typed argument list.
int Topic::ProduceSimple(const ProduceArgs &args, const OutBytes &payload, const OutBytes *key) {
    if (rd_kafka_produce(rkt_.get(), args.partition, RD_KAFKA_MSG_F_COPY, (void *)payload.data(), payload.size(),
                         key ? key->data() : nullptr, key ? key->size() : 0, args.own) == -1) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        return handle_->ProduceError(err, std::string("produce failed: ") + rd_kafka_err2str(err));
    }
    return TCL_OK;
}

// A message with headers or a timestamp: rd_kafka_produceva, which takes the
// headers (on success only).
int Topic::ProduceTyped(const ProduceArgs &args, const OutBytes &payload, const OutBytes *key,
                        rd_kafka_headers_t *headers) {
    rd_kafka_vu_t vus[8];
    size_t n = 0;
    vus[n].vtype = RD_KAFKA_VTYPE_RKT;       vus[n++].u.rkt = rkt_.get();
    vus[n].vtype = RD_KAFKA_VTYPE_PARTITION; vus[n++].u.i32 = args.partition;
    vus[n].vtype = RD_KAFKA_VTYPE_MSGFLAGS;  vus[n++].u.i = RD_KAFKA_MSG_F_COPY;
    vus[n].vtype = RD_KAFKA_VTYPE_VALUE;     vus[n].u.mem.ptr = (void *)payload.data(); vus[n++].u.mem.size = payload.size();
    if (key) { vus[n].vtype = RD_KAFKA_VTYPE_KEY; vus[n].u.mem.ptr = (void *)key->data(); vus[n++].u.mem.size = key->size(); }
    if (headers) { vus[n].vtype = RD_KAFKA_VTYPE_HEADERS; vus[n++].u.headers = headers; }
    if (args.timestamp) { vus[n].vtype = RD_KAFKA_VTYPE_TIMESTAMP; vus[n++].u.i64 = args.timestamp; }
    if (args.own) { vus[n].vtype = RD_KAFKA_VTYPE_OPAQUE; vus[n++].u.ptr = args.own; }
    rd_kafka_error_t *error = rd_kafka_produceva(handle_->Kafka(), vus, n);
    if (error) {
        if (headers) rd_kafka_headers_destroy(headers); // not taken on failure
        rd_kafka_resp_err_t err = rd_kafka_error_code(error);
        std::string text = std::string("produce failed: ") + rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        return handle_->ProduceError(err, text);
    }
    return TCL_OK;
}

// The messages of a produce_batch call that librdkafka did not take (err
// set): their opaques are still ours.
static void FreeUnsent(const std::vector<rd_kafka_message_t> &msgs) {
    for (const rd_kafka_message_t &m : msgs)
        if (m.err) delete static_cast<MessageOpaque *>(m._private);
}

// produce_batch partition {{payload ?key?} ...} ?-command cmd? ?-timeout ms?
// -> number queued (all of them). One call into librdkafka per batch. A
// message librdkafka refuses is an error that says how many were queued and
// which message failed first. Without -timeout a full queue fails at once;
// with it the call waits up to ms for room (recording delivery reports, whose
// callbacks run when it returns), then queues the rest in order: librdkafka
// refuses every message after the first _QUEUE_FULL one, so they are a tail.
// With -command, each message gets cmd called with its delivery report.
int Topic::ProduceBatch(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        Tcl_Obj *command = nullptr, *timeout = nullptr;
    };
    static const OptionTable<Words> table({{"-command", &Words::command}, {"-timeout", &Words::timeout}},
                                          Placement::Only, false);
    int32_t partition;
    int waitMs = 0;
    Words words;
    if ((objc - 4) % 2) return kWrongArgs; // an option without its value
    if (table.Parse(interp_, objc, objv, 4, nullptr, &words) != TCL_OK) return TCL_ERROR;
    if (GetPartition(interp_, objv[2], true, &partition) != TCL_OK) return TCL_ERROR;
    if (words.timeout && GetTimeout(interp_, words.timeout, &waitMs) != TCL_OK) return TCL_ERROR;
    std::deque<OutBytes> keep; // the bytes must live until librdkafka copied them
    std::vector<rd_kafka_message_t> msgs;
    if (BatchMessages(objv[3], &keep, &msgs) != TCL_OK) return TCL_ERROR;
    ObjRef command = words.command ? CallbackArg(words.command) : ObjRef();
    for (rd_kafka_message_t &m : msgs) {
        if (!command) break;
        MessageOpaque *own = new MessageOpaque;
        own->command = command;
        m._private = own;
    }
    size_t n = msgs.size(), next = 0; // msgs[next..n) are still to be queued
    int queued = 0;
    Tcl_WideInt deadline = 0;
    bool waited = false;
    while (next < n) {
        queued += rd_kafka_produce_batch(rkt_.get(), partition, RD_KAFKA_MSG_F_COPY, msgs.data() + next, (int)(n - next));
        size_t failed = next;
        while (failed < n && !msgs[failed].err) failed++;
        if (failed == n) break;
        rd_kafka_resp_err_t err = msgs[failed].err;
        if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL && WaitForRoom(&deadline, waitMs) == TCL_OK) {
            waited = true;
            for (size_t i = failed; i < n; i++) msgs[i].err = RD_KAFKA_RESP_ERR_NO_ERROR;
            next = failed;
            continue;
        }
        FreeUnsent(msgs);
        if (waited) handle_->ServeEvents();
        return handle_->ProduceError(err, std::to_string(queued) + " of " + std::to_string(n) + " messages queued; message " +
                                              std::to_string(failed) + " failed: " + rd_kafka_err2str(err));
    }
    if (waited) handle_->ServeEvents();
    Tcl_SetObjResult(interp_, Tcl_NewIntObj(queued));
    return TCL_OK;
}

// produce_batch's {{payload ?key?} ...}, as librdkafka messages whose bytes `keep` holds.
int Topic::BatchMessages(Tcl_Obj *list, std::deque<OutBytes> *keep, std::vector<rd_kafka_message_t> *msgs) {
    Tcl_Size n;
    Tcl_Obj **items;
    if (Tcl_ListObjGetElements(NULL, list, &n, &items) != TCL_OK)
        return ArgError(interp_, "message list must be a list of {payload ?key?} lists");
    msgs->assign((size_t)n, rd_kafka_message_t());
    for (Tcl_Size i = 0; i < n; i++) {
        Tcl_Size parts;
        Tcl_Obj **fields;
        if (Tcl_ListObjGetElements(NULL, items[i], &parts, &fields) != TCL_OK || parts < 1 || parts > 2) {
            return ArgError(interp_, "message " + std::to_string(i) + " must be a list {payload ?key?}");
        }
        rd_kafka_message_t &m = (*msgs)[(size_t)i];
        const std::string what = "message " + std::to_string(i);
        keep->emplace_back(fields[0]);
        if (keep->back().Check(interp_, (what + " payload").c_str()) != TCL_OK) return TCL_ERROR;
        m.payload = (void *)keep->back().data();
        m.len = keep->back().size();
        if (parts == 2) {
            keep->emplace_back(fields[1]);
            if (keep->back().Check(interp_, (what + " key").c_str()) != TCL_OK) return TCL_ERROR;
            m.key = (void *)keep->back().data();
            m.key_len = keep->back().size();
        }
    }
    return TCL_OK;
}

// While produce_batch's messages do not fit: waits up to 10 ms for room,
// recording delivery reports (they free room); an error once `waitMs` since
// the first wait (*deadline, set then) have passed. waitMs 0: at once;
// -1: no limit (the user asked for it).
int Topic::WaitForRoom(Tcl_WideInt *deadline, int waitMs) {
    if (waitMs == 0) return TCL_ERROR;
    Tcl_Time now;
    Tcl_GetTime(&now);
    Tcl_WideInt ms = (Tcl_WideInt)now.sec * 1000 + now.usec / 1000;
    if (!*deadline) *deadline = ms + waitMs;
    if (waitMs > 0 && ms >= *deadline) return TCL_ERROR;
    int slice = waitMs < 0 ? 10 : (int)std::min<Tcl_WideInt>(10, *deadline - ms);
    rd_kafka_poll(handle_->Kafka(), slice);
    return TCL_OK;
}

int Topic::RequireStarted(int32_t partition) {
    if (started_.count(partition)) return TCL_OK;
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                      "partition " + std::to_string(partition) + " of topic \"" + rd_kafka_topic_name(rkt_.get()) +
                          "\" is not started: call consume_start first");
}

// A partition routed to a queue: librdkafka's partition calls would pop the
// queue it is forwarded to, handing the script other partitions' messages.
int Topic::RequireNotQueued(int32_t partition) {
    if (!queued_.count(partition)) return TCL_OK;
    return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                      "partition " + std::to_string(partition) + " of topic \"" + rd_kafka_topic_name(rkt_.get()) +
                          "\" is routed to a queue (start_queue): consume it from the queue");
}

// consume partition timeout array -> 1 (message stored) or 0 (none in time / end of partition)
int Topic::Consume(int objc, Tcl_Obj *const objv[]) {
    int32_t partition;
    int timeout;
    if (GetPartition(interp_, objv[2], false, &partition) != TCL_OK || GetTimeout(interp_, objv[3], &timeout) != TCL_OK ||
        RequireStarted(partition) != TCL_OK || RequireNotQueued(partition) != TCL_OK ||
        streams_[partition].RefuseWhileDispatching(interp_, "consume") != TCL_OK) {
        return TCL_ERROR;
    }
    MessagePtr msg(rd_kafka_consume(rkt_.get(), partition, timeout));
    rd_kafka_resp_err_t err = msg ? RD_KAFKA_RESP_ERR_NO_ERROR : rd_kafka_last_error();
    // Whatever came of it (a message, a timeout, an error), the handle's
    // callbacks are served: a script without an event loop that loops on
    // consume gets its statistics, logs and errors. (They save and restore
    // the interp's result.)
    handle_->ServeEvents();
    if (!msg && err != RD_KAFKA_RESP_ERR__TIMED_OUT && err != RD_KAFKA_RESP_ERR_NO_ERROR)
        return KafkaError(interp_, err, std::string("consume failed: ") + rd_kafka_err2str(err));
    // a timeout is a 0 result (StoreConsumed)
    return StoreConsumed(interp_, msg, objv[4], handle_->Format());
}

// consume_batch partition timeout count array body -> messages processed
int Topic::ConsumeBatch(int objc, Tcl_Obj *const objv[]) {
    int32_t partition;
    int timeout, count;
    if (GetPartition(interp_, objv[2], false, &partition) != TCL_OK || GetTimeout(interp_, objv[3], &timeout) != TCL_OK ||
        GetCount(interp_, objv[4], &count) != TCL_OK || RequireStarted(partition) != TCL_OK ||
        RequireNotQueued(partition) != TCL_OK ||
        streams_[partition].RefuseWhileDispatching(interp_, "consume_batch") != TCL_OK) {
        return TCL_ERROR;
    }
    SeatHold hold(streams_[partition].Seat()); // a stream started in the body waits for it
    std::vector<MessagePtr> messages;
    rd_kafka_topic_t *rkt = rkt_.get();
    int rc = FetchBatch(interp_, (size_t)count,
                        [this, rkt, partition, timeout](rd_kafka_message_t **buf, size_t n) {
                            return ConsumeBatchPartition(handle_, rkt, partition, timeout, buf, n);
                        },
                        &messages, "consume_batch");
    handle_->ServeEvents(); // on every path, as consume
    if (rc != TCL_OK) return TCL_ERROR;
    return RunBatchBody(interp_, this, handle_, messages, objv[5], objv[6], handle_->Format());
}

// librdkafka 2.0.2 answers a consume_start on a partition whose leader it
// does not know yet with a fixed 500 ms wait before it looks up the start
// offset (rd_kafka_toppar_offset_request), so a consumer started right after
// new_topic (the usual script) idled half a second. Asking for the topic's
// metadata first, as kcat does, takes one round trip; it waits no longer than
// the delay it saves, and a failure only means librdkafka's own retry.
void Topic::AwaitLeaders() {
    if (!leadersKnown_) FetchLeaders(500);
}

// Asks for the topic's metadata (up to timeoutMs); on an answer without a
// topic error, leaders_ takes each partition's leader. Failures change nothing.
void Topic::FetchLeaders(int timeoutMs) {
    const rd_kafka_metadata_t *md = nullptr;
    if (rd_kafka_metadata(handle_->Kafka(), 0, rkt_.get(), &md, timeoutMs) == RD_KAFKA_RESP_ERR_NO_ERROR && md) {
        if (md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            leadersKnown_ = true;
            const rd_kafka_metadata_topic_t &t = md->topics[0];
            leaders_.assign(t.partition_cnt, -1);
            for (int i = 0; i < t.partition_cnt; i++)
                if (t.partitions[i].id >= 0 && t.partitions[i].id < t.partition_cnt)
                    leaders_[t.partitions[i].id] = t.partitions[i].leader;
        }
        rd_kafka_metadata_destroy(md);
    }
}

// librdkafka (2.0.2 up to 2.14.2) loses a start that follows a stop of a
// start at a logical offset whose lookup was still in flight: the lookup's
// late reply is outdated, and its handler (rd_kafka_toppar_handle_Offset)
// restarts the offset query timer for the old logical offset whatever the
// new start was; 500 ms later the partition jumps there (to the end: it
// delivers nothing; tests/rdkafka_restart_end.c, tests/rdkafka_restart_stale.c).
// So KafkaTcl never hands librdkafka a logical start: beginning, end and -N
// become the absolute offset the watermarks give ("end" is what the broker
// held when the call was made), and when they do not come the start is
// refused with the query's error (a clean error, not a start that may jump).
static bool NotThereYet(rd_kafka_resp_err_t err) {
    return err == RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION || err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC ||
           err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
}

int Topic::ResolveLogicalStart(int32_t partition, Tcl_Obj *word, int64_t *offset) {
    bool tail = *offset <= RD_KAFKA_OFFSET_TAIL_BASE;
    if (*offset != RD_KAFKA_OFFSET_BEGINNING && *offset != RD_KAFKA_OFFSET_END && !tail) return TCL_OK;
    int boundMs = ResolveBoundMs();
    Watermarks marks;
    rd_kafka_resp_err_t err = QueryWatermarks(partition, boundMs, &marks);
    int64_t low = marks.low, high = marks.high;
    // The last metadata that knew the topic did not have the partition.
    bool topicLacksIt = !leaders_.empty() && (partition < 0 || partition >= static_cast<int32_t>(leaders_.size()));
    if (NotThereYet(err) && !topicLacksIt) {
        // The topic is not there yet (one a producer is having auto-created,
        // a consumer started before the producer). When it comes it is
        // empty, so 0 is its beginning and its end as of now; librdkafka
        // waits for it, as for any absolute start.
        *offset = 0;
        return TCL_OK;
    }
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR && (low < 0 || high < low)) err = RD_KAFKA_RESP_ERR__BAD_MSG;
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        std::string why = err == RD_KAFKA_RESP_ERR__TIMED_OUT
                              ? "its watermarks did not come within " + std::to_string(boundMs) + " ms"
                              : std::string("its watermarks: ") + rd_kafka_err2str(err);
        return KafkaError(interp_, err,
                          std::string("consume_start: cannot resolve offset \"") + Tcl_GetString(word) +
                              "\" of partition " + std::to_string(partition) + ": " + why);
    }
    if (*offset == RD_KAFKA_OFFSET_BEGINNING) *offset = low;
    else if (*offset == RD_KAFKA_OFFSET_END) *offset = high;
    else *offset = std::max(low, high - (RD_KAFKA_OFFSET_TAIL_BASE - *offset));
    return TCL_OK;
}

// rd_kafka_offsets_for_times for `lows` and `highs` at once: each request may
// wait behind a fetch the broker holds for fetch.wait.max.ms, and one after
// the other they would wait twice (rd_kafka_query_watermark_offsets, too,
// sends its two requests together).
static rd_kafka_resp_err_t QueryBoth(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *lows,
                                     rd_kafka_topic_partition_list_t *highs, int timeoutMs) {
    rd_kafka_resp_err_t lowErr = RD_KAFKA_RESP_ERR_NO_ERROR;
    std::thread lowQuery;
    try {
        lowQuery = std::thread([&] { lowErr = rd_kafka_offsets_for_times(rk, lows, timeoutMs); });
    } catch (const std::system_error &) { // no thread to be had: one after the other
        lowErr = rd_kafka_offsets_for_times(rk, lows, timeoutMs);
    }
    rd_kafka_resp_err_t highErr = rd_kafka_offsets_for_times(rk, highs, timeoutMs);
    if (lowQuery.joinable()) lowQuery.join();
    return lowErr ? lowErr : highErr;
}

// The watermarks of `partition`. A script usually starts many partitions in
// a row, and once some are fetching at their end each further query would
// queue behind their fetches (up to fetch.wait.max.ms each: 24 partitions
// started at the end took 12 s). So the first query asks for every partition
// of the topic at once, and keeps the others' answers: each serves one start
// within kPrefetchValidMs ("end" is then what the partition held up to that
// long before the call). rd_kafka_offsets_for_times (earliest, then latest)
// is used rather than rd_kafka_query_watermark_offsets because it asks each
// leader once for all its partitions and, before librdkafka 2.3.0, it is the
// one of the two that ends at its timeout while a leader is down.
rd_kafka_resp_err_t Topic::QueryWatermarks(int32_t partition, int boundMs, Watermarks *wanted) {
    auto now = std::chrono::steady_clock::now();
    auto cached = prefetched_.find(partition);
    if (cached != prefetched_.end()) {
        Watermarks marks = cached->second;
        prefetched_.erase(cached);
        if (now - marks.at <= std::chrono::milliseconds(kPrefetchValidMs)) {
            *wanted = marks;
            return RD_KAFKA_RESP_ERR_NO_ERROR;
        }
    }
    rd_kafka_resp_err_t err = AskWatermarks(partition, boundMs, wanted);
    if (err != RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION) return err;
    // librdkafka answers from its metadata cache, which learns of partitions
    // added to the topic only at its next refresh (minutes): ask once more
    // after fresh metadata.
    FetchLeaders(boundMs); // it may wait behind held fetches, as the query
    return AskWatermarks(partition, boundMs, wanted);
}

// One look-up of QueryWatermarks: asks the partition's leader for the
// watermarks of all the partitions it leads, keeps the others' answers.
rd_kafka_resp_err_t Topic::AskWatermarks(int32_t partition, int boundMs, Watermarks *wanted) {
    std::vector<int32_t> asked = PartitionsSharingLeader(partition);
    rd_kafka_resp_err_t err = AskWatermarksOf(asked, partition, boundMs, wanted);
    // The metadata may be out of date (a leader moved onto a broker that is
    // down or slow): then the partition is asked for alone.
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && asked.size() > 1)
        err = AskWatermarksOf({partition}, partition, boundMs, wanted);
    return err;
}

// The partitions whose leader (as the metadata last said) is `partition`'s:
// their watermarks come in the same request. Just `partition` when its
// leader is not known (the topic has grown since, or has no such partition).
std::vector<int32_t> Topic::PartitionsSharingLeader(int32_t partition) const {
    if (partition < 0 || partition >= static_cast<int32_t>(leaders_.size()) || leaders_[partition] < 0)
        return {partition};
    std::vector<int32_t> same;
    for (size_t p = 0; p < leaders_.size(); p++)
        if (leaders_[p] == leaders_[partition]) same.push_back(static_cast<int32_t>(p));
    return same;
}

rd_kafka_resp_err_t Topic::AskWatermarksOf(const std::vector<int32_t> &asked, int32_t partition, int boundMs,
                                           Watermarks *wanted) {
    const char *topic = rd_kafka_topic_name(rkt_.get());
    PartitionListPtr lows(rd_kafka_topic_partition_list_new(static_cast<int>(asked.size())));
    for (int32_t p : asked) rd_kafka_topic_partition_list_add(lows.get(), topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    PartitionListPtr highs(rd_kafka_topic_partition_list_copy(lows.get()));
    for (int i = 0; i < highs->cnt; i++) highs->elems[i].offset = RD_KAFKA_OFFSET_END;
    rd_kafka_resp_err_t err = QueryBoth(handle_->Kafka(), lows.get(), highs.get(), boundMs);
    if (err) return err;
    auto answeredAt = std::chrono::steady_clock::now();
    rd_kafka_resp_err_t wantedErr = RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION;
    for (int i = 0; i < lows->cnt; i++) {
        const rd_kafka_topic_partition_t &low = lows->elems[i], &high = highs->elems[i];
        rd_kafka_resp_err_t partErr = low.err ? low.err : high.err;
        Watermarks marks{low.offset, high.offset, answeredAt};
        if (low.partition == partition) {
            wantedErr = partErr;
            *wanted = marks;
        } else if (!partErr) {
            prefetched_[low.partition] = marks;
        }
    }
    return wantedErr;
}

// A fetch of a partition at its end waits up to fetch.wait.max.ms at the
// broker, and Kafka answers one connection's requests in order: the
// watermark query may queue behind it (librdkafka 2.14.2's mock cluster and
// a real broker both do this; with 500 ms alone, 1 start in 5 timed out
// right after a stop). So the bound is kResolveMs plus that wait.
int Topic::ResolveBoundMs() const {
    char value[32];
    size_t size = sizeof value;
    int fetchWaitMs = 500; // librdkafka's default
    if (rd_kafka_conf_get(rd_kafka_conf(handle_->Kafka()), "fetch.wait.max.ms", value, &size) == RD_KAFKA_CONF_OK)
        fetchWaitMs = atoi(value);
    return kResolveMs + std::max(0, fetchWaitMs);
}

// consume_start partition offset ?command? / consume_start_queue partition offset queue
// (and their synonyms start, start_queue). A command streams the partition's
// messages to it through the event loop, as consume_callback's asynchronous form.
int Topic::ConsumeStart(int objc, Tcl_Obj *const objv[], bool toQueue) {
    int32_t partition;
    int64_t offset;
    if (GetPartition(interp_, objv[2], false, &partition) != TCL_OK || GetStartOffset(interp_, objv[3], &offset) != TCL_OK)
        return TCL_ERROR;
    if (handle_->GroupInUse()) // librdkafka 2.0.2 aborts when a partition is consumed both ways
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                          "this consumer handle is a group consumer (subscribe, assign): use another handle for "
                          "consume_start");
    if (started_.count(partition)) {
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__CONFLICT,
                          "partition " + std::to_string(partition) + " is already started: call consume_stop first");
    }
    const char *topic = rd_kafka_topic_name(rkt_.get());
    if (handle_->IsStarted(topic, partition)) {
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__CONFLICT,
                          "partition " + std::to_string(partition) + " of topic \"" + topic +
                              "\" is already started by another topic object of this handle: call consume_stop there first");
    }
    Queue *queue = nullptr;
    if (toQueue) { // checked before the watermarks are asked for
        queue = LookupObject<Queue>(interp_, objv[4], "queue");
        if (!queue) return TCL_ERROR;
        if (queue->Parent() != handle_) return ArgError(interp_, "queue belongs to another handle");
    }
    AwaitLeaders();
    if (ResolveLogicalStart(partition, objv[3], &offset) != TCL_OK) return TCL_ERROR;
    handle_->MarkRepositioned(topic, partition); // even if it fails: the old position is gone
    int rc;
    if (toQueue) {
        rc = rd_kafka_consume_start_queue(rkt_.get(), partition, offset, queue->Rkqu());
    } else {
        rc = rd_kafka_consume_start(rkt_.get(), partition, offset);
    }
    if (rc == -1) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        if (offset == RD_KAFKA_OFFSET_STORED && err == RD_KAFKA_RESP_ERR__INVALID_ARG)
            return KafkaError(interp_, err, "consume_start failed: offset \"stored\" needs a group.id in the "
                                            "master's config (offsets are stored per group)");
        return KafkaError(interp_, err, std::string("consume_start failed: ") + rd_kafka_err2str(err));
    }
    started_.insert(partition);
    if (toQueue) queued_.insert(partition);
    handle_->MarkStarted(topic, partition, true);
    if (!toQueue && objc == 5 && StartStream(partition, objv[4]) != TCL_OK) {
        started_.erase(partition); // all or nothing: not left started without its command
        handle_->MarkStarted(topic, partition, false);
        rd_kafka_consume_stop(rkt_.get(), partition);
        return TCL_ERROR;
    }
    return TCL_OK;
}

// (Re)starts the asynchronous stream of a started partition; "" only stops it.
int Topic::StartStream(int32_t partition, Tcl_Obj *commandObj) {
    // Reset, not erase: the slot's seat holds a stream started from inside
    // its predecessor's callback until that returns (StreamSeat).
    streams_[partition].Reset();
    ObjRef command = CallbackArg(commandObj);
    if (!command) return TCL_OK;
    rd_kafka_queue_t *queue = rd_kafka_queue_get_partition(handle_->Kafka(), rd_kafka_topic_name(rkt_.get()), partition);
    if (!queue) return KafkaError(interp_, RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION, "no such partition");
    streams_[partition].Start(this, handle_, queue, true, command.get());
    return TCL_OK;
}

int Topic::ConsumeStop(int objc, Tcl_Obj *const objv[]) {
    int32_t partition;
    if (GetPartition(interp_, objv[2], false, &partition) != TCL_OK || RequireStarted(partition) != TCL_OK)
        return TCL_ERROR;
    started_.erase(partition);
    queued_.erase(partition);
    handle_->MarkStarted(rd_kafka_topic_name(rkt_.get()), partition, false);
    handle_->MarkRepositioned(rd_kafka_topic_name(rkt_.get()), partition);
    streams_[partition].Reset(); // (kept: see StartStream)
    if (rd_kafka_consume_stop(rkt_.get(), partition) == -1) {
        rd_kafka_resp_err_t err = rd_kafka_last_error();
        return KafkaError(interp_, err, std::string("consume_stop failed: ") + rd_kafka_err2str(err));
    }
    return TCL_OK;
}

// consume_callback partition timeoutMs command  (synchronous: returns the count)
// consume_callback partition command            (asynchronous, "" stops)
int Topic::ConsumeCallback(int objc, Tcl_Obj *const objv[]) {
    int32_t partition;
    if (GetPartition(interp_, objv[2], false, &partition) != TCL_OK || RequireStarted(partition) != TCL_OK ||
        RequireNotQueued(partition) != TCL_OK)
        return TCL_ERROR;
    if (objc == 5) {
        int timeout;
        if (GetTimeout(interp_, objv[3], &timeout) != TCL_OK ||
            streams_[partition].RefuseWhileDispatching(interp_, "consume_callback") != TCL_OK)
            return TCL_ERROR;
        SeatHold hold(streams_[partition].Seat());
        rd_kafka_topic_t *rkt = rkt_.get();
        return ConsumeCallbackSync(interp_, this, handle_, timeout, objv[4],
                                   [this, rkt, partition](int t, rd_kafka_message_t **buf, size_t n) {
                                       return ConsumeBatchPartition(handle_, rkt, partition, t, buf, n);
                                   });
    }
    return StartStream(partition, objv[3]);
}

} // namespace kafkatcl
