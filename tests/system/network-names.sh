#!/usr/bin/env bash
# /etc/hosts, /etc/resolv.conf and /etc/hostname inside a container, per option: Docker's
# localhost lines, the container's name and short ID, --add-host (host-gateway too), --dns,
# --dns-search, --dns-option, --no-hosts, --hostname, containers.conf's dns_* and
# base_hosts_file; user-network members and aliases; inspect's HostConfig fields; bad values
# refused with the value named and nothing created.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_cmd jq
require_registry
img=$(busybox_image)
ok_run() { run_split "$@"; [ "$status" = 0 ] || fail "exit status $status from: $* (stderr: $stderr)"; }

# No network: localhost lines, then the container's own line.
ok_run sk run --name plain --network none --hostname web1 "$img" cat /etc/hosts /etc/hostname
id12=$(ctr_id plain | cut -c1-12)
assert_contains "$stdout" $'127.0.0.1\tlocalhost' "localhost"
assert_contains "$stdout" $'::1\tlocalhost ip6-localhost ip6-loopback' "ip6 localhost"
assert_contains "$stdout" $'127.0.1.1\tweb1 plain '"$id12" "own names"
assert_contains "$stdout" $'\nweb1' "/etc/hostname"

# --add-host, --dns, --dns-search, --dns-option.
ok_run sk run --name opts --add-host db:10.1.2.3 --add-host v6=2001:db8::5 --dns 192.0.2.53 \
  --dns 2001:db8::53 --dns-search a.example --dns-search b.example --dns-option ndots:3 \
  "$img" cat /etc/hosts /etc/resolv.conf
assert_contains "$stdout" $'10.1.2.3\tdb\n2001:db8::5\tv6' "--add-host lines, in order"
assert_contains "$stdout" $'search a.example b.example\nnameserver 192.0.2.53\nnameserver 2001:db8::53\noptions ndots:3' "resolv.conf"
j=$(sk inspect opts)
assert_eq "$(jq -c '.[0].HostConfig | [.Dns, .DnsSearch, .DnsOptions, .ExtraHosts]' <<<"$j")" \
  '[["192.0.2.53","2001:db8::53"],["a.example","b.example"],["ndots:3"],["db:10.1.2.3","v6=2001:db8::5"]]' "inspect HostConfig"
assert_eq "$(sk inspect -f '{{.HostConfig.Dns}} {{.HostConfig.ExtraHosts}}' plain)" "[] []" "empty as Docker prints them"

# --dns-search . drops the search line.
ok_run sk run --rm --dns-search . --dns 192.0.2.1 "$img" cat /etc/resolv.conf
assert_not_contains "$stdout" "search" "--dns-search ."

# --network host: the host's resolv.conf as it is, host.containers.internal is loopback.
ok_run sk run --rm --network host --add-host gw:host-gateway "$img" cat /etc/hosts /etc/resolv.conf
assert_contains "$stdout" $'127.0.0.1\tgw' "host-gateway with the host's network"
assert_contains "$stdout" $'127.0.0.1\thost.containers.internal host.docker.internal' "host names"
if [ -r /etc/resolv.conf ]; then
  first=$(grep -m1 '^nameserver' /etc/resolv.conf || true)
  [ -z "$first" ] || assert_contains "$stdout" "$first" "the host's name server"
fi

# The default network: the stack's addresses (netinfo) for the container and the host.
ok_run sk run --name dflt --add-host gw:host-gateway "$img" cat /etc/hosts
ip=$(sk inspect -f '{{.NetworkSettings.IPAddress}}' dflt 2>/dev/null || true)
assert_match "$stdout" $'\n[0-9.]+\tgw\n' "host-gateway resolved on the default network"
assert_match "$stdout" $'\n[0-9.]+\thost.containers.internal host.docker.internal\n' "host names on the default network"

# --no-hosts: the image's /etc/hosts (none in busybox: the init layer's empty stub).
ok_run sk run --rm --no-hosts "$img" cat /etc/hosts
assert_not_contains "$stdout" "localhost" "--no-hosts"

