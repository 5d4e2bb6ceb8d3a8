# broker.tcl --
#
#	A throw-away single-node Apache Kafka broker (KRaft, combined
#	broker+controller) for the test suite.  The Kafka version is pinned in
#	tests/broker/pom.xml; its jars are fetched once with Maven into a cache
#	directory.  Every broker runs under tests/broker/run-broker.sh, which
#	kills the JVM and removes the run directory when the tclsh that started
#	it goes away, however that happens.
#
#	    set bootstrap [::kafkatest::broker::start]   ;# 127.0.0.1:PORT
#	    ...
#	    ::kafkatest::broker::stop
#
#	If the environment variable KAFKA_BROKERS is set, no broker is started:
#	start and bootstrap return its value and stop does nothing.

namespace eval ::kafkatest::broker {
    variable tests [file dirname [file normalize [info script]]]
    variable version [apply {{pom} {
	set f [open $pom]
	set xml [read $f]
	close $f
	if {![regexp {<kafka.version>\s*([^<\s]+)\s*</kafka.version>} $xml \
		-> v]} {
	    error "no <kafka.version> in $pom"
	}
	return $v
    }} [file join $tests broker pom.xml]]

    # JVM options: small heap, fast start on few cores.
    variable jvmopts {-Xms256m -Xmx1g -XX:+UseSerialGC
	-XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true}

    # State of the broker started by this interpreter.
    #   bootstrap	127.0.0.1:PORT, "" when none started
    #   dir		run directory (config, data, logs, java.pid)
    #   port cport	PLAINTEXT and CONTROLLER listener ports
    #   cmd		java arguments of the broker (for restart)
    variable S
    array set S {bootstrap "" dir "" port "" cport "" cmd ""}
}

# ::kafkatest::broker::start ?-cache DIR? --
#
#	Starts a broker unless one is running and returns its bootstrap
#	string.  -cache is where the jars are kept (default
#	<repo>/.cache/kafka-<version>).

