#!/usr/bin/env bash
# A real systemd as a container's PID 1 (--systemd=always, an image assembled from this machine's
# systemd by systemdlib.sh; never a systemd that shares the host's root): it boots to "running"
# or "degraded", starts a unit of the image, sees its own cgroup, tmpfs /run and /tmp and its
# machine-id, and `stop` halts it with SIGRTMIN+3 (the systemd-mode default) well within the
# timeout, exiting 0. The host's /tmp is untouched. With --sdnotify=container systemd's own
# READY=1 (sent once boot finished) reaches the unit's socket through the monitor.
# harness: timeout=420
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=systemdlib.sh
source "$(dirname "$0")/systemdlib.sh"

if [ "$(id -u)" != 0 ] && [ "$(stat -fc %T /sys/fs/cgroup)" != cgroup2fs ]; then
  skip "rootless on a cgroup v1 host: systemd needs a name=systemd cgroup it can write, and nothing here delegates one to this user (a root-owned hierarchy, no systemd user session)"
fi
if [ "$(id -u)" != 0 ] && [ -z "$(find /sys/fs/cgroup -maxdepth 3 -name cgroup.procs -user "$(id -u)" 2>/dev/null | head -1)" ]; then
  skip "rootless: no delegated cgroup v2 subtree for this user, so systemd cannot create its cgroups"
fi

canary=/tmp/skiff-systemd-canary-$$
touch "$canary"
defer rm -f "$canary"
sd_image skiff-systemd:test
tool=$SKIFF_TOOLS/sdnotify

# --systemd=always with systemd as the command; the notify socket as a unit would have it.
listening=0
if [ -x "$tool" ]; then
  "$tool" listen "$T/notify.sock" >"$T/notify.log" &
  wait_until 5 test -S "$T/notify.sock"
  listening=1
fi
NOTIFY_SOCKET=$T/notify.sock run_split sk run -d --name boot --systemd=always --sdnotify=container \
  skiff-systemd:test /lib/systemd/systemd
assert_eq "$status" 0 "run -d systemd ($stderr)"

booted() {
  local s
  s=$(sk exec boot systemctl is-system-running 2>/dev/null || true)
  case $s in running|degraded) return 0 ;; esac
  [ "$(ctr_status boot)" = running ] || { sk logs boot >&2 || true; fail "the container stopped while booting ($s)"; }
  return 1
}
wait_until 180 booted
run_split sk exec boot systemctl is-system-running
echo "system state: $stdout"
run_split sk exec boot systemctl --failed --no-legend --plain
echo "failed units: ${stdout:-none}"
assert_not_contains "$stdout" "machine-id" "machine-id units"
assert_not_contains "$stdout" "firstboot" "first-boot units (the machine-id is set)"

# The image's unit ran, under systemd, in the container's own /run.
assert_eq "$(sk exec boot systemctl is-active skiff-probe.service)" active "the probe unit"
assert_eq "$(sk exec boot cat /run/probe)" started "the probe unit's output"
# systemd mode's set-up, as systemd sees it.
mounts=$(sk exec boot cat /proc/1/mountinfo)
for m in /run /run/lock /tmp /var/log/journal /sys/fs/cgroup; do
  assert_match "$mounts" " $m [^ ]* [^-]*- tmpfs " "tmpfs on $m"
done
assert_match "$mounts" " /sys/fs/cgroup/systemd rw[^ ]* [^-]*- cgroup .*name=systemd" "writable name=systemd cgroup"
id=$(ctr_id boot)
assert_eq "$(sk exec boot cat /etc/machine-id)" "${id:0:32}" "machine-id"
env1=$(sk exec boot cat /proc/1/environ | tr '\0' '\n')
assert_contains "$env1" "container=skiff"
assert_contains "$env1" "container_uuid=${id:0:32}"
assert_eq "$(sk inspect -f '{{.Config.StopSignal}}' boot)" SIGRTMIN+3 "the stop signal"
# The container's processes are in its own cgroup, where systemd made its units' cgroups.
assert_contains "$(sk exec boot cat /proc/1/cgroup)" "name=systemd:/init.scope"
if [ -d "/sys/fs/cgroup/systemd/skiff/$id" ]; then
  assert_file "/sys/fs/cgroup/systemd/skiff/$id/init.scope/cgroup.procs"
fi

if [ "$listening" = 1 ]; then
  wait_until 10 grep -q READY=1 "$T/notify.log"
  mpid=$(ctr_monitor_pid boot)
  assert_contains "$(cat "$T/notify.log")" "$mpid READY=1" "systemd's READY=1, relayed by the monitor"
  echo "notifications: $(tr '\n' ' ' <"$T/notify.log")"
fi

# stop: SIGRTMIN+3, systemd halts the container by itself (no SIGKILL after the timeout).
sk exec boot systemctl show -p ActiveState --value halt.target >/dev/null
start=$(date +%s)
assert_success sk stop -t 60 boot
took=$(( $(date +%s) - start ))
echo "stop took ${took}s"
[ "$took" -lt 50 ] || fail "stop took ${took}s: systemd did not halt on SIGRTMIN+3"
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' boot)" 0 "systemd's exit status after a halt"
if [ "$(id -u)" = 0 ]; then
  sk rm boot >/dev/null
  [ ! -e "/sys/fs/cgroup/systemd/skiff/$id" ] || fail "the name=systemd cgroup outlived the container"
fi
assert_file "$canary"
