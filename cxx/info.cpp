// info.cpp -- `$handle info ...`: cluster metadata, always asked of the
// cluster (never cached), each with a -timeout so the event loop is never
// blocked for long.
//
//	info topics                  topic names
//	info brokers                 host:port of each broker
//	info partitions TOPIC        partition count
//	info topic TOPIC             per-partition leader, replicas, isr
//	info cluster                 cluster id, controller id, brokers
//	info watermarks TOPIC PART   {low high}
//
// and `$handle meta refresh|print`, the original KafkaTcl's: a copy of the
// cluster metadata the handle keeps, and a readable dump of it on stdout.
#include "handle.h"
#include "method.h"

#include "options.h"

#include <cstring>

namespace kafkatcl {

static Tcl_Obj *IntList(const int32_t *v, int n) {
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < n; i++) Tcl_ListObjAppendElement(NULL, list, Tcl_NewIntObj(v[i]));
    return list;
}

namespace {
// The info types, in the order of their names in Handle::Info.
enum InfoType { TOPICS, BROKERS, PARTITIONS, TOPIC, CLUSTER, WATERMARKS };

Tcl_Obj *TopicNames(const rd_kafka_metadata_t *md) {
    Tcl_Obj *result = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < md->topic_cnt; i++) Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj(md->topics[i].topic, -1));
    return result;
}

Tcl_Obj *BrokerAddresses(const rd_kafka_metadata_t *md) {
    Tcl_Obj *result = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < md->broker_cnt; i++)
        Tcl_ListObjAppendElement(NULL, result, Tcl_ObjPrintf("%s:%d", md->brokers[i].host, md->brokers[i].port));
    return result;
}

Tcl_Obj *ClusterDict(rd_kafka_t *rk, const rd_kafka_metadata_t *md, int timeout) {
    Tcl_Obj *result = Tcl_NewDictObj();
    char *id = rd_kafka_clusterid(rk, timeout);
    DictPut(result, "id", Tcl_NewStringObj(id ? id : "", -1));
    if (id) rd_kafka_mem_free(rk, id);
    DictPut(result, "controller", Tcl_NewIntObj(rd_kafka_controllerid(rk, timeout)));
    Tcl_Obj *brokers = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < md->broker_cnt; i++) {
        Tcl_Obj *b = Tcl_NewDictObj();
        DictPut(b, "id", Tcl_NewIntObj(md->brokers[i].id));
        DictPut(b, "host", Tcl_NewStringObj(md->brokers[i].host, -1));
        DictPut(b, "port", Tcl_NewIntObj(md->brokers[i].port));
        Tcl_ListObjAppendElement(NULL, brokers, b);
    }
    DictPut(result, "brokers", brokers);
    return result;
}

// Per partition: leader, replicas, in-sync replicas and error.
Tcl_Obj *PartitionDicts(const rd_kafka_metadata_topic_t *t) {
    Tcl_Obj *result = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < t->partition_cnt; i++) {
        const rd_kafka_metadata_partition_t &p = t->partitions[i];
        Tcl_Obj *d = Tcl_NewDictObj();
        DictPut(d, "partition", Tcl_NewIntObj(p.id));
        DictPut(d, "leader", Tcl_NewIntObj(p.leader));
        DictPut(d, "replicas", IntList(p.replicas, p.replica_cnt));
        DictPut(d, "isr", IntList(p.isrs, p.isr_cnt));
        DictPut(d, "error", Tcl_NewStringObj(p.err ? rd_kafka_err2name(p.err) : "", -1));
        Tcl_ListObjAppendElement(NULL, result, d);
    }
    return result;
}

// info partitions|topic: the topic's partition count or partitions.
int TopicInfo(Tcl_Interp *interp, const rd_kafka_metadata_t *md, const char *topicName, bool countOnly) {
    const rd_kafka_metadata_topic_t *t = nullptr;
    for (int i = 0; i < md->topic_cnt; i++)
        if (!strcmp(md->topics[i].topic, topicName)) t = &md->topics[i];
    if (!t) return KafkaError(interp, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, std::string("unknown topic \"") + topicName + "\"");
    if (t->err) return KafkaError(interp, t->err, std::string("topic \"") + topicName + "\": " + rd_kafka_err2str(t->err));
    Tcl_SetObjResult(interp, countOnly ? Tcl_NewIntObj(t->partition_cnt) : PartitionDicts(t));
    return TCL_OK;
}
} // namespace