proc ::kafkatest::broker::start {args} {
    variable S
    variable tests
    variable version
    variable jvmopts

    if {[info exists ::env(KAFKA_BROKERS)] && $::env(KAFKA_BROKERS) ne ""} {
	return $::env(KAFKA_BROKERS)
    }
    if {$S(bootstrap) ne ""} {
	return $S(bootstrap)
    }
    if {[llength $args] % 2} {
	error "wrong # args: should be \"start ?-cache DIR?\""
    }
    set cache [file join [file dirname $tests] .cache kafka-$version]
    foreach {opt val} $args {
	switch -- $opt {
	    -cache  {set cache [file normalize $val]}
	    default {error "bad option \"$opt\": must be -cache"}
	}
    }
    if {[auto_execok java] eq ""} {
	error "kafka test broker: java not found in PATH (Kafka $version needs a JRE)"
    }
    set t0 [clock milliseconds]
    set jars [Jars $cache]

    # Two free ports: hold both open so they differ, then release them.
    set socks {}
    foreach _ {1 2} {
	lappend socks [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    }
    lassign [lmap s $socks {lindex [fconfigure $s -sockname] 2}] port cport
    foreach s $socks {close $s}

    # Fresh run directory (file tempdir is 8.7+).
    set tmp [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set n 0
    while {[file exists [set dir [file join $tmp \
	    kafkatest-[pid]-[clock milliseconds]-[incr n]]]]} {}
    file mkdir $dir [file join $dir data]

    # The short broker session lets a restart after kill9 re-register
    # quickly (it must wait for the old registration to expire).
    WriteFile [file join $dir server.properties] [string map [list \
	    @P $port @C $cport @D [file join $dir data]] {
	process.roles=broker,controller
	node.id=1
	controller.quorum.voters=1@127.0.0.1:@C
	listeners=PLAINTEXT://127.0.0.1:@P,CONTROLLER://127.0.0.1:@C
	advertised.listeners=PLAINTEXT://127.0.0.1:@P
	controller.listener.names=CONTROLLER
	inter.broker.listener.name=PLAINTEXT
	listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
	log.dirs=@D
	# ACLs can be created and read (admin tests); everyone is still allowed.
	authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
	super.users=User:ANONYMOUS
	allow.everyone.if.no.acl.found=true
	# Auto-created test topics get 3 partitions; 2 MB messages fit.
	num.partitions=3
	message.max.bytes=2097152
	replica.fetch.max.bytes=2097152
	auto.create.topics.enable=true
	offsets.topic.replication.factor=1
	offsets.topic.num.partitions=3
	transaction.state.log.replication.factor=1
	transaction.state.log.min.isr=1
	transaction.state.log.num.partitions=3
	group.initial.rebalance.delay.ms=0
	broker.heartbeat.interval.ms=500
	broker.session.timeout.ms=3000
    }]
    # WARN and up to broker.log, plus the "started" line we wait for.
    WriteFile [file join $dir log4j.properties] [string map [list \
	    @F [file join $dir broker.log]] {
	log4j.rootLogger=WARN, file
	log4j.logger.kafka.server.KafkaRaftServer=INFO
	log4j.appender.file=org.apache.log4j.FileAppender
	log4j.appender.file.File=@F
	log4j.appender.file.layout=org.apache.log4j.PatternLayout
	log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
    }]

    set java [list {*}$jvmopts \
	    -Dlog4j.configuration=file:[file join $dir log4j.properties] \
	    -cp [file join $jars *]]
    set props [file join $dir server.properties]
    if {[catch {
	exec java {*}$java kafka.tools.StorageTool format \
		-t [RandomUuid] -c $props 2>@1
    } msg]} {
	file delete -force $dir
	error "kafka test broker: formatting storage failed:\n$msg"
    }

    array set S [list dir $dir port $port cport $cport \
	    cmd [list {*}$java kafka.Kafka $props]]
    if {[catch {Launch} msg opts]} {
	stop
	return -options $opts $msg
    }
    set S(bootstrap) 127.0.0.1:$port
    puts [format "kafka broker %s ready on %s in %.1f s" $version \
	    $S(bootstrap) [expr {([clock milliseconds] - $t0) / 1000.0}]]
    return $S(bootstrap)
}

# ::kafkatest::broker::stop --
#
#	Stops the broker (TERM, KILL after 10 s) and deletes its run
#	directory.  Does nothing if no broker was started.

proc ::kafkatest::broker::stop {} {
    variable S
    if {$S(dir) eq ""} {
	return
    }
    StopJava TERM
    # The wrapper exits once java is gone; it leaves the directory to us.
    catch {file delete -force $S(dir)}
    array set S {bootstrap "" dir "" port "" cport "" cmd ""}
    return
}

# ::kafkatest::broker::bootstrap --
#
#	Returns the bootstrap string of the running broker (or of
#	KAFKA_BROKERS), "" if there is none.

proc ::kafkatest::broker::bootstrap {} {
    variable S
    if {[info exists ::env(KAFKA_BROKERS)] && $::env(KAFKA_BROKERS) ne ""} {
	return $::env(KAFKA_BROKERS)
    }
    return $S(bootstrap)
}

# ::kafkatest::broker::kill9 --
#
#	SIGKILLs the broker JVM (crash simulation).  Ports and data are kept
#	for restart.

proc ::kafkatest::broker::kill9 {} {
    Own kill9
    StopJava KILL
    return
}

# ::kafkatest::broker::restart --
#
#	Stops the broker if it runs (TERM) and starts it again on the same
#	ports and data directory; returns once it is ready.

proc ::kafkatest::broker::restart {} {
    variable S
    variable version
    Own restart
    set t0 [clock milliseconds]
    StopJava TERM
    Launch
    puts [format "kafka broker %s restarted on %s in %.1f s" $version \
	    $S(bootstrap) [expr {([clock milliseconds] - $t0) / 1000.0}]]
    return $S(bootstrap)
}

# --- internals ---------------------------------------------------------------

# Errors unless this interpreter runs the broker itself.
proc ::kafkatest::broker::Own {what} {
    variable S
    if {[info exists ::env(KAFKA_BROKERS)] && $::env(KAFKA_BROKERS) ne ""} {
	error "kafka test broker: $what impossible with KAFKA_BROKERS set"
    }
    if {$S(dir) eq ""} {
	error "kafka test broker: $what: no broker started"
    }
}

# Returns the jar directory in CACHE, running Maven first if needed.
proc ::kafkatest::broker::Jars {cache} {
    variable tests
    set jars [file join $cache jars]
    set marker [file join $cache jars.ok]
    if {[file exists $marker]} {
	return $jars
    }
    if {[auto_execok mvn] eq ""} {
	error "kafka test broker: the Kafka jars are not in $cache and\
		mvn (Apache Maven) is not in PATH to fetch them;\
		install Maven or set KAFKA_BROKERS=host:port"
    }
    file delete -force $jars
    file mkdir $cache
    puts "fetching Kafka jars into $jars ..."
    if {[catch {
	exec mvn -q -B -f [file join $tests broker pom.xml] \
		dependency:copy-dependencies -DoutputDirectory=$jars \
		-DincludeScope=runtime 2>@1
    } msg]} {
	error "kafka test broker: mvn failed to fetch the Kafka jars:\n$msg"
    }
    WriteFile $marker "ok\n"
    return $jars
}

# Starts the broker JVM under the wrapper and waits until it is ready:
# its log says so and its listener accepts connections.
proc ::kafkatest::broker::Launch {} {
    variable S
    variable tests
    set log [file join $S(dir) broker.log]
    set out [file join $S(dir) broker.out]
    # Only log lines written from now on count (restart appends).
    set off [expr {[file exists $log] ? [file size $log] : 0}]
    file delete [file join $S(dir) java.pid]
    exec /bin/sh [file join $tests broker run-broker.sh] [pid] $S(dir) \
	    {*}$S(cmd) </dev/null >>& $out &

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
	    set why "the broker JVM exited"
	    break
	}
	if {[string first "Kafka Server started" [Tail $log $off]] < 0} continue
	if {![catch {socket 127.0.0.1 $S(port)} s]} {
	    close $s
	    set S(bootstrap) 127.0.0.1:$S(port)
	    return
	}
    }
    set msg "kafka test broker: $why"
    foreach f [list $out $log] {
	set lines [lrange [split [Tail $f 0] \n] end-40 end]
	append msg "\n--- tail of $f:\n" [join $lines \n]
    }
    error $msg
}

