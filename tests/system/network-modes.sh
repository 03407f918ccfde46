#!/usr/bin/env bash
# --network modes other than the default (issue 11): bad mode names and options fail with the
# value named, exit 125 and nothing left; slirp4netns with Podman's options; container:NAME
# shares another container's network namespace (inspect and ps show it); ns:PATH joins a
# namespace file; a pasta that dies leaves the container running and its monitor answering;
# a missing /dev/net/tun is a clear error (root: hidden in a private mount namespace).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd pasta slirp4netns
img=$(busybox_image)

netns_of() { sk exec "$1" readlink /proc/self/ns/net; }

# Bad values: 125, the value named, no container left.
for bad in bogus "slirp4netns:mtu=abc" "slirp4netns:foo=1" "slirp4netns:cidr=10.0.2.0" "container:nosuch" "ns:relative/path" "container:"; do
  assert_status 125 sk run --rm --network "$bad" "$img" true
  assert_contains "$output" "${bad%%[:=]*}" "the error names --network $bad"
done
assert_contains "$(sk run --rm --network bogus "$img" true 2>&1 || true)" 'network bogus not found'
assert_contains "$(sk create --network slirp4netns:foo=1 "$img" true 2>&1 || true)" 'unknown slirp4netns option "foo"'
assert_eq "$(sk ps -aq)" "" "containers left by refused --network values"

# slirp4netns with options.
run_split sk run --rm --network slirp4netns:cidr=10.41.0.0/24,mtu=1500,allow_host_loopback=false "$img" \
  sh -c 'ip -o -4 addr show tap0 | awk "{print \$4}"; cat /sys/class/net/tap0/mtu; ip route | grep ^default; grep ^nameserver /etc/resolv.conf'
assert_eq "$stdout" $'10.41.0.100/24\n1500\ndefault via 10.41.0.2 dev tap0 \nnameserver 10.41.0.3' "slirp4netns options ($stderr)"
assert_eq "$(sk create --network slirp4netns "$img" true | xargs -I{} "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" inspect -f '{{.HostConfig.NetworkMode}}' {})" "slirp4netns"
sk container prune -f >/dev/null
# Its helper dies with the monitor (kill -9: parent-death signal and the exit pipe).
sk run -d --name s4 --network slirp4netns "$img" sleep 1000 >/dev/null
mon=$(ctr_monitor_pid s4)
s4=$(pgrep -P "$mon" -x slirp4netns)
[ -n "$s4" ] || fail "no slirp4netns under the monitor"
kill -9 "$mon"
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
wait_until 5 gone "$s4" || fail "slirp4netns ($s4) outlived its monitor"
sk rm -f s4 >/dev/null

# container:NAME: the same namespace, shown by inspect and ps; refused when that one is stopped.
sk run -d --name na "$img" sleep 1000 >/dev/null
ida=$(ctr_id na)
sk run -d --name nb --network container:na "$img" sleep 1000 >/dev/null
assert_eq "$(netns_of nb)" "$(netns_of na)" "container:na shares na's network namespace"
assert_eq "$(sk inspect -f '{{.HostConfig.NetworkMode}}' nb)" "container:$ida" "inspect NetworkMode"
assert_eq "$(sk ps --filter name=nb --format '{{.Networks}}')" "container:$ida" "ps Networks"
assert_eq "$(sk exec nb sh -c 'ip -o -4 addr show | grep -v " lo " | awk "{print \$4}"')" \
  "$(sk exec na sh -c 'ip -o -4 addr show | grep -v " lo " | awk "{print \$4}"')" "the same address"
assert_eq "$(sk exec nb cat /etc/resolv.conf)" "$(sk exec na cat /etc/resolv.conf)" "the same resolv.conf"
# No stack of its own: b's monitor has only the container as its child.
assert_eq "$(pgrep -P "$(ctr_monitor_pid nb)" | wc -l)" "1" "container:na starts no helper"
sk rm -f nb >/dev/null
sk stop -t 0 na >/dev/null
assert_status 125 sk run --rm --network container:na "$img" true
assert_contains "$output" "cannot join network of a non running container"
sk rm -f na >/dev/null

# ns:PATH: a namespace made outside skiff (root: ip netns; rootless: one of the user's own).
if [ "$(id -u)" = 0 ]; then
  ns=skiff-t-$$
  ip netns add "$ns"
  defer ip netns del "$ns"
  path=/run/netns/$ns
  want=$(ip netns exec "$ns" readlink /proc/self/ns/net)
else
  # Mapped as skiff maps its containers (the user as root, then the subordinate range).
  unshare --map-root-user --map-auto -n sleep 1000 &
  holder=$!
  defer kill "$holder"
  wait_until 5 test -e "/proc/$holder/ns/net"
  sleep 0.2
  path=/proc/$holder/ns/net
  want=$(readlink "$path")
fi
run_split sk run --rm --network "ns:$path" "$img" readlink /proc/self/ns/net
assert_eq "$stdout" "$want" "ns:$path joins that namespace ($stderr)"

# pasta dies: the container goes on without a network, its monitor still answers.
sk run -d --name np "$img" sleep 1000 >/dev/null
mon=$(ctr_monitor_pid np)
helper=$(pgrep -P "$mon" -x passt.avx2 || pgrep -P "$mon" -x passt || pgrep -P "$mon" -x pasta)
kill -9 "$helper"
rundir=$(ctr_rundir np)
wait_until 5 grep -q "pasta exited" "$rundir/monitor.log"
assert_contains "$(cat "$rundir/monitor.log")" "the container's network is down"
assert_match "$(ctr_status np)" '^Up ' "the container runs on"
assert_contains "$(sk inspect -f '{{.State.Error}}' np)" "pasta exited" "inspect shows the network is down"
assert_success timeout 20 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" stop -t 1 np
sk rm np >/dev/null

# No /dev/net/tun (root: a private mount namespace without it): a clear error, nothing left.
if [ "$(id -u)" = 0 ]; then
  for mode in builtin pasta; do
    run unshare -m sh -c 'mount -t tmpfs tmpfs /dev/net && exec "$@"' sh \
      "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm --network "$mode" "$img" true
    assert_eq "$status" 125 "no /dev/net/tun, $mode: exit status ($output)"
    assert_contains "$output" "/dev/net/tun" "no /dev/net/tun, $mode: the error names it"
  done
  assert_eq "$(sk ps -aq)" "" "containers left without /dev/net/tun"
fi
