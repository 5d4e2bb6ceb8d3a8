# easy.tcl --
#
#	The "easy interface" of the later KafkaTcl: one shared master, producer
#	handle and consumer handle per interpreter, with fixed names so scripts
#	can configure them directly, each created on first use:
#
#	::kafka::master      made by kafka::setup
#	::kafka::producer    made by kafka::setup_producer (a producer handle)
#	::kafka::consumer    made by kafka::setup_consumer (a consumer handle)
#
#	kafka::setup ?-brokers LIST?         create ::kafka::master if missing
#	kafka::setup_producer ?-brokers LIST?  ... and ::kafka::producer
#	kafka::setup_consumer ?-brokers LIST?  ... and ::kafka::consumer
#	kafka::brokers ?LIST?                set (creating the master) or return
#	                                     the broker list, default 127.0.0.1;
#	                                     fixed once a shared handle exists
#	kafka::topic_producer NAME TOPIC     topic producer NAME on ::kafka::producer
#	kafka::topic_consumer NAME TOPIC     topic consumer NAME on ::kafka::consumer
#
#	Each setup command may be called again: what exists is kept.  A shared
#	object that was deleted is made again on the next call.

namespace eval ::kafka {
    namespace export brokers setup setup_producer setup_consumer topic_producer topic_consumer
    # The broker list of the shared objects (the later KafkaTcl's default).
    variable brokers 127.0.0.1
}

# Raises a KAFKA _INVALID_ARG error (errorCode {KAFKA _INVALID_ARG message})
# from the calling procedure.
proc ::kafka::ArgError {message} {
    return -level 2 -code error -errorcode [list KAFKA _INVALID_ARG $message] $message
}

# Checks that `list` is a Tcl list (of host or host:port addresses).
proc ::kafka::CheckBrokerList {list} {
    if {![string is list $list]} {
        return -level 2 -code error -errorcode [list KAFKA _INVALID_ARG "brokerList must be a list of host:port addresses"] \
            "brokerList must be a list of host:port addresses"
    }
}

# The options every setup command takes: -brokers LIST (as kafka::brokers).
proc ::kafka::SetupOptions {command words} {
    if {[llength $words] % 2} {
        ArgError "wrong # args: should be \"$command ?-brokers brokerList?\""
    }
    foreach {option value} $words {
        if {$option ne "-brokers"} {
            ArgError "bad option \"$option\": must be -brokers"
        }
        CheckBrokerList $value
    }
    foreach {option value} $words { brokers $value }
}

# kafka::setup ?-brokers LIST? -- create the shared master ::kafka::master
# (its bootstrap.servers from the broker list) unless it exists.
proc ::kafka::setup {args} {
    variable brokers
    SetupOptions kafka::setup $args
    if {![llength [info commands ::kafka::master]]} {
        ::kafka::kafka create ::kafka::master
        if {[llength $brokers]} {
            ::kafka::master config bootstrap.servers [join $brokers ,]
        }
    }
    return ::kafka::master
}

# kafka::setup_producer / setup_consumer ?-brokers LIST? -- the shared master
# and the shared handle of that kind.
proc ::kafka::setup_producer {args} {
    SetupOptions kafka::setup_producer $args
    return [SetupHandle producer]
}

proc ::kafka::setup_consumer {args} {
    SetupOptions kafka::setup_consumer $args
    return [SetupHandle consumer]
}

proc ::kafka::SetupHandle {kind} {
    variable brokers
    setup
    set handle ::kafka::$kind
    if {![llength [info commands $handle]]} {
        ::kafka::master create_$kind $handle
    }
    return $handle
}

# kafka::brokers ?LIST? -- set the broker list (creating the shared master, as
# the later KafkaTcl does), or with no argument return it.
proc ::kafka::brokers {args} {
    variable brokers
    if {[llength $args] > 1} {
        ArgError "wrong # args: should be \"kafka::brokers ?brokerList?\""
    }
    if {[llength $args] == 0} {
        return $brokers
    }
    set list [lindex $args 0]
    CheckBrokerList $list
    CheckNoSwitch $list
    set brokers $list
    if {[llength [info commands ::kafka::master]]} {
        if {[llength $list]} {
            ::kafka::master config bootstrap.servers [join $list ,]
        }
    } else {
        setup
    }
    return $list
}

