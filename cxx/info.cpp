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

#include <cstring>

namespace kafkatcl {

static void Put(Tcl_Obj *dict, const char *key, Tcl_Obj *value) {
    Tcl_DictObjPut(NULL, dict, Tcl_NewStringObj(key, -1), value);
}

static Tcl_Obj *IntList(const int32_t *v, int n) {
    Tcl_Obj *list = Tcl_NewListObj(0, NULL);
    for (int i = 0; i < n; i++) Tcl_ListObjAppendElement(NULL, list, Tcl_NewIntObj(v[i]));
    return list;
}

int Handle::Info(int objc, Tcl_Obj *const objv[]) {
    static const char *const what[] = {"topics", "brokers", "partitions", "topic", "cluster", "watermarks", NULL};
    enum { TOPICS, BROKERS, PARTITIONS, TOPIC, CLUSTER, WATERMARKS };
    static const int wordsAfter[] = {0, 0, 1, 1, 0, 2};
    static const char *const usage[] = {"?-timeout ms?", "?-timeout ms?", "topic ?-timeout ms?", "topic ?-timeout ms?",
                                        "?-timeout ms?", "topic partition ?-timeout ms?"};
    if (objc < 3) return WrongArgs(interp_, 2, objv, "topics|brokers|partitions|topic|cluster|watermarks ?arg ...? ?-timeout ms?");
    int w;
    if (GetIndex(interp_, objv[2], what, "info type", &w) != TCL_OK) return TCL_ERROR;
    int first = 3 + wordsAfter[w];
    if (objc < first || (objc - first) % 2 != 0) return WrongArgs(interp_, 3, objv, usage[w]);
    int timeout = 5000;
    for (int i = first; i < objc; i += 2) {
        static const char *const options[] = {"-timeout", NULL};
        int o;
        if (GetIndex(interp_, objv[i], options, "option", &o) != TCL_OK) return TCL_ERROR;
        if (GetTimeout(interp_, objv[i + 1], &timeout) != TCL_OK) return TCL_ERROR;
    }
    const char *topicName = wordsAfter[w] ? Tcl_GetString(objv[3]) : nullptr;
    if (topicName && !*topicName) return ArgError(interp_, "topic name must not be empty");

    if (w == WATERMARKS) {
        int32_t partition;
        if (GetPartition(interp_, objv[4], false, &partition) != TCL_OK) return TCL_ERROR;
        int64_t low, high;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(rk_.get(), topicName, partition, &low, &high, timeout);
        if (err) return KafkaError(interp_, err, std::string("watermarks: ") + rd_kafka_err2str(err));
        Tcl_Obj *pair[2] = {Tcl_NewWideIntObj(low), Tcl_NewWideIntObj(high)};
        Tcl_SetObjResult(interp_, Tcl_NewListObj(2, pair));
        return TCL_OK;
    }

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

    Tcl_Obj *result = nullptr;
    switch (w) {
    case TOPICS:
        result = Tcl_NewListObj(0, NULL);
        for (int i = 0; i < md->topic_cnt; i++) Tcl_ListObjAppendElement(NULL, result, Tcl_NewStringObj(md->topics[i].topic, -1));
        break;
    case BROKERS:
        result = Tcl_NewListObj(0, NULL);
        for (int i = 0; i < md->broker_cnt; i++)
            Tcl_ListObjAppendElement(NULL, result, Tcl_ObjPrintf("%s:%d", md->brokers[i].host, md->brokers[i].port));
        break;
    case CLUSTER: {
        result = Tcl_NewDictObj();
        char *id = rd_kafka_clusterid(rk_.get(), timeout);
        Put(result, "id", Tcl_NewStringObj(id ? id : "", -1));
        if (id) rd_kafka_mem_free(rk_.get(), id);
        Put(result, "controller", Tcl_NewIntObj(rd_kafka_controllerid(rk_.get(), timeout)));
        Tcl_Obj *brokers = Tcl_NewListObj(0, NULL);
        for (int i = 0; i < md->broker_cnt; i++) {
            Tcl_Obj *b = Tcl_NewDictObj();
            Put(b, "id", Tcl_NewIntObj(md->brokers[i].id));
            Put(b, "host", Tcl_NewStringObj(md->brokers[i].host, -1));
            Put(b, "port", Tcl_NewIntObj(md->brokers[i].port));
            Tcl_ListObjAppendElement(NULL, brokers, b);
        }
        Put(result, "brokers", brokers);
        break;
    }
    case PARTITIONS:
    case TOPIC: {
        const rd_kafka_metadata_topic_t *t = nullptr;
        for (int i = 0; i < md->topic_cnt; i++)
            if (!strcmp(md->topics[i].topic, topicName)) t = &md->topics[i];
        if (!t) return KafkaError(interp_, RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART, std::string("unknown topic \"") + topicName + "\"");
        if (t->err) return KafkaError(interp_, t->err, std::string("topic \"") + topicName + "\": " + rd_kafka_err2str(t->err));
        if (w == PARTITIONS) {
            result = Tcl_NewIntObj(t->partition_cnt);
            break;
        }
        result = Tcl_NewListObj(0, NULL);
        for (int i = 0; i < t->partition_cnt; i++) {
            const rd_kafka_metadata_partition_t &p = t->partitions[i];
            Tcl_Obj *d = Tcl_NewDictObj();
            Put(d, "partition", Tcl_NewIntObj(p.id));
            Put(d, "leader", Tcl_NewIntObj(p.leader));
            Put(d, "replicas", IntList(p.replicas, p.replica_cnt));
            Put(d, "isr", IntList(p.isrs, p.isr_cnt));
            Put(d, "error", Tcl_NewStringObj(p.err ? rd_kafka_err2name(p.err) : "", -1));
            Tcl_ListObjAppendElement(NULL, result, d);
        }
        break;
    }
    }
    Tcl_SetObjResult(interp_, result);
    return TCL_OK;
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

int Handle::Meta(int objc, Tcl_Obj *const objv[]) {
    static const char *const subs[] = {"refresh", "print", NULL};
    enum { REFRESH, PRINT };
    int timeout = 5000;
    if (objc < 3) return WrongArgs(interp_, 2, objv, "refresh|print ?-timeout ms?");
    int sub;
    if (GetIndex(interp_, objv[2], subs, "subcommand", &sub) != TCL_OK) return TCL_ERROR;
    if (TrailingTimeout(interp_, &objc, objv, 3, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc != 3) return WrongArgs(interp_, 3, objv, "?-timeout ms?");
    // print shows the kept copy (fetched first if there is none), as the original did.
    if ((sub == REFRESH || !metadata_) && RefreshMetadata(timeout) != TCL_OK) return TCL_ERROR;
    if (sub == REFRESH) return TCL_OK;
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
