#!/usr/bin/env tclsh
# build.tcl -- build, install, test and demo the kafka package.
#
#	tclsh build.tcl help            this message
#	tclsh build.tcl setup           install missing Debian packages (root) or name them
#	tclsh build.tcl install ?-libdir DIR? ?-rdkafka PREFIX?
#	                                build and install (default: Tcl's package path); librdkafka
#	                                from pkg-config, or the one installed in PREFIX
#	tclsh build.tcl test ?-quick? ?-next? ?-asan|-valgrind? ?tcltest options?   build and run the test suite
#	                                (-asan: AddressSanitizer+UBSan build in build/asan;
#	                                 -valgrind: every test process under valgrind memcheck;
#	                                 -next: Tcl 9, critcl 3.3, librdkafka 2.14 built from Debian
#	                                 sources into .cache/next, Kafka 4 broker; build/next)
#	tclsh build.tcl demo            build and run examples/demo.tcl on the mock cluster
#	tclsh build.tcl doc             render doc/kafka.man to build/doc (HTML and nroff)
#	tclsh build.tcl bench ?-broker real|mock? ?-count N? ?-size B? ?-rounds N? ?-quick? ?-rss? ?-avro-count N? ?-only plain|avro?
#	                                compare with kcat, confluent-kafka-python, raw librdkafka
#	tclsh build.tcl bench -scale ?-broker real|mock? ?-brokers LIST? ?-count N? ?-rounds N?
#	                  ?-sizes LIST? ?-partitions LIST? ?-threads LIST? ?-json FILE?
#	                                the scale table (bench/scale.tcl): KafkaTcl and raw librdkafka
#	                                over message sizes x partitions, consumers in 1, 2, 4 threads
#	tclsh build.tcl torture ?-seconds N? ?-seed S? ?-steps N? ?-broker real|mock? ?-asan? ?-next? ?-known all|none|LIST?
#	                                the randomized model test (tests/torture.tcl): random call sequences,
#	                                each in a child process, for N seconds (60), or one sequence with -seed
#	                                alone; -known none also generates the known, not yet fixed, defects;
#	                                -next: on the next leg (Tcl 9, librdkafka 2.14, Kafka 4), as test -next
#	tclsh build.tcl fuzz ?-time SECONDS? ?-max_len N? ?file ...?
#	                                build fuzz/fuzz_commands.cpp (libFuzzer, ASan+UBSan) in
#	                                build/fuzz and run it SECONDS (60); with files, rerun them

set here [file dirname [file normalize [info script]]]
set buildDir [file join $here build lib]

# Debian packages the project needs.
# json-schema-test-suite: the official JSON Schema cases tests/jsonschema.test runs.
set requirements {librdkafka-dev tcl8.6-dev critcl tcllib tcl-thread libavro-dev json-schema-test-suite}
# Programs the real-broker tests need, and the Debian package of each.
set programs {java default-jre-headless mvn maven}
# Debian packages only the real-broker tests need: python3-venv for the
# confluent-kafka-python peer of tests/serde.test (its venv: .cache/pyvenv);
# tcl-tls for the https token endpoint of tests/oauthbearer.test (run by
# Debian's tclsh8.6 on every leg).
set brokerRequirements {python3-venv tcl-tls}
# The Kafka broker of the -next test leg (newest 4.x Maven Central serves;
# tests/broker.tcl reads KAFKATEST_KAFKA_VERSION, default its pom's).
set nextKafka 4.4.0

# True where Debian's package tools are, the only place setup installs.
proc onDebian {} {
    expr {[auto_execok dpkg-query] ne "" && [auto_execok apt-get] ne ""}
}

# withBroker: also what a real broker started by the tests needs (Java, Maven).
proc missingPackages {{withBroker 1}} {
    global requirements programs brokerRequirements
    set missing {}
    foreach pkg [list {*}$requirements {*}[expr {$withBroker ? $brokerRequirements : {}}]] {
        if {[catch {exec dpkg-query -W -f {${Status}} $pkg} status] || ![string match "*ok installed" $status]} {
            lappend missing $pkg
        }
    }
    foreach {program pkg} [expr {$withBroker ? $programs : {}}] {
        if {[auto_execok $program] eq ""} { lappend missing $pkg }
    }
    return $missing
}

