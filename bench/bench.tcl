# bench.tcl -- KafkaTcl against kcat, confluent-kafka-python and raw
# librdkafka, in one run, on one broker. Run by `tclsh build.tcl bench`.
#
#   bench.tcl ?-broker real|mock? ?-count N? ?-size BYTES? ?-rounds N? ?-quick? ?-rss?
#             ?-avro-count N? ?-only plain|avro?
#
# Workloads: COUNT x SIZE to one partition (default 1,000,000 x 100 B);
# COUNT/5 x 1 KiB over 6 partitions; end-to-end latency at 1000 msg/s;
# the Avro rows (issue 25): AVRO-COUNT records (default COUNT) of a
# 10-field record through kafka::serde and confluent-kafka-python's
# AvroSerializer/AvroDeserializer, against a registry this script starts
# (tests/registry.tcl), and the same bytes produced and consumed raw.
# -only runs just the plain workloads (and the latency) or just the Avro rows.
# Each client runs in its own process under /usr/bin/time, for its CPU
# seconds and peak RSS. Every client runs -rounds times, the order rotated
# each round (see runRounds). Results: a table on stdout, a JSON file in
# bench/results/ and a PNG chart beside it (bench/chart.tcl, gnuplot).

set here [file dirname [file normalize [info script]]]
set root [file dirname $here]
source [file join $root tests broker.tcl]

array set opt {-broker real -count 1000000 -size 100 -quick 0 -rss 0 -rounds 3 -only {}}
foreach {k v} $argv {
    if {$k eq "-quick"} { set opt(-quick) 1; set opt(-count) 100000; continue }
    if {$k eq "-rss"} { set opt(-rss) 1; continue }
    set opt($k) $v
}
if {[lindex $argv end] eq "-quick"} { set opt(-quick) 1; set opt(-count) 100000 }
if {![info exists opt(-avro-count)]} { set opt(-avro-count) $opt(-count) }
if {![string is integer -strict $opt(-rounds)] || $opt(-rounds) < 1} {
    puts stderr "bench: -rounds wants a whole number of at least 1, not \"$opt(-rounds)\""
    exit 1
}
set runPlain [expr {$opt(-only) ne "avro"}]
set runAvro [expr {$opt(-only) ne "plain" && $opt(-broker) ne "mock"}]

set libdir $env(KAFKATCL_LIBDIR)
set raw [file join $root build rawbench]
exec g++ -O2 -std=c++17 -o $raw [file join $here rawbench.cpp] -lrdkafka

set auto_path [linsert $auto_path 0 $libdir]
package require kafka

