# coroutine.tcl -- a coroutine that waits for deliveries and messages without
# blocking the event loop.
#
#	tclsh examples/coroutine.tcl ?-brokers host:port?
#
# The pattern: a callback resumes the coroutine (`after 0 [info coroutine]`
# style), and the coroutine `yield`s until it is resumed. Everything else in
# the program (timers, sockets, Tk) keeps running meanwhile.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -topic coro}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto]
    $cluster create_topic $opt(-topic) 1
    set opt(-brokers) [$cluster bootstrap]
}

::kafka::kafka create master
master config bootstrap.servers $opt(-brokers)
master create_producer producer
master create_consumer consumer
producer new_topic out $opt(-topic)
consumer new_topic in $opt(-topic)
in consume_start 0 beginning


proc worker {} {
    # Deliveries: the delivery report callback resumes us.
    master set_delivery_report_callback [list apply {{coro report} {$coro $report}} [info coroutine]]
    out produce 0 "hello from a coroutine" greeting
    set report [yield]
    puts "delivered: partition [dict get $report partition] offset [dict get $report offset]"
    master set_delivery_report_callback ""

    # Messages: an asynchronous consume_callback resumes us.
    in consume_callback 0 [list apply {{coro msg} {$coro $msg}} [info coroutine]]
    set msg [yield]
    in consume_callback 0 ""
    puts "received: [dict get $msg payload] (key [dict get $msg key])"
    set ::done 1
}

# A ticker shows the event loop is not blocked while the coroutine waits.
proc tick {} { incr ::ticks; after 10 tick }
tick

coroutine kafkaWorker worker
vwait ::done
puts "event loop ran $::ticks timer ticks meanwhile"
master delete
if {[info exists cluster]} { $cluster delete }
