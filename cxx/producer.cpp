// producer.cpp -- producer-handle methods beyond produce: purge and the
// transactional API, and the errors of produce. Errors carry librdkafka's
// error classes in errorCode (see RdError and ProduceError):
// {KAFKA ERRNAME message {retriable abortable fatal}}.
#include "handle.h"

#include "method.h"
#include "options.h"
#include "partitions.h"

#include <cstring>

namespace kafkatcl {

int Handle::ProduceError(rd_kafka_resp_err_t err, const std::string &message) {
    KafkaError(interp_, err, message);
    char value[512];
    size_t size = sizeof value;
    const rd_kafka_conf_t *conf = rd_kafka_conf(rk_.get());
    bool idempotent = rd_kafka_conf_get(conf, "enable.idempotence", value, &size) == RD_KAFKA_CONF_OK && !strcmp(value, "true");
    size = sizeof value;
    if (!idempotent && !(rd_kafka_conf_get(conf, "transactional.id", value, &size) == RD_KAFKA_CONF_OK && value[0]))
        return TCL_ERROR;
    Tcl_Obj *code[4] = {Tcl_NewStringObj("KAFKA", -1), Tcl_NewStringObj(rd_kafka_err2name(err), -1),
                        Tcl_NewStringObj(message.c_str(), -1),
                        rd_kafka_fatal_error(rk_.get(), NULL, 0) ? Tcl_NewStringObj("fatal", -1) : Tcl_NewObj()};
    Tcl_SetObjErrorCode(interp_, Tcl_NewListObj(4, code));
    return TCL_ERROR;
}

// purge ?-queued? ?-inflight? (none: both)
int Handle::Purge(int objc, Tcl_Obj *const objv[]) {
    struct Words {
        bool queued = false, inflight = false;
    };
    static const OptionTable<Words> table({{"-queued", &Words::queued}, {"-inflight", &Words::inflight}},
                                          Placement::Only, false);
    Words words;
    if (table.Parse(interp_, objc, objv, 2, nullptr, &words) != TCL_OK) return TCL_ERROR;
    int flags = (words.queued ? RD_KAFKA_PURGE_F_QUEUE : 0) | (words.inflight ? RD_KAFKA_PURGE_F_INFLIGHT : 0);
    if (!flags) flags = RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT;
    rd_kafka_resp_err_t err = rd_kafka_purge(rk_.get(), flags);
    if (err) return KafkaError(interp_, err, std::string("purge failed: ") + rd_kafka_err2str(err));
    ServeEvents(SIZE_MAX); // purged messages' delivery reports
    return TCL_OK;
}

// init_transactions, commit_transaction, abort_transaction ?timeoutMs?
int Handle::TransactionCall(int objc, Tcl_Obj *const objv[], rd_kafka_error_t *(*call)(rd_kafka_t *, int)) {
    int timeout = 30000;
    if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
    rd_kafka_error_t *error = call(rk_.get(), timeout);
    ServeEvents(SIZE_MAX);
    return error ? RdError(interp_, error, Tcl_GetString(objv[1])) : TCL_OK;
}

int Handle::InitTransactions(int objc, Tcl_Obj *const objv[]) { return TransactionCall(objc, objv, rd_kafka_init_transactions); }
int Handle::CommitTransaction(int objc, Tcl_Obj *const objv[]) { return TransactionCall(objc, objv, rd_kafka_commit_transaction); }
int Handle::AbortTransaction(int objc, Tcl_Obj *const objv[]) { return TransactionCall(objc, objv, rd_kafka_abort_transaction); }

int Handle::BeginTransaction(int, Tcl_Obj *const[]) {
    rd_kafka_error_t *error = rd_kafka_begin_transaction(rk_.get());
    return error ? RdError(interp_, error, "begin_transaction") : TCL_OK;
}

// The consumer's current positions in its assignment; nullptr and an error if it has none.
static rd_kafka_topic_partition_list_t *CurrentPositions(Tcl_Interp *interp, rd_kafka_t *consumer) {
    rd_kafka_topic_partition_list_t *raw = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_assignment(consumer, &raw);
    if (err || !raw) {
        if (raw) rd_kafka_topic_partition_list_destroy(raw);
        KafkaError(interp, err ? err : RD_KAFKA_RESP_ERR__STATE, "cannot read the consumer's assignment");
        return nullptr;
    }
    rd_kafka_position(consumer, raw);
    return raw;
}

// send_offsets_to_transaction consumerHandle ?offsets? ?-timeout ms?
int Handle::SendOffsetsToTransaction(int objc, Tcl_Obj *const objv[]) {
    int timeout = 30000;
    if (TrailingTimeout(interp_, &objc, objv, 1, &timeout) != TCL_OK) return TCL_ERROR;
    if (objc != 3 && objc != 4) return kWrongArgs;
    Handle *consumer = LookupObject<Handle>(interp_, objv[2], "consumer handle");
    if (!consumer) return TCL_ERROR;
    if (consumer->IsProducer()) return ArgError(interp_, "send_offsets_to_transaction needs a consumer handle");
    PartitionListPtr offsets;
    if (objc == 4) {
        offsets.reset(PartitionsFromObj(interp_, objv[3], true));
        if (!offsets) return TCL_ERROR;
    }
    using GroupMetadataPtr = Owned<rd_kafka_consumer_group_metadata_t, rd_kafka_consumer_group_metadata_destroy>;
    GroupMetadataPtr group(rd_kafka_consumer_group_metadata(consumer->Kafka()));
    if (!group) return NoGroupError(interp_);
    if (!offsets) {
        offsets.reset(CurrentPositions(interp_, consumer->Kafka()));
        if (!offsets) return TCL_ERROR;
    }
    rd_kafka_error_t *error = rd_kafka_send_offsets_to_transaction(rk_.get(), offsets.get(), group.get(), timeout);
    return error ? RdError(interp_, error, "send_offsets_to_transaction") : TCL_OK;
}

} // namespace kafkatcl
