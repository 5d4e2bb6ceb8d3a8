# easy-callbacks.tcl -- the later KafkaTcl's style: the easy interface's shared
# objects, a delivery report callback and a partition streamed to a callback.
#
#	tclsh examples/easy-callbacks.tcl ?-brokers host:port? ?-topic T? ?-count N?
#
# With no -brokers it starts librdkafka's in-process mock cluster.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -count 5 -topic easy.callbacks}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 1]
    $cluster create_topic $opt(-topic) 1
    set opt(-brokers) [$cluster bootstrap]
}

# kafka::brokers makes the shared master ::kafka::master; configure it before
# the producer handle is made from it.
kafka::brokers [list $opt(-brokers)]
kafka::master delivery_report callback {apply {{report} {
    puts "delivered: partition [dict get $report partition] offset [dict get $report offset]\
          key [dict get $report key] payload [dict get $report payload]"
    if {[incr ::delivered] == 1} { set ::firstOffset [dict get $report offset] }
}}}
kafka::setup_producer
kafka::producer config compression.codec lz4

kafka::topic_producer out $opt(-topic)
kafka::topic_consumer in $opt(-topic)

for {set i 1} {$i <= $opt(-count)} {incr i} {
    out produce 0 "position $i" "flight-$i"
}
# Delivery reports arrive through the event loop.
set delivered 0
after 20000 {set ::delivered timeout}
while {$delivered ne "timeout" && $delivered < $opt(-count)} { vwait ::delivered }

# Every message of partition 0 from our first one on, through the event loop.
set received 0
proc received {message} {
    puts "received: offset [dict get $message offset] [dict get $message payload]"
    incr ::received
}
in start 0 $firstOffset received
after 20000 {set ::received timeout}
while {$received ne "timeout" && $received < $opt(-count)} { vwait ::received }
in stop 0
puts "received $received of $opt(-count)"
kafka::master delete
exit [expr {$received == $opt(-count) ? 0 : 1}]
