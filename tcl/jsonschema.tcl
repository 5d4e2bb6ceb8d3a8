# jsonschema.tcl --
#
#	kafka::jsonschema create name|#auto schema: a JSON Schema (draft 7)
#	object that turns Tcl values into JSON text and back, validating
#	against the schema both ways (issue 25 item 4).  kafka::serde -type
#	JSON uses it the way it uses kafka::avro for Avro:
#
#	    obj schema                 the schema text
#	    obj encode value ?-id id?  JSON (UTF-8 bytes), framed with -id
#	    obj decode bytes ?-writer obj?  the Tcl value of JSON BYTES
#	    obj validate json          "" when JSON text is valid, else why
#	    obj delete
#
#	Tcl values carry no type, so the schema drives the encoding, as
#	Avro's does: "type" (and enum/const members, properties, items)
#	says whether 42 is written as a number or a string.  Inside, JSON is a
#	typed tree: {string text} {number text} {boolean 0|1} {null {}}
#	{array {tree ...}} {object {name tree ...}}.  The parser here keeps
#	those types (tcllib's json2dict does not), so validation sees "1"
#	and 1 as the JSON text has them.
#
#	State lives in ::kafka::JsonSchema::O, keyed by a number per object:
#	KEY,text (the schema text), KEY,tree (its typed tree), KEY,name.

namespace eval ::kafka {
    namespace export jsonschema
}
namespace eval ::kafka::JsonSchema {
    variable O
    array set O {}
    variable autoCount 0
    variable objectCount 0
    variable methods {
        schema   {}
        encode   {value ?-id schemaId?}
        decode   {bytes ?-writer jsonschemaObject?}
        validate {json}
        delete   {}
    }
    # Nesting deeper than this (values, or $ref hops) is refused, so that
    # hostile input cannot exhaust Tcl's recursion limit.
    variable maxDepth 200
    variable typeNames {null boolean object array number string integer}
    # Keywords whose value is a schema, an array of schemas, or an object
    # of schemas: where create looks for $ref and pattern to check them.
    variable oneSchema {additionalProperties items additionalItems not if then else contains propertyNames}
    variable schemaList {allOf anyOf oneOf items}
    variable schemaMap {properties definitions patternProperties dependencies}
}

proc ::kafka::JsonSchema::Error {code message} {
    return -level 2 -code error -errorcode [list KAFKA $code $message] $message
}

proc ::kafka::jsonschema {args} {
    if {[llength $args] && [lindex $args 0] ne "create"} {
        ::kafka::ArgError "bad subcommand \"[lindex $args 0]\": must be create"
    }
    if {[llength $args] != 3} {
        ::kafka::ArgError "wrong # args: should be \"kafka::jsonschema create name|#auto schema\""
    }
    lassign $args - name text
    set tree [::kafka::JsonSchema::SchemaTree $text]
    lassign [uplevel 1 [list ::kafka::NewObjectName $name kafka_jsonschema ::kafka::JsonSchema::autoCount]] name shown
    variable ::kafka::JsonSchema::O
    set key [incr ::kafka::JsonSchema::objectCount]
    set O($key,text) $text
    set O($key,tree) $tree
    set O($key,name) $shown
    interp alias {} $name {} ::kafka::JsonSchema::Dispatch $key
    trace add command $name {rename delete} [list ::kafka::JsonSchema::Renamed $key]
    return $shown
}

# True when COMMAND is a kafka::jsonschema object (kafka::serde asks).
proc ::kafka::JsonSchema::Is {command} {
    set qualified [namespace which -command $command]
    if {$qualified eq ""} { return 0 }
    set target [interp alias {} $qualified]
    expr {[lindex $target 0] eq "::kafka::JsonSchema::Dispatch"}
}

proc ::kafka::JsonSchema::Renamed {key old new op} {
    variable O
    if {$op eq "rename" && $new ne ""} {
        set O($key,name) [string trimleft $new :]
        return
    }
    array unset O $key,*
}

proc ::kafka::JsonSchema::Dispatch {key args} {
    variable O
    variable methods
    lassign [::kafka::MethodWord $O($key,name) $methods $args] method args
    set usage [dict get $methods $method]
    set fixed [llength [regsub -all {\?[^?]*\?} $usage ""]]
    set options [lrange $args $fixed end]
    if {[llength $args] < $fixed || [llength $options] > 2
            || ($method ni {encode decode} && [llength $options])} {
        ::kafka::ArgError [string trimright "wrong # args: should be \"$O($key,name) $method $usage"]\"
    }
    set option [expr {$method eq "encode" ? "-id" : "-writer"}]
    foreach {name value} $options {
        if {$name ne $option} { ::kafka::ArgError "bad option \"$name\": must be $option" }
        if {[llength $options] == 1} { ::kafka::ArgError "option $name needs a value" }
        if {$name eq "-writer" && ([catch {Is $value} is] || !$is)} {
            ::kafka::ArgError "\"$value\" is not a kafka::jsonschema object"
        }
    }
    # The error alone: the internals' frames are no use in errorInfo.
    if {[catch {M_$method $key {*}[lrange $args 0 [expr {$fixed - 1}]] {*}$options} result options]} {
        return -code error -errorcode [dict get $options -errorcode] $result
    }
    return $result
}

