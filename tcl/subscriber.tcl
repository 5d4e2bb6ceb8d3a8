# subscriber.tcl --
#
#	kafka::subscriber, the later KafkaTcl's name for a group consumer:
#
#	kafka::subscriber name|#auto       create a subscriber command
#	$sub config ?key? ?value ...?      librdkafka configuration (group.id, ...);
#	                                   takes effect when the consumer starts
#	$sub subscribe topicList           join the group for these topics (or ^regex)
#	$sub unsubscribe
#	$sub assignments                   {{topic partition} ...} now assigned
#	$sub assign partitions             assign {{topic partition ?offset?} ...} by hand
#	$sub consume timeoutMs ?arrayName? one message: a dict ("" if none), or with
#	                                   arrayName fill the array and return 1/0
#	$sub callback ?command?            deliver each message to command through the
#	                                   event loop ("" stops)
#	$sub commit ?-async? ?offsets?     commit consumed (or the given) offsets
#	$sub handle                        the underlying consumer handle, for the rest
#	$sub delete                        leave the group and destroy the subscriber
#
#	Brokers come from kafka::brokers unless bootstrap.servers is configured.

namespace eval ::kafka {
    namespace export subscriber
    variable subscriberSeq 0
}

proc ::kafka::subscriber {args} {
    variable subscriberSeq
    if {[llength $args] > 1} {
        ArgError "wrong # args: should be \"kafka::subscriber ?cmdName?\""
    }
    set name #auto
    if {[llength $args]} { set name [lindex $args 0] }
    if {$name eq ""} {
        ArgError "object name must not be empty"
    }
    if {$name eq "#auto"} {
        while {[llength [info commands ::kafka_subscriber$subscriberSeq]]} { incr subscriberSeq }
        set name kafka_subscriber$subscriberSeq
        incr subscriberSeq
    }
    set cmd [uplevel 1 [list namespace which -command $name]]
    if {$cmd ne ""} {
        ArgError "command \"$name\" already exists"
    }
    # The master lives in the subscriber's own namespace; the consumer handle
    # is made on first use, so configuration set before that takes effect.
    set ns ::kafka::Subscriber::[string map {:: _} $name]
    namespace eval $ns {}
    set master [::kafka::kafka create ${ns}::master]
    if {[llength [::kafka::brokers]]} {
        $master config bootstrap.servers [join [::kafka::brokers] ,]
    }
    interp alias {} $name {} ::kafka::SubscriberDo $ns
    # Deleting the command (delete or rename to "") removes the subscriber.
    trace add command $name delete [list ::kafka::SubscriberGone $ns]
    return $name
}

proc ::kafka::SubscriberGone {ns args} {
    catch {${ns}::master delete}
    namespace delete $ns
}

proc ::kafka::SubscriberHandle {ns} {
    if {![llength [info commands ${ns}::handle]]} {
        ${ns}::master create_consumer ${ns}::handle
    }
    return ${ns}::handle
}

proc ::kafka::SubscriberDo {ns method args} {
    set methods {config subscribe unsubscribe assignments assign consume callback commit handle delete}
    if {$method ni $methods} {
        set list [join [lrange $methods 0 end-1] ", "]
        ArgError "bad method \"$method\": must be $list, or [lindex $methods end]"
    }
    if {$method in {handle delete} && [llength $args]} {
        ArgError "wrong # args: should be \"subscriber $method\""
    }
    if {$method ne "delete" && ![llength [info commands ${ns}::master]]} {
        # Someone deleted the subscriber's master (a KafkaTcl object, so it
        # can be): its configuration is gone, the subscriber cannot go on.
        set message "this subscriber's master ${ns}::master was deleted: delete the subscriber"
        return -code error -errorcode [list KAFKA _DESTROY $message] $message
    }
    switch -- $method {
        config      { return [SubscriberCall ${ns}::master config config $args] }
        assignments { return [SubscriberCall [SubscriberHandle $ns] assignment assignments $args] }
        callback    { return [SubscriberCall [SubscriberHandle $ns] consume_callback callback $args] }
        handle      { return [SubscriberHandle $ns] }
        consume {
            if {[llength $args] == 1} { return [[SubscriberHandle $ns] poll {*}$args] }
            if {[llength $args] == 2} {
                upvar 1 [lindex $args 1] array
                return [[SubscriberHandle $ns] consume [lindex $args 0] array]
            }
            ArgError "wrong # args: should be \"subscriber consume timeoutMs ?arrayName?\""
        }
        delete {
            # The alias's name is found through the trace; deleting it runs SubscriberGone.
            foreach alias [interp aliases {}] {
                if {[lrange [interp alias {} $alias] 0 1] eq [list ::kafka::SubscriberDo $ns]} {
                    rename $alias ""
                }
            }
            return
        }
        default { return [SubscriberCall [SubscriberHandle $ns] $method $method $args] }
    }
}

# Calls $target $targetMethod {*}$words for subscriber method $method; a
# wrong # args error names the subscriber method, not the internal object.
proc ::kafka::SubscriberCall {target targetMethod method words} {
    try {
        return [$target $targetMethod {*}$words]
    } trap {KAFKA _INVALID_ARG} {message options} {
        set prefix "wrong # args: should be \"$target $targetMethod"
        if {[string first $prefix $message] == 0} {
            set message "wrong # args: should be \"subscriber $method[string range $message [string length $prefix] end]"
            return -code error -errorcode [list KAFKA _INVALID_ARG $message] $message
        }
        return -options $options $message
    }
}
