#!/usr/bin/env bash
# Units' flags: `run -d --replace --name N` replaces a running container of that name (no
# stale container or name left); `run --cidfile` takes an empty file but refuses a non-empty
# one; --pidfile and --conmon-pidfile hold the container's and the monitor's pids;
# stop/kill/start/rm --cidfile, with --ignore for a missing file or container; the cidfile
# outlives its container (Docker's; a unit's ExecStartPre removes it).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# --replace: the second run takes the name from the first (running) one.
first=$(sk run -d --name web "$img" sleep 100)
assert_status 125 sk run -d --name web "$img" sleep 100
assert_contains "$output" "is already in use by container"
second=$(sk run -d --replace --name web "$img" sleep 100)
assert_ne "$second" "$first"
assert_eq "$(sk ps -a --format '{{.ID}} {{.Names}}' --no-trunc)" "$second web" "only the new container is left"
# --replace without a container of that name just creates it.
assert_success sk run -d --replace --name fresh "$img" true
assert_status 125 sk run -d --replace "$img" true
assert_contains "$output" "--name"

# --cidfile: an empty file is fine (a unit's leftover), a non-empty one is refused.
: >"$T/cid"
assert_success sk run -d --cidfile "$T/cid" --pidfile "$T/pid" --conmon-pidfile "$T/mpid" --name svc "$img" sleep 100
id=$(cat "$T/cid")
assert_match "$id" '^[0-9a-f]{64}$'
assert_eq "$(cat "$T/pid")" "$(sk inspect -f '{{.State.Pid}}' svc)" "--pidfile"
assert_eq "$(cat "$T/mpid")" "$(ctr_monitor_pid svc)" "--conmon-pidfile"
assert_status 125 sk run -d --cidfile "$T/cid" "$img" true
assert_contains "$output" "container ID file found"

# kill/stop/start/rm by --cidfile.
assert_success sk kill --cidfile "$T/cid" -s TERM
assert_success sk stop -t 1 --cidfile "$T/cid"
assert_eq "$(ctr_status svc | cut -d' ' -f1)" Exited
assert_success sk start --cidfile "$T/cid"
assert_match "$(ctr_status svc)" '^Up '
assert_success sk stop --ignore -t 0 --cidfile "$T/cid"
assert_success sk rm -f --ignore -t 10 --cidfile "$T/cid"
assert_file "$T/cid" "the cidfile outlives the container"
assert_status 125 sk inspect svc
assert_status 125 sk stop --cidfile "$T/cid"
assert_contains "$output" "No such container"
assert_success sk stop --ignore --cidfile "$T/cid"
rm "$T/cid"

# --ignore: a missing cidfile or container is no error (and prints nothing); without it, both are.
assert_status 125 sk stop --cidfile "$T/cid"
assert_contains "$output" "$T/cid"
run_split sk stop --ignore --cidfile "$T/cid"
assert_eq "$status" 0
assert_eq "$stdout$stderr" ""
assert_success sk rm -f --ignore --cidfile "$T/cid"
assert_success sk kill --ignore --cidfile "$T/cid"
assert_success sk start --ignore --cidfile "$T/cid"
echo "$id" >"$T/gone"
assert_status 125 sk rm --cidfile "$T/gone"
assert_contains "$output" "No such container"
run_split sk rm -i --cidfile "$T/gone"
assert_eq "$status" 0
assert_eq "$stdout$stderr" ""
assert_status 125 sk stop
assert_contains "$output" "requires at least 1 argument"

# A generated unit's cycle: ExecStartPre rm cidfile, run --replace, ExecStop, ExecStopPost.
for _ in 1 2 3; do
  rm -f "$T/unit.ctr-id"
  assert_success sk run --cidfile="$T/unit.ctr-id" --rm -d --replace --name cycle "$img" sleep 100
  assert_success sk stop --ignore -t 1 --cidfile="$T/unit.ctr-id"
  assert_success sk rm -f --ignore -t 10 --cidfile="$T/unit.ctr-id"
done
assert_eq "$(sk ps -a --filter name=cycle -q)" "" "no stale container after three cycles"