proc ::kafka::JsonSchema::M_schema {key} {
    variable O
    return $O($key,text)
}

proc ::kafka::JsonSchema::M_delete {key} {
    variable O
    rename [namespace which -command $O($key,name)] ""
}

# VALUE as JSON (UTF-8 bytes) after it passed the schema; with -id ID
# framed in the Schema Registry wire format.  Errors name the path.
proc ::kafka::JsonSchema::M_encode {key value {dashId ""} {id ""}} {
    variable O
    set root $O($key,tree)
    if {$dashId ne "" && (![string is entier -strict $id] || $id < 0 || $id > 2147483647)} {
        ::kafka::ArgError "expected a schema id (0 to 2147483647) but got \"$id\""
    }
    set tree [Typed $root $root $value "" 0]
    set why [Check $root $root $tree "" 0]
    if {$why ne ""} { Error _VALUE_SERIALIZATION $why }
    set bytes [encoding convertto utf-8 [Emit $tree]]
    if {$dashId eq ""} { return $bytes }
    return [::kafka::avro frame $id $bytes]
}

# The Tcl value of JSON BYTES (UTF-8) after it passed the schema (-writer
# is accepted for kafka::serde's sake: a JSON reader needs no writer).
proc ::kafka::JsonSchema::M_decode {key bytes args} {
    variable O
    if {[catch {encoding convertfrom utf-8 $bytes} text]} {
        Error _VALUE_DESERIALIZATION "not UTF-8: $text"
    }
    if {[catch {Parse $text} tree]} {
        Error _VALUE_DESERIALIZATION "not JSON: $tree"
    }
    set why [Check $O($key,tree) $O($key,tree) $tree "" 0]
    if {$why ne ""} { Error _VALUE_DESERIALIZATION $why }
    return [Plain $tree]
}

# "" when JSON text is valid against the schema, else the first reason.
proc ::kafka::JsonSchema::M_validate {key json} {
    variable O
    if {[catch {Parse $json} tree]} {
        ::kafka::ArgError "not JSON: $tree"
    }
    Check $O($key,tree) $O($key,tree) $tree "" 0
}

# --- the typed parser -------------------------------------------------------

# The typed tree of JSON TEXT, or an error saying where it is not JSON.
# One regexp cuts the text into tokens (strings, numbers, literals,
# punctuation, and any other character alone, so that the parser meets it);
# what lies between tokens can only be JSON's whitespace.
proc ::kafka::JsonSchema::Parse {text} {
    variable tokenPattern
    set spans [regexp -all -inline -indices -- $tokenPattern $text]
    set tokens [lmap span $spans { string range $text {*}$span }]
    set i 0
    set tree [ParseValue $tokens $spans i 0]
    if {$i < [llength $tokens]} {
        error "unexpected text at character [lindex $spans $i 0]"
    }
    return $tree
}
# Coarse on purpose (twice as fast as exact tokens in Tcl's regexp): a
# string or a word is checked exactly where ParseValue meets it.
set ::kafka::JsonSchema::tokenPattern {[][{}:,]|"[^"\\]*(?:\\.[^"\\]*)*"|[-+.0-9A-Za-z]+|[^ \t\r\n]}

# Token I (advanced past) and where it starts, for ParseValue and friends.
proc ::kafka::JsonSchema::Next {tokens spans iVar} {
    upvar 1 $iVar i
    if {$i >= [llength $tokens]} { error "unexpected end of text" }
    set token [lindex $tokens $i]
    incr i
    return $token
}

proc ::kafka::JsonSchema::ParseValue {tokens spans iVar depth} {
    upvar 1 $iVar i
    variable maxDepth
    if {$depth > $maxDepth} { error "nested deeper than $maxDepth" }
    set at [lindex $spans $i 0]
    set token [Next $tokens $spans i]
    switch -glob -- $token {
        "\{" { return [ParseObject $tokens $spans i $depth] }
        {\[} { return [ParseArray $tokens $spans i $depth] }
        "\"*" { return [list string [Unquote $token $at]] }
        true { return {boolean 1} }
        false { return {boolean 0} }
        null { return {null {}} }
    }
    if {[regexp {^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$} $token]} {
        return [list number $token]
    }
    error "unexpected [expr {[string length $token] > 1 ? "\"[Short $token]\"" : "character \"$token\""}] at character $at"
}

