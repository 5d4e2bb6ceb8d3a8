# demo.tcl -- the main example: produce some messages and consume them back.
#
#	tclsh examples/demo.tcl ?-brokers host:port? ?-count N?
#
# With no -brokers it starts librdkafka's in-process mock cluster, so it runs
# anywhere with no Kafka installed. Run it through `tclsh build.tcl demo`,
# which builds the package first, or after `tclsh build.tcl install`.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -count 10 -topic demo}
array set opt $argv

# 1. A cluster: the user's brokers, or a mock cluster in this process.
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 1]
    $cluster create_topic $opt(-topic) 1
    set opt(-brokers) [$cluster bootstrap]
    puts "using the embedded mock cluster at $opt(-brokers)"
} else {
    puts "using Kafka at $opt(-brokers)"
}

# 2. The master holds configuration; handles connect; topics produce/consume.
::kafka::kafka create master
master config bootstrap.servers $opt(-brokers) client.id kafkatcl-demo
master decode text
master create_producer producer
master create_consumer consumer
producer new_topic out $opt(-topic)
consumer new_topic in $opt(-topic)

# 3. Produce, with keys, then wait for delivery. Delivery reports tell us
#    where our messages landed, so we read back exactly those.
set firstOffset ""
master set_delivery_report_callback {apply {{report} {
    if {[dict get $report error] ne ""} { puts "not delivered: $report"; return }
    if {$::firstOffset eq ""} { set ::firstOffset [dict get $report offset] }
}}}
for {set i 1} {$i <= $opt(-count)} {incr i} {
    out produce 0 "flight $i position [expr {$i * 1.5}]" "flight-$i"
}
puts "produced $opt(-count) messages, [producer flush 10000] still outstanding"
if {$firstOffset eq ""} { puts "nothing was delivered"; exit 1 }
in consume_start 0 $firstOffset

# 4. Consume them back in batches.
set received 0
set deadline [expr {[clock milliseconds] + 20000}]
while {$received < $opt(-count) && [clock milliseconds] < $deadline} {
    incr received [in consume_batch 0 1000 100 msg {
        puts [format "  offset %-4d key %-10s %s" $msg(offset) $msg(key) $msg(payload)]
    }]
}
puts "consumed $received of $opt(-count) messages"

master delete
if {[info exists cluster]} { $cluster delete }
exit [expr {$received == $opt(-count) ? 0 : 1}]
