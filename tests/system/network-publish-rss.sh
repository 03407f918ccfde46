#!/usr/bin/env bash
# A monitor that forwards ports (--network slirp4netns: pasta would forward itself, and the
# built-in stack maps libslirp into the monitor) stays small: at most 3 MiB resident (smaps_rollup) after it
# forwarded 64 MiB and 200 connections.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd slirp4netns
[ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user (slirp4netns needs it)"
require_cmd ss
img=$(busybox_image)
probe=$SKIFF_TOOLS/netprobe
[ -x "$probe" ] || fail "missing $probe (make tools)"
p=$(free_port)
q=$(free_port)
[ "$p" != "$q" ] || q=$(free_port)
sk run -d --name fw --network slirp4netns -p "$p:80" -p "$q:81" -v "$probe:/netprobe:ro" "$img" sh -c \
  '/netprobe tcp-source 81 0 & exec /netprobe tcp-source 80 67108864' >/dev/null
sink() { "$probe" tcp-sink 127.0.0.1 "$p" >"$T/sink"; }
wait_until 10 sink
assert_eq "$(cut -d' ' -f1 "$T/sink")" 67108864 "bytes through -p"
"$probe" tcp-connects 127.0.0.1 "$q" 200 >/dev/null
mon=$(ctr_monitor_pid fw)
rss=$(awk '/^Rss:/ {print $2}' "/proc/$mon/smaps_rollup")
echo "monitor RSS after forwarding: $rss kB"
[ "$rss" -le 3072 ] || fail "the forwarding monitor has $rss kB resident (want <= 3072)"
assert_success sk rm -f fw
