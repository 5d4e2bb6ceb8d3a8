#!/bin/sh
# reap.sh PARENT_PID DIR
#
# Removes the test cluster's run directory DIR (tests/broker.tcl,
# ::kafkatest::cluster) once the tclsh PARENT_PID is gone, however it
# ended.  Each node's run-broker.sh kills its own JVM within a second of
# that; a node that was down at the time (killed by a test, not yet
# restarted) has no wrapper left, and its data would stay behind without
# this.  Exits at once if DIR disappears first (a clean stop).

parent=$1
dir=$2

while kill -0 "$parent" 2>/dev/null; do
    [ -d "$dir" ] || exit 0
    sleep 1
done
[ -d "$dir" ] || exit 0

# Give the wrappers 15 s to stop their JVMs, then KILL what is left.
n=0
while [ $n -lt 15 ]; do
    alive=
    for f in "$dir"/*/java.pid; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && alive=1
    done
    [ -z "$alive" ] && break
    sleep 1
    n=$((n + 1))
done
for f in "$dir"/*/java.pid; do
    [ -f "$f" ] || continue
    pid=$(cat "$f" 2>/dev/null)
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
done
rm -rf "$dir"
