#!/usr/bin/env bash
# kill -9 of a container's monitor: while it waits for the CLI's "go", while the container
# runs (with and without --rm, with a restart policy), and while a stop is in progress. The
# container process dies with its monitor; `ps -a` shows it exited (never Up), and it can be
# started again and removed. A monitor holds no lock a CLI could wait on forever.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd strace
img=$(busybox_image)

ctr_pid() { sk inspect -f '{{.State.Pid}}' "$1"; }
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
has_monitor() { [ -n "$(ctr_monitor_pid "$1")" ]; }

# Running: the container dies with the monitor; ps says Exited (255), never Up.
sk run -d --name m1 "$img" sleep 1000 >/dev/null
pid=$(ctr_pid m1)
mon=$(ctr_monitor_pid m1)
kill -9 "$mon"
wait_until 5 gone "$pid"
assert_match "$(ctr_status m1)" '^Exited \(255\)'
assert_eq "$(sk inspect -f '{{.State.Status}} {{.State.Running}} {{.State.Pid}}' m1)" "exited false 0"
assert_contains "$(sk inspect -f '{{.State.Error}}' m1)" "monitor"
assert_eq "$(sk ps -q --filter name=m1)" "" "not listed as running"
assert_status 125 sk exec m1 true
assert_success sk start m1
assert_match "$(ctr_status m1)" '^Up '
assert_success sk rm -f m1

# While the monitor waits for "go" (strace holds the CLI's sendto): start fails, the
# container is still Created, and can be started and removed.
sk create --name m2 "$img" sleep 1000 >/dev/null
strace -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=2000000:when=1 \
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" start m2 >"$T/start.out" 2>&1 &
starter=$!
wait_until 5 has_monitor m2
wait_until 5 grep -q '"startedAt":0' "$(ctr_rundir m2)/monitor.json"
kill -9 "$(ctr_monitor_pid m2)"
rc=0
wait "$starter" || rc=$?
assert_ne "$rc" 0 "start whose monitor was killed: $(cat "$T/start.out")"
assert_eq "$(ctr_status m2)" Created
assert_success sk start m2
assert_match "$(ctr_status m2)" '^Up '
assert_success sk rm -f m2

# During a stop: the stop returns, the container is gone and shows exited.
sk run -d --name m3 "$img" sleep 1000 >/dev/null
pid=$(ctr_pid m3)
sk stop -t 30 m3 >"$T/stop.out" 2>&1 &
stopper=$!
sleep 0.3
kill -9 "$(ctr_monitor_pid m3)"
rc=0
wait "$stopper" || rc=$?
assert_eq "$rc" 0 "stop whose monitor was killed: $(cat "$T/stop.out")"
wait_until 5 gone "$pid"
assert_match "$(ctr_status m3)" '^Exited '
assert_success sk rm m3

# --rm: the monitor that would remove it is gone; the container stays, exited, removable.
sk run -d --rm --name m4 "$img" sleep 1000 >/dev/null
kill -9 "$(ctr_monitor_pid m4)"
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -a --format '{{.Names}} {{.State}}' | grep -qx 'm4 exited'"
assert_success sk rm m4

# A restart policy needs its monitor: killed, the container is exited and stays so.
sk run -d --name m5 --restart always "$img" sleep 1000 >/dev/null
pid=$(ctr_pid m5)
kill -9 "$(ctr_monitor_pid m5)"
wait_until 5 gone "$pid"
sleep 0.3
assert_match "$(ctr_status m5)" '^Exited \(255\)'
assert_success sk start m5
assert_match "$(ctr_status m5)" '^Up '

# Exec sessions: killing an exec's monitor ends that process, not the container.
sk exec -d m5 sleep 999
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec m5 ps -o args | grep -q '^sleep 999'"
for f in "$(ctr_rundir m5)"/e-*/monitor.json; do
  kill -9 "$(sed -n 's/.*"monitorPid":\([0-9]*\).*/\1/p' "$f")" 2>/dev/null || true
done
wait_until 5 sh -c "! '$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec m5 ps -o args | grep -q '^sleep 999'"
assert_match "$(ctr_status m5)" '^Up '
assert_success sk rm -f m5
assert_eq "$(sk ps -aq)" ""