# Installs Debian packages as root; otherwise names them and stops, or,
# when they are optional, goes on without them.
proc aptInstall {packages {optional 0}} {
    if {![llength $packages]} return
    if {[exec id -u] != 0 || [auto_execok apt-get] eq ""} {
        if {$optional} return
        puts stderr "kafka: missing Debian packages: $packages"
        puts stderr "install them with: apt-get install $packages"
        exit 1
    }
    puts "installing Debian packages: $packages"
    exec apt-get update -q >@ stdout 2>@ stderr
    exec env DEBIAN_FRONTEND=noninteractive apt-get install -y -q {*}$packages >@ stdout 2>@ stderr
}

# Installs what the project needs (as root on Debian) or names it and stops;
# Java and Maven only when a real broker will be started here.
proc setup {{withBroker 1}} {
    aptInstall [missingPackages $withBroker]
}

# Builds the package into $buildDir (or DIR) with critcl and the toolchain
# TC (see toolchain); quiet when up to date for the same toolchain.
# SANITIZE (e.g. address,undefined) builds an instrumented package, see kafka.tcl.
proc build {{libdir {}} {sanitize {}} {tc {}}} {
    global here buildDir env
    if {$libdir eq ""} {set libdir $buildDir}
    if {$tc eq ""} {set tc [toolchain]}
    file mkdir $libdir
    set sources [list [file join $here kafka.tcl] {*}[glob [file join $here cxx *]] {*}[glob [file join $here tcl *.tcl]]]
    set stamp [file join $libdir kafka pkgIndex.tcl]
    set flagsFile [file join $libdir .kafka-toolchain]
    set flags [list $tc $sanitize]
    if {[file exists $stamp] && [file exists $flagsFile] && [readFile $flagsFile] eq $flags} {
        set newest 0
        foreach f $sources { set newest [expr {max($newest, [file mtime $f])}] }
        if {[file mtime $stamp] >= $newest} return
    }
    set cache [file join $here build critcl-cache-[file tail $libdir]]
    puts "building kafka package into $libdir ..."
    set env(KAFKATCL_SANITIZE) $sanitize
    set env(KAFKATCL_CFLAGS) [dict get $tc cflags]
    set env(KAFKATCL_LDFLAGS) [dict get $tc ldflags]
    exec {*}[dict get $tc critcl] -cache $cache -force -libdir $libdir -pkg kafka [file join $here kafka.tcl] >@ stdout 2>@ stderr
    unset env(KAFKATCL_SANITIZE) env(KAFKATCL_CFLAGS) env(KAFKATCL_LDFLAGS)
    set f [open $flagsFile w]
    puts -nonewline $f $flags
    close $f
}

proc readFile {file} {
    set f [open $file]
    set text [read $f]
    close $f
    return $text
}

# What builds the package: a dict of tclsh (the Tcl it is built for, TCLSH
# or this one), critcl (the command running critcl for that Tcl), cflags
# and ldflags (librdkafka's, from PREFIX or pkg-config; see kafka.tcl).
proc toolchain {{tclsh ""} {rdkafka ""}} {
    if {$tclsh eq ""} {set tclsh [info nameofexecutable]}
    lassign [rdkafkaFlags $rdkafka] cflags ldflags
    dict create tclsh $tclsh critcl [critclCommand $tclsh] cflags $cflags ldflags $ldflags
}

# critcl for TCLSH: its critcl::app package (auto_path), else `critcl` on
# PATH, else (Debian, as root) Debian's critcl package.
proc critclCommand {tclsh {installed 0}} {
    global here
    if {![catch {exec $tclsh << {puts [package require critcl::app]}} version]} {
        return [list $tclsh [file join $here tools critcl.tcl]]
    }
    if {$tclsh eq [info nameofexecutable] && [auto_execok critcl] ne ""} {
        return [list critcl]
    }
    if {!$installed && [onDebian]} {
        aptInstall critcl
        return [critclCommand $tclsh 1]
    }
    puts stderr "kafka: critcl (3.1 or later) not found for $tclsh: neither\
        `package require critcl::app` works there nor is critcl on PATH.\
        Install critcl (https://andreas-kupries.github.io/critcl/) into that Tcl."
    exit 1
}

