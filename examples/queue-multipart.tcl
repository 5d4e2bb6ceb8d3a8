# queue-multipart.tcl -- the later KafkaTcl's style: several partitions of a
# topic routed into one queue, whose callback gets every message.
#
#	tclsh examples/queue-multipart.tcl ?-brokers host:port? ?-topic T? ?-partitions N?
#
# With no -brokers it starts librdkafka's in-process mock cluster.  On your
# own cluster the topic must have at least -partitions partitions.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -partitions 4 -topic queue.multipart}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 1]
    $cluster create_topic $opt(-topic) $opt(-partitions)
    set opt(-brokers) [$cluster bootstrap]
}
kafka::brokers [list $opt(-brokers)]

# One message per partition, each remembered by its offset.
kafka::topic_producer out $opt(-topic)
for {set p 0} {$p < $opt(-partitions)} {incr p} {
    out produce $p "hello from partition $p"
}
kafka::producer flush 10000

# The queue's callback gets the messages of all the partitions routed to it.
kafka::setup_consumer
kafka::consumer create_queue inbox
kafka::topic_consumer in $opt(-topic)
set seen {}
proc arrived {message} {
    dict with message {
        if {[string match "hello from partition *" $payload]} {
            puts "partition $partition offset $offset: $payload"
            dict set ::seen $partition 1
        }
    }
}
inbox consume_callback arrived
for {set p 0} {$p < $opt(-partitions)} {incr p} {
    in start_queue $p beginning inbox
}
set deadline [expr {[clock milliseconds] + 20000}]
while {[dict size $seen] < $opt(-partitions) && [clock milliseconds] < $deadline} {
    after 100 {set ::tick 1}
    vwait ::tick
}
puts "messages from [dict size $seen] of $opt(-partitions) partitions, current callback: [inbox consume_callback]"
inbox consume_callback ""
kafka::master delete
exit [expr {[dict size $seen] == $opt(-partitions) ? 0 : 1}]
