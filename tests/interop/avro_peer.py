"""The python peer of tests/serde.test's interop tests: confluent-kafka's
AvroSerializer / AvroDeserializer against the same broker and registry.

  avro_peer.py produce BOOTSTRAP REGISTRY TOPIC KEYSCHEMA VALUESCHEMA RECORDS
      RECORDS: a JSON list of [key, value]; produced to partition 0.
  avro_peer.py consume BOOTSTRAP REGISTRY TOPIC N [READERSCHEMA]
      prints each message's key and value as a Tcl list, one a line.
"""
import json
import re
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def tcl(value):
    """VALUE as Tcl text: dicts and lists as braced lists, null as {}."""
    if value is None:
        return "{}"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + " ".join(tcl(k) + " " + tcl(v) for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "{" + " ".join(tcl(v) for v in value) + "}"
    if isinstance(value, bytes):
        return "{" + value.hex() + "}"
    text = str(value)
    if re.fullmatch(r'[^\s{}\\\[\]$";]+', text):
        return text
    return "{" + text + "}" if text else "{}"


def main(argv):
    mode, bootstrap, registry, topic = argv[1:5]
    client = SchemaRegistryClient({"url": registry})
    if mode == "produce":
        key_schema, value_schema, records = argv[5], argv[6], json.loads(argv[7])
        keys = AvroSerializer(client, key_schema)
        values = AvroSerializer(client, value_schema)
        producer = Producer({"bootstrap.servers": bootstrap})
        for key, value in records:
            producer.produce(topic, partition=0,
                             key=keys(key, SerializationContext(topic, MessageField.KEY)),
                             value=values(value, SerializationContext(topic, MessageField.VALUE)))
        if producer.flush(20) != 0:
            sys.exit("not all delivered")
        return
    count = int(argv[5])
    reader = argv[6] if len(argv) > 6 else None
    keys = AvroDeserializer(client)
    values = AvroDeserializer(client, reader)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "avro-peer-" + topic,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    got = 0
    while got < count:
        msg = consumer.poll(20)
        if msg is None:
            sys.exit("no message within 20 s")
        if msg.error():
            continue
        key = keys(msg.key(), SerializationContext(topic, MessageField.KEY))
        value = values(msg.value(), SerializationContext(topic, MessageField.VALUE))
        print(tcl(key) + " " + tcl(value))
        got += 1
    consumer.close()


if __name__ == "__main__":
    main(sys.argv)
