// partitions.h -- topic+partition lists between Tcl and librdkafka.
// Tcl form: a list of {topic partition ?offset?} elements.
#pragma once

#include "util.h"

namespace kafkatcl {

using PartitionListPtr = Owned<rd_kafka_topic_partition_list_t, rd_kafka_topic_partition_list_destroy>;

// Parses {{topic partition ?offset?} ...}; offsets may be the offset words of
// consume_start. nullptr (and a KAFKA error) on bad input.
rd_kafka_topic_partition_list_t *PartitionsFromObj(Tcl_Interp *interp, Tcl_Obj *obj, bool needOffset);

// {{topic partition ?offset?} ...}; a partition with an error gets a 4th
// element, its error name.
Tcl_Obj *PartitionsToObj(const rd_kafka_topic_partition_list_t *list, bool withOffset);

// The first per-partition error in `list`, as a KAFKA error; TCL_OK if none.
int PartitionErrors(Tcl_Interp *interp, const rd_kafka_topic_partition_list_t *list, const char *what);

// Raises an rd_kafka_error_t (and destroys it): errorCode
// {KAFKA ERRNAME message CLASSES}, CLASSES listing retriable/abortable/fatal.
int RdError(Tcl_Interp *interp, rd_kafka_error_t *error, const std::string &what);

} // namespace kafkatcl
