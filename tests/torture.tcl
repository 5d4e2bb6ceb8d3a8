# torture.tcl --
#
#	The randomized, model-based test of issue 24 item 3 (and issue 29's
#	producer side): seeded random sequences of calls over live objects with
#	traffic, checked against a model after every step and at the end.
#
#	tclsh tests/torture.tcl child SEED STEPS ?KNOWN?
#	    runs one sequence in this process (what the driver runs in a child
#	    process); prints one line per step, ends with "TORTURE PASS ..." or
#	    "TORTURE FAIL ..." and exit 0 / 1.
#	tclsh tests/torture.tcl run ?-seconds N? ?-seed S? ?-steps N? ?-known all|none|LIST?
#	    runs sequences (seed S, S+1, ... or random seeds) each in a child
#	    process with a time bound until N seconds passed (or one sequence
#	    with -seed and no -seconds); exit 1 on the first failing sequence,
#	    printing its seed and its last steps.
#
#	The cluster is the one common.tcl picks: KAFKATEST_BROKERS (the real
#	broker) or a mock cluster of the child process's own.
#
#	The model (checked after each step, and at the end after a drain):
#	- the process is alive and every step returns within its bound (the
#	  driver kills a child that outlives its time bound: a hang);
#	- every produced message gets exactly one delivery report (a message the
#	  produce call refused gets none); a report for a message never queued,
#	  a second report, or a missing one at the end is a failure;
#	- per partition and reader, the script sees offsets in order: each
#	  message is the one after the last one seen, except right after the
#	  script's own start/seek (the next one is then that offset) or a
#	  rebalance (any offset); so no offset is skipped, repeated or reordered
#	  unless the script moved there itself;
#	- a message's payload (its id) is at the partition and offset its
#	  delivery report named;
#	- errors raised by the package carry an errorCode {KAFKA NAME message};
#	- a next with -timeout T returns within T (+ slack).
#
#	KNOWN: the combinations of not-yet-fixed defects the generator leaves
#	out (see ::torture::known); "all" (default), "none", or a list of names.

namespace eval ::torture {
    variable script [file normalize [info script]]
    # Each entry: name {issue item} description.  Remove an entry when its
    # fix is merged; the generator then produces that combination again.
    variable known {
    }
    variable slack 8000     ;# ms added to every bound (2 shared cores, ASan)
    if {[info exists ::env(KAFKATEST_TORTURE_SLACK)]} { set slack $::env(KAFKATEST_TORTURE_SLACK) }
}

# ---------------------------------------------------------------- the child

namespace eval ::torture::child {
    namespace path ::torture
    variable step 0
    variable failures {}
    variable knownOn {}     ;# names of the known entries left out
    # Producer side.
    variable nextId 0
    variable state          ;# id -> queued | refused | delivered | failed
    variable reports        ;# id -> number of reports
    variable at             ;# id -> {partition offset} of a successful report
    variable maxOff         ;# partition -> highest delivered offset
    variable armedDr {}     ;# action the next delivery callback performs
    # Reader side: ctx = reader,partition (reader: tc q g).
    variable expect         ;# ctx -> next offset, "any", or unset (not reading)
    variable seen 0
    variable started        ;# partition -> pull | stream | queue (c1's topic object)
    variable armed          ;# reader -> action the next stream callback performs
    variable waiters        ;# coroutine name -> dict obj timeout start blocked
    variable blockedMs 0    ;# time spent in documented blocking calls (deleteProducer)
    variable nWaiter 0
    variable stream         ;# obj -> 1 while a consume_callback stream is set (q, g)
    variable gsub 0         ;# group consumer subscribed
    variable assigned {}    ;# group consumer's assigned partitions
    variable paused {}
    variable tcPaused {}    ;# c1's partitions paused (c1 pause)
    variable inSync 0       ;# a synchronous consume_callback is running
    variable retryCopies 0  ;# messages seen at an earlier copy (producer retries)
}

proc ::torture::child::isKnown {name} {
    variable knownOn
    expr {$name in $knownOn}
}

proc ::torture::child::fail {msg} {
    variable failures
    variable step
    lappend failures "step $step: $msg"
}

proc ::torture::child::log {msg} {
    variable step
    puts "step $step: $msg"
    flush stdout
}

# Random helpers (rand() after srand: replayable; only the step loop draws).
proc ::torture::child::rnd {n} { expr {int(rand() * $n)} }
proc ::torture::child::pick {list} { lindex $list [rnd [llength $list]] }
proc ::torture::child::chance {p} { expr {rand() < $p} }

# Runs script in the caller; an error is fine when its errorCode is
# {KAFKA NAME ...} and NAME is among okNames (or okNames is *); returns
# the error name, or "" on success.
proc ::torture::child::kcall {script {okNames *}} {
    set code [catch {uplevel 1 $script} msg opts]
    if {$code != 1} { return "" }
    set ec [dict get $opts -errorcode]
    if {[lindex $ec 0] ne "KAFKA" || [llength $ec] < 3} {
        fail "error without a KAFKA errorCode: $msg (errorCode $ec) from: [string trim $script]"
        return ERR
    }
    set name [lindex $ec 1]
    if {$okNames ne "*" && $name ni $okNames} {
        fail "unexpected error $name: $msg from: [string trim $script]"
    }
    return $name
}

# Measures script (run in the caller); fails when it took longer than boundMs + slack.
proc ::torture::child::timed {boundMs what script} {
    variable ::torture::slack
    set t0 [clock milliseconds]
    set code [catch {uplevel 1 $script} res opts]
    set took [expr {[clock milliseconds] - $t0}]
    if {$boundMs >= 0 && $took > $boundMs + $slack} {
        fail "$what took $took ms, bound $boundMs ms"
    }
    return -options $opts $res
}

