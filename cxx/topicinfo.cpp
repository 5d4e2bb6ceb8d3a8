// topicinfo.cpp -- the methods topic producers and topic consumers share:
//
//	info topic|name                       the topic's name
//	info partitions ?-timeout ms?         partition count, asked of the cluster
//	info consistent_partition key ?-timeout ms?
//	                                      the consistent partitioner's choice
//	info output_queue_length              the handle's outgoing queue length
//	config ?key? ?value key value ...?    the topic's (fixed) configuration
//	creator method ?arg ...?              a method of the handle that made it
//	name                                  the topic's name
// (Their rows are in topic.cpp's method table; delete is Object's.)
#include "topic.h"

#include "config.h"
#include "handle.h"
#include "method.h"
#include "options.h"

#include <cstring>
#include <vector>

namespace kafkatcl {

// info's sub-words: a nested table, one row per info type.
struct TopicInfoMethods {
    using T = Topic;
    enum InfoType { TOPIC, NAME, PARTITIONS, CONSISTENT, OUTQ_LEN };
    static constexpr InfoType kTypes[] = {TOPIC, NAME, PARTITIONS, CONSISTENT, OUTQ_LEN};

    static int Run(T *self, const MethodDef<T> &row, int objc, Tcl_Obj *const objv[]) {
        return self->InfoOf(*static_cast<const InfoType *>(row.data), row.usage, objc, objv);
    }
    static const MethodTable<T> &Table() {
        static const MethodDef<T> rows[] = {
            {"topic", nullptr, 0, 0, "", kAllKinds, false, Run, &kTypes[TOPIC]},
            {"name", nullptr, 0, 0, "", kAllKinds, false, Run, &kTypes[NAME]},
            {"partitions", nullptr, 0, 2, "?-timeout ms?", kAllKinds, false, Run, &kTypes[PARTITIONS]},
            {"consistent_partition", nullptr, 1, 3, "key ?-timeout ms?", kAllKinds, false, Run, &kTypes[CONSISTENT]},
            {"output_queue_length", nullptr, 0, 0, "", kAllKinds, false, Run, &kTypes[OUTQ_LEN]},
        };
        static const MethodTable<T> table(rows, {kAllKinds}, "info type", 2);
        return table;
    }
};

const char *const *Topic::InfoTypes() {
    static const std::vector<const char *> names = [] {
        std::vector<const char *> v = TopicInfoMethods::Table().Names();
        v.push_back(nullptr);
        return v;
    }();
    return names.data();
}

// name (and info topic|name): the topic's name.
int Topic::Name(int, Tcl_Obj *const[]) {
    Tcl_SetObjResult(interp_, Tcl_NewStringObj(rd_kafka_topic_name(rkt_.get()), -1));
    return TCL_OK;
}

// serde ?-value serde? ?-key serde?: the handle's binding for this topic's
// name (serdebind.h), shared by every topic object of that name.
int Topic::SerdeMethod(int objc, Tcl_Obj *const objv[]) {
    if (objc % 2) return kWrongArgs;
    return handle_->Serdes().Method(interp_, rd_kafka_topic_name(rkt_.get()), objc, objv, 2);
}

// info topic|name|partitions|consistent_partition|output_queue_length ?arg ...?
int Topic::Info(int objc, Tcl_Obj *const objv[]) { return TopicInfoMethods::Table().Dispatch(this, kAllKinds, objc, objv); }

// One info type (`usage`: its row's). info partitions and info
// consistent_partition take "?-timeout ms?" after their words (up to the
// key): another option there, or a word more, is the info type's "wrong #
// args", as it always was.
int Topic::InfoOf(int w, const char *usage, int objc, Tcl_Obj *const objv[]) {
    using I = TopicInfoMethods;
    int timeout = kDefaultTimeoutMs;
    if (w == I::PARTITIONS || w == I::CONSISTENT) {
        int words = w == I::CONSISTENT ? 4 : 3;
        if (objc != words && !(objc == words + 2 && IsTimeoutOption(objv[words])))
            return WrongArgs(interp_, 3, objv, usage);
        if (objc > words && GetTimeout(interp_, objv[words + 1], &timeout) != TCL_OK) return TCL_ERROR;
    }
    int count;
    switch (w) {
    case I::TOPIC:
    case I::NAME:
        return Name(objc, objv);
    case I::OUTQ_LEN:
        Tcl_SetObjResult(interp_, Tcl_NewIntObj(rd_kafka_outq_len(handle_->Kafka())));
        return TCL_OK;
    case I::PARTITIONS:
        if (PartitionCount(timeout, false, &count) != TCL_OK) return TCL_ERROR;
        Tcl_SetObjResult(interp_, Tcl_NewIntObj(count));
        return TCL_OK;
    case I::CONSISTENT: {
        if (PartitionCount(timeout, true, &count) != TCL_OK) return TCL_ERROR;
        OutBytes key(objv[3]); // the bytes produce would send as the key
        if (key.Check(interp_, "key") != TCL_OK) return TCL_ERROR;
        int32_t partition = count <= 0 ? -1
                                       : rd_kafka_msg_partitioner_consistent(rkt_.get(), key.data(), key.size(), count,
                                                                             NULL, NULL);
        Tcl_SetObjResult(interp_, Tcl_NewIntObj(partition));
        return TCL_OK;
    }
    }
    return TCL_ERROR;
}

// The topic's partition count from one metadata request for this topic
// alone. A cluster that does not answer in time is an error; so is a topic it
// does not know, unless unknownIsZero (then the count is 0, as it is while a
// topic is being created).
int Topic::PartitionCount(int timeoutMs, bool unknownIsZero, int *count) {
    const char *name = rd_kafka_topic_name(rkt_.get());
    const rd_kafka_metadata_t *raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(handle_->Kafka(), 0, rkt_.get(), &raw, timeoutMs);
    if (err) return KafkaError(interp_, err, std::string("metadata request failed: ") + rd_kafka_err2str(err));
    MetadataPtr md(raw);
    const rd_kafka_metadata_topic_t *t = nullptr;
    for (int i = 0; i < md->topic_cnt; i++)
        if (!strcmp(md->topics[i].topic, name)) t = &md->topics[i];
    rd_kafka_resp_err_t topicErr = t ? t->err : RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART;
    bool unknown = topicErr == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || topicErr == RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
    if (unknown && unknownIsZero) {
        *count = t ? t->partition_cnt : 0;
        return TCL_OK;
    }
    if (!t) return KafkaError(interp_, topicErr, std::string("unknown topic \"") + name + "\"");
    if (topicErr) return KafkaError(interp_, topicErr, std::string("topic \"") + name + "\": " + rd_kafka_err2str(topicErr));
    *count = t->partition_cnt;
    return TCL_OK;
}

// A configuration property's value as rd_kafka_topic_conf_get gives it.
static bool ConfValue(const rd_kafka_topic_conf_t *conf, const char *key, std::string *out) {
    size_t size = 0;
    if (rd_kafka_topic_conf_get(conf, key, NULL, &size) != RD_KAFKA_CONF_OK) return false;
    std::vector<char> buf(size + 1);
    size = buf.size();
    if (rd_kafka_topic_conf_get(conf, key, buf.data(), &size) != RD_KAFKA_CONF_OK) return false;
    *out = buf.data();
    return true;
}

// config ?key? ?value key value ...?. librdkafka fixes a topic's
// configuration at rd_kafka_topic_new, so setting a property to a value other
// than the one it has is a _STATE error; setting it to the same value (in any
// spelling librdkafka accepts, e.g. acks all for -1) does nothing.
int Topic::Config(int objc, Tcl_Obj *const objv[]) {
    if (objc <= 3) return TopicConfigMethod(interp_, conf_.get(), objc, objv);
    if (objc % 2 != 0) return WrongArgs(interp_, 2, objv, "?key? ?value key value ...?");
    for (int i = 2; i < objc; i += 2) {
        const char *key = Tcl_GetString(objv[i]);
        std::string value, now, wanted;
        if (GetCString(interp_, objv[i + 1], std::string("the value of \"") + key + "\"", &value) != TCL_OK)
            return TCL_ERROR;
        TopicConfPtr probe(rd_kafka_topic_conf_dup(conf_.get()));
        char errstr[512];
        rd_kafka_conf_res_t res = rd_kafka_topic_conf_set(probe.get(), key, value.c_str(), errstr, sizeof errstr);
        if (res == RD_KAFKA_CONF_INVALID) return ArgError(interp_, std::string(errstr) + " (setting \"" + key + "\")");
        if (res != RD_KAFKA_CONF_OK) return ArgError(interp_, errstr);
        if (!ConfValue(conf_.get(), key, &now) || !ConfValue(probe.get(), key, &wanted)) {
            return ArgError(interp_, std::string("configuration property \"") + key + "\" cannot be read back");
        }
        if (now == wanted) continue;
        return KafkaError(interp_, RD_KAFKA_RESP_ERR__STATE,
                          std::string("cannot change \"") + key + "\" of topic \"" + rd_kafka_topic_name(rkt_.get()) +
                              "\" (it is \"" + (IsSecretKey(key) ? "***" : now) +
                              "\"): a topic's configuration is fixed when it is made; use $handle config before "
                              "new_topic");
    }
    return TCL_OK;
}

// creator method ?arg ...?: the handle's method, as if called on the handle
// (its errors name the handle's command).
int Topic::Creator(int objc, Tcl_Obj *const objv[]) {
    std::vector<Tcl_Obj *> words(objv + 2, objv + objc);
    Tcl_Obj *handleName = handle_->NameObj();
    Tcl_IncrRefCount(handleName);
    words.insert(words.begin(), handleName);
    Preserve keepHandle(handle_); // the method may delete the handle (and so this topic)
    int code = handle_->Invoke((int)words.size(), words.data());
    Tcl_DecrRefCount(handleName);
    return code;
}

} // namespace kafkatcl
