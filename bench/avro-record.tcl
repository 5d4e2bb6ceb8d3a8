# avro-record.tcl -- the record of the bench's Avro rows (issue 25): ten
# fields (strings, longs, a double, a nested record, an array), about 120
# bytes encoded.  bench/pybench.py has the same schema and record (keep
# them equal).

set ::avroSchema {{"type":"record","name":"Order","namespace":"bench","fields":[
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
    {"name":"note","type":"string"}]}}

set ::avroRecord {id 0 customer customer-000042 product {widget, blue, large} quantity 3 price 19.99
    created 1704164645678 status SHIPPED address {street {1 Main Street} city Springfield zip 12345}
    tags {red sale new} note {leave at the door}}
