#!/usr/bin/env bash
# -p HOST:CONTAINER: a busybox httpd in the container answers curl on 127.0.0.1:HOST; ps, port
# and inspect show the binding as Docker does; the port is released when the container stops,
# when its monitor is kill -9ed and after rm -f, and a second `run -p` on it then succeeds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd curl ss
img=$(busybox_image)
p=$(free_port)

sk run -d --name web -p "$p:80" "$img" sh -c "$(web_server)" >/dev/null
wait_until 5 http_get "$p"
assert_eq "$(http_get "$p")" "hello from skiff" "curl through -p $p:80"
assert_success port_bound "$p"
# Many connections, one after the other and at once.
for i in 1 2 3 4 5 6 7 8 9 10; do http_get "$p" >/dev/null || fail "request $i"; done
pids=()
for i in 1 2 3 4 5 6 7 8; do http_get "$p" >"$T/par$i" & pids+=($!); done
for pid in "${pids[@]}"; do wait "$pid"; done
for i in 1 2 3 4 5 6 7 8; do assert_eq "$(cat "$T/par$i")" "hello from skiff" "parallel request $i"; done

# What Docker shows.
assert_eq "$(sk ps --format '{{.Ports}}' -f name=web)" "0.0.0.0:$p->80/tcp, [::]:$p->80/tcp" "ps PORTS"
assert_eq "$(sk port web)" "80/tcp -> 0.0.0.0:$p
80/tcp -> [::]:$p" "port"
assert_eq "$(sk port web 80)" "0.0.0.0:$p
[::]:$p" "port web 80"
assert_eq "$(sk port web 80/tcp)" "0.0.0.0:$p
[::]:$p" "port web 80/tcp"
assert_status 1 sk port web 81
assert_contains "$output" "No public port '81' published for web" "port of an unpublished port"
assert_eq "$(sk inspect -f '{{json .HostConfig.PortBindings}}' web)" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$p\"}]}"
assert_eq "$(sk inspect -f '{{json .NetworkSettings.Ports}}' web)" \
  "{\"80/tcp\":[{\"HostIp\":\"0.0.0.0\",\"HostPort\":\"$p\"},{\"HostIp\":\"::\",\"HostPort\":\"$p\"}]}"
assert_eq "$(sk inspect -f '{{json .Config.ExposedPorts}}' web)" '{"80/tcp":{}}'
assert_eq "$(sk inspect -f '{{.HostConfig.PublishAllPorts}}' web)" false
# The templates scripts use to find the host port.
assert_eq "$(sk inspect -f '{{(index (index .NetworkSettings.Ports "80/tcp") 0).HostPort}}' web)" "$p"
# shellcheck disable=SC2016  # a Go template
assert_eq "$(sk inspect -f '{{range $k, $v := .NetworkSettings.Ports}}{{$k}}={{(index $v 0).HostPort}}{{end}}' web)" "80/tcp=$p"
assert_eq "$(sk ps --format '{{.Names}} {{.Ports}}' -f name=web)" "web 0.0.0.0:$p->80/tcp, [::]:$p->80/tcp"

# stop releases the port; the stopped container keeps its bindings but shows no ports.
assert_success sk stop -t 1 web
assert_success port_free "$p"
assert_eq "$(sk ps -a --format '{{.Ports}}' -f name=web)" "" "ps PORTS of a stopped container"
assert_eq "$(sk inspect -f '{{json .NetworkSettings.Ports}}' web)" "{}"
assert_eq "$(sk inspect -f '{{json .HostConfig.PortBindings}}' web)" "{\"80/tcp\":[{\"HostIp\":\"\",\"HostPort\":\"$p\"}]}"
assert_eq "$(sk port web)" ""
# start binds it again.
assert_success sk start web
wait_until 5 http_get "$p"
assert_eq "$(http_get "$p")" "hello from skiff" "after start"

# kill -9 of the monitor: the sockets die with it.
mon=$(ctr_monitor_pid web)
[ -n "$mon" ] || fail "no monitor pid"
kill -9 "$mon"
wait_until 5 port_free "$p"
sk run -d --name web2 -p "$p:80" "$img" sh -c "$(web_server)" >/dev/null
wait_until 5 http_get "$p"
assert_eq "$(http_get "$p")" "hello from skiff" "a second run -p on the port after kill -9"

# rm -f releases it too.
assert_success sk rm -f web2
assert_success port_free "$p"
sk run -d --name web3 -p "$p:80" "$img" sh -c "$(web_server)" >/dev/null
wait_until 5 http_get "$p"
assert_success sk rm -f web3 web
assert_success port_free "$p"
