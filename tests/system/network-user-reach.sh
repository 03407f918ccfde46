#!/usr/bin/env bash
# Two containers on a user network reach each other by name, short ID and --network-alias
# (ping, nc, wget against busybox httpd), rootless and as root, with no daemon; a container on
# another network cannot reach them; an --internal network has no route out. All traffic stays
# inside the containers' own namespaces, or goes to the test host the harness made.
# harness: nethost timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
img=$(busybox_image)

assert_success sk network create --subnet 10.89.110.0/24 reach
assert_success sk network create --subnet 10.89.111.0/24 other
assert_success sk network create --internal --subnet 10.89.112.0/24 sealed
assert_success sk run -d --name srv --network reach --network-alias web "$img" \
  sh -c 'mkdir -p /www && echo hello-from-srv > /www/index.html && httpd -f -p 80 -h /www'
srv12=$(ctr_id srv | cut -c1-12)

# The interface: eth0 with its address.
run_split sk exec srv ip -o -4 addr show eth0
assert_contains "$stdout" "10.89.110.2/24" "eth0 address"

# By name, by alias, by short ID.
run_split sk run --rm --cap-add NET_RAW --network reach "$img" ping -c 1 -W 5 srv
assert_eq "$status" 0 "ping by name: $stdout $stderr"
run_split sk run --rm --network reach "$img" wget -q -O - http://web/
assert_eq "$stdout" "hello-from-srv" "wget by alias"
run_split sk run --rm --network reach "$img" wget -q -O - "http://$srv12/"
assert_eq "$stdout" "hello-from-srv" "wget by short ID"

# nc both ways between two long-running members.
assert_success sk run -d --name peer --network reach "$img" sh -c 'nc -l -p 7000 > /tmp/got; sleep 60'
wait_until 10 sk exec peer sh -c 'netstat -ltn | grep -q :7000'
run_split sk exec srv sh -c 'echo over-nc | nc -w 3 peer 7000'
wait_until 10 sk exec peer grep -q over-nc /tmp/got

# Another network: the name does not resolve, the address does not answer.
run_split sk run --rm --cap-add NET_RAW --network other "$img" ping -c 1 -W 2 10.89.110.2
assert_ne "$status" 0 "another network cannot reach the address"
run_split sk run --rm --network other "$img" timeout 10 wget -q -O - http://srv/
assert_ne "$status" 0 "another network cannot reach the name"

# --internal: no default route, so nothing outside the subnet is reachable.
run_split sk run --rm --cap-add NET_RAW --network sealed "$img" sh -c 'ip route; ping -c 1 -W 2 10.89.110.2'
assert_ne "$status" 0 "internal: no way out"
assert_not_contains "$stdout" "default" "internal: no default route"

# Outbound (not --internal) through the built-in stack, to the test host when there is one.
run_split sk run --rm --network reach "$img" ip route
assert_contains "$stdout" "default via 10.0.2.2 dev tap0" "a way out through the stack"
if [ -n "${NETHOST_IP:-}" ]; then
  run_split sk run --rm --network reach "$img" timeout 20 wget -q -O - "http://$NETHOST_IP/"
  assert_eq "$stdout" "hello from the test host" "outbound from a user network ($stderr)"
  run_split sk run --rm --network sealed "$img" timeout 5 wget -q -O - "http://$NETHOST_IP/"
  assert_ne "$status" 0 "internal: the test host is out of reach"
fi

# A member that is stopped and started again is reachable again (its port is re-made).
assert_success sk restart -t 1 srv
run_split sk run --rm --network reach "$img" wget -q -O - http://web/
assert_eq "$stdout" "hello-from-srv" "after restart"

# The switch's sockets go with the members.
assert_success sk rm -f srv peer
sockdir=$SKIFF_RUNROOT/n/$(sk network inspect -f '{{.Id}}' reach | cut -c1-12)
assert_eq "$(ls -A "$sockdir" 2>/dev/null | wc -l)" 0 "no sockets left"
assert_success sk network rm reach
assert_no_file "$sockdir" "the switch directory goes with the network"
