# scale.tcl -- the scale table of issue 26: how KafkaTcl's cost grows with
# the work. Run by `tclsh build.tcl bench -scale ...`.
#
#   scale.tcl ?-broker real|mock? ?-brokers LIST? ?-count N? ?-rounds N?
#             ?-sizes LIST? ?-partitions LIST? ?-threads LIST? ?-json FILE?
#
# The grid: message sizes (-sizes, default 100 1024 65536 bytes) x
# partitions (-partitions, default 1 6 24). Each cell moves about the same
# bytes: N messages of 100 B (-count, default 2,000,000: 200 MB), as many bytes in
# 1 KiB or 64 KiB messages (at least one message per partition). Per cell:
# KafkaTcl's produce loop with a Tcl delivery callback per message, a queue's
# consume_batch and a group consumer (bench/scaleworker.tcl), and raw
# librdkafka (bench/rawbench.cpp, the physical limit). At the largest
# partition count the consumers also run in 2 and 4 Tcl threads (-threads)
# of one process, each thread with its own handle and its own partitions.
# -brokers uses a running cluster instead of starting one.
#
# Every client runs -rounds times (default 3), the order of a cell's clients
# rotated each round as in bench.tcl; each figure is the client's median
# round, with the slowest and fastest round. Results: a table on stdout and
# JSON (every round kept) in bench/results/YYYYMMDD-HHMMSS-scale-BROKER.json
# or -json FILE.

set here [file dirname [file normalize [info script]]]
set root [file dirname $here]

array set opt {-broker real -brokers {} -count 2000000 -rounds 3 -sizes {100 1024 65536}
    -partitions {1 6 24} -threads {1 2 4} -json {}}
foreach {k v} $argv {
    if {![info exists opt($k)]} {
        puts stderr "bench -scale: unknown option \"$k\"; options: [lsort [array names opt]]"
        exit 1
    }
    set opt($k) $v
}
if {$opt(-broker) ni {real mock}} {
    puts stderr "bench -scale: -broker wants real or mock, not \"$opt(-broker)\""
    exit 1
}
foreach k {-count -rounds} {
    if {![string is integer -strict $opt($k)] || $opt($k) < 1} {
        puts stderr "bench -scale: $k wants a whole number of at least 1, not \"$opt($k)\""
        exit 1
    }
}
foreach k {-sizes -partitions -threads} {
    if {![string is list $opt($k)] || ![llength $opt($k)]} {
        puts stderr "bench -scale: $k wants a list of whole numbers, not \"$opt($k)\""
        exit 1
    }
    foreach v $opt($k) {
        if {![string is integer -strict $v] || $v < 1} {
            puts stderr "bench -scale: $k wants whole numbers of at least 1, not \"$opt($k)\""
            exit 1
        }
    }
}

# Fail now rather than after the run: where the JSON goes must exist.
if {$opt(-json) ne "" && ![file writable [file dirname [file normalize $opt(-json)]]]} {
    puts stderr "bench -scale: -json: cannot write into [file dirname [file normalize $opt(-json)]]"
    exit 1
}

set libdir $env(KAFKATCL_LIBDIR)
set auto_path [linsert $auto_path 0 $libdir]
package require kafka
# Under `build.tcl test -asan` the environment preloads ASan for the Tcl
# processes: the compiler and raw C++ run without it (LeakSanitizer fails
# cc1plus, and raw C++ is not what is tested).
set plain [list env -u LD_PRELOAD -u ASAN_OPTIONS -u LSAN_OPTIONS]
set raw [file join $root build rawbench-scale]
exec {*}$plain g++ -O2 -std=c++17 -o $raw [file join $here rawbench.cpp] -lrdkafka