proc ::torture::child::pump {ms} {
    after $ms [list set ::torture::child::tick 1]
    vwait ::torture::child::tick
}

# ---- producer model

proc ::torture::child::produceOne {partition} {
    variable nextId
    variable state
    set id [incr nextId]
    set state($id) queued
    set err [kcall {tp produce -partition $partition -command [list ::torture::child::onDelivery $id] $id} \
                 {_QUEUE_FULL}]
    if {$err ne ""} { set state($id) refused }
    return $err
}

proc ::torture::child::produceBatch {partition n} {
    variable nextId
    variable state
    set ids {}
    set batch {}
    for {set i 0} {$i < $n} {incr i} {
        set id [incr nextId]
        lappend ids $id
        lappend batch [list $id $id]
        set state($id) queued
    }
    # One command for the whole batch: each message's key is its id, and
    # the report names the key.
    set cmd ::torture::child::onBatchDelivery
    # Never a block: it queues or fails at once (issue 29 item 3).
    set code [catch {timed 0 "produce_batch $n" {tp produce_batch $partition $batch -command $cmd}} res opts]
    if {$code} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "KAFKA"} { fail "produce_batch error without KAFKA errorCode: $res" }
        if {![regexp {^(\d+) of (\d+) messages queued} $res -> q total] || $total != $n} {
            fail "produce_batch error does not say how many were queued: $res"
            set q 0
        }
        foreach id [lrange $ids $q end] { set state($id) refused }
        return "$q of $n ([lindex $ec 1])"
    }
    if {$res != $n} { fail "produce_batch returned $res for $n messages" }
    return $n
}

proc ::torture::child::onBatchDelivery {report} {
    if {![dict exists $report key]} {
        fail "a produce_batch delivery report without the key: $report"
        return
    }
    onDelivery [dict get $report key] $report
}

proc ::torture::child::onDelivery {id report} {
    variable state
    variable reports
    variable at
    variable maxOff
    variable armedDr
    incr reports($id)
    if {$reports($id) > 1} { fail "message $id: report number $reports($id): $report" }
    if {![info exists state($id)] || $state($id) eq "refused"} {
        fail "message $id: a report for a message the produce call refused: $report"
    }
    if {[dict get $report error] eq ""} {
        set state($id) delivered
        set p [dict get $report partition]
        set o [dict get $report offset]
        set at($id) [list $p $o]
        if {![info exists maxOff($p)] || $o > $maxOff($p)} { set maxOff($p) $o }
    } else {
        set state($id) failed
    }
    if {$armedDr ne ""} {
        set action $armedDr
        set armedDr ""
        drAction $action
    }
}

# What an armed delivery callback does (once).
proc ::torture::child::drAction {action} {
    log "  (delivery callback: $action)"
    switch -- $action {
        flush   { kcall {p flush 0} }
        purge   { kcall {p purge} }
        produce { if {[llength [info commands ::tp]]} { produceOne -1 } }
        update  { update }
        delete  { deleteProducer }
    }
}

# ---- reader model

# A message seen by reader on the script's side.
proc ::torture::child::observe {reader msg} {
    variable expect
    variable seen
    variable at
    if {[dict exists $msg error]} {
        log "  ($reader: error message [dict get $msg error])"
        return
    }
    set p [dict get $msg partition]
    set o [dict get $msg offset]
    set id [dict get $msg payload]
    incr seen
    set ctx $reader,$p
    variable tolerate
    if {[info exists tolerate($ctx)]} {
        # A known defect (queue-restart, logical-restart) made this reader's
        # view of the partition unreliable: its order is not checked any more.
        if {[info exists expect($ctx)]} { set expect($ctx) any }
        return
    }
    if {![info exists expect($ctx)]} {
        fail "$reader: a message of partition $p (offset $o) while the script does not read it"
        return
    }
    set e $expect($ctx)
    if {$e ne "any" && $o != $e} {
        set how [expr {$o > $e ? "skipped [expr {$o - $e}]" : "went back"}]
        fail "$reader partition $p: offset $o, expected $e ($how)"
    }
    set expect($ctx) [expr {$o + 1}]
    if {[info exists at($id)] && $at($id) ne [list $p $o]} {
        lassign $at($id) rp ro
        if {$rp == $p && $o < $ro} {
            # The producer is not idempotent: a produce request whose
            # response was lost (mock fault "down") is retried and the
            # broker holds the batch twice; the report names the copy
            # acknowledged last.  Kafka's at-least-once, not a defect.
            variable retryCopies
            incr retryCopies
            log "  ($reader: message $id at $p/$o is an earlier copy (producer retry) of $p/$ro)"
        } else {
            fail "$reader: message $id at $p/$o, its delivery report said [join $at($id) /]"
        }
    }
}

proc ::torture::child::onStream {reader msg} {
    variable armed
    observe $reader $msg
    if {[info exists armed($reader)]} {
        set action $armed($reader)
        unset armed($reader)
        streamAction $reader $msg $action
        # In a synchronous consume_callback the rest of the batch is already
        # taken: a script that stopped, moved or deleted ends it with break
        # (messages not reached are put back); without, they keep coming.
        variable inSync
        if {$inSync && $action ni {update read}} { return -code break }
    }
}

