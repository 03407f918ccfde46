#!/usr/bin/env bash
# After a reboot (simulated: every monitor and container killed, then another boot_id in the run
# root; or the run root gone) containers show as exited or created, never running, and can be
# started and removed. A monitor.json naming a live process that is not ours (pid reuse) never
# makes a container look alive, and kill/stop never signal that process.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
statuses() { sk ps -a --format '{{.Names}} {{.State}} {{.Status}}' | sort; }

sk run -d --name up1 "$img" sleep 1000 >/dev/null
sk run -d --name up2 --restart always "$img" sleep 1000 >/dev/null
sk run --name ex0 "$img" true
sk create --name cr "$img" sleep 1000 >/dev/null
pids="$(sk inspect -f '{{.State.Pid}}' up1) $(sk inspect -f '{{.State.Pid}}' up2)"

# Another run root while monitors run in the recorded one: refused (it would show them all
# exited, and start second copies); see container-runroot.sh.
assert_status 125 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/other-runroot" ps -a
assert_contains "$output" "is used with the run root \`$SKIFF_RUNROOT\`"

# The reboot: monitors and containers die, the boot ID changes.
for n in up1 up2; do kill -9 "$(ctr_monitor_pid $n)"; done
for p in $pids; do wait_until 5 sh -c "! kill -0 $p 2>/dev/null || grep -q '^State:[[:space:]]*Z' /proc/$p/status"; done
echo 00000000-0000-4000-8000-000000000000 >"$SKIFF_RUNROOT/boot_id"
run_split statuses
assert_eq "$status" 0
assert_match "$stdout" '^cr created Created
ex0 exited Exited \(0\) [^
]+ ago
up1 exited Exited \(255\)
up2 exited Exited \(255\)$'
assert_eq "$(sk inspect -f '{{.State.Running}} {{.State.Pid}}' up1)" "false 0"
assert_eq "$(sk ps -q)" ""
# Start them again (the first write command takes the run root over for this boot).
assert_success sk start up1 cr
assert_success sk start ex0
assert_match "$(ctr_status up1)" '^Up '
assert_match "$(ctr_status cr)" '^Up '
assert_eq "$(cat "$SKIFF_RUNROOT/boot_id")" "$(cat /proc/sys/kernel/random/boot_id)"
assert_success sk rm -f up1 up2 ex0 cr
assert_eq "$(sk ps -aq)" ""

# The run root gone with the tmpfs (and its monitors with the reboot): another run root takes
# over, and sees nothing running.
sk run -d --name up3 "$img" sleep 1000 >/dev/null
sk run --name ex3 "$img" true
kill -9 "$(ctr_monitor_pid up3)"
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -a --format '{{.Names}} {{.State}}' | grep -qx 'up3 exited'"
rm -rf "$SKIFF_RUNROOT"
run_split "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/other-runroot" ps -a --format '{{.Names}} {{.State}}'
assert_eq "$(echo "$stdout" | sort)" "ex3 exited
up3 exited"
assert_success "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/other-runroot" start up3
assert_success "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/other-runroot" rm -f up3 ex3

# pid reuse: a monitor.json that names a live process which is not the container's monitor.
sk run -d --name pr "$img" sleep 1000 >/dev/null
f=$(ctr_rundir pr)/monitor.json
cp "$f" "$T/monitor.json.orig"
kill -9 "$(ctr_monitor_pid pr)"
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -a --format '{{.Names}} {{.State}}' | grep -qx 'pr exited'"
sleep 1000 &
other=$!
defer kill "$other"
# The live process takes the recorded pids; the recorded start times are the old ones.
sed -e "s/\"monitorPid\":[0-9]*/\"monitorPid\":$other/" -e "s/\"pid\":[0-9]*/\"pid\":$other/" \
  "$T/monitor.json.orig" >"$f"
assert_match "$(ctr_status pr)" '^Exited \(255\)' "a reused pid is not our monitor"
# Even without a start time to compare, an unknown process is never taken for ours.
sed -e "s/\"monitorStart\":[0-9]*/\"monitorStart\":0/" -e "s/\"pidStart\":[0-9]*/\"pidStart\":0/" -i "$f"
assert_match "$(ctr_status pr)" '^Exited \(255\)'
assert_status 125 sk kill pr
assert_success sk stop pr
assert_success sk rm -f pr
kill -0 "$other" || fail "skiff signalled a process that is not its container"
