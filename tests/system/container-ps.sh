#!/usr/bin/env bash
# ps as Docker prints it (columns, newest first, quoting and truncation, -a -q -l -n -s
# --no-trunc, --filter, --format incl. json), names (random adjective_surname, unique, a taken
# name is an error naming its holder), rename (running too, by ID prefix), and inspect (keys in
# Docker's order, State, -f templates, errors).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# Empty: the header alone.
run_split sk ps
assert_eq "$stdout" "CONTAINER ID   IMAGE     COMMAND   CREATED   STATUS    PORTS     NAMES"
assert_eq "$(sk ps -aq)" ""

id1=$(sk run -d --name web -l app=demo -l tier=front "$img" sh -c 'while true; do sleep 1; done')
sk run --name ex3 "$img" sh -c 'exit 3' || true
id3=$(sk create --name fresh "$img" echo hi)
id2=$(sk ps -aq --no-trunc --filter name=ex3)

run_split sk ps
assert_match "$stdout" '^CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES
'"${id1:0:12}"'   '"$img"'   "sh -c .while true; …"   (Less than a second|[0-9] seconds?) ago   Up [^ ].*   web$'
run_split sk ps -a --format '{{.Names}}|{{.Status}}|{{.State}}'
assert_match "$stdout" '^fresh\|Created\|created
ex3\|Exited \(3\) [^|]+ ago\|exited
web\|Up [^|]+\|running$' "newest first"
run_split sk ps -aq
assert_eq "$stdout" "${id3:0:12}
${id2:0:12}
${id1:0:12}"
assert_eq "$(sk ps -aq --no-trunc)" "$id3
$id2
$id1"
assert_eq "$(sk ps -l --format '{{.Names}}')" fresh
assert_eq "$(sk ps -n 2 --format '{{.Names}}' | tr '\n' ' ')" "fresh ex3 "
run_split sk ps -a --no-trunc --format '{{.Command}}'
assert_eq "$stdout" "\"echo hi\"
\"sh -c 'exit 3'\"
\"sh -c 'while true; do sleep 1; done'\"" "Docker quotes arguments with spaces"

# Filters: keys AND, repeated values OR (label: AND).
assert_eq "$(sk ps -a --filter status=exited --format '{{.Names}}')" ex3
assert_eq "$(sk ps -a --filter status=created --format '{{.Names}}')" fresh
assert_eq "$(sk ps -a --filter exited=3 --format '{{.Names}}')" ex3
assert_eq "$(sk ps -a --filter exited=0 --format '{{.Names}}')" ""
assert_eq "$(sk ps -a --filter label=app=demo --filter label=tier --format '{{.Names}}')" web
assert_eq "$(sk ps -a --filter label=app=other --format '{{.Names}}')" ""
assert_eq "$(sk ps -a --filter name=^web$ --format '{{.Names}}')" web
assert_eq "$(sk ps -a --filter name=e --format '{{.Names}}' | tr '\n' ' ')" "fresh ex3 web "
assert_eq "$(sk ps -a --filter id="${id2:0:6}" --format '{{.Names}}')" ex3
assert_eq "$(sk ps -a --filter status=exited --filter status=created --format '{{.Names}}' | tr '\n' ' ')" "fresh ex3 "
assert_eq "$(sk ps -a --filter ancestor="$img" -q | wc -l)" 3
assert_eq "$(sk ps -a --filter since=web --format '{{.Names}}' | tr '\n' ' ')" "fresh ex3 "
assert_eq "$(sk ps -a --filter before=fresh --format '{{.Names}}' | tr '\n' ' ')" "ex3 web "
assert_status 125 sk ps --filter bogus=1
assert_contains "$output" "invalid filter 'bogus'"

# --format: fields, Label, table, json (one object per line, string values).
assert_eq "$(sk ps --format '{{.Label "tier"}} {{.Labels}} {{.Networks}} {{.LocalVolumes}}')" "front app=demo,tier=front bridge 0"
run_split sk ps --format 'table {{.Names}}\t{{.State}}'
assert_eq "$stdout" $'NAMES     STATE\nweb       running'
run_split sk ps --format json
assert_match "$stdout" '^\{"Command":"\\"sh -c .*","CreatedAt":"20[0-9-]+ [0-9:]+ \+0000 UTC","ID":"'"${id1:0:12}"'","Image":"'"$img"'","Labels":"app=demo,tier=front","LocalVolumes":"0","Mounts":"","Names":"web","Networks":"bridge","Ports":"","RunningFor":"[^"]+","Size":"[^"]+","State":"running","Status":"Up [^"]+"\}$'
assert_eq "$(sk ps -a --format '{{json .Names}}' | tr '\n' ' ')" '"fresh" "ex3" "web" '
# -s: a SIZE column; the container's own layer grows with what it writes.
sk exec web sh -c 'head -c 2000000 /dev/zero >/big'
run_split sk ps -s --format '{{.Names}} {{.Size}}'
assert_match "$stdout" '^web 2(\.[0-9]+)?MB \(virtual [34](\.[0-9]+)?MB\)$' "-s: the layer, and with the image (1.98MB)"
assert_match "$(sk ps -s | head -1)" 'NAMES +SIZE$'