# FLAG, or for -IDIR where DIR also holds a Tcl's headers (a prefix with
# Tcl 9 and librdkafka), -I of a directory holding only DIR/librdkafka: the
# Tcl headers are critcl's, for the Tcl being built for.
proc onlyRdkafkaHeaders {flag} {
    global here
    set dir [string range $flag 2 end]
    if {![string match -I* $flag] || ![file exists [file join $dir tcl.h]]} { return $flag }
    set only [file join $here build rdkafka-include [string map {/ _} [file normalize $dir]]]
    file mkdir $only
    file delete [file join $only librdkafka]
    file link -symbolic [file join $only librdkafka] [file join $dir librdkafka]
    return -I$only
}

# librdkafka's compiler and linker flags: from PREFIX (its pkg-config file,
# else PREFIX/include and PREFIX/lib), else pkg-config's rdkafka, else
# (Debian, as root) librdkafka-dev. Every library directory is also an rpath,
# so the librdkafka built against is the one loaded.
proc rdkafkaFlags {prefix {installed 0}} {
    set pc {}
    if {$prefix ne ""} {
        set prefix [file normalize $prefix]
        if {![file exists [file join $prefix include librdkafka rdkafka.h]]} {
            puts stderr "kafka: -rdkafka $prefix: no include/librdkafka/rdkafka.h there"
            exit 1
        }
        set pc [list env PKG_CONFIG_PATH=[file join $prefix lib pkgconfig]]
        if {![file exists [file join $prefix lib pkgconfig rdkafka.pc]]} {
            return [list [list [onlyRdkafkaHeaders -I[file join $prefix include]]] \
                        [list -L[file join $prefix lib] -Wl,-rpath,[file join $prefix lib] -lrdkafka]]
        }
    }
    if {[auto_execok pkg-config] ne "" && ![catch {exec {*}$pc pkg-config --cflags rdkafka} cflags]} {
        set cflags [lmap flag $cflags {onlyRdkafkaHeaders $flag}]
        set libs [lrange [exec {*}$pc pkg-config --libs rdkafka] 0 end]
        foreach flag $libs {
            if {[string match -L* $flag]} { lappend libs -Wl,-rpath,[string range $flag 2 end] }
        }
        return [list $cflags $libs]
    }
    if {$prefix eq "" && !$installed && [onDebian]} {
        aptInstall {librdkafka-dev pkg-config}
        return [rdkafkaFlags $prefix 1]
    }
    puts stderr "kafka: librdkafka (2.0 or later) not found: pkg-config knows no rdkafka.\
        Install librdkafka with its headers and rdkafka.pc (e.g. librdkafka-dev,\
        librdkafka-devel), set PKG_CONFIG_PATH, or give -rdkafka PREFIX."
    exit 1
}

# The command prefix that runs a test process under a memory checker:
# asan: the sanitizer build's runtime preloaded into a plain tclsh;
# valgrind: memcheck, failing on invalid accesses and definite leaks.
proc checkerPrefix {checker} {
    global here
    switch -- $checker {
        asan {
            # Full (slow) unwinding on malloc: librdkafka has no frame
            # pointers, and the fast unwinder stops inside it, so the stack
            # of a leak from its threads never reaches the suppressed caller.
            return [list env \
                LD_PRELOAD=[exec gcc -print-file-name=libasan.so] \
                ASAN_OPTIONS=detect_leaks=1:exitcode=86:fast_unwind_on_malloc=0 \
                LSAN_OPTIONS=suppressions=[file join $here tests lsan.supp] \
                UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87]
        }
        valgrind {
            return [list valgrind -q --error-exitcode=88 --leak-check=full \
                --errors-for-leak-kinds=definite --show-leak-kinds=definite \
                --suppressions=[file join $here tests valgrind.supp]]
        }
    }
}

