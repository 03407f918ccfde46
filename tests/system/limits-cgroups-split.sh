#!/usr/bin/env bash
# --cgroups=split and no-conmon (Podman's meanings) on this host's cgroup v1 hierarchies, rootful:
# split makes the container's cgroup under the cgroup of the process that runs `skiff run` (as a
# systemd unit's ExecStart would be) instead of under "skiff", the monitor staying in the caller's
# cgroup; pause, stats and rm find it there. no-conmon and enabled place the container under
# "skiff" and never move the monitor either. split with --cgroup-parent is refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
[ "$(id -u)" = 0 ] || skip "rootless: containers have no cgroup of their own on this host in any --cgroups mode (cgroup v1, nothing delegated)"
[ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] && [ -d /sys/fs/cgroup/systemd ] || skip "needs cgroup v1 with a name=systemd hierarchy"
require_registry
img=$(busybox_image)

unit=skiff-split-test-$$
mkdir /sys/fs/cgroup/systemd/$unit
cleanup_unit() {
  local d
  for d in /sys/fs/cgroup/*/"$unit"; do rmdir "$d" 2>/dev/null || true; done
}
defer cleanup_unit
# As from a unit: a shell in its own name=systemd cgroup runs skiff.
as_unit() { (echo "$BASHPID" >/sys/fs/cgroup/systemd/$unit/cgroup.procs && "$@"); }
cg_of() {  # PID CONTROLLER
  awk -F: -v c="$2" '$2 == c {print $3}' "/proc/$1/cgroup"
}

as_unit sk run -d --name split --cgroups=split "$img" sleep 300 >/dev/null
id=$(ctr_id split)
pid=$(sk inspect -f '{{.State.Pid}}' split)
mon=$(ctr_monitor_pid split)
assert_eq "$(cg_of "$pid" memory)" "/$unit/$id" "split: the container under the caller's cgroup (memory)"
assert_eq "$(cg_of "$pid" pids)" "/$unit/$id" "split: the container under the caller's cgroup (pids)"
assert_eq "$(cg_of "$mon" name=systemd)" "/$unit" "split: the monitor stays in the caller's cgroup"
assert_success sk pause split
assert_eq "$(cat "/sys/fs/cgroup/freezer/$unit/$id/freezer.state")" FROZEN "pause finds the split cgroup"
assert_success sk unpause split
run_split sk stats --no-stream --format '{{.PIDs}}' split
assert_eq "$stdout" 1 "stats read the split cgroup"
sk rm -f split >/dev/null
[ ! -e "/sys/fs/cgroup/memory/$unit/$id" ] || fail "the split cgroup outlived the container"

for mode in no-conmon enabled; do
  as_unit sk run -d --name "$mode" --cgroups="$mode" "$img" sleep 300 >/dev/null
  id=$(ctr_id "$mode")
  pid=$(sk inspect -f '{{.State.Pid}}' "$mode")
  mon=$(ctr_monitor_pid "$mode")
  assert_eq "$(cg_of "$pid" memory)" "/skiff/$id" "$mode: the container under skiff/"
  assert_eq "$(cg_of "$mon" name=systemd)" "/$unit" "$mode: the monitor is not moved"
  sk rm -f "$mode" >/dev/null
done

assert_status 125 sk run --rm --cgroups=split --cgroup-parent foo "$img" true
assert_contains "$output" "cannot set --cgroup-parent with --cgroups=split"
