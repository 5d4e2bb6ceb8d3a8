# serde.tcl --
#
#	kafka::serde: a Schema Registry serializer/deserializer (Avro, or JSON
#	Schema with -type JSON: kafka::jsonschema) that
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
    # kafka::avro object -> whether its schema has a decimal (see Logical).
    variable hasDecimal
    array set hasDecimal {}
    # The C++ fast path of serdes bound to topics (cxx/serdebind.cpp), keyed
    # by the serde's qualified command name: fastEncode(name) is a dict
    # topic -> {id avro} and fastDecode(name) a dict writer id -> avro, each
    # entry published once serialize/deserialize has everything cached and
    # needs no Tcl-side step (an Avro serde, no decimal, writer == reader).
    # Unset when the serde is renamed or deleted.
    variable fastEncode
    array set fastEncode {}
    variable fastDecode
    array set fastDecode {}
    variable createUsage {kafka::serde create name|#auto ?-registry registry? ?-schema schema? ?-id schemaId? ?-key? ?-strategy topic|record|topic_record? ?-auto.register 0|1? ?-use.latest.version 0|1? ?-type AVRO|JSON?}
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
    lassign [uplevel 1 [list ::kafka::NewObjectName $name kafka_serde ::kafka::Serde::autoCount]] name shown
    set config [::kafka::Serde::Options [lrange $args 2 end]]
    ::kafka::Serde::Install $name $shown $config
    return $shown
}

