# subscriber.tcl -- the later KafkaTcl's group consumer: kafka::subscriber
# with a group id, a callback through the event loop, commit and offsets.
#
#	tclsh examples/subscriber.tcl ?-brokers host:port? ?-topic T? ?-count N?
#
# With no -brokers it starts librdkafka's in-process mock cluster.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -count 5 -topic subscriber.demo}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 1]
    $cluster create_topic $opt(-topic) 1
    set opt(-brokers) [$cluster bootstrap]
}

kafka::brokers [list $opt(-brokers)]
kafka::topic_producer out $opt(-topic)
for {set i 1} {$i <= $opt(-count)} {incr i} { out produce 0 "event $i" }
kafka::producer flush 10000

# The word is the group id; the subscriber starts at the earliest message
# where its group has no committed offset.
set group subscriber-demo-[pid]
set sub [kafka::subscriber $group -brokers [list $opt(-brokers)]]
$sub subscribe $opt(-topic)

set received 0
proc event {message} {
    if {[dict exists $message error]} { puts "error: $message"; return }
    puts "got [dict get $message payload] (offset [dict get $message offset])"
    set ::last [dict get $message offset]
    incr ::received
}
$sub callback event
after 30000 {set ::received timeout}
while {$received ne "timeout" && $received < $opt(-count)} { vwait ::received }
$sub callback ""

# Commit what we read and ask the group coordinator what it has.
$sub commit [list [list $opt(-topic) 0 [expr {$last + 1}]]]
puts "committed: [$sub offsets -committed [list $opt(-topic) 0]]"
$sub delete
exit [expr {$received == $opt(-count) ? 0 : 1}]
