# registry.tcl --
#
#	kafka::registry create name|#auto -url URL ?-user U -password P?
#	    ?-tls {tls::socket options}? ?-timeout ms?
#
#	A client of a Confluent-API schema registry (Confluent Schema Registry,
#	Apicurio's /apis/ccompat/v7, Karapace, Redpanda): register and look up
#	schemas.  Written in Tcl on the http package: with -command or -await a
#	request never blocks the event loop (http::geturl -command is event
#	driven); without them the call waits for the answer (at most -timeout
#	ms) in the http package's own vwait.  JSON through tcllib's json and
#	json::write.  Ids and the schemas of ids are cached for the object's
#	life: a registry never gives an id to another schema.
#
#	State of an object NAME lives in the array ::kafka::Registry::O, keys
#	"NAME,field": url, auth (the Authorization header or ""), scheme (the
#	http::register scheme its requests use), timeout, pending (http tokens
#	in flight), ids (dict subject\0type\0schema -> id), schemas (dict id ->
#	schema).  A delete trace on the command removes them.

package require http 2.7
package require json
package require json::write

namespace eval ::kafka {
    namespace export registry
}
namespace eval ::kafka::Registry {
    variable O
    array set O {}
    variable autoCount 0
    variable schemeCount 0
    variable objectCount 0
    # The methods, in the order of the "bad method" list, with their usage.
    variable methods {
        register       {subject schema ?-type AVRO|JSON?}
        schema         {id}
        latest         {subject}
        version        {subject version}
        subjects       {}
        versions       {subject}
        compatible     {subject schema ?version? ?-type AVRO|JSON? ?-verbose?}
        config         {?subject? ?level?}
        delete_subject {subject ?-permanent?}
        url            {}
        delete         {}
    }
    # Compatibility levels the Confluent API knows.
    variable levels {BACKWARD BACKWARD_TRANSITIVE FORWARD FORWARD_TRANSITIVE
        FULL FULL_TRANSITIVE NONE}
    variable contentType application/vnd.schemaregistry.v1+json
}

proc ::kafka::registry {args} {
    set usage "wrong # args: should be \"kafka::registry create name|#auto -url URL\
            ?-user user -password password? ?-tls tlsOptions? ?-timeout ms?\""
    if {[llength $args] < 2} { ::kafka::ArgError $usage }
    set args [lassign $args sub name]
    if {$sub ne "create"} { ::kafka::ArgError "bad subcommand \"$sub\": must be create" }
    if {[llength $args] % 2} { ::kafka::ArgError $usage }
    set config [::kafka::Registry::CreateOptions $args]
    lassign [uplevel 1 [list ::kafka::NewObjectName $name kafka_registry ::kafka::Registry::autoCount]] name shown
    ::kafka::Registry::Install $name $shown $config
    return $shown
}

