# avro.tcl -- Tcl dicts through Kafka as Avro records in the Schema Registry
# wire format.  A kafka::serde bound to the topic ($topic serde) registers
# the schema and encodes `produce -value` on the way out; bound to the
# consumer ($handle serde), it finds the writer's schema by id and every
# message comes decoded (value, schema_id; payload keeps the bytes).  A
# record it cannot decode is that message's error, and reading goes on.
#
#	tclsh examples/avro.tcl -url http://host:port/apis/ccompat/v7 \
#	    -brokers host:port -topic flights

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-url http://127.0.0.1:8081 -brokers 127.0.0.1:9092 -topic flights}
array set opt $argv

kafka::registry create registry -url $opt(-url) -timeout 10000
kafka::serde create flights -registry registry -schema {{"type":"record",
    "name":"Flight","fields":[{"name":"callsign","type":"string"},
    {"name":"position","type":{"type":"record","name":"Position","fields":[
        {"name":"lat","type":"double"},{"name":"lon","type":"double"}]}},
    {"name":"altitude","type":"long"}]}}

set master [kafka::kafka create #auto]
$master config bootstrap.servers $opt(-brokers)
set producer [$master create_producer #auto]
set out [$producer new_topic #auto $opt(-topic)]
$out serde -value flights
foreach {callsign lat lon altitude} {KLM1 52.31 4.76 11000 AFR2 49.01 2.55 9500} {
    $out produce -partition 0 -value \
        [dict create callsign $callsign position [dict create lat $lat lon $lon] altitude $altitude]
}
# A record that does not fit the schema is refused before anything is produced.
try {
    $out produce -partition 0 -value {callsign BAD position {lat north lon 0} altitude 1}
} trap {KAFKA _VALUE_SERIALIZATION} {message} {
    puts "refused: $message"
}
# Bytes as given: a payload word is never encoded.
$out produce -partition 0 "not Avro"
$producer flush 10000
puts "subject [flights subject $opt(-topic)] has version [dict get [registry latest [flights subject $opt(-topic)]] version]"

# Read them back: the consumer's messages come decoded.
set consumer [$master create_consumer #auto]
$consumer serde -value flights
set in [$consumer new_topic #auto $opt(-topic)]
$in consume_start 0 beginning
for {set n 0} {$n < 3} {incr n} {
    if {![$in consume 0 10000 msg]} break
    if {[info exists msg(error)]} {
        puts "offset $msg(offset): $msg(error) $msg(message)"
    } else {
        puts "offset $msg(offset): schema $msg(schema_id) $msg(value)"
    }
}
$master delete
