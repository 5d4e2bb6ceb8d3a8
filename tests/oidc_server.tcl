# oidc_server.tcl -- the OIDC token endpoint of oauthbearer.test (a child
# process, so it answers while the test process waits in a blocking call).
#
#	tclsh oidc_server.tcl clientId clientSecret scope lifetimeSeconds ?-tls pemFile? ?-payload padded|unpadded?
#
# Serves POST /token on 127.0.0.1 (an ephemeral port, printed first as
# "port N"): the OAuth client-credentials grant.  With HTTP Basic credentials
# clientId:clientSecret it answers an unsigned JWT (sub clientId, the scope,
# exp lifetimeSeconds from now: what the broker's unsecured validator
# accepts) and prints "token N"; else 401 invalid_client and "refused N".
# With -tls (a PEM file holding the key and the certificate) it serves https
# through the tls package (Debian's tcl-tls, Tcl 8.6 only); a connection that
# fails before a whole request was read (a client refusing the certificate)
# prints "failed N".
# -payload: the JWT's payload is padded (default: its bytes are not a
# multiple of 3, so its base64 would end in "=" padding) or unpadded (a
# multiple of 3).  librdkafka 2.14.2 decodes an unpadded payload without a
# terminating NUL and over-reads it (confluentinc/librdkafka PR 5543), which
# ASan aborts on; oauthbearer-3.7 asks for that shape on purpose, the other
# tests stay clear of it.
# Ends when its stdin closes (the test process went away).

lassign $argv clientId clientSecret scope lifetime
set options [dict merge {-tls "" -payload padded} [lrange $argv 4 end]]
set count 0

proc b64url {text} {
    string map {+ - / _ = ""} [binary encode base64 [encoding convertto utf-8 $text]]
}

proc jwt {} {
    global clientId scope lifetime options
    set now [clock seconds]
    # A jti claim of 1 to 3 characters gives the payload the length -payload asks for.
    foreach jti {x xx xxx} {
        set claims [format {{"sub":"%s","iat":%d,"exp":%d,"scope":["%s"],"jti":"%s"}} \
            $clientId $now [expr {$now + $lifetime}] $scope $jti]
        set unpadded [expr {[string length [encoding convertto utf-8 $claims]] % 3 == 0}]
        if {$unpadded == ([dict get $options -payload] eq "unpadded")} break
    }
    return [b64url {{"alg":"none"}}].[b64url $claims].
}

proc accept {sock host port} {
    fconfigure $sock -translation crlf -buffering full
    fileevent $sock readable [list request $sock]
}

# Answers one connection; one that breaks (a TLS handshake the client
# refused) is closed and counted, and the server goes on.
proc request {sock} {
    fileevent $sock readable {}
    if {[catch {answer $sock}]} {
        puts "failed [incr ::count]"
        flush stdout
        catch {close $sock}
    }
}

# Reads one request (headers, then the body by Content-Length) and answers it.
proc answer {sock} {
    fconfigure $sock -blocking 1
    set headers {}
    if {[gets $sock line] < 0} { error "no request" }
    while {[gets $sock h] > 0} {
        if {[regexp {^([^:]+):\s*(.*)$} $h -> k v]} { dict set headers [string tolower $k] $v }
    }
    if {[dict exists $headers content-length]} {
        fconfigure $sock -translation binary
        read $sock [dict get $headers content-length]
    }
    global clientId clientSecret lifetime count
    set want "Basic [binary encode base64 $clientId:$clientSecret]"
    if {[string match "POST /token *" $line] && [dict exists $headers authorization]
            && [dict get $headers authorization] eq $want} {
        set status "200 OK"
        set body [format {{"access_token":"%s","token_type":"Bearer","expires_in":%d}} [jwt] $lifetime]
        puts "token [incr count]"
    } else {
        set status "401 Unauthorized"
        set body {{"error":"invalid_client","error_description":"client authentication failed"}}
        puts "refused [incr count]"
    }
    flush stdout
    fconfigure $sock -translation crlf
    puts $sock "HTTP/1.1 $status"
    puts $sock "Content-Type: application/json"
    puts $sock "Content-Length: [string length $body]"
    puts $sock "Connection: close"
    puts $sock ""
    fconfigure $sock -translation binary
    puts -nonewline $sock $body
    close $sock
}

set pem [dict get $options -tls]
if {$pem ne ""} {
    package require tls
    set server [tls::socket -server accept -myaddr 127.0.0.1 -certfile $pem -keyfile $pem 0]
} else {
    set server [socket -server accept -myaddr 127.0.0.1 0]
}
puts "port [lindex [fconfigure $server -sockname] 2]"
flush stdout
fileevent stdin readable {if {[eof stdin] || [gets stdin] < 0} { exit 0 }}
vwait forever
