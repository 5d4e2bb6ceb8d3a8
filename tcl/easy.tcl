# easy.tcl --
#
#	The "easy interface" of the later KafkaTcl: one shared master, producer
#	handle and consumer handle per interpreter, created on first use.
#
#	kafka::brokers LIST                  set the brokers used by the shared handles
#	kafka::topic_producer NAME TOPIC     create topic producer command NAME
#	kafka::topic_consumer NAME TOPIC     create topic consumer command NAME

namespace eval ::kafka {
    namespace export brokers topic_producer topic_consumer
    # Names of the shared objects once created.
    variable easy [dict create brokers {} master {} producer {} consumer {}]
}

# Raises a KAFKA _INVALID_ARG error (errorCode {KAFKA _INVALID_ARG message})
# from the calling procedure.
proc ::kafka::ArgError {message} {
    return -level 2 -code error -errorcode [list KAFKA _INVALID_ARG $message] $message
}

# kafka::brokers ?LIST? -- set (or, with no argument, return) the broker list.
# Handles already created are given the new brokers too.
proc ::kafka::brokers {args} {
    variable easy
    if {[llength $args] > 1} {
        ArgError "wrong # args: should be \"kafka::brokers ?brokerList?\""
    }
    if {[llength $args] == 0} {
        return [dict get $easy brokers]
    }
    set list [lindex $args 0]
    if {![string is list $list]} {
        ArgError "brokerList must be a list of host:port addresses"
    }
    dict set easy brokers $list
    if {[dict get $easy master] ne ""} {
        [dict get $easy master] config bootstrap.servers [join $list ,]
    }
    foreach kind {producer consumer} {
        set handle [dict get $easy $kind]
        if {$handle ne "" && [llength $list] && [llength [info commands $handle]]} {
            $handle add_brokers $list
        }
    }
    return $list
}

# The shared handle of one kind, created (with its master) on demand.
proc ::kafka::EasyHandle {kind} {
    variable easy
    set master [dict get $easy master]
    if {$master eq "" || ![llength [info commands $master]]} {
        set master ::[::kafka::kafka create #auto]
        if {[llength [dict get $easy brokers]]} {
            $master config bootstrap.servers [join [dict get $easy brokers] ,]
        }
        dict set easy master $master
        dict set easy producer {}
        dict set easy consumer {}
    }
    set handle [dict get $easy $kind]
    if {$handle eq "" || ![llength [info commands $handle]]} {
        set handle ::[$master create_$kind #auto]
        dict set easy $kind $handle
    }
    return $handle
}

# Arity checked here, not by proc, so that the error is a KAFKA one.
proc ::kafka::topic_producer {args} {
    if {[llength $args] != 2} {
        ArgError "wrong # args: should be \"kafka::topic_producer cmdName topic\""
    }
    return [[EasyHandle producer] new_topic {*}$args]
}

proc ::kafka::topic_consumer {args} {
    if {[llength $args] != 2} {
        ArgError "wrong # args: should be \"kafka::topic_consumer cmdName topic\""
    }
    return [[EasyHandle consumer] new_topic {*}$args]
}
