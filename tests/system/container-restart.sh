#!/usr/bin/env bash
# Restart policies, carried out by the monitor (there is no daemon): on-failure:N restarts N
# times and then stays Exited; always keeps restarting (ps shows Restarting between runs and Up
# while it runs) until `stop` ends it; on-failure does not restart after exit 0.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
runs() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" logs "$1" 2>/dev/null | grep -c '^run$' || true; }

# on-failure:2 = three runs in all, then Exited (3); wait returns the last code.
sk run -d --name of --restart on-failure:2 "$img" sh -c 'echo run; sleep 0.3; exit 3' >/dev/null
seen=
for _ in $(seq 100); do
  s=$(ctr_status of)
  case $s in Restarting*) seen="$seen R" ;; Up*) seen="$seen U" ;; Exited*) break ;; esac
  sleep 0.05
done
assert_contains "$seen" "R" "ps showed Restarting between runs"
assert_contains "$seen" "U R" "and Up while running"
run_split sk wait of
assert_eq "$stdout" 3
assert_eq "$(runs of)" 3
assert_match "$(ctr_status of)" '^Exited \(3\) '
assert_eq "$(sk inspect -f '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}' of)" \
  "2 exited 3 on-failure:2"

# on-failure after success: no restart.
sk run -d --name ok --restart on-failure "$img" sh -c 'echo run' >/dev/null
assert_eq "$(sk wait ok)" 0
sleep 0.5
assert_eq "$(runs ok)" 1
assert_match "$(ctr_status ok)" '^Exited \(0\) '

# always: restarts until stopped; stop ends it for good.
sk run -d --name al --restart always "$img" sh -c 'echo run; sleep 0.2; exit 1' >/dev/null
wait_until 15 sh -c "[ \$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs al | grep -c '^run\$') -ge 3 ]"
assert_match "$(ctr_status al)" '^(Up|Restarting \(1\)) '
assert_eq "$(sk inspect -f '{{.State.Restarting}}{{.State.Running}}' al | grep -c true)" 1 "Restarting or Running"
run_split sk ps --filter name=al --format '{{.Names}}'
assert_eq "$stdout" al "ps (without -a) lists a restarting container"
assert_success sk stop -t 1 al
assert_match "$(ctr_status al)" '^Exited '
n=$(runs al)
sleep 1
assert_eq "$(runs al)" "$n" "no restart after stop"
assert_match "$(ctr_status al)" '^Exited '
# Started again by hand, it restarts again; rm -f ends it.
assert_success sk start al
wait_until 10 sh -c "[ \$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs al | grep -c '^run\$') -ge $((n + 2)) ]"
assert_success sk rm -f al
assert_eq "$(sk ps -aq --filter name=al)" ""

# unless-stopped behaves as always here (no daemon restarts), and a bad policy is refused.
sk run -d --name us --restart unless-stopped "$img" sh -c 'echo run; exit 2' >/dev/null
wait_until 10 sh -c "[ \$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs us | grep -c '^run\$') -ge 2 ]"
assert_success sk stop us
assert_status 125 sk run --rm --restart sometimes "$img" true
assert_contains "$output" "invalid restart policy"
assert_status 125 sk run -d --restart always:3 "$img" true
