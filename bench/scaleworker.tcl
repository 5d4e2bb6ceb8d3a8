# scaleworker.tcl -- the KafkaTcl side of `tclsh build.tcl bench -scale`
# (bench/scale.tcl): one cell of the scale table per process.
#
#   scaleworker.tcl produce BROKERS TOPIC COUNT SIZE PARTITIONS
#   scaleworker.tcl consume BROKERS TOPIC COUNT PARTITIONS batch|group THREADS
#
# produce: a produce loop with a Tcl delivery callback for every message,
# message i to partition i % PARTITIONS (as bench/tclbench.tcl's "loop").
# consume: THREADS Tcl threads (package Thread) in this process, each with
# its own handle: "batch" gives thread k the partitions p with
# p % THREADS == k, each read from the beginning through one queue's
# consume_batch; "group" makes every thread a member of one consumer group
# (subscribe), the group assigning the partitions. Empty bodies, headers off.
#
# Prints "<messages> <seconds> <cpu seconds> <delivered> <first seconds>":
# seconds and cpu seconds (the process's user+sys from /proc/self/stat, all
# threads) are measured around the timed section only, from before the
# handles connect to the last message (the group join included); delivered
# counts messages a group member was given again after a rebalance; first is
# when the first consume_batch with messages returned, from the start: the
# start (for a group: its join) and up to one batch (10,000 messages).

if {[info exists env(KAFKATCL_LIBDIR)]} { set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)] }
package require kafka

proc now {} { expr {[clock microseconds] / 1e6} }

# The process's CPU seconds so far, user+sys of all its threads (fields 14
# and 15 of /proc/self/stat, in clock ticks of 1/100 s on Linux).
proc cpuSeconds {} {
    set f [open /proc/self/stat]
    set stat [read $f]
    close $f
    # The fields after the command name, which is in parentheses: utime is
    # the 14th field of the line, the 12th after the name.
    set rest [string range $stat [string last ")" $stat]+2 end]
    expr {([lindex $rest 11] + [lindex $rest 12]) / 100.0}
}