# The create options checked, as a dict url auth tls timeout.
proc ::kafka::Registry::CreateOptions {options} {
    set config [dict create url "" user "" password "" tls "" timeout 30000]
    foreach {option value} $options {
        switch -- $option {
            -url - -user - -password - -tls - -timeout {
                dict set config [string range $option 1 end] $value
            }
            default {
                ::kafka::ArgError "bad option \"$option\": must be -url, -user, -password, -tls, or -timeout"
            }
        }
    }
    set url [string trimright [dict get $config url] /]
    if {![regexp {^(https?)://[^/?#]+(/[^?#]*)?$} $url -> scheme]} {
        ::kafka::ArgError "-url must be an http:// or https:// URL, got \"[dict get $config url]\""
    }
    dict set config url $url
    if {([dict get $config user] eq "") != ([dict get $config password] eq "")} {
        ::kafka::ArgError "-user and -password go together"
    }
    CheckTimeout [dict get $config timeout]
    if {![string is list [dict get $config tls]] || [llength [dict get $config tls]] % 2} {
        ::kafka::ArgError "-tls must be a list of tls::socket options and values"
    }
    if {[dict get $config tls] ne "" && $scheme ne "https"} {
        ::kafka::ArgError "-tls needs an https:// URL"
    }
    if {$scheme eq "https" && [catch {package require tls}]} {
        ::kafka::ArgError "an https:// URL needs the tls package (Debian: tcl-tls)"
    }
    return $config
}

proc ::kafka::Registry::CheckTimeout {ms} {
    if {![string is entier -strict $ms] || $ms < 1 || $ms > 3600000} {
        ::kafka::ArgError "-timeout must be between 1 and 3600000 milliseconds"
    }
}

proc ::kafka::Registry::Install {name shown config} {
    variable O
    variable schemeCount
    variable objectCount
    # State is keyed by a number of its own: the command may be renamed.
    set key [incr objectCount]
    set url [dict get $config url]
    set O($key,auth) ""
    if {[dict get $config user] ne ""} {
        set O($key,auth) "Basic [binary encode base64 [encoding convertto utf-8 \
                [dict get $config user]:[dict get $config password]]]"
    }
    # https with the object's own tls options: a scheme of its own, since
    # http::register is global.
    if {[string match https://* $url]} {
        set scheme kafkaregistry[incr schemeCount]
        ::http::register $scheme 443 [list ::tls::socket {*}[dict get $config tls]]
        set url $scheme[string range $url 5 end]
        set O($key,scheme) $scheme
    } else {
        set O($key,scheme) ""
    }
    set O($key,url) $url
    set O($key,shownUrl) [dict get $config url]
    set O($key,timeout) [dict get $config timeout]
    set O($key,pending) {}
    set O($key,ids) {}
    set O($key,schemas) {}
    set O($key,name) $shown
    interp alias {} $name {} ::kafka::Registry::Dispatch $key
    trace add command $name {rename delete} [list ::kafka::Registry::Renamed $key]
}

# Follows the command's renames (for its messages and delete), forgets on deletion.
proc ::kafka::Registry::Renamed {key old new op} {
    variable O
    if {$op eq "rename" && $new ne ""} {
        set O($key,name) [string trimleft $new :]
        if {[string first :: $O($key,name)] >= 0} { set O($key,name) $new }
        return
    }
    Forget $key
}

# The command is gone: requests in flight are dropped (their -command is
# never invoked, an -await fails with _DESTROY), the state is removed.
proc ::kafka::Registry::Forget {name} {
    variable O
    set pending $O($name,pending)
    if {$O($name,scheme) ne ""} { ::http::unregister $O($name,scheme) }
    array unset O $name,*
    # Resetting runs each request's completion, which sees the object gone.
    foreach token $pending { catch {::http::reset $token destroyed} }
}

proc ::kafka::Registry::Dispatch {name args} {
    variable methods
    variable O
    lassign [::kafka::MethodWord $O($name,name) $methods $args] method args
    if {$method eq "url"} {
        if {[llength $args]} { ::kafka::ArgError "wrong # args: should be \"$O($name,name) url\"" }
        return $O($name,shownUrl)
    }
    if {$method eq "delete"} {
        if {[llength $args]} { ::kafka::ArgError "wrong # args: should be \"$O($name,name) delete\"" }
        rename $O($name,name) ""
        return
    }
    # The error alone: the internals' frames are no use in errorInfo.
    if {[catch {M_$method $name $method {*}$args} result options]} {
        return -code error -errorcode [dict get $options -errorcode] $result
    }
    return $result
}

# --- argument parsing --------------------------------------------------------

# Splits ARGS into words and options, admin style: a word starting with "-"
# (not a negative number) is an option, "--" ends them.  FLAGS are the
# method's own flags, VALUED its options with a value.  Returns a dict:
# words, and each option given (command, await, timeout, type, verbose,
# permanent).
proc ::kafka::Registry::Parse {name method args flags valued min max} {
    variable methods
    set words {}
    set options [dict create]
    set known [list -timeout -command -await {*}$valued {*}$flags]
    for {set i 0} {$i < [llength $args]} {incr i} {
        set word [lindex $args $i]
        if {$word eq "--"} {
            lappend words {*}[lrange $args $i+1 end]
            break
        }
        if {![string match -* $word] || [string is double -strict $word]} {
            lappend words $word
            continue
        }
        if {$word ni $known} {
            ::kafka::ArgError "bad option \"$word\": must be [join $known {, }], or --"
        }
        if {$word in {-timeout -command} || $word in $valued} {
            if {$i + 1 >= [llength $args]} {
                ::kafka::ArgError "option \"$word\" needs a value"
            }
            dict set options [string range $word 1 end] [lindex $args [incr i]]
        } else {
            dict set options [string range $word 1 end] 1
        }
    }
    if {[llength $words] < $min || [llength $words] > $max} {
        ::kafka::ArgError "wrong # args: should be \"$::kafka::Registry::O($name,name) $method [dict get $methods $method]\
                ?-timeout ms? ?-command cmd|-await?\""
    }
    if {[dict exists $options timeout]} { CheckTimeout [dict get $options timeout] }
    if {[dict exists $options await] && [dict exists $options command]} {
        ::kafka::ArgError "-command and -await exclude each other"
    }
    if {[dict exists $options await] && [info coroutine] eq ""} {
        return -code error -errorcode [list KAFKA _STATE \
            "$method -await must be called inside a coroutine (see coroutine(n))"] \
            "$method -await must be called inside a coroutine (see coroutine(n))"
    }
    if {[dict exists $options type] && [dict get $options type] ni {AVRO JSON}} {
        ::kafka::ArgError "bad -type \"[dict get $options type]\": must be AVRO or JSON"
    }
    dict set options words $words
    return $options
}

proc ::kafka::Registry::CheckSubject {subject} {
    if {$subject eq ""} { ::kafka::ArgError "subject must not be empty" }
}

proc ::kafka::Registry::CheckId {id} {
    if {![string is entier -strict $id] || $id < 0 || $id > 2147483647} {
        ::kafka::ArgError "expected a schema id (0 to 2147483647) but got \"$id\""
    }
}

proc ::kafka::Registry::CheckSchema {schema} {
    if {[string trim $schema] eq ""} { ::kafka::ArgError "schema must not be empty" }
}

proc ::kafka::Registry::CheckVersion {version {latest 1}} {
    if {$latest && $version eq "latest"} return
    if {![string is entier -strict $version] || $version < 1 || $version > 2147483647} {
        ::kafka::ArgError "expected a version number (1 to 2147483647[expr {$latest ? " or latest" : ""}]) but got \"$version\""
    }
}

# The subject as a URL path segment: UTF-8, every byte but the
# unreserved ones (RFC 3986) percent-encoded.
proc ::kafka::Registry::Seg {text} {
    set out ""
    foreach byte [split [encoding convertto utf-8 $text] ""] {
        if {[string is alnum $byte] && $byte < "\x80" || $byte in {. _ ~ -}} {
            append out $byte
        } else {
            append out [format %%%02X [scan $byte %c]]
        }
    }
    return $out
}

# --- the methods -------------------------------------------------------------
# Each parses, then calls Request with the HTTP request and a Decode
# command prefix that turns the answer's JSON (as a dict) into the result.

proc ::kafka::Registry::M_register {name method args} {
    variable O
    set o [Parse $name $method $args {} {-type} 2 2]
    lassign [dict get $o words] subject schema
    CheckSubject $subject
    CheckSchema $schema
    set type [expr {[dict exists $o type] ? [dict get $o type] : "AVRO"}]
    set key $subject\0$type\0$schema
    if {[dict exists $O($name,ids) $key]} {
        return [Cached $o [dict get $O($name,ids) $key]]
    }
    set body [dict create schema [::json::write string $schema]]
    if {$type ne "AVRO"} { dict set body schemaType [::json::write string $type] }
    Request $name $o POST /subjects/[Seg $subject]/versions [::json::write object {*}$body] \
        [list ::kafka::Registry::GotId $name $key $schema]
}

proc ::kafka::Registry::GotId {name key schema answer} {
    variable O
    set id [dict get $answer id]
    dict set O($name,ids) $key $id
    dict set O($name,schemas) $id $schema
    return $id
}

proc ::kafka::Registry::M_schema {name method args} {
    variable O
    set o [Parse $name $method $args {} {} 1 1]
    set id [lindex [dict get $o words] 0]
    CheckId $id
    set id [expr {$id + 0}]
    if {[dict exists $O($name,schemas) $id]} {
        return [Cached $o [dict get $O($name,schemas) $id]]
    }
    Request $name $o GET /schemas/ids/$id "" [list ::kafka::Registry::GotSchema $name $id]
}

proc ::kafka::Registry::GotSchema {name id answer} {
    variable O
    set schema [dict get $answer schema]
    dict set O($name,schemas) $id $schema
    return $schema
}

proc ::kafka::Registry::M_latest {name method args} {
    set o [Parse $name $method $args {} {} 1 1]
    set subject [lindex [dict get $o words] 0]
    CheckSubject $subject
    Request $name $o GET /subjects/[Seg $subject]/versions/latest "" \
        [list ::kafka::Registry::GotVersion $name]
}

proc ::kafka::Registry::M_version {name method args} {
    set o [Parse $name $method $args {} {} 2 2]
    lassign [dict get $o words] subject version
    CheckSubject $subject
    CheckVersion $version
    Request $name $o GET /subjects/[Seg $subject]/versions/$version "" \
        [list ::kafka::Registry::GotVersion $name]
}

# A version's answer as the dict subject version id schema type; caches the id's schema.
proc ::kafka::Registry::GotVersion {name answer} {
    variable O
    set type [expr {[dict exists $answer schemaType] ? [dict get $answer schemaType] : "AVRO"}]
    set id [dict get $answer id]
    dict set O($name,schemas) $id [dict get $answer schema]
    dict create subject [dict get $answer subject] version [dict get $answer version] \
        id $id schema [dict get $answer schema] type $type
}

proc ::kafka::Registry::M_subjects {name method args} {
    set o [Parse $name $method $args {} {} 0 0]
    Request $name $o GET /subjects "" {return -level 0}
}

proc ::kafka::Registry::M_versions {name method args} {
    set o [Parse $name $method $args {} {} 1 1]
    set subject [lindex [dict get $o words] 0]
    CheckSubject $subject
    Request $name $o GET /subjects/[Seg $subject]/versions "" {return -level 0}
}

proc ::kafka::Registry::M_compatible {name method args} {
    set o [Parse $name $method $args {-verbose} {-type} 2 3]
    lassign [dict get $o words] subject schema version
    CheckSubject $subject
    CheckSchema $schema
    if {$version eq ""} { set version latest }
    CheckVersion $version
    set body [dict create schema [::json::write string $schema]]
    if {[dict exists $o type] && [dict get $o type] ne "AVRO"} {
        dict set body schemaType [::json::write string [dict get $o type]]
    }
    Request $name $o POST /compatibility/subjects/[Seg $subject]/versions/$version?verbose=true \
        [::json::write object {*}$body] \
        [list ::kafka::Registry::GotCompatible [dict exists $o verbose]]
}

# Confluent answers "messages" (a list), Apicurio "reason" (a string or null).
proc ::kafka::Registry::GotCompatible {verbose answer} {
    set ok [expr {[dict get $answer is_compatible] ? 1 : 0}]
    if {!$verbose} { return $ok }
    set messages {}
    if {[dict exists $answer messages]} { set messages [dict get $answer messages] }
    if {[dict exists $answer reason] && [dict get $answer reason] ni {"" null}} {
        lappend messages [dict get $answer reason]
    }
    dict create compatible $ok messages $messages
}

proc ::kafka::Registry::M_config {name method args} {
    variable levels
    set o [Parse $name $method $args {} {} 0 2]
    lassign [dict get $o words] subject level
    set path /config[expr {$subject eq "" ? "" : "/[Seg $subject]"}]
    if {[llength [dict get $o words]] < 2} {
        return [Request $name $o GET $path "" {::kafka::Registry::GotLevel compatibilityLevel}]
    }
    if {$level ni $levels} {
        ::kafka::ArgError "bad level \"$level\": must be [join [lrange $levels 0 end-1] {, }], or [lindex $levels end]"
    }
    Request $name $o PUT $path [::json::write object compatibility [::json::write string $level]] \
        {::kafka::Registry::GotLevel compatibility}
}

proc ::kafka::Registry::GotLevel {key answer} {
    dict get $answer $key
}

proc ::kafka::Registry::M_delete_subject {name method args} {
    variable O
    set o [Parse $name $method $args {-permanent} {} 1 1]
    set subject [lindex [dict get $o words] 0]
    CheckSubject $subject
    set query [expr {[dict exists $o permanent] ? "?permanent=true" : ""}]
    # Its ids may now name nothing in this subject: forget what maps to them.
    foreach key [dict keys $O($name,ids) $subject\0*] { dict unset O($name,ids) $key }
    Request $name $o DELETE /subjects/[Seg $subject]$query "" {return -level 0}
}

# --- requests ----------------------------------------------------------------

# A cached RESULT delivered as a request's would be: returned, passed to
# -command from the event loop, or returned (-await) without yielding.
proc ::kafka::Registry::Cached {o result} {
    if {[dict exists $o command] && [dict get $o command] ne ""} {
        after 0 [list ::kafka::Registry::Callback [dict get $o command] [dict create error "" result $result]]
        return
    }
    return $result
}

# Sends the request and delivers the decoded answer (DECODE: a command
# prefix taking the answer as a dict) or the error: synchronously (the
# result), to -command (from the event loop) or -await (the coroutine yields).
proc ::kafka::Registry::Request {name o verb path body decode} {
    variable O
    variable contentType
    set timeout [expr {[dict exists $o timeout] ? [dict get $o timeout] : $O($name,timeout)}]
    set headers [list Accept "$contentType, application/json"]
    if {$O($name,auth) ne ""} { lappend headers Authorization $O($name,auth) }
    # -binary: JSON is UTF-8 (RFC 8259), whatever the content type says; Outcome decodes.
    set request [list -method $verb -headers $headers -timeout $timeout -keepalive 0 -binary 1]
    if {$body ne ""} { lappend request -query [encoding convertto utf-8 $body] -type $contentType }
    set url $O($name,url)$path
    set command [expr {[dict exists $o command] ? [dict get $o command] : ""}]
    if {$command ne ""} {
        Send $name $url $request [list ::kafka::Registry::Done $name $decode $timeout [list Deliver $command]]
        return
    }
    if {[dict exists $o await]} {
        set coro [info coroutine]
        set slot ::kafka::Registry::await[incr ::kafka::Registry::autoCount]
        Send $name $url $request [list ::kafka::Registry::Done $name $decode $timeout [list Resume $coro $slot]]
        # Wait for our own answer: other resumptions of the coroutine are ignored.
        while {![info exists $slot]} { yield }
        set outcome [set $slot]
        unset $slot
        return -options [lindex $outcome 1] [lindex $outcome 0]
    }
    # Synchronous: the http package waits (vwait) for the answer.
    set token [Send $name $url $request {}]
    set outcome [Outcome $name $token $decode $timeout]
    return -options [lindex $outcome 1] [lindex $outcome 0]
}

# Starts a request (with an empty CALLBACK: a synchronous one) and returns
# its token; a socket that cannot even be opened is the error at once.
proc ::kafka::Registry::Send {name url request callback} {
    variable O
    if {$callback ne ""} { lappend request -command $callback }
    if {[catch {::http::geturl $url {*}$request} token]} {
        set message "cannot reach the registry at $O($name,shownUrl): $token"
        if {$callback eq ""} { Fail 0 _TRANSPORT $message }
        after 0 [list {*}$callback "" [list 0 _TRANSPORT $message]]
        return ""
    }
    if {$callback ne ""} { lappend O($name,pending) $token }
    return $token
}

# The completion of an asynchronous request: the decoded outcome to RECEIVER.
# A FAILURE (set when the socket could not be opened) replaces the token.
proc ::kafka::Registry::Done {name decode timeout receiver token {failure {}}} {
    # The http package swallows a -command's errors: ours go to bgerror.
    if {[catch {Finish $name $decode $timeout $receiver $token $failure} message options]} {
        after 0 [list return -options $options $message]
    }
}

proc ::kafka::Registry::Finish {name decode timeout receiver token failure} {
    variable O
    if {[info exists O($name,pending)]} {
        set i [lsearch -exact $O($name,pending) $token]
        if {$i >= 0} { set O($name,pending) [lreplace $O($name,pending) $i $i] }
    }
    if {$failure ne ""} {
        set outcome [Failure {*}$failure]
    } else {
        set outcome [Outcome $name $token $decode $timeout]
    }
    {*}$receiver $name $outcome
}

proc ::kafka::Registry::Deliver {command name outcome} {
    lassign $outcome value options
    # A deleted object's -command is never invoked.
    if {[dict exists $options -errorcode] && [lindex [dict get $options -errorcode] 1] eq "_DESTROY"} return
    if {[dict get $options -code] == 0} {
        set result [dict create error "" result $value]
    } else {
        lassign [dict get $options -errorcode] _ error status code
        set result [dict create error $error message $value status $status code $code]
    }
    Callback $command $result
}

proc ::kafka::Registry::Callback {command result} {
    if {[catch {uplevel #0 [list {*}$command $result]} message options]} {
        # As any event callback's error: to bgerror.
        after 0 [list return -options $options $message]
    }
}

proc ::kafka::Registry::Resume {coro slot name outcome} {
    set $slot $outcome
    # A coroutine gone (deleted, cancelled) has nobody to tell.
    if {[info commands $coro] eq ""} {
        unset $slot
        return
    }
    after 0 [list ::kafka::Registry::Wake $coro $slot]
}

proc ::kafka::Registry::Wake {coro slot} {
    if {[info commands $coro] eq ""} {
        unset -nocomplain $slot
        return
    }
    $coro
}

# A finished request's outcome (a list: value, return options), the
# token cleaned up: the decoded answer, or {KAFKA REGISTRY status code message}.
proc ::kafka::Registry::Outcome {name token decode timeout} {
    variable O
    set status [::http::status $token]
    set ncode [::http::ncode $token]
    set data [encoding convertfrom utf-8 [::http::data $token]]
    # http::error: a list of the message, errorInfo and errorCode.
    set error [lindex [::http::error $token] 0]
    ::http::cleanup $token
    if {$status eq "reset" || ![info exists O($name,url)]} {
        set message "the registry object was deleted"
        return [list $message [list -code error -errorcode [list KAFKA _DESTROY $message]]]
    }
    set where $O($name,shownUrl)
    switch -- $status {
        ok {}
        timeout {
            return [Failure 0 _TIMED_OUT "the registry at $where did not answer within $timeout ms"]
        }
        default {
            return [Failure 0 _TRANSPORT "cannot reach the registry at $where: [expr {$error ne "" ? $error : $status}]"]
        }
    }
    if {$ncode < 200 || $ncode > 299} {
        return [HttpFailure $ncode $data]
    }
    if {[catch {::json::json2dict $data} answer]} {
        return [Failure $ncode _BAD_MSG "the registry answered no JSON: [Short $data]"]
    }
    set answer [JoinSurrogates $answer]
    if {[catch {{*}$decode $answer} result]} {
        return [Failure $ncode _BAD_MSG "unexpected answer from the registry: [Short $data]"]
    }
    list $result {-code 0}
}

# An HTTP error answer: the registry's error_code and message when it gave them.
proc ::kafka::Registry::HttpFailure {ncode data} {
    set code $ncode
    set message "HTTP $ncode: [Short $data]"
    if {![catch {::json::json2dict $data} answer] && [string is list $answer] && [llength $answer] % 2 == 0} {
        if {[dict exists $answer error_code]} { set code [dict get $answer error_code] }
        if {[dict exists $answer message]} { set message [dict get $answer message] }
    } elseif {$ncode == 401} {
        set message "unauthorized (HTTP 401): wrong or missing -user/-password"
    }
    Failure $ncode $code $message
}

proc ::kafka::Registry::Failure {status code message} {
    list $message [list -code error -errorcode [list KAFKA REGISTRY $status $code $message]]
}

proc ::kafka::Registry::Fail {status code message} {
    return -code error -level 2 -errorcode [list KAFKA REGISTRY $status $code $message] $message
}

# JSON escapes characters beyond U+FFFF as surrogate pairs (\uD83D\uDE00),
# which tcllib's json leaves as two characters; Tcl 9 has the one they
# stand for (Tcl 8.6 keeps such characters as the pair anyway).
proc ::kafka::Registry::JoinSurrogates {text} {
    if {![package vsatisfies [package provide Tcl] 9-]
            || ![regexp {[\uD800-\uDBFF][\uDC00-\uDFFF]} $text]} {
        return $text
    }
    set out ""
    set start 0
    foreach pair [regexp -all -inline -indices {[\uD800-\uDBFF][\uDC00-\uDFFF]} $text] {
        lassign $pair a b
        scan [string index $text $a] %c high
        scan [string index $text $b] %c low
        append out [string range $text $start $a-1] \
            [format %c [expr {0x10000 + (($high - 0xD800) << 10) + ($low - 0xDC00)}]]
        set start [expr {$b + 1}]
    }
    append out [string range $text $start end]
}

proc ::kafka::Registry::Short {text} {
    set text [string trim $text]
    # (Not expr's ?: which would make "nan" a domain error and "0x10" 16.)
    if {[string length $text] > 200} { return "[string range $text 0 199]..." }
    return $text
}
