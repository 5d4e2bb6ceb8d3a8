// metaprint.cpp -- see metaprint.h.
#include "metaprint.h"

namespace kafkatcl {

static std::string IdList(const int32_t *ids, int n) {
    std::string s;
    for (int i = 0; i < n; i++) s += (i ? "," : "") + std::to_string(ids[i]);
    return s.empty() ? "-" : s;
}

std::string MetadataText(const rd_kafka_metadata_t *md) {
    std::string out = "metadata from broker " + std::to_string(md->orig_broker_id) + " (" +
                      (md->orig_broker_name ? md->orig_broker_name : "") + ")\n";
    out += "brokers: " + std::to_string(md->broker_cnt) + "\n";
    for (int i = 0; i < md->broker_cnt; i++)
        out += "  broker " + std::to_string(md->brokers[i].id) + " " + md->brokers[i].host + ":" +
               std::to_string(md->brokers[i].port) + "\n";
    out += "topics: " + std::to_string(md->topic_cnt) + "\n";
    for (int i = 0; i < md->topic_cnt; i++) {
        const rd_kafka_metadata_topic_t &t = md->topics[i];
        out += "  topic \"" + std::string(t.topic) + "\" partitions " + std::to_string(t.partition_cnt);
        if (t.err) out += " error " + std::string(rd_kafka_err2name(t.err));
        out += "\n";
        for (int j = 0; j < t.partition_cnt; j++) {
            const rd_kafka_metadata_partition_t &p = t.partitions[j];
            out += "    partition " + std::to_string(p.id) + " leader " + std::to_string(p.leader) + " replicas " +
                   IdList(p.replicas, p.replica_cnt) + " isr " + IdList(p.isrs, p.isr_cnt);
            if (p.err) out += " error " + std::string(rd_kafka_err2name(p.err));
            out += "\n";
        }
    }
    return out;
}

int WriteToStdout(Tcl_Interp *interp, const std::string &text) {
    Tcl_Channel out = Tcl_GetStdChannel(TCL_STDOUT);
    if (!out) return KafkaError(interp, RD_KAFKA_RESP_ERR__STATE, "this interpreter has no stdout channel");
    if (Tcl_WriteChars(out, text.data(), (int)text.size()) < 0 || Tcl_Flush(out) != TCL_OK)
        return KafkaError(interp, RD_KAFKA_RESP_ERR__FAIL,
                          std::string("cannot write to stdout: ") + Tcl_ErrnoMsg(Tcl_GetErrno()));
    return TCL_OK;
}

} // namespace kafkatcl
