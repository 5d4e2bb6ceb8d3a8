// metaprint.h -- cluster metadata as readable text, for `meta print`.
// Shared: any object with an rd_kafka_t can print through it (the
// subscriber does; a handle's `meta` can too).
#pragma once

#include "util.h"

namespace kafkatcl {

// Brokers, then each topic with its partitions (leader, replicas, in-sync
// replicas, error), one item a line.
std::string MetadataText(const rd_kafka_metadata_t *md);

// Writes text to the interp's stdout channel (so `chan push`, reflected
// channels and tcltest's output capture see it, which C stdio would bypass).
int WriteToStdout(Tcl_Interp *interp, const std::string &text);

} // namespace kafkatcl