// info topics|brokers|partitions|topic|cluster|watermarks ?arg ...? ?-timeout ms?:
// a nested table, one row per info type (its positional words: minArgs).
int Handle::Info(int objc, Tcl_Obj *const objv[]) {
    using H = Handle;
    static constexpr InfoType kTypes[] = {TOPICS, BROKERS, PARTITIONS, TOPIC, CLUSTER, WATERMARKS};
    auto run = [](H *self, const MethodDef<H> &row, int objc, Tcl_Obj *const objv[]) {
        return self->InfoOf(*static_cast<const InfoType *>(row.data), row.minArgs, objc, objv);
    };
    static const MethodDef<H> rows[] = {
        {"topics", nullptr, 0, kAnyArgs, "?-timeout ms?", kAllKinds, false, run, &kTypes[TOPICS]},
        {"brokers", nullptr, 0, kAnyArgs, "?-timeout ms?", kAllKinds, false, run, &kTypes[BROKERS]},
        {"partitions", nullptr, 1, kAnyArgs, "topic ?-timeout ms?", kAllKinds, false, run, &kTypes[PARTITIONS]},
        {"topic", nullptr, 1, kAnyArgs, "topic ?-timeout ms?", kAllKinds, false, run, &kTypes[TOPIC]},
        {"cluster", nullptr, 0, kAnyArgs, "?-timeout ms?", kAllKinds, false, run, &kTypes[CLUSTER]},
        {"watermarks", nullptr, 2, kAnyArgs, "topic partition ?-timeout ms?", kAllKinds, false, run, &kTypes[WATERMARKS]},
    };
    static const MethodTable<H> table(rows, {kAllKinds}, "info type", 2);
    return table.Dispatch(this, kAllKinds, objc, objv);
}

// One info type: `words` positional words after it, then "-timeout ms" pairs.
int Handle::InfoOf(int w, int words, int objc, Tcl_Obj *const objv[]) {
    int first = 3 + words;
    if ((objc - first) % 2 != 0) return kWrongArgs;
    int timeout = kDefaultTimeoutMs;
    if (TimeoutOption(interp_, objc, objv, first, &timeout) != TCL_OK) return TCL_ERROR;
    const char *topicName = words ? Tcl_GetString(objv[3]) : nullptr;
    if (topicName && !*topicName) return ArgError(interp_, "topic name must not be empty");
    if (w == WATERMARKS) return Watermarks(objv[3], objv[4], true, timeout, "watermarks");

    TopicPtr onlyTopic;
    if (topicName) {
        onlyTopic.reset(rd_kafka_topic_new(rk_.get(), topicName, NULL));
        if (!onlyTopic) {
            rd_kafka_resp_err_t err = rd_kafka_last_error();
            return KafkaError(interp_, err, std::string("bad topic \"") + topicName + "\": " + rd_kafka_err2str(err));
        }
    }
    const rd_kafka_metadata_t *raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), w == TOPICS, onlyTopic.get(), &raw, timeout);
    if (err) return KafkaError(interp_, err, std::string("metadata request failed: ") + rd_kafka_err2str(err));
    MetadataPtr md(raw);
    switch (w) {
    case TOPICS: Tcl_SetObjResult(interp_, TopicNames(md.get())); return TCL_OK;
    case BROKERS: Tcl_SetObjResult(interp_, BrokerAddresses(md.get())); return TCL_OK;
    case CLUSTER: Tcl_SetObjResult(interp_, ClusterDict(rk_.get(), md.get(), timeout)); return TCL_OK;
    default: return TopicInfo(interp_, md.get(), topicName, w == PARTITIONS);
    }
}

// ---------------------------------------------------------------------------
// meta refresh|print ?-timeout ms?