# Where `install` puts the package by default: the site directory on Tcl's
# package path (Debian: /usr/local/lib/tcltk), made if it does not exist yet.
proc defaultLibdir {} {
    foreach dir $::auto_path {
        if {[string match /usr/local/lib/tcltk* $dir]} {
            file mkdir $dir
            return $dir
        }
    }
    foreach dir $::auto_path {
        if {[file isdirectory $dir] && [file writable $dir]} {return $dir}
    }
    error "no writable directory on auto_path; use install -libdir DIR"
}

# Builds the libFuzzer harness fuzz/fuzz_commands.cpp with cxx/*.cpp
# (instrumented: coverage, ASan, UBSan) into build/fuzz and runs it for a
# bounded time, or reruns the given input files. Exits 1 on a finding and
# names the saved input. Installs clang and the libFuzzer runtime as root.
proc fuzz {argv} {
    global here
    setup 0
    set seconds 60
    set extra {}
    set files {}
    for {set i 0} {$i < [llength $argv]} {incr i} {
        set a [lindex $argv $i]
        switch -glob -- $a {
            -time { set seconds [lindex $argv [incr i]] }
            -max_len - -seed - -runs - -only_ascii { lappend extra $a=[lindex $argv [incr i]] }
            -* { lappend extra $a }
            default { lappend files [file normalize $a] }
        }
    }
    if {![string is integer -strict $seconds] || $seconds < 1} {
        puts stderr "fuzz: -time needs a number of seconds"
        exit 1
    }
    # clang with libFuzzer's runtime (Debian: clang, libclang-rt-dev).
    set runtime ""
    if {[auto_execok clang++] ne ""} {
        set runtime [file join [exec clang++ -print-resource-dir] lib linux libclang_rt.fuzzer-x86_64.a]
    }
    if {$runtime eq "" || ![file exists $runtime]} { aptInstall {clang libclang-rt-dev} }

    set out [file join $here build fuzz]
    file mkdir $out [file join $out corpus] [file join $out artifacts]
    set binary [file join $out fuzz_commands]
    set sources [list [file join $here fuzz fuzz_commands.cpp] {*}[glob [file join $here cxx *.cpp]]]
    set newest 0
    foreach f [list {*}$sources {*}[glob [file join $here cxx *.h]]] { set newest [expr {max($newest, [file mtime $f])}] }
    if {![file exists $binary] || [file mtime $binary] < $newest} {
        puts "building $binary ..."
        if {[catch {
            exec clang++ -std=c++17 -g -O1 -fno-omit-frame-pointer \
                -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
                -I[file join $here cxx] -I/usr/include/tcl8.6 -Wall -Wno-unused-function \
                {*}$sources -ltcl8.6 -lrdkafka -lavro -o $binary >@ stdout 2>@ stderr
        }]} {
            puts stderr "fuzz: building the fuzzer failed"
            exit 2
        }
    }

    # The slow unwinder lets the suppressions see through librdkafka (no frame pointers).
    set env [list \
        ASAN_OPTIONS=fast_unwind_on_malloc=0:malloc_context_size=64:quarantine_size_mb=64:detect_stack_use_after_return=0 \
        LSAN_OPTIONS=suppressions=[file join $here fuzz lsan.supp]:print_suppressions=0 \
        UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1]
    set artifacts [file join $out artifacts]
    set before [glob -nocomplain -directory $artifacts *]
    # -timeout: deleting a producer handle may wait 10 s by design (kCloseFlushMs).
    set options [list -timeout=25 -report_slow_units=20 -rss_limit_mb=3072 -dict=[file join $here fuzz kafka.dict] \
                     -artifact_prefix=$artifacts/ -print_final_stats=1 {*}$extra]
    if {[llength $files]} {
        set cmd [list $binary {*}$options {*}$files]
    } else {
        puts "fuzzing for $seconds s (corpus build/fuzz/corpus, seeds fuzz/corpus) ..."
        set cmd [list $binary {*}$options -max_total_time=$seconds \
                     [file join $out corpus] [file join $here fuzz corpus]]
    }
    set rc [catch {exec env {*}$env {*}$cmd >@ stdout 2>@ stderr}]
    set found {}
    foreach f [glob -nocomplain -directory $artifacts *] {
        if {$f in $before} continue
        if {[string match slow-unit-* [file tail $f]]} {
            puts "fuzz: note: a slow input (not a failure) was saved in $f"
        } else {
            lappend found $f
        }
    }
    if {$rc || [llength $found]} {
        puts stderr "\nfuzz: FINDING (the report is above)"
        foreach f $found {
            puts stderr "  input saved in $f"
            puts stderr "  rerun it with: tclsh build.tcl fuzz $f"
        }
        exit 1
    }
    puts "fuzz: no finding"
}

