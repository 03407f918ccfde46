#!/usr/bin/env bash
# -m 32m and a process that allocates 64 MiB: rootful, the kernel's OOM killer ends it in the
# container's own cgroup; exit 137, inspect says OOMKilled true and HostConfig.Memory 33554432,
# and the cgroup is gone once the container is. Rootless on this host (cgroup v1/hybrid, no
# delegated v2 subtree) the limit cannot apply: the container runs unlimited and skiff says so,
# once, in Podman's words.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
alloc='x=$(head -c 67108864 /dev/zero | tr "\0" a); echo survived ${#x}'

if [ "$(id -u)" = 0 ]; then
  [ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip "no memory cgroup"
  run_split sk run --name oom -m 32m "$img" sh -c "$alloc"
  assert_eq "$status" 137 "killed for memory"
  assert_not_contains "$stdout" survived
  assert_eq "$(sk inspect -f '{{.State.OOMKilled}} {{.State.ExitCode}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' oom)" \
    "true 137 33554432 67108864"
  id=$(ctr_id oom)
  assert_no_file "/sys/fs/cgroup/memory/skiff/$id" "the cgroup is removed after the exit"
  # Unlimited (-m 0) and enough: it survives, OOMKilled false.
  run_split sk run --name big -m 0 "$img" sh -c "$alloc"
  assert_eq "$status:$stdout" "0:survived 67108864"
  assert_eq "$(sk inspect -f '{{.State.OOMKilled}} {{.HostConfig.Memory}}' big)" "false 0"
  # A running container has its cgroup, with the limit in it.
  sk run -d --name lim -m 64m "$img" sleep 100 >/dev/null
  id=$(ctr_id lim)
  assert_eq "$(cat "/sys/fs/cgroup/memory/skiff/$id/memory.limit_in_bytes")" 67108864
  pid=$(sk inspect -f '{{.State.Pid}}' lim)
  assert_contains "$(cat /proc/"$pid"/cgroup)" "memory:/skiff/$id"
  # A cgroup left by a monitor killed with -9 (its store gone): empty and older than a minute,
  # it goes with the next removal.
  stale=$(printf '%064d' 0 | tr 0 e)
  for c in memory pids; do mkdir "/sys/fs/cgroup/$c/skiff/$stale" && touch -d '-2 min' "/sys/fs/cgroup/$c/skiff/$stale"; done
  defer "rmdir /sys/fs/cgroup/*/skiff/$stale 2>/dev/null || true"
  sk rm -f lim >/dev/null
  assert_no_file "/sys/fs/cgroup/memory/skiff/$id"
  assert_no_file "/sys/fs/cgroup/memory/skiff/$stale" "a stale cgroup is swept"
  assert_no_file "/sys/fs/cgroup/pids/skiff/$stale"
else
  run_split sk run --rm -m 32m "$img" sh -c "$alloc"
  assert_eq "$status" 0 "no limit rootless without delegation"
  assert_eq "$stdout" "survived 67108864"
  assert_contains "$stderr" "Resource limits are not supported and ignored on cgroups V1 rootless systems"
  assert_eq "$(printf '%s\n' "$stderr" | grep -c 'Resource limits')" 1 "said once"
  # Without limits, nothing is said.
  run_split sk run --rm "$img" true
  assert_eq "$status:$stderr" "0:"
fi