# Sends SIG to the JVM (if alive) and waits until it is gone; after TERM
# it gets 10 s before KILL.
proc ::kafkatest::broker::StopJava {sig} {
    set jpid [JavaPid]
    if {$jpid eq "" || ![Alive $jpid]} {
	return
    }
    catch {exec kill -$sig $jpid}
    set deadline [expr {[clock milliseconds] + 10000}]
    while {[Alive $jpid]} {
	if {[clock milliseconds] > $deadline} {
	    catch {exec kill -KILL $jpid}
	    set deadline [expr {[clock milliseconds] + 10000}]
	}
	after 50
    }
}

proc ::kafkatest::broker::JavaPid {} {
    variable S
    set f [file join $S(dir) java.pid]
    if {[catch {open $f} ch]} {
	return ""
    }
    set pid [string trim [read $ch]]
    close $ch
    return $pid
}

# The JVM is the wrapper's child, which reaps it at once, so kill -0 works.
proc ::kafkatest::broker::Alive {pid} {
    expr {![catch {exec kill -0 $pid 2>/dev/null}]}
}

# Contents of FILE from byte OFF on ("" if missing).
proc ::kafkatest::broker::Tail {file off} {
    if {[catch {open $file} ch]} {
	return ""
    }
    seek $ch $off
    set data [read $ch]
    close $ch
    return $data
}

# Writes TEXT to FILE, dropping the indentation of each line.
proc ::kafkatest::broker::WriteFile {file text} {
    set ch [open $file w]
    puts -nonewline $ch [regsub -all -line {^[ \t]+} [string trim $text] ""]
    puts $ch ""
    close $ch
}

# A random Kafka Uuid: 16 bytes, base64url without padding.  Kafka's own
# generator avoids a leading "-" (it would look like an option); so do we.
proc ::kafkatest::broker::RandomUuid {} {
    set ch [open /dev/urandom rb]
    try {
	while 1 {
	    set id [string map {+ - / _ = ""} [binary encode base64 [read $ch 16]]]
	    if {[string index $id 0] ne "-"} {
		return $id
	    }
	}
    } finally {
	close $ch
    }
}
