#!/bin/sh
# run-broker.sh PARENT_PID RUN_DIR JAVA_ARG...
#
# Dead-man switch for the test broker started by tests/broker.tcl: runs
# `java JAVA_ARG...` in the background, writes its pid to RUN_DIR/java.pid
# and makes sure the JVM never outlives the tclsh (PARENT_PID):
#
#   - PARENT_PID gone (polled once a second): KILL java, rm -rf RUN_DIR.
#   - TERM/INT/HUP to this script: TERM java (KILL after 10 s), rm -rf RUN_DIR.
#   - java exits on its own (broker::stop, broker::kill9, crash): exit with
#     its status and leave RUN_DIR alone, so the broker can be restarted on
#     the same data; broker.tcl deletes RUN_DIR itself in `stop`.
#
# Output of java goes wherever this script's stdout/stderr go.

parent=$1
dir=$2
shift 2

java "$@" &
jpid=$!
echo "$jpid" >"$dir/java.pid.tmp" && mv -f "$dir/java.pid.tmp" "$dir/java.pid"

# Watcher: signal USR1 to us when the parent is gone.
(
    while kill -0 "$parent" 2>/dev/null; do sleep 1; done
    kill -USR1 $$ 2>/dev/null
) &
watcher=$!

# cleanup GRACE: stop java (TERM, then KILL after GRACE s; 0 = KILL at
# once), reap it, remove the run dir and exit.
cleanup() {
    trap '' TERM INT HUP USR1
    kill "$watcher" 2>/dev/null
    killer=
    if [ "$1" -gt 0 ]; then
        kill -TERM "$jpid" 2>/dev/null
        # Background timer; when cancelled it KILLs its sleep (which
        # inherited the ignored TERM from the trap above).
        (
            sleep "$1" & s=$!
            trap 'kill -KILL $s 2>/dev/null; exit 0' TERM
            wait $s
            kill -KILL "$jpid" 2>/dev/null
        ) &
        killer=$!
    else
        kill -KILL "$jpid" 2>/dev/null
    fi
    wait "$jpid"
    [ -n "$killer" ] && kill "$killer" 2>/dev/null
    rm -rf "$dir"
    exit 0
}
trap 'cleanup 10' TERM INT HUP
trap 'cleanup 0' USR1

# A trapped signal interrupts this wait and runs cleanup, which exits.
wait "$jpid"
status=$?
kill "$watcher" 2>/dev/null
exit $status
