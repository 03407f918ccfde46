#!/usr/bin/env bash
# Completion of running and stopped containers (stop/start) reads the run root's index of running
# containers (<run root>/running/<id12>, kept by the monitors; util/running_index.hpp) instead of
# testing every container's run directory: a container is in it while its monitor runs it, leaves
# it when it exits for good and when it is removed (a monitor killed with -9 too), and the lists
# stay right through all of that.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

comp() { sk __complete "$@" 2>/dev/null | grep -v '^:' | LC_ALL=C sort | paste -sd' '; }
sk create --name created "$img" true >/dev/null
sk run --name exited "$img" true
sk run -d --name live "$img" sleep 300 >/dev/null
sk run -d --name doomed "$img" sleep 300 >/dev/null
idx=$SKIFF_RUNROOT/running
live=$(ctr_id live)
assert_file "$idx/${live:0:12}"
assert_eq "$(ls "$idx" | wc -l)" 2 "two running containers in the index"
assert_eq "$(comp stop '')" "doomed live" "stop completes running containers"
assert_eq "$(comp start '')" "created exited" "start completes the others"
assert_eq "$(comp rm '')" "created doomed exited live" "rm completes all"

sk stop -t 1 live >/dev/null
assert_no_file "$idx/${live:0:12}"
assert_eq "$(comp stop '')" "doomed"
assert_eq "$(comp start '')" "created exited live"

# A monitor killed with -9 leaves its entry (the container still looks running to everyone); rm
# removes it.
doomed=$(ctr_id doomed)
kill -9 "$(ctr_monitor_pid doomed)"
sk rm -f doomed >/dev/null
assert_no_file "$idx/${doomed:0:12}"
assert_eq "$(comp stop '')" "" "nothing running"
