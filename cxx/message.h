// message.h -- turning consumed librdkafka messages into Tcl: the array form
// of consume/consume_batch, the loop that runs a script body per message, and
// putting back (seeking to) messages a script did not get to.
#pragma once

#include "util.h"

#include <vector>

namespace kafkatcl {

class Object;

// Fills array `arrayName` with payload, partition, offset, topic, timestamp and
// key (the key element is removed when the message has none).
int StoreMessageInArray(Tcl_Interp *interp, Tcl_Obj *arrayName, const rd_kafka_message_t *msg, bool asText);

// Raises the Tcl error for a message that carries an error.
int MessageError(Tcl_Interp *interp, const rd_kafka_message_t *msg);

// Runs `body` once per message with the array filled, honouring break,
// continue, return and errors as Tcl loops do. Messages the body did not reach
// (break, error, return, or its object deleted) are put back by seeking their
// partitions, so the next consume sees them again: nothing is lost.
// Partition-EOF messages are skipped. Sets the result to the number of
// messages the body ran for.
int RunBatchBody(Tcl_Interp *interp, Object *owner, std::vector<MessagePtr> &messages, Tcl_Obj *arrayName,
                 Tcl_Obj *body, bool asText);

} // namespace kafkatcl
