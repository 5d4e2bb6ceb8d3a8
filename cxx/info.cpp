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

} // namespace kafkatcl