# Removes FLAG from the list in the caller's variable VAR; 1 if it was there.
proc takeFlag {var flag} {
    upvar 1 $var list
    set i [lsearch -exact $list $flag]
    if {$i < 0} { return 0 }
    set list [lreplace $list $i $i]
    return 1
}

# test ?-quick? ?-next? ?-asan|-valgrind? ...: builds the package (build/lib,
# build/asan; -next: build/next, build/next-asan with the toolchain of
# tools/next.tcl) and runs tests/all.tcl with that package's tclsh. all.tcl
# runs the test processes (not the broker's JVM) under the checker.
proc testCommand {rest} {
    global here buildDir env nextKafka
    set checker ""
    foreach opt {-asan -valgrind} {
        if {[takeFlag rest $opt]} { set checker [string range $opt 1 end] }
    }
    set next [takeFlag rest -next]
    if {$next} {
        source [file join $here tools next.tcl]
        set prefix [::next::ensure]
        set tc [toolchain [::next::Tclsh] $prefix]
        set name next[expr {$checker eq "asan" ? "-asan" : ""}]
        if {![info exists env(KAFKATEST_KAFKA_VERSION)]} { set env(KAFKATEST_KAFKA_VERSION) $nextKafka }
    } else {
        if {[onDebian]} { setup 0 }
        set tc [toolchain]
        set name [expr {$checker eq "asan" ? "asan" : "lib"}]
    }
    set libdir [file join $here build $name]
    build $libdir [expr {$checker eq "asan" ? "address,undefined" : ""}] $tc
    # The tests start a broker unless in the quick tier or given one.
    if {"-quick" ni $rest && ![info exists env(KAFKA_BROKERS)] && [onDebian]} { setup }
    if {$checker eq "valgrind" && [auto_execok valgrind] eq ""} { aptInstall valgrind }
    if {$checker ne ""} {
        set env(KAFKATEST_CHECKER) $checker
        set env(KAFKATEST_CHECKER_PREFIX) [checkerPrefix $checker]
    }
    set env(KAFKATCL_LIBDIR) $libdir
    set rc [catch {exec [dict get $tc tclsh] [file join $here tests all.tcl] {*}$rest >@ stdout 2>@ stderr}]
    exit $rc
}

# torture ?-asan? ?-next? ?options of tests/torture.tcl run?: builds the package
# (build/lib, build/asan, build/next, build/next-asan) and runs the randomized model test; each
# sequence's child process runs under the checker.
proc torture {rest} {
    global here env nextKafka
    set asan [takeFlag rest -asan]
    set next [takeFlag rest -next]
    if {$next} { # as test -next: the next leg's tclsh, librdkafka and Kafka
        source [file join $here tools next.tcl]
        set prefix [::next::ensure]
        set tc [toolchain [::next::Tclsh] $prefix]
        set name next[expr {$asan ? "-asan" : ""}]
        if {![info exists env(KAFKATEST_KAFKA_VERSION)]} { set env(KAFKATEST_KAFKA_VERSION) $nextKafka }
    } else {
        if {[onDebian]} { setup 0 }
        set tc [toolchain]
        set name [expr {$asan ? "asan" : "lib"}]
    }
    set i [lsearch -exact $rest -broker]
    if {$i >= 0 && [lindex $rest $i+1] eq "real" && ![info exists env(KAFKA_BROKERS)] && [onDebian]} { setup }
    set libdir [file join $here build $name]
    build $libdir [expr {$asan ? "address,undefined" : ""}] $tc
    if {$asan} {
        set env(KAFKATEST_CHECKER) asan
        set env(KAFKATEST_CHECKER_PREFIX) [checkerPrefix asan]
    }
    set env(KAFKATCL_LIBDIR) $libdir
    set rc [catch {exec [dict get $tc tclsh] [file join $here tests torture.tcl] run {*}$rest >@ stdout 2>@ stderr}]
    exit $rc
}

