#!/usr/bin/env bash
# -P publishes every exposed port (--expose and -p ones) on free host ports and `port` agrees
# with what answers; ranges keep Docker's grouping in ps; one host address (IPv4, IPv6); a UDP
# echo server in the container answers through -p …/udp (a flow per client address).
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

# -P: --expose 80 and 81 get random host ports; `port` says which, and curl gets through them.
sk run -d --name all -P --expose 80 --expose 81/tcp "$img" sh -c \
  'mkdir -p /a /b; echo eighty > /a/index.html; echo eighty-one > /b/index.html; httpd -p 81 -h /b; exec httpd -f -p 80 -h /a' >/dev/null
p80=$(sk port all 80 | head -1)
p81=$(sk port all 81/tcp | head -1)
assert_match "$p80" '^0\.0\.0\.0:[0-9]+$' "port all 80"
assert_match "$p81" '^0\.0\.0\.0:[0-9]+$' "port all 81"
wait_until 5 http_get "${p80#*:}"
assert_eq "$(http_get "${p80#*:}")" "eighty" "curl to the port -P picked for 80"
assert_eq "$(http_get "${p81#*:}")" "eighty-one" "curl to the port -P picked for 81"
assert_eq "$(sk port all)" "$(printf '80/tcp -> 0.0.0.0:%s\n80/tcp -> [::]:%s\n81/tcp -> 0.0.0.0:%s\n81/tcp -> [::]:%s' \
  "${p80#*:}" "${p80#*:}" "${p81#*:}" "${p81#*:}")" "port all"
assert_eq "$(sk inspect -f '{{.HostConfig.PublishAllPorts}} {{json .HostConfig.PortBindings}}' all)" "true {}"
assert_eq "$(sk inspect -f '{{json .Config.ExposedPorts}}' all)" '{"80/tcp":{},"81/tcp":{}}'
# ps filters: publish= and expose= (a port, a range, a protocol).
sk run -d --name other --expose 9000/udp "$img" sleep 100 >/dev/null
assert_eq "$(sk ps --format '{{.Names}}' -f publish=80)" all
assert_eq "$(sk ps --format '{{.Names}}' -f publish=79-81/tcp)" all
assert_eq "$(sk ps --format '{{.Names}}' -f publish=9000/udp)" ""
assert_eq "$(sk ps --format '{{.Names}}' -f expose=9000/udp)" other
assert_eq "$(sk ps -a --format '{{.Names}}' -f expose=81)" all
assert_status 125 sk ps -f publish=x
assert_success sk rm -f all other

# A range on the same numbers is one group in ps; an exposed port without a binding shows bare.
a=$(free_port)
b=$((a + 1))
port_free "$b" || { a=$(free_port); b=$((a + 1)); }
sk run -d --name rng -p "$a-$b:$a-$b" --expose 7000 "$img" sh -c "httpd -p $a -h /; exec httpd -f -p $b -h /" >/dev/null
assert_eq "$(sk ps --format '{{.Ports}}' -f name=rng)" "7000/tcp, 0.0.0.0:$a-$b->$a-$b/tcp, [::]:$a-$b->$a-$b/tcp" "ps PORTS of a range"
wait_until 5 port_bound "$b"
assert_success sk rm -f rng
assert_success port_free "$a"
assert_success port_free "$b"

# One address: IPv4 loopback only, then IPv6 loopback only.
p=$(free_port)
sk run -d --name lo4 -p "127.0.0.1:$p:80" "$img" sh -c "$(web_server)" >/dev/null
wait_until 5 http_get "$p"
assert_eq "$(sk port lo4)" "80/tcp -> 127.0.0.1:$p"
assert_eq "$(sk ps --format '{{.Ports}}' -f name=lo4)" "127.0.0.1:$p->80/tcp"
assert_eq "$(ss -ltnH "sport = :$p" | awk '{print $4}')" "127.0.0.1:$p" "bound on 127.0.0.1 only"
assert_success sk rm -f lo4
if [ -f /proc/net/if_inet6 ] && ip -6 addr show lo 2>/dev/null | grep -q '::1'; then
  p=$(free_port)
  sk run -d --name lo6 -p "[::1]:$p:80" "$img" sh -c "$(web_server)" >/dev/null
  wait_until 5 curl -sS --max-time 3 "http://[::1]:$p/"
  assert_eq "$(curl -sS --max-time 3 "http://[::1]:$p/")" "hello from skiff" "curl to [::1]"
  assert_eq "$(sk port lo6 80)" "[::1]:$p"
  assert_success sk rm -f lo6
fi

# UDP: an echo server in the container (netprobe, static, bind-mounted), two clients.
u=$(free_port)
sk run -d --name udp -p "$u:5353/udp" -v "$probe:/netprobe:ro" "$img" /netprobe udp-echo 5353 >/dev/null
assert_eq "$(sk port udp 5353/udp)" "0.0.0.0:$u
[::]:$u"
wait_until 5 "$probe" udp-send 127.0.0.1 "$u" ping
assert_eq "$("$probe" udp-send 127.0.0.1 "$u" hello-udp)" "hello-udp" "UDP echo through -p /udp"
assert_eq "$("$probe" udp-send 127.0.0.1 "$u" second-client)" "second-client" "another client address"
assert_success port_bound "$u" udp
assert_success sk stop -t 1 udp
assert_success port_free "$u" udp
assert_success sk rm udp
