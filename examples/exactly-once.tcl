# exactly-once.tcl -- read-process-write with exactly-once semantics: a group
# consumer reads "orders", a transactional producer writes "invoices", and the
# consumer's offsets are committed inside the same transaction. A crash at any
# point either loses the whole transaction (and the input is read again) or
# commits output and input position together.
#
#	tclsh examples/exactly-once.tcl ?-brokers host:port? ?-count N? ?-in topic? ?-out topic?
#
# Without -brokers it uses the embedded mock cluster. Errors are handled as
# kafka.man's Transactions section says: abortable -> abort_transaction and
# read the input again from the committed offsets; fatal (e.g. fenced by a
# newer instance with the same transactional.id) -> no abort, a new producer.

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -count 10 -in orders -out invoices}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 3]
    foreach t [list $opt(-in) $opt(-out)] { $cluster create_topic $t 1 3 }
    set opt(-brokers) [$cluster bootstrap]
}

# Some input.
::kafka::kafka create setup
setup config bootstrap.servers $opt(-brokers)
[setup create_producer #auto] new_topic orders $opt(-in)
for {set i 1} {$i <= $opt(-count)} {incr i} { orders produce 0 "order $i" }
setup delete

# The consumer: no auto commit, sees only committed input.
::kafka::kafka create cmaster
cmaster config bootstrap.servers $opt(-brokers) group.id invoicer \
    auto.offset.reset earliest enable.auto.commit false isolation.level read_committed
cmaster create_consumer consumer
consumer subscribe [list $opt(-in)]

# The transactional producer. init_transactions also fences off any older
# instance with the same transactional.id and aborts what it left open.
::kafka::kafka create pmaster
pmaster config bootstrap.servers $opt(-brokers) transactional.id invoicer-1
proc newProducer {} {
    pmaster create_producer producer
    producer new_topic invoices $::opt(-out)
    producer init_transactions 30000
}
newProducer

# After a failed transaction: read the input again from the committed offsets.
proc rewind {} {
    foreach tpo [consumer committed] { consumer seek {*}[lrange $tpo 0 1] [expr {max(0, [lindex $tpo 2])}] }
}

set done 0
set deadline [expr {[clock milliseconds] + 30000}]
while {$done < $opt(-count) && [clock milliseconds] < $deadline} {
    set batch {}
    consumer consume_batch 1000 100 msg { lappend batch $msg(payload) }
    if {![llength $batch]} continue
    try {
        producer begin_transaction
        foreach order $batch { invoices produce 0 "invoice for $order" }
        producer send_offsets_to_transaction consumer
        producer commit_transaction 30000
        incr done [llength $batch]
        puts "committed a transaction of [llength $batch] invoices"
    } trap {KAFKA} {message options} {
        set classes [lindex [dict get $options -errorcode] 3]
        if {"fatal" in $classes} {
            # Fenced by a newer instance, or otherwise unusable: no abort is
            # possible. Start a new producer (it aborts the open transaction).
            puts "fatal: $message"
            producer delete
            newProducer
        } else {
            # Abortable (or a refused produce in a failed transaction): abort, retry.
            puts "aborting: $message ($classes)"
            producer abort_transaction 30000
        }
        rewind
    }
}
puts "processed $done of $opt(-count) orders exactly once"

consumer close
cmaster delete
pmaster delete
if {[info exists cluster]} { $cluster delete }
exit [expr {$done == $opt(-count) ? 0 : 1}]
