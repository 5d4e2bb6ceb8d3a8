# subscriber.tcl --
#
#	kafka::subscriber, the later KafkaTcl's name for a group consumer:
#
#	kafka::subscriber ?name|#auto?      create a subscriber command
#	$sub config ?key? ?value ...?       librdkafka configuration (group.id, ...);
#	                                    takes effect when the consumer starts
#	$sub subscribe ?tuple ...?          join the group for these topics (or ^regex);
#	                                    with no argument return the subscription
#	$sub unsubscribe
#	$sub assignments                    {{topic partition} ...} now assigned
#	                                    (also: assignment, the later C name)
#	$sub assign ?tuple ...?             assign partitions by hand; none, {} or
#	                                    #none: no assignment
#	$sub consume ?timeoutMs? ?arrayName?  one message: a dict ("" if none; no
#	                                    timeout: do not wait), or with arrayName
#	                                    fill the array and return 1/0
#	$sub callback ?timeoutMs? ?command? deliver each message to command through
#	                                    the event loop ("" or #none stops); no
#	                                    argument: the current command
#	$sub commit ?-async? ?tuple ...?    commit consumed (or the given) offsets
#	$sub handle                         the underlying consumer handle, for the rest
#	$sub delete                         leave the group and destroy the subscriber
#
#	A tuple is {topic ?partition? ?offset?}; the tuples are separate
#	arguments (subscribe a b, commit {t 0 5} {t 1 7}) or one list of them
#	(subscribe {a b}, commit {{t 0 5} {t 1 7}}).  See SubscriberTuples.
#
#	auto.offset.reset defaults to earliest, as in the later KafkaTcl.
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
    # The later KafkaTcl's subscriber starts where there is no committed
    # offset at the earliest message; config can change it.
    $master config auto.offset.reset earliest
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
    set methods {config subscribe unsubscribe assignments assignment assign consume callback commit handle delete}
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
        assignments - assignment {
            return [SubscriberCall [SubscriberHandle $ns] assignment $method $args]
        }
        handle      { return [SubscriberHandle $ns] }
        subscribe {
            set handle [SubscriberHandle $ns]
            if {![llength $args]} { return [$handle subscription] }
            # Only the topic of each {topic ?partition? ?offset?} counts.
            set topics {}
            foreach tuple [SubscriberTuples $args] {
                if {[catch {llength $tuple} n] || $n > 3
                        || ($n > 1 && ![string is entier -strict [lindex $tuple 1]])} {
                    ArgError "bad topic \"$tuple\": must be topic or {topic ?partition? ?offset?}"
                }
                # {t 0} {t 1} name t twice; librdkafka refuses a repeated topic.
                if {$n && [lindex $tuple 0] ni $topics} { lappend topics [lindex $tuple 0] }
            }
            return [$handle subscribe $topics]
        }
        assign {
            # No tuple, an empty list or the dummy topic #none: no assignment.
            set tuples [lmap tuple [SubscriberTuples $args] {
                if {![catch {lindex $tuple 0} topic] && $topic in {"" "#none"}} continue
                set tuple
            }]
            return [[SubscriberHandle $ns] assign $tuples]
        }
        commit {
            set options {}
            while {[llength $args] && [string match -* [lindex $args 0]] && [llength [lindex $args 0]] == 1} {
                if {[lindex $args 0] ne "-async"} {
                    ArgError "bad option \"[lindex $args 0]\": must be -async"
                }
                set options -async
                set args [lrange $args 1 end]
            }
            if {![llength $args]} { return [[SubscriberHandle $ns] commit {*}$options] }
            return [[SubscriberHandle $ns] commit {*}$options [SubscriberTuples $args]]
        }
        consume {
            # No timeout: return at once (the later KafkaTcl polls).
            if {[llength $args] == 0} { return [[SubscriberHandle $ns] poll 0] }
            if {[llength $args] == 1} { return [[SubscriberHandle $ns] poll {*}$args] }
            if {[llength $args] == 2} {
                upvar 1 [lindex $args 1] array
                return [[SubscriberHandle $ns] consume [lindex $args 0] array]
            }
            ArgError "wrong # args: should be \"subscriber consume ?timeoutMs? ?arrayName?\""
        }
        callback {
            variable ${ns}::callback
            if {![info exists callback]} { set callback "" }
            switch -- [llength $args] {
                0 { return $callback }
                1 {
                    set command [lindex $args 0]
                    if {$command eq "#none"} { set command "" }
                    [SubscriberHandle $ns] consume_callback $command
                    set callback $command
                    return
                }
                2 { return [SubscriberCall [SubscriberHandle $ns] consume_callback callback $args] }
            }
            ArgError "wrong # args: should be \"subscriber callback ?timeoutMs? ?command?\""
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

# The later KafkaTcl's partition arguments: each argument one tuple
# {topic ?partition? ?offset?} (subscribe a b, commit {t 0 5} {t 1 7}).  A
# single argument is a list of tuples, as the group consumer's methods take
# ({{t 0 5} {t 1 7}}, {a b}), unless it is itself one tuple: two or three
# plain words, the second an integer ({t 0}, {t 0 5}).
proc ::kafka::SubscriberTuples {words} {
    if {[llength $words] != 1} { return $words }
    set word [lindex $words 0]
    if {[catch {llength $word} n]} {
        ArgError "bad partition list \"$word\": must be a list of {topic ?partition? ?offset?}"
    }
    if {$n < 2 || $n > 3 || ![string is entier -strict [lindex $word 1]]} {
        return $word
    }
    foreach element $word {
        if {[catch {llength $element} m] || $m != 1} { return $word }
    }
    return [list $word]
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
