// partitions.cpp -- topic-partition list conversion and rd_kafka_error_t.
#include "partitions.h"

namespace kafkatcl {

rd_kafka_topic_partition_list_t *PartitionsFromObj(Tcl_Interp *interp, Tcl_Obj *obj, bool needOffset) {
    Tcl_Size n;
    Tcl_Obj **items;
    if (Tcl_ListObjGetElements(NULL, obj, &n, &items) != TCL_OK) {
        ArgError(interp, "partitions must be a list of {topic partition ?offset?} lists");
        return nullptr;
    }
    PartitionListPtr list(rd_kafka_topic_partition_list_new((int)n));
    for (Tcl_Size i = 0; i < n; i++) {
        Tcl_Size k;
        Tcl_Obj **f;
        if (Tcl_ListObjGetElements(NULL, items[i], &k, &f) != TCL_OK || k < 2 || k > 3 || (needOffset && k != 3)) {
            ArgError(interp, std::string("bad partition \"") + Tcl_GetString(items[i]) + "\": must be {topic partition" +
                                 (needOffset ? " offset}" : " ?offset?}"));
            return nullptr;
        }
        int32_t partition;
        if (GetPartition(interp, f[1], false, &partition) != TCL_OK) return nullptr;
        rd_kafka_topic_partition_t *tp = rd_kafka_topic_partition_list_add(list.get(), Tcl_GetString(f[0]), partition);
        if (k == 3) {
            int64_t offset;
            if (GetStartOffset(interp, f[2], &offset) != TCL_OK) return nullptr;
            tp->offset = offset;
        }
    }
    return list.release();
}

Tcl_Obj *PartitionsToObj(const rd_kafka_topic_partition_list_t *list, bool withOffset) {
    Tcl_Obj *result = Tcl_NewListObj(0, NULL);
    for (int i = 0; list && i < list->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = list->elems[i];
        Tcl_Obj *e = Tcl_NewListObj(0, NULL);
        Tcl_ListObjAppendElement(NULL, e, Tcl_NewStringObj(tp.topic, -1));
        Tcl_ListObjAppendElement(NULL, e, Tcl_NewIntObj(tp.partition));
        if (withOffset || tp.err) Tcl_ListObjAppendElement(NULL, e, Tcl_NewWideIntObj(tp.offset));
        if (tp.err) Tcl_ListObjAppendElement(NULL, e, Tcl_NewStringObj(rd_kafka_err2name(tp.err), -1));
        Tcl_ListObjAppendElement(NULL, result, e);
    }
    return result;
}

int PartitionErrors(Tcl_Interp *interp, const rd_kafka_topic_partition_list_t *list, const char *what) {
    for (int i = 0; list && i < list->cnt; i++) {
        const rd_kafka_topic_partition_t &tp = list->elems[i];
        if (tp.err) {
            return KafkaError(interp, tp.err,
                              std::string(what) + " failed for " + tp.topic + " [" + std::to_string(tp.partition) +
                                  "]: " + rd_kafka_err2str(tp.err));
        }
    }
    return TCL_OK;
}

int RdError(Tcl_Interp *interp, rd_kafka_error_t *error, const std::string &what) {
    std::string message = what + ": " + rd_kafka_error_string(error);
    Tcl_Obj *classes = Tcl_NewListObj(0, NULL);
    if (rd_kafka_error_is_retriable(error)) Tcl_ListObjAppendElement(NULL, classes, Tcl_NewStringObj("retriable", -1));
    if (rd_kafka_error_txn_requires_abort(error)) Tcl_ListObjAppendElement(NULL, classes, Tcl_NewStringObj("abortable", -1));
    if (rd_kafka_error_is_fatal(error)) Tcl_ListObjAppendElement(NULL, classes, Tcl_NewStringObj("fatal", -1));
    Tcl_Obj *code = Tcl_NewListObj(0, NULL);
    Tcl_ListObjAppendElement(NULL, code, Tcl_NewStringObj("KAFKA", -1));
    Tcl_ListObjAppendElement(NULL, code, Tcl_NewStringObj(rd_kafka_error_name(error), -1));
    Tcl_ListObjAppendElement(NULL, code, Tcl_NewStringObj(message.c_str(), -1));
    Tcl_ListObjAppendElement(NULL, code, classes);
    rd_kafka_error_destroy(error);
    Tcl_SetObjResult(interp, Tcl_NewStringObj(message.c_str(), -1));
    Tcl_SetObjErrorCode(interp, code);
    return TCL_ERROR;
}

} // namespace kafkatcl
