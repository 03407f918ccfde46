#!/usr/bin/env bash
# Podman's pods: `pod create` with an infra container (skiff itself in its pause role, no
# image); three members share localhost, IPC and the hostname, and the pod's published port;
# the pod survives the removal of one member; ps --pod / --filter pod= / inspect .Pod; pod ps
# (table, -q, --ctr-*, json, filters), inspect, exists, stop/start/restart/kill, top, logs,
# rm (refused while running, -f), prune; bad input: exit 125, nothing left behind.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
img=$(busybox_image)
port=$((20000 + RANDOM % 20000))
ns_of() { readlink "/proc/$(sk inspect -f '{{.State.Pid}}' "$1")/ns/$2"; }

run_split sk pod create --name p1 -p "$port:80" --label tier=front
assert_eq "$status" 0 "pod create: $stderr"
assert_match "$stdout" '^[0-9a-f]{64}$' "pod create prints the ID"
pod=$stdout
assert_success sk pod exists p1
assert_status 1 sk pod exists nosuch
assert_eq "$(sk pod ps --format '{{.Name}} {{.Status}} {{.NumberOfContainers}}')" "p1 Created 1" "pod ps: created"
run_split sk pod ps
assert_match "$(echo "$stdout" | head -1)" '^POD ID +NAME +STATUS +CREATED +INFRA ID +# OF CONTAINERS$' "pod ps header"
infra=$(sk pod inspect -f '{{.InfraContainerID}}' p1)
assert_match "$infra" '^[0-9a-f]{64}$' "infra ID"
assert_eq "$(sk ps -a --format '{{.Names}} {{.PodName}}' --filter "pod=p1")" "${pod:0:12}-infra p1" "ps -a --filter pod="

# Members: the infra starts with the first one; they share its namespaces.
assert_success sk run -d --pod p1 --name web "$img" \
  sh -c 'mkdir -p /www && echo hello-from-pod > /www/index.html && exec httpd -f -p 80 -h /www'
assert_eq "$(sk inspect -f "{{.State.Status}}" "${pod:0:12}-infra")" running "the infra container started first"
assert_success sk run -d --pod p1 --name side "$img" sleep 1000
assert_success sk create --pod "${pod:0:12}" --name third "$img" sleep 1000
assert_success sk start third
assert_eq "$(sk pod ps --format '{{.Status}} {{.NumberOfContainers}}')" "Running 4" "pod ps: running"
for ns in net ipc uts; do
  assert_eq "$(ns_of web $ns)" "$(ns_of "${pod:0:12}-infra" $ns)" "web shares the infra's $ns namespace"
  assert_eq "$(ns_of side $ns)" "$(ns_of "${pod:0:12}-infra" $ns)" "side shares the infra's $ns namespace"
done
assert_eq "$(sk exec side hostname)" "p1" "the pod's hostname"
wait_until 10 sk exec side sh -c 'wget -q -O - http://localhost/ | grep -q hello-from-pod'
run_split sk run --rm --pod p1 "$img" wget -q -O - http://127.0.0.1/
assert_eq "$stdout" "hello-from-pod" "a new member reaches localhost:80 ($stderr)"
run_split wget -q -O - "http://127.0.0.1:$port/"
assert_eq "$stdout" "hello-from-pod" "the pod's published port"
assert_eq "$(sk inspect -f '{{.Pod}}' web)" "$pod" "inspect .Pod"
run_split sk ps --pod --filter pod=p1 --format '{{.Names}}|{{.Pod}}|{{.PodName}}'
assert_contains "$stdout" "web|${pod:0:12}|p1" "ps --pod"
assert_eq "$(sk ps -q --filter pod=p1 | wc -l)" 4 "ps --filter pod="
run_split sk pod ps --ctr-names --ctr-status
assert_match "$(echo "$stdout" | head -1)" 'INFRA ID +NAMES +STATUS$' "pod ps --ctr-names --ctr-status header"
assert_contains "$stdout" "${pod:0:12}-infra,web,side,third" "pod ps --ctr-names"
assert_contains "$stdout" "running,running,running,running" "pod ps --ctr-status"

# The pod survives a member's removal; the infra goes with the pod only.
assert_success sk rm -f third
assert_eq "$(sk pod ps --format '{{.NumberOfContainers}}')" 3 "third left the pod"
run_split sk exec side wget -q -O - http://localhost/
assert_eq "$stdout" "hello-from-pod" "the others still share localhost"
run_split sk rm -f "${pod:0:12}-infra"
assert_eq "$status" 125 "the infra container is removed with its pod only"
assert_contains "$stderr" "is the infra container of pod" "rm infra: message"