# Names: random ones are adjective_surname and unique; a taken name names its holder.
for _ in 1 2 3 4 5; do sk create "$img" true >/dev/null; done
names=$(sk ps -a --filter status=created --format '{{.Names}}' | grep -v '^fresh$')
assert_eq "$(echo "$names" | grep -cE '^[a-z]+_[a-z]+[0-9]*$')" 5 "random names: $names"
assert_eq "$(echo "$names" | sort -u | wc -l)" 5
assert_status 125 sk create --name web "$img" true
assert_contains "$output" "the container name \"/web\" is already in use by container \"$id1\""
assert_status 125 sk create --name a "$img" true
assert_contains "$output" "Invalid container name (a)"

# rename: running, by ID prefix, to a taken name (error), to its own name (error).
assert_success sk rename "${id1:0:8}" web2
assert_eq "$(sk ps --format '{{.Names}}')" web2
assert_eq "$(sk inspect -f '{{.Name}}' "$id1")" /web2
assert_success sk create --name web "$img" true  # the old name is free again
assert_status 125 sk rename web2 ex3
assert_contains "$output" "already in use by container \"$id2\""
assert_status 125 sk rename web2 web2
assert_status 125 sk rename nosuch x1
assert_contains "$output" "No such container: nosuch"
assert_status 125 sk rename web2 "bad name"

# inspect: Docker's key order, State, templates, errors.
run_split sk inspect web2
assert_eq "$(echo "$stdout" | sed -n 's/^        "\([A-Za-z]*\)":.*/\1/p' | tr '\n' ' ')" \
  "Id Created Path Args State Image ResolvConfPath HostnamePath HostsPath LogPath Name RestartCount Driver Platform MountLabel ProcessLabel AppArmorProfile ExecIDs HostConfig GraphDriver Mounts Config NetworkSettings "
assert_eq "$(echo "$stdout" | sed -n 's/^            "\([A-Za-z]*\)":.*/\1/p' | head -11 | tr '\n' ' ')" \
  "Status Running Paused Restarting OOMKilled Dead Pid ExitCode Error StartedAt FinishedAt "
assert_match "$stdout" $'^\\[\n    \\{\n        "Id": "'"$id1"$'",\n        "Created": "20[0-9-]+T[0-9:.]+Z",'
run_split sk inspect -f '{{.Name}} {{.State.Status}} {{.State.Running}} {{.Config.Hostname}} {{.Path}} {{index .Args 0}} {{.Config.Labels.app}} {{.HostConfig.NetworkMode}}' web2
assert_eq "$stdout" "/web2 running true ${id1:0:12} sh -c demo bridge"
assert_match "$(sk inspect -f '{{.State.Pid}}' web2)" '^[1-9][0-9]*$'
assert_eq "$(sk inspect -f '{{.State.Status}} {{.State.ExitCode}} {{.State.Pid}} {{.State.Running}}' ex3)" "exited 3 0 false"
assert_match "$(sk inspect -f '{{.State.StartedAt}} {{.State.FinishedAt}}' ex3)" '^20[0-9-]+T[0-9:.]+Z 20[0-9-]+T[0-9:.]+Z$'
assert_eq "$(sk inspect -f '{{.State.Status}} {{.State.StartedAt}}' fresh)" "created 0001-01-01T00:00:00Z"
assert_eq "$(sk inspect -f '{{json .Config.Labels}}' web2)" '{"app":"demo","tier":"front"}'
run_split sk inspect -f '{{.Name}}' web2 ex3
assert_eq "$stdout" $'/web2\n/ex3'
run_split sk inspect nosuch
assert_eq "$status:$stdout" "125:[]"
assert_contains "$stderr" "No such object: nosuch"
run_split sk container inspect nosuch
assert_contains "$stderr" "No such container: nosuch"
