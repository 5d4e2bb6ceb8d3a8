// message.h -- turning consumed librdkafka messages into Tcl: the array form
// of consume/consume_batch, the loop that runs a script body per message, and
// putting back (seeking to) messages a script did not get to.
#pragma once

#include "util.h"

#include <functional>
#include <vector>

namespace kafkatcl {

class Object;
class Handle;

class StickyElements;

// What the previous fill of an array left in it, so that a batch removes a
// stale key/headers element only when there can be one, and (with `sticky`)
// leaves alone the elements that already hold the right value.
struct ArrayFill {
    bool keySet = true, headersSet = true; // unknown at first: remove if absent
    StickyElements *sticky = nullptr;
};

// Fills array `arrayName` with payload, partition, offset, topic, timestamp,
// timestamp_type, headers and key (key and headers are removed when the
// message has none, headers also when `format` leaves them out).
int StoreMessageInArray(Tcl_Interp *interp, Tcl_Obj *arrayName, const rd_kafka_message_t *msg, MessageFormat format,
                        ArrayFill *fill = nullptr);

// The result of a single-message consume: 0 when `msg` is null (nothing in
// time) or an end-of-partition notice, else the message goes into
// arrayName and the result is 1. A message carrying an error raises it.
int StoreConsumed(Tcl_Interp *interp, const MessagePtr &msg, Tcl_Obj *arrayName, MessageFormat format);

// Takes up to `count` messages from `fetch` (a librdkafka batch call) into
// `messages`, which then owns them; on failure raises a KAFKA error naming `what`.
int FetchBatch(Tcl_Interp *interp, size_t count, const std::function<ssize_t(rd_kafka_message_t **, size_t)> &fetch,
               std::vector<MessagePtr> *messages, const char *what);

// librdkafka's rd_kafka_consume_batch_queue and rd_kafka_consume_batch, for
// every batch fetch of the package: before librdkafka 2.1.0 those skip
// messages across a pause, resume, seek or rebalance (see message.cpp), so
// there they are made of single-message calls instead. Same contract:
// the count, or -1 with rd_kafka_last_error().
ssize_t ConsumeBatchQueue(Handle *handle, rd_kafka_queue_t *queue, int timeoutMs, rd_kafka_message_t **buf, size_t n);
ssize_t ConsumeBatchPartition(Handle *handle, rd_kafka_topic_t *rkt, int32_t partition, int timeoutMs,
                              rd_kafka_message_t **buf, size_t n);

// Raises the Tcl error for a message that carries an error.
int MessageError(Tcl_Interp *interp, const rd_kafka_message_t *msg);

// A message as a dict: payload partition offset topic timestamp ?key?; for a
// message carrying an error: error ERRNAME message TEXT topic T partition P.
Tcl_Obj *MessageToDict(const rd_kafka_message_t *msg, MessageFormat format);

// Seeks each partition of messages[from..] back to its first message there,
// so the next consume returns them again, unless the script positioned that
// partition itself since `mark` (Handle::RepositionMark): its seek or start
// wins.
void PutBack(Handle *handle, std::vector<MessagePtr> &messages, size_t from, uint64_t mark);

// The stored offsets (enable.auto.offset.store) of a batch being run.
// librdkafka stores the whole batch's offsets as consumed when it hands the
// batch over, before the script has seen any: a commit meanwhile (close or
// commit from the body or callback, the auto-commit timer) would mark
// messages the script never saw as consumed. Made right after the fetch, it
// stores each partition's first offset back; Handed(m) before the script gets
// m; at the end, each partition's offset after the last message handed is
// stored. A commit the script makes in the middle of the batch (close,
// commit, unsubscribe) first stores what was handed so far (registered with
// the handle); the auto-commit timer's covers only earlier batches (at least
// once, never lost). Nothing without auto store, or once the owner is deleted.
class HandedOffsets {
  public:
    HandedOffsets(Object *owner, Handle *handle, const std::vector<MessagePtr> &messages);
    ~HandedOffsets();
    HandedOffsets(const HandedOffsets &) = delete;
    HandedOffsets &operator=(const HandedOffsets &) = delete;
    void Handed(const rd_kafka_message_t *m);
    // Stores what was handed so far (Handle::StoreHanded, before close,
    // commit and unsubscribe commit the stored offsets).
    void Store() const;

  private:
    struct Partition {
        rd_kafka_topic_t *rkt;
        int32_t partition;
        int64_t next; // the offset to store: after the last message handed
    };
    Object *owner_;
    Handle *handle_;
    bool on_;
    std::vector<Partition> partitions_; // a batch has few: searched linearly
};

// Whether the script positioned m's partition itself since `mark`: what a
// batch holds of that partition is then stale (librdkafka discards what it
// had fetched), and is neither delivered nor put back.
bool Superseded(Handle *handle, const rd_kafka_message_t *m, uint64_t mark);

// Runs `perMessage` for each message (partition-EOF notices skipped) with Tcl
// loop semantics for its result code: break stops, continue goes on, error
// and return propagate. Messages not reached are put back; those of a
// partition the script positioned meanwhile (Superseded) are skipped. On TCL_OK the
// result is the number of messages handled. `what` names the loop in errorInfo.
int RunBatch(Tcl_Interp *interp, Object *owner, Handle *handle, std::vector<MessagePtr> &messages,
             const std::function<int(const rd_kafka_message_t *)> &perMessage, const char *what);

// Runs `body` once per message with the array filled, honouring break,
// continue, return and errors as Tcl loops do. Messages the body did not reach
// (break, error, return, or its object deleted) are put back by seeking their
// partitions, so the next consume sees them again: nothing is lost.
// Partition-EOF messages are skipped. Sets the result to the number of
// messages the body ran for.
int RunBatchBody(Tcl_Interp *interp, Object *owner, Handle *handle, std::vector<MessagePtr> &messages, Tcl_Obj *arrayName,
                 Tcl_Obj *body, MessageFormat format);

} // namespace kafkatcl