# ---- the cluster ----------------------------------------------------------
if {$opt(-broker) eq "mock"} {
    set cluster [::kafka::mock create #auto -brokers 1]
    set brokers [$cluster bootstrap]
} else {
    set brokers [::kafkatest::broker::start]
}
set admin [::kafka::kafka create #auto]
$admin config bootstrap.servers $brokers
$admin logger callback {apply {args {}}}
set adminHandle [$admin create_producer #auto]

set seq 0
proc newTopic {partitions} {
    global adminHandle cluster seq
    set t bench-[pid]-[incr seq]
    if {[info exists cluster]} {
        $cluster create_topic $t $partitions
    } else {
        $adminHandle create_topics [list [list $t $partitions 1]]
    }
    return $t
}

# Runs a bench command under /usr/bin/time; returns dict count secs cpu rss.
proc run {args} {
    global env
    set env(KAFKATCL_LIBDIR) $::libdir
    set out [exec /usr/bin/time -f "TIME %e %U %S %M" {*}$args 2>@1]
    set lines [split [string trim $out] \n]
    set timeLine [lsearch -inline -glob $lines "TIME *"]
    lassign $timeLine - wall user sys rssKb
    set result [lsearch -inline -regexp $lines {^\d+ [\d.]+}]
    lassign $result count secs
    if {$secs eq ""} { set secs $wall }
    return [dict create count $count secs $secs cpu [expr {$user + $sys}] rss [expr {$rssKb / 1024.0}] wall $wall extra [lrange $result 2 end]]
}

# kcat reads one message per line from a file.
proc kcatInput {count size} {
    set f [file join [file dirname $::raw] kcat-$count-$size.txt]
    if {![file exists $f]} {
        set ch [open $f w]
        fconfigure $ch -buffersize 1000000
        set line [string repeat x $size]
        for {set i 0} {$i < $count} {incr i} { puts $ch $line }
        close $ch
    }
    return $f
}

# ---- the Avro rows' registry and python ------------------------------------------
# The python peer is the venv serde.test makes (.cache/pyvenv, confluent-kafka
# with fastavro: its wheel brings its own librdkafka, newer than Debian's).
proc avroPython {} {
    set python [file join $::root .cache pyvenv bin python3]
    set probe "from confluent_kafka.schema_registry.avro import AvroSerializer"
    if {[catch {
        if {![file executable $python]} { exec python3 -m venv [file dirname [file dirname $python]] 2>@1 }
        if {[catch {exec $python -c $probe}]} {
            exec timeout 300 [file join [file dirname $python] pip] install -q "confluent-kafka\[avro,schemaregistry\]" 2>@1
        }
        exec $python -c $probe
    } message]} {
        puts "  python-avro: skipped (no .cache/pyvenv with confluent-kafka\[avro,schemaregistry\]: $message)"
        return ""
    }
    return $python
}
if {$runAvro} {
    source [file join $root tests registry.tcl]
    if {[catch {::kafkatest::registry::start} url]} {
        puts "  Avro rows: skipped (no schema registry: $url)"
        set runAvro 0
    } else {
        set registryUrl $url/apis/ccompat/v7
        set avroPython [avroPython]
    }
}

set tclsh [info nameofexecutable]
set tclbench [file join $here tclbench.tcl]
set pybench [file join $here pybench.py]
set results {}

# Records one client's figure; ROUNDS (the list of every round's result
# dicts, its median among them) gives the spread: the slowest and the fastest
# round's rates, and how far apart they are as a share of the median.
proc record {workload client op r size {expected ""} {rounds {}}} {
    global results
    if {![llength $rounds]} { set rounds [list $r] }
    set rates {}
    foreach round $rounds {
        set count [dict get $round count]
        if {$count eq ""} { set count $expected } ;# kcat prints no count
        lappend rates [expr {$count / max(1e-9, [dict get $round secs])}]
    }
    if {[dict get $r count] eq ""} { dict set r count $expected }
    set rate [expr {[dict get $r count] / max(1e-9, [dict get $r secs])}]
    dict set r rate $rate
    dict set r mbps [expr {$rate * $size / 1e6}]
    dict set r workload $workload
    dict set r client $client
    dict set r op $op
    dict set r rounds [lmap round $rounds {dict get $round secs}]
    dict set r round_rates $rates
    dict set r min_rate [tcl::mathfunc::min {*}$rates]
    dict set r max_rate [tcl::mathfunc::max {*}$rates]
    dict set r spread_pct [expr {100.0 * ([dict get $r max_rate] - [dict get $r min_rate]) / max(1e-9, $rate)}]
    lappend results $r
    puts [format "  %-22s %-8s %10.0f msg/s %8.1f MB/s %7.2f cpu s %7.1f MB rss  rounds %8.0f-%-8.0f (%3.0f%%)" \
        $client $op $rate [dict get $r mbps] [dict get $r cpu] [dict get $r rss] \
        [dict get $r min_rate] [dict get $r max_rate] [dict get $r spread_pct]]
}

# Every client runs in rounds, producers and consumers alike: a round runs
# each client of a workload once, and each round starts with a different
# client (the order rotated by one), so no client always runs first on a cold
# broker or last after the others filled its page cache; each client's figure
# is its median round. A VM's speed drifts by a third from one run to the
# next; rounds spread the drift over all clients alike, the median drops a
# cold or stalled run, and the rounds' min-max shows how much a figure moves.
#
# librdkafka 2.0.2's mock cluster serves consumers a few hundred messages a
# second (measured: 378 msg/s, every client alike), so against it only the
# producers are measured.
#
# A job: workload client size command expected partitions topic. A
# producer's command names its topic as @TOPIC@: round 1 writes TOPIC (made
# when the job is added, the topic its consumers read, so it holds the count
# exactly), each later round a new topic.
array set jobs {produce {} consume {}}
proc recordProduce {workload client size partitions command {expected ""}} {
    set t [newTopic $partitions]
    lappend ::jobs(produce) [list $workload $client $size $command $expected $partitions $t]
    return $t
}
proc recordConsume {workload client size command {expected ""}} {
    if {$::opt(-broker) eq "mock"} return
    lappend ::jobs(consume) [list $workload $client $size $command $expected]
}

# Job I's command for ROUND (1-based).
proc jobCommand {op job round} {
    set command [lindex $job 3]
    if {$op ne "produce"} { return $command }
    set t [expr {$round == 1 ? [lindex $job 6] : [newTopic [lindex $job 5]]}]
    return [lmap word $command {string map [list @TOPIC@ $t] $word}]
}

# The job indices of each workload, in order, rotated by ROUND - 1.
proc roundOrder {op round} {
    set groups [dict create]
    set i 0
    foreach job $::jobs($op) { dict lappend groups [lindex $job 0] $i; incr i }
    set order {}
    dict for {workload indices} $groups {
        set k [expr {($round - 1) % [llength $indices]}]
        lappend order {*}[lrange $indices $k end] {*}[lrange $indices 0 [expr {$k - 1}]]
    }
    return $order
}

# The first group join on a fresh broker waits for it to create
# __consumer_offsets: before this, round 1's first group consumer
# (kafkatcl-group) paid that alone (577 k msg/s against 1.40-1.48 M in its
# other rounds, issue 26). An offset lookup of a throwaway group finds the
# coordinator, so the topic exists before any client is timed.
proc warmGroupCoordinator {} {
    global brokers jobs
    set m [::kafka::kafka create #auto]
    $m config bootstrap.servers $brokers group.id bench-warm-[pid]
    $m logger callback {apply {args {}}}
    set c [$m create_consumer #auto]
    set topic [lindex $jobs(produce) 0 6]
    catch {$c committed [list [list $topic 0]] -timeout 30000}
    $m delete
}

proc runRounds {op} {
    global jobs opt
    if {![llength $jobs($op)]} return
    if {$op eq "consume" && $opt(-broker) ne "mock"} warmGroupCoordinator
    puts "== ${op}rs, $opt(-rounds) rounds, each starting with another client (each figure: the client's median round; rounds: the slowest-fastest round and their gap as a share of the median)"
    set runs [lrepeat [llength $jobs($op)] {}]
    for {set round 1} {$round <= $opt(-rounds)} {incr round} {
        foreach i [roundOrder $op $round] {
            set r [run {*}[jobCommand $op [lindex $jobs($op) $i] $round]]
            lset runs $i end+1 $r
        }
    }
    set shown ""
    foreach job $jobs($op) clientRuns $runs {
        lassign $job workload client size - expected
        if {$workload ne $shown} { puts "  -- $workload"; set shown $workload }
        set sorted [lsort -command {apply {{a b} {
            expr {[dict get $a secs] < [dict get $b secs] ? -1 : [dict get $a secs] > [dict get $b secs]}
        }}} $clientRuns]
        # The middle round by time; of an even number, the slower of the two.
        set median [lindex $sorted [expr {[llength $sorted] / 2}]]
        record $workload $client $op $median $size $expected $clientRuns
    }
}

proc workload {name count size partitions} {
    global brokers raw tclsh tclbench pybench
    puts "== $name: $count x $size B over $partitions partition(s)"
    set t [recordProduce $name raw-c++ $size $partitions [list $raw produce $brokers @TOPIC@ $count $size $partitions]]
    recordConsume $name raw-c++ $size [list $raw consume $brokers $t $count $partitions]

    set t [recordProduce $name kafkatcl-loop $size $partitions [list $tclsh $tclbench produce $brokers @TOPIC@ $count $size $partitions loop]]
    recordConsume $name kafkatcl-consume_batch $size [list $tclsh $tclbench consume $brokers $t $count $partitions batch]
    recordConsume $name kafkatcl-group $size [list $tclsh $tclbench consume $brokers $t $count $partitions group]

    recordProduce $name kafkatcl-loop-nocb $size $partitions [list $tclsh $tclbench produce $brokers @TOPIC@ $count $size $partitions loop-nocb]
    recordProduce $name kafkatcl-bulk $size $partitions [list $tclsh $tclbench produce $brokers @TOPIC@ $count $size $partitions batch]

    set in [kcatInput $count $size]
    set part [expr {$partitions == 1 ? [list -p 0] : {}}]
    set t [recordProduce $name kcat $size $partitions [list sh -c "kcat -P -b $brokers -t @TOPIC@ $part -X linger.ms=5 < $in"] $count]
    recordConsume $name kcat $size [list sh -c "kcat -C -b $brokers -t $t -o beginning -e -q > /dev/null"] $count
    # The group consumers (kafkatcl-group, python, kcat-group) are all timed
    # from before subscribe to the last message, the group join included:
    # kcat's rate is its process's wall time (its join, and its close at the end).
    recordConsume $name kcat-group $size [list sh -c "kcat -b $brokers -G kcat-\$\$ -X auto.offset.reset=earliest -X enable.auto.commit=false -c $count -q $t > /dev/null"] $count

    if {![catch {exec /usr/bin/python3 -c "import confluent_kafka"}]} {
        set t [recordProduce $name python $size $partitions [list /usr/bin/python3 $pybench produce $brokers @TOPIC@ $count $size $partitions]]
        recordConsume $name python $size [list /usr/bin/python3 $pybench consume $brokers $t $count $partitions]
        recordConsume $name python-tuned $size [list /usr/bin/python3 $pybench consume-tuned $brokers $t $count $partitions]
    } else {
        puts "  python: skipped (python3-confluent-kafka is not installed)"
    }
}

puts "KafkaTcl [package require kafka] / librdkafka [::kafka::kafka version] against $opt(-broker) broker at $brokers"
puts "machine: [exec uname -srm], [exec nproc] cores"
if {$opt(-broker) eq "mock"} { puts "(mock cluster: consumers and the Avro rows skipped, it serves consumers a few hundred messages a second)" }
if {$runPlain} {
    workload "${opt(-count)}x$opt(-size)B-1p" $opt(-count) $opt(-size) 1
    workload "[expr {$opt(-count) / 5}]x1KiB-6p" [expr {$opt(-count) / 5}] 1024 6
}

# The Avro rows: each client's serde producing to a topic of its own; every
# consumer reads the topic kafkatcl-avro wrote (ids 0.. at offsets 0.., which
# both decoders check).  The -raw rows move the same bytes without the serde.
proc avroWorkload {name count} {
    global brokers tclsh tclbench pybench registryUrl avroPython root
    source [file join $root bench avro-record.tcl]
    set probe [::kafka::avro create #auto $::avroSchema]
    set size [expr {5 + [string length [$probe encode $::avroRecord]]}]
    $probe delete
    puts "== $name: $count Avro records of 10 fields ($size B framed) to 1 partition"
    set t [recordProduce $name kafkatcl-avro $size 1 [list $tclsh $tclbench avro-produce $brokers @TOPIC@ $count $registryUrl serde]]
    recordConsume $name kafkatcl-avro $size [list $tclsh $tclbench avro-consume $brokers $t $count $registryUrl serde]
    recordConsume $name kafkatcl-avro-raw $size [list $tclsh $tclbench avro-consume $brokers $t $count $registryUrl raw]
    recordProduce $name kafkatcl-avro-raw $size 1 [list $tclsh $tclbench avro-produce $brokers @TOPIC@ $count $registryUrl raw]
    if {$avroPython eq ""} return
    recordProduce $name python-avro $size 1 [list $avroPython $pybench avro-produce $brokers @TOPIC@ $count $registryUrl serde]
    recordConsume $name python-avro $size [list $avroPython $pybench avro-consume $brokers $t $count $registryUrl serde]
    recordConsume $name python-avro-raw $size [list $avroPython $pybench avro-consume $brokers $t $count $registryUrl raw]
    recordProduce $name python-avro-raw $size 1 [list $avroPython $pybench avro-produce $brokers @TOPIC@ $count $registryUrl raw]
}
set avroName "avro-$opt(-avro-count)x10f-1p"
if {$runAvro} { avroWorkload $avroName $opt(-avro-count) }
runRounds produce
runRounds consume

if {$opt(-rss)} {
    puts "== peak RSS of the produce loop at 1x and 5x the count"
    foreach k {1 5} {
        set t [newTopic 1]
        set r [run $tclsh $tclbench produce $brokers $t [expr {$k * $opt(-count)}] $opt(-size) 1 loop]
        record rss-${k}x kafkatcl-loop produce $r $opt(-size)
    }
}

if {$runPlain} {
    puts "== end-to-end latency, 2000 messages at 1000 msg/s"
    set t [newTopic 1]
    set r [run $tclsh $tclbench latency $brokers $t 2000 1000]
    # tclbench prints "<messages> <p50> <p99>": run reads them as count, secs, extra.
    set p50 [dict get $r secs]
    set p99 [lindex [dict get $r extra] 0]
    puts [format "  kafkatcl p50 %.2f ms  p99 %.2f ms" $p50 $p99]
    lappend results [dict create workload latency client kafkatcl op latency p50_ms $p50 p99_ms $p99]
}

# ---- ratios -------------------------------------------------------------------
proc find {workload client op} {
    foreach r $::results {
        if {[dict get $r workload] eq $workload && [dict get $r client] eq $client && [dict get $r op] eq $op} {
            return [dict get $r rate]
        }
    }
    return ""
}
puts "== ratios (KafkaTcl msg/s over the other client's msg/s, same run)"
foreach w [expr {$runPlain ? [list "${opt(-count)}x$opt(-size)B-1p" "[expr {$opt(-count) / 5}]x1KiB-6p"] : {}}] {
    foreach {mine op} {kafkatcl-loop produce kafkatcl-loop-nocb produce kafkatcl-bulk produce kafkatcl-consume_batch consume kafkatcl-group consume} {
        set line [format "  %-24s %-22s %s" $w $mine $op]
        foreach other {raw-c++ kcat kcat-group python python-tuned} {
            set a [find $w $mine $op]
            set b [find $w $other $op]
            if {$a ne "" && $b ne ""} { append line [format "  vs %s %.2fx" $other [expr {$a / $b}]] }
        }
        puts $line
    }
}

# The Avro rows: each serde against python's, and against its own raw bytes
# (the serde's cost), by rate and by CPU microseconds a message (the
# steadier figure when the machine is shared: a process waiting for a core
# loses rate, not CPU time).
proc cpuPerMessage {workload client op} {
    foreach r $::results {
        if {[dict get $r workload] eq $workload && [dict get $r client] eq $client && [dict get $r op] eq $op} {
            return [expr {1e6 * [dict get $r cpu] / max(1, [dict get $r count])}]
        }
    }
    return ""
}
foreach op {produce consume} {
    set a [find $avroName kafkatcl-avro $op]
    if {$a eq ""} continue
    set line [format "  %-24s %-22s %s" $avroName kafkatcl-avro $op]
    foreach other {python-avro kafkatcl-avro-raw} {
        set b [find $avroName $other $op]
        if {$b ne ""} { append line [format "  vs %s %.2fx" $other [expr {$a / $b}]] }
    }
    set b [find $avroName python-avro $op]
    set braw [find $avroName python-avro-raw $op]
    if {$b ne "" && $braw ne ""} { append line [format "  (python-avro vs python-avro-raw %.2fx)" [expr {$b / $braw}]] }
    puts $line
    set line [format "  %-24s %-22s %s" "" "cpu us/msg" $op]
    foreach client {kafkatcl-avro kafkatcl-avro-raw python-avro python-avro-raw} {
        set c [cpuPerMessage $avroName $client $op]
        if {$c ne ""} { append line [format "  %s %.2f" $client $c] }
    }
    set mine [cpuPerMessage $avroName kafkatcl-avro $op]
    set theirs [cpuPerMessage $avroName python-avro $op]
    if {$mine ne "" && $theirs ne ""} { append line [format "  (python-avro / kafkatcl-avro %.2fx)" [expr {$theirs / $mine}]] }
    puts $line
}

# ---- JSON (tcllib's json::write) ------------------------------------------------
package require json::write
file mkdir [file join $here results]
set json [file join $here results [clock format [clock seconds] -format %Y%m%d-%H%M%S]-$opt(-broker).json]
set items {}
foreach r $results {
    set fields {}
    dict for {k v} $r {
        if {$k eq "extra"} continue
        if {$k in {rounds round_rates}} { lappend fields $k [json::write array {*}$v]; continue }
        lappend fields $k [expr {[string is double -strict $v] ? $v : [json::write string $v]}]
    }
    lappend items [json::write object {*}$fields]
}
set ch [open $json w]
puts $ch [json::write object broker [json::write string $opt(-broker)] \
    librdkafka [json::write string [::kafka::kafka version]] \
    machine [json::write string "[exec uname -srm], [exec nproc] cores"] \
    results [json::write array {*}$items]]
close $ch
puts "results written to $json"

# ---- the chart (bench/chart.tcl, gnuplot) ----------------------------------------
source [file join $here chart.tcl]
::benchchart::write $results [file rootname $json].png "[exec nproc] cores, $opt(-broker) broker, $opt(-rounds) rounds"

$admin delete
if {[info exists cluster]} { $cluster delete } else { ::kafkatest::broker::stop }
if {$runAvro} { ::kafkatest::registry::stop }