proc ::torture::child::streamAction {reader msg action} {
    variable expect
    variable started
    log "  ($reader callback: $action)"
    set p [expr {[dict exists $msg partition] ? [dict get $msg partition] : 0}]
    switch -- $action {
        update { update }
        stop {
            if {$reader eq "tc" && [info exists started($p)]} {
                if {[kcall {tc stop $p}] eq ""} { unsetStarted $p }
            } elseif {$reader eq "q"} {
                q consume_callback ""
                variable stream
                unset -nocomplain stream(q)
            } elseif {$reader eq "g"} {
                g consume_callback ""
                variable stream
                unset -nocomplain stream(g)
            }
        }
        rewind {
            # Back to the message's own offset (or 0): it must come again.
            set o [expr {[dict exists $msg offset] ? [dict get $msg offset] : 0}]
            if {$reader eq "tc" && [info exists started($p)]} {
                set mode $started($p)
                if {[kcall {tc stop $p}] eq ""} {
                    unsetStarted $p
                    startPartition $p $o [expr {$mode eq "stream"}]
                }
            } elseif {$reader eq "g"} {
                if {[kcall {g seek [dict get $msg topic] $p $o -timeout 0}] eq ""} {
                    set expect(g,$p) $o
                }
            }
        }
        close {
            if {$reader eq "g"} { gClose "" }
        }
        read { readInside $reader $p }
        delete {
            if {$reader eq "tc"} { deleteTc } elseif {$reader eq "q"} { deleteQ }
        }
    }
}

# Issue 24's contract: inside a stream callback, a consume_batch body or a
# synchronous consume_callback command, reading the queue whose messages are
# being handed out is _CONFLICT (it would overtake them), and takes nothing.
proc ::torture::child::readInside {reader p} {
    set how [pick {consume batch}]
    switch -- $reader/$how {
        tc/consume { set script {tc consume $p 0 rm} }
        tc/batch   { set script {tc consume_batch $p 0 5 rm {::torture::child::observe tc [array get rm]}} }
        q/consume  { set script {q consume 0 rm} }
        q/batch    { set script {q consume_batch 0 5 rm {::torture::child::observe q [array get rm]}} }
        g/consume  { set script {g poll 0} }
        g/batch    { set script {g consume_batch 0 5 rm {::torture::child::observe g [array get rm]}} }
    }
    set code [catch $script res opts]
    set ec [expr {$code == 1 ? [dict get $opts -errorcode] : ""}]
    log "  ($reader: [lindex $script 1] inside the hand-out: [expr {$code ? [lindex $ec 1] : "served: $res"}])"
    if {$code == 0 && $reader in {tc q} && $how eq "consume" && $res} { observe $reader [array get rm] }
    if {$code == 0 && $reader eq "g" && $how eq "consume" && $res ne ""} { observe g $res }
    if {$code != 1 || [lindex $ec 0] ne "KAFKA" || [lindex $ec 1] ne "_CONFLICT"} {
        fail "$reader: [lrange $script 0 1] inside its own hand-out: expected KAFKA _CONFLICT, got [expr {$code == 1 ? "error $ec: $res" : "\"$res\""}]"
    }
}

proc ::torture::child::unsetStarted {p} {
    variable started
    variable expect
    variable tolerate
    if {[info exists started($p)]} {
        if {$started($p) eq "queue" && [isKnown queue-restart]} { set tolerate(q,$p) queue-restart }
        variable startOff
        if {$startOff($p) in {beginning end} && [isKnown logical-restart]} {
            set tolerate(tc,$p) logical-restart
            set tolerate(q,$p) logical-restart
        }
    }
    unset -nocomplain started($p) expect(tc,$p) expect(q,$p)
}

# Starts partition p of c1's topic object at offset off (a number or a word),
# pulled, streamed to a command, or routed to the queue.
proc ::torture::child::startPartition {p off {streamed 0} {queued 0}} {
    variable started
    variable expect
    # _TIMED_OUT: a logical offset whose watermarks did not come (a mock fault)
    if {$queued} {
        set err [kcall {tc start_queue $p $off q} {_CONFLICT _STATE _TIMED_OUT}]
        set reader q
    } elseif {$streamed} {
        set err [kcall {tc start $p $off [list ::torture::child::onStream tc]} {_CONFLICT _STATE _TIMED_OUT}]
        set reader tc
    } else {
        set err [kcall {tc start $p $off} {_CONFLICT _STATE _TIMED_OUT}]
        set reader tc
    }
    if {$err ne ""} { return $err }
    variable startOff
    set startOff($p) $off
    set started($p) [expr {$queued ? "queue" : ($streamed ? "stream" : "pull")}]
    set expect($reader,$p) [expr {$off eq "beginning" ? 0 : ($off eq "end" ? "any" : $off)}]
    return ""
}

# An offset to start at that exists: beginning, end, or a delivered one.
proc ::torture::child::someOffset {p} {
    variable maxOff
    set words {beginning end}
    if {[info exists maxOff($p)]} { lappend words [rnd [expr {$maxOff($p) + 1}]] }
    pick $words
}

proc ::torture::child::deleteTc {} {
    variable started
    foreach p [array names started] { unsetStarted $p }
    catch {rename ::tc ""}
    tcFresh
}
proc ::torture::child::deleteQ {} {
    variable started
    variable stream
    variable expect
    # Partitions routed to the queue stay started (their messages now go
    # nowhere the script sees): stop them so the model stays exact.
    foreach p [array names started] {
        if {$started($p) eq "queue"} { kcall {tc stop $p}; unsetStarted $p }
    }
    unset -nocomplain stream(q)
    catch {rename ::q ""}
    c1 create_queue ::q
}
proc ::torture::child::tcFresh {} {
    variable topic
    c1 new_topic ::tc $topic
}

proc ::torture::child::onRebalance {ev} {
    variable expect
    variable assigned
    set parts [lmap tp [dict get $ev partitions] {lindex $tp 1}]
    log "  (rebalance [dict get $ev event] $parts)"
    switch -- [dict get $ev event] {
        assign {
            foreach p $parts { set expect(g,$p) any; if {$p ni $assigned} { lappend assigned $p } }
        }
        default {
            foreach p $parts { unset -nocomplain expect(g,$p) }
            set assigned [lmap x $assigned {expr {$x in $parts ? [continue] : $x}}]
        }
    }
}

