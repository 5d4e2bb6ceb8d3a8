#!/usr/bin/python3
"""pybench.py -- the confluent-kafka-python side of `tclsh build.tcl bench`.

  pybench.py produce BROKERS TOPIC COUNT SIZE PARTITIONS
  pybench.py consume BROKERS TOPIC COUNT PARTITIONS
  pybench.py consume-tuned BROKERS TOPIC COUNT PARTITIONS
  pybench.py avro-produce BROKERS TOPIC COUNT REGISTRY serde|raw
  pybench.py avro-consume BROKERS TOPIC COUNT REGISTRY serde|raw

The avro modes (run with the venv's python, .cache/pyvenv, which has
confluent-kafka's schema_registry and fastavro) are tclbench.tcl's:
AVRO_RECORD, a new id each, through AvroSerializer then produced (raw: one
record's bytes produced COUNT times), or consumed (assigned like
consume-tuned) and each through AvroDeserializer (raw: consumed only).

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

# The same schema and record as bench/avro-record.tcl.
AVRO_SCHEMA = """{"type":"record","name":"Order","namespace":"bench","fields":[
    {"name":"id","type":"long"},
    {"name":"customer","type":"string"},
    {"name":"product","type":"string"},
    {"name":"quantity","type":"long"},
    {"name":"price","type":"double"},
    {"name":"created","type":"long"},
    {"name":"status","type":"string"},
    {"name":"address","type":{"type":"record","name":"Address","fields":[
        {"name":"street","type":"string"},{"name":"city","type":"string"},{"name":"zip","type":"string"}]}},
    {"name":"tags","type":{"type":"array","items":"string"}},
    {"name":"note","type":"string"}]}"""
AVRO_RECORD = {"id": 0, "customer": "customer-000042", "product": "widget, blue, large", "quantity": 3,
               "price": 19.99, "created": 1704164645678, "status": "SHIPPED",
               "address": {"street": "1 Main Street", "city": "Springfield", "zip": "12345"},
               "tags": ["red", "sale", "new"], "note": "leave at the door"}


def avro(mode, brokers, topic, count, registry, style):
    from confluent_kafka.schema_registry import SchemaRegistryClient
    from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
    from confluent_kafka.serialization import MessageField, SerializationContext

    client = SchemaRegistryClient({"url": registry})
    ctx = SerializationContext(topic, MessageField.VALUE)
    t0 = time.monotonic()
    if mode == "avro-produce":
        p = Producer({"bootstrap.servers": brokers, "linger.ms": 5})
        serializer = AvroSerializer(client, AVRO_SCHEMA)
        record = dict(AVRO_RECORD)
        value = serializer(record, ctx)
        for i in range(count):
            if style == "serde":
                record["id"] = i
                value = serializer(record, ctx)
            while True:
                try:
                    p.produce(topic, value, partition=0)
                    break
                except BufferError:
                    p.poll(0.01)
            p.poll(0)
        p.flush(120)
        return count, time.monotonic() - t0
    deserializer = AvroDeserializer(client)
    c = Consumer({"bootstrap.servers": brokers, "group.id": "pybench-%d" % time.time_ns(),
                  "enable.auto.commit": False, "queued.min.messages": 1000000})
    c.list_topics(topic, timeout=10)
    c.assign([TopicPartition(topic, 0, OFFSET_BEGINNING)])
    got = 0
    while got < count and time.monotonic() - t0 < 300:
        for m in c.consume(num_messages=10000, timeout=1):
            if m.error() is not None:
                continue
            if style == "serde":
                value = deserializer(m.value(), ctx)
                if value["id"] != m.offset():
                    sys.exit("offset %d: id %r" % (m.offset(), value["id"]))
            got += 1
    seconds = time.monotonic() - t0
    c.close()
    return got, seconds


mode, brokers, topic, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
if mode.startswith("avro-"):
    got, seconds = avro(mode, brokers, topic, count, sys.argv[5], sys.argv[6])
    print(got, "%.6f" % seconds)
elif mode == "produce":
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
