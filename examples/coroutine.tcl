# coroutine.tcl -- a coroutine that awaits deliveries and messages without
# blocking the event loop.
#
#	tclsh examples/coroutine.tcl ?-brokers host:port?
#
# Inside a coroutine, `produce ... -await` yields until that message's
# delivery report and returns it (a failed delivery raises {KAFKA ERRNAME
# message}); `$queue next ?-timeout ms?` (or a group consumer's `next`)
# yields until a message arrives and returns its dict. The code reads as
# synchronous while everything else in the program (timers, sockets, Tk)
# keeps running.

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
consumer create_queue inbox
in consume_start_queue 0 beginning inbox

proc worker {} {
    set report [out produce -partition 0 -key greeting -await "hello from a coroutine"]
    puts "delivered: partition [dict get $report partition] offset [dict get $report offset]"

    set msg [inbox next -timeout 10000]
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
