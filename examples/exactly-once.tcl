# exactly-once.tcl -- read-process-write with exactly-once semantics: a group
# consumer reads "orders", a transactional producer writes "invoices", and the
# consumer's offsets are committed inside the same transaction. A crash at any
# point either loses the whole transaction (and the input is read again) or
# commits output and input position together.
#
#	tclsh examples/exactly-once.tcl ?-brokers host:port? ?-count N? ?-in topic?
#	    ?-out topic? ?-id name? ?-group name? ?-idle ms? ?-maxpoll ms?
#	    ?-strategy name?
#
# Without -brokers it uses the embedded mock cluster. -count N writes N orders
# first and stops once this worker has processed N (0: write none, run until
# told to stop). Run several workers with -count 0 in one -group, each with its
# own -id (its transactional.id, stable across restarts: a restarted worker
# takes over its predecessor's id and fences it off). -idle ms stops after that
# long without input. A line "stop" on standard input finishes the current
# transaction and shuts down cleanly; "stall ms" makes the next batch that much
# slower (to try what happens past max.poll.interval.ms, set with -maxpoll).
# -strategy sets the consumer's partition.assignment.strategy (the same for
# every worker of a group); tests/exactlyonce.test runs the fleet with the
# default and with cooperative-sticky.
#
# The errors, as kafka.man's Transactions section says what each class means:
#   retriable  call the same method again
#   abortable  abort the transaction, rewind the consumer to its committed
#              offsets, go on
#   fatal      (fenced: a newer instance owns this transactional.id) shut down
#              cleanly; never make a new producer with the same id, which would
#              fence the newer instance in turn
#   the consumer's _MAX_POLL_EXCEEDED (processing took too long, the consumer
#              left the group): rewind, the next poll rejoins, go on
#   the consumer's committed offsets out of reach after an abort (rewinding
#              is what keeps the aborted batch from being skipped): shut down
#              (status 2)
# Exit status: 0 done, stopped or idle, 3 fenced, 2 another fatal error,
# 1 an error in this script. End of file on standard input only ends the
# commands: the worker goes on (run it under a supervisor that says "stop").

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka

array set opt {-brokers "" -count 10 -in orders -out invoices -id invoicer-1
               -group invoicer -idle 0 -maxpoll 300000 -strategy ""}
