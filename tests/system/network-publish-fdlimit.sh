#!/usr/bin/env bash
# A forwarding monitor (--network slirp4netns: pasta would forward itself) out of file descriptors does not spin: it stops accepting (the host
# socket's backlog keeps the connections), uses no CPU meanwhile, and serves the waiting
# connections once descriptors are free again.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd slirp4netns
[ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user (slirp4netns needs it)"
require_cmd prlimit curl ss busybox
img=$(busybox_image)
p=$(free_port)
sk run -d --name lim --network slirp4netns -p "$p:80" "$img" sh -c "$(web_server)" >/dev/null
wait_until 5 http_get "$p"
mon=$(ctr_monitor_pid lim)
open=$(find "/proc/$mon/fd" -mindepth 1 -maxdepth 1 | wc -l)
# Room for two connections (six descriptors each, a few spare for the helper's socket pair).
prlimit --pid "$mon" --nofile=$((open + 14)):$((open + 14))
# Idle connections (httpd waits for their request) take the room.
for i in 1 2 3 4; do (sleep 8 | busybox nc 127.0.0.1 "$p" >/dev/null 2>&1) & done
sleep 1
cpu() { awk '{print $14 + $15}' "/proc/$mon/stat"; }
before=$(cpu)
curl -sS --max-time 20 "http://127.0.0.1:$p/" >"$T/late" &
late=$!
sleep 2
after=$(cpu)
assert_eq "$(awk -v a="$before" -v b="$after" 'BEGIN {print (b - a) < 20}')" 1 "monitor CPU while out of descriptors: $((after - before)) ticks in 2 s"
wait "$late"
assert_eq "$(cat "$T/late")" "hello from skiff" "the waiting connection is served once descriptors are free"
assert_success sk rm -f lim
