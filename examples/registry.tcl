# registry.tcl -- a schema registry from Tcl: register a schema, evolve it
# (checking compatibility first), look schemas up by subject and by id,
# synchronously and from a coroutine that never blocks the event loop.
#
#	tclsh examples/registry.tcl -url http://host:port/apis/ccompat/v7
#
# Any Confluent-API registry: Confluent Schema Registry (-url is its root),
# Apicurio Registry (its /apis/ccompat/v7), Karapace, Redpanda.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-url http://127.0.0.1:8081}
array set opt $argv

kafka::registry create registry -url $opt(-url) -timeout 10000
set subject flights-[pid]-value

set v1 {{"type":"record","name":"Flight","fields":[
    {"name":"callsign","type":"string"},
    {"name":"altitude","type":"long"}]}}
# v2 adds a field with a default: readers of v2 can read v1 records.
set v2 {{"type":"record","name":"Flight","fields":[
    {"name":"callsign","type":"string"},
    {"name":"altitude","type":"long"},
    {"name":"squawk","type":"string","default":"7000"}]}}
# v3 makes squawk a number: it cannot read v2's strings, not backward compatible.
set v3 {{"type":"record","name":"Flight","fields":[
    {"name":"callsign","type":"string"},
    {"name":"squawk","type":"int"}]}}

set id1 [registry register $subject $v1]
registry config $subject BACKWARD
puts "registered $subject version 1 as id $id1, compatibility [registry config $subject]"

foreach {name schema} [list v2 $v2 v3 $v3] {
    set check [registry compatible $subject $schema -verbose]
    puts "$name compatible: [dict get $check compatible]"
    if {[dict get $check compatible]} {
        puts "registered $name as id [registry register $subject $schema]"
    }
}
# Registering v3 anyway: the registry refuses it (HTTP 409).
try {
    registry register $subject $v3
} trap {KAFKA REGISTRY 409} {message} {
    puts "v3 refused: 409"
}

# From a coroutine: -await yields to the event loop until the answer is in.
coroutine lookup apply {{subject id1} {
    set latest [registry latest $subject -await]
    puts "latest: version [dict get $latest version] id [dict get $latest id]"
    puts "versions: [registry versions $subject -await]"
    puts "schema $id1 (cached): [string length [registry schema $id1 -await]] characters"
    set ::done 1
}} $subject $id1
vwait done

puts "deleted versions: [registry delete_subject $subject]"
registry delete
