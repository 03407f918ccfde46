#!/usr/bin/env bash
# update changes a running container's memory limit (its cgroup at once) and a stopped one's
# record; bad values are refused with nothing changed; stats --no-stream shows a busy container
# with sensible figures (cgroup rootful, /proc rootless), {{json .}} has Docker's keys.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sk run -d --name busy -m 64m "$img" sh -c 'x=$(head -c 8000000 /dev/zero | tr "\0" a); while :; do :; done' >/dev/null
id=$(ctr_id busy)
sleep 1.5
run_split sk stats --no-stream busy
assert_eq "$status" 0 "$stderr"
assert_eq "$(echo "$stdout" | head -1 | tr -s ' ')" "CONTAINER ID NAME CPU % MEM USAGE / LIMIT MEM % NET I/O BLOCK I/O PIDS"
row=$(echo "$stdout" | sed -n 2p)
assert_match "$row" "^${id:0:12} +busy +[0-9]+\.[0-9]{2}% +[0-9.]+[KMG]iB / [0-9.]+[KMG]iB +[0-9]+\.[0-9]{2}% +[0-9.]+[kMG]?B / [0-9.]+[kMG]?B +[0-9.]+k?M?B / [0-9.]+k?M?B +[0-9]+$"
cpu=$(sk stats --no-stream --format '{{.CPUPerc}}' busy | cut -d. -f1)
[ "$cpu" -ge 10 ] || fail "a busy loop shows $cpu % CPU"
mem=$(sk stats --no-stream --format '{{.MemUsage}}' busy)
assert_match "$mem" '^([0-9.]+)MiB / '
mib=$(echo "$mem" | sed 's/MiB.*//' | cut -d. -f1)
[ "$mib" -ge 7 ] || fail "the container holds ~8 MB: stats says $mem"
assert_match "$(sk stats --no-stream --format '{{json .}}' busy)" \
  '^\{"BlockIO":"[^"]+","CPUPerc":"[0-9.]+%","Container":"busy","ID":"[0-9a-f]{12}","MemPerc":"[0-9.]+%","MemUsage":"[^"]+","Name":"busy","NetIO":"[0-9.]+[kMG]?B / [0-9.]+[kMG]?B","PIDs":"[0-9]+"\}$'
assert_eq "$(sk stats --no-stream --no-trunc --format '{{.ID}}' busy)" "$id"
# No arguments: the running containers; -a: all of them.
sk create --name idle "$img" true >/dev/null
assert_eq "$(sk stats --no-stream --format '{{.Name}}' | sort | tr '\n' ' ')" "busy "
assert_eq "$(sk stats --no-stream -a --format '{{.Name}} {{.CPUPerc}} {{.PIDs}}' | sort | tail -1)" "idle 0.00% 0"
run_split sk stats --no-stream nope
assert_eq "$status:$stderr" "125:Error: No such container: nope"

if [ "$(id -u)" = 0 ]; then
  assert_match "$mem" ' / 64MiB$'
  assert_eq "$(sk update -m 128m busy)" busy
  assert_eq "$(cat /sys/fs/cgroup/memory/skiff/"$id"/memory.limit_in_bytes)" 134217728
  assert_match "$(sk stats --no-stream --format '{{.MemUsage}}' busy)" ' / 128MiB$'
  assert_eq "$(sk update --pids-limit 20 --cpus 0.5 busy)" busy
  assert_eq "$(cat /sys/fs/cgroup/pids/skiff/"$id"/pids.max) $(cat /sys/fs/cgroup/cpu/skiff/"$id"/cpu.cfs_quota_us)" "20 50000"
else
  run_split sk update -m 128m busy
  assert_eq "$status:$stdout" "0:busy"
  assert_contains "$stderr" "Resource limits are not supported and ignored on cgroups V1 rootless systems"
fi
assert_eq "$(sk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}' busy)" "134217728 268435456"
# Bad values: refused, nothing changed.
run_split sk update -m 1m busy
assert_eq "$status:$stderr" "125:Error: Minimum memory limit allowed is 6MB"
run_split sk update --cpus 99 busy
assert_contains "$stderr" "Range of CPUs is from 0.01 to"
assert_eq "$(sk inspect -f '{{.HostConfig.Memory}}' busy)" 134217728
run_split sk update -m 64m nope
assert_eq "$status:$stderr" "125:Error: No such container: nope"
run_split sk update busy
assert_eq "$status" 125
# A stopped container: the record changes, and the next start uses it; --restart too.
sk rm -f busy >/dev/null
assert_eq "$(sk update -m 32m --restart on-failure:3 idle 2>/dev/null)" idle
assert_eq "$(sk inspect -f '{{.HostConfig.Memory}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' idle)" \
  "33554432 on-failure:3"
# --restart on a running container applies to its next exit.
sk run -d --name rp "$img" sh -c 'sleep 1.5; exit 3' >/dev/null
assert_eq "$(sk update --restart on-failure:1 rp)" rp
wait_until 15 sh -c "[ \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' inspect -f '{{.RestartCount}}' rp)\" = 1 ]"
assert_eq "$(sk wait rp)" 3
assert_eq "$(sk inspect -f '{{.RestartCount}} {{.HostConfig.RestartPolicy.Name}}' rp)" "1 on-failure"
