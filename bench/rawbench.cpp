// rawbench.cpp -- the physical limit for the benchmark: the same workloads
// as KafkaTcl's, written directly against librdkafka's C API.
//
//   rawbench produce BROKERS TOPIC COUNT SIZE PARTITIONS   (-1: partitioner)
//   rawbench consume BROKERS TOPIC COUNT PARTITIONS
//
// Prints one line: "<messages> <seconds>".
#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

static double Now() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static rd_kafka_t *Make(rd_kafka_type_t type, const char *brokers, const char *group) {
    char err[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", brokers, err, sizeof err);
    if (type == RD_KAFKA_PRODUCER) {
        rd_kafka_conf_set(conf, "linger.ms", "5", err, sizeof err);
        rd_kafka_conf_set_dr_msg_cb(conf, [](rd_kafka_t *, const rd_kafka_message_t *m, void *) {
            if (m->err) fprintf(stderr, "delivery failed: %s\n", rd_kafka_err2str(m->err));
        });
    } else if (group) {
        rd_kafka_conf_set(conf, "group.id", group, err, sizeof err);
        rd_kafka_conf_set(conf, "auto.offset.reset", "earliest", err, sizeof err);
    }
    if (const char *extra = getenv("RAWBENCH_CONF")) { // k=v,k=v: for comparing settings
        std::string all(extra);
        size_t pos = 0;
        while (pos < all.size()) {
            size_t comma = all.find(',', pos);
            std::string kv = all.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            size_t eq = kv.find('=');
            if (eq != std::string::npos) rd_kafka_conf_set(conf, kv.substr(0, eq).c_str(), kv.substr(eq + 1).c_str(), err, sizeof err);
            pos = comma == std::string::npos ? all.size() : comma + 1;
        }
    }
    rd_kafka_t *rk = rd_kafka_new(type, conf, err, sizeof err);
    if (!rk) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    return rk;
}

int main(int argc, char **argv) {
    if (argc < 6) {
        fprintf(stderr, "usage: rawbench produce|consume BROKERS TOPIC COUNT SIZE|PARTITIONS ...\n");
        return 2;
    }
    std::string mode = argv[1];
    const char *brokers = argv[2], *topic = argv[3];
    long count = atol(argv[4]);
    if (mode == "produce") {
        size_t size = (size_t)atol(argv[5]);
        int partitions = argc > 6 ? atoi(argv[6]) : 1;
        rd_kafka_t *rk = Make(RD_KAFKA_PRODUCER, brokers, nullptr);
        rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
        std::string payload(size, 'x');
        double t0 = Now();
        for (long i = 0; i < count; i++) {
            int32_t part = partitions > 1 ? (int32_t)(i % partitions) : 0;
            while (rd_kafka_produce(rkt, part, RD_KAFKA_MSG_F_COPY, (void *)payload.data(), size, NULL, 0, NULL) == -1) {
                if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
                    fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
                    return 1;
                }
                rd_kafka_poll(rk, 10);
            }
            rd_kafka_poll(rk, 0);
        }
        rd_kafka_flush(rk, 60000);
        printf("%ld %.6f\n", count, Now() - t0);
        rd_kafka_topic_destroy(rkt);
        rd_kafka_destroy(rk);
        return 0;
    }
    // consume: legacy per-partition batch consumer over PARTITIONS partitions
    int partitions = atoi(argv[5]);
    rd_kafka_t *rk = Make(RD_KAFKA_CONSUMER, brokers, nullptr);
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    double t0 = Now();
    // Leaders first, as kcat and KafkaTcl's consume_start do: librdkafka
    // 2.0.2 waits 500 ms before starting a partition whose leader it does not know.
    const rd_kafka_metadata_t *md = nullptr;
    if (rd_kafka_metadata(rk, 0, rkt, &md, 5000) == RD_KAFKA_RESP_ERR_NO_ERROR) rd_kafka_metadata_destroy(md);
    for (int p = 0; p < partitions; p++) rd_kafka_consume_start_queue(rkt, p, RD_KAFKA_OFFSET_BEGINNING, q);
    std::vector<rd_kafka_message_t *> batch(10000);
    long got = 0;
    while (got < count) {
        // Never more than are left: the call waits for a full batch or the timeout.
        ssize_t n = rd_kafka_consume_batch_queue(q, 1000, batch.data(), std::min(batch.size(), (size_t)(count - got)));
        for (ssize_t i = 0; i < n; i++) {
            if (!batch[i]->err) got++;
            rd_kafka_message_destroy(batch[i]);
        }
        if (n <= 0 && Now() - t0 > 120) break;
    }
    printf("%ld %.6f\n", got, Now() - t0);
    for (int p = 0; p < partitions; p++) rd_kafka_consume_stop(rkt, p);
    rd_kafka_queue_destroy(q);
    rd_kafka_topic_destroy(rkt);
    rd_kafka_destroy(rk);
    return 0;
}