// The metadata as text: brokers, then topics with their partitions.
static Tcl_Obj *DescribeMetadata(const rd_kafka_metadata_t *md) {
    Tcl_Obj *out = Tcl_ObjPrintf("cluster metadata from broker %d (%s):\n", (int)md->orig_broker_id,
                                 md->orig_broker_name ? md->orig_broker_name : "");
    Tcl_AppendPrintfToObj(out, "  %d broker%s:\n", md->broker_cnt, md->broker_cnt == 1 ? "" : "s");
    for (int i = 0; i < md->broker_cnt; i++)
        Tcl_AppendPrintfToObj(out, "    broker %d at %s:%d\n", (int)md->brokers[i].id, md->brokers[i].host,
                              md->brokers[i].port);
    Tcl_AppendPrintfToObj(out, "  %d topic%s:\n", md->topic_cnt, md->topic_cnt == 1 ? "" : "s");
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t &t = md->topics[i];
        Tcl_AppendPrintfToObj(out, "    topic \"%s\" with %d partition%s", t.topic, t.partition_cnt,
                              t.partition_cnt == 1 ? "" : "s");
        if (t.err) Tcl_AppendPrintfToObj(out, " (error %s: %s)", rd_kafka_err2name(t.err), rd_kafka_err2str(t.err));
        Tcl_AppendToObj(out, "\n", 1);
        for (int j = 0; j < t.partition_cnt; j++) {
            const rd_kafka_metadata_partition_t &p = t.partitions[j];
            Tcl_AppendPrintfToObj(out, "      partition %d: leader %d, replicas {", (int)p.id, (int)p.leader);
            for (int k = 0; k < p.replica_cnt; k++) Tcl_AppendPrintfToObj(out, "%s%d", k ? " " : "", (int)p.replicas[k]);
            Tcl_AppendToObj(out, "}, in-sync {", -1);
            for (int k = 0; k < p.isr_cnt; k++) Tcl_AppendPrintfToObj(out, "%s%d", k ? " " : "", (int)p.isrs[k]);
            Tcl_AppendToObj(out, "}", 1);
            if (p.err) Tcl_AppendPrintfToObj(out, " (error %s: %s)", rd_kafka_err2name(p.err), rd_kafka_err2str(p.err));
            Tcl_AppendToObj(out, "\n", 1);
        }
    }
    return out;
}

// Asks the cluster for all topics' metadata, bounded by `timeout`, and keeps it.
int Handle::RefreshMetadata(int timeout) {
    const rd_kafka_metadata_t *raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk_.get(), 1, NULL, &raw, timeout);
    if (err) return KafkaError(interp_, err, std::string("cannot get the cluster metadata: ") + rd_kafka_err2str(err));
    metadata_.reset(raw);
    return TCL_OK;
}

// meta refresh|print ?-timeout ms?: a nested table.
int Handle::Meta(int objc, Tcl_Obj *const objv[]) {
    using H = Handle;
    static constexpr bool kPrint = true, kRefresh = false;
    auto run = [](H *self, const MethodDef<H> &row, int objc, Tcl_Obj *const objv[]) {
        return self->MetaOf(*static_cast<const bool *>(row.data), objc, objv);
    };
    static const MethodDef<H> rows[] = {
        {"refresh", nullptr, 0, kAnyArgs, "?-timeout ms?", kAllKinds, false, run, &kRefresh},
        {"print", nullptr, 0, kAnyArgs, "?-timeout ms?", kAllKinds, false, run, &kPrint},
    };
    static const MethodTable<H> table(rows, {kAllKinds}, "subcommand", 2);
    return table.Dispatch(this, kAllKinds, objc, objv);
}

int Handle::MetaOf(bool print, int objc, Tcl_Obj *const objv[]) {
    int timeout = kDefaultTimeoutMs;
    if (TrailingTimeout(interp_, &objc, objv, 1, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc != 3) return kWrongArgs;
    // print shows the kept copy (fetched first if there is none), as the original did.
    if ((!print || !metadata_) && RefreshMetadata(timeout) != TCL_OK) return TCL_ERROR;
    if (!print) return TCL_OK;
    // Through Tcl's stdout channel, not C stdio: a script can redirect or capture it.
    Tcl_Channel out = Tcl_GetStdChannel(TCL_STDOUT);
    if (!out) return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE, "meta print: there is no stdout channel");
    ObjRef text(DescribeMetadata(metadata_.get()));
    if (Tcl_WriteObj(out, text.get()) < 0 || Tcl_Flush(out) != TCL_OK)
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__FAIL, std::string("meta print: cannot write to stdout: ") +
                                                                Tcl_ErrnoMsg(Tcl_GetErrno()));
    return TCL_OK;
}

} // namespace kafkatcl
