#!/usr/bin/env tclsh
# build.tcl -- build, install, test and demo the kafka package.
#
#	tclsh build.tcl help            this message
#	tclsh build.tcl setup           install missing Debian packages (root) or name them
#	tclsh build.tcl install ?-libdir DIR?   build and install (default: Tcl's package path)
#	tclsh build.tcl test ?-quick? ?tcltest options?   build and run the test suite
#	tclsh build.tcl demo            build and run examples/demo.tcl on the mock cluster
#	tclsh build.tcl doc             render doc/kafka.man to build/doc (HTML and nroff)
#	tclsh build.tcl bench ?-broker real|mock? ?-count N? ?-size B? ?-quick? ?-rss?
#	                                compare with kcat, confluent-kafka-python, raw librdkafka

set here [file dirname [file normalize [info script]]]
set buildDir [file join $here build lib]

# Debian packages the project needs.
set requirements {librdkafka-dev tcl8.6-dev critcl tcllib tcl-thread}
# Programs the real-broker tests need, and the Debian package of each.
set programs {java default-jre-headless mvn maven}

proc missingPackages {} {
    global requirements programs
    set missing {}
    foreach pkg $requirements {
        if {[catch {exec dpkg-query -W -f {${Status}} $pkg} status] || ![string match "*ok installed" $status]} {
            lappend missing $pkg
        }
    }
    foreach {program pkg} $programs {
        if {[auto_execok $program] eq ""} { lappend missing $pkg }
    }
    return $missing
}

# Installs what is missing (as root on Debian) or names it and stops.
proc setup {} {
    set missing [missingPackages]
    if {![llength $missing]} return
    if {[exec id -u] != 0 || [auto_execok apt-get] eq ""} {
        puts stderr "kafka: missing Debian packages: $missing"
        puts stderr "install them with: apt-get install $missing"
        exit 1
    }
    puts "installing Debian packages: $missing"
    exec apt-get update -q >@ stdout 2>@ stderr
    exec env DEBIAN_FRONTEND=noninteractive apt-get install -y -q {*}$missing >@ stdout 2>@ stderr
}

# Builds the package into $buildDir (or DIR) with critcl; quiet when up to date.
proc build {{libdir {}}} {
    global here buildDir
    setup
    if {$libdir eq ""} {set libdir $buildDir}
    file mkdir $libdir
    set sources [list [file join $here kafka.tcl] {*}[glob [file join $here cxx *]] {*}[glob [file join $here tcl *.tcl]]]
    set stamp [file join $libdir kafka pkgIndex.tcl]
    if {[file exists $stamp]} {
        set newest 0
        foreach f $sources { set newest [expr {max($newest, [file mtime $f])}] }
        if {[file mtime $stamp] >= $newest} return
    }
    set cache [file join $here build critcl-cache]
    puts "building kafka package into $libdir ..."
    exec critcl -cache $cache -force -libdir $libdir -pkg kafka [file join $here kafka.tcl] >@ stdout 2>@ stderr
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
        build
        set env(KAFKATCL_LIBDIR) $buildDir
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
        foreach {pkg program} {kcat kcat python3-confluent-kafka /usr/lib/python3/dist-packages/confluent_kafka time /usr/bin/time} {
            if {![file exists $program] && [auto_execok $program] eq "" && [exec id -u] == 0} {
                exec env DEBIAN_FRONTEND=noninteractive apt-get install -y -q $pkg >@ stdout 2>@ stderr
            }
        }
        set env(KAFKATCL_LIBDIR) $buildDir
        set rc [catch {exec [info nameofexecutable] [file join $here bench bench.tcl] {*}$rest >@ stdout 2>@ stderr}]
        exit $rc
    }
    doc {
        setup
        set out [file join $here build doc]
        file mkdir $out
        exec dtplite -o [file join $out kafka.html] html [file join $here doc kafka.man] >@ stdout 2>@ stderr
        exec dtplite -o [file join $out kafka.n] nroff [file join $here doc kafka.man] >@ stdout 2>@ stderr
        puts "manual written to $out"
    }
    help - "" { usage }
    default { puts stderr "unknown command \"$cmd\""; usage; exit 1 }
}
