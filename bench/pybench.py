#!/usr/bin/python3
"""pybench.py -- the confluent-kafka-python side of `tclsh build.tcl bench`.

  pybench.py produce BROKERS TOPIC COUNT SIZE PARTITIONS
  pybench.py consume BROKERS TOPIC COUNT PARTITIONS
  pybench.py consume-tuned BROKERS TOPIC COUNT PARTITIONS

consume is what a python user writes (subscribe, librdkafka's defaults);
consume-tuned starts the way KafkaTcl's consume_start does: the topic's
metadata first, partitions assigned at the beginning, and KafkaTcl's
queued.min.messages (librdkafka 2.0.2's default stalls a reader that falls
behind the fetcher for up to a second per 100,000 messages).

Prints "<messages> <seconds>", like the other bench programs.
"""
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, Producer, TopicPartition

mode, brokers, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode == "produce":
    size, partitions = int(sys.argv[5]), int(sys.argv[6])
    p = Producer({"bootstrap.servers": brokers, "linger.ms": 5})
    delivered = [0]

    def on_delivery(err, msg):
        delivered[0] += 1

    payload = b"x" * size
    t0 = time.monotonic()
    for i in range(count):
        while True:
            try:
                p.produce(topic, payload, partition=i % partitions, on_delivery=on_delivery)
                break
            except BufferError:
                p.poll(0.01)
        p.poll(0)
    p.flush(120)
    print(count, "%.6f" % (time.monotonic() - t0))
else:
    partitions = int(sys.argv[5])
    conf = {"bootstrap.servers": brokers, "group.id": "pybench-%d" % time.time_ns(),
            "auto.offset.reset": "earliest", "enable.auto.commit": False}
    if mode == "consume-tuned":
        conf["queued.min.messages"] = 1000000
    c = Consumer(conf)
    t0 = time.monotonic()
    if mode == "consume-tuned":
        c.list_topics(topic, timeout=10)
        c.assign([TopicPartition(topic, p, OFFSET_BEGINNING) for p in range(partitions)])
    else:
        c.subscribe([topic])
    got = 0
    while got < count and time.monotonic() - t0 < 120:
        for m in c.consume(num_messages=10000, timeout=1):
            if m.error() is None:
                got += 1
    print(got, "%.6f" % (time.monotonic() - t0))
    c.close()