# The create options checked, as a dict; makes the schema's kafka::avro
# object (dict key avro) last, so a refused option leaves nothing behind.
proc ::kafka::Serde::Options {words} {
    variable createUsage
    set config [dict create registry "" schema "" id "" forKey 0 strategy topic \
        auto.register 1 use.latest.version 0 avro "" record "" type AVRO]
    for {set i 0} {$i < [llength $words]} {incr i} {
        set option [lindex $words $i]
        switch -- $option {
            -key { dict set config forKey 1; continue }
            -registry - -schema - -id - -strategy - -auto.register - -use.latest.version - -type {}
            default {
                ::kafka::ArgError "bad option \"$option\": must be -registry, -schema, -id, -key, -strategy, -auto.register, -use.latest.version, or -type"
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
    if {$type ni {AVRO JSON}} {
        ::kafka::ArgError "bad -type \"$type\": must be AVRO or JSON"
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
        dict set config record [RecordName $schema $type]
    }
    if {$strategy ne "topic" && [dict get $config record] eq ""} {
        ::kafka::ArgError "-strategy $strategy needs a -schema of a named type (a record)"
    }
    if {$registry ne "" && $schema ne "" && $id eq "" && ![dict get $config auto.register]
            && ![dict get $config use.latest.version]} {
        ::kafka::ArgError "-auto.register 0 needs -use.latest.version 1 or -id (looking a schema's id up is not supported)"
    }
    if {$schema ne ""} {
        dict set config avro [SchemaObject $config $schema]
    }
    return $config
}

# The full name of a named schema (namespace.name; a JSON schema's
# title), or "" (a primitive, an array ...).  Its object checks it later.
proc ::kafka::Serde::RecordName {schema {type AVRO}} {
    set nameKey [expr {$type eq "JSON" ? "title" : "name"}]
    if {[catch {::json::json2dict $schema} parsed] || [catch {dict get $parsed $nameKey} name]} {
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
    # topic -> the id its subject gave the serde's schema (registered once).
    set S($key,registered) [dict create]
    # The qualified name the fast path's entries are published under.
    set S($key,qname) ::[string trimleft $name :]
    interp alias {} $name {} ::kafka::Serde::Dispatch $key
    trace add command $name {rename delete} [list ::kafka::Serde::Renamed $key]
}

proc ::kafka::Serde::Renamed {key old new op} {
    variable S
    variable fastEncode
    variable fastDecode
    # A binding names the serde: by its old name it is gone either way.
    unset -nocomplain fastEncode($S($key,qname)) fastDecode($S($key,qname))
    if {$op eq "rename" && $new ne ""} {
        set S($key,name) [string trimleft $new :]
        set S($key,qname) ::[string trimleft $new :]
        return
    }
    set avro [dict get $S($key,config) avro]
    if {$avro ne ""} { catch {rename $avro ""} }
    dict for {id writer} $S($key,writers) {
        if {$writer ne $avro} { catch {rename $writer ""} }
    }
    dict for {subject latest} $S($key,latest) { catch {rename [lindex $latest 1] ""} }
    foreach name [array names ::kafka::Serde::parsed] {
        if {[namespace which -command $name] eq ""} { unset ::kafka::Serde::parsed($name) }
    }
    foreach name [array names ::kafka::Serde::hasDecimal] {
        if {[namespace which -command $name] eq ""} { unset ::kafka::Serde::hasDecimal($name) }
    }
    array unset S $key,*
}

proc ::kafka::Serde::Dispatch {key args} {
    variable methods
    variable S
    lassign [::kafka::MethodWord $S($key,name) $methods $args] method args
    set await 0
    if {[lindex $args end] eq "-await" && $method in {serialize deserialize}} {
        set await 1
        set args [lrange $args 0 end-1]
        if {[info coroutine] eq ""} {
            Error _STATE "$method -await must be called inside a coroutine (see coroutine(n))"
        }
    }
    set usage [dict get $methods $method]
    # The number of words the usage asks for, counted once a method.
    variable wants
    if {![info exists wants($method)]} { set wants($method) [llength [regsub -all {\?[^?]*\?} $usage ""]] }
    if {[llength $args] != $wants($method)} {
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
        set bytes [$avro encode [Logical $avro $value 0] -id $id]
        PublishEncode $key $topic $id $avro
        return $bytes
    }
    # Registered once per topic's subject, as documented: later values of
    # the topic skip the subject and the registry client (a third of a
    # serialize's time otherwise).
    if {[dict exists $S($key,registered) $topic]} {
        set id [dict get $S($key,registered) $topic]
        set bytes [$avro encode [Logical $avro $value 0] -id $id]
        PublishEncode $key $topic $id $avro
        return $bytes
    }
    set registry [RegistryOf $config]
    set subject [M_subject $key 0 $topic]
    if {[dict get $config use.latest.version]} {
        if {![dict exists $S($key,latest) $subject]} {
            set latest [$registry latest $subject {*}$aw]
            # The key may be gone while the coroutine waited.
            if {![info exists S($key,latest)]} { Error _DESTROY "serde deleted" }
            if {![dict exists $S($key,latest) $subject]} {
                dict set S($key,latest) $subject [list [dict get $latest id] \
                    [SchemaObject $S($key,config) [dict get $latest schema]]]
            }
        }
        lassign [dict get $S($key,latest) $subject] id writer
        set bytes [$writer encode [Logical $writer $value 0] -id $id]
        PublishEncode $key $topic $id $writer
        return $bytes
    }
    if {$avro eq ""} {
        Error _STATE "no schema to write with: give -schema, or -use.latest.version 1"
    }
    set id [$registry register $subject [$avro schema] -type [dict get $config type] {*}$aw]
    if {![info exists S($key,config)]} { Error _DESTROY "serde deleted" }
    set bytes [$avro encode [Logical $avro $value 0] -id $id]
    dict set S($key,registered) $topic $id
    return $bytes
}

# MESSAGE (a received message as a dict) with the decoded value and
# schema_id added (key_value and key_schema_id for a key serde), or, when
# the bytes cannot be decoded, error _VALUE_DESERIALIZATION (or
# _KEY_DESERIALIZATION) and message added: the raw fields stay.
proc ::kafka::Serde::M_deserialize {key await message} {
    variable S
    # dict size, not string is list: a dict (poll's, next's) would be
    # turned into a list and back into a dict (two conversions a message).
    if {[catch {dict size $message}]} {
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
        set decoded [list $id [Logical $writer [$writer decode $body] 1]]
        PublishDecode $key $id $writer
        return $decoded
    }
    if {![catch {$reader decode $body -writer $writer} value options]} {
        return [list $id [Logical $reader $value 1]]
    }
    if {![string match "*doesn't appear in writer*" $value]} {
        return -options $options $value
    }
    # Avro C 1.11 does not fill in the default of a field the writer lacks:
    # decode with the writer's schema, then project onto the reader's.
    set value [Project [Parsed $reader] [Parsed $writer] [$writer decode $body]]
    # The result must be a value of the reader's schema.
    $reader encode $value
    return [list $id [Logical $reader $value 1]]
}
# The fast path's entries (see fastEncode, fastDecode): published only for
# an Avro serde and a schema without decimals (Logical, which has run, then
# changes nothing), so the C++ side's `$avro encode VALUE -id ID` and
# `$avro decode BODY` give exactly what serialize and deserialize give.
proc ::kafka::Serde::PublishEncode {key topic id avro} {
    variable S
    variable hasDecimal
    variable fastEncode
    if {![info exists S($key,config)] || [dict get $S($key,config) type] ne "AVRO" || $hasDecimal($avro)} return
    dict set fastEncode($S($key,qname)) $topic [list $id $avro]
}

proc ::kafka::Serde::PublishDecode {key id avro} {
    variable S
    variable hasDecimal
    variable fastDecode
    if {![info exists S($key,config)] || [dict get $S($key,config) type] ne "AVRO" || $hasDecimal($avro)} return
    dict set fastDecode($S($key,qname)) $id $avro
}

# Decimal logical type: two's-complement big-endian bytes <-> a decimal string, exact.
proc ::kafka::Serde::DecimalText {bytes scale} {
    set n [string length $bytes]
    if {$n == 0} { return 0 }
    binary scan $bytes H* hex
    set v [expr "0x$hex"]
    if {$v >= 1 << (8 * $n - 1)} { set v [expr {$v - (1 << (8 * $n))}] }
    set sign [expr {$v < 0 ? "-" : ""}]
    set digits [string trimleft [expr {abs($v)}] -]
    if {$scale == 0} { return $sign$digits }
    set digits [format %0*s [expr {$scale + 1}] $digits]
    return $sign[string range $digits 0 end-$scale].[string range $digits end-[expr {$scale - 1}] end]
}

# The bytes of decimal TEXT at SCALE (SIZE bytes for a fixed, else the
# fewest); PATH names the field in errors.  No rounding: more fraction
# digits than the scale, or more digits than PRECISION, are refused.
proc ::kafka::Serde::DecimalBytes {text scale precision size path} {
    if {![regexp {^([-+]?)([0-9]*)(?:\.([0-9]*))?$} $text -> sign whole fraction]
            || $whole eq "" && $fraction eq ""} {
        Error _VALUE_SERIALIZATION "$path: expected a decimal number, got \"[Short $text]\""
    }
    if {[string length [string trimright $fraction 0]] > $scale} {
        Error _VALUE_SERIALIZATION "$path: \"[Short $text]\" has more than $scale decimal places (no rounding)"
    }
    set fraction [string range $fraction[string repeat 0 $scale] 0 [expr {$scale - 1}]]
    set digits [string trimleft $whole$fraction 0]
    if {$precision ne "" && [string length $digits] > $precision} {
        Error _VALUE_SERIALIZATION "$path: \"[Short $text]\" has more than $precision digits"
    }
    # Bounded, so that hostile input cannot make the bignum work long.
    if {[string length $digits] > 4096} {
        Error _VALUE_SERIALIZATION "$path: decimals of more than 4096 digits are refused"
    }
    set v [expr {$digits eq "" ? 0 : $sign eq "-" ? -$digits : $digits}]
    if {$size eq ""} {
        # The fewest bytes: from the magnitude's hex digits, plus a sign bit.
        set size [expr {([string length [format %llx [expr {abs($v)}]]] * 4 + 8) / 8}]
        while {$size > 1 && $v < 1 << (8 * $size - 9) && $v >= -(1 << (8 * $size - 9))} { incr size -1 }
    } elseif {$v >= 1 << (8 * $size - 1) || $v < -(1 << (8 * $size - 1))} {
        Error _VALUE_SERIALIZATION "$path: \"[Short $text]\" does not fit in $size bytes"
    }
    if {$v < 0} { set v [expr {$v + (1 << (8 * $size))}] }
    return [binary format H* [format %0*llx [expr {2 * $size}] $v]]
}

proc ::kafka::Serde::IsTyped {type} {
    expr {[string is list $type] && [llength $type] % 2 == 0 && [dict exists $type type]}
}

# VALUE of schema TYPE (parsed JSON) with its decimals converted: to text
# (TOTEXT 1, after decoding) or to bytes (before encoding).  Follows
# records, arrays, maps and nullable unions written inline; a value that
# does not have the schema's shape is left for Avro C to refuse.
proc ::kafka::Serde::Decimals {type value toText path} {
    if {![IsTyped $type]} {
        # A union: only its nullable form ("" is null) is followed.
        if {[string is list $type] && [llength $type] == 2 && "null" in $type && $value ne ""} {
            set other [lindex $type [expr {[lindex $type 0] eq "null"}]]
            return [Decimals $other $value $toText $path]
        }
        return $value
    }
    set dot [expr {$path eq "" ? "" : "$path."}]
    switch -- [dict get $type type] {
        record {
            if {![dict exists $type fields] || ![string is list $value] || [llength $value] % 2} { return $value }
            foreach field [dict get $type fields] {
                set name [dict get $field name]
                if {[dict exists $value $name]} {
                    dict set value $name [Decimals [dict get $field type] [dict get $value $name] $toText $dot$name]
                }
            }
        }
        array {
            if {![string is list $value]} { return $value }
            set i -1
            set value [lmap item $value {
                Decimals [dict get $type items] $item $toText $path\[[incr i]\]
            }]
        }
        map {
            if {![string is list $value] || [llength $value] % 2} { return $value }
            set value [dict map {k v} $value { Decimals [dict get $type values] $v $toText $dot$k }]
        }
        bytes - fixed {
            if {![dict exists $type logicalType] || [dict get $type logicalType] ne "decimal"} { return $value }
            set scale [expr {[dict exists $type scale] ? [dict get $type scale] : 0}]
            if {$toText} { return [DecimalText $value $scale] }
            set precision [expr {[dict exists $type precision] ? [dict get $type precision] : ""}]
            set size [expr {[dict get $type type] eq "fixed" ? [dict get $type size] : ""}]
            return [DecimalBytes $value $scale $precision $size [expr {$path eq "" ? "value" : $path}]]
        }
    }
    return $value
}

# VALUE with decimals converted for (TOTEXT 0) or after (1) kafka::avro AVRO.
proc ::kafka::Serde::Logical {avro value toText} {
    variable hasDecimal
    if {![info exists hasDecimal($avro)]} {
        set hasDecimal($avro) [expr {[string match *decimal* [$avro schema]] \
            && ![::kafka::JsonSchema::Is $avro]}]
    }
    if {!$hasDecimal($avro)} { return $value }
    Decimals [Parsed $avro] $value $toText ""
}

# The schema of kafka::avro object AVRO as parsed JSON (tcllib json).
proc ::kafka::Serde::Parsed {avro} {
    variable parsed
    if {![info exists parsed($avro)]} {
        set parsed($avro) [::json::json2dict [$avro schema]]
    }
    return $parsed($avro)
}

proc ::kafka::Serde::IsRecord {type} {
    expr {[string is list $type] && [llength $type] % 2 == 0 && [dict exists $type type]
        && [dict get $type type] eq "record" && [dict exists $type fields]}
}

# VALUE, decoded with writer type WTYPE, as a value of reader type RTYPE:
# record fields matched by name (recursively through records written
# inline), a reader field the writer lacks gets its default, a writer field
# the reader lacks is dropped, int/long/float read as float/double are made
# doubles.  Other values are kept as written.
proc ::kafka::Serde::Project {rtype wtype value} {
    if {[IsRecord $rtype] && [IsRecord $wtype]} {
        set written [dict create]
        foreach field [dict get $wtype fields] {
            dict set written [dict get $field name] [dict get $field type]
        }
        set out [dict create]
        foreach field [dict get $rtype fields] {
            set name [dict get $field name]
            if {[dict exists $written $name]} {
                dict set out $name [Project [dict get $field type] [dict get $written $name] [dict get $value $name]]
            } elseif {[dict exists $field default]} {
                dict set out $name [Default [dict get $field type] [dict get $field default]]
            } else {
                Error _VALUE_DESERIALIZATION "reader field $name is not in the writer's schema and has no default"
            }
        }
        return $out
    }
    if {$rtype in {float double} && $wtype in {int long float}} {
        return [expr {double($value)}]
    }
    return $value
}

# A field's JSON DEFAULT (as tcllib json parsed it) as the Tcl value of TYPE:
# a union's default is of its first branch; bytes and fixed defaults are
# strings of code points 0-255.
proc ::kafka::Serde::Default {type default} {
    if {![IsRecord $type] && [string is list $type] && [llength $type] > 1
            && ![dict exists $type type]} {
        set type [lindex $type 0]
    }
    if {[string is list $type] && [llength $type] % 2 == 0 && [dict exists $type type]} {
        set type [dict get $type type]
    }
    switch -- $type {
        null { return "" }
        boolean { return [expr {$default ? 1 : 0}] }
        float - double { return [expr {double($default)}] }
        bytes - fixed { return [encoding convertto iso8859-1 $default] }
        default { return $default }
    }
}

# A new kafka::avro (or, -type JSON, kafka::jsonschema) object of SCHEMA.
proc ::kafka::Serde::SchemaObject {config schema} {
    set kind [expr {[dict get $config type] eq "JSON" ? "jsonschema" : "avro"}]
    return ::[::kafka::$kind create #auto $schema]
}

# The serde's registry client, or the error _STATE when it was deleted.
proc ::kafka::Serde::RegistryOf {config} {
    set registry [dict get $config registry]
    if {[namespace which -command $registry] eq ""} {
        Error _STATE "the registry client \"$registry\" of this serde was deleted"
    }
    return $registry
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
    if {[dict get $config registry] eq ""} {
        Error _VALUE_DESERIALIZATION "schema id $id: unknown (this serde has no registry, only id [dict get $config id])"
    }
    set aw [expr {$await ? {-await} : {}}]
    set failed [catch {[RegistryOf $config] schema $id {*}$aw} schema options]
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
        } elseif {[catch {SchemaObject $config $schema} writer]} {
            # E.g. an Avro schema's id met by a -type JSON serde.
            Error _VALUE_DESERIALIZATION "schema id $id: $writer"
        } else {
            dict set S($key,writers) $id $writer
        }
    }
    return [dict get $S($key,writers) $id]
}

# (Not expr's ?: which would make "nan" a domain error and "0x10" 16.)
proc ::kafka::Serde::Short {text} {
    if {[string length $text] > 60} { return "[string range $text 0 59]..." }
    return $text
}

# # ## ### ##### ######## ############# #####################
## Serdes bound to topics ($handle serde, $topic serde; cxx/serdebind.cpp)

# The qualified name of serde NAME (resolved in the caller's namespace), when
# it is a kafka::serde for the side asked (FORKEY: made with -key).
proc ::kafka::Serde::Bound {name forKey} {
    variable S
    set qualified [uplevel 1 [list namespace which -command $name]]
    set target [expr {$qualified eq "" ? "" : [interp alias {} $qualified]}]
    if {[lindex $target 0] ne "::kafka::Serde::Dispatch"} {
        ::kafka::ArgError "\"$name\" is not a kafka::serde"
    }
    set isKey [dict get $S([lindex $target 1],config) forKey]
    if {$forKey && !$isKey} {
        ::kafka::ArgError "serde \"$name\" is a value serde: a key serde is made with -key"
    } elseif {!$forKey && $isKey} {
        ::kafka::ArgError "serde \"$name\" is a key serde (made with -key): bind it with -key"
    }
    return $qualified
}

# MESSAGE (a consumed message dict) decoded by the bound value serde VALUE
# and key serde KEY ("" : none): value schema_id, key_value key_schema_id
# added, or the message's own error (error _VALUE_DESERIALIZATION or
# _KEY_DESERIALIZATION, message TEXT).  Never raises: every consume path
# hands the message on, the raw payload and key still in it.
proc ::kafka::Serde::Decorate {value key message} {
    foreach {serde side} [list $value VALUE $key KEY] {
        if {$serde eq "" || [dict exists $message error]} { continue }
        if {[namespace which -command $serde] eq ""} {
            set failed 1
            set decoded "the [string tolower $side] serde \"[string trimleft $serde :]\" bound to this topic was deleted"
        } else {
            set failed [catch {$serde deserialize $message} decoded]
        }
        if {$failed} {
            dict set message error _${side}_DESERIALIZATION
            dict set message message $decoded
        } else {
            set message $decoded
        }
    }
    return $message
}

# The wire-format bytes of VALUE for TOPIC by bound serde SERDE; its error
# (naming the field path) otherwise.
proc ::kafka::Serde::Encode {serde topic value} {
    if {[namespace which -command $serde] eq ""} {
        Error _STATE "the serde \"[string trimleft $serde :]\" bound to topic \"$topic\" was deleted"
    }
    $serde serialize $topic $value
}