# The text of string TOKEN (quotes included) that starts at character AT.
proc ::kafka::JsonSchema::Unquote {token at} {
    if {[string length $token] < 2 || ([regexp {[\\\x00-\x1f]} $token]
            && ![regexp {^"(?:[^"\\\x00-\x1f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"$} $token])} {
        error "bad string at character $at"
    }
    set raw [string range $token 1 end-1]
    if {[string first \\ $raw] < 0} { return $raw }
    # Only the escapes JSON knows are left: subst reads them the same way.
    ::kafka::Registry::JoinSurrogates [subst -nocommands -novariables [string map {\\/ /} $raw]]
}

proc ::kafka::JsonSchema::Expect {tokens spans iVar allowed} {
    upvar 1 $iVar i
    set at [lindex $spans $i 0]
    set token [Next $tokens $spans i]
    if {$token ni $allowed} {
        error "expected one of [join $allowed {}] at character $at"
    }
    return $token
}

proc ::kafka::JsonSchema::ParseArray {tokens spans iVar depth} {
    upvar 1 $iVar i
    if {[lindex $tokens $i] eq "\]"} {
        incr i
        return {array {}}
    }
    set items {}
    while 1 {
        lappend items [ParseValue $tokens $spans i [expr {$depth + 1}]]
        if {[Expect $tokens $spans i {, ]}] eq "\]"} { return [list array $items] }
    }
}

proc ::kafka::JsonSchema::ParseObject {tokens spans iVar depth} {
    upvar 1 $iVar i
    if {[lindex $tokens $i] eq "\}"} {
        incr i
        return {object {}}
    }
    set members {}
    while 1 {
        set at [lindex $spans $i 0]
        set token [lindex $tokens $i]
        if {[string index $token 0] ne "\""} {
            if {$i >= [llength $tokens]} { error "unexpected end of text" }
            error "expected a member name at character $at"
        }
        incr i
        set name [Unquote $token $at]
        Expect $tokens $spans i :
        dict set members $name [ParseValue $tokens $spans i [expr {$depth + 1}]]
        if {[Expect $tokens $spans i {, \}}] eq "\}"} { return [list object $members] }
    }
}

# --- typed tree <-> JSON text and Tcl values --------------------------------

proc ::kafka::JsonSchema::Emit {tree} {
    lassign $tree tag value
    switch -- $tag {
        string { return [Quote $value] }
        number { return $value }
        boolean { return [expr {$value ? "true" : "false"}] }
        null { return null }
        array { return "\[[join [lmap item $value { Emit $item }] ,]\]" }
        object {
            set members {}
            dict for {name item} $value { lappend members "[Quote $name]:[Emit $item]" }
            return "\{[join $members ,]\}"
        }
    }
}

proc ::kafka::JsonSchema::Quote {text} {
    variable quoteMap
    if {![info exists quoteMap]} {
        set quoteMap [list \\ \\\\ \" \\\" \n \\n \r \\r \t \\t \b \\b \f \\f]
        for {set i 0} {$i < 32} {incr i} {
            if {[format %c $i] ni $quoteMap} { lappend quoteMap [format %c $i] [format \\u%04x $i] }
        }
    }
    set text [string map $quoteMap $text]
    # UTF-16 surrogates (a lone one, or Tcl 8.6's halves of a character
    # beyond U+FFFF) as \u escapes: their UTF-8 bytes would not be UTF-8.
    if {[regexp {[\uD800-\uDFFF]} $text]} {
        set escaped ""
        foreach char [split $text ""] {
            scan $char %c code
            if {$code >= 0xD800 && $code <= 0xDFFF} { set char [format \\u%04x $code] }
            append escaped $char
        }
        set text $escaped
    }
    return "\"$text\""
}

# The Tcl value of TREE: objects are dicts, arrays lists, booleans 1/0,
# null the empty string, numbers their JSON text.
proc ::kafka::JsonSchema::Plain {tree} {
    lassign $tree tag value
    switch -- $tag {
        array { return [lmap item $value { Plain $item }] }
        object { return [dict map {name item} $value { Plain $item }] }
        null { return "" }
        default { return $value }
    }
}

# --- the schema --------------------------------------------------------------

# The typed tree of schema TEXT, checked: JSON, an object or boolean,
# known type names, every $ref local and resolvable, every pattern a
# regular expression Tcl reads.
proc ::kafka::JsonSchema::SchemaTree {text} {
    if {[catch {Parse $text} tree]} {
        ::kafka::ArgError "bad JSON schema: not JSON: $tree"
    }
    if {[lindex $tree 0] ni {object boolean}} {
        ::kafka::ArgError "bad JSON schema: expected an object or a boolean, got [Short [Emit $tree]]"
    }
    set why [CheckSchema $tree $tree "#" 0]
    if {$why ne ""} { ::kafka::ArgError "bad JSON schema: $why" }
    return $tree
}

# "" when SCHEMA (at pointer WHERE in ROOT) and its subschemas are usable.
proc ::kafka::JsonSchema::CheckSchema {root schema where depth} {
    variable maxDepth
    if {$depth > $maxDepth} { return "$where: nested deeper than $maxDepth" }
    lassign $schema tag keywords
    if {$tag eq "boolean"} { return "" }
    if {$tag ne "object"} { return "$where: a schema must be an object or a boolean" }
    set why [CheckKeywords $root $keywords $where]
    if {$why ne ""} { return $why }
    if {[catch {Subschemas $keywords $where} subs]} { return $subs }
    foreach {at sub} $subs {
        set why [CheckSchema $root $sub $at [expr {$depth + 1}]]
        if {$why ne ""} { return $why }
    }
    return ""
}

# "" when the keywords of one schema object are usable: $ref, type, pattern,
# patternProperties' names.
proc ::kafka::JsonSchema::CheckKeywords {root keywords where} {
    variable typeNames
    if {[dict exists $keywords \$ref] && [lindex [dict get $keywords \$ref] 0] eq "string"} {
        if {[catch {Resolve $root [lindex [dict get $keywords \$ref] 1]} why]} { return "$where: $why" }
    }
    foreach name [TypeNames $keywords] {
        if {$name ni $typeNames} { return "$where/type: unknown type \"$name\"" }
    }
    if {[dict exists $keywords pattern] && [lindex [dict get $keywords pattern] 0] eq "string"
            && [catch {regexp -- [lindex [dict get $keywords pattern] 1] ""} why]} {
        return "$where/pattern: not a regular expression Tcl reads: $why"
    }
    if {[dict exists $keywords patternProperties] && [lindex [dict get $keywords patternProperties] 0] eq "object"} {
        foreach pattern [dict keys [lindex [dict get $keywords patternProperties] 1]] {
            if {[catch {regexp -- $pattern ""} why]} {
                return "$where/patternProperties: \"$pattern\" is not a regular expression Tcl reads: $why"
            }
        }
    }
    return ""
}

# {pointer subschema ...} of the keywords that hold subschemas; an error
# when a schema map (properties ...) holds something else.
proc ::kafka::JsonSchema::Subschemas {keywords where} {
    variable oneSchema
    variable schemaList
    variable schemaMap
    set subs {}
    dict for {name value} $keywords {
        lassign $value vtag vvalue
        if {$name in $oneSchema && $vtag in {object boolean}} { lappend subs $where/$name $value }
        if {$name in $schemaList && $vtag eq "array"} {
            set i -1
            foreach sub $vvalue { lappend subs $where/$name/[incr i] $sub }
        }
        if {$name ni $schemaMap || $vtag ne "object"} { continue }
        dict for {k sub} $vvalue {
            if {[lindex $sub 0] in {object boolean}} {
                lappend subs $where/$name/$k $sub
            } elseif {$name ne "dependencies"} {
                error "$where/$name/$k: a schema must be an object or a boolean"
            }
        }
    }
    return $subs
}

# The subschema $ref REF points to in ROOT: "#" or a JSON pointer
# "#/a/b" (~0 ~1 and %XX decoded).  Other forms (ids, other documents)
# are refused.
proc ::kafka::JsonSchema::Resolve {root ref} {
    if {$ref ne "#" && ![string match "#/*" $ref]} {
        error "unsupported \$ref \"$ref\" (only \"#\" and \"#/json/pointer\" within the document)"
    }
    set node $root
    foreach part [lrange [split [string range $ref 1 end] /] 1 end] {
        set part [string map {~1 / ~0 ~} [PercentDecode $part]]
        lassign $node tag value
        if {$tag eq "object" && [dict exists $value $part]} {
            set node [dict get $value $part]
        } elseif {$tag eq "array" && [string is digit -strict $part] && $part < [llength $value]} {
            set node [lindex $value $part]
        } else {
            error "\$ref \"$ref\" points nowhere"
        }
    }
    if {[lindex $node 0] ni {object boolean}} { error "\$ref \"$ref\" is not a schema" }
    return $node
}

proc ::kafka::JsonSchema::PercentDecode {text} {
    if {[string first % $text] < 0} { return $text }
    encoding convertfrom utf-8 [subst -nocommands -novariables \
        [regsub -all {%([0-9a-fA-F]{2})} [string map {\\ \\\\ \[ \\\[} $text] {\\x\1}]]
}

proc ::kafka::JsonSchema::Keyword {schema name valueVar} {
    upvar 1 $valueVar value
    lassign $schema tag keywords
    if {$tag ne "object" || ![dict exists $keywords $name]} { return 0 }
    set value [dict get $keywords $name]
    return 1
}

# SCHEMA with $ref followed (draft 7: a $ref's siblings are ignored).
proc ::kafka::JsonSchema::Deref {root schema path} {
    variable maxDepth
    for {set hops 0} {[Keyword $schema \$ref ref] && [lindex $ref 0] eq "string"} {incr hops} {
        if {$hops > $maxDepth} { Error _VALUE_SERIALIZATION "[At $path]: \$ref loop" }
        set schema [Resolve $root [lindex $ref 1]]
    }
    return $schema
}

# --- validation ---------------------------------------------------------------

# "" when typed TREE at PATH is valid against SCHEMA (within ROOT), else
# the first reason, naming the path: "position.lat: expected number, got "abc"".
proc ::kafka::JsonSchema::Check {root schema tree path depth} {
    variable maxDepth
    if {$depth > $maxDepth} { return "[At $path]: nested deeper than $maxDepth" }
    if {[catch {Deref $root $schema $path} schema]} { return $schema }
    lassign $schema stag keywords
    if {$stag eq "boolean"} {
        return [expr {$keywords ? "" : "[At $path]: no value is allowed here (schema false)"}]
    }
    lassign $tree tag value
    foreach step [Steps $keywords $tag] {
        set why [$step $root $keywords $tag $value $path $depth]
        if {$why ne ""} { return $why }
    }
    return ""
}

# The Check steps that have something to check for KEYWORDS and a value of TAG.
proc ::kafka::JsonSchema::Steps {keywords tag} {
    set steps {}
    if {[dict exists $keywords type]} { lappend steps CheckType }
    if {[dict exists $keywords enum] || [dict exists $keywords const]} { lappend steps CheckEnum }
    switch -- $tag {
        number { lappend steps CheckNumber }
        string { lappend steps CheckString }
        object { lappend steps CheckObject CheckDependencies }
        array { lappend steps CheckArray CheckContains }
    }
    foreach name {allOf anyOf oneOf not} {
        if {[dict exists $keywords $name]} { lappend steps CheckCombined; break }
    }
    if {[dict exists $keywords if]} { lappend steps CheckCondition }
    return $steps
}

proc ::kafka::JsonSchema::Got {tag value} {
    if {$tag eq "string"} { return "\"[Short $value]\"" }
    return [Short [Emit [list $tag $value]]]
}

proc ::kafka::JsonSchema::IsType {name tag value} {
    switch -- $name {
        integer { return [expr {$tag eq "number" && [IsIntegral $value]}] }
        default { return [expr {$tag eq $name}] }
    }
}

# Draft 7: a number with a zero fraction (1.0) is an integer.
proc ::kafka::JsonSchema::IsIntegral {number} {
    if {[string is entier -strict $number]} { return 1 }
    if {[catch {expr {double($number)}} d] || $d != $d || abs($d) == Inf} { return 0 }
    expr {$d == floor($d)}
}

proc ::kafka::JsonSchema::TypeNames {keywords} {
    if {![dict exists $keywords type]} { return {} }
    lassign [dict get $keywords type] ttag tvalue
    expr {$ttag eq "array" ? [lmap t $tvalue { lindex $t 1 }] : [list $tvalue]}
}

proc ::kafka::JsonSchema::CheckType {root keywords tag value path depth} {
    set names [TypeNames $keywords]
    if {![llength $names]} { return "" }
    foreach name $names {
        if {[IsType $name $tag $value]} { return "" }
    }
    return "[At $path]: expected [join $names " or "], got [Got $tag $value]"
}

# JSON equality: numbers by value (1 = 1.0), objects whatever their order.
proc ::kafka::JsonSchema::Equal {a b} {
    lassign $a atag avalue
    lassign $b btag bvalue
    if {$atag ne $btag} { return 0 }
    switch -- $atag {
        number { return [expr {$avalue == $bvalue}] }
        array {
            if {[llength $avalue] != [llength $bvalue]} { return 0 }
            foreach x $avalue y $bvalue { if {![Equal $x $y]} { return 0 } }
            return 1
        }
        object {
            if {[dict size $avalue] != [dict size $bvalue]} { return 0 }
            dict for {k x} $avalue {
                if {![dict exists $bvalue $k] || ![Equal $x [dict get $bvalue $k]]} { return 0 }
            }
            return 1
        }
        default { return [expr {$avalue eq $bvalue}] }
    }
}

proc ::kafka::JsonSchema::CheckEnum {root keywords tag value path depth} {
    if {[dict exists $keywords const] && ![Equal [dict get $keywords const] [list $tag $value]]} {
        return "[At $path]: expected [Short [Emit [dict get $keywords const]]] (const), got [Got $tag $value]"
    }
    if {[dict exists $keywords enum] && [lindex [dict get $keywords enum] 0] eq "array"} {
        set members [lindex [dict get $keywords enum] 1]
        foreach member $members {
            if {[Equal $member [list $tag $value]]} { return "" }
        }
        return "[At $path]: [Got $tag $value] is not one of [Short [Emit [dict get $keywords enum]]] (enum)"
    }
    return ""
}

proc ::kafka::JsonSchema::NumberKeyword {keywords name} {
    if {![dict exists $keywords $name]} { return "" }
    lassign [dict get $keywords $name] tag value
    if {$tag ne "number"} { return "" }
    return $value
}

proc ::kafka::JsonSchema::CheckNumber {root keywords tag value path depth} {
    if {$tag ne "number"} { return "" }
    foreach {name test words} {
        minimum          {$value < $limit}  {is less than the minimum}
        maximum          {$value > $limit}  {is greater than the maximum}
        exclusiveMinimum {$value <= $limit} {is not greater than the exclusiveMinimum}
        exclusiveMaximum {$value >= $limit} {is not less than the exclusiveMaximum}
    } {
        set limit [NumberKeyword $keywords $name]
        if {$limit ne "" && [expr $test]} { return "[At $path]: $value $words $limit" }
    }
    set step [NumberKeyword $keywords multipleOf]
    if {$step ne "" && $step > 0} {
        set q [expr {double($value) / $step}]
        if {abs($q) != Inf && $q != floor($q)} { return "[At $path]: $value is not a multiple of $step" }
    }
    return ""
}

proc ::kafka::JsonSchema::CheckString {root keywords tag value path depth} {
    if {$tag ne "string"} { return "" }
    set length [string length $value]
    set min [NumberKeyword $keywords minLength]
    if {$min ne "" && $length < $min} { return "[At $path]: \"[Short $value]\" is shorter than minLength $min" }
    set max [NumberKeyword $keywords maxLength]
    if {$max ne "" && $length > $max} { return "[At $path]: \"[Short $value]\" is longer than maxLength $max" }
    if {[dict exists $keywords pattern] && [lindex [dict get $keywords pattern] 0] eq "string"} {
        set pattern [lindex [dict get $keywords pattern] 1]
        if {![regexp -- $pattern $value]} {
            return "[At $path]: \"[Short $value]\" does not match the pattern \"$pattern\""
        }
    }
    return ""
}

# Paths in messages: position.lat, tags[2], ["odd name"]; the top "value".
proc ::kafka::JsonSchema::At {path} {
    # (Not expr's ?: which would turn a path like "nan" or "1e400" into a number.)
    if {$path eq ""} { return value }
    return $path
}

proc ::kafka::JsonSchema::Member {path name} {
    if {[regexp {^[A-Za-z_][A-Za-z0-9_]*$} $name]} {
        if {$path eq ""} { return $name }
        return $path.$name
    }
    return "$path\[\"$name\"\]"
}

proc ::kafka::JsonSchema::CheckObject {root keywords tag value path depth} {
    if {$tag ne "object"} { return "" }
    if {[dict exists $keywords required] && [lindex [dict get $keywords required] 0] eq "array"} {
        foreach name [lindex [dict get $keywords required] 1] {
            if {![dict exists $value [lindex $name 1]]} {
                return "[At $path]: required property \"[lindex $name 1]\" is missing"
            }
        }
    }
    foreach {name sign words} {minProperties -1 fewer maxProperties 1 more} {
        set n [NumberKeyword $keywords $name]
        if {$n ne "" && ([dict size $value] - $n) * $sign > 0} {
            return "[At $path]: [dict size $value] properties, $words than $name $n"
        }
    }
    set properties [expr {[dict exists $keywords properties] ? [lindex [dict get $keywords properties] 1] : {}}]
    set patterns [expr {[dict exists $keywords patternProperties] ? [lindex [dict get $keywords patternProperties] 1] : {}}]
    dict for {name item} $value {
        set matched 0
        set schemas {}
        if {[dict exists $properties $name]} {
            set matched 1
            lappend schemas [dict get $properties $name]
        }
        dict for {pattern sub} $patterns {
            if {![catch {regexp -- $pattern $name} hit] && $hit} {
                set matched 1
                lappend schemas $sub
            }
        }
        if {!$matched && [dict exists $keywords additionalProperties]} {
            set extra [dict get $keywords additionalProperties]
            if {$extra eq {boolean 0}} {
                return "[Member $path $name]: property not allowed (additionalProperties false)"
            }
            lappend schemas $extra
        }
        foreach sub $schemas {
            set why [Check $root $sub $item [Member $path $name] [expr {$depth + 1}]]
            if {$why ne ""} { return $why }
        }
    }
    return ""
}

# propertyNames and dependencies (a list of names, or a schema).
proc ::kafka::JsonSchema::CheckDependencies {root keywords tag value path depth} {
    if {$tag ne "object"} { return "" }
    if {[dict exists $keywords propertyNames]} {
        foreach name [dict keys $value] {
            set why [Check $root [dict get $keywords propertyNames] [list string $name] \
                [Member $path $name] [expr {$depth + 1}]]
            if {$why ne ""} { return "$why (propertyNames)" }
        }
    }
    if {![dict exists $keywords dependencies] || [lindex [dict get $keywords dependencies] 0] ne "object"} {
        return ""
    }
    dict for {name needs} [lindex [dict get $keywords dependencies] 1] {
        if {![dict exists $value $name]} { continue }
        if {[lindex $needs 0] eq "array"} {
            foreach other [lindex $needs 1] {
                if {![dict exists $value [lindex $other 1]]} {
                    return "[At $path]: property \"[lindex $other 1]\" is required by \"$name\" (dependencies)"
                }
            }
            continue
        }
        set why [Check $root $needs [list object $value] $path [expr {$depth + 1}]]
        if {$why ne ""} { return $why }
    }
    return ""
}

proc ::kafka::JsonSchema::CheckContains {root keywords tag value path depth} {
    if {$tag ne "array" || ![dict exists $keywords contains]} { return "" }
    foreach item $value {
        if {[Check $root [dict get $keywords contains] $item $path [expr {$depth + 1}]] eq ""} { return "" }
    }
    return "[At $path]: no item matches the \"contains\" schema"
}

# if / then / else.
proc ::kafka::JsonSchema::CheckCondition {root keywords tag value path depth} {
    if {![dict exists $keywords if]} { return "" }
    set tree [list $tag $value]
    set branch [expr {[Check $root [dict get $keywords if] $tree $path [expr {$depth + 1}]] eq "" ? "then" : "else"}]
    if {![dict exists $keywords $branch]} { return "" }
    set why [Check $root [dict get $keywords $branch] $tree $path [expr {$depth + 1}]]
    expr {$why eq "" ? "" : "$why ($branch)"}
}

proc ::kafka::JsonSchema::CheckArray {root keywords tag value path depth} {
    if {$tag ne "array"} { return "" }
    foreach {name sign words} {minItems -1 fewer maxItems 1 more} {
        set n [NumberKeyword $keywords $name]
        if {$n ne "" && ([llength $value] - $n) * $sign > 0} {
            return "[At $path]: [llength $value] items, $words than $name $n"
        }
    }
    if {[dict exists $keywords uniqueItems] && [dict get $keywords uniqueItems] eq {boolean 1}} {
        # By canonical form, so that a long array costs n look-ups, not n*n comparisons.
        set seen [dict create]
        set i -1
        foreach item $value {
            set form [Canonical $item]
            if {[dict exists $seen $form]} {
                return "[At $path]: items [dict get $seen $form] and [incr i] are equal (uniqueItems)"
            }
            dict set seen $form [incr i]
        }
    }
    set i -1
    foreach item $value {
        set sub [ItemSchema $keywords [incr i]]
        if {$sub eq ""} { continue }
        if {$sub eq {boolean 0}} { return "$path\[$i\]: no item allowed here" }
        set why [Check $root $sub $item $path\[$i\] [expr {$depth + 1}]]
        if {$why ne ""} { return $why }
    }
    return ""
}

# A text equal for trees Equal calls equal: numbers by value, object
# members sorted.
proc ::kafka::JsonSchema::Canonical {tree} {
    lassign $tree tag value
    switch -- $tag {
        number {
            if {[string is entier -strict $value]} { return "n[expr {$value + 0}]" }
            set d [expr {double($value)}]
            if {$d == floor($d) && abs($d) < 1e15} { return "n[expr {entier($d)}]" }
            return "n$d"
        }
        array { return "a[list [lmap item $value { Canonical $item }]]" }
        object {
            set members {}
            foreach name [lsort [dict keys $value]] { lappend members $name [Canonical [dict get $value $name]] }
            return "o[list $members]"
        }
        default { return "[string index $tag 0][list $value]" }
    }
}

# The schema of item I under KEYWORDS' items / additionalItems, or "".
proc ::kafka::JsonSchema::ItemSchema {keywords i} {
    if {![dict exists $keywords items]} { return "" }
    lassign [dict get $keywords items] tag value
    if {$tag ne "array"} { return [dict get $keywords items] }
    if {$i < [llength $value]} { return [lindex $value $i] }
    if {[dict exists $keywords additionalItems]} { return [dict get $keywords additionalItems] }
    return ""
}

proc ::kafka::JsonSchema::CheckCombined {root keywords tag value path depth} {
    set tree [list $tag $value]
    incr depth
    foreach name {allOf anyOf oneOf} {
        if {![dict exists $keywords $name] || [lindex [dict get $keywords $name] 0] ne "array"} { continue }
        set whys {}
        set passed {}
        set i -1
        foreach sub [lindex [dict get $keywords $name] 1] {
            incr i
            set why [Check $root $sub $tree $path $depth]
            if {$why eq ""} { lappend passed $i } else { lappend whys $why }
            if {$name eq "allOf" && $why ne ""} { return $why }
        }
        if {$name ne "allOf" && ![llength $passed]} {
            return "[At $path]: matches none of the $name schemas ([lindex $whys 0] ...)"
        }
        if {$name eq "oneOf" && [llength $passed] > 1} {
            return "[At $path]: matches more than one of the oneOf schemas ([join $passed { and }])"
        }
    }
    if {[dict exists $keywords not] && [Check $root [dict get $keywords not] $tree $path $depth] eq ""} {
        return "[At $path]: must not match the \"not\" schema"
    }
    return ""
}

proc ::kafka::JsonSchema::Short {text} {
    if {[string length $text] > 60} { return "[string range $text 0 59]..." }
    return $text
}

# --- Tcl value -> typed tree, as the schema says ----------------------------

# The typed tree of Tcl VALUE at PATH under SCHEMA (within ROOT).  The JSON
# type is the first of the schema's types the value can be, in the order
# null (the empty string), integer, number, boolean, string, object, array;
# an enum or const member equal to the value gives its own type; anyOf and
# oneOf take the first branch the value passes; allOf's branches add their
# keywords.  Without any of these a value is a number when it reads as one,
# else a string.  A value no type fits is an error naming the path.
proc ::kafka::JsonSchema::Typed {root schema value path depth} {
    variable maxDepth
    if {$depth > $maxDepth} { Error _VALUE_SERIALIZATION "[At $path]: nested deeper than $maxDepth" }
    set schema [Deref $root $schema $path]
    lassign $schema stag keywords
    if {$stag eq "boolean"} {
        # A false schema is Check's to report (additionalProperties false ...).
        return [Infer $value]
    }
    set keywords [WithAllOf $root $keywords $path]
    foreach name {const enum} {
        if {[dict exists $keywords $name]} {
            set members [expr {$name eq "const" ? [list [dict get $keywords const]] : [lindex [dict get $keywords enum] 1]}]
            foreach member $members {
                if {[lindex $member 0] ni {object array} && [Plain $member] eq $value} { return $member }
            }
        }
    }
    foreach name {anyOf oneOf} {
        if {[dict exists $keywords $name] && [lindex [dict get $keywords $name] 0] eq "array"} {
            foreach sub [lindex [dict get $keywords $name] 1] {
                if {![catch {Typed $root $sub $value $path [expr {$depth + 1}]} tree]
                        && [Check $root $sub $tree $path [expr {$depth + 1}]] eq ""} {
                    return $tree
                }
            }
        }
    }
    set types [TypeNames $keywords]
    if {![llength $types]} {
        if {[dict exists $keywords properties] || [dict exists $keywords required]
                || [dict exists $keywords additionalProperties]} {
            set types object
        } elseif {[dict exists $keywords items]} {
            set types array
        } else {
            return [Infer $value]
        }
    }
    foreach type {null integer number boolean string object array} {
        if {$type ni $types} { continue }
        set tree [TypedAs $type $root $keywords $value $path $depth]
        if {$tree ne ""} { return $tree }
    }
    Error _VALUE_SERIALIZATION "[At $path]: expected [join $types " or "], got \"[Short $value]\""
}

# KEYWORDS with those of the allOf branches added where absent
# (properties merged), so that a value is typed by all of them.
proc ::kafka::JsonSchema::WithAllOf {root keywords path} {
    if {![dict exists $keywords allOf] || [lindex [dict get $keywords allOf] 0] ne "array"} {
        return $keywords
    }
    foreach sub [lindex [dict get $keywords allOf] 1] {
        lassign [Deref $root $sub $path] tag more
        if {$tag ne "object"} { continue }
        dict for {name value} $more {
            if {$name eq "properties" && [dict exists $keywords properties]} {
                dict set keywords properties [list object \
                    [dict merge [lindex $value 1] [lindex [dict get $keywords properties] 1]]]
            } elseif {![dict exists $keywords $name]} {
                dict set keywords $name $value
            }
        }
    }
    return $keywords
}

proc ::kafka::JsonSchema::Infer {value} {
    set number [JsonNumber $value]
    if {$number ne ""} { return [list number $number] }
    return [list string $value]
}

# VALUE as a JSON number's text, or "" when it is not a finite number.
proc ::kafka::JsonSchema::JsonNumber {value} {
    if {[regexp {^-?(?:0|[1-9][0-9]*)$} $value]} { return $value }
    # Leading zeros are decimal (Tcl 8.6 would read 010 as octal 8).
    if {[regexp {^\s*([-+]?)0*([0-9]+)\s*$} $value -> sign digits]} {
        return [string trimleft $sign +]$digits
    }
    if {[string is entier -strict $value]} { return [expr {$value + 0}] }
    if {![string is double -strict $value] || [catch {expr {double($value)}} d]
            || $d != $d || abs($d) == Inf} {
        return ""
    }
    # JSON's own spelling is kept (2.50 stays 2.50); others (.5, 1.) are Tcl's.
    if {[regexp {^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$} $value]} { return $value }
    return $d
}

# The typed tree of VALUE as JSON TYPE, or "" when it cannot be one.
proc ::kafka::JsonSchema::TypedAs {type root keywords value path depth} {
    switch -- $type {
        null { return [expr {$value eq "" ? {null {}} : ""}] }
        integer {
            set number [JsonNumber $value]
            return [expr {$number ne "" && [IsIntegral $number] ? [list number $number] : ""}]
        }
        number {
            set number [JsonNumber $value]
            return [expr {$number ne "" ? [list number $number] : ""}]
        }
        boolean {
            if {![string is boolean -strict $value]} { return "" }
            return [list boolean [expr {$value ? 1 : 0}]]
        }
        string { return [list string $value] }
        object {
            if {[catch {dict size $value}]} { return "" }
            return [TypedObject $root $keywords $value $path $depth]
        }
        array {
            if {![string is list $value]} { return "" }
            set i -1
            return [list array [lmap item $value {
                set sub [ItemSchema $keywords [incr i]]
                if {$sub eq ""} { Infer $item } else { Typed $root $sub $item $path\[$i\] [expr {$depth + 1}] }
            }]]
        }
    }
}

proc ::kafka::JsonSchema::TypedObject {root keywords value path depth} {
    set properties [expr {[dict exists $keywords properties] ? [lindex [dict get $keywords properties] 1] : {}}]
    set patterns [expr {[dict exists $keywords patternProperties] ? [lindex [dict get $keywords patternProperties] 1] : {}}]
    set members {}
    dict for {name item} $value {
        set sub ""
        if {[dict exists $properties $name]} {
            set sub [dict get $properties $name]
        } else {
            dict for {pattern candidate} $patterns {
                if {![catch {regexp -- $pattern $name} hit] && $hit} { set sub $candidate; break }
            }
        }
        if {$sub eq "" && [dict exists $keywords additionalProperties]} {
            set sub [dict get $keywords additionalProperties]
        }
        set at [Member $path $name]
        dict set members $name [expr {$sub eq "" ? [Infer $item] : [Typed $root $sub $item $at [expr {$depth + 1}]]}]
    }
    return [list object $members]
}
