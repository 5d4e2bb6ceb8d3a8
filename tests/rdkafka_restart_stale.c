/* rdkafka_restart_stale.c -- why consumer-5.5 lost restarts on librdkafka
 * 2.14.2 (issue 24's last open defect), with librdkafka alone: KafkaTcl's
 * calls for `start 0 end; stop 0; start 0 end; stop 0; start 0 5` (and
 * `start 0 beginning; stop 0; start 0 -3`), logical offsets resolved through
 * the watermarks as Topic::ResolveLogicalStart does, with a bound in ms.
 *
 * The defect (rdkafka_partition.c, 2.0.2 to 2.14.2): a start at a logical
 * offset sends a ListOffsets; a stop bumps the partition's op version; the
 * reply then comes back outdated and rd_kafka_toppar_handle_Offset calls
 * rd_kafka_toppar_offset_retry, which puts the partition, whatever its new
 * start was, into OFFSET_QUERY with a 500 ms timer for the OLD rktp_query_pos
 * (an absolute fetch_start neither resets it nor stops that timer): 500 ms
 * after `start 0 5` the partition jumps to the end, offsets 5..9 never come
 * (debug=topic,fetch: "outdated offset response: (re)starting offset query
 * timer for offset END").  Absolute starts never send a ListOffsets, hence
 * the resolution.  Why the resolution did not hold on 2.14.2: its
 * watermark query waits on the leader's connection behind a Fetch of the
 * partition at its end, which the broker holds for fetch.wait.max.ms (500;
 * 2.14.2's mock cluster does so, 2.0.2's answers at once); with a 500 ms
 * bound it timed out, the logical offset went to librdkafka, and the
 * defect struck.  Measured (mock, 10 rounds = 20 restarts each):
 *     2.14.2: bound 500: 2 of 20 lost (and 9 resolutions timed out);
 *             no resolution: 3 of 20; bound 1000 or 2000: 0 of 20.
 *     2.0.2:  bound 500: 0 of 20.
 * Not part of the test suite.  Build and run (2.14.2 of the next leg):
 *     N=.cache/next/prefix
 *     cc -O1 -o /tmp/restart_stale tests/rdkafka_restart_stale.c -I$N/include -L$N/lib -lrdkafka
 *     LD_LIBRARY_PATH=$N/lib /tmp/restart_stale RESOLVE ROUNDS BOUND_MS   (e.g. 1 10 500)
 * prints "fails N of 2*ROUNDS" (N > 0: a restart delivered the wrong offsets).
 * RESOLVE 0 hands the logical offsets to librdkafka; RDDEBUG=topic,fetch
 * shows librdkafka's side. */
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <time.h>
static long long now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000LL+t.tv_nsec/1000000;}
static int resolveFlag, resolveMs=500; static rd_kafka_t *c; static rd_kafka_topic_t *ct;
static int64_t resolve(int64_t off){
  int64_t lo,hi;
  if(off>=0) return off;
  long long t0=now(); rd_kafka_resp_err_t e=rd_kafka_query_watermark_offsets(c,"t",0,&lo,&hi,resolveMs);
  if(e){ printf(" resolve %lld failed after %lld ms: %s\n",(long long)off,now()-t0,rd_kafka_err2name(e)); return off;}
  if(off==RD_KAFKA_OFFSET_END) return hi;
  if(off==RD_KAFKA_OFFSET_BEGINNING) return lo;
  if(off<=RD_KAFKA_OFFSET_TAIL_BASE) { int64_t o=hi-(RD_KAFKA_OFFSET_TAIL_BASE-off); return o<lo?lo:o;}
  return off;
}

static void start(int64_t off){ if(resolveFlag) off=resolve(off); if(rd_kafka_consume_start(ct,0,off)==-1) printf("start fail %s\n",rd_kafka_err2str(rd_kafka_last_error())); }
static void stop(){ rd_kafka_consume_stop(ct,0); }
static int consumeN(int n,int ms,int64_t *first){
  int got=0; long long t0=now(); *first=-1;
  while(got<n && now()-t0<ms){rd_kafka_message_t *m=rd_kafka_consume(ct,0,500); rd_kafka_poll(c,0);
    if(m){ if(!m->err){ if(got==0)*first=m->offset; got++;} else printf(" err %s\n",rd_kafka_err2str(m->err)); rd_kafka_message_destroy(m);} }
  return got;
}
int main(int argc,char**argv){
  char err[256];
  resolveFlag = argc>1 ? atoi(argv[1]) : 1;
  int rounds = argc>2 ? atoi(argv[2]) : 10;
  if(argc>3) resolveMs=atoi(argv[3]);
  printf("librdkafka %s resolve=%d\n", rd_kafka_version_str(), resolveFlag);
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
  if(getenv("RDDEBUG")) rd_kafka_conf_set(cc,"debug",getenv("RDDEBUG"),err,sizeof err);
  c=rd_kafka_new(RD_KAFKA_CONSUMER,cc,err,sizeof err);
  ct=rd_kafka_topic_new(c,"t",NULL);
  const rd_kafka_metadata_t *md; if(!rd_kafka_metadata(c,0,ct,&md,500)) rd_kafka_metadata_destroy(md);
  int fails=0; int64_t first;
  for(int r=0;r<rounds;r++){
    start(RD_KAFKA_OFFSET_END); stop(); start(RD_KAFKA_OFFSET_END); stop();
    start(5);
    long long t0=now();
    int got=consumeN(5,5000,&first);
    if(got!=5||first!=5){fails++;printf("round %d a: got %d first %lld in %lld ms\n",r,got,(long long)first,now()-t0);}
    stop();
    start(RD_KAFKA_OFFSET_BEGINNING); stop(); start(RD_KAFKA_OFFSET_TAIL(3));
    t0=now();
    got=consumeN(3,5000,&first);
    if(got!=3||first!=7){fails++;printf("round %d b: got %d first %lld in %lld ms\n",r,got,(long long)first,now()-t0);}
    stop();
  }
  printf("fails %d of %d\n",fails,rounds*2);
  rd_kafka_topic_destroy(ct); rd_kafka_destroy(c); rd_kafka_topic_destroy(pt); rd_kafka_destroy(p);
  return 0;
}
