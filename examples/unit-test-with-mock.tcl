# unit-test-with-mock.tcl -- testing your own Kafka code with tcltest and
# librdkafka's in-process mock cluster: no broker, no JVM, and faults on
# demand.
#
#	tclsh examples/unit-test-with-mock.tcl

if {[info exists env(KAFKATCL_LIBDIR)]} {
    set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
}
package require kafka
package require tcltest 2.5
namespace import ::tcltest::*

# ---- the code under test: publishes flight positions, reports failures ----
proc publisher {master topic} {
    set ::producer [$master create_producer #auto]
    return [$::producer new_topic #auto $topic]
}
proc publish {topicObj flight position} {
    $topicObj produce -key $flight -headers [list schema position/v1] $position
}

# ---- the tests -----------------------------------------------------------
proc setupCluster {} {
    set ::cluster [::kafka::mock create #auto -brokers 3]
    $::cluster create_topic positions 3
    set ::master [::kafka::kafka create #auto]
    $::master config bootstrap.servers [$::cluster bootstrap]
    $::master logger callback {apply {args {}}}
    set ::reports {}
    set ::partitions {}
    $::master set_delivery_report_callback {apply {{r} {
        lappend ::reports [dict get $r error]
        lappend ::partitions [dict get $r partition]
    }}}
}
proc cleanupCluster {} {
    $::master delete
    $::cluster delete
}

test publish-1 {a published position can be read back with its key and header} -setup setupCluster -body {
    set t [publisher $master positions]
    publish $t BA117 "51.47,-0.45"
    $producer flush 30000
    # The delivery report says which partition the message went to.
    set p [lindex $partitions 0]
    set consumer [$master create_consumer #auto]
    set in [$consumer new_topic #auto positions]
    $in consume_start $p beginning
    set found {}
    if {[$in consume $p 10000 msg]} { set found [list $msg(key) $msg(payload) $msg(headers)] }
    set found
} -cleanup cleanupCluster -result {BA117 51.47,-0.45 {schema position/v1}}

test publish-2 {a leader change during produce is retried, nothing is lost} -setup setupCluster -body {
    set t [publisher $master positions]
    $cluster push_errors Produce NOT_LEADER_FOR_PARTITION
    publish $t AF1 "48.85,2.35"
    $producer flush 30000
    set reports
} -cleanup cleanupCluster -result {{}}

test publish-3 {with all brokers down the message fails after message.timeout.ms} -setup setupCluster -body {
    $master topic_config message.timeout.ms 1000
    set t [publisher $master positions]
    $producer info partitions positions
    foreach id {1 2 3} { $cluster broker_down $id }
    publish $t LH400 "50.03,8.57"
    # flush returns as soon as the report is in; the bound only matters on
    # a loaded machine, where librdkafka's once-a-second timeout scan lags.
    $producer flush 30000
    set reports
} -cleanup cleanupCluster -result _MSG_TIMED_OUT

cleanupTests
