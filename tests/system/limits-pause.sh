#!/usr/bin/env bash
# pause freezes a counting container (the counter stands still), ps shows "(Paused)", inspect
# State.Status paused, exec is refused; unpause resumes it; stop and rm -f of a paused container
# work. Rootless here (no cgroup of its own): pause is refused clearly and nothing changes.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
sk run -d --name cnt "$img" sh -c 'i=0; while :; do i=$((i+1)); echo $i > /tmp/n.t; mv /tmp/n.t /tmp/n; sleep 0.01; done' >/dev/null
count() { sk exec cnt cat /tmp/n; }
wait_until 10 sh -c "[ -n \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec cnt cat /tmp/n 2>/dev/null)\" ]"

if [ "$(id -u)" != 0 ]; then
  run_split sk pause cnt
  assert_eq "$status" 125
  assert_contains "$stderr" "can not pause containers on rootless containers with cgroup V1"
  assert_match "$(ctr_status cnt)" '^Up '
  assert_not_contains "$(ctr_status cnt)" Paused
  sk rm -f cnt >/dev/null
  exit 0
fi

assert_eq "$(sk pause cnt)" cnt
assert_match "$(ctr_status cnt)" '^Up .* \(Paused\)$'
assert_eq "$(sk inspect -f '{{.State.Status}} {{.State.Paused}} {{.State.Running}}' cnt)" "paused true true"
run_split sk exec cnt true
assert_eq "$status" 125
assert_contains "$stderr" "is paused, unpause the container before exec"
id=$(ctr_id cnt)
assert_eq "$(cat /sys/fs/cgroup/freezer/skiff/"$id"/freezer.state)" FROZEN
run_split sk pause cnt
assert_contains "$stderr" "is already paused"
# Frozen: the counter file does not move (read from the host through /proc; the counter renames
# each value into place, so a freeze never catches the file truncated and empty).
pid=$(sk inspect -f '{{.State.Pid}}' cnt)
a=$(cat /proc/"$pid"/root/tmp/n)
sleep 0.5
b=$(cat /proc/"$pid"/root/tmp/n)
assert_eq "$b" "$a" "the counter stands still while paused"
assert_eq "$(sk unpause cnt)" cnt
sleep 0.5
c=$(count)
[ "$c" -gt "$b" ] || fail "the counter did not resume: $b then $c"
assert_not_contains "$(ctr_status cnt)" Paused
run_split sk unpause cnt
assert_contains "$stderr" "is not paused"
# stop and rm -f of a paused container.
sk pause cnt >/dev/null
assert_success sk stop -t 1 cnt
assert_match "$(ctr_status cnt)" '^Exited '
sk start cnt >/dev/null
sk pause cnt >/dev/null
assert_success sk rm -f cnt
# --all
sk run -d --name p1 "$img" sleep 100 >/dev/null
sk run -d --name p2 "$img" sleep 100 >/dev/null
sk pause --all >/dev/null
assert_eq "$(sk ps --format '{{.Names}} {{.Status}}' | grep -c Paused)" 2
sk unpause --all >/dev/null
assert_eq "$(sk ps --format '{{.Names}} {{.Status}}' | grep -c Paused)" 0
