#!/usr/bin/env bash
# network create/ls/inspect/rm/prune/exists/connect/disconnect/reload: Docker's output and
# errors (an overlapping subnet, a taken name, an unknown network, rm of a network in use,
# predefined networks), and the store left as it was after each refusal.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_cmd jq
require_registry
img=$(busybox_image)

run_split sk network create --subnet 10.89.60.0/24 --label team=a front
assert_eq "$status" 0 "create: $stderr"
assert_match "$stdout" '^[0-9a-f]{64}$' "create prints the ID"
id=$stdout
assert_success sk network create back
assert_success sk network create --internal --subnet 10.89.70.0/24 --gateway 10.89.70.254 inner

# ls: Docker's columns, sorted by name, predefined networks included.
run_split sk network ls
assert_eq "$(head -1 <<<"$stdout" | tr -s ' ')" "NETWORK ID NAME DRIVER SCOPE" "ls header"
assert_eq "$(awk 'NR>1 {print $2}' <<<"$stdout" | tr '\n' ' ')" "back bridge front host inner none " "ls names"
assert_contains "$stdout" "${id:0:12}   front     bridge    local" "ls row"
assert_eq "$(sk network ls -q --filter type=custom | wc -l)" 3 "-q, type=custom"
assert_eq "$(sk network ls --filter label=team=a --format '{{.Name}} {{.Labels}}')" "front team=a" "label filter, --format"
assert_eq "$(sk network ls --filter name=ron --format '{{.Name}}')" "front" "name filter"
assert_eq "$(sk network ls --no-trunc --filter name=front --format '{{.ID}}')" "$id" "--no-trunc"
run_split sk network ls --filter bogus=1
assert_eq "$status" 125 "unknown filter"

# inspect: Docker's object.
j=$(sk network inspect front)
assert_eq "$(jq -c '.[0] | [.Name, .Id, .Driver, .Scope, .Internal, .IPAM.Config, .Labels]' <<<"$j")" \
  "[\"front\",\"$id\",\"bridge\",\"local\",false,[{\"Subnet\":\"10.89.60.0/24\",\"Gateway\":\"10.89.60.1\"}],{\"team\":\"a\"}]" "inspect"
assert_eq "$(sk network inspect -f '{{.Internal}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' inner)" \
  "true 10.89.70.0/24 10.89.70.254" "inspect -f"
assert_eq "$(sk network inspect -f '{{.Name}}' "${id:0:6}")" "front" "by ID prefix"
assert_eq "$(sk network inspect -f '{{(index .IPAM.Config 0).Subnet}}' back)" "10.89.0.0/24" "a free subnet picked"

# Refusals.
run_split sk network create --subnet 10.89.60.128/25 overlap
assert_eq "$status" 125 "overlapping subnet"
assert_contains "$stderr" "overlaps with 10.89.60.0/24 of network front" "overlap named"
run_split sk network create front
assert_contains "$stderr" "network with name front already exists" "taken name"
run_split sk network create bridge
assert_contains "$stderr" "network with name bridge already exists" "predefined name"
run_split sk network create --subnet 10.89.80.1/24 hostbits
assert_contains "$stderr" "host bits are set (did you mean 10.89.80.0/24?)" "host bits"
run_split sk network create --subnet 10.89.81.0/24 --gateway 10.89.82.1 gw
assert_contains "$stderr" "gateway 10.89.82.1 is not a host address of subnet 10.89.81.0/24" "gateway outside"
run_split sk network create 'bad/name'
assert_contains "$stderr" 'invalid network name "bad/name"' "bad name"
run_split sk network create -d macvlan mv
assert_contains "$stderr" 'network driver "macvlan" is not available' "driver"
run_split sk network inspect nope
assert_eq "$status" 125 "inspect unknown"
assert_contains "$stderr" "network nope not found" "inspect unknown"
run_split sk run --rm --network nope "$img" true
assert_eq "$status" 125 "run --network unknown"
assert_contains "$stderr" "network nope not found" "run --network unknown"
run_split sk run --rm --network front --network none "$img" true
assert_contains "$stderr" "cannot attach both user-defined and non-user-defined network-modes" "mixed modes"
run_split sk network rm bridge
assert_contains "$stderr" "bridge is a pre-defined network and cannot be removed" "rm predefined"
assert_eq "$(sk network ls -q | wc -l)" 6 "nothing created by the refusals"

# Completion offers the networks (predefined and user) for network commands and --network.
run_split sk __completeNoDesc network inspect ''
assert_eq "$stdout" $'bridge\nhost\nnone\nback\nfront\ninner\n:4' "network names complete"
run_split sk __completeNoDesc run --network fr
assert_eq "$stdout" $'front\n:4' "--network completes user networks"

# exists.
assert_status 0 sk network exists front
assert_status 1 sk network exists nope

# In use: rm refused with the container named; connect/disconnect; rm -f removes the users.
assert_success sk create --name user1 --network front "$img" true
assert_success sk create --name user2 --network front --network back "$img" true
assert_eq "$(sk inspect -f '{{len .NetworkSettings.Networks}}' user2)" 2 "two networks"
run_split sk network rm front
assert_eq "$status" 125 "rm in use"
assert_contains "$stderr" "has active endpoints" "rm in use"
assert_contains "$stderr" "user1" "rm in use names a container"
assert_success sk network disconnect front user2
assert_eq "$(sk inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' user2)" "back" "disconnect"
run_split sk network disconnect back user2
assert_contains "$stderr" "would have no network left" "last network"
assert_success sk network connect --alias cache --ip 10.89.60.77 front user2
assert_eq "$(sk inspect -f '{{.NetworkSettings.Networks.front.IPAddress}} {{.NetworkSettings.Networks.front.Aliases}}' user2)" \
  "10.89.60.77 [cache]" "connect --ip --alias"
run_split sk network connect front user2
assert_contains "$stderr" "already exists in network front" "connect twice"
run_split sk network connect --ip 10.89.60.77 back user1
assert_eq "$status" 125 "connect a container of another mode or a taken address"
assert_success sk network rm -f front
assert_eq "$(sk ps -a --format '{{.Names}}' | sort | tr '\n' ' ')" "" "rm -f removed the users"
assert_success sk network rm -f front
run_split sk network rm back nope
assert_eq "$stdout" "back" "rm prints the names removed"
assert_contains "$stderr" "network nope not found" "rm of a missing network"

# prune: unused custom networks only.
assert_success sk network create keep
assert_success sk create --name keeper --network keep "$img" true
assert_success sk network create gone
run_split sk network prune -f
assert_eq "$stdout" $'Deleted Networks:\ngone\ninner' "prune"
assert_eq "$(sk network ls --filter type=custom --format '{{.Name}}')" "keep" "prune keeps used networks"

# reload: a running container's files written again.
assert_success sk run -d --name live --network keep "$img" sleep 60
rid=$(ctr_id live)
run_split sk network reload live
assert_eq "$stdout" "$rid" "reload prints the ID"
run_split sk network reload keeper
assert_contains "$stderr" "is not running" "reload of a stopped container"
assert_success sk rm -f live
