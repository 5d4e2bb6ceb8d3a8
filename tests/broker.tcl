# broker.tcl --
#
#	A throw-away single-node Apache Kafka broker (KRaft, combined
#	broker+controller) for the test suite.  The default Kafka version is
#	pinned in tests/broker/pom.xml; the environment variable
#	KAFKATEST_KAFKA_VERSION picks another (3.9.x and 4.x are tested).  The
#	jars of each version are fetched once with Maven into a cache directory
#	of their own (.cache/kafka-VERSION).  Every broker runs under tests/broker/run-broker.sh, which
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
#			  formatted); OAUTHBEARER with Kafka's unsecured
#			  validator (unsigned JWTs, "alg":"none", whose scope
#			  must include sasl_oauthbearer_scope)
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
    # The Kafka version: KAFKATEST_KAFKA_VERSION if set (the -next test leg
    # sets a 4.x), else the default pinned in tests/broker/pom.xml.
    variable version [apply {{pom} {
	if {[info exists ::env(KAFKATEST_KAFKA_VERSION)]
		&& $::env(KAFKATEST_KAFKA_VERSION) ne ""} {
	    return $::env(KAFKATEST_KAFKA_VERSION)
	}
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
    set cache [JarCache "test broker" $args]
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
	    sasl_scram_user bob sasl_scram_password bob-[RandomHex 8] \
	    sasl_oauthbearer_scope kafkatcl-[RandomHex 4]]
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
	    @PP [dict get $sec sasl_plain_password] \
	    @OS [dict get $sec sasl_oauthbearer_scope]] {
	sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,OAUTHBEARER
	listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_@PU="@PP";
	listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
	listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="kafkatcl-broker" unsecuredValidatorRequiredScope="@OS";
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
    WriteLog4j $dir

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
#	    sasl_oauthbearer_scope  the scope an OAUTHBEARER token needs
#	    ssl_brokers	     127.0.0.1:PORT of the SSL listener
#	    ssl_ca		     PEM file of the CA that signed the broker
#	    ssl_untrusted_ca     PEM file of an unrelated CA
#	    ssl_client_cert	     PEM client certificate (CN=kafkatcl-client)
#	    ssl_client_key	     its PKCS#8 key, encrypted ...
#	    ssl_client_key_password  ... with this password
#	    ssl_server_pem	     the broker's key and certificate (SAN 127.0.0.1,
#				     signed by ssl_ca) in one PEM file: the https
#				     token endpoint of oauthbearer.test serves with it
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

# ::kafkatest::broker::tool class ?arg ...? --
#
#	Runs a Kafka command-line tool class (kafka.admin.ConfigCommand ...)
#	with the test broker's jars, fetched first if needed, and returns its
#	output.  Works with KAFKA_BROKERS too: the tool is told the cluster.

proc ::kafkatest::broker::tool {class args} {
    variable jvmopts
    set cache [JarCache "tool $class" {}]
    set classpath [file join [Jars $cache] *]
    if {[string match org.apache.kafka.tools.* $class]} {
	# Kafka 4 moved the tools out of the broker's jars: kafka-tools
	# alone, its dependencies being the broker's.
	lappend classpath [ToolsJar $cache]
    }
    exec java {*}$jvmopts -cp [join $classpath :] $class {*}$args 2>@1
}

# The kafka-tools jar of the pinned version, fetched once into the cache.
proc ::kafkatest::broker::ToolsJar {cache} {
    variable version
    set jar [file join $cache tools kafka-tools-$version.jar]
    if {![file exists $jar]} {
	exec mvn -q -B dependency:copy -Dartifact=org.apache.kafka:kafka-tools:$version \
		-DoutputDirectory=[file dirname $jar] 2>@1
    }
    return $jar
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

# A node's log4j.properties in its run directory: WARN and up to broker.log,
# plus the "started" line the harness waits for.
proc ::kafkatest::broker::WriteLog4j {dir} {
    WriteFile [file join $dir log4j.properties] [string map [list \
	    @F [file join $dir broker.log]] {
	log4j.rootLogger=WARN, file
	log4j.logger.kafka.server.KafkaRaftServer=INFO
	log4j.appender.file=org.apache.log4j.FileAppender
	log4j.appender.file.File=@F
	log4j.appender.file.layout=org.apache.log4j.PatternLayout
	log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
    }]
}

# The start options (?-cache DIR?) of a broker or a cluster, checked, and
# the jar cache directory they name; also checks for java and keeps the ASan
# runtime (preloaded in a test process under `build.tcl test -asan`) away from
# the JVM and Maven, which crash with it.
proc ::kafkatest::broker::JarCache {what options} {
    variable tests
    variable version
    if {[llength $options] % 2} {
	error "wrong # args: should be \"start ?-cache DIR?\""
    }
    set cache [file join [file dirname $tests] .cache kafka-$version]
    foreach {opt val} $options {
	switch -- $opt {
	    -cache  {set cache [file normalize $val]}
	    default {error "bad option \"$opt\": must be -cache"}
	}
    }
    if {[auto_execok java] eq ""} {
	error "kafka $what: java not found in PATH (Kafka $version needs a JRE)"
    }
    unset -nocomplain ::env(LD_PRELOAD)
    return $cache
}

# Returns the jar directory in CACHE, running Maven first if needed.
proc ::kafkatest::broker::Jars {cache} {
    variable tests
    variable version
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
		-Dkafka.version=$version \
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
	    ssl_client_key_password $kpw ssl_server_pem $bPem]
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

# --- a three-broker cluster ------------------------------------------------------
#
#	::kafkatest::cluster starts a KRaft cluster of three brokers (node ids
#	1, 2, 3) and one dedicated controller (node id 0) on 127.0.0.1, from the
#	same cached jars, for tests/cluster.test:
#
#	    set bootstrap [::kafkatest::cluster::start]   ;# 127.0.0.1:P1,...
#	    ::kafkatest::cluster::kill9 [::kafkatest::cluster::leader $topic 0]
#	    ::kafkatest::cluster::restart 2
#	    ::kafkatest::cluster::waitHealthy
#	    ::kafkatest::cluster::stop
#
#	Why a separate controller rather than three combined nodes: with two
#	of three combined nodes down the KRaft quorum is lost, nobody can
#	shrink the in-sync replica sets, and a producer with acks all just
#	times out; with the controller apart, the surviving broker is told the
#	ISR shrank below min.insync.replicas and answers NOT_ENOUGH_REPLICAS,
#	which is what users see in production.  Killing a broker never kills
#	the controller either, so a leader moves within the broker session
#	timeout (3 s here) instead of waiting for a controller election too.
#	The controller itself is never killed by the tests.
#
#	Topics default to 3 partitions, replication factor 3 and
#	min.insync.replicas 2 (the internal offsets and transaction topics as
#	well).  Each node runs under run-broker.sh (which kills its JVM when
#	the tclsh goes away), and reap.sh removes the cluster's directory once
#	the tclsh is gone, also the data of a node that was down at the time.
#
#	The helpers that read metadata (leader, isr, waitHealthy) use the
#	kafka package, so they need it loaded (the test files do).
#	KAFKA_BROKERS does not apply: the cluster is always our own.

namespace eval ::kafkatest::cluster {
    # Small heaps: four JVMs share two cores with the rest of the suite.
    variable brokerJvm {-Xms128m -Xmx512m -XX:+UseSerialGC
	-XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true}
    variable controllerJvm {-Xms64m -Xmx192m -XX:+UseSerialGC
	-XX:TieredStopAtLevel=1 -Xshare:auto -Djava.awt.headless=true}
    variable brokers {1 2 3}

    # C(dir)		the cluster's run directory ("" when none runs)
    # C(bootstrap)	the three brokers' PLAINTEXT addresses
    # C(N,dir) C(N,port) C(N,cmd)  node N's run directory, listener port
    #			(the CONTROLLER port for node 0), java arguments
    # C(handle)	master used for metadata (made on first use)
    variable C
    array set C {dir "" bootstrap "" handle ""}
}

# ::kafkatest::cluster::start ?-cache DIR? --
#
#	Starts the cluster unless it runs and returns its bootstrap string.

proc ::kafkatest::cluster::start {args} {
    variable C
    variable brokers
    if {$C(dir) ne ""} {
	return $C(bootstrap)
    }
    set cache [::kafkatest::broker::JarCache "test cluster" $args]
    set t0 [clock milliseconds]
    set jars [::kafkatest::broker::Jars $cache]
    set C(dir) [MakeDirs]
    set ports [FreePorts 4]
    foreach node {0 1 2 3} port $ports {
	set C($node,port) $port
	set C($node,dir) [file join $C(dir) node$node]
	file mkdir [file join $C($node,dir) data]
    }
    set C(bootstrap) [join [lmap n $brokers {string cat 127.0.0.1: $C($n,port)}] ,]
    if {[catch {
	WriteConfigs $jars
	Format
	foreach node {0 1 2 3} { Spawn $node }
	foreach node {0 1 2 3} { WaitReady $node }
    } msg opts]} {
	stop
	return -options $opts $msg
    }
    puts [format "kafka cluster %s (3 brokers + 1 controller) ready on %s in %.1f s" \
	    $::kafkatest::broker::version $C(bootstrap) \
	    [expr {([clock milliseconds] - $t0) / 1000.0}]]
    return $C(bootstrap)
}

# ::kafkatest::cluster::stop --
#
#	Stops every node (a frozen one is thawed first) and deletes the run
#	directory.  Does nothing if no cluster runs.

proc ::kafkatest::cluster::stop {} {
    variable C
    if {$C(dir) eq ""} {
	return
    }
    if {$C(handle) ne ""} {
	catch {$C(handle) delete}
    }
    # Brokers first: a broker without its controller waits for it.
    foreach node {1 2 3} { catch {Signal $node CONT} }
    foreach node {1 2 3} { catch {Signal $node TERM} }
    foreach node {1 2 3} { WaitGone $node 15000 }
    StopNode 0
    catch {file delete -force $C(dir)}
    array unset C
    array set C {dir "" bootstrap "" handle ""}
    return
}

proc ::kafkatest::cluster::bootstrap {} {
    variable C
    return $C(bootstrap)
}

# ::kafkatest::cluster::address ID --
#	127.0.0.1:PORT of broker ID.
proc ::kafkatest::cluster::address {id} {
    variable C
    Node $id
    return 127.0.0.1:$C($id,port)
}

# ::kafkatest::cluster::kill9 ID --
#	SIGKILLs broker ID (a crash); returns once its JVM is gone.
proc ::kafkatest::cluster::kill9 {id} {
    Node $id
    Signal $id KILL
    WaitGone $id 10000
    return
}

# ::kafkatest::cluster::freeze ID / thaw ID --
#	SIGSTOP / SIGCONT broker ID: alive, connections open, but silent.
proc ::kafkatest::cluster::freeze {id} {
    Node $id
    Signal $id STOP
    return
}
proc ::kafkatest::cluster::thaw {id} {
    Node $id
    Signal $id CONT
    return
}

# ::kafkatest::cluster::shutdown ID --
#	Stops broker ID cleanly (SIGTERM: controlled shutdown, its leaderships
#	move first); returns once its JVM is gone.
proc ::kafkatest::cluster::shutdown {id} {
    Node $id
    StopNode $id
    return
}

# ::kafkatest::cluster::restart ID --
#	Stops broker ID if it runs (SIGTERM) and starts it again on the same
#	port and data; returns the seconds it took, once the broker is ready
#	(registered and unfenced).  See waitHealthy for its replicas.
proc ::kafkatest::cluster::restart {id} {
    Node $id
    set t0 [clock milliseconds]
    StopNode $id
    Spawn $id
    WaitReady $id
    return [format %.1f [expr {([clock milliseconds] - $t0) / 1000.0}]]
}

# ::kafkatest::cluster::running ID --
#	1 if broker ID's JVM is alive (frozen counts), else 0.
proc ::kafkatest::cluster::running {id} {
    Node $id
    set pid [JavaPid $id]
    expr {$pid ne "" && [::kafkatest::broker::Alive $pid]}
}

# ::kafkatest::cluster::partitions TOPIC --
#	The metadata of TOPIC, as [$handle info topic]: a list of dicts
#	partition leader replicas isr error.
proc ::kafkatest::cluster::partitions {topic} {
    Metadata topic $topic
}

# ::kafkatest::cluster::leader TOPIC PARTITION --
#	The id of the partition's leader broker (-1: none).
proc ::kafkatest::cluster::leader {topic partition} {
    foreach p [partitions $topic] {
	if {[dict get $p partition] == $partition} {
	    return [dict get $p leader]
	}
    }
    error "kafka test cluster: topic $topic has no partition $partition"
}

# ::kafkatest::cluster::coordinator group|transaction ID --
#	The broker coordinating consumer group ID or transactional.id ID: the
#	leader of the internal topic's partition Kafka maps the id to
#	(abs(String.hashCode) modulo its partition count).
proc ::kafkatest::cluster::coordinator {kind id} {
    set topic [dict get {group __consumer_offsets transaction __transaction_state} $kind]
    set n [llength [partitions $topic]]
    set h 0
    foreach ch [split $id ""] {
	set h [expr {($h * 31 + [scan $ch %c]) & 0xFFFFFFFF}]
    }
    if {$h >= 0x80000000} {
	set h [expr {$h == 0x80000000 ? 0 : 0x100000000 - $h}]
    }
    leader $topic [expr {$h % $n}]
}

# ::kafkatest::cluster::waitHealthy ?TIMEOUTMS? --
#	Waits until all three brokers are registered and every partition of
#	every topic has all three replicas in sync and its preferred replica
#	(the first) as leader (the controller moves leaderships back every
#	5 s); returns the
#	milliseconds it took, errors with what is still wrong after
#	TIMEOUTMS (default 90000).
proc ::kafkatest::cluster::waitHealthy {{timeoutMs 90000}} {
    variable brokers
    set t0 [clock milliseconds]
    while 1 {
	set why [Unhealthy]
	if {$why eq ""} {
	    return [expr {[clock milliseconds] - $t0}]
	}
	if {[clock milliseconds] - $t0 > $timeoutMs} {
	    error "kafka test cluster: not healthy after $timeoutMs ms: $why"
	}
	Sleep 250
    }
}

# --- cluster internals -------------------------------------------------------

# Waits MS milliseconds in the event loop, so that the test's producers,
# consumers and callbacks keep running while the harness waits.
proc ::kafkatest::cluster::Sleep {ms} {
    variable tick
    after $ms [list set ::kafkatest::cluster::tick 1]
    vwait ::kafkatest::cluster::tick
}

proc ::kafkatest::cluster::Node {id} {
    variable C
    variable brokers
    if {$C(dir) eq ""} {
	error "kafka test cluster: no cluster started"
    }
    if {$id ni $brokers} {
	error "kafka test cluster: no broker \"$id\": must be one of $brokers"
    }
}

# What keeps the cluster from being healthy now ("" if nothing).
proc ::kafkatest::cluster::Unhealthy {} {
    variable brokers
    if {[catch {Metadata cluster} cl]} {
	return $cl
    }
    set ids [lsort -integer [lmap b [dict get $cl brokers] {dict get $b id}]]
    if {$ids ne $brokers} {
	return "brokers registered: $ids"
    }
    if {[catch {Metadata topics} topics]} {
	return $topics
    }
    foreach topic $topics {
	if {[catch {Metadata topic $topic} parts]} {
	    return $parts
	}
	foreach p $parts {
	    dict with p {
		if {$leader < 0 || [llength $isr] != 3 || $error ne ""} {
		    return "$topic/$partition: leader $leader isr {$isr} $error"
		}
		if {$leader != [lindex $replicas 0]} {
		    return "$topic/$partition: leader $leader is not the\
			    preferred replica [lindex $replicas 0]"
		}
	    }
	}
    }
    return ""
}

# [$handle info WHAT ...] on the metadata handle, retried for up to 20 s
# (a frozen or dead broker may be the one asked).
proc ::kafkatest::cluster::Metadata {what args} {
    variable C
    if {$C(handle) eq ""} {
	package require kafka
	set m [::kafka::kafka create ::kafkatest::cluster::meta]
	$m config bootstrap.servers $C(bootstrap)
	$m logger none
	set C(handle) $m
	set C(producer) [$m create_producer ::kafkatest::cluster::metaProducer]
    }
    set deadline [expr {[clock milliseconds] + 20000}]
    while {[catch {$C(producer) info $what {*}$args -timeout 2000} r]} {
	if {[clock milliseconds] > $deadline} {
	    error "kafka test cluster: metadata ($what $args): $r"
	}
	Sleep 100
    }
    return $r
}

# A fresh run directory for the cluster, and the reaper that deletes it
# when this process is gone.
proc ::kafkatest::cluster::MakeDirs {} {
    set tmp [expr {[info exists ::env(TMPDIR)] ? $::env(TMPDIR) : "/tmp"}]
    set n 0
    while {[file exists [set dir [file join $tmp \
	    kafkacluster-[pid]-[clock milliseconds]-[incr n]]]]} {}
    file mkdir $dir
    exec /bin/sh [file join $::kafkatest::broker::tests broker reap.sh] \
	    [pid] $dir </dev/null >/dev/null 2>@1 &
    return $dir
}

# N distinct free 127.0.0.1 ports.
proc ::kafkatest::cluster::FreePorts {n} {
    set socks {}
    for {set i 0} {$i < $n} {incr i} {
	lappend socks [socket -server {apply {args {}}} -myaddr 127.0.0.1 0]
    }
    set ports [lmap s $socks {lindex [fconfigure $s -sockname] 2}]
    foreach s $socks {close $s}
    return $ports
}

# server.properties and log4j.properties of every node, and their java
# command lines.
proc ::kafkatest::cluster::WriteConfigs {jars} {
    variable C
    variable brokerJvm
    variable controllerJvm
    # Topic defaults: the controller applies them to topics created without
    # explicit values, the brokers to auto-created ones.
    set common [string map [list @V 0@127.0.0.1:$C(0,port)] {
	controller.quorum.voters=@V
	controller.listener.names=CONTROLLER
	listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
	num.partitions=3
	default.replication.factor=3
	min.insync.replicas=2
	offsets.topic.replication.factor=3
	offsets.topic.num.partitions=3
	transaction.state.log.replication.factor=3
	transaction.state.log.min.isr=2
	transaction.state.log.num.partitions=3
	auto.create.topics.enable=true
	group.initial.rebalance.delay.ms=0
	num.network.threads=2
	num.io.threads=4
	background.threads=2
	log.cleaner.threads=1
    }]
    foreach node {0 1 2 3} {
	set dir $C($node,dir)
	if {$node == 0} {
	    # A broker that stops heartbeating is fenced (its leaderships
	    # move, it leaves the ISRs) after this long.
	    set roles [string map [list @P $C(0,port)] {
		process.roles=controller
		listeners=CONTROLLER://127.0.0.1:@P
		broker.session.timeout.ms=3000
		# Leaderships go back to the preferred replica soon after a
		# broker returns, so every test starts from a balanced cluster.
		leader.imbalance.check.interval.seconds=5
	    }]
	    set jvm $controllerJvm
	} else {
	    set roles [string map [list @P $C($node,port)] {
		process.roles=broker
		listeners=PLAINTEXT://127.0.0.1:@P
		advertised.listeners=PLAINTEXT://127.0.0.1:@P
		inter.broker.listener.name=PLAINTEXT
		broker.heartbeat.interval.ms=500
	    }]
	    set jvm $brokerJvm
	}
	::kafkatest::broker::WriteFile [file join $dir server.properties] \
		"node.id=$node\nlog.dirs=[file join $dir data]\n$roles\n$common"
	::kafkatest::broker::WriteLog4j $dir
	set C($node,java) [list {*}$jvm \
		-Dlog4j.configuration=file:[file join $dir log4j.properties] \
		-cp [file join $jars *]]
	set C($node,cmd) [list {*}$C($node,java) kafka.Kafka \
		[file join $dir server.properties]]
    }
}

# Formats the four nodes' storage with one cluster id, in parallel.
proc ::kafkatest::cluster::Format {} {
    variable C
    set id [::kafkatest::broker::RandomUuid]
    set chans [lmap node {0 1 2 3} {
	open |[list java {*}$C($node,java) kafka.tools.StorageTool format \
		-t $id -c [file join $C($node,dir) server.properties] 2>@1]
    }]
    set failed {}
    foreach node {0 1 2 3} ch $chans {
	set out [read $ch]
	if {[catch {close $ch} msg]} {
	    append failed "\nnode $node: $out$msg"
	}
    }
    if {$failed ne ""} {
	error "kafka test cluster: formatting storage failed:$failed"
    }
}

# Starts node N's JVM under run-broker.sh (not waiting for it).
proc ::kafkatest::cluster::Spawn {node} {
    variable C
    set dir $C($node,dir)
    set log [file join $dir broker.log]
    # Only log lines written from now on count (a restart appends).
    set C($node,logoff) [expr {[file exists $log] ? [file size $log] : 0}]
    file delete [file join $dir java.pid]
    exec /bin/sh [file join $::kafkatest::broker::tests broker run-broker.sh] \
	    [pid] $dir {*}$C($node,cmd) </dev/null \
	    >>& [file join $dir broker.out] &
}

# Waits until node N says it started (a broker: registered and unfenced)
# and accepts connections.
proc ::kafkatest::cluster::WaitReady {node} {
    variable C
    set dir $C($node,dir)
    set log [file join $dir broker.log]
    set deadline [expr {[clock milliseconds] + 120000}]
    while 1 {
	Sleep 100
	if {[clock milliseconds] > $deadline} {
	    set why "not ready after 120 s"
	    break
	}
	set jpid [JavaPid $node]
	if {$jpid eq ""} continue
	if {![::kafkatest::broker::Alive $jpid]} {
	    set why "the JVM exited"
	    break
	}
	set text [::kafkatest::broker::Tail $log $C($node,logoff)]
	if {[string first "Kafka Server started" $text] < 0} continue
	if {![catch {socket 127.0.0.1 $C($node,port)} s]} {
	    close $s
	    return
	}
    }
    set msg "kafka test cluster: node $node: $why"
    foreach f [list [file join $dir broker.out] $log] {
	set lines [lrange [split [::kafkatest::broker::Tail $f 0] \n] end-40 end]
	append msg "\n--- tail of $f:\n" [join $lines \n]
    }
    error $msg
}

proc ::kafkatest::cluster::JavaPid {node} {
    variable C
    if {[catch {open [file join $C($node,dir) java.pid]} ch]} {
	return ""
    }
    set pid [string trim [read $ch]]
    close $ch
    return $pid
}

proc ::kafkatest::cluster::Signal {node sig} {
    set pid [JavaPid $node]
    if {$pid eq "" || ![::kafkatest::broker::Alive $pid]} {
	error "kafka test cluster: node $node is not running"
    }
    exec kill -$sig $pid
}

# Waits until node N's JVM is gone (KILL after TIMEOUTMS) and forgets its
# pid, so the reaper never signals a reused one.
proc ::kafkatest::cluster::WaitGone {node timeoutMs} {
    variable C
    set pid [JavaPid $node]
    if {$pid ne ""} {
	set deadline [expr {[clock milliseconds] + $timeoutMs}]
	while {[::kafkatest::broker::Alive $pid]} {
	    if {[clock milliseconds] > $deadline} {
		catch {exec kill -CONT $pid}
		catch {exec kill -KILL $pid}
		set deadline [expr {[clock milliseconds] + 10000}]
	    }
	    Sleep 50
	}
    }
    file delete [file join $C($node,dir) java.pid]
}

# SIGTERM (after SIGCONT, should it be frozen) and wait; KILL after 15 s.
proc ::kafkatest::cluster::StopNode {node} {
    set pid [JavaPid $node]
    if {$pid ne "" && [::kafkatest::broker::Alive $pid]} {
	catch {exec kill -CONT $pid}
	catch {exec kill -TERM $pid}
    }
    WaitGone $node 15000
}
