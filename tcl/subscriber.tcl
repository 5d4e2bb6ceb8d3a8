# subscriber.tcl --
#
#	kafka::subscriber ?groupId|#auto? ?-brokers brokerList?
#
#	The later KafkaTcl's way to make a subscriber (see "$master subscriber"
#	in kafka.man, which has the methods): one made from the easy interface's
#	shared master ::kafka::master, then configured on its own copy of that
#	master's configuration:
#	    group.id            groupId (none or #auto: left as configured)
#	    bootstrap.servers   the master's: kafka::brokers, which -brokers sets
#	    auto.offset.reset   earliest, as in the later KafkaTcl
#	The command is named after groupId when no command of that name exists
#	(kafka::subscriber mySub; mySub subscribe t), else it gets an automatic
#	name kafka_subscriberN; the result is always the command's name.

namespace eval ::kafka {
    namespace export subscriber
}

proc ::kafka::subscriber {args} {
    set usage "wrong # args: should be \"kafka::subscriber ?groupId|#auto? ?-brokers brokerList?\""
    set group #auto
    if {[llength $args] % 2} {
        set args [lassign $args group]
    }
    if {$group eq ""} {
        ArgError "groupId must not be empty"
    }
    foreach {option value} $args {
        if {$option ne "-brokers"} {
            if {[string match -* $option]} { ArgError "bad option \"$option\": must be -brokers" }
            ArgError $usage
        }
        CheckBrokerList $value
    }
    # The shared master, its bootstrap.servers from kafka::brokers (which
    # -brokers sets), as the later KafkaTcl does.
    setup {*}$args
    # Named after the group, in the caller's namespace, when that name is free.
    set name #auto
    if {$group ne "#auto" && [uplevel 1 [list namespace which -command $group]] eq ""} {
        set name [uplevel 1 [list ::kafka::InCallerNamespace $group]]
    }
    set sub [::kafka::master subscriber $name]
    try {
        if {$group ne "#auto"} { $sub config group.id $group }
        $sub config auto.offset.reset earliest
    } on error {message options} {
        $sub delete
        return -options $options $message
    }
    if {$name ne "#auto"} { return $group }
    return $sub
}
