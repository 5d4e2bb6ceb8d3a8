#!/usr/bin/python3
"""pybench.py -- the confluent-kafka-python side of `tclsh build.tcl bench`.

  pybench.py produce BROKERS TOPIC COUNT SIZE PARTITIONS
  pybench.py consume BROKERS TOPIC COUNT PARTITIONS

Prints "<messages> <seconds>", like the other bench programs.
"""
import sys
import time

from confluent_kafka import Consumer, Producer

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
    c = Consumer({"bootstrap.servers": brokers, "group.id": "pybench-%d" % time.time_ns(),
                  "auto.offset.reset": "earliest", "enable.auto.commit": False})
    c.subscribe([topic])
    got = 0
    t0 = time.monotonic()
    while got < count and time.monotonic() - t0 < 120:
        for m in c.consume(num_messages=10000, timeout=1):
            if m.error() is None:
                got += 1
    print(got, "%.6f" % (time.monotonic() - t0))
    c.close()