proc ::torture::child::gClose {opts} {
    variable gsub
    variable assigned
    variable expect
    variable stream
    set err [kcall {g close {*}$opts} {_TIMED_OUT _DESTROY _STATE}]
    set gsub 0
    set assigned {}
    variable paused {}  ;# the new handle has nothing paused (seed 1050 resumed an unpaused one)
    unset -nocomplain stream(g)
    foreach k [array names expect g,*] { unset expect($k) }
    catch {rename ::g ""}
    mg create_consumer ::g
    g rebalance_callback ::torture::child::onRebalance
    return $err
}

# Deletes the producer. Its delete waits up to 10 s for the messages in
# flight (documented: "deleting a producer"), the event loop with it (a
# broker down meanwhile: seed 377968), and from inside a delivery callback
# that wait comes when the callback has returned: so the bound, not a
# measured time, goes to blockedMs, which next's bounds allow on top.
proc ::torture::child::deleteProducer {} {
    variable blockedMs
    if {![llength [info commands ::p]]} return
    p delete
    incr blockedMs 10000
}

# ---- next waiters

proc ::torture::child::waiter {obj timeout count} {
    variable waiters
    variable stream
    set me [info coroutine]
    for {set i 0} {$i < $count} {incr i} {
        variable blockedMs
        set t0 [clock milliseconds]
        dict set waiters($me) start $t0
        dict set waiters($me) blocked $blockedMs
        set code [catch {$obj next -timeout $timeout} msg opts]
        set took [expr {[clock milliseconds] - $t0 - ($blockedMs - [dict get $waiters($me) blocked])}]
        if {$code == 0} {
            observe $obj $msg
            continue
        }
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "KAFKA"} { fail "$obj next: error without KAFKA errorCode: $msg"; break }
        set name [lindex $ec 1]
        log "  ([namespace tail $me]: $obj next: $name)"
        if {$name eq "_TIMED_OUT" && $timeout >= 0 && $took > $timeout + $::torture::slack} {
            fail "$obj next -timeout $timeout returned after $took ms"
        }
        if {$name ni {_TIMED_OUT _CONFLICT _DESTROY _STATE _UNKNOWN_GROUP} && ![string match _* $name]} {
            log "  (message error $name)"
        }
        if {$name ne "_TIMED_OUT"} break
    }
    unset waiters($me)
}

proc ::torture::child::activeWaiters {obj} {
    variable waiters
    set n 0
    foreach {co w} [array get waiters] { if {[dict get $w obj] eq $obj} { incr n } }
    return $n
}

proc ::torture::child::spawnWaiter {obj} {
    variable waiters
    variable nWaiter
    set timeout [pick {-1 -1 0 200 1000}]
    set count [expr {1 + [rnd 5]}]
    set co ::torture::child::w[incr nWaiter]
    variable blockedMs
    set waiters($co) [dict create obj $obj timeout $timeout start [clock milliseconds] blocked $blockedMs]
    log "$obj next waiter [namespace tail $co] -timeout $timeout x$count"
    coroutine $co ::torture::child::waiter $obj $timeout $count
}

# Waiters with a bound that are still waiting past it.
proc ::torture::child::checkWaiters {} {
    variable waiters
    variable blockedMs
    set now [clock milliseconds]
    foreach {co w} [array get waiters] {
        set t [dict get $w timeout]
        set waited [expr {$now - [dict get $w start] - ($blockedMs - [dict get $w blocked])}]
        if {$t >= 0 && $waited > $t + $::torture::slack} {
            fail "[namespace tail $co]: [dict get $w obj] next -timeout $t still waiting after $waited ms"
            unset waiters($co)
        }
    }
}

# ---- the operations

