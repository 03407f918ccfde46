#!/usr/bin/env bash
# kill -9 of `pod create` and `pod rm` at each of their first writes (strace kills the CLI on
# entering its Nth renameat, before it runs): afterwards a pod either exists with its infra
# container or not at all, its name can be used again, the next pod command sweeps an infra
# container of no pod, and nothing is left once everything is removed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd strace
img=$(busybox_image)

killed_at() {
  local sc=$1 n=$2 rc=0
  shift 2
  _lib_trace "skiff $* (killed at $sc #$n)"
  strace -f -o /dev/null -e trace="$sc" -e inject="$sc:error=EIO:signal=SIGKILL:when=$n" \
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@" >"$T/killed.out" 2>&1 || rc=$?
  [ "$rc" = 137 ] || fail "skiff $* was not killed at $sc #$n (status $rc): $(cat "$T/killed.out")"
}
# Every pod has its infra container; every infra container (after a sweep) has its pod.
consistent() {  # WHAT
  local pods infras
  run_split sk pod ps --format '{{.Name}} {{.InfraID}} {{.NumberOfContainers}}'
  assert_eq "$status:$stderr" "0:" "pod ps after a crash ($1)"
  local name infra count
  while read -r name infra count; do
    [ -n "$name" ] || continue
    assert_eq "$(sk ps -a --no-trunc --format '{{.ID}}' --filter "pod=$name" | grep -c "^$infra")" 1 "$name has its infra ($1)"
  done <<<"$stdout"
  pods=$(sk pod ps -q | wc -l)
  infras=$(sk ps -a --format '{{.Names}}' | grep -c -- '-infra$' || true)
  assert_eq "$infras" "$pods" "one infra container per pod ($1)"
}

for n in 1 2 3; do
  killed_at renameat "$n" pod create --name "c$n"
  sk pod ps >/dev/null  # reading never sweeps
  assert_success sk pod create --replace --name "c$n"  # the next writer sweeps
  consistent "create killed at renameat #$n"
done

assert_success sk run -d --pod c1 --name m1 "$img" sleep 1000
for n in 1 2 3 4 5 6; do
  killed_at renameat "$n" pod rm -f -t 0 c1
  assert_success sk pod create --name "probe$n"  # the next writer sweeps
  consistent "rm killed at renameat #$n"
  assert_success sk pod rm "probe$n"
  sk pod exists c1 || break
done
assert_success sk pod rm -f -t 0 --all
assert_success sk pod create --name sweep  # sweeps what the killed rm left
assert_success sk pod rm sweep
assert_eq "$(sk ps -aq | wc -l)" 0 "no container left"
assert_eq "$(ls -A "$SKIFF_ROOT/pods")" "" "no pod directory left"
