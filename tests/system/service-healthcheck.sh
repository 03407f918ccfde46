#!/usr/bin/env bash
# Healthchecks kept by the monitor: `healthcheck run` by hand (exit 0/1, status printed),
# ps shows "(health: starting)", "(healthy)", "(unhealthy)"; inspect .State.Health keeps the
# last results; the timer turns a failing container unhealthy after --health-retries;
# --health-on-failure=restart restarts it, =kill ends it; --sdnotify=healthy sends READY after
# the first passing probe; bad values are refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# By hand, no timer (interval disabled).
sk run -d --name h1 --health-cmd 'test -e /tmp/ok' --health-interval disable --health-retries 2 "$img" sleep 100 >/dev/null
assert_match "$(ctr_status h1)" '^Up .* \(health: starting\)$'
assert_eq "$(sk inspect -f '{{.State.Health.Status}}' h1)" starting
run_split sk healthcheck run h1
assert_eq "$status" 1
assert_eq "$stdout" starting "one failure of two allowed"
assert_status 1 sk healthcheck run h1
assert_eq "$(sk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}}' h1)" "unhealthy 2"
assert_match "$(ctr_status h1)" '\(unhealthy\)$'
assert_success sk exec h1 touch /tmp/ok
run_split sk healthcheck run h1
assert_eq "$status" 0
assert_eq "$stdout" ""
assert_match "$(ctr_status h1)" '^Up .* \(healthy\)$'
assert_eq "$(sk inspect -f '{{.State.Health.Status}} {{.State.Health.FailingStreak}} {{len .State.Health.Log}}' h1)" "healthy 0 3"
assert_eq "$(sk inspect -f '{{(index .State.Health.Log 2).ExitCode}}' h1)" 0
assert_eq "$(sk inspect -f '{{.Config.Healthcheck.Test}}' h1)" "[CMD-SHELL test -e /tmp/ok]"
# Output is kept; a probe over its timeout fails with Docker's message.
sk run -d --name h2 --health-cmd '["sh", "-c", "echo probing; sleep 5"]' --health-timeout 1s \
  --health-interval disable "$img" sleep 100 >/dev/null
assert_status 1 sk healthcheck run h2
assert_contains "$(sk inspect -f '{{json .State.Health.Log}}' h2)" "Health check exceeded timeout (1s)"
assert_eq "$(sk inspect -f '{{.Config.Healthcheck.Test}}' h2)" "[CMD sh -c echo probing; sleep 5]"

# Errors.
sk run -d --name plain "$img" sleep 100 >/dev/null
assert_status 125 sk healthcheck run plain
assert_contains "$output" "has no defined healthcheck"
assert_status 125 sk run --health-interval 1s "$img" true
assert_contains "$output" "need a --health-cmd"
assert_status 125 sk run --health-cmd true --health-on-failure sometimes "$img" true
assert_contains "$output" "none, kill, restart or stop"
assert_status 125 sk run --health-cmd true --no-healthcheck "$img" true
assert_status 125 sk run --sdnotify healthy "$img" true
assert_contains "$output" "needs a healthcheck"
assert_match "$(ctr_status plain)" '^Up [^(]*$' "no health part without a healthcheck"

# The monitor's timer: unhealthy after 2 failures, then --health-on-failure=restart.
sk run -d --name h3 --health-cmd 'test -e /tmp/ok' --health-interval 1s --health-retries 2 \
  --health-on-failure restart "$img" sleep 100 >/dev/null
wait_until 20 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' inspect -f '{{.RestartCount}}' h3 | grep -qx 1"
assert_match "$(ctr_status h3)" '^Up '
# A passing container stays healthy under the timer.
sk run -d --name h4 --health-cmd 'true' --health-interval 1s "$img" sleep 100 >/dev/null
wait_until 10 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps --format '{{.Status}}' -f name=h4 | grep -q '(healthy)'"
# =kill: the container ends (137) and is not restarted.
sk run -d --name h5 --restart always --health-cmd false --health-interval 1s --health-retries 1 \
  --health-on-failure kill "$img" sleep 100 >/dev/null
assert_eq "$(sk wait h5)" 137
assert_eq "$(sk inspect -f '{{.State.Status}} {{.RestartCount}}' h5)" "exited 0"

# --sdnotify=healthy: MAINPID at once, READY after the first passing probe.
tool=$SKIFF_TOOLS/sdnotify
if [ -x "$tool" ]; then
  "$tool" listen "$T/h.sock" >"$T/h.log" &
  wait_until 5 test -S "$T/h.sock"
  NOTIFY_SOCKET=$T/h.sock sk run -d --sdnotify healthy --name h6 --health-cmd 'test -e /tmp/ok' \
    --health-interval 1s "$img" sh -c 'sleep 2; touch /tmp/ok; sleep 100' >/dev/null
  wait_until 5 grep -q MAINPID "$T/h.log"
  assert_not_contains "$(cat "$T/h.log")" READY
  wait_until 15 grep -q READY=1 "$T/h.log"
  assert_contains "$(cat "$T/h.log")" "$(ctr_monitor_pid h6) READY=1"
fi
