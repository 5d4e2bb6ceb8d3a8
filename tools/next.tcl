# tools/next.tcl --
#
#	The "next" toolchain of `tclsh build.tcl test -next`: Tcl 9.0, critcl
#	3.3.1, Thread 3.0, tcllib 2.0 from Debian 13's source packages and
#	librdkafka 2.14.2 from Debian unstable's (with libcurl: OIDC), build
#	dependencies from the running Debian's own packages, into one prefix. Sourced by build.tcl; ::next::ensure builds
#	what is missing and returns the prefix. A second run starts at once.
#
#	KAFKATCL_NEXT (default <repo>/.cache/next) holds:
#	  apt/     a private apt state (deb-src lines for trixie and sid; the
#	           system's apt sources are not touched)
#	  dl/      the source tarballs and packages; where the archive serves
#	           neither source nor binary package of a component, a tarball
#	           named as in `components` (local pattern) put here is used
#	  src/     the unpacked sources and a build log per component
#	  stamp/   one file per component built, naming its tarball (delete it
#	           to rebuild that one; a stamp of a version no longer pinned in
#	           `components` rebuilds it too)
#	  prefix/  the toolchain: bin/tclsh9.0, bin/critcl, lib/librdkafka.so,
#	           lib/pkgconfig/rdkafka.pc, the Tcl packages

