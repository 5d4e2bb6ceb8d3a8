# avro.tcl -- Tcl dicts through Kafka as Avro records in the Schema Registry
# wire format: a kafka::serde registers the schema and encodes on the way
# out, and on the way in finds the writer's schema by id and decodes; a
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
foreach {callsign lat lon altitude} {KLM1 52.31 4.76 11000 AFR2 49.01 2.55 9500} {
    $out produce -partition 0 [flights serialize $opt(-topic) \
        [dict create callsign $callsign position [dict create lat $lat lon $lon] altitude $altitude]]
}
# A record that does not fit the schema is refused before anything is produced.
try {
    flights serialize $opt(-topic) {callsign BAD position {lat north lon 0} altitude 1}
} trap {KAFKA _VALUE_SERIALIZATION} {message} {
    puts "refused: $message"
}
$out produce -partition 0 "not Avro"
$producer flush 10000
puts "subject [flights subject $opt(-topic)] has version [dict get [registry latest [flights subject $opt(-topic)]] version]"

# Read them back in a coroutine: the first look-up of the writer's schema
# id yields (-await) instead of waiting.
set consumer [$master create_consumer #auto]
set in [$consumer new_topic #auto $opt(-topic)]
$in consume_start 0 beginning
coroutine reader apply {{in} {
    for {set n 0} {$n < 3} {incr n} {
        if {![$in consume 0 10000 msg]} break
        set d [flights deserialize [array get msg] -await]
        if {[dict exists $d error]} {
            puts "offset $msg(offset): [dict get $d error] [dict get $d message]"
        } else {
            puts "offset $msg(offset): schema [dict get $d schema_id] [dict get $d value]"
        }
    }
    set ::done 1
}} $in
# The coroutine may have finished already (every look-up was cached).
if {![info exists done]} { vwait done }
$master delete