# Each operation: name weight precondition-script action-script; the
# action runs in ::torture::child and may draw random numbers.
proc ::torture::child::ops {} {
    variable kind
    set ops {
        produce 10 {[llength [info commands ::tp]]} {
            set n [expr {1 + [rnd 20]}]
            set refused 0
            for {set i 0} {$i < $n} {incr i} {
                if {[produceOne [pick {-1 0 1 2}]] ne ""} { incr refused }
            }
            log "produce $n (refused $refused)"
        }
        produce_batch 4 {[llength [info commands ::tp]]} {
            set n [expr {1 + [rnd 30]}]
            log "produce_batch $n: [produceBatch [rnd 3] $n]"
        }
        flush 3 {[llength [info commands ::p]]} {
            set t [pick {0 100 1000}]
            timed $t "flush $t" { set left [p flush $t] }
            log "flush $t: $left left"
        }
        purge 1 {[llength [info commands ::p]]} {
            set how [pick {{} -queued -inflight {-queued -inflight}}]
            log "purge $how"
            kcall {p purge {*}$how}
        }
        arm_delivery 3 {[llength [info commands ::p]]} {
            set actions {produce update delete flush purge}
            variable armedDr [pick $actions]
            log "arm delivery callback: $armedDr"
        }
        new_producer 1 {1} {
            # A config change between handles: the next producer gets it.
            variable smallQueue [chance 0.4]
            set q [expr {$smallQueue ? 20 : 100000}]
            set linger [pick {0 5 50}]
            m config queue.buffering.max.messages $q linger.ms $linger
            log "new producer (queue.buffering.max.messages $q, linger.ms $linger)"
            deleteProducer
            newProducer
        }
        bad_config 1 {1} {
            set cases {
                {queue.buffering.max.messages abc}
                {linger.ms -5}
                {no.such.property 1}
                {debug all,typo}
            }
            lassign [pick $cases] key value
            set before [expr {[catch {m config $key} v] ? "<none>" : $v}]
            set err [kcall {m config $key $value}]
            set after [expr {[catch {m config $key} v] ? "<none>" : $v}]
            log "bad config $key=$value: $err"
            if {$err eq ""} { fail "config $key $value was accepted" }
            if {$before ne $after} { fail "rejected config $key $value changed it: \"$before\" -> \"$after\"" }
        }
        bad_header 1 {[llength [info commands ::tp]]} {
            set err [kcall {tp produce -partition 0 -headers [list "a\0b" v] -command [list ::torture::child::onDelivery 0] x}]
            log "header with NUL: $err"
            if {$err ne "_INVALID_ARG"} { fail "a header name with a NUL: $err (expected _INVALID_ARG)" }
        }
        start 5 {[llength [array names ::torture::child::started]] < 3} {
            set p [pick [lmap x {0 1 2} {expr {[info exists ::torture::child::started($x)] ? [continue] : $x}}]]
            set off [someOffset $p]
            set how [pick {pull stream queue}]
            set err [startPartition $p $off [expr {$how eq "stream"}] [expr {$how eq "queue"}]]
            log "tc start $p $off ($how) $err"
        }
        stop 2 {[llength [array names ::torture::child::started]]} {
            set p [pick [array names ::torture::child::started]]
            log "tc stop $p"
            if {[kcall {tc stop $p}] eq ""} { unsetStarted $p }
        }
        restart 2 {[llength [array names ::torture::child::started]]} {
            # stop then start elsewhere: the script moves itself.
            variable started
            set p [pick [array names started]]
            set mode $started($p)
            set off [someOffset $p]
            log "tc restart $p at $off ($mode)"
            if {[kcall {tc stop $p}] eq ""} {
                unsetStarted $p
                startPartition $p $off [expr {$mode eq "stream"}] [expr {$mode eq "queue"}]
            }
        }
        tc_consume 5 {[llength [array names ::torture::child::started]]} {
            set p [pick [array names ::torture::child::started]]
            set t [pick {0 50 300}]
            set err [kcall {
                timed $t "tc consume $p $t" { set got [tc consume $p $t msg] }
                if {$got} { observe tc [array get msg] }
            } {_CONFLICT _STATE}]
            array unset msg
            log "tc consume $p $t $err"
        }
        tc_batch 4 {[llength [array names ::torture::child::started]]} {
            set p [pick [array names ::torture::child::started]]
            batchOp tc [list tc consume_batch $p] $p
        }
        tc_sync_callback 2 {[llength [array names ::torture::child::started]]} {
            set p [pick [array names ::torture::child::started]]
            set err [kcall {timed 200 "tc consume_callback $p 200" {
                variable inSync 1
                tc consume_callback $p 200 {::torture::child::onStream tc}
            }} {_CONFLICT _STATE}]
            set inSync 0
            log "tc consume_callback $p 200 (sync) $err"
        }
        q_consume 3 {1} {
            set t [pick {0 50 300}]
            set err [kcall {
                timed $t "q consume $t" { set got [q consume $t msg] }
                if {$got} { observe q [array get msg] }
            } {_CONFLICT _STATE}]
            array unset msg
            log "q consume $t $err"
        }
        q_batch 3 {1} { batchOp q {q consume_batch} "" }
        q_stream 2 {1} {
            variable stream
            if {[info exists stream(q)] && [chance 0.5]} {
                log "q consume_callback {}"
                q consume_callback ""
                unset stream(q)
            } else {
                set err [kcall {q consume_callback {::torture::child::onStream q}} {_CONFLICT}]
                if {$err eq ""} { set stream(q) 1 }
                log "q consume_callback cmd $err"
            }
        }
        q_sync_callback 2 {1} {
            set err [kcall {timed 200 "q consume_callback 200" {
                variable inSync 1
                q consume_callback 200 {::torture::child::onStream q}
            }} {_CONFLICT _STATE}]
            set inSync 0
            log "q consume_callback 200 (sync) $err"
        }
        q_next 3 {1} { spawnWaiter q }
        cancel_waiter 3 {[array size ::torture::child::waiters]} {
            variable waiters
            set co [pick [array names waiters]]
            log "cancel [namespace tail $co]"
            unset waiters($co)
            rename $co ""
        }
        arm_stream 3 {1} {
            variable armed
            set reader [pick {tc q g}]
            set actions {stop delete update read rewind}
            if {$reader eq "g"} { set actions {stop close update read rewind} }
            set armed($reader) [pick $actions]
            log "arm $reader stream callback: $armed($reader)"
        }
        delete_tc 1 {1} { log "delete tc"; deleteTc }
        delete_q 1 {1} { log "delete q"; deleteQ }
        g_subscribe 2 {!$::torture::child::gsub} {
            variable topic
            variable gsub
            variable stream
            if {[chance 0.5]} {
                set err [kcall {g subscribe [list $topic] -command {::torture::child::onStream g}}]
                if {$err eq ""} { set stream(g) 1 }
            } else {
                set err [kcall {g subscribe [list $topic]}]
            }
            if {$err eq ""} { set gsub 1 }
            log "g subscribe [info exists stream(g)] $err"
        }
        g_poll 4 {$::torture::child::gsub} {
            set t [pick {0 100 500}]
            set err [kcall {
                timed $t "g poll $t" { set msg [g poll $t] }
                if {$msg ne ""} { observe g $msg }
            } {_CONFLICT _STATE}]
            log "g poll $t $err"
        }
        g_consume 2 {$::torture::child::gsub} {
            set t [pick {0 100 500}]
            set err [kcall {
                timed $t "g consume $t" { set got [g consume $t msg] }
                if {$got} { observe g [array get msg] }
            } {_CONFLICT _STATE}]
            array unset msg
            log "g consume $t $err"
        }
        g_batch 3 {$::torture::child::gsub} { batchOp g {g consume_batch} "" }
        g_next 2 {$::torture::child::gsub} { spawnWaiter g }
        g_stream 2 {$::torture::child::gsub} {
            variable stream
            if {[info exists stream(g)] && [chance 0.5]} {
                g consume_callback ""
                unset stream(g)
                log "g consume_callback {}"
            } else {
                set err [kcall {g consume_callback {::torture::child::onStream g}} {_CONFLICT}]
                if {$err eq ""} { set stream(g) 1 }
                log "g consume_callback cmd $err"
            }
        }
        g_seek 2 {[llength $::torture::child::assigned]} {
            variable topic
            variable expect
            variable assigned
            set p [pick $assigned]
            set off [someOffset $p]
            if {$off eq "end"} { set off beginning }
            set err [kcall {timed 5000 "g seek" {g seek $topic $p $off -timeout 5000}} {_STATE _TIMED_OUT}]
            if {$err eq ""} { set expect(g,$p) [expr {$off eq "beginning" ? 0 : $off}] }
            log "g seek $p $off $err"
        }
        g_pause 2 {[llength $::torture::child::assigned]} {
            variable topic
            variable paused
            variable assigned
            set p [pick $assigned]
            if {$p ni $paused && ![isKnown resume-unpaused] && [chance 0.2]} {
                # Never paused: resuming it must change nothing.
                kcall {g resume [list [list $topic $p]]}
                log "g resume $p (not paused)"
            } elseif {$p in $paused} {
                kcall {g resume [list [list $topic $p]]}
                set paused [lmap x $paused {expr {$x == $p ? [continue] : $x}}]
                log "g resume $p"
            } else {
                kcall {g pause [list [list $topic $p]]}
                lappend paused $p
                log "g pause $p"
            }
        }
        tc_pause 2 {1} {
            # The topic consumer's handle: a pause stays with the partition
            # across stop/start; a resume of one not paused changes nothing.
            variable topic
            variable tcPaused
            set p [pick {0 1 2}]
            if {$p in $tcPaused} {
                set err [kcall {c1 resume [list [list $topic $p]]}]
                if {$err eq ""} { set tcPaused [lmap x $tcPaused {expr {$x == $p ? [continue] : $x}}] }
                log "c1 resume $p $err"
            } elseif {[chance 0.3]} {
                # A list mixing one not paused with all those paused.
                set err [kcall {c1 resume [concat [list [list $topic $p]] [lmap x $tcPaused {list $topic $x}]]}]
                if {$err eq ""} { set tcPaused {} }
                log "c1 resume $p (not paused) and the paused ones $err"
            } else {
                set err [kcall {c1 pause [list [list $topic $p]]}]
                if {$err eq ""} { lappend tcPaused $p }
                log "c1 pause $p $err"
            }
        }
        g_close 2 {$::torture::child::gsub} {
            set opts {}
            if {[chance 0.5]} { set opts [list -timeout [pick {10 1000}]] }
            log "g close $opts: [timed 30000 "g close" {gClose $opts}]"
        }
        pump 8 {1} {
            set ms [pick {10 100 300}]
            log "pump $ms"
            pump $ms
        }
    }
    if {$kind eq "mock"} {
        lappend ops fault 2 {1} {
            set f [pick {retriable fatal rtt fetch down}]
            log "fault $f"
            switch -- $f {
                retriable { ::kafkatest::mockCluster push_errors Produce NOT_LEADER_FOR_PARTITION REQUEST_TIMED_OUT }
                fatal     { ::kafkatest::mockCluster push_errors Produce MSG_SIZE_TOO_LARGE }
                rtt       { ::kafkatest::mockCluster rtt 1 [pick {0 50 200}] }
                fetch     { ::kafkatest::mockCluster push_errors Fetch NOT_LEADER_FOR_PARTITION }
                down      { ::kafkatest::mockCluster broker_down 1; pump [pick {50 300}]; ::kafkatest::mockCluster broker_up 1 }
            }
        }
    }
    return $ops
}

