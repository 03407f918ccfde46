#!/usr/bin/env bash
# --pids-limit 10 stops a fork bomb at 10 processes; --cpus 0.5 holds a busy loop near half a
# CPU (cpuacct over 2 s, generous bounds: the machine is shared); the HostConfig fields read as
# Docker's; --shm-size sizes /dev/shm; --device binds a host node (both modes); --cgroup-parent
# places the cgroup. Rootless here: the limits are ignored with the warning, and the rest works.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# Docker's HostConfig fields.
sk create --name hc --cpus 1.5 --pids-limit 10 --memory-reservation 16m -c 512 --cpuset-cpus 0 --shm-size 128m \
  --device /dev/null:/dev/mynull:r --device-cgroup-rule 'c 1:3 r' --oom-score-adj 100 --cgroupns host \
  "$img" true >/dev/null 2>&1
assert_eq "$(sk inspect -f '{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}} {{.HostConfig.MemoryReservation}} {{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.ShmSize}} {{.HostConfig.OomScoreAdj}} {{.HostConfig.CgroupnsMode}}' hc)" \
  "1500000000 10 16777216 512 0 134217728 100 host"
assert_eq "$(sk inspect -f '{{json .HostConfig.Devices}} {{json .HostConfig.DeviceCgroupRules}}' hc)" \
  '[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"r"}] ["c 1:3 r"]'
assert_eq "$(sk inspect -f '{{.HostConfig.PidsLimit}} {{.HostConfig.Memory}} {{.HostConfig.MemorySwappiness}}' "$(sk create "$img" true)")" \
  "<nil> 0 <nil>"

# --shm-size and --device work in both modes.
run_split sk run --rm --shm-size 128m --device /dev/zero:/dev/myzero "$img" sh -c 'df -k /dev/shm | tail -1; head -c 4 /dev/myzero | wc -c'
assert_eq "$status" 0 "$stderr"
assert_match "$stdout" ' 131072 .*/dev/shm'
assert_contains "$stdout" $'\n4'

if [ "$(id -u)" != 0 ]; then
  run_split sk run --rm --pids-limit 10 --cpus 0.5 "$img" true
  assert_eq "$status" 0
  assert_contains "$stderr" "Resource limits are not supported and ignored on cgroups V1 rootless systems"
  exit 0
fi
[ -d /sys/fs/cgroup/pids ] || skip "cgroup v1 hierarchies expected here"

# A fork bomb of 30 sleeps stops at 10 processes.
# (the inner shell dies at its first failed fork; its sleeps stay, the outer shell waits)
sk run -d --name bomb --pids-limit 10 "$img" sh -c 'sh -c "for i in \$(seq 30); do sleep 60 & done" 2>/dev/null; sleep 60' >/dev/null
id=$(ctr_id bomb)
cg=/sys/fs/cgroup/pids/skiff/$id
wait_until 10 grep -q '^max [1-9]' "$cg/pids.events" || fail "the fork bomb never hit the limit: $(cat "$cg/pids.events")"
assert_eq "$(cat "$cg/pids.max")" 10
cur=$(cat "$cg/pids.current")
[ "$cur" -le 10 ] && [ "$cur" -ge 8 ] || fail "pids.current $cur with a limit of 10"
sk rm -f bomb >/dev/null

# --cpus 0.5: a busy loop gets at most about half a CPU.
sk run -d --name busy --cpus 0.5 "$img" sh -c 'while :; do :; done' >/dev/null
id=$(ctr_id busy)
assert_eq "$(cat /sys/fs/cgroup/cpu/skiff/"$id"/cpu.cfs_quota_us) $(cat /sys/fs/cgroup/cpu/skiff/"$id"/cpu.cfs_period_us)" "50000 100000"
a=$(cat /sys/fs/cgroup/cpuacct/skiff/"$id"/cpuacct.usage)
sleep 2
b=$(cat /sys/fs/cgroup/cpuacct/skiff/"$id"/cpuacct.usage)
pct=$(( (b - a) / 20000000 ))
_lib_trace "busy loop at $pct % of a CPU"
[ "$pct" -ge 15 ] && [ "$pct" -le 60 ] || fail "--cpus 0.5 gave $pct % of a CPU"
sk rm -f busy >/dev/null

# Device cgroup: the default allow-list plus --device; another node is refused.
run_split sk run --rm --device /dev/zero:/dev/myzero "$img" sh -c 'head -c 1 /dev/myzero | wc -c; mknod /dev/sda1 b 8 1 && head -c 1 /dev/sda1'
assert_contains "$stdout" "1"
assert_ne "$status" 0 "a block device outside the allow-list is refused"

# --cgroup-parent.
sk run -d --name par --cgroup-parent skiff-test-parent "$img" sleep 100 >/dev/null
id=$(ctr_id par)
assert_file "/sys/fs/cgroup/memory/skiff-test-parent/$id"
sk rm -f par >/dev/null
rmdir /sys/fs/cgroup/*/skiff-test-parent 2>/dev/null || true
