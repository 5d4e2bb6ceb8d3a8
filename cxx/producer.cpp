// producer.cpp -- producer-handle methods beyond produce: purge and the
// transactional API, and the errors of produce. Errors carry librdkafka's
// error classes in errorCode (see RdError and ProduceError):
// {KAFKA ERRNAME message {retriable abortable fatal}}.
#include "handle.h"

#include "partitions.h"

#include <cstring>

namespace kafkatcl {

namespace {
enum { PURGE, INIT_TRANSACTIONS, BEGIN_TRANSACTION, SEND_OFFSETS, COMMIT_TRANSACTION, ABORT_TRANSACTION };
}

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

int Handle::ProducerMethod(int m, int objc, Tcl_Obj *const objv[]) {
    rd_kafka_t *rk = rk_.get();
    int timeout = 30000;
    switch (m) {
    case PURGE: {
        // purge ?-queued? ?-inflight? (none: both)
        static const char *const options[] = {"-queued", "-inflight", NULL};
        int flags = 0;
        for (int i = 2; i < objc; i++) {
            int o;
            if (GetIndex(interp_, objv[i], options, "option", &o) != TCL_OK) return TCL_ERROR;
            flags |= o == 0 ? RD_KAFKA_PURGE_F_QUEUE : RD_KAFKA_PURGE_F_INFLIGHT;
        }
        if (!flags) flags = RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT;
        rd_kafka_resp_err_t err = rd_kafka_purge(rk, flags);
        if (err) return KafkaError(interp_, err, std::string("purge failed: ") + rd_kafka_err2str(err));
        ServeEvents(SIZE_MAX); // purged messages' delivery reports
        return TCL_OK;
    }
    case INIT_TRANSACTIONS:
    case COMMIT_TRANSACTION:
    case ABORT_TRANSACTION: {
        if (objc > 3) return WrongArgs(interp_, 2, objv, "?timeoutMs?");
        if (objc == 3 && GetTimeout(interp_, objv[2], &timeout) != TCL_OK) return TCL_ERROR;
        rd_kafka_error_t *error = m == INIT_TRANSACTIONS   ? rd_kafka_init_transactions(rk, timeout)
                                  : m == COMMIT_TRANSACTION ? rd_kafka_commit_transaction(rk, timeout)
                                                            : rd_kafka_abort_transaction(rk, timeout);
        ServeEvents(SIZE_MAX);
        return error ? RdError(interp_, error, Tcl_GetString(objv[1])) : TCL_OK;
    }
    case BEGIN_TRANSACTION: {
        if (objc != 2) return WrongArgs(interp_, 2, objv, "");
        rd_kafka_error_t *error = rd_kafka_begin_transaction(rk);
        return error ? RdError(interp_, error, "begin_transaction") : TCL_OK;
    }
    case SEND_OFFSETS: {
        // send_offsets_to_transaction consumerHandle ?offsets? ?-timeout ms?
        if (TrailingTimeout(interp_, &objc, objv, 3, &timeout) != TCL_OK) return TCL_ERROR;
        if (objc != 3 && objc != 4) return WrongArgs(interp_, 2, objv, "consumerHandle ?{{topic partition offset} ...}? ?-timeout ms?");
        Handle *consumer = LookupObject<Handle>(interp_, objv[2], "consumer handle");
        if (!consumer) return TCL_ERROR;
        if (consumer->IsProducer()) return ArgError(interp_, "send_offsets_to_transaction needs a consumer handle");
        PartitionListPtr offsets;
        if (objc == 4) {
            offsets.reset(PartitionsFromObj(interp_, objv[3], true));
            if (!offsets) return TCL_ERROR;
        }
        rd_kafka_consumer_group_metadata_t *cgmd = rd_kafka_consumer_group_metadata(consumer->Kafka());
        if (!cgmd) return ArgError(interp_, "the consumer handle has no group (set group.id)");
        if (!offsets) { // the consumer's current positions
            rd_kafka_topic_partition_list_t *raw = nullptr;
            rd_kafka_resp_err_t err = rd_kafka_assignment(consumer->Kafka(), &raw);
            offsets.reset(raw);
            if (err || !offsets) {
                rd_kafka_consumer_group_metadata_destroy(cgmd);
                return KafkaError(interp_, err ? err : RD_KAFKA_RESP_ERR__STATE, "cannot read the consumer's assignment");
            }
            rd_kafka_position(consumer->Kafka(), offsets.get());
        }
        rd_kafka_error_t *error = rd_kafka_send_offsets_to_transaction(rk, offsets.get(), cgmd, timeout);
        rd_kafka_consumer_group_metadata_destroy(cgmd);
        return error ? RdError(interp_, error, "send_offsets_to_transaction") : TCL_OK;
    }
    }
    return TCL_ERROR;
}

} // namespace kafkatcl