# A consume_batch with a body that may break, raise, or rewind.
proc ::torture::child::batchOp {reader prefix p} {
    variable started
    set t [pick {0 100 300}]
    set count [expr {1 + [rnd 20]}]
    set stopAt [expr {[chance 0.5] ? [rnd $count] : -1}]
    set how [pick {break error read}]
    if {[chance 0.3]} { set how rewind }
    variable bi 0
    set body [list ::torture::child::batchBody $reader $stopAt $how]
    set code [catch {timed $t "$reader consume_batch $t" {
        {*}$prefix $t $count ::torture::child::bmsg "$body; if {\$::torture::child::bact eq {break}} break; if {\$::torture::child::bact eq {error}} {error planned}"
    }} res opts]
    if {$code && $res ne "planned"} {
        set ec [dict get $opts -errorcode]
        if {[lindex $ec 0] ne "KAFKA"} { fail "$reader consume_batch: error without KAFKA errorCode: $res" }
        set res "error [lindex $ec 1]"
    }
    log "$reader consume_batch $t $count (stop at $stopAt: $how): $res"
}

proc ::torture::child::batchBody {reader stopAt how} {
    variable bi
    variable bact ""
    variable bmsg
    variable expect
    variable started
    set msg [array get bmsg]
    observe $reader $msg
    if {$bi == $stopAt} {
        if {$how eq "rewind"} {
            streamAction $reader $msg rewind
            set bact break
        } elseif {$how eq "read"} {
            streamAction $reader $msg read
        } else {
            set bact $how
        }
    }
    incr bi
}

proc ::torture::child::newProducer {} {
    variable topic
    m create_producer ::p
    p new_topic ::tp $topic
}