proc master {brokers} {
    set m [::kafka::kafka create #auto]
    $m config bootstrap.servers $brokers
    $m logger callback {apply {args {}}}
    return $m
}

# Produces COUNT messages of SIZE bytes, a Tcl delivery callback for each;
# _QUEUE_FULL waits up to 10 ms for deliveries, then retries.
proc produceCell {brokers topic count size partitions} {
    set m [master $brokers]
    $m config linger.ms 5
    set ::delivered 0
    proc delivered {report} { incr ::delivered }
    $m set_delivery_report_callback delivered
    set payload [string repeat x $size]
    set p [$m create_producer #auto]
    set t [$p new_topic #auto $topic]
    # The clock starts here, as raw C++'s does: after the handle and the
    # topic object are made, before the first produce (and connection).
    set cpu0 [cpuSeconds]
    set t0 [now]
    produceLoop $p $t $payload $count $partitions
    $p flush 120000
    set secs [expr {[now] - $t0}]
    set cpu [expr {[cpuSeconds] - $cpu0}]
    if {$::delivered != $count} { error "$::delivered of $count delivery reports" }
    puts "$count [format %.6f $secs] [format %.2f $cpu] $count 0"
    $m delete
}

proc produceLoop {p t payload count partitions} {
    for {set i 0} {$i < $count} {incr i} {
        if {[catch {$t produce [expr {$i % $partitions}] $payload} err opts]} {
            if {[lindex [dict get $opts -errorcode] 1] ne "_QUEUE_FULL"} { return -options $opts $err }
            $p flush 10
            incr i -1
        }
    }
}

# ---- the consumer threads ------------------------------------------------------
# Each thread's script: `prepare` makes its handle's master before the clock
# starts; `run` is the timed part and returns {got delivered first end}.
set threadScript {
    proc now {} { expr {[clock microseconds] / 1e6} }


    proc prepare {autoPath brokers style group count partitions} {
        set ::auto_path $autoPath
        set ::count $count
        set ::partitions $partitions
        package require kafka
        package require Thread
        set ::m [::kafka::kafka create #auto]
        $::m config bootstrap.servers $brokers
        $::m logger callback {apply {args {}}}
        $::m headers off
        if {$style eq "group"} {
            $::m config group.id $group auto.offset.reset earliest enable.auto.commit false
        }
    }

    # batch: this thread's partitions through one queue, until it has the
    # EXPECTED messages they hold.
    proc runBatch {topic mine expected} {
        set c [$::m create_consumer #auto]
        set t [$c new_topic #auto $topic]
        set q [$c create_queue #auto]
        foreach p $mine { $t consume_start_queue $p beginning $q }
        set got 0
        set first ""
        set deadline [expr {[now] + 120}]
        while {$got < $expected && [now] < $deadline} {
            # Never more than are left: consume_batch waits for a full batch.
            set n [$q consume_batch 1000 [expr {min(10000, $expected - $got)}] msg {}]
            if {$n && $first eq ""} { set first [now] }
            incr got $n
        }
        return [list $got $got $first [now]]
    }

    # group: a member of the group, until the members' positions together
    # reach COUNT (each message once; one given again after a rebalance is
    # counted in delivered only). The position of every partition is kept in
    # tsv array scale, the sum of them in scale(total).
    proc runGroup {topic count} {
        set c [$::m create_consumer #auto]
        $c subscribe [list $topic]
        set delivered 0
        set first ""
        set deadline [expr {[now] + 120}]
        while {[tsv::get scale total] < $count && [now] < $deadline} {
            set n [$c consume_batch 100 [leftInAssignment $c] msg {}]
            if {!$n} continue
            if {$first eq ""} { set first [now] }
            incr delivered $n
            notePositions [$c position] $count
        }
        return [list [tsv::get scale total] $delivered $first [tsv::get scale end]]
    }

    # How many messages to ask for: what is left in this member's partitions
    # (at most 10,000), as consume_batch waits until it has as many as asked
    # for or the timeout; 1 before the group has assigned it any.
    proc leftInAssignment {c} {
        set left 0
        foreach tpo [$c position] {
            lassign $tpo - partition offset
            incr left [expr {[partitionCount $::count $::partitions $partition] - max(0, $offset)}]
        }
        expr {min(10000, max(1, $left))}
    }

    proc notePositions {positions count} {
        tsv::lock scale {
            foreach tpo $positions {
                lassign $tpo - partition offset
                set was [expr {[tsv::exists scale $partition] ? [tsv::get scale $partition] : 0}]
                if {$offset <= $was} continue
                tsv::set scale $partition $offset
                if {[tsv::incr scale total [expr {$offset - $was}]] >= $count && [tsv::get scale end] == 0} {
                    tsv::set scale end [now]
                }
            }
        }
    }
}


# Messages in partition P of a topic produced with message i to
# i % PARTITIONS (the main thread's and every consumer thread's).
set partitionCount {
    proc partitionCount {count partitions p} {
        expr {$count / $partitions + ($p < $count % $partitions)}
    }
}
eval $partitionCount

proc consumeCell {brokers topic count partitions style threads} {
    package require Thread
    tsv::set scale total 0
    tsv::set scale end 0
    set workers {}
    for {set k 0} {$k < $threads} {incr k} {
        set w [thread::create -joinable]
        thread::send $w $::threadScript
        thread::send $w $::partitionCount
        thread::send $w [list prepare $::auto_path $brokers $style scale-[pid] $count $partitions]
        lappend workers $w
    }
    set cpu0 [cpuSeconds]
    set t0 [now]
    set k 0
    foreach w $workers {
        if {$style eq "group"} {
            set command [list runGroup $topic $count]
        } else {
            set mine {}
            set expected 0
            for {set p $k} {$p < $partitions} {incr p $threads} {
                lappend mine $p
                incr expected [partitionCount $count $partitions $p]
            }
            set command [list runBatch $topic $mine $expected]
        }
        thread::send -async $w $command ::result($k)
        incr k
    }
    for {set k 0} {$k < $threads} {incr k} {
        if {![info exists ::result($k)]} { vwait ::result($k) }
    }
    set cpu [expr {[cpuSeconds] - $cpu0}]
    report $t0 $cpu $style
    foreach w $workers { thread::send $w {$::m delete}; thread::release $w }
}

# Prints the cell's line from the threads' results (::result(k)).
proc report {t0 cpu style} {
    set got 0
    set delivered 0
    set firsts {}
    set ends {}
    foreach k [lsort -integer [array names ::result]] {
        lassign $::result($k) g d first end
        if {$style eq "group"} { set got $g } else { incr got $g }
        incr delivered $d
        if {$first ne ""} { lappend firsts $first }
        if {$end ne "" && $end > 0} { lappend ends $end }
    }
    set end [expr {[llength $ends] ? [tcl::mathfunc::max {*}$ends] : [now]}]
    set first [expr {[llength $firsts] ? [tcl::mathfunc::min {*}$firsts] - $t0 : 0}]
    puts "$got [format %.6f [expr {$end - $t0}]] [format %.2f $cpu] $delivered [format %.3f $first]"
}

lassign $argv mode brokers topic count
switch -- $mode {
    produce {
        lassign [lrange $argv 4 end] size partitions
        produceCell $brokers $topic $count $size $partitions
    }
    consume {
        lassign [lrange $argv 4 end] partitions style threads
        consumeCell $brokers $topic $count $partitions $style $threads
    }
    default { error "usage: scaleworker.tcl produce|consume ..." }
}
