#!/usr/bin/env tclsh
# build.tcl -- build, install, test and demo the kafka package.
#
#	tclsh build.tcl help            this message
#	tclsh build.tcl setup           install missing Debian packages (root) or name them
#	tclsh build.tcl install ?-libdir DIR?   build and install (default: Tcl's package path)
#	tclsh build.tcl test ?-quick? ?-asan|-valgrind? ?tcltest options?   build and run the test suite
#	                                (-asan: AddressSanitizer+UBSan build in build/asan;
#	                                 -valgrind: every test process under valgrind memcheck)
#	tclsh build.tcl demo            build and run examples/demo.tcl on the mock cluster
#	tclsh build.tcl doc             render doc/kafka.man to build/doc (HTML and nroff)
#	tclsh build.tcl bench ?-broker real|mock? ?-count N? ?-size B? ?-quick? ?-rss?
#	                                compare with kcat, confluent-kafka-python, raw librdkafka
#	tclsh build.tcl fuzz ?-time SECONDS? ?-max_len N? ?file ...?
#	                                build fuzz/fuzz_commands.cpp (libFuzzer, ASan+UBSan) in
#	                                build/fuzz and run it SECONDS (60); with files, rerun them

set here [file dirname [file normalize [info script]]]
set buildDir [file join $here build lib]

# Debian packages the project needs.
set requirements {librdkafka-dev tcl8.6-dev critcl tcllib tcl-thread}
# Programs the real-broker tests need, and the Debian package of each.
set programs {java default-jre-headless mvn maven}

# withBroker: also what a real broker started by the tests needs (Java, Maven).
proc missingPackages {{withBroker 1}} {
    global requirements programs
    set missing {}
    foreach pkg $requirements {
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

# Builds the package into $buildDir (or DIR) with critcl; quiet when up to date.
# SANITIZE (e.g. address,undefined) builds an instrumented package, see kafka.tcl.
proc build {{libdir {}} {sanitize {}}} {
    global here buildDir env
    setup 0
    if {$libdir eq ""} {set libdir $buildDir}
    file mkdir $libdir
    set sources [list [file join $here kafka.tcl] {*}[glob [file join $here cxx *]] {*}[glob [file join $here tcl *.tcl]]]
    set stamp [file join $libdir kafka pkgIndex.tcl]
    if {[file exists $stamp]} {
        set newest 0
        foreach f $sources { set newest [expr {max($newest, [file mtime $f])}] }
        if {[file mtime $stamp] >= $newest} return
    }
    set cache [file join $here build critcl-cache[expr {$sanitize eq "" ? "" : "-sanitize"}]]
    puts "building kafka package into $libdir ..."
    set env(KAFKATCL_SANITIZE) $sanitize
    exec critcl -cache $cache -force -libdir $libdir -pkg kafka [file join $here kafka.tcl] >@ stdout 2>@ stderr
    unset env(KAFKATCL_SANITIZE)
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
                {*}$sources -ltcl8.6 -lrdkafka -o $binary >@ stdout 2>@ stderr
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
        set libdir [expr {[lindex $rest 0] eq "-libdir" ? [lindex $rest 1] : [defaultLibdir]}]
        build
        file mkdir $libdir
        file delete -force [file join $libdir kafka]
        file copy -force [file join $buildDir kafka] [file join $libdir kafka]
        puts "installed kafka into $libdir"
    }
    build { build }
    test {
        # -asan: AddressSanitizer+UBSan build; -valgrind: memcheck. all.tcl
        # runs the test processes (not the broker's JVM) under the checker.
        set checker ""
        foreach opt {-asan -valgrind} {
            set i [lsearch -exact $rest $opt]
            if {$i >= 0} {
                set rest [lreplace $rest $i $i]
                set checker [string range $opt 1 end]
            }
        }
        if {$checker eq "asan"} {
            set libdir [file join $here build asan]
            build $libdir address,undefined
        } else {
            set libdir $buildDir
            build
        }
        # The tests start a broker unless in the quick tier or given one.
        if {"-quick" ni $rest && ![info exists env(KAFKA_BROKERS)]} { setup }
        if {$checker eq "valgrind" && [auto_execok valgrind] eq ""} { aptInstall valgrind }
        if {$checker ne ""} {
            set env(KAFKATEST_CHECKER) $checker
            set env(KAFKATEST_CHECKER_PREFIX) [checkerPrefix $checker]
        }
        set env(KAFKATCL_LIBDIR) $libdir
        set rc [catch {exec [info nameofexecutable] [file join $here tests all.tcl] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    demo {
        build
        set env(KAFKATCL_LIBDIR) $buildDir
        set rc [catch {exec [info nameofexecutable] [file join $here examples demo.tcl] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    bench {
        build
        set i [lsearch -exact $rest -broker]
        if {($i < 0 || [lindex $rest $i+1] ne "mock") && ![info exists env(KAFKA_BROKERS)]} { setup }
        # The other clients; without root, the bench skips those missing.
        set missing {}
        foreach {pkg program} {kcat kcat python3-confluent-kafka /usr/lib/python3/dist-packages/confluent_kafka time /usr/bin/time} {
            if {![file exists $program] && [auto_execok $program] eq ""} { lappend missing $pkg }
        }
        aptInstall $missing 1
        set env(KAFKATCL_LIBDIR) $buildDir
        set rc [catch {exec [info nameofexecutable] [file join $here bench bench.tcl] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    doc {
        setup 0
        set out [file join $here build doc]
        file mkdir $out
        exec dtplite -o [file join $out kafka.html] html [file join $here doc kafka.man] >@ stdout 2>@ stderr
        exec dtplite -o [file join $out kafka.n] nroff [file join $here doc kafka.man] >@ stdout 2>@ stderr
        puts "manual written to $out"
    }
    fuzz { fuzz $rest }
    help - "" { usage }
    default { puts stderr "unknown command \"$cmd\""; usage; exit 1 }
}
