#!/usr/bin/env bash
# stop, kill, wait, restart and top: the stop signal (SIGTERM, --stop-signal, the image's
# StopSignal from the config fixture), SIGKILL after the timeout (-t, --stop-timeout), kill -s
# by name or number, wait's exit codes, restart, and top's processes.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
cfg=$(fixture_ref config)
sk pull -q "$cfg" >/dev/null
logs_have() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" logs "$1" 2>&1 | grep -q "$2"; }
trap_loop() { echo "trap 'echo got-$1; exit $2' $1; echo ready; while :; do sleep 0.05; done"; }

# SIGTERM with a handler: the container's own exit code, at once.
sk run -d --name s1 "$img" sh -c "$(trap_loop TERM 5)" >/dev/null
wait_until 5 logs_have s1 ready
t0=$EPOCHREALTIME
run_split sk stop s1
assert_eq "$status:$stdout" "0:s1"
assert_eq "$(awk "BEGIN {print ($EPOCHREALTIME - $t0) < 3}")" 1 "stop with a TERM handler is quick"
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' s1)" 5
assert_contains "$(sk logs s1)" got-TERM
assert_success sk stop s1  # already stopped: fine

# pid 1 without a handler ignores SIGTERM: SIGKILL after -t.
sk run -d --name s2 "$img" sleep 1000 >/dev/null
t0=$EPOCHREALTIME
assert_success sk stop -t 1 s2
el=$(awk "BEGIN {print $EPOCHREALTIME - $t0}")
assert_eq "$(awk "BEGIN {print ($el >= 0.9 && $el < 5)}")" 1 "stop -t 1 took ${el}s"
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' s2)" 137

# --stop-signal and --stop-timeout.
sk run -d --name s3 --stop-signal USR1 --stop-timeout 1 "$img" sh -c "trap 'echo got-USR1' USR1; echo ready; while :; do sleep 0.05; done" >/dev/null
wait_until 5 logs_have s3 ready
assert_eq "$(sk inspect -f '{{.Config.StopSignal}} {{.Config.StopTimeout}}' s3)" "USR1 1"
t0=$EPOCHREALTIME
assert_success sk stop s3
assert_eq "$(awk "BEGIN {print (($EPOCHREALTIME - $t0) >= 0.9)}")" 1 "--stop-timeout 1 waited"
assert_contains "$(sk logs s3)" got-USR1
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' s3)" 137

# The image's StopSignal (config fixture: SIGINT).
sk run -d --name s4 --entrypoint sh "$cfg" -c "$(trap_loop INT 9)" >/dev/null
wait_until 5 logs_have s4 ready
assert_eq "$(sk inspect -f '{{.Config.StopSignal}}' s4)" SIGINT
assert_success sk stop s4
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' s4)" 9
assert_contains "$(sk logs s4)" got-INT

# --init forwards the stop signal to the payload: 143 for SIGTERM.
sk run -d --name s5 --init "$img" sleep 1000 >/dev/null
assert_success sk stop -t 5 s5
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' s5)" 143

# kill -s by name (with or without SIG), by number; KILL by default; bad signal.
sk run -d --name k1 "$img" sh -c "trap 'echo usr1' USR1; trap 'echo usr2' USR2; trap 'echo hup; exit 3' HUP; echo ready; while :; do sleep 0.05; done" >/dev/null
wait_until 5 logs_have k1 ready
assert_success sk kill -s USR1 k1
wait_until 5 logs_have k1 usr1
assert_success sk kill -s SIGUSR2 k1
wait_until 5 logs_have k1 usr2
assert_success sk kill --signal 1 k1
run_split sk wait k1
assert_eq "$stdout" 3
assert_status 125 sk kill -s NOSUCHSIG k1
assert_contains "$output" "invalid signal"
sk run -d --name k2 "$img" sleep 1000 >/dev/null
assert_success sk kill k2
run_split sk wait k2
assert_eq "$stdout" 137

# wait on several containers prints each code; on a stopped one returns at once.
sk run -d --name w1 "$img" sh -c 'sleep 0.3; exit 11' >/dev/null
sk run -d --name w2 "$img" sh -c 'exit 12' >/dev/null
run_split sk wait w1 w2
assert_eq "$stdout" $'11\n12'
assert_status 125 sk wait nosuchcontainer
assert_contains "$output" "No such container: nosuchcontainer"

# restart: a stopped one starts, a running one is stopped and started again.
assert_success sk restart w2
assert_eq "$(sk wait w2)" 12
sk run -d --name r1 "$img" sleep 1000 >/dev/null
started1=$(sk inspect -f '{{.State.StartedAt}}' r1)
assert_success sk restart -t 0 r1
assert_match "$(ctr_status r1)" '^Up '
assert_ne "$(sk inspect -f '{{.State.StartedAt}}' r1)" "$started1" "restart starts it anew"

# top: ps's columns and the container's processes.
run_split sk top r1
assert_match "$stdout" '^UID +PID +PPID +C +STIME +TTY +TIME +CMD'
assert_contains "$stdout" "sleep 1000"
assert_status 125 sk top w1
