#!/usr/bin/env bash
# `start -a` (and an attached `run`) of a container with a restart policy returns after the
# first exit with its code, as Docker; the monitor goes on restarting it per the policy.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sk create --name rs --restart on-failure:3 "$img" sh -c 'echo run; sleep 1; exit 3' >/dev/null
t0=$(date +%s%N)
run_split sk start -a rs
t1=$(date +%s%N)
assert_eq "$status" 3 "start -a returns the first exit code"
assert_eq "$stdout" "run" "one run's output"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 2800 ] || fail "start -a took ${ms} ms: it followed the restarts"
# The policy goes on: three restarts, then Exited (3).
wait_until 30 sh -c "[ \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' inspect -f '{{.RestartCount}} {{.State.Status}}' rs)\" = '3 exited' ]"
assert_match "$(ctr_status rs)" '^Exited \(3\)'
assert_eq "$(sk logs rs | grep -c run)" 4

# run (attached) returns after the first exit too.
t0=$(date +%s%N)
run_split sk run --name rr --restart always "$img" sh -c 'echo once; sleep 1; exit 5'
t1=$(date +%s%N)
assert_eq "$status" 5
assert_eq "$stdout" "once"
ms=$(((t1 - t0) / 1000000))
[ "$ms" -lt 2800 ] || fail "run took ${ms} ms: it followed the restarts"
wait_until 10 sh -c "[ \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' inspect -f '{{.RestartCount}}' rr)\" -ge 1 ]"
# start -a of a container that is already restarting attaches to its next run.
run_split sk start -a rr
assert_eq "$status" 5
assert_success sk rm -f rr