proc usage {} {
    global here
    set f [open [file join $here build.tcl]]
    while {[gets $f line] >= 0 && [string match "#*" $line]} {
        if {[string match "#\t*" $line]} {puts [string range $line 2 end]}
    }
    close $f
}

set cmd [lindex $argv 0]
set rest [lrange $argv 1 end]
switch -- $cmd {
    setup { setup }
    install {
        set libdir ""
        set rdkafka ""
        foreach {opt value} $rest {
            switch -- $opt {
                -libdir { set libdir $value }
                -rdkafka { set rdkafka $value }
                default { puts stderr "install: unknown option \"$opt\": use -libdir DIR, -rdkafka PREFIX"; exit 1 }
            }
        }
        if {$libdir eq ""} {set libdir [defaultLibdir]}
        build $buildDir {} [toolchain {} $rdkafka]
        file mkdir $libdir
        file delete -force [file join $libdir kafka]
        file copy -force [file join $buildDir kafka] [file join $libdir kafka]
        puts "installed kafka into $libdir"
    }
    build { build }
    test { testCommand $rest }
    demo {
        if {[onDebian]} { setup 0 }
        build
        set env(KAFKATCL_LIBDIR) $buildDir
        set rc [catch {exec [info nameofexecutable] [file join $here examples demo.tcl] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    bench {
        if {[onDebian]} { setup 0 }
        build
        set i [lsearch -exact $rest -broker]
        if {($i < 0 || [lindex $rest $i+1] ne "mock") && ![info exists env(KAFKA_BROKERS)]} { setup }
        # The other clients, and gnuplot for the chart (a bench-only
        # dependency); without root, the bench skips those missing.
        set missing {}
        foreach {pkg program} {kcat kcat python3-confluent-kafka /usr/lib/python3/dist-packages/confluent_kafka time /usr/bin/time gnuplot-nox gnuplot} {
            if {![file exists $program] && [auto_execok $program] eq ""} { lappend missing $pkg }
        }
        # The scale table's consumer threads need Tcl's Thread package.
        if {[catch {package require Thread}]} { lappend missing tcl-thread }
        aptInstall $missing 1
        set env(KAFKATCL_LIBDIR) $buildDir
        set script bench.tcl
        if {[set i [lsearch -exact $rest -scale]] >= 0} {
            set script scale.tcl
            set rest [lreplace $rest $i $i]
        }
        set rc [catch {exec [info nameofexecutable] [file join $here bench $script] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    doc {
        setup 0
        set out [file join $here build doc]
        file mkdir $out
        exec dtplite -o [file join $out kafka.html] html [file join $here doc kafka.man] >@ stdout 2>@ stderr
        exec dtplite -o [file join $out kafka.n] nroff [file join $here doc kafka.man] >@ stdout 2>@ stderr
        # dtplite prints doctools' own warnings; groff (what man uses) also
        # warns of what renders badly in a terminal, e.g. a non-ASCII character.
        if {[auto_execok groff] ne ""} {
            set warnings [exec groff -man -Tutf8 -ww -z [file join $out kafka.n] 2>@1]
            if {$warnings ne ""} {
                puts stderr "groff warns about build/doc/kafka.n:\n$warnings"
                exit 1
            }
        }
        puts "manual written to $out"
    }
    fuzz { fuzz $rest }
    torture { torture $rest }
    help - "" { usage }
    default { puts stderr "unknown command \"$cmd\""; usage; exit 1 }
}