namespace eval ::next {
    variable root [file normalize [expr {[info exists ::env(KAFKATCL_NEXT)] && $::env(KAFKATCL_NEXT) ne ""
        ? $::env(KAFKATCL_NEXT) : [file join $::here .cache next]}]]
    variable prefix [file join $root prefix]
    # name, Debian source package, its versions in order of preference (a
    # mirror may serve only some), local tarball pattern, required.
    variable components {
        librdkafka librdkafka {2.14.2-1}                     {}                1
        tcl        tcl9.0     {9.0.4+dfsg-1 9.0.1+dfsg-2}    {}                1
        critcl     critcl     {3.3.1+dfsg-1}                 {}                1
        thread     tclthread3 {3.0.1-2 1:3.0.7-2}            thread-3.0*.tar.* 0
        tcllib     tcllib     {2.0+dfsg-4 2.0+dfsg-8}        tcllib-2.0*.tar.* 0
    }
    # Where the archive serves a component's binary package but not its
    # source (seen here: tcllib 2.0 and Thread 3.0 for Tcl 9), Debian 13's
    # package is unpacked instead: name -> {binary package, the glob of its
    # Tcl package directory}. Both need nothing newer than Debian 12's libc
    # (Thread's library: GLIBC_2.7; tcllib is pure Tcl).
    variable binaries {
        thread {tcl9.0-thread usr/lib/tcltk/*/thread3*}
        tcllib {tcllib        usr/share/tcltk/tcllib2*}
    }
    # Build dependencies, Debian 12 package names.
    variable builddeps {zlib1g-dev libtommath-dev libssl-dev libsasl2-dev
        libzstd-dev liblz4-dev libcurl4-openssl-dev}
    variable aptUpdated 0
}

# Builds every component not built yet; returns the prefix.
proc ::next::ensure {} {
    variable root
    variable prefix
    variable components
    variable binaries
    file mkdir {*}[lmap d {dl src stamp} {file join $root $d}]
    foreach {name pkg versions local required} $components {
        set stamp [file join $root stamp $name]
        if {[StampCurrent $stamp $pkg $versions]} continue
        set tarball [Fetch $pkg $versions]
        if {$tarball eq "" && [dict exists $binaries $name]} {
            if {[InstallBinary $name {*}[dict get $binaries $name]]} {
                Write $stamp "Debian 13 package [dict get $binaries $name]\n"
                continue
            }
        }
        if {$tarball eq "" && $local ne ""} {
            set tarball [lindex [lsort -decreasing [glob -nocomplain -directory [file join $root dl] $local]] 0]
        }
        if {$tarball eq ""} {
            if {$required} {
                puts stderr "next: no source of $pkg ($versions) from the Debian archive nor in [file join $root dl]"
                exit 1
            }
            puts "next: $pkg is not served by the archive and no $local is in [file join $root dl]: going on without $name"
            continue
        }
        BuildDeps
        puts "next: building $name from [file tail $tarball] ..."
        set dir [Unpack $name $tarball]
        Build-$name $dir [file join $root src $name.log]
        Write $stamp [file tail $tarball]\n
    }
    return $prefix
}

# Whether STAMP records a build of one of PKG's pinned VERSIONS: a stamp
# names the orig tarball built (so a cache built from 2.8.0 rebuilds
# librdkafka once the pin says 2.14.2), or a Debian 13 binary package
# (whose version the archive picks: not pinned).
proc ::next::StampCurrent {stamp pkg versions} {
    if {![file exists $stamp]} { return 0 }
    set f [open $stamp]
    set text [read $f]
    close $f
    if {[string match "Debian 13 package*" $text]} { return 1 }
    foreach v $versions {
        regsub {^[0-9]+:} $v {} v
        regsub -- {-[^-]*$} $v {} upstream
        if {[string first ${pkg}_$upstream.orig $text] >= 0} { return 1 }
    }
    return 0
}

# The source tarball of PKG: a Debian orig tarball of one of VERSIONS
# already in dl/, else downloaded; "" when the archive serves none.
proc ::next::Fetch {pkg versions} {
    variable root
    set dl [file join $root dl]
    for {set try 0} {$try < 2} {incr try} {
        foreach v $versions {
            regsub {^[0-9]+:} $v {} v
            regsub -- {-[^-]*$} $v {} upstream
            set found [glob -nocomplain -directory $dl ${pkg}_$upstream.orig.tar.*]
            if {[llength $found]} { return [lindex $found 0] }
        }
        if {$try} break
        foreach v $versions {
            # A mirror may lack the .dsc but serve the orig tarball: the
            # exit status says nothing, the glob above decides.
            catch {Apt $dl source --download-only $pkg=$v}
        }
    }
    return ""
}

# Downloads Debian 13's binary package PKG and copies its Tcl package
# directory (GLOB inside the package) into the prefix's lib; 0 when the
# archive does not serve it.
proc ::next::InstallBinary {name pkg glob} {
    variable root
    variable prefix
    set dl [file join $root dl]
    catch {Apt $dl download $pkg}
    set deb [lindex [lsort [glob -nocomplain -directory $dl ${pkg}_*.deb]] end]
    if {$deb eq ""} { return 0 }
    set dir [file join $root src $name]
    file delete -force $dir
    file mkdir $dir
    exec dpkg-deb -x $deb $dir
    set found [glob -nocomplain -directory $dir $glob]
    if {[llength $found] != 1} { return 0 }
    set dest [file join $prefix lib [file tail [lindex $found 0]]]
    file delete -force $dest
    file copy [lindex $found 0] $dest
    puts "next: $name from Debian 13's [file tail $deb] (the archive serves no source of it)"
    return 1
}

# Runs apt-get ARGS in DIR with the private sources list and state.
proc ::next::Apt {dir args} {
    variable root
    variable aptUpdated
    set apt [file join $root apt]
    file mkdir [file join $apt lists partial] [file join $apt cache archives partial] [file join $apt etc]
    set key /usr/share/keyrings/debian-archive-keyring.gpg
    set sources ""
    foreach suite {trixie sid} {
        append sources "deb-src \[signed-by=$key\] http://deb.debian.org/debian $suite main\n"
    }
    append sources "deb \[signed-by=$key\] http://deb.debian.org/debian trixie main\n"
    Write [file join $apt etc sources.list] $sources
    set opts [list -o Dir::Etc::SourceList=[file join $apt etc sources.list] \
                  -o Dir::Etc::SourceParts=/dev/null -o Dir::State::Lists=[file join $apt lists] \
                  -o Dir::Cache=[file join $apt cache] -o Dir::State::status=/dev/null]
    if {!$aptUpdated} {
        puts "next: apt-get update (private sources: Debian trixie and sid, deb-src)"
        exec apt-get {*}$opts -q update >@ stdout 2>@ stderr
        set aptUpdated 1
    }
    exec sh -c {cd "$0" && exec "$@"} $dir apt-get {*}$opts -q {*}$args >@ stdout 2>@ stderr
}

# Installs the build dependencies missing (as root, from the running
# Debian's archive), once per run.
proc ::next::BuildDeps {} {
    variable builddeps
    set missing {}
    foreach pkg $builddeps {
        if {[catch {exec dpkg-query -W -f {${Status}} $pkg} status] || ![string match "*ok installed" $status]} {
            lappend missing $pkg
        }
    }
    aptInstall $missing
    set builddeps {}
}

# Unpacks TARBALL into src/NAME (afresh) and returns that directory.
proc ::next::Unpack {name tarball} {
    variable root
    set dir [file join $root src $name]
    file delete -force $dir
    file mkdir $dir
    exec tar -xf $tarball -C $dir --strip-components=1
    return $dir
}

# Runs CMD in DIR, its output appended to LOG; on failure shows the end of
# LOG and stops.
proc ::next::Run {dir log args} {
    if {[catch {exec sh -c {cd "$0" && exec "$@"} $dir {*}$args >>& $log}]} {
        puts stderr [exec tail -n 30 $log]
        puts stderr "next: failed in $dir: $args (log: $log)"
        exit 1
    }
}

proc ::next::Tclsh {} {
    variable prefix
    return [lindex [lsort [glob -directory [file join $prefix bin] tclsh9.*]] end]
}

proc ::next::Build-librdkafka {dir log} {
    variable prefix
    Run $dir $log ./configure --prefix=$prefix --enable-ssl --enable-gssapi \
        --enable-zstd --enable-lz4-ext --enable-curl
    Run $dir $log make -j2 libs
    Run $dir $log make install
}

proc ::next::Build-tcl {dir log} {
    variable prefix
    Run [file join $dir unix] $log ./configure --prefix=$prefix
    Run [file join $dir unix] $log make -j2
    Run [file join $dir unix] $log make install
}

proc ::next::Build-critcl {dir log} {
    variable prefix
    Run $dir $log [Tclsh] build.tcl install --prefix $prefix
}

proc ::next::Build-thread {dir log} {
    variable prefix
    # A tarball made from the repository lacks tclconfig/ (the TEA files):
    # its Makefile only needs install-sh, which install(1) can stand in for.
    set sh [file join $dir tclconfig install-sh]
    if {![file exists $sh]} {
        file mkdir [file dirname $sh]
        Write $sh "#!/bin/sh\nexec install \"\$@\"\n"
        file attributes $sh -permissions 0755
    }
    Run $dir $log ./configure --prefix=$prefix --with-tcl=[file join $prefix lib]
    Run $dir $log make -j2
    Run $dir $log make install
}

proc ::next::Build-tcllib {dir log} {
    variable prefix
    Run $dir $log [Tclsh] installer.tcl -no-wait -no-gui -no-html -no-nroff \
        -no-examples -no-apps -pkg-path [file join $prefix lib tcllib2.0]
}

proc ::next::Write {file text} {
    set f [open $file w]
    puts -nonewline $f $text
    close $f
}
