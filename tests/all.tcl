# all.tcl --
#
#	Runs every tests/*.test file in its own tclsh (a crash in one file is
#	counted, not fatal to the run) and ends with the line
#	"N passed, N failed, N skipped"; exits non-zero when a test failed or a
#	test file died.
#
#	tclsh tests/all.tcl ?-quick? ?-file PATTERN? ?tcltest options ...?
#
#	Default: start the real Apache Kafka broker (tests/broker.tcl) and run
#	the suite against it; with KAFKA_BROKERS=host:port, use that cluster.
#	The addresses and credentials of the broker's SSL and SASL listeners
#	are passed to the test files as KAFKATEST_SSL_* / KAFKATEST_SASL_*.
#	-quick: run against librdkafka's in-process mock cluster, no JVM.
#	In the full tier, when a test file to run has a test with the
#	constraint `registry`, an Apicurio Registry (tests/registry.tcl) is
#	started too and its URL passed as KAFKATEST_REGISTRY.

set here [file dirname [file normalize [info script]]]
source [file join $here broker.tcl]
source [file join $here registry.tcl]

set quick 0
set pattern *.test
set passThrough {}
for {set i 0} {$i < [llength $argv]} {incr i} {
    set arg [lindex $argv $i]
    switch -- $arg {
        -quick  { set quick 1 }
        -file   { set pattern [lindex $argv [incr i]] }
        default { lappend passThrough $arg }
    }
}

# Memory-checked runs (build.tcl test -asan|-valgrind): test processes run
# under the checker's command prefix; this process and the JVM do not.
set runner [list [info nameofexecutable]]
if {[info exists env(KAFKATEST_CHECKER_PREFIX)]} {
    set runner [list {*}$env(KAFKATEST_CHECKER_PREFIX) {*}$runner]
}

# The versions under test, first: Tcl, and the librdkafka the package
# loads (asked of a test process, which may need the checker's runtime).
if {[catch {
    exec {*}$runner << {
        if {[info exists env(KAFKATCL_LIBDIR)]} {
            set auto_path [linsert $auto_path 0 $env(KAFKATCL_LIBDIR)]
        }
        puts "kafka [package require kafka], librdkafka [::kafka::kafka version]"
    } 2>@1
} versions]} {
    set versions "kafka package does not load: $versions"
}
puts "versions: Tcl [info patchlevel] ([info nameofexecutable]), $versions"

if {$quick} {
    unset -nocomplain env(KAFKATEST_BROKERS)
    puts "test tier: quick (librdkafka mock cluster, in each test process)"
} else {
    set env(KAFKATEST_BROKERS) [::kafkatest::broker::start]
    # The tests of features that need a newer broker read its version (for
    # a KAFKA_BROKERS cluster, KAFKATEST_KAFKA_VERSION is the user's to set).
    if {![info exists env(KAFKA_BROKERS)] || $env(KAFKA_BROKERS) eq ""} {
        set env(KAFKATEST_KAFKA_VERSION) $::kafkatest::broker::version
    }
    if {[info exists env(KAFKATEST_KAFKA_VERSION)]} {
        set kafkaVersion $env(KAFKATEST_KAFKA_VERSION)
    } else {
        set kafkaVersion "(version unknown: set KAFKATEST_KAFKA_VERSION)"
    }
    puts "test tier: full (Apache Kafka $kafkaVersion at $env(KAFKATEST_BROKERS))"
}

# The secured listeners of our broker (security.test): KAFKATEST_SSL_BROKERS,
# KAFKATEST_SSL_CA, KAFKATEST_SASL_BROKERS, KAFKATEST_SASL_PLAIN_PASSWORD, ...
# (see ::kafkatest::broker::security).  With KAFKA_BROKERS they are left as
# the user set them, so the security tests can be pointed at that cluster's
# own listeners; the quick tier has none.
if {$quick || ![info exists env(KAFKA_BROKERS)] || $env(KAFKA_BROKERS) eq ""} {
    foreach name [array names env KAFKATEST_*] {
        if {[regexp {^KAFKATEST_(SSL|SASL)_} $name]} { unset env($name) }
    }
}
if {!$quick} {
    dict for {key value} [::kafkatest::broker::security] {
        set env(KAFKATEST_[string toupper $key]) $value
    }
    if {[info exists env(KAFKATEST_SSL_UNAVAILABLE)]} {
        puts "no SSL listener: $env(KAFKATEST_SSL_UNAVAILABLE)"
    }
}

