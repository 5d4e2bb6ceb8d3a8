# registry.tcl --
#
#	A throw-away Apicurio Registry (in-memory storage) for the tests of
#	the Schema Registry client: its Confluent-compatible API is at
#	<url>/apis/ccompat/v7.  The version is pinned below (2.6.x is the last
#	line that runs on Java 17; 3.x needs Java 21).  Maven fetches the
#	release tarball (io.apicurio:apicurio-registry-app, classifier all,
#	type tar.gz) once and it is unpacked into .cache/apicurio-VERSION,
#	a marker file recording that the unpacking finished.  The JVM runs
#	under tests/broker/run-broker.sh, the broker's dead-man switch: it
#	dies with the tclsh that started it, however that goes.
#
#	    set url [::kafkatest::registry::start]   ;# http://127.0.0.1:PORT
#	    ...
#	    ::kafkatest::registry::stop
#
#	If the environment variable KAFKATEST_REGISTRY is set, no registry is
#	started: start returns its value and stop does nothing.

namespace eval ::kafkatest::registry {
    variable tests [file dirname [file normalize [info script]]]
    variable version 2.6.13.Final
    # Small heap, quick start on few cores (Quarkus: ready in ~3-10 s).
    variable jvmopts {-Xms64m -Xmx512m -XX:+UseSerialGC
	-XX:TieredStopAtLevel=1 -Djava.awt.headless=true}
    # url: http://127.0.0.1:PORT, "" when none started; dir: run directory.
    variable S
    array set S {url "" dir ""}
}

# ::kafkatest::registry::start --
#
#	Starts the registry unless one runs and returns its base URL.

proc ::kafkatest::registry::start {} {
    variable S
    variable tests
    variable version
    variable jvmopts
    if {[info exists ::env(KAFKATEST_REGISTRY)] && $::env(KAFKATEST_REGISTRY) ne ""} {
	return $::env(KAFKATEST_REGISTRY)
    }
    if {$S(url) ne ""} {
	return $S(url)
    }
    if {[auto_execok java] eq ""} {
	error "test registry: java not found in PATH (Apicurio $version needs Java 17)"
    }
    # The ASan runtime a test process preloads crashes the JVM.
    unset -nocomplain ::env(LD_PRELOAD)
    set t0 [clock milliseconds]
    set jar [Jar [file join [file dirname $tests] .cache apicurio-$version]]

    set s [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    set port [lindex [fconfigure $s -sockname] 2]
    close $s
    set tmp [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set n 0
    while {[file exists [set dir [file join $tmp \
	    kafkatest-registry-[pid]-[clock milliseconds]-[incr n]]]]} {}
    file mkdir $dir
    set S(dir) $dir
    set out [file join $dir registry.out]
    # cwd: the run directory, where Quarkus may write; the wrapper removes it.
    exec /bin/sh [file join $tests broker run-broker.sh] [pid] $dir \
	    {*}$jvmopts -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port=$port \
	    -jar $jar </dev/null >& $out &
    if {[catch {WaitReady $port $out} msg opts]} {
	stop
	return -options $opts $msg
    }
    set S(url) http://127.0.0.1:$port
    puts [format "apicurio registry %s ready on %s in %.1f s" $version \
	    $S(url) [expr {([clock milliseconds] - $t0) / 1000.0}]]
    return $S(url)
}

# ::kafkatest::registry::stop --
#
#	Stops the registry (TERM, KILL after 10 s) and deletes its run
#	directory.  Does nothing if none was started.

proc ::kafkatest::registry::stop {} {
    variable S
    if {$S(dir) eq ""} {
	return
    }
    set jpid [JavaPid]
    if {$jpid ne "" && [Alive $jpid]} {
	catch {exec kill -TERM $jpid}
	set deadline [expr {[clock milliseconds] + 10000}]
	while {[Alive $jpid] && [clock milliseconds] < $deadline} {
	    after 50
	}
	catch {exec kill -KILL $jpid}
    }
    catch {file delete -force $S(dir)}
    array set S {url "" dir ""}
    return
}

# --- internals ---------------------------------------------------------------

# The runner jar in CACHE, fetched with Maven and unpacked first if needed.
proc ::kafkatest::registry::Jar {cache} {
    variable version
    set jar [file join $cache app apicurio-registry-app-$version-runner.jar]
    set marker [file join $cache app.ok]
    if {[file exists $marker]} {
	return $jar
    }
    if {[auto_execok mvn] eq ""} {
	error "test registry: Apicurio $version is not in $cache and mvn\
		(Apache Maven) is not in PATH to fetch it; install Maven or\
		set KAFKATEST_REGISTRY=http://host:port"
    }
    file delete -force $cache
    file mkdir [file join $cache dl] [file join $cache app]
    puts "fetching Apicurio Registry $version into $cache ..."
    if {[catch {
	exec mvn -q -B dependency:copy \
		-Dartifact=io.apicurio:apicurio-registry-app:$version:tar.gz:all \
		-DoutputDirectory=[file join $cache dl] 2>@1
	set tarball [file join $cache dl apicurio-registry-app-$version-all.tar.gz]
	exec tar -xzf $tarball -C [file join $cache app] 2>@1
	# Unpacked, the tarball is only weight (Maven's local repository keeps a copy).
	file delete -force [file join $cache dl]
    } msg]} {
	error "test registry: fetching Apicurio $version failed:\n$msg"
    }
    if {![file exists $jar]} {
	error "test registry: $jar is missing after unpacking the release"
    }
    set f [open $marker w]
    puts $f ok
    close $f
    return $jar
}

# Waits until the registry answers on its ccompat API (a JVM that died or
# two minutes without an answer: an error with the tail of its output).
proc ::kafkatest::registry::WaitReady {port out} {
    set deadline [expr {[clock milliseconds] + 120000}]
    while 1 {
	after 200
	if {[clock milliseconds] > $deadline} {
	    set why "not ready after 120 s"
	    break
	}
	set jpid [JavaPid]
	if {$jpid eq ""} continue
	if {![Alive $jpid]} {
	    set why "the registry JVM exited"
	    break
	}
	if {[Answers $port]} return
    }
    set text ""
    catch {
	set f [open $out]
	set text [read $f]
	close $f
    }
    error "test registry: $why\n--- tail of $out:\n[join [lrange [split $text \n] end-40 end] \n]"
}

# True when GET /apis/ccompat/v7/subjects answers 200 within 2 s.
proc ::kafkatest::registry::Answers {port} {
    package require http
    if {[catch {http::geturl http://127.0.0.1:$port/apis/ccompat/v7/subjects \
	    -timeout 2000} token]} {
	return 0
    }
    set ok [expr {[http::status $token] eq "ok" && [http::ncode $token] == 200}]
    http::cleanup $token
    return $ok
}

proc ::kafkatest::registry::JavaPid {} {
    variable S
    if {[catch {open [file join $S(dir) java.pid]} ch]} {
	return ""
    }
    set pid [string trim [read $ch]]
    close $ch
    return $pid
}

# The JVM is the wrapper's child, which reaps it at once, so kill -0 works.
proc ::kafkatest::registry::Alive {pid} {
    expr {![catch {exec kill -0 $pid 2>/dev/null}]}
}