# Refuses (KAFKA _STATE, from the caller) a broker list other than the current
# one while a shared handle exists: librdkafka cannot move a handle to another
# cluster (add_brokers only adds, and the handle would go on writing to the
# first one). The same brokers in another order or repeated are the same list.
proc ::kafka::CheckNoSwitch {list} {
    variable brokers
    if {[lsort -unique $list] eq [lsort -unique $brokers]} return
    foreach kind {producer consumer} {
        if {[llength [info commands ::kafka::$kind]]} {
            set message "cannot change the broker list to \"$list\": the shared handle\
                    ::kafka::$kind already uses \"$brokers\" (a handle cannot move to another\
                    cluster: delete ::kafka::producer and ::kafka::consumer first)"
            return -level 2 -code error -errorcode [list KAFKA _STATE $message] $message
        }
    }
}

# Arity checked here, not by proc, so that the error is a KAFKA one.
proc ::kafka::topic_producer {args} {
    if {[llength $args] != 2} {
        ArgError "wrong # args: should be \"kafka::topic_producer cmdName topic\""
    }
    return [uplevel 1 [list ::kafka::NewEasyTopic producer {*}$args]]
}

proc ::kafka::topic_consumer {args} {
    if {[llength $args] != 2} {
        ArgError "wrong # args: should be \"kafka::topic_consumer cmdName topic\""
    }
    return [uplevel 1 [list ::kafka::NewEasyTopic consumer {*}$args]]
}

# Makes topic `name` on the shared handle of `kind`; called with uplevel 1, so a
# relative name is a command in the caller's namespace (not in ::kafka, where
# "producer" is the shared handle itself).  Returns the name as given.
proc ::kafka::NewEasyTopic {kind name topic} {
    set qualified $name
    if {$name ni {"" "#auto"} && ![string match ::* $name]} {
        set qualified [uplevel 1 [list ::kafka::InCallerNamespace $name]]
        if {[llength [info commands $qualified]]} {
            ArgError "command \"$name\" already exists"
        }
    }
    set made [[SetupHandle $kind] new_topic $qualified $topic]
    return [expr {$name eq "#auto" ? $made : $name}]
}

# The fully qualified form of `name` in the namespace of the frame that calls
# this (callers run it with uplevel 1, so that is their own caller's); a name
# starting with :: is returned as is.
proc ::kafka::InCallerNamespace {name} {
    if {[string match ::* $name]} { return $name }
    set ns [uplevel 1 {namespace current}]
    return [expr {$ns eq "::" ? "::$name" : "${ns}::$name"}]
}

# The command name a Tcl-level object constructor (kafka::registry create,
# kafka::serde create) makes for `name`: #auto gives ::PREFIX<n>, the next
# free one of the counter variable `counterVar`; another name is qualified in
# the constructor's caller's namespace (callers run this with uplevel 1) and
# must not exist yet. Returns {qualified shown}: shown is what the
# constructor returns (the #auto name without its leading ::).
proc ::kafka::NewObjectName {name prefix counterVar} {
    upvar #0 $counterVar count
    if {$name eq ""} { ::kafka::ArgError "object name must not be empty" }
    if {$name eq "#auto"} {
        while {[namespace which -command [set qualified ::$prefix$count]] ne ""} { incr count }
        return [list $qualified [string range $qualified 2 end]]
    }
    set qualified [uplevel 1 [list ::kafka::InCallerNamespace $name]]
    if {[namespace which -command $qualified] ne ""} {
        ::kafka::ArgError "command \"$name\" already exists"
    }
    return [list $qualified $name]
}

# The method word of a Tcl-level object's call (`shown` is its command name,
# `methods` a dict keyed by method name): returns {method rest}, or the
# "wrong # args" / "bad method ... must be" error Tcl's own objects give.
proc ::kafka::MethodWord {shown methods words} {
    if {![llength $words]} {
        ::kafka::ArgError "wrong # args: should be \"$shown method ?arg ...?\""
    }
    set rest [lassign $words method]
    if {![dict exists $methods $method]} {
        set names [dict keys $methods]
        ::kafka::ArgError "bad method \"$method\": must be [join [lrange $names 0 end-1] {, }], or [lindex $names end]"
    }
    return [list $method $rest]
}
