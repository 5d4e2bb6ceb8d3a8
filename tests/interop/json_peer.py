"""The python peer of tests/jsonschema.test's interop tests: confluent-kafka's
JSONSerializer / JSONDeserializer against the same broker and registry.

  json_peer.py produce BOOTSTRAP REGISTRY TOPIC SCHEMA RECORDS
      RECORDS: a JSON list of values; produced to partition 0, each
      validated by JSONSerializer and registered under TOPIC-value.
  json_peer.py consume BOOTSTRAP REGISTRY TOPIC N
      prints each value (the writer's schema from the registry, validated
      by JSONDeserializer) as JSON with sorted keys, one a line.
"""
import json
import sys

from confluent_kafka import Consumer, Producer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.serialization import MessageField, SerializationContext


def main(argv):
    mode, bootstrap, registry, topic = argv[1:5]
    client = SchemaRegistryClient({"url": registry})
    context = SerializationContext(topic, MessageField.VALUE)
    if mode == "produce":
        schema, records = argv[5], json.loads(argv[6])
        values = JSONSerializer(schema, client)
        producer = Producer({"bootstrap.servers": bootstrap})
        for value in records:
            producer.produce(topic, partition=0, value=values(value, context))
        if producer.flush(20) != 0:
            sys.exit("not all delivered")
        return
    count = int(argv[5])
    values = JSONDeserializer(None, schema_registry_client=client)
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "json-peer-" + topic,
                         "auto.offset.reset": "earliest"})
    consumer.subscribe([topic])
    got = 0
    while got < count:
        msg = consumer.poll(20)
        if msg is None:
            sys.exit("no message within 20 s")
        if msg.error():
            continue
        print(json.dumps(values(msg.value(), context), sort_keys=True, ensure_ascii=False))
        got += 1
    consumer.close()


if __name__ == "__main__":
    main(sys.argv)
