# kafka.tcl --
#
#	The critcl file of the `kafka` package: a Tcl interface to Apache Kafka
#	through librdkafka. This file only declares; the C++ lives in cxx/ (one
#	header+source per object kind) and Tcl-level procs in tcl/.
#
# Copyright (c) 2026 the KafkaTcl authors. BSD licensed, see LICENSE.

package require Tcl 8.6-
package require critcl 3.1

if {![critcl::compiling]} {
    error "kafka: cannot build, no C++ compiler found (critcl::compiling is false)"
}

# # ## ### ##### ######## ############# #####################
## Administrivia

critcl::license {KafkaTcl authors} {BSD licensed}
critcl::summary {Tcl interface to Apache Kafka, built on librdkafka.}
critcl::description {
    Produce to and consume from Apache Kafka from Tcl: masters hold
    configuration, handles (producer or consumer) connect to the cluster,
    topic objects produce and consume, queues gather partitions.
}
critcl::subject kafka {message queue} librdkafka

# # ## ### ##### ######## ############# #####################
## Configuration

# Build for the Tcl that runs critcl: 8.6, or 9.0 with critcl 3.3 or later.
critcl::tcl [expr {[package vsatisfies [info tclversion] 9] ? 9.0 : 8.6}]
critcl::config language c++
critcl::cflags -std=c++17 -O2 -Wall -Wno-unused-function
# librdkafka's flags (build.tcl sets them from pkg-config or -rdkafka PREFIX).
if {[info exists ::env(KAFKATCL_CFLAGS)]} {critcl::cflags {*}$::env(KAFKATCL_CFLAGS)}
critcl::clibraries {*}[expr {[info exists ::env(KAFKATCL_LDFLAGS)] && $::env(KAFKATCL_LDFLAGS) ne ""
    ? $::env(KAFKATCL_LDFLAGS) : "-lrdkafka"}] -lstdc++
# Avro C (Debian: libavro-dev), for the Avro serde (cxx/avroserde.cpp).
critcl::clibraries -lavro
critcl::cheaders -I[file join [file dirname [info script]] cxx] cxx/*.h
critcl::csources cxx/*.cpp

# Sanitizer builds (`tclsh build.tcl test -asan` sets this to
# address,undefined and builds into build/asan).
if {[info exists ::env(KAFKATCL_SANITIZE)] && $::env(KAFKATCL_SANITIZE) ne ""} {
    critcl::cflags -fsanitize=$::env(KAFKATCL_SANITIZE) -fno-omit-frame-pointer -g
    critcl::clibraries -fsanitize=$::env(KAFKATCL_SANITIZE)
}
critcl::tsources tcl/easy.tcl tcl/subscriber.tcl tcl/registry.tcl tcl/jsonschema.tcl tcl/serde.tcl

# # ## ### ##### ######## ############# #####################
## Glue: the package's C commands.

critcl::ccode {
#include "master.h"
#include "mock.h"
#include "avroserde.h"
}

critcl::ccommand ::kafka::kafka {cd interp objc objv} {
    return kafkatcl::KafkaCmd(cd, interp, objc, objv);
}

critcl::ccommand ::kafka::mock {cd interp objc objv} {
    return kafkatcl::MockCmd(cd, interp, objc, objv);
}

critcl::ccommand ::kafka::avro {cd interp objc objv} {
    return kafkatcl::AvroCmd(cd, interp, objc, objv);
}

# # ## ### ##### ######## ############# #####################

package provide kafka 1.0.0
