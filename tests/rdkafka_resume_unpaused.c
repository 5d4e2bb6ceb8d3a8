/* rdkafka_resume_unpaused.c -- librdkafka's own behaviour found by the
 * randomized model test (tests/torture.tcl, seed 1050 on the real broker; the
 * known entry resume-unpaused): rd_kafka_resume_partitions() on an assigned
 * partition of a group consumer that was never paused moves its fetch
 * position back to the committed offset, or (none committed) to
 * auto.offset.reset: messages already returned come again (earliest) or new
 * ones are skipped (latest), with no error.  Seen with librdkafka 2.0.2 on
 * the mock cluster and Kafka 3.9.1.  Not part of the test suite:
 *     cc -O1 -o /tmp/resume_unpaused tests/rdkafka_resume_unpaused.c -lrdkafka && /tmp/resume_unpaused
 * prints "partition 1 went back from 19 to 0" when the behaviour is there. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>
static void produce(rd_kafka_t *p, rd_kafka_topic_t *t, int n) {
  for (int i = 0; i < n; i++)
    for (int part = 0; part < 3; part++) rd_kafka_produce(t, part, RD_KAFKA_MSG_F_COPY, "x", 1, NULL, 0, NULL);
  rd_kafka_flush(p, 5000);
}
/* Polls n times (at most 100 ms each); returns 1 when some partition went back. */
static int consume(rd_kafka_t *c, long long last[3], int n) {
  int back = 0;
  for (int i = 0; i < n; i++) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(c, 100);
    if (!m) continue;
    if (!m->err) {
      if (m->offset != last[m->partition] + 1) {
        printf("partition %d went back from %lld to %lld\n", (int)m->partition, last[m->partition], (long long)m->offset);
        back = 1;
      }
      last[m->partition] = m->offset;
    }
    rd_kafka_message_destroy(m);
  }
  return back;
}
int main(void) {
  char err[256];
  rd_kafka_conf_t *pc = rd_kafka_conf_new();
  rd_kafka_conf_set(pc, "test.mock.num.brokers", "1", err, sizeof err);
  rd_kafka_t *p = rd_kafka_new(RD_KAFKA_PRODUCER, pc, err, sizeof err);
  rd_kafka_mock_cluster_t *mc = rd_kafka_handle_mock_cluster(p);
  rd_kafka_mock_topic_create(mc, "t", 3, 1);
  rd_kafka_topic_t *pt = rd_kafka_topic_new(p, "t", NULL);
  produce(p, pt, 20);
  rd_kafka_conf_t *cc = rd_kafka_conf_new();
  rd_kafka_conf_set(cc, "bootstrap.servers", rd_kafka_mock_cluster_bootstraps(mc), err, sizeof err);
  rd_kafka_conf_set(cc, "group.id", "g", err, sizeof err);
  rd_kafka_conf_set(cc, "auto.offset.reset", "earliest", err, sizeof err);
  rd_kafka_conf_set(cc, "enable.auto.commit", "false", err, sizeof err);
  rd_kafka_t *c = rd_kafka_new(RD_KAFKA_CONSUMER, cc, err, sizeof err);
  rd_kafka_poll_set_consumer(c);
  rd_kafka_topic_partition_list_t *topics = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(topics, "t", RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(c, topics);
  long long last[3] = {-1, -1, -1};
  int back = consume(c, last, 200);
  printf("read up to %lld %lld %lld\n", last[0], last[1], last[2]);
  rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(one, "t", 1);
  rd_kafka_resume_partitions(c, one); /* partition 1 was never paused */
  produce(p, pt, 5);
  back |= consume(c, last, 60);
  printf(back ? "a partition went back\n" : "no partition went back\n");
  rd_kafka_topic_partition_list_destroy(one);
  rd_kafka_topic_partition_list_destroy(topics);
  rd_kafka_consumer_close(c);
  rd_kafka_destroy(c);
  rd_kafka_topic_destroy(pt);
  rd_kafka_destroy(p);
  return back;
}