# ---- the cluster ---------------------------------------------------------------
if {$opt(-brokers) ne ""} {
    set brokers $opt(-brokers)
} elseif {$opt(-broker) eq "mock"} {
    set cluster [::kafka::mock create #auto -brokers 1]
    set brokers [$cluster bootstrap]
} else {
    source [file join $root tests broker.tcl]
    set brokers [::kafkatest::broker::start]
    set startedBroker 1
}
set admin [::kafka::kafka create #auto]
$admin config bootstrap.servers $brokers
$admin logger callback {apply {args {}}}
set adminHandle [$admin create_producer #auto]

proc newTopic {partitions} {
    global adminHandle cluster
    set t scale-[pid]-[incr ::seq]
    if {[info exists cluster]} {
        $cluster create_topic $t $partitions
    } else {
        $adminHandle create_topics [list [list $t $partitions 1]]
    }
    return $t
}

# ---- one run ---------------------------------------------------------------------
# Runs a command under /usr/bin/time; returns a dict: count secs cpu (the
# timed section's CPU seconds, the process's for raw C++, which does not
# measure it) cpu_process rss_mb delivered first_s.
proc run {command} {
    global env
    set env(KAFKATCL_LIBDIR) $::libdir
    set out [exec /usr/bin/time -f "TIME %e %U %S %M" {*}$command 2>@1]
    set lines [split [string trim $out] \n]
    lassign [lsearch -inline -glob $lines "TIME *"] - wall user sys rssKb
    lassign [lsearch -inline -regexp $lines {^\d+ [\d.]+}] count secs cpu delivered first
    if {$secs eq ""} { error "no result from $command:\n$out" }
    set process [expr {$user + $sys}]
    if {$cpu eq ""} { set cpu $process }
    if {$delivered eq ""} { set delivered $count }
    if {$first eq ""} { set first 0 }
    dict create count $count secs $secs cpu $cpu cpu_process $process \
        rss_mb [expr {$rssKb / 1024.0}] delivered $delivered first_s $first
}

# ---- the grid --------------------------------------------------------------------
# A job: cell size partitions client threads op command; a producer's
# command names its topic @TOPIC@ (round 1 writes the cell's topic, the one
# the consumers read; later rounds a new topic each).
set jobs {produce {} consume {}}
# Messages of SIZE bytes in a cell: as many bytes as -count x 100 B, at
# least one message per partition of the grid's largest partition count.
proc cellCount {size} {
    set maxPartitions [tcl::mathfunc::max {*}$::opt(-partitions)]
    expr {max($maxPartitions, ($::opt(-count) * 100) / $size)}
}

proc addCell {size partitions} {
    global jobs raw brokers here opt plain
    set count [cellCount $size]
    set cell ${count}x${size}B-${partitions}p
    set topic [newTopic $partitions]
    set ::cellTopic($cell) $topic
    set worker [list [info nameofexecutable] [file join $here scaleworker.tcl]]
    foreach client {kafkatcl-loop raw-c++} {
        for {set round 1} {$round <= $opt(-rounds)} {incr round} {
            lappend ::spareTopics($cell,$client) [newTopic $partitions]
        }
    }
    dict lappend jobs produce [list $cell $size $partitions kafkatcl-loop 1 \
        [list {*}$worker produce $brokers @TOPIC@ $count $size $partitions] $count]
    dict lappend jobs produce [list $cell $size $partitions raw-c++ 1 \
        [list {*}$plain $raw produce $brokers @TOPIC@ $count $size $partitions] $count]
    dict lappend jobs consume [list $cell $size $partitions raw-c++ 1 \
        [list {*}$plain $raw consume $brokers $topic $count $partitions] $count]
    # More threads only at the largest partition count: each thread has
    # partitions of its own to read.
    set maxPartitions [tcl::mathfunc::max {*}$opt(-partitions)]
    foreach threads $opt(-threads) {
        if {$threads > 1 && $partitions != $maxPartitions} continue
        if {$threads > $partitions} {
            puts "  $cell: $threads threads skipped, more than the $partitions partition(s) to share"
            continue
        }
        foreach {client style} {kafkatcl-consume_batch batch kafkatcl-group group} {
            dict lappend jobs consume [list $cell $size $partitions $client $threads \
                [list {*}$worker consume $brokers $topic $count $partitions $style $threads] $count]
        }
    }
}

# The command of JOB for ROUND: kafkatcl-loop's round 1 writes the cell's
# topic, every other producer run a topic of its own, all made before the
# first run (a topic made just before its producer starts costs the producer
# the broker's leader elections, as much as the rest at 24 partitions).
proc jobCommand {op job round} {
    lassign $job cell - partitions client - command
    if {$op ne "produce"} { return $command }
    if {$round == 1 && $client eq "kafkatcl-loop"} {
        set t $::cellTopic($cell)
    } else {
        set t [lindex $::spareTopics($cell,$client) $round-1]
    }
    return [lmap word $command {string map [list @TOPIC@ $t] $word}]
}

# The job indices, cell by cell, each cell's clients rotated by ROUND - 1,
# so no client always runs first on a cold broker (as in bench.tcl).
proc roundOrder {op round} {
    set cells [dict create]
    set i 0
    foreach job [dict get $::jobs $op] { dict lappend cells [lindex $job 0] $i; incr i }
    set order {}
    dict for {cell indices} $cells {
        set k [expr {($round - 1) % [llength $indices]}]
        lappend order {*}[lrange $indices $k end] {*}[lrange $indices 0 [expr {$k - 1}]]
    }
    return $order
}

proc runRounds {op} {
    global jobs opt
    set runs [lrepeat [llength [dict get $jobs $op]] {}]
    for {set round 1} {$round <= $opt(-rounds)} {incr round} {
        puts "  ${op}rs, round $round of $opt(-rounds)"
        foreach i [roundOrder $op $round] {
            set job [lindex [dict get $jobs $op] $i]
            set r [run [jobCommand $op $job $round]]
            if {[dict get $r count] != [lindex $job 6]} {
                error "[lrange $job 0 4] $op: [dict get $r count] of [lindex $job 6] messages"
            }
            lset runs $i end+1 $r
        }
    }
    foreach job [dict get $jobs $op] clientRuns $runs { record $op $job $clientRuns }
}

# ---- results -----------------------------------------------------------------------
set results {}

# The client's median round (by time; of an even number, the slower middle
# one) with the spread of all its rounds.
proc record {op job rounds} {
    lassign $job cell size partitions client threads - count
    set sorted [lsort -real -index 1 [lmap r $rounds {list $r [dict get $r secs]}]]
    set r [lindex $sorted [expr {[llength $sorted] / 2}] 0]
    set rates [lmap round $rounds {expr {$count / max(1e-9, [dict get $round secs])}}]
    set rate [expr {$count / max(1e-9, [dict get $r secs])}]
    dict set r cell $cell
    dict set r size $size
    dict set r partitions $partitions
    dict set r client $client
    dict set r threads $threads
    dict set r op $op
    dict set r rate $rate
    dict set r mbps [expr {$rate * $size / 1e6}]
    dict set r cpu_per_million [expr {1e6 * [dict get $r cpu] / $count}]
    dict set r rounds [lmap round $rounds {dict get $round secs}]
    dict set r round_rates $rates
    dict set r round_cpu [lmap round $rounds {dict get $round cpu}]
    dict set r min_rate [tcl::mathfunc::min {*}$rates]
    dict set r max_rate [tcl::mathfunc::max {*}$rates]
    dict set r spread_pct [expr {100.0 * ([dict get $r max_rate] - [dict get $r min_rate]) / max(1e-9, $rate)}]
    lappend ::results $r
}

proc rawRate {op cell} {
    foreach r $::results {
        if {[dict get $r op] eq $op && [dict get $r cell] eq $cell && [dict get $r client] eq "raw-c++"} {
            return [dict get $r rate]
        }
    }
    return ""
}

# The table, in Markdown (doc/benchmarks.md takes it as it is).
proc printTable {} {
    puts "| op | size | part. | client | threads | msg/s | MB/s | CPU s / M msg | rounds msg/s (spread) | x raw | 1st batch s |"
    puts "|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|"
    foreach op {produce consume} {
        foreach r $::results {
            if {[dict get $r op] ne $op} continue
            set raw [rawRate $op [dict get $r cell]]
            set ratio ""
            if {$raw ne "" && [dict get $r client] ne "raw-c++"} { set ratio [format %.2f [expr {[dict get $r rate] / $raw}]] }
            set first ""
            if {$op eq "consume" && [dict get $r client] ne "raw-c++"} { set first [format %.2f [dict get $r first_s]] }
            puts [format "| %s | %s | %d | %s | %d | %.0f | %.1f | %.2f | %.0f-%.0f (%.0f%%) | %s | %s |" \
                $op [sizeName [dict get $r size]] [dict get $r partitions] [dict get $r client] \
                [dict get $r threads] [dict get $r rate] [dict get $r mbps] [dict get $r cpu_per_million] \
                [dict get $r min_rate] [dict get $r max_rate] [dict get $r spread_pct] $ratio $first]
        }
    }
}

proc sizeName {size} {
    if {$size % 1024 == 0} { return "[expr {$size / 1024}] KiB" }
    return "$size B"
}

proc writeJson {file} {
    package require json::write
    set items {}
    foreach r $::results {
        set fields {}
        dict for {k v} $r {
            if {$k in {rounds round_rates round_cpu}} { lappend fields $k [json::write array {*}$v]; continue }
            lappend fields $k [expr {[string is double -strict $v] ? $v : [json::write string $v]}]
        }
        lappend items [json::write object {*}$fields]
    }
    set ch [open $file w]
    puts $ch [json::write object mode [json::write string scale] \
        broker [json::write string $::opt(-broker)] rounds $::opt(-rounds) \
        librdkafka [json::write string [::kafka::kafka version]] \
        machine [json::write string "[exec uname -srm], [exec nproc] cores"] \
        results [json::write array {*}$items]]
    close $ch
}

# ---- main ------------------------------------------------------------------------
puts "KafkaTcl [package require kafka] / librdkafka [::kafka::kafka version], scale table, $opt(-broker) broker at $brokers"
puts "machine: [exec uname -srm], [exec nproc] cores, load average [lrange [exec cat /proc/loadavg] 0 2]"
foreach size $opt(-sizes) {
    foreach partitions $opt(-partitions) { addCell $size $partitions }
}
set code [catch {
    runRounds produce
    runRounds consume
    printTable
    set json $opt(-json)
    if {$json eq ""} {
        file mkdir [file join $here results]
        set json [file join $here results [clock format [clock seconds] -format %Y%m%d-%H%M%S]-scale-$opt(-broker).json]
    }
    writeJson $json
    puts "results written to $json"
} message options]
$admin delete
if {[info exists cluster]} { $cluster delete }
if {[info exists startedBroker]} { ::kafkatest::broker::stop }
if {$code} {
    puts stderr $message
    exit 1
}
