#!/usr/bin/env bash
# run --timeout SECS (Podman's): the container is killed that long after it starts; `run` exits
# 255 and the recorded exit code is -1 (conmon's); a container that ends first is untouched;
# inspect shows Config.Timeout. A bad value is refused (125).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

t0=$SECONDS
run_split sk run --name timed --timeout 2 "$img" sleep 60
t1=$SECONDS
assert_eq "$status" 255 "run --timeout: exit status ($stderr)"
[ $((t1 - t0)) -ge 2 ] || fail "killed too early ($((t1 - t0))s)"
[ $((t1 - t0)) -lt 30 ] || fail "not killed in time ($((t1 - t0))s)"
assert_eq "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.Config.Timeout}}' timed)" "exited -1 2"
# Ends before the timeout: its own exit code.
assert_status 3 sk run --rm --timeout 30 "$img" sh -c 'exit 3'
# Detached: the timeout applies all the same.
cid=$(sk run -d --timeout 1 "$img" sleep 60)
run_split sk wait "$cid"
assert_eq "$stdout" "-1" "wait after a timeout"
# No timeout: no Config.Timeout.
id=$(sk create "$img" true)
assert_eq "$(sk inspect -f '{{json .Config}}' "$id" | grep -c '"Timeout"' || true)" 0
assert_status 125 sk run --rm --timeout soon "$img" true
assert_contains "$output" "timeout"
