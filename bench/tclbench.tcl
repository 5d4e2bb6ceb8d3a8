# tclbench.tcl -- the KafkaTcl side of `tclsh build.tcl bench`; one workload
# per process so CPU time and peak RSS are its own.
#
#   tclbench.tcl produce BROKERS TOPIC COUNT SIZE PARTITIONS loop|loop-nocb|batch
#   tclbench.tcl consume BROKERS TOPIC COUNT PARTITIONS batch|group
#   tclbench.tcl latency BROKERS TOPIC COUNT RATE
#   tclbench.tcl avro-produce BROKERS TOPIC COUNT REGISTRY serde|raw
#   tclbench.tcl avro-consume BROKERS TOPIC COUNT REGISTRY serde|raw
#
# The Avro modes: the 10-field record of bench/avro-record.tcl, with a new
# id each, produced with `produce -value` through a kafka::serde bound to
# the topic (raw: the bytes of one record serialized once, produced COUNT
# times: what the serde costs); consumed with a queue's consume_batch, the
# serde bound so each message comes decoded (raw: consumed only).
# REGISTRY: the Confluent-API URL.
#
# Prints "<messages> <seconds>" (latency: "<messages> <p50 ms> <p99 ms>").

if {[info exists env(KAFKATCL_LIBDIR)]} { set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)] }
package require kafka

