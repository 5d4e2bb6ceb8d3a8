# serde.tcl --
#
#	kafka::serde: a Schema Registry serializer/deserializer (Avro) that
#	binds a kafka::avro schema, a kafka::registry client and a subject
#	name strategy, so a producer writes Tcl dicts and a consumer reads them
#	back (issue 25 item 3):
#
#	    kafka::serde create s -registry reg -schema $schema
#	    $tp produce -partition 0 [s serialize $topic $dict]
#	    set msg [s deserialize [$queue poll 1000]]  ;# + value, schema_id
#
#	State lives in ::kafka::Serde::S, keyed by a number per object (the
#	command is an alias, renames followed by a trace).  Registry look-ups
#	happen in serialize/deserialize, the first time a subject or a schema
#	id is met; they are cached for the object's life (an id never changes,
#	the latest version is taken once).  Without -await the look-up is the
#	registry client's synchronous call (the http package's vwait, bounded
#	by the client's -timeout); with -await the coroutine yields.

namespace eval ::kafka {
    namespace export serde
}
namespace eval ::kafka::Serde {
    variable S
    array set S {}
    variable autoCount 0
    variable objectCount 0
    variable createUsage {kafka::serde create name|#auto ?-registry registry? ?-schema schema? ?-id schemaId? ?-key? ?-strategy topic|record|topic_record? ?-auto.register 0|1? ?-use.latest.version 0|1?}
    # The methods, in the order of the "bad method" list, with their usage.
    variable methods {
        serialize   {topic value ?-await?}
        deserialize {message ?-await?}
        subject     {topic}
        delete      {}
    }
}

proc ::kafka::Serde::Error {code message} {
    return -level 2 -code error -errorcode [list KAFKA $code $message] $message
}

proc ::kafka::serde {args} {
    if {[llength $args] && [lindex $args 0] ne "create"} {
        ::kafka::ArgError "bad subcommand \"[lindex $args 0]\": must be create"
    }
    if {[llength $args] < 2} {
        ::kafka::ArgError "wrong # args: should be \"$::kafka::Serde::createUsage\""
    }
    set name [lindex $args 1]
    if {$name eq ""} { ::kafka::ArgError "object name must not be empty" }
    if {$name eq "#auto"} {
        while {[namespace which -command [set name ::kafka_serde$::kafka::Serde::autoCount]] ne ""} {
            incr ::kafka::Serde::autoCount
        }
        set shown [string range $name 2 end]
    } else {
        set shown $name
        set name [uplevel 1 [list ::kafka::InCallerNamespace $name]]
        if {[namespace which -command $name] ne ""} {
            ::kafka::ArgError "command \"$shown\" already exists"
        }
    }
    set config [::kafka::Serde::Options [lrange $args 2 end]]
    ::kafka::Serde::Install $name $shown $config
    return $shown
}

# The create options checked, as a dict; makes the schema's kafka::avro
# object (dict key avro) last, so a refused option leaves nothing behind.
proc ::kafka::Serde::Options {words} {
    variable createUsage
    set config [dict create registry "" schema "" id "" forKey 0 strategy topic \
        auto.register 1 use.latest.version 0 avro "" record ""]
    for {set i 0} {$i < [llength $words]} {incr i} {
        set option [lindex $words $i]
        switch -- $option {
            -key { dict set config forKey 1; continue }
            -registry - -schema - -id - -strategy - -auto.register - -use.latest.version {}
            default {
                ::kafka::ArgError "bad option \"$option\": must be -registry, -schema, -id, -key, -strategy, -auto.register, or -use.latest.version"
            }
        }
        if {$i + 1 >= [llength $words]} { ::kafka::ArgError "option \"$option\" needs a value" }
        dict set config [string range $option 1 end] [lindex $words [incr i]]
    }
    dict with config {}
    if {$registry ne ""} {
        set qualified [uplevel 2 [list namespace which -command $registry]]
        if {$qualified eq "" || [catch {$qualified url}]} {
            ::kafka::ArgError "\"$registry\" is not a kafka::registry client"
        }
        dict set config registry $qualified
    }
    if {$id ne "" && (![string is entier -strict $id] || $id < 0 || $id > 2147483647)} {
        ::kafka::ArgError "expected a schema id (0 to 2147483647) but got \"$id\""
    }
    if {$strategy ni {topic record topic_record}} {
        ::kafka::ArgError "bad -strategy \"$strategy\": must be topic, record, or topic_record"
    }
    foreach flag {auto.register use.latest.version} {
        if {![string is boolean -strict [dict get $config $flag]]} {
            ::kafka::ArgError "-$flag must be a boolean, got \"[dict get $config $flag]\""
        }
        dict set config $flag [expr {!![dict get $config $flag]}]
    }
    if {[dict get $config auto.register] && [dict get $config use.latest.version] && $id eq ""} {
        Error _CONFLICT "-auto.register and -use.latest.version exclude each other: set -auto.register 0"
    }
    if {$registry eq "" && ($schema eq "" || $id eq "")} {
        ::kafka::ArgError "without -registry, -schema and -id are both needed"
    }
    if {$schema ne ""} {
        dict set config record [RecordName $schema]
    }
    if {$strategy ne "topic" && [dict get $config record] eq ""} {
        ::kafka::ArgError "-strategy $strategy needs a -schema of a named type (a record)"
    }
    if {$registry ne "" && $schema ne "" && $id eq "" && ![dict get $config auto.register]
            && ![dict get $config use.latest.version]} {
        ::kafka::ArgError "-auto.register 0 needs -use.latest.version 1 or -id (looking a schema's id up is not supported)"
    }
    if {$schema ne ""} {
        dict set config avro ::[::kafka::avro create #auto $schema]
    }
    return $config
}

# The full name of a named schema (namespace.name), or "" (a primitive, an
# array ...).  The schema is valid JSON: kafka::avro checks it later.
proc ::kafka::Serde::RecordName {schema} {
    if {[catch {::json::json2dict $schema} parsed] || [catch {dict get $parsed name} name]} {
        return ""
    }
    if {[string first . $name] < 0 && [dict exists $parsed namespace]
            && [dict get $parsed namespace] ne ""} {
        set name [dict get $parsed namespace].$name
    }
    return $name
}

proc ::kafka::Serde::Install {name shown config} {
    variable S
    set key [incr ::kafka::Serde::objectCount]
    set S($key,config) $config
    set S($key,name) $shown
    # id -> kafka::avro object of that writer schema; subject -> {id avro} of its latest version.
    set S($key,writers) [dict create]
    set S($key,latest) [dict create]
    interp alias {} $name {} ::kafka::Serde::Dispatch $key
    trace add command $name {rename delete} [list ::kafka::Serde::Renamed $key]
}

proc ::kafka::Serde::Renamed {key old new op} {
    variable S
    if {$op eq "rename" && $new ne ""} {
        set S($key,name) [string trimleft $new :]
        return
    }
    set avro [dict get $S($key,config) avro]
    if {$avro ne ""} { catch {rename $avro ""} }
    dict for {id writer} $S($key,writers) {
        if {$writer ne $avro} { catch {rename $writer ""} }
    }
    dict for {subject latest} $S($key,latest) { catch {rename [lindex $latest 1] ""} }
    array unset S $key,*
}

proc ::kafka::Serde::Dispatch {key args} {
    variable methods
    variable S
    if {![llength $args]} {
        ::kafka::ArgError "wrong # args: should be \"$S($key,name) method ?arg ...?\""
    }
    set args [lassign $args method]
    if {![dict exists $methods $method]} {
        set names [dict keys $methods]
        ::kafka::ArgError "bad method \"$method\": must be [join [lrange $names 0 end-1] {, }], or [lindex $names end]"
    }
    set await 0
    if {[lindex $args end] eq "-await" && $method in {serialize deserialize}} {
        set await 1
        set args [lrange $args 0 end-1]
        if {[info coroutine] eq ""} {
            Error _STATE "$method -await must be called inside a coroutine (see coroutine(n))"
        }
    }
    set usage [dict get $methods $method]
    set want [llength [regsub -all {\?[^?]*\?} $usage ""]]
    if {[llength $args] != $want} {
        ::kafka::ArgError [string trimright "wrong # args: should be \"$S($key,name) $method $usage"]\"
    }
    if {$method eq "delete"} {
        rename [namespace which -command $S($key,name)] ""
        return
    }
    # The error alone: the internals' frames are no use in errorInfo.
    if {[catch {M_$method $key $await {*}$args} result options]} {
        return -code error -errorcode [dict get $options -errorcode] $result
    }
    return $result
}

# The subject of TOPIC's values (keys with -key) under the strategy.
proc ::kafka::Serde::M_subject {key await topic} {
    variable S
    dict with S($key,config) {}
    set part [expr {$forKey ? "key" : "value"}]
    switch -- $strategy {
        topic        { return $topic-$part }
        record       { return $record }
        topic_record { return $topic-$record }
    }
}

# The value in the wire format: the writer's id (given, registered or the
# subject's latest), then the Avro encoding (a value that does not fit is
# the kafka::avro error naming the field path; nothing is returned).
proc ::kafka::Serde::M_serialize {key await topic value} {
    variable S
    set config $S($key,config)
    set aw [expr {$await ? {-await} : {}}]
    set avro [dict get $config avro]
    set id [dict get $config id]
    if {$id ne ""} {
        return [$avro encode $value -id $id]
    }
    set registry [dict get $config registry]
    set subject [M_subject $key 0 $topic]
    if {[dict get $config use.latest.version]} {
        if {![dict exists $S($key,latest) $subject]} {
            set latest [$registry latest $subject {*}$aw]
            # The key may be gone while the coroutine waited.
            if {![info exists S($key,latest)]} { Error _DESTROY "serde deleted" }
            if {![dict exists $S($key,latest) $subject]} {
                dict set S($key,latest) $subject [list [dict get $latest id] \
                    ::[::kafka::avro create #auto [dict get $latest schema]]]
            }
        }
        lassign [dict get $S($key,latest) $subject] id writer
        return [$writer encode $value -id $id]
    }
    if {$avro eq ""} {
        Error _STATE "no schema to write with: give -schema, or -use.latest.version 1"
    }
    set id [$registry register $subject [$avro schema] {*}$aw]
    if {![info exists S($key,config)]} { Error _DESTROY "serde deleted" }
    return [$avro encode $value -id $id]
}

# MESSAGE (a received message as a dict) with the decoded value and
# schema_id added (key_value and key_schema_id for a key serde), or, when
# the bytes cannot be decoded, error _VALUE_DESERIALIZATION (or
# _KEY_DESERIALIZATION) and message added: the raw fields stay.
proc ::kafka::Serde::M_deserialize {key await message} {
    variable S
    if {![string is list $message] || [llength $message] % 2} {
        ::kafka::ArgError "expected a message dict (as poll or next return it) but got \"[Short $message]\""
    }
    if {[dict exists $message error]} { return $message }
    set isKey [dict get $S($key,config) forKey]
    set field [expr {$isKey ? "key" : "payload"}]
    set prefix [expr {$isKey ? "key_" : ""}]
    set code [expr {$isKey ? "_KEY_DESERIALIZATION" : "_VALUE_DESERIALIZATION"}]
    if {![dict exists $message $field]} {
        if {$isKey} { return $message }
        ::kafka::ArgError "expected a message dict (as poll or next return it): no payload"
    }
    if {[catch {Decode $key $await [dict get $message $field]} decoded options]} {
        set errorCode [dict get $options -errorcode]
        if {[lindex $errorCode 0] ne "KAFKA" || [lindex $errorCode 1] eq "_DESTROY"} {
            return -options $options $decoded
        }
        return [dict merge $message [dict create error $code message $decoded]]
    }
    lassign $decoded id value
    dict set message ${prefix}schema_id $id
    dict set message ${prefix}value $value
    return $message
}

# {id value} of framed BYTES; errors are KAFKA _VALUE_DESERIALIZATION (or
# the registry's, reworded to name the id).
proc ::kafka::Serde::Decode {key await bytes} {
    variable S
    lassign [::kafka::avro unframe $bytes] id body
    set writer [Writer $key $await $id]
    set reader [dict get $S($key,config) avro]
    if {$reader eq "" || $reader eq $writer} {
        return [list $id [$writer decode $body]]
    }
    return [list $id [$reader decode $body -writer $writer]]
}

# The kafka::avro object of writer schema ID: the serde's own for its -id,
# else the registry's schema, fetched once.
proc ::kafka::Serde::Writer {key await id} {
    variable S
    set config $S($key,config)
    if {[dict exists $S($key,writers) $id]} {
        return [dict get $S($key,writers) $id]
    }
    if {$id eq [dict get $config id]} {
        return [dict get $config avro]
    }
    set registry [dict get $config registry]
    if {$registry eq ""} {
        Error _VALUE_DESERIALIZATION "schema id $id: unknown (this serde has no registry, only id [dict get $config id])"
    }
    set aw [expr {$await ? {-await} : {}}]
    set failed [catch {$registry schema $id {*}$aw} schema options]
    # The serde (or the registry client) may be gone while the coroutine waited.
    if {![info exists S($key,writers)]} { Error _DESTROY "serde deleted" }
    if {$failed} {
        if {[lindex [dict get $options -errorcode] 1] eq "_DESTROY"} { return -options $options $schema }
        Error _VALUE_DESERIALIZATION "schema id $id: $schema"
    }
    if {![dict exists $S($key,writers) $id]} {
        set own [dict get $config avro]
        if {$own ne "" && $schema eq [$own schema]} {
            dict set S($key,writers) $id [dict get $config avro]
        } else {
            dict set S($key,writers) $id ::[::kafka::avro create #auto $schema]
        }
    }
    return [dict get $S($key,writers) $id]
}

proc ::kafka::Serde::Short {text} {
    expr {[string length $text] > 60 ? "[string range $text 0 59]..." : $text}
}
