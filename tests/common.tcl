# common.tcl --
#
#	Sourced by every .test file: loads the freshly built package and tells
#	the tests which cluster to talk to.
#
#	Run by tests/all.tcl, KAFKATEST_BROKERS names the cluster (the real
#	broker the runner started, or the user's KAFKA_BROKERS). Run alone, or in
#	the quick tier, each test file starts librdkafka's in-process mock
#	cluster instead.

package require tcltest 2.5
namespace import -force ::tcltest::*

namespace eval ::kafkatest {}
set ::kafkatest::dir [file dirname [file normalize [info script]]]
if {[info exists ::env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $::env(KAFKATCL_LIBDIR)]
} else {
    set auto_path [linsert $auto_path 0 [file join $::kafkatest::dir .. build lib]]
}
package require kafka

namespace eval ::kafkatest {
    variable kind       ;# real | mock
    variable bootstrap  ;# bootstrap.servers
    variable seq 0

    if {[info exists ::env(KAFKATEST_BROKERS)] && $::env(KAFKATEST_BROKERS) ne ""} {
        set kind real
        set bootstrap $::env(KAFKATEST_BROKERS)
    } else {
        set kind mock
        ::kafka::mock create ::kafkatest::mockCluster -brokers 1
        set bootstrap [mockCluster bootstrap]
    }
    ::tcltest::testConstraint realBroker [expr {$kind eq "real"}]
    ::tcltest::testConstraint mockBroker [expr {$kind eq "mock"}]

    # The secured listeners (security.test), from KAFKATEST_SSL_* and
    # KAFKATEST_SASL_* (set by all.tcl for its broker, see
    # ::kafkatest::broker::security): a dict keyed by the lower-case rest of
    # the name, e.g. ssl_brokers, ssl_ca, sasl_plain_password.  Constraints
    # sslBroker and saslBroker; when false, unavailable(ssl|sasl) says why.
    variable security {}
    variable unavailable
    apply {{} {
        variable kind
        variable security
        variable unavailable
        foreach name [array names ::env KAFKATEST_*] {
            if {[regexp {^KAFKATEST_((?:SSL|SASL)_.*)$} $name -> key]} {
                dict set security [string tolower $key] $::env($name)
            }
        }
        foreach {what keys} {
            ssl  {ssl_brokers ssl_ca ssl_untrusted_ca ssl_client_cert
                  ssl_client_key ssl_client_key_password}
            sasl {sasl_brokers sasl_plain_user sasl_plain_password
                  sasl_scram_user sasl_scram_password}
        } {
            set missing [lmap k $keys {
                if {[dict exists $security $k]} continue
                string cat KAFKATEST_ [string toupper $k]
            }]
            if {$kind eq "mock"} {
                set unavailable($what) "the mock cluster (quick tier, or a test\
                        file run alone) has no [string toupper $what] listener"
            } elseif {[dict exists $security ${what}_unavailable]} {
                set unavailable($what) [dict get $security ${what}_unavailable]
            } elseif {[llength $missing]} {
                set unavailable($what) "not set: [join $missing {, }] (the\
                        test broker sets them; for KAFKA_BROKERS set them yourself)"
            } else {
                set unavailable($what) ""
            }
            ::tcltest::testConstraint ${what}Broker [expr {$unavailable($what) eq ""}]
        }
    } ::kafkatest}

    # The schema registry (tests/registry.tcl): KAFKATEST_REGISTRY, its base
    # URL, set by all.tcl in the full tier for files with registry tests.
    # Constraint registry; when false, unavailable(registry) says why.
    variable registryUrl ""
    if {[info exists ::env(KAFKATEST_REGISTRY)] && $::env(KAFKATEST_REGISTRY) ne ""} {
        set registryUrl $::env(KAFKATEST_REGISTRY)
        set unavailable(registry) ""
    } elseif {[info exists ::env(KAFKATEST_REGISTRY_UNAVAILABLE)]} {
        set unavailable(registry) $::env(KAFKATEST_REGISTRY_UNAVAILABLE)
    } else {
        set unavailable(registry) "no schema registry: the full tier\
                (tclsh build.tcl test) starts one, or set KAFKATEST_REGISTRY"
    }
    ::tcltest::testConstraint registry [expr {$registryUrl ne ""}]