proc ::torture::child::main {seed steps knownNames} {
    variable kind $::kafkatest::kind
    variable topic
    variable knownOn $knownNames
    variable step
    variable failures
    variable smallQueue 0
    expr {srand($seed)}
    puts "torture: seed $seed, $steps steps, $kind cluster, known left out: $knownNames"

    set topic [::kafkatest::newTopic]
    set m [::kafkatest::master]
    rename $m ::m
    m topic_config message.timeout.ms 20000
    m decode text
    newProducer
    m create_consumer ::c1
    tcFresh
    c1 create_queue ::q
    set mg [::kafkatest::master group.id [::kafkatest::uniqueName grp] \
                auto.offset.reset earliest session.timeout.ms 6000 \
                enable.auto.commit false]
    rename $mg ::mg
    mg decode text
    mg create_consumer ::g
    g rebalance_callback ::torture::child::onRebalance

    set ops [ops]
    for {set step 1} {$step <= $steps} {incr step} {
        set choices {}
        set total 0
        foreach {name w pre action} $ops {
            if {[namespace eval ::torture::child [list expr $pre]]} {
                lappend choices $name $w $action
                incr total $w
            }
        }
        set r [rnd $total]
        foreach {name w action} $choices {
            if {$r < $w} break
            incr r -$w
        }
        if {[catch {apply [list {} $action ::torture::child]} err opts]} {
            fail "operation $name raised: $err ([dict get $opts -errorcode])\n[dict get $opts -errorinfo]"
        }
        checkWaiters
        # KAFKATEST_TORTURE_KEEPGOING=1 (for diagnosis): go on after a failure.
        if {[llength $failures] && ![info exists ::env(KAFKATEST_TORTURE_KEEPGOING)]} { return [finish $seed] }
    }
    set step end
    drain
    return [finish $seed]
}

# The end: every report arrives, every reader gets up to what was delivered.
proc ::torture::child::drain {} {
    variable state
    variable reports
    variable expect
    variable maxOff
    variable started
    variable armedDr ""
    variable armed
    variable paused
    variable topic
    array unset armed
    log "drain"
    mockUp
    if {[llength [info commands ::p]]} { timed 20000 "final flush" { p flush 20000 } }
    set deadline [expr {[clock milliseconds] + 20000}]
    while {[clock milliseconds] < $deadline && [llength [missingReports]]} { pump 50 }
    set missing [missingReports]
    if {[llength $missing]} {
        fail "[llength $missing] messages without a delivery report, e.g. [lrange $missing 0 9]"
    }
    foreach p $paused { catch {g resume [list [list $topic $p]]} }
    variable tcPaused
    foreach p $tcPaused { catch {c1 resume [list [list $topic $p]]} }
    # Every reader still reading catches up with what was delivered.
    set deadline [expr {[clock milliseconds] + 20000}]
    while {[clock milliseconds] < $deadline} {
        set behind [behind]
        if {![llength $behind]} break
        foreach {ctx e} $behind {
            lassign [split $ctx ,] reader p
            switch -- $reader {
                tc { if {$started($p) eq "pull"} { drainErr $ctx {if {[tc consume $p 50 msg]} {observe tc [array get msg]}}; array unset msg } }
                q  { if {![info exists ::torture::child::stream(q)] && ![activeWaiters q]} { drainErr $ctx {if {[q consume 50 msg]} {observe q [array get msg]}}; array unset msg } }
                g  { if {![info exists ::torture::child::stream(g)] && ![activeWaiters g]} { drainErr $ctx {set gm [g poll 50]; if {$gm ne ""} {observe g $gm}} } }
            }
        }
        pump 20
    }
    foreach {ctx e} [behind] {
        lassign [split $ctx ,] reader p
        fail "$reader partition $p: stuck at offset $e, delivered up to $maxOff($p)"
    }
    checkWaiters
}

# Runs a drain read in the caller; logs its error once per ctx and error.
proc ::torture::child::drainErr {ctx script} {
    variable drainLogged
    if {[catch {uplevel 1 $script} msg opts]} {
        set key $ctx,[lindex [dict get $opts -errorcode] 1]
        if {![info exists drainLogged($key)]} {
            set drainLogged($key) 1
            log "  (drain $ctx: $msg)"
        }
    }
}

# Readers (ctx expected) whose next expected offset is not past the last delivered one.
proc ::torture::child::behind {} {
    variable expect
    variable maxOff
    set out {}
    variable tolerate
    foreach ctx [array names expect] {
        if {[info exists tolerate($ctx)]} continue
        set p [lindex [split $ctx ,] 1]
        set e $expect($ctx)
        if {[info exists maxOff($p)] && ($e eq "any" || $e <= $maxOff($p))} {
            # "any": started at the end or just assigned; nothing to claim
            # unless it has seen something.
            if {$e eq "any"} continue
            lappend out $ctx $e
        }
    }
    return $out
}

proc ::torture::child::missingReports {} {
    variable state
    variable reports
    set out {}
    foreach id [array names state] {
        if {$state($id) ne "refused" && ![info exists reports($id)]} { lappend out $id }
    }
    return $out
}

proc ::torture::child::mockUp {} {
    variable kind
    if {$kind ne "mock"} return
    ::kafkatest::mockCluster broker_up 1
    ::kafkatest::mockCluster rtt 1 0
    ::kafkatest::mockCluster clear_errors Produce
    ::kafkatest::mockCluster clear_errors Fetch
}

