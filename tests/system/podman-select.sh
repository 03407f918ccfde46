#!/usr/bin/env bash
# Podman's selections on the container verbs: --all/-a, --latest/-l, --filter on start, stop,
# kill, restart, rm and wait; `container|image|volume exists` (exit 0/1, no output); rm -t with
# --force; rm --depend with --requires; wait --condition/--interval; logs of several containers
# with --names; rmi -a/-i; the Podman globals --noout, --tmpdir, --volumepath, --events-backend.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# exists: exit 0/1 and nothing printed.
sk create --name c1 "$img" sleep 100 >/dev/null
run_split sk container exists c1
assert_eq "$status/$stdout/$stderr" "0//" "container exists"
run_split sk container exists nope
assert_eq "$status/$stdout/$stderr" "1//" "missing container"
assert_status 0 sk image exists "$img"
assert_status 1 sk image exists nosuchimage:1
sk volume create v1 >/dev/null
assert_status 0 sk volume exists v1
assert_status 1 sk volume exists v2

# no container and no selection: Docker's usage error.
assert_status 125 sk stop
assert_contains "$output" '"skiff stop" requires at least 1 argument.'
assert_status 125 sk rm -a c1
assert_contains "$output" "cannot be used together"

# start --all, stop -a, kill -a print the full IDs of what they act on.
sk create --name c2 "$img" sleep 100 >/dev/null
id1=$(ctr_id c1) id2=$(ctr_id c2)
run_split sk start --all
assert_eq "$(echo "$stdout" | sort)" "$(printf '%s\n%s\n' "$id1" "$id2" | sort)" "start --all"
assert_eq "$(sk ps -q --no-trunc | sort)" "$(printf '%s\n%s\n' "$id1" "$id2" | sort)"
run_split sk stop -t 0 --filter name=c2
assert_eq "$stdout" "$id2" "stop --filter"
assert_match "$(ctr_status c2)" '^Exited'
assert_match "$(ctr_status c1)" '^Up'
run_split sk kill -a
assert_eq "$stdout" "$id1" "kill -a: only the running one"
sk wait c1 >/dev/null
# restart -l acts on the newest (c2); wait --condition running returns at once.
run_split sk restart -t 0 -l
assert_eq "$stdout" "$id2"
run_split sk wait --condition running --interval 50ms c2
assert_eq "$status/$stdout" "0/-1" "wait --condition running"
assert_status 125 sk wait --condition bogus c2
assert_contains "$output" "not a valid wait condition"
# wait --condition stopped after a kill gives the exit code.
sk kill c2 >/dev/null
run_split sk wait --condition=stopped,exited -i 100 c2
assert_eq "$stdout" 137 "wait --condition stopped"

# logs of several containers, --names prefixes.
sk run --name l1 "$img" echo one >/dev/null
sk run --name l2 "$img" echo two >/dev/null
run_split sk logs --names l1 l2
assert_eq "$stdout" "$(printf 'l1 one\nl2 two')"

# rm -t 0 -f on a running container; rm --depend takes the dependents too.
sk run -d --name r1 "$img" sleep 100 >/dev/null
assert_success sk rm -t 0 -f r1
assert_status 1 sk container exists r1
sk create --name base "$img" sleep 100 >/dev/null
sk create --name dep --requires base "$img" sleep 100 >/dev/null
# start of a container starts what it requires first.
assert_success sk start dep
assert_match "$(ctr_status base)" '^Up'
assert_status 125 sk rm -f base
run_split sk rm -f -t 0 --depend base
assert_eq "$status" 0
assert_status 1 sk container exists dep
assert_status 1 sk container exists base

# rm --all --force empties the containers; rmi -a -f the images.
sk run -d --name r2 "$img" sleep 100 >/dev/null
assert_success sk rm -t 0 --all --force
assert_eq "$(sk ps -aq)" "" "rm --all --force"
assert_success sk rmi -i nosuchimage:1
assert_success sk rmi -a -f
assert_eq "$(sk images -q)" "" "rmi -a -f"

# globals
run_split sk --noout volume ls -q
assert_eq "$status/$stdout" "0/" "--noout"
assert_status 125 sk --events-backend bogus ps
assert_success sk --events-backend file --runtime-flag debug ps
assert_success sk --volumepath "$SKIFF_ROOT/volumes" volume ls
assert_status 125 sk --volumepath /tmp/elsewhere volume ls
assert_contains "$output" "skiff keeps volumes in the store"
assert_status 125 sk --tmpdir "$T/nope" ps
