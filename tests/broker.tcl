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
#	Listeners, all on free 127.0.0.1 ports:
#	    PLAINTEXT	  the bootstrap string start returns
#	    SSL		  TLS; the broker certificate (EC P-256, SAN localhost
#			  and 127.0.0.1) is signed by a throw-away CA made with
#			  openssl in the run directory at every start; client
#			  certificates are accepted but not required
#	    SASL_PLAINTEXT SASL PLAIN (user in the listener's JAAS config) and
#			  SCRAM-SHA-256 (credential added when the storage is
#			  formatted)
#	    CONTROLLER	  KRaft only
#	Passwords are random per start.  [security] returns the addresses,
#	the CA file, a second unrelated CA (for "untrusted certificate"
#	tests), a client certificate with a password-protected key, and the
#	SASL users; tests/all.tcl exports them as KAFKATEST_* variables (see
#	tests/common.tcl).  Without openssl there is no SSL listener.
#	The authorizer is StandardAuthorizer with allow.everyone.if.no.acl.found;
#	ANONYMOUS, the SASL users and the client certificate are super users.
#
#	If the environment variable KAFKA_BROKERS is set, no broker is started:
#	start and bootstrap return its value, security returns an empty dict
#	and stop does nothing.

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
    #   security	dict returned by [security]
    variable S
    array set S {bootstrap "" dir "" port "" cport "" cmd "" security ""}
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
    # A test process under `build.tcl test -asan` has the ASan runtime
    # preloaded; the JVM and Maven must not inherit it (they crash).
    unset -nocomplain ::env(LD_PRELOAD)
    set t0 [clock milliseconds]
    set jars [Jars $cache]

    # Free ports: hold them all open so they differ, then release them.
    set socks {}
    foreach _ {1 2 3 4} {
	lappend socks [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    }
    lassign [lmap s $socks {lindex [fconfigure $s -sockname] 2}] \
	    port cport sslport saslport
    foreach s $socks {close $s}

    # Fresh run directory (file tempdir is 8.7+).
    set tmp [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set n 0
    while {[file exists [set dir [file join $tmp \
	    kafkatest-[pid]-[clock milliseconds]-[incr n]]]]} {}
    file mkdir $dir [file join $dir data]

    # TLS material and SASL users.  Passwords are random, so a test that
    # looks for them in output cannot match anything else by chance.
    set sec [dict create \
	    sasl_brokers 127.0.0.1:$saslport \
	    sasl_plain_user alice sasl_plain_password alice-[RandomHex 8] \
	    sasl_scram_user bob sasl_scram_password bob-[RandomHex 8]]
    set tls [file join $dir tls]
    if {[auto_execok openssl] eq ""} {
	dict set sec ssl_unavailable "openssl is not in PATH"
    } elseif {[catch {MakeCerts $tls} certs]} {
	dict set sec ssl_unavailable "making the test certificates failed: $certs"
    } else {
	dict set sec ssl_brokers 127.0.0.1:$sslport
	set sec [dict merge $sec $certs]
    }
    set ssl [dict exists $sec ssl_brokers]

    set listeners [list PLAINTEXT://127.0.0.1:$port \
	    SASL_PLAINTEXT://127.0.0.1:$saslport]
    if {$ssl} {
	lappend listeners SSL://127.0.0.1:$sslport
    }
    set superUsers [list User:ANONYMOUS User:[dict get $sec sasl_plain_user] \
	    User:[dict get $sec sasl_scram_user]]
    if {$ssl} {
	lappend superUsers User:CN=kafkatcl-client
    }
    set secprops [string map [list \
	    @PU [dict get $sec sasl_plain_user] \
	    @PP [dict get $sec sasl_plain_password]] {
	sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256
	listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_@PU="@PP";
	listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
    }]
    if {$ssl} {
	append secprops [string map [list \
		@K [file join $tls broker.pem] @T [dict get $sec ssl_ca]] {
	    ssl.keystore.type=PEM
	    ssl.keystore.location=@K
	    ssl.truststore.type=PEM
	    ssl.truststore.location=@T
	    ssl.client.auth=requested
	}]
    }

    # The short broker session lets a restart after kill9 re-register
    # quickly (it must wait for the old registration to expire).
    WriteFile [file join $dir server.properties] [string map [list \
	    @L [join $listeners ,] @C $cport @D [file join $dir data] \
	    @U [join $superUsers {;}] @S $secprops] {
	process.roles=broker,controller
	node.id=1
	controller.quorum.voters=1@127.0.0.1:@C
	listeners=@L,CONTROLLER://127.0.0.1:@C
	advertised.listeners=@L
	controller.listener.names=CONTROLLER
	inter.broker.listener.name=PLAINTEXT
	listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT
	log.dirs=@D
	# ACLs can be created and read (admin tests); everyone is still allowed.
	authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
	super.users=@U
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
	@S
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
		-t [RandomUuid] -c $props --add-scram [format \
		    {SCRAM-SHA-256=[name=%s,password=%s]} \
		    [dict get $sec sasl_scram_user] \
		    [dict get $sec sasl_scram_password]] \
		2>@1
    } msg]} {
	file delete -force $dir
	error "kafka test broker: formatting storage failed:\n$msg"
    }

    array set S [list dir $dir port $port cport $cport \
	    cmd [list {*}$java kafka.Kafka $props] security $sec]
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
    array set S {bootstrap "" dir "" port "" cport "" cmd "" security ""}
    return
}

# ::kafkatest::broker::security --
#
#	Returns a dict describing the secured listeners of the running broker,
#	empty when there is none (KAFKA_BROKERS set, or not started):
#	    sasl_brokers	     127.0.0.1:PORT of the SASL_PLAINTEXT listener
#	    sasl_plain_user	     a SASL PLAIN user ...
#	    sasl_plain_password  ... and its password
#	    sasl_scram_user	     a SASL SCRAM-SHA-256 user ...
#	    sasl_scram_password  ... and its password
#	    ssl_brokers	     127.0.0.1:PORT of the SSL listener
#	    ssl_ca		     PEM file of the CA that signed the broker
#	    ssl_untrusted_ca     PEM file of an unrelated CA
#	    ssl_client_cert	     PEM client certificate (CN=kafkatcl-client)
#	    ssl_client_key	     its PKCS#8 key, encrypted ...
#	    ssl_client_key_password  ... with this password
#	The ssl_* keys are missing when there is no SSL listener;
#	ssl_unavailable then says why.  tests/all.tcl exports each key as the
#	environment variable KAFKATEST_<KEY> (upper case).

proc ::kafkatest::broker::security {} {
    variable S
    if {[info exists ::env(KAFKA_BROKERS)] && $::env(KAFKA_BROKERS) ne ""} {
	return {}
    }
    return $S(security)
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

# Makes a throw-away CA, a broker certificate signed by it (key and
# certificate in DIR/broker.pem), a client certificate with an encrypted
# key, and an unrelated CA, in DIR (EC P-256: all in a few tens of
# milliseconds).  Returns the ssl_* part of [security].
proc ::kafkatest::broker::MakeCerts {dir} {
    file mkdir $dir
    set cnf [file join $dir openssl.cnf]
    # Our own openssl config: the system's may add extensions of its own.
    WriteFile $cnf {
	[req]
	distinguished_name = dn
	prompt = no
	[dn]
	[ca]
	basicConstraints = critical,CA:TRUE
	keyUsage = critical,keyCertSign,cRLSign
	subjectKeyIdentifier = hash
	[server]
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = DNS:localhost,IP:127.0.0.1
	[client]
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = clientAuth
    }
    set ec {-pkeyopt ec_paramgen_curve:P-256}
    set f [lmap n {ca.key ca.pem other-ca.key other-ca.pem broker.key
	    broker.csr broker.crt broker.pem client.key client.csr client.pem} {
	file join $dir $n
    }]
    lassign $f caKey ca otherKey other bKey bCsr bCrt bPem cKey cCsr cPem
    set kpw kpw-[RandomHex 8]
    set ssl [list openssl]
    foreach {name key pem} [list "KafkaTcl test CA" $caKey $ca 	    "KafkaTcl untrusted CA" $otherKey $other] {
	exec {*}$ssl req -config $cnf -x509 -newkey ec {*}$ec -nodes 		-keyout $key -out $pem -days 2 -subj /CN=$name 		-extensions ca 2>@1
    }
    # Broker: unencrypted PKCS#8 key and its certificate in one PEM file
    # (Kafka's ssl.keystore.type=PEM).
    exec {*}$ssl req -config $cnf -new -newkey ec {*}$ec -nodes 	    -keyout $bKey -out $bCsr -subj /CN=localhost 2>@1
    exec {*}$ssl x509 -req -in $bCsr -CA $ca -CAkey $caKey -set_serial 2 	    -days 2 -extfile $cnf -extensions server -out $bCrt 2>@1
    WriteFile $bPem [string cat [ReadFile $bKey] [ReadFile $bCrt]]
    # Client: key encrypted with a password (librdkafka's ssl.key.password).
    exec {*}$ssl genpkey -algorithm EC {*}$ec -aes-256-cbc 	    -pass pass:$kpw -out $cKey 2>@1
    exec {*}$ssl req -config $cnf -new -key $cKey -passin pass:$kpw 	    -out $cCsr -subj /CN=kafkatcl-client 2>@1
    exec {*}$ssl x509 -req -in $cCsr -CA $ca -CAkey $caKey -set_serial 3 	    -days 2 -extfile $cnf -extensions client -out $cPem 2>@1
    return [dict create ssl_ca $ca ssl_untrusted_ca $other \
	    ssl_client_cert $cPem ssl_client_key $cKey \
	    ssl_client_key_password $kpw]
}

proc ::kafkatest::broker::ReadFile {file} {
    set ch [open $file]
    try {
	return [read $ch]
    } finally {
	close $ch
    }
}

# Writes TEXT to FILE, dropping the indentation of each line.
proc ::kafkatest::broker::WriteFile {file text} {
    set ch [open $file w]
    puts -nonewline $ch [regsub -all -line {^[ \t]+} [string trim $text] ""]
    puts $ch ""
    close $ch
}

# N random bytes as hex.
proc ::kafkatest::broker::RandomHex {n} {
    set ch [open /dev/urandom rb]
    try {
	binary scan [read $ch $n] H* hex
	return $hex
    } finally {
	close $ch
    }
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