proc ::torture::child::finish {seed} {
    variable failures
    variable state
    variable seen
    variable step
    set n [array size state]
    set r [llength [lmap id [array names state] {expr {$state($id) in {delivered failed} ? 1 : [continue]}}]]
    if {[llength $failures]} {
        foreach f $failures { puts "FAIL: $f" }
        puts "TORTURE FAIL seed $seed at step $step: [lindex $failures 0]"
        return 1
    }
    variable retryCopies
    puts "TORTURE PASS seed $seed: $n messages, $r reported, $seen seen, $retryCopies retry copies"
    return 0
}

# ---------------------------------------------------------------- the driver

proc ::torture::knownNames {spec} {
    variable known
    switch -- $spec {
        all { return [lmap {name issue what} $known {set name}] }
        none { return {} }
        default { return $spec }
    }
}

# Runs seed in a child process, killed after boundMs; returns
# {ok|fail|hang|died output}.
proc ::torture::runChild {seed steps knownSpec boundMs} {
    set runner [list [info nameofexecutable]]
    if {[info exists ::env(KAFKATEST_CHECKER_PREFIX)]} {
        set runner [list {*}$::env(KAFKATEST_CHECKER_PREFIX) {*}$runner]
    }
    variable script
    set chan [open |[list {*}$runner $script child $seed $steps [knownNames $knownSpec] 2>@1]]
    fconfigure $chan -blocking 0 -buffering line
    variable out ""
    variable done 0
    fileevent $chan readable [list apply {{chan} {
        append ::torture::out [read $chan]
        if {[eof $chan]} { set ::torture::done 1 }
    }} $chan]
    set timer [after $boundMs {set ::torture::done hang}]
    vwait ::torture::done
    after cancel $timer
    if {$done eq "hang"} {
        foreach p [pid $chan] { catch {exec kill -9 $p} }
        catch {close $chan}
        return [list hang $out]
    }
    fconfigure $chan -blocking 1
    set rc [catch {close $chan} err]
    if {[string match "*TORTURE PASS*" $out] && !$rc} { return [list ok $out] }
    if {[string match "*TORTURE FAIL*" $out]} { return [list fail $out] }
    return [list died "$out\n(child: $err)"]
}

proc ::torture::tail {text n} {
    join [lrange [split [string trimright $text] \n] end-[expr {$n - 1}] end] \n
}

# run ?-seconds N? ?-seed S? ?-steps N? ?-broker mock|real? ?-known SPEC? ?-bound MS?
proc ::torture::drive {argv} {
    set seconds ""
    set seed ""
    set steps 60
    set broker mock
    set knownSpec all
    set bound 120000
    foreach {opt value} $argv {
        switch -- $opt {
            -seconds { set seconds $value }
            -seed { set seed $value }
            -steps { set steps $value }
            -broker { set broker $value }
            -known { set knownSpec $value }
            -bound { set bound $value }
            default {
                puts stderr "torture: unknown option \"$opt\": use -seconds N, -seed S, -steps N,\
                        -broker mock|real, -known all|none|LIST, -bound MS"
                return 2
            }
        }
    }
    foreach {name value} [list -seconds $seconds -seed $seed -steps $steps -bound $bound] {
        if {$value ne "" && ![string is integer -strict $value]} {
            puts stderr "torture: $name needs an integer, not \"$value\""
            return 2
        }
    }
    if {$broker ni {mock real}} { puts stderr "torture: -broker must be mock or real"; return 2 }
    # One sequence for a given seed; else as many as fit into -seconds (60).
    if {$seconds eq ""} { set seconds [expr {$seed eq "" ? 60 : 0}] }
    if {$seed eq ""} { set seed [expr {[clock milliseconds] % 1000000}] }
    unset -nocomplain ::env(KAFKATEST_BROKERS)
    if {$broker eq "real"} {
        if {[info exists ::env(KAFKA_BROKERS)] && $::env(KAFKA_BROKERS) ne ""} {
            set ::env(KAFKATEST_BROKERS) $::env(KAFKA_BROKERS)
        } else {
            source [file join [file dirname [info script]] broker.tcl]
            set ::env(KAFKATEST_BROKERS) [::kafkatest::broker::start]
        }
    }
    puts "torture: $broker cluster, from seed $seed, $steps steps a sequence, $seconds s, known left out: [knownNames $knownSpec]"
    set end [expr {[clock seconds] + $seconds}]
    set runs 0
    set failed 0
    while 1 {
        set t0 [clock milliseconds]
        lassign [runChild $seed $steps $knownSpec $bound] status out
        incr runs
        set took [expr {([clock milliseconds] - $t0) / 1000.0}]
        if {$status ne "ok"} {
            puts [tail $out 40]
            puts "torture: seed $seed: $status after $took s; replay: tclsh build.tcl torture -seed $seed -steps $steps -broker $broker[expr {$knownSpec eq "all" ? "" : " -known [list $knownSpec]"}]"
            set failed 1
            break
        }
        puts "torture: seed $seed ok ($took s): [lindex [split [string trim $out] \n] end]"
        flush stdout
        if {[clock seconds] >= $end} break
        incr seed
    }
    if {$broker eq "real" && [namespace exists ::kafkatest::broker]} { ::kafkatest::broker::stop }
    puts "torture: $runs sequences run, $failed failed"
    return $failed
}

if {[info exists ::argv0] && [file normalize $::argv0] eq [file normalize [info script]]} {
    switch -- [lindex $argv 0] {
        child {
            lassign $argv - seed steps knownNames
            set ::argv {}
            source [file join [file dirname [info script]] common.tcl]
            set rc [::torture::child::main $seed $steps $knownNames]
            flush stdout
            # Leave at once: the objects' deletion is not what is checked
            # here (and deleting a group consumer can wait for its cluster).
            exit $rc
        }
        run { exit [::torture::drive [lrange $argv 1 end]] }
        default { puts stderr "usage: torture.tcl child SEED STEPS ?KNOWN? | run ?options?"; exit 2 }
    }
}
