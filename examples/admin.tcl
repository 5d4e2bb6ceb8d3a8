# admin.tcl -- managing a cluster from Tcl: topics, configs, records,
# consumer groups, and cluster metadata.
#
#	tclsh examples/admin.tcl -brokers host:port
#
# Needs a real broker (librdkafka 2.0.2's mock cluster has no controller,
# so it cannot create topics through the admin API).

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers 127.0.0.1:9092 -topic admin-example}
array set opt $argv

::kafka::kafka create master
master config bootstrap.servers $opt(-brokers)
set admin [master create_producer #auto]
set topic $opt(-topic)-[pid]

puts "cluster: [$admin info cluster]"

# Create a topic with 3 partitions and a retention setting; each topic in a
# batch gets its own result.
set result [$admin create_topics [list [list $topic 3 1 {retention.ms 3600000}]]]
puts "create_topics: $result"
if {[dict get $result $topic error] ne ""} { exit 1 }

# Metadata may take a moment to reach every broker.
set deadline [expr {[clock milliseconds] + 10000}]
while {[catch {$admin info topic $topic} partitions] && [clock milliseconds] < $deadline} { after 100 }
foreach p $partitions {
    puts [format "  partition %d leader %d replicas %s isr %s" \
        [dict get $p partition] [dict get $p leader] [dict get $p replicas] [dict get $p isr]]
}

# Read and change a configuration value.
set described [$admin describe_configs [list [list topic $topic]]]
set before [dict get $described "TOPIC $topic" configs retention.ms]
$admin alter_configs [list [list topic $topic {retention.ms 7200000}]]
# The brokers apply a change shortly after acknowledging it (a KRaft cluster
# spreads it through its metadata log): read until it shows, for up to 10 s.
set deadline [expr {[clock milliseconds] + 10000}]
while {[set after [dict get [$admin describe_configs [list [list topic $topic]]] "TOPIC $topic" configs retention.ms]] ne 7200000
       && [clock milliseconds] < $deadline} { after 100 }
puts "retention.ms: $before -> $after"

# Grow the topic, write some records, then delete the first two.
$admin create_partitions [list [list $topic 4]]
set t [$admin new_topic #auto $topic]
foreach v {a b c d} { $t produce 0 $v }
$admin flush 10000
puts "watermarks before delete_records: [$admin info watermarks $topic 0]"
$admin delete_records [list [list $topic 0 2]]
puts "watermarks after:                 [$admin info watermarks $topic 0]"

# Consumer groups, asynchronously: the answer arrives through the event loop.
$admin list_groups -command {apply {{answer} {
    puts "groups: [llength [dict get $answer result]] on the cluster"
    set ::listed 1
}}}
vwait ::listed

puts "delete_topics: [$admin delete_topics [list $topic]]"
master delete
