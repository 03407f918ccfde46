#!/usr/bin/env bash
# -p with each user-mode stack: pasta (its own forwarding), the built-in stack and slirp4netns
# (the monitor forwards): curl through a published TCP port and a UDP echo answer; the port is
# released by stop, by kill -9 of the monitor and by rm -f, and bound again by start.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd curl ss
img=$(busybox_image)
probe=$SKIFF_TOOLS/netprobe
[ -x "$probe" ] || fail "missing $probe (make tools)"
[ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user"

stacks=(builtin slirp4netns)
command -v pasta >/dev/null && stacks+=(pasta)
command -v slirp4netns >/dev/null || stacks=("${stacks[@]/slirp4netns}")
for net in "${stacks[@]}"; do
  [ -n "$net" ] || continue
  p=$(free_port)
  u=$(free_port)
  [ "$p" != "$u" ] || u=$(free_port)
  sk run -d --name "w-$net" --network "$net" -p "$p:80" -p "127.0.0.1:$u:5353/udp" -v "$probe:/netprobe:ro" "$img" \
    sh -c "/netprobe udp-echo 5353 & $(web_server)" >/dev/null
  wait_until 10 http_get "$p"
  assert_eq "$(http_get "$p")" "hello from skiff" "curl through -p with --network $net"
  wait_until 5 "$probe" udp-send 127.0.0.1 "$u" ping
  assert_eq "$("$probe" udp-send 127.0.0.1 "$u" "udp-$net")" "udp-$net" "UDP echo with --network $net"
  assert_eq "$(sk port "w-$net" 80)" "0.0.0.0:$p
[::]:$p" "port with --network $net"
  assert_success sk stop -t 1 "w-$net"
  wait_until 5 port_free "$p"
  assert_success port_free "$u" udp
  assert_success sk start "w-$net"
  wait_until 10 http_get "$p"
  mon=$(ctr_monitor_pid "w-$net")
  kill -9 "$mon"
  wait_until 5 port_free "$p"
  assert_success sk start "w-$net"
  wait_until 10 http_get "$p"
  assert_success sk rm -f "w-$net"
  wait_until 5 port_free "$p"
  assert_success port_free "$u" udp
done