array set opt $argv
if {$opt(-brokers) eq ""} {
    set cluster [::kafka::mock create #auto -brokers 3]
    foreach t [list $opt(-in) $opt(-out)] { $cluster create_topic $t 1 3 }
    set opt(-brokers) [$cluster bootstrap]
}
proc say {text} { puts "[clock format [clock seconds] -format %T] $::opt(-id): $text" }

# Some input.
if {$opt(-count) > 0} {
    ::kafka::kafka create setup
    setup config bootstrap.servers $opt(-brokers)
    [setup create_producer #auto] new_topic orders $opt(-in)
    for {set i 1} {$i <= $opt(-count)} {incr i} { orders produce 0 "order $i" }
    setup delete
}

# The consumer: no auto commit, sees only committed input.
::kafka::kafka create cmaster
cmaster config bootstrap.servers $opt(-brokers) group.id $opt(-group) \
    auto.offset.reset earliest enable.auto.commit false isolation.level read_committed \
    max.poll.interval.ms $opt(-maxpoll) session.timeout.ms [expr {min(45000, $opt(-maxpoll))}]
if {$opt(-strategy) ne ""} { cmaster config partition.assignment.strategy $opt(-strategy) }
cmaster create_consumer consumer
consumer subscribe [list $opt(-in)]

# The transactional producer. init_transactions fences off any older instance
# with the same transactional.id and aborts what it left open.
::kafka::kafka create pmaster
pmaster config bootstrap.servers $opt(-brokers) transactional.id $opt(-id)
pmaster create_producer producer
producer new_topic invoices $opt(-out)
producer init_transactions 30000

# Commands on standard input (from a supervisor, or typed).
set stop 0
set stall 0
proc control {} {
    if {[gets stdin line] < 0} {
        if {[eof stdin]} { fileevent stdin readable {} }
        return
    }
    switch -- [lindex $line 0] {
        stop  { set ::stop 1 }
        stall { set ::stall [lindex $line 1] }
    }
}
fconfigure stdin -blocking 0
fileevent stdin readable control

# The error's classes (retriable, abortable, fatal), from its errorCode.
proc classes {options} { lindex [dict get $options -errorcode] 3 }

# A transaction method, called again (after a growing pause) while its error
# is retriable.
proc retrying {args} {
    for {set try 1} {1} {incr try} {
        try {
            return [producer {*}$args]
        } trap {KAFKA} {message options} {
            if {"retriable" ni [classes $options] || $try == 5} {
                return -options $options $message
            }
            say "retrying [lindex $args 0]: $message"
            after [expr {200 * $try}]
        }
    }
}

# After a failed transaction: read the input again from the committed
# offsets (a partition taken away meanwhile, _STATE or _UNKNOWN_PARTITION,
# is no longer ours to seek). Going on from the current position instead
# would skip the aborted batch for good, so when the committed offsets cannot
# be had (the coordinator unreachable for a while) or a seek fails otherwise,
# this is an error and the worker shuts down.
proc rewind {} {
    for {set try 1} {[catch {consumer committed -timeout 5000} committed options]} {incr try} {
        if {$try == 6} { return -options $options $committed }
        say "rewind: $committed; trying again"
        after 1000
    }
    foreach tpo $committed {
        lassign $tpo topic partition offset
        try {
            consumer seek $topic $partition [expr {max(0, $offset)}]
        } trap {KAFKA _STATE} {} - trap {KAFKA _UNKNOWN_PARTITION} {} {}
    }
}

# Whether a fatal error means this instance was fenced. A produce refused
# after a fatal error says only _FATAL; the transaction methods then name
# the cause.
proc fenced {options} {
    set code [lindex [dict get $options -errorcode] 1]
    if {$code eq "_FATAL" && [catch {producer begin_transaction} - cause]} {
        set code [lindex [dict get $cause -errorcode] 1]
    }
    regexp {FENCED|INVALID_PRODUCER_EPOCH} $code
}

# A batch's input offsets for the log: "partition first-last, ...".
proc spans {span} { join [lmap {p o} $span {string cat $p " " [join $o -]}] ", " }

# One batch in one transaction: the invoices and the input position.
proc transact {batch} {
    retrying begin_transaction
    if {$::stall > 0} { after $::stall; set ::stall 0 } ;# slow processing
    foreach order $batch { invoices produce 0 "invoice for $order" }
    retrying send_offsets_to_transaction consumer -timeout 30000
    retrying commit_transaction 30000
}

# The loop: returns why it ended (done, stop, idle, fenced, fatal).
set done 0
proc run {} {
    global opt done
    set quietSince [clock milliseconds]
    while 1 {
        update ;# standard input
        if {$::stop} { return stop }
        if {$opt(-count) > 0 && $done >= $opt(-count)} { return done }
        if {$opt(-idle) > 0 && [clock milliseconds] - $quietSince > $opt(-idle)} { return idle }
        set batch {}
        set span {} ;# partition -> its first and last offset in the batch
        try {
            consumer consume_batch 1000 100 msg {
                lappend batch $msg(payload)
                set first [expr {[dict exists $span $msg(partition)] ? [lindex [dict get $span $msg(partition)] 0] : $msg(offset)}]
                dict set span $msg(partition) [list $first $msg(offset)]
            }
        } trap {KAFKA _MAX_POLL_EXCEEDED} {message} {
            say "consumer left the group (too slow): $message; rejoining"
            if {[catch rewind err]} { say "cannot rewind: $err"; return fatal }
            continue
        } trap {KAFKA} {message options} {
            say "consumer: $message"
            if {"fatal" in [classes $options]} { return fatal }
            # The messages before the error are in $batch and the position is
            # past them: dropping them would skip them for good; transact them.
            if {![llength $batch]} { after 100; continue }
        }
        if {![llength $batch]} continue
        set quietSince [clock milliseconds]
        try {
            transact $batch
            incr done [llength $batch]
            say "committed a transaction of [llength $batch] invoices (input [spans $span])"
        } trap {KAFKA} {message options} {
            if {"fatal" in [classes $options]} {
                say "fatal: $message"
                return [expr {[fenced $options] ? "fenced" : "fatal"}]
            }
            if {![llength [classes $options]]
                    && [lindex [dict get $options -errorcode] 1] ne "_STATE"} {
                return -options $options $message ;# a mistake in this script
            }
            # Abortable (or a produce refused in a failed transaction: _STATE).
            say "aborting: $message ([classes $options]; input [spans $span])"
            try {
                retrying abort_transaction 30000
            } trap {KAFKA} {err opts} {
                say "abort failed: $err"
                if {"fatal" in [classes $opts]} { return [expr {[fenced $opts] ? "fenced" : "fatal"}] }
            }
            if {[catch rewind err]} { say "cannot rewind: $err"; return fatal }
        }
    }
}

if {[catch run why]} {
    say "error: $why" ;# a mistake in this script: still shut down cleanly
    set why error
}
switch -- $why {
    fenced  { say "fenced: another instance owns transactional.id $opt(-id); shutting down" }
    default { say "stopping ($why)" }
}
if {$opt(-count) > 0} {
    say "processed $done of $opt(-count) orders exactly once"
}
# A clean shutdown: leave the group (its partitions move at once), then the
# producer (an open transaction, if any, is aborted by the broker in time).
catch {consumer close}
cmaster delete
pmaster delete
if {[info exists cluster]} { $cluster delete }
exit [dict get {done 0 stop 0 idle 0 error 1 fenced 3 fatal 2} $why]
