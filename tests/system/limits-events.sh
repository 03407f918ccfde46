#!/usr/bin/env bash
# events: a run's lifecycle in order with --since (create, start, die with its exit code, and
# destroy for --rm), Docker's line format and {{json .}}, filters, --until; a follower
# (`events` without --since) sees new events as they come and nothing of the past.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
start=$(date +%s.%N)
sk run --name ev1 "$img" sh -c 'exit 3' >/dev/null || true
sk rename ev1 ev2
sk rm ev2 >/dev/null
id=$(sk run --rm -d --name ev3 "$img" true)
wait_until 10 sh -c "! '$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' inspect ev3 >/dev/null 2>&1"
sleep 0.3
run_split sk events --since "$start" --until "$(($(date +%s) + 1))" --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}} {{index .Actor.Attributes "exitCode"}}'
assert_eq "$status" 0 "$stderr"
assert_eq "$(echo "$stdout" | sed 's/ *$//')" "container create ev1
container start ev1
container die ev1 3
container rename ev2
container destroy ev2
container create ev3
container start ev3
container die ev3 0
container destroy ev3"
# Docker's default line and JSON.
line=$(sk events --since "$start" --stream=false --filter event=die --filter container=ev3)
assert_match "$line" "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z container die $id \(exitCode=0, image=[^,]+, name=ev3\)$"
json=$(sk events --since "$start" --stream=false --filter container=ev3 --filter event=create --format '{{json .}}')
assert_match "$json" "^\{\"status\":\"create\",\"id\":\"$id\",\"from\":\"[^\"]+\",\"Type\":\"container\",\"Action\":\"create\",\"Actor\":\{\"ID\":\"$id\",\"Attributes\":\{\"image\":\"[^\"]+\",\"name\":\"ev3\"\}\},\"scope\":\"local\",\"time\":[0-9]+,\"timeNano\":[0-9]+\}$"
assert_eq "$(sk events --since "$start" --stream=false --filter event=start --filter event=create --filter container=ev1 --format '{{.Action}}' | tr '\n' ' ')" "create start "
# Following: only new events.
sk events --filter container=ev4 --format '{{.Action}}' >"$T/follow" 2>&1 &
fpid=$!
defer "kill $fpid 2>/dev/null"
sleep 0.5
sk run --rm --name ev4 "$img" true
wait_until 10 grep -q destroy "$T/follow"
kill $fpid
assert_eq "$(tr '\n' ' ' <"$T/follow")" "create start die destroy "
run_split sk events --filter bogus=1 --stream=false
assert_eq "$status:$stderr" "125:Error: invalid filter 'bogus'"
# Image events and commit (rootful, commit pauses the running container around it).
t0=$(date +%s.%N)
sk tag "$img" evtag:v1
sk rmi evtag:v1 >/dev/null
sk run -d --name ev5 "$img" sleep 100 >/dev/null
sk commit ev5 evcommit:v1 >/dev/null
sk rm -f ev5 >/dev/null
got=$(sk events --since "$t0" --stream=false --format '{{.Type}} {{.Action}}' | grep -v -e 'container kill' -e 'container die' -e 'container stop' | tr '\n' ',')
if [ "$(id -u)" = 0 ]; then
  assert_eq "$got" "image tag,image untag,container create,container start,container pause,container commit,container unpause,container destroy,"
else
  assert_eq "$got" "image tag,image untag,container create,container start,container commit,container destroy,"
fi