# containers.conf: dns_* and base_hosts_file.
printf '10.9.9.9 fromfile\n' >"$T/hosts.base"
cat >"$T/containers.conf" <<CONF
[containers]
dns_servers = ["192.0.2.77"]
dns_searches = ["conf.example"]
dns_options = ["timeout:2"]
base_hosts_file = "$T/hosts.base"
CONF
CONTAINERS_CONF=$T/containers.conf ok_run sk run --rm "$img" cat /etc/hosts /etc/resolv.conf
assert_contains "$stdout" $'10.9.9.9 fromfile\n' "base_hosts_file"
assert_not_contains "$stdout" "ip6-localhost" "base file replaces Docker's lines"
assert_contains "$stdout" $'search conf.example\nnameserver 192.0.2.77\noptions timeout:2' "dns_* from containers.conf"
CONTAINERS_CONF=$T/containers.conf ok_run sk run --rm --dns 192.0.2.1 "$img" cat /etc/resolv.conf
assert_contains "$stdout" "nameserver 192.0.2.1" "--dns wins over dns_servers"
assert_not_contains "$stdout" "192.0.2.77" "--dns wins over dns_servers"

# A user network: the members' names, aliases and addresses; the gateway is the host.
assert_success sk network create --subnet 10.89.50.0/24 names
assert_success sk create --name m1 --network names --network-alias db --ip 10.89.50.10 "$img" sleep 60
ok_run sk run --name m2 --network names --network-alias web "$img" cat /etc/hosts
m1=$(ctr_id m1 | cut -c1-12)
assert_contains "$stdout" $'10.89.50.10\tm1 '"$m1"' db' "a member by name, ID and alias"
assert_match "$stdout" $'\n[0-9.]+\thost.containers.internal host.docker.internal\n' "the host (through the stack)"
assert_match "$stdout" $'10\\.89\\.50\\.2\t[0-9a-f]{12} m2 web' "its own address"
assert_eq "$(sk inspect -f '{{.NetworkSettings.Networks.names.IPAddress}} {{.NetworkSettings.Networks.names.Aliases}} {{.NetworkSettings.Networks.names.Gateway}}' m1)" \
  "10.89.50.10 [db] 10.89.50.1" "inspect Networks"
assert_eq "$(sk inspect -f '{{.HostConfig.NetworkMode}}' m1)" "names" "NetworkMode"
# A running member's /etc/hosts follows members that come and go.
assert_success sk start m1
assert_success sk create --name m3 --network names "$img" true
ok_run sk exec m1 cat /etc/hosts
assert_contains "$stdout" $'\tm3 ' "a member created later appears"
assert_success sk rm m3
ok_run sk exec m1 cat /etc/hosts
assert_not_contains "$stdout" $'\tm3 ' "a removed member goes"
assert_success sk rm -f m1

# Bad values: the value named, exit 125, no container left.
n0=$(sk ps -aq | wc -l)
run_split sk run --rm --add-host nocolon "$img" true
assert_eq "$status" 125 "bad --add-host"
assert_contains "$stderr" "nocolon" "bad --add-host names the value"
run_split sk run --rm --add-host db:999.1.1.1 "$img" true
assert_contains "$stderr" "invalid IP address in add-host" "bad --add-host address"
run_split sk run --rm --dns dns.example "$img" true
assert_contains "$stderr" "dns.example is not an ip address" "bad --dns"
run_split sk run --rm --dns-search 'bad domain' "$img" true
assert_eq "$status" 125 "bad --dns-search"
run_split sk run --rm --mac-address 12:34 "$img" true
assert_contains "$stderr" "12:34 is not a valid mac address" "bad --mac-address"
run_split sk run --rm --no-hosts --add-host a:1.2.3.4 "$img" true
assert_contains "$stderr" "--no-hosts and --add-host cannot be set together" "--no-hosts with --add-host"
run_split sk run --rm --network none --add-host gw:host-gateway "$img" true
assert_contains "$stderr" "host-gateway" "host-gateway without a route to the host"
run_split sk run --rm --ip 10.1.1.1 "$img" true
assert_contains "$stderr" "user specified IP address is supported on user defined networks only" "--ip without a user network"
run_split sk run --rm --network-alias x "$img" true
assert_contains "$stderr" "network-scoped alias is supported only for containers in user defined networks" "alias without a user network"
run_split sk run --rm --network names --ip 10.1.1.1 "$img" true
assert_contains "$stderr" "10.1.1.1" "--ip outside the subnet"
assert_eq "$(sk ps -aq | wc -l)" "$n0" "nothing created by the refused runs"
