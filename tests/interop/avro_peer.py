"""The python peer of tests/serde.test's interop tests: confluent-kafka's
AvroSerializer / AvroDeserializer against the same broker and registry.

  avro_peer.py produce BOOTSTRAP REGISTRY TOPIC KEYSCHEMA VALUESCHEMA RECORDS
      RECORDS: a JSON list of [key, value]; produced to partition 0.
  avro_peer.py consume BOOTSTRAP REGISTRY TOPIC N [READERSCHEMA]
      prints each message's key and value as a Tcl list, one a line.
  avro_peer.py check BOOTSTRAP REGISTRY TOPIC EXPECTED [READERSCHEMA]
      EXPECTED: a JSON list of [key, value]; reads as many messages and
      prints "ok" for each equal to its [key, value], else "differs" and
      both in tagged JSON, one a line.

In RECORDS and EXPECTED, values python's Avro serde gives as objects are
tagged JSON objects: {"$bytes": HEX}, {"$ts": ISO-8601 datetime},
{"$date": "YYYY-MM-DD"}, {"$uuid": TEXT}, {"$decimal": TEXT} (compared
with its scale: 1.50 is not 1.5).
"""
import datetime
import decimal
import json
import re
import sys
import uuid

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


def from_tagged(value):
    """Tagged JSON (see above) -> the objects fastavro writes and reads."""
    if isinstance(value, list):
        return [from_tagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, text), = value.items()
        if tag == "$bytes":
            return bytes.fromhex(text)
        if tag == "$ts":
            return datetime.datetime.fromisoformat(text)
        if tag == "$date":
            return datetime.date.fromisoformat(text)
        if tag == "$uuid":
            return uuid.UUID(text)
        if tag == "$decimal":
            return decimal.Decimal(text)
    return {k: from_tagged(v) for k, v in value.items()}


def to_tagged(value):
    """fastavro's objects -> tagged JSON (the inverse of from_tagged)."""
    if isinstance(value, (bytes, bytearray)):
        return {"$bytes": bytes(value).hex()}
    if isinstance(value, datetime.datetime):
        return {"$ts": value.astimezone(datetime.timezone.utc).isoformat()}
    if isinstance(value, datetime.date):
        return {"$date": value.isoformat()}
    if isinstance(value, uuid.UUID):
        return {"$uuid": str(value)}
    if isinstance(value, decimal.Decimal):
        return {"$decimal": format(value, "f")}
    if isinstance(value, (list, tuple)):
        return [to_tagged(v) for v in value]
    if isinstance(value, dict):
        return {k: to_tagged(v) for k, v in value.items()}
    return value


def canonical(value):
    """Tagged JSON text to compare by: bool is not int, 1.0 is not 1."""
    return json.dumps(to_tagged(value), sort_keys=True, ensure_ascii=True)


def main(argv):
    mode, bootstrap, registry, topic = argv[1:5]
    client = SchemaRegistryClient({"url": registry})
    if mode == "produce":
        key_schema, value_schema, records = argv[5], argv[6], json.loads(argv[7])
        keys = AvroSerializer(client, key_schema)
        values = AvroSerializer(client, value_schema)
        producer = Producer({"bootstrap.servers": bootstrap})
        for key, value in from_tagged(records):
            producer.produce(topic, partition=0,
                             key=keys(key, SerializationContext(topic, MessageField.KEY)),
                             value=values(value, SerializationContext(topic, MessageField.VALUE)))
        if producer.flush(20) != 0:
            sys.exit("not all delivered")
        return
    if mode == "check":
        expected = from_tagged(json.loads(argv[5]))
        count = len(expected)
    else:
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
        if mode == "check":
            want = expected[got]
            if canonical([key, value]) == canonical(want):
                print("ok")
            else:
                print("differs: got " + canonical([key, value]) + " want " + canonical(want))
        else:
            print(tcl(key) + " " + tcl(value))
        got += 1
    consumer.close()


if __name__ == "__main__":
    main(sys.argv)
