/* rdkafka_restart_end.c -- librdkafka's own defect found by the randomized
 * model test (tests/torture.tcl, seeds 5003 under ASan and 1006 on the real
 * broker; the known entry logical-restart): a partition started at the end,
 * stopped, started at the end again, stopped, then started at an explicit
 * offset, delivers nothing for 8 s (and, in the torture runs, never), though
 * the messages are there.  Seen with librdkafka 2.0.2 (2 of 10 rounds) and
 * 2.8.0 (6 of 10) and 2.14.2 (1 of 10, the next leg's) on the mock cluster;
 * with the absolute offset 10 for the end, 0 of 10 on 2.0.2 and 2.14.2 (what
 * Topic::ResolveLogicalStart relies on).  Not part of the test suite:
 *     cc -O1 -o /tmp/restart_end tests/rdkafka_restart_end.c -lrdkafka && /tmp/restart_end
 * prints "fails N of 10" (N > 0: the defect is there). */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
static long long now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000LL+t.tv_nsec/1000000;}
int main(int argc,char**argv){
  char err[256];
  rd_kafka_conf_t *pc=rd_kafka_conf_new();
  rd_kafka_conf_set(pc,"test.mock.num.brokers","1",err,sizeof err);
  rd_kafka_t *p=rd_kafka_new(RD_KAFKA_PRODUCER,pc,err,sizeof err);
  rd_kafka_mock_cluster_t *mc=rd_kafka_handle_mock_cluster(p);
  rd_kafka_mock_topic_create(mc,"t",3,1);
  const char *bs=rd_kafka_mock_cluster_bootstraps(mc);
  rd_kafka_topic_t *pt=rd_kafka_topic_new(p,"t",NULL);
  for(int i=0;i<10;i++){char b[8];snprintf(b,8,"m%d",i);rd_kafka_produce(pt,0,RD_KAFKA_MSG_F_COPY,b,strlen(b),NULL,0,NULL);}
  rd_kafka_flush(p,5000);
  rd_kafka_conf_t *cc=rd_kafka_conf_new();
  rd_kafka_conf_set(cc,"bootstrap.servers",bs,err,sizeof err);
  rd_kafka_t *c=rd_kafka_new(RD_KAFKA_CONSUMER,cc,err,sizeof err);
  rd_kafka_topic_t *ct=rd_kafka_topic_new(c,"t",NULL);
  int fails=0;
  for(int r=0;r<10;r++){
    rd_kafka_consume_start(ct,0,RD_KAFKA_OFFSET_END);
    rd_kafka_consume_stop(ct,0);
    rd_kafka_consume_start(ct,0,RD_KAFKA_OFFSET_END);
    rd_kafka_consume_stop(ct,0);
    rd_kafka_consume_start(ct,0,5);
    int got=0; long long t0=now();
    while(got<5 && now()-t0<8000){rd_kafka_message_t *m=rd_kafka_consume(ct,0,200); if(m){ if(!m->err) got++; rd_kafka_message_destroy(m);} }
    if(got<5){fails++;printf("round %d: got %d in %lld ms\n",r,got,now()-t0);}
    rd_kafka_consume_stop(ct,0);
  }
  printf("fails %d of 10\n",fails);
  return 0;
}
