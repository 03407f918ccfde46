#!/usr/bin/env bash
# --systemd=true|false|always without booting systemd (service-systemd-boot.sh boots one): which
# commands turn systemd mode on, its stop signal (SIGRTMIN+3 unless --stop-signal or the image
# names one), and what the container gets: tmpfs on /run, /run/lock, /tmp, /var/log/journal (a
# user's mount there wins), container_uuid and a matching /etc/machine-id, and rootful on cgroup
# v1 a tmpfs /sys/fs/cgroup with the container's own writable name=systemd cgroup; rootless on v1
# a warning that systemd will have no cgroup. Bad values are refused.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sig() { sk inspect -f '{{.Config.StopSignal}}' "$1"; }
sk create --name init1 "$img" /sbin/init >/dev/null
assert_eq "$(sig init1)" SIGRTMIN+3 "true: /sbin/init"
sk create --name init2 "$img" /usr/local/bin/systemd >/dev/null
assert_eq "$(sig init2)" SIGRTMIN+3 "true: a program named systemd"
sk create --name plain "$img" sh >/dev/null
assert_eq "$(sig plain)" SIGTERM "true: any other command"
sk create --name off --systemd=false "$img" /sbin/init >/dev/null
assert_eq "$(sig off)" SIGTERM "false"
sk create --name mine --systemd=always --stop-signal SIGUSR1 "$img" sh >/dev/null
assert_eq "$(sig mine)" SIGUSR1 "--stop-signal wins"
assert_status 125 sk create --systemd=maybe "$img" sh
assert_contains "$output" 'invalid --systemd value "maybe": use true, false or always'

# What the container sees.
run_split sk run -d --name on --systemd=always --tmpfs /var/log/journal:size=1m "$img" sleep 300
assert_eq "$status" 0 "run --systemd=always ($stderr)"
id=$(ctr_id on)
mi=$(sk exec on cat /proc/1/mountinfo)
for m in /run /run/lock /tmp /var/log/journal; do
  assert_match "$mi" " $m [^ ]* [^-]*- tmpfs " "tmpfs on $m"
done
assert_eq "$(grep -c ' /var/log/journal ' <<<"$mi")" 1 "the user's tmpfs replaces systemd mode's"
assert_match "$(grep ' /var/log/journal ' <<<"$mi")" "size=1024k" "the user's tmpfs options"
env1=$(sk exec on env)
assert_contains "$env1" "container_uuid=${id:0:32}"
assert_contains "$env1" "container=skiff"
assert_eq "$(sk exec on cat /etc/machine-id)" "${id:0:32}" "machine-id (the image has none)"
assert_eq "$(sk diff on | grep -c machine-id || true)" 0 "the machine-id is in the init layer, not the container's"
if [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ]; then
  if [ "$(id -u)" = 0 ]; then
    assert_match "$mi" " /sys/fs/cgroup [^ ]* [^-]*- tmpfs " "tmpfs /sys/fs/cgroup"
    assert_match "$mi" " /sys/fs/cgroup/systemd rw[^ ]* [^-]*- cgroup .*name=systemd" "its own name=systemd cgroup"
    assert_contains "$(sk exec on cat /proc/1/cgroup)" "name=systemd:/"$'\n'
    sk exec on mkdir /sys/fs/cgroup/systemd/probe.scope
    assert_file "/sys/fs/cgroup/systemd/skiff/$id/probe.scope/tasks"
    sk rm -f on >/dev/null
    [ ! -e "/sys/fs/cgroup/systemd/skiff/$id" ] || fail "the name=systemd cgroup outlived the container"
  else
    assert_contains "$stderr" "systemd mode: the container has no cgroup of its own"
  fi
fi
# Not in systemd mode: none of it.
mi=$(sk run --rm "$img" cat /proc/self/mountinfo)
assert_not_contains "$mi" " /run/lock "
assert_not_contains "$(sk run --rm "$img" env)" container_uuid
