#!/usr/bin/env bash
# Bad -p/--expose values and network modes are refused with Docker's texts, exit 125, nothing
# created; a host port already taken fails `run` at once naming the port ("address already in
# use"), leaves no container, monitor or bound port, and fails `start` of a created container
# the same way (it stays created).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd ss
img=$(busybox_image)

bad() {  # EXPECTED-TEXT ARGS...
  local want=$1
  shift
  for cmd in run create; do
    assert_status 125 sk "$cmd" "$@" "$img" true
    assert_contains "$output" "$want" "$cmd $*"
  done
}
bad "invalid containerPort: 70000" -p 8080:70000
bad "invalid hostPort: 70000" -p 70000:80
bad "invalid containerPort: 0" -p 0
bad "invalid containerPort: abc" -p 8080:abc
bad "invalid hostPort: x1" -p x1:80
bad "invalid proto: xyz" -p 8080:80/xyz
bad "invalid IP address: 1.2.3" -p 1.2.3:8080:80
bad "invalid ranges specified for container and host Ports: 80-82 and 8080-8081" -p 8080-8081:80-82
bad "invalid containerPort: 82-80" -p 82-80
bad "no port specified: 8080:<empty>" -p 8080:
bad "invalid publish opts format (should be name=value but got 'target')" -p published=8080,target
bad "invalid port format for --expose: 80:80" --expose 80:80
bad "invalid range format for --expose: 9-1" --expose 9-1
bad "conflicting options: port publishing and the host network mode" --network host -p 8080:80
bad "conflicting options: port publishing and the none network mode" --network none -p 8080:80
bad "conflicting options: port publishing and the none network mode" --network none -P
bad "conflicting options: port publishing and the ns network mode" --network ns:/proc/self/ns/net -p 8080:80
bad "conflicting options: port publishing and the container type network mode" --network container:other -p 8080:80
bad "conflicting options: port exposing and the container type network mode" --network container:other --expose 80
assert_success sk ps -aq
assert_eq "$output" "" "containers left by refused specs"

# An address the host does not have; a privileged port rootless (with the sysctl at its default).
p=$(free_port)
run_split sk run -d -p "192.0.2.1:$p:80" "$img" sleep 100
assert_eq "$status" 125 "run with an address not on this host"
assert_contains "$stderr" "192.0.2.1:$p/tcp" "the error names the address"
assert_contains "$stderr" "cannot assign requested address"
if [ "$SKIFF_TEST_ROLE" = rootless ] && [ "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start)" -gt 80 ]; then
  run_split sk run -d -p 127.0.0.1:80:80 "$img" sleep 100
  assert_eq "$status" 125 "rootless run -p 80"
  assert_contains "$stderr" "permission denied"
  assert_contains "$stderr" "net.ipv4.ip_unprivileged_port_start"
fi
assert_eq "$(sk ps -aq)" "" "nothing left by the failed runs"

# A taken port.
p=$(free_port)
"$SKIFF_TOOLS/netprobe" tcp-source "$p" 0 &
holder=$!
defer "kill $holder 2>/dev/null || true"
wait_until 5 port_bound "$p"
run_split sk run -d --name taken -p "$p:80" "$img" sleep 100
assert_eq "$status" 125 "run with a taken port"
assert_contains "$stderr" "0.0.0.0:$p" "the error names the port"
assert_contains "$stderr" "address already in use"
assert_eq "$(sk ps -aq)" "" "nothing left by the failed run"
assert_eq "$(find "$SKIFF_RUNROOT/c" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)" 0 "no run directory left"
# With several ports, the free ones bound before the taken one are released too.
q=$(free_port)
assert_status 125 sk run -d -p "$q:81" -p "$p:80" "$img" sleep 100
assert_success port_free "$q"
assert_eq "$(sk ps -aq)" ""
# start of a created container: fails the same way, the container stays created.
sk create --name later -p "$p:80" "$img" sleep 100 >/dev/null
run_split sk start later
assert_eq "$status" 125 "start with a taken port"
assert_contains "$stderr" "address already in use"
assert_eq "$(sk inspect -f '{{.State.Status}}' later)" created
# Once the port is free, start works and binds it.
kill "$holder"
wait "$holder" 2>/dev/null || true
wait_until 5 port_free "$p"
assert_success sk start later
assert_success port_bound "$p"
assert_success sk rm -f later
assert_success port_free "$p"