# Bad input: 125, the reason, nothing left behind.
before=$(sk ps -aq | wc -l)
run_split sk run --rm --pod nosuch "$img" true
assert_eq "$status:$stderr" '125:Error: no pod with name or ID nosuch found: no such pod' "--pod nosuch"
run_split sk run --rm --pod p1 --network none "$img" true
assert_eq "$status" 125 "--pod with --network"
assert_contains "$stderr" "network cannot be configured when it is shared with a pod" "--pod --network: message"
run_split sk run --rm --pod p1 -p 9999:80 "$img" true
assert_eq "$status" 125 "--pod with -p"
assert_contains "$stderr" "published or exposed ports must be defined when the pod is created" "--pod -p: message"
run_split sk run --rm --pod p1 --hostname other "$img" true
assert_eq "$status:$stderr" "125:Error: invalid config provided: cannot set hostname when joining the pod UTS namespace" "--pod with --hostname"
assert_eq "$(sk ps -aq | wc -l)" "$before" "nothing left by refused creates"
run_split sk pod create --name p1
assert_eq "$status" 125 "a pod name in use"
assert_contains "$stderr" 'name "p1" is in use: pod already exists' "pod name in use: message"
run_split sk pod create --share pid,bogus
assert_eq "$status" 125 "bad --share"
assert_contains "$stderr" "bogus" "bad --share: message"
run_split sk pod create --exit-policy stop
assert_eq "$status" 125 "--exit-policy stop is refused"
run_split sk pod create --infra=false -p 8000:80
assert_eq "$status" 125 "-p without an infra"
assert_eq "$(sk pod ps -q | wc -l)" 1 "no pod left by refused creates"

# inspect, json, top, logs.
run_split sk pod inspect p1
assert_eq "$status" 0 "pod inspect"
assert_eq "$(echo "$stdout" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Name"], d["State"], d["NumContainers"], ",".join(d["SharedNamespaces"]), d["Labels"]["tier"], d["InfraConfig"]["PortBindings"]["80/tcp"][0]["HostPort"])')" \
  "p1 Running 3 uts,ipc,net front $port" "pod inspect fields"
run_split sk pod ps --format json
assert_eq "$(echo "$stdout" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(len(d), d[0]["Name"], d[0]["Status"], len(d[0]["Containers"]))')" "1 p1 Running 3" "pod ps --format json"
run_split sk pod top p1
assert_contains "$stdout" "__pause" "pod top shows the infra's pause process"
assert_contains "$stdout" "sleep 1000" "pod top shows the members"
sk exec side sh -c 'echo to-the-log > /proc/1/fd/1'
run_split sk pod logs --names p1
assert_contains "$stdout" "side to-the-log" "pod logs --names"

# stop / start / restart / kill.
assert_eq "$(sk pod stop -t 1 p1)" "$pod" "pod stop prints the ID"
assert_eq "$(sk pod ps --format '{{.Status}}')" "Exited" "pod stopped"
assert_eq "$(sk pod ps --filter status=exited -q)" "${pod:0:12}" "pod ps --filter status="
assert_eq "$(sk pod start p1)" "$pod" "pod start prints the ID"
assert_eq "$(sk pod ps --format '{{.Status}}')" "Running" "pod started again"
wait_until 10 sk exec side sh -c 'wget -q -O - http://localhost/ | grep -q hello-from-pod'
# Starting a member starts the infra first.
assert_success sk pod stop -t 1 p1
assert_success sk start side
assert_eq "$(sk inspect -f '{{.State.Status}}' "${pod:0:12}-infra")" running "start of a member starts the infra"
assert_eq "$(sk pod ps --format '{{.Status}}')" "Degraded" "pod ps: degraded"
run_split sk pod stats --no-stream --format '{{.Name}}' p1
assert_eq "$status" 0 "pod stats: $stderr"
assert_contains "$stdout" "side" "pod stats lists the running member"
assert_eq "$(sk pod restart p1)" "$pod" "pod restart"
assert_eq "$(sk pod kill p1)" "$pod" "pod kill"
wait_until 10 sh -c "[ \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' pod ps --format '{{.Status}}')\" = Exited ]"
run_split sk pod kill p1
assert_eq "$status" 125 "pod kill with nothing running"

# --pod new:NAME takes the container's -p; rm refuses a running pod without -f; prune.
assert_success sk run -d --pod new:p2 -p "$((port + 1)):80" --name web2 "$img" sleep 1000
assert_eq "$(sk pod inspect -f '{{.Name}} {{.NumContainers}}' p2)" "p2 2" "--pod new:p2"
assert_contains "$(sk pod inspect p2)" "\"HostPort\": \"$((port + 1))\"" "new:p2 has the port"
run_split sk pod rm p2
assert_eq "$status" 125 "pod rm of a running pod"
assert_contains "$stderr" "has containers that are not ready to be removed" "pod rm: message"
pod2=$(sk pod ps -q --no-trunc --filter name=p2)
assert_eq "$(sk pod rm -f -t 0 p2)" "$pod2" "pod rm -f prints the ID"
assert_status 1 sk pod exists p2
assert_eq "$(sk ps -aq --filter name=web2)" "" "pod rm removed its containers"
assert_eq "$(sk pod prune -f)" "$pod" "pod prune removes the stopped pod"
assert_eq "$(sk ps -aq | wc -l)" 0 "no container left"
assert_eq "$(ls -A "$SKIFF_ROOT/pods")" "" "no pod directory left"
assert_success sk pod rm --ignore nosuch