proc readFile {file} {
    set f [open $file]
    set text [read $f]
    close $f
    return $text
}

# The schema registry, only for a full run of files that have registry tests.
set files [lsort [glob -directory $here $pattern]]
if {!$quick && ![info exists env(KAFKATEST_REGISTRY)]} {
    foreach file $files {
        if {[string match *.test $file]
                && [regexp -line -- {-constraints\s+[^\n]*\mregistry\M} [readFile $file]]} {
            if {[catch {::kafkatest::registry::start} url]} {
                set env(KAFKATEST_REGISTRY_UNAVAILABLE) "the test registry did not start: $url"
                puts "no schema registry: $url"
            } else {
                set env(KAFKATEST_REGISTRY) $url
            }
            break
        }
    }
}

if {[info exists env(KAFKATEST_CHECKER)]} {
    puts "memory checker: $env(KAFKATEST_CHECKER)"
}

# A test file that hangs (a librdkafka call that never returns) must not
# hang the run: after this many seconds it is killed and counts as died.
set fileLimitS [expr {[info exists env(KAFKATEST_FILE_TIMEOUT)] ? $env(KAFKATEST_FILE_TIMEOUT) : 900}]

# Copies a test file's output to stdout as it comes; returns the counts of
# its tcltest summary line {passed skipped failed} ("" if none came), or
# "timeout" when the file is still running after limitS seconds.
proc readTestOutput {chan limitS} {
    fconfigure $chan -blocking 0
    set ::testOutput [dict create summary "" done 0]
    fileevent $chan readable [list apply {{chan} {
        while {[gets $chan line] >= 0} {
            puts $line
            if {[regexp {Total\s+(\d+)\s+Passed\s+(\d+)\s+Skipped\s+(\d+)\s+Failed\s+(\d+)} $line -> t p s f]} {
                dict set ::testOutput summary [list $p $s $f]
            }
        }
        if {[eof $chan]} { dict set ::testOutput done 1 }
    }} $chan]
    set timer [after [expr {$limitS * 1000}] {dict set ::testOutput done timeout}]
    while {[dict get $::testOutput done] eq "0"} { vwait ::testOutput }
    after cancel $timer
    fileevent $chan readable {}
    fconfigure $chan -blocking 1
    if {[dict get $::testOutput done] eq "timeout"} { return timeout }
    return [dict get $::testOutput summary]
}

set totals [dict create passed 0 failed 0 skipped 0]
set died {}
set seconds {}
foreach file $files {
    if {![string match *.test $file]} continue
    puts "==== [file tail $file]"
    flush stdout
    set started [clock milliseconds]
    set chan [open |[list {*}$runner $file {*}$passThrough 2>@1]]
    set summary [readTestOutput $chan $fileLimitS]
    if {$summary eq "timeout"} {
        catch {exec kill -9 {*}[pid $chan]}
        puts "==== [file tail $file] still running after $fileLimitS s: killed"
        set summary ""
    }
    set status [catch {close $chan} err]
    set took [expr {([clock milliseconds] - $started) / 1000}]
    dict set seconds [file tail $file] $took
    puts "==== [file tail $file] took $took s"
    if {$summary eq ""} {
        puts "==== [file tail $file] DIED: $err"
        lappend died [file tail $file]
        dict incr totals failed
        continue
    }
    lassign $summary p s f
    dict incr totals passed $p
    dict incr totals skipped $s
    dict incr totals failed $f
    if {$status && $f == 0} {
        puts "==== [file tail $file] exited abnormally: $err"
        lappend died [file tail $file]
        dict incr totals failed
    }
}

if {!$quick} { ::kafkatest::broker::stop; ::kafkatest::registry::stop }
if {[llength $died]} { puts "test files that died: $died" }
# The slowest files, for whoever keeps CI inside its time budget.
set slowest [lrange [lsort -stride 2 -index 1 -integer -decreasing $seconds] 0 15]
puts "slowest test files (s): $slowest"
puts "[dict get $totals passed] passed, [dict get $totals failed] failed, [dict get $totals skipped] skipped"
exit [expr {[dict get $totals failed] > 0}]