    # Versions, for the tests of features that need a newer librdkafka or
    # broker: librdkafka's (of the loaded library, "2.0.2") and the broker's
    # (KAFKATEST_KAFKA_VERSION: all.tcl sets it for its own broker; with
    # KAFKA_BROKERS set it yourself; "" when unknown, and for the mock).
    # Constraints rdkafkaX.Y(.Z): librdkafka is X.Y(.Z) or later;
    # kafka4.0: the real broker is 4.0 or later.
    variable rdkafkaVersion [regsub {^(\d+(?:\.\d+)*).*$} [::kafka::kafka version] {\1}]
    variable kafkaVersion ""
    if {$kind eq "real" && [info exists ::env(KAFKATEST_KAFKA_VERSION)]} {
        set kafkaVersion [regsub {^(\d+(?:\.\d+)*).*$} $::env(KAFKATEST_KAFKA_VERSION) {\1}]
    }
    proc atLeast {have want} {
        expr {$have ne "" && [package vcompare $have $want] >= 0}
    }
    # rdkafkaBeforeX.Y: the opposite (no "-" in a constraint name: tcltest would read it as an expression).
    foreach v {2.1 2.2 2.3 2.4 2.5 2.6 2.6.1 2.10 2.11 2.12} {
        ::tcltest::testConstraint rdkafka$v [atLeast $rdkafkaVersion $v]
        ::tcltest::testConstraint rdkafkaBefore$v [expr {![atLeast $rdkafkaVersion $v]}]
    }
    # The resource types librdkafka names in "bad resource type" errors.
    variable resourceTypes "UNKNOWN, ANY, TOPIC, GROUP, BROKER[expr {
            [atLeast $rdkafkaVersion 2.6] ? ", TRANSACTIONAL_ID" : ""}]"
    ::tcltest::testConstraint kafka4.0 [atLeast $kafkaVersion 4.0]
    # librdkafka before 2.6.1 appends its nonce twice in SCRAM's final
    # message; Kafka 4 checks the nonce strictly (RFC 5802) and refuses the
    # login with "invalid credentials" (librdkafka issue 4895, fixed in 2.6.1).
    ::tcltest::testConstraint scramLogin [expr {[atLeast $rdkafkaVersion 2.6.1]
            || ![atLeast $kafkaVersion 4.0]}]
    ::tcltest::testConstraint scramNonceBug [expr {![::tcltest::testConstraint scramLogin]}]

    # A topic name no other test (or earlier run against the same broker) used.
    proc uniqueName {{prefix kt}} {
        variable seq
        return $prefix-[pid]-[clock milliseconds]-[incr seq]
    }

    # A new topic with 3 partitions, ready for use. On the real broker it is
    # auto-created (num.partitions=3) by asking a producer for its metadata.
    proc newTopic {} {
        variable kind
        variable bootstrap
        set topic [uniqueName]
        if {$kind eq "mock"} {
            mockCluster create_topic $topic 3
            return $topic
        }
        set master [::kafka::kafka create #auto]
        $master config bootstrap.servers $bootstrap
        set producer [$master create_producer #auto]
        set deadline [expr {[clock milliseconds] + 20000}]
        while {[catch {$producer info partitions $topic -timeout 5000} n]} {
            if {[clock milliseconds] > $deadline} {
                $master delete
                error "topic $topic was not created: $n"
            }
            after 100
        }
        $master delete
        return $topic
    }

    # A master configured for the test cluster, plus any extra config pairs.
    proc master {args} {
        variable bootstrap
        set m [::kafka::kafka create #auto]
        $m config bootstrap.servers $bootstrap {*}$args
        return $m
    }

    # Waits in the event loop until `cond` (an expression, in the caller's
    # scope) is true or timeoutMs passed; returns the condition's final value.
    namespace export waitFor
    proc waitFor {cond {timeoutMs 15000}} {
        set deadline [expr {[clock milliseconds] + $timeoutMs}]
        while {![uplevel 1 [list expr $cond]] && [clock milliseconds] < $deadline} {
            after 20 {set ::kafkatest::tick 1}
            vwait ::kafkatest::tick
        }
        uplevel 1 [list expr $cond]
    }

    # Consumes from topic object $t, partition $p, until $n messages arrived or
    # the deadline passed; returns a list of dicts (the array contents).
    proc consumeN {t p n {timeoutMs 15000}} {
        set got {}
        set deadline [expr {[clock milliseconds] + $timeoutMs}]
        while {[llength $got] < $n && [clock milliseconds] < $deadline} {
            if {[$t consume $p 500 msg]} {
                lappend got [array get msg]
                array unset msg
            }
        }
        return $got
    }

    # Runs `script` in a child tclsh, so that an abort or a crash there fails
    # the test, not the suite. The child has the package loaded, ::kind
    # (mock|real) and ::bootstrap: the real broker's, or on the mock tier
    # that of its own mock cluster ::mc (one broker). Returns
    # {status output}: status is the exit code, "killed SIGNAL" when a
    # signal ended it, or "timeout" after timeoutMs (then it is killed);
    # output is its stdout and stderr together.
    namespace export inChild
    proc inChild {script {timeoutMs 120000}} {
        variable kind
        variable bootstrap
        set prelude [list set auto_path $::auto_path]\n[list set ::kind $kind]\n
        append prelude "package require kafka\n"
        if {$kind eq "mock"} {
            append prelude "::kafka::mock create ::mc -brokers 1\nset ::bootstrap \[::mc bootstrap\]\n"
        } else {
            append prelude [list set ::bootstrap $bootstrap]\n
        }
        set chan [open |[list [info nameofexecutable] << $prelude$script 2>@1] r]
        fconfigure $chan -blocking 0 -translation binary
        set var ::kafkatest::child[incr ::kafkatest::seq]
        array set $var {out "" done 0}
        fileevent $chan readable [list apply {{chan var} {
            append ${var}(out) [read $chan]
            if {[eof $chan]} { set ${var}(done) 1 }
        }} $chan $var]
        set timer [after $timeoutMs [list set ${var}(done) timeout]]
        vwait ${var}(done)
        after cancel $timer
        set status 0
        if {[set ${var}(done)] eq "timeout"} {
            catch {exec kill -9 {*}[pid $chan]}
            set status timeout
        }
        fconfigure $chan -blocking 1
        if {[catch {close $chan} err opts]} {
            set code [dict get $opts -errorcode]
            switch -- [lindex $code 0] {
                CHILDSTATUS { if {$status ne "timeout"} { set status [lindex $code 2] } }
                CHILDKILLED { if {$status ne "timeout"} { set status [list killed [lindex $code 2]] } }
            }
        }
        set out [set ${var}(out)]
        unset $var
        list $status $out
    }

    # Like inChild, but the child has sourced this file, so the ::kafkatest
    # procs are there and it talks to the same kind of cluster (the real
    # broker, or a mock of its own). Returns {exitCode output}.
    proc inChildSuite {script {timeoutSeconds 120}} {
        set child [list source [file join $::kafkatest::dir common.tcl]]\n$script
        set timeout [auto_execok timeout]
        set command [expr {$timeout ne "" ? [list {*}$timeout -s KILL $timeoutSeconds] : {}}]
        set code [catch {exec {*}$command [info nameofexecutable] << $child 2>@1} out opts]
        if {!$code} { return [list 0 $out] }
        set status [lindex [dict get $opts -errorcode] 0]
        if {$status eq "CHILDSTATUS"} { return [list [lindex [dict get $opts -errorcode] 2] $out] }
        if {$status eq "CHILDKILLED"} { return [list [lindex [dict get $opts -errorcode] 2] $out] }
        return [list 0 $out] ;# only stderr output: exec's "error" with exit code 0
    }

    # Runs `script` in a child tclsh, for a case that could abort the process:
    # an abort then fails the test, not the whole test file. The child has
    # this process's package (auto_path; the environment, e.g. the ASan
    # runtime, is inherited), ::bootstrap (a mock cluster of this process
    # serves the child too: it listens on real sockets), and the globals of
    # the dict `vars`. Returns {status output}: status is the exit code, or
    # the signal's name (SIGABRT) when the child was killed; output is its
    # stdout and stderr together.
    proc child {vars script} {
        variable bootstrap
        set prelude [list set auto_path $::auto_path]\n[list set ::bootstrap $bootstrap]\n
        dict for {name value} $vars { append prelude [list set ::$name $value] \n }
        append prelude "package require kafka\n"
        if {![catch {exec [info nameofexecutable] << $prelude$script 2>@1} out opts]} {
            return [list 0 $out]
        }
        set code [dict get $opts -errorcode]
        switch -- [lindex $code 0] {
            CHILDSTATUS { return [list [lindex $code 2] $out] }
            CHILDKILLED { return [list [lindex $code 2] $out] }
            default { return [list [lindex $code 0] $out] }
        }
    }

    # Hex of a byte array, for comparing binary payloads.
    proc hex {bytes} {
        binary scan $bytes H* h
        return $h
    }
}