lassign $argv mode brokers topic count
set m [::kafka::kafka create #auto]
$m config bootstrap.servers $brokers
$m logger callback {apply {args {}}}

proc now {} { expr {[clock microseconds] / 1e6} }

# One produce call per message, as a user's loop would be (inside a proc,
# so Tcl compiles it).
proc produceLoop {p t payload count partitions} {
    for {set i 0} {$i < $count} {incr i} {
        if {[catch {$t produce [expr {$i % $partitions}] $payload}]} {
            # _QUEUE_FULL: wait up to 10 ms for deliveries (serving their
            # reports), then retry; as python's produce loop does with poll(0.01)
            $p flush 10
            incr i -1
        }
    }
}

# produce_batch in chunks of 10,000 messages, one partition per chunk.
proc produceBatch {t payload count partitions} {
    set chunk [lrepeat 10000 [list $payload]]
    for {set sent 0} {$sent < $count} {} {
        set n [expr {min(10000, $count - $sent)}]
        set part [expr {$partitions > 1 ? ($sent / 10000) % $partitions : 0}]
        incr sent [$t produce_batch $part [lrange $chunk 0 $n-1] -timeout 30000]
    }
}

# COUNT Avro records to partition 0 of TOPIC; produce retried on _QUEUE_FULL.
# serde: the serde bound to the topic, each record written by produce -value
# (the way a user writes it); raw: the bytes of one record, serialized once.
proc produceAvro {p t serde topic record count style} {
    if {$style eq "serde"} {
        $t serde -value $serde
        for {set i 0} {$i < $count} {incr i} {
            dict set record id $i
            while {[catch {$t produce -partition 0 -value $record} err opts]} { queueFull $p $err $opts }
        }
        return
    }
    set bytes [$serde serialize $topic $record]
    for {set i 0} {$i < $count} {incr i} {
        while {[catch {$t produce 0 $bytes} err opts]} { queueFull $p $err $opts }
    }
}

# Waits up to 10 ms for deliveries after _QUEUE_FULL; any other error is raised.
proc queueFull {p err opts} {
    if {[lindex [dict get $opts -errorcode] 1] ne "_QUEUE_FULL"} { return -options $opts $err }
    $p flush 10
}

# Consumes COUNT messages of TOPIC's partition 0 (serde: with the serde
# bound to the topic, so each message comes decoded; its value's id checked
# so a decode cannot be skipped; raw: consumed only).
proc consumeAvro {c topic count serde style} {
    if {$style eq "serde"} { $c serde -topic $topic -value $serde }
    set t [$c new_topic #auto $topic]
    set q [$c create_queue #auto]
    $t consume_start_queue 0 beginning $q
    set got 0
    set t0 [now]
    if {$style eq "serde"} {
        while {$got < $count && [now] - $t0 < 300} {
            incr got [$q consume_batch 1000 10000 msg {
                if {[info exists msg(error)]} { error "offset $msg(offset): $msg(message)" }
                if {[dict get $msg(value) id] != $msg(offset)} { error "offset $msg(offset): [dict get $msg(value) id]" }
            }]
        }
    } else {
        while {$got < $count && [now] - $t0 < 300} {
            incr got [$q consume_batch 1000 10000 msg {}]
        }
    }
    return $got
}

switch -- $mode {
    avro-produce - avro-consume {
        lassign [lrange $argv 4 end] registry style
        source [file join [file dirname [info script]] avro-record.tcl]
        set reg [::kafka::registry create #auto -url $registry]
        set t0 [now]
        if {$mode eq "avro-produce"} {
            $m config linger.ms 5
            set p [$m create_producer #auto]
            set t [$p new_topic #auto $topic]
            kafka::serde create ::serde -registry $reg -schema $::avroSchema
            produceAvro $p $t ::serde $topic $::avroRecord $count $style
            $p flush 120000
            set got $count
        } else {
            $m headers off
            kafka::serde create ::serde -registry $reg
            set got [consumeAvro [$m create_consumer #auto] $topic $count ::serde $style]
        }
        puts "$got [format %.6f [expr {[now] - $t0}]]"
    }
    produce {
        lassign [lrange $argv 4 end] size partitions style
        $m config linger.ms 5
        set ::delivered 0
        if {$style eq "loop"} {
            # A Tcl callback for every delivery report.
            proc delivered {report} { incr ::delivered }
            $m set_delivery_report_callback delivered
        }
        set p [$m create_producer #auto]
        set t [$p new_topic #auto $topic]
        set payload [string repeat x $size]
        set t0 [now]
        if {$style eq "batch"} {
            produceBatch $t $payload $count $partitions
        } else {
            produceLoop $p $t $payload $count $partitions
        }
        $p flush 120000
        puts "$count [format %.6f [expr {[now] - $t0}]]"
    }
    consume {
        lassign [lrange $argv 4 end] partitions style
        # Nobody reads headers here; kcat (its default format) and
        # confluent-kafka-python (lazily) do not parse them either.
        $m headers off
        set got 0
        set t0 [now]
        if {$style eq "group"} {
            $m config group.id bench-[pid] auto.offset.reset earliest enable.auto.commit false
            set c [$m create_consumer #auto]
            $c subscribe [list $topic]
            while {$got < $count && [now] - $t0 < 120} {
                incr got [$c consume_batch 1000 10000 msg {}]
            }
        } else {
            set c [$m create_consumer #auto]
            set t [$c new_topic #auto $topic]
            set q [$c create_queue #auto]
            for {set p 0} {$p < $partitions} {incr p} { $t consume_start_queue $p beginning $q }
            while {$got < $count && [now] - $t0 < 120} {
                incr got [$q consume_batch 1000 10000 msg {}]
            }
        }
        puts "$got [format %.6f [expr {[now] - $t0}]]"
    }
    latency {
        lassign [lrange $argv 4 end] rate
        set p [$m create_producer #auto]
        set t [$p new_topic #auto $topic]
        $m config group.id lat-[pid] auto.offset.reset latest
        set c [$m create_consumer #auto]
        set tc [$c new_topic #auto $topic]
        $tc consume_start 0 end
        $tc consume 0 1000 warm
        set ::lat {}
        $tc consume_callback 0 {apply {{msg} {
            lappend ::lat [expr {([clock microseconds] - [dict get $msg payload]) / 1000.0}]
            if {[llength $::lat] >= $::count} { set ::done 1 }
        }}}
        set interval [expr {max(1, 1000 / $rate)}]
        proc send {n} {
            global t interval
            if {$n <= 0} return
            $t produce 0 [clock microseconds]
            after $interval [list send [expr {$n - 1}]]
        }
        send $count
        after 60000 {set ::done 1}
        vwait ::done
        set sorted [lsort -real $::lat]
        set n [llength $sorted]
        puts "$n [lindex $sorted [expr {$n / 2}]] [lindex $sorted [expr {int($n * 0.99)}]]"
    }
}
$m delete
