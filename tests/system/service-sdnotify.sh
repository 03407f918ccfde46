#!/usr/bin/env bash
# systemd's notify protocol without systemd (a fake NOTIFY_SOCKET listener, tests/tools/sdnotify):
# --sdnotify=conmon (the default) sends MAINPID=<monitor> and READY=1 from the monitor once the
# container runs; =container relays the container's own READY=1 (with MAINPID=<monitor>, never
# the container's); =ignore sends nothing; exec sessions never notify. The monitor, reaped as
# systemd would reap a unit's main process, exits with the container's code, and SIGTERM to it
# reaches the container and ends it for good (no restart by policy).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
tool=$SKIFF_TOOLS/sdnotify
[ -x "$tool" ] || skip "tests/tools/sdnotify not built (make tools)"
cp "$tool" "$T/sdnotify" && chmod 755 "$T/sdnotify"

listen() {  # NAME: a listener at $T/NAME.sock logging to $T/NAME.log
  "$tool" listen "$T/$1.sock" >"$T/$1.log" &
  wait_until 5 test -S "$T/$1.sock"
}

# conmon (the default): MAINPID and READY from the monitor.
listen conmon
NOTIFY_SOCKET=$T/conmon.sock sk run -d --name c1 "$img" sleep 100 >/dev/null
wait_until 10 grep -q READY=1 "$T/conmon.log"
mpid=$(ctr_monitor_pid c1)
assert_contains "$(cat "$T/conmon.log")" "$mpid MAINPID=$mpid"
assert_contains "$(cat "$T/conmon.log")" "$mpid READY=1"
# An exec session under the same socket sends nothing.
: >"$T/conmon.log"
NOTIFY_SOCKET=$T/conmon.sock sk exec c1 true
sleep 0.5
assert_eq "$(cat "$T/conmon.log")" "" "exec sessions do not notify"

# ignore: nothing at all.
listen ignore
NOTIFY_SOCKET=$T/ignore.sock sk run -d --sdnotify=ignore --name c2 "$img" sleep 100 >/dev/null
sleep 1
assert_eq "$(cat "$T/ignore.log")" "" "--sdnotify=ignore"

# container: MAINPID at once, READY only when the container sends it (relayed by the monitor).
listen ctr
NOTIFY_SOCKET=$T/ctr.sock sk run -d --sdnotify=container --name c3 -v "$T/sdnotify:/sdnotify:ro" "$img" \
  sh -c 'test "$NOTIFY_SOCKET" = /run/notify/notify.sock || exit 9; sleep 1; /sdnotify send "MAINPID=1
STATUS=warming up"; sleep 1; /sdnotify send READY=1; sleep 100' >/dev/null
mpid=$(ctr_monitor_pid c3)
wait_until 10 grep -q MAINPID "$T/ctr.log"
assert_not_contains "$(cat "$T/ctr.log")" READY "no READY before the container sends it"
wait_until 10 grep -q READY=1 "$T/ctr.log"
log=$(cat "$T/ctr.log")
assert_contains "$log" "$mpid MAINPID=$mpid"
assert_contains "$log" "$mpid STATUS=warming up"
assert_contains "$log" "$mpid READY=1"
assert_not_contains "$log" "MAINPID=1"$'\n' "the container's own MAINPID is dropped"
assert_status 125 sk run --sdnotify=bogus "$img" true
assert_contains "$output" "conmon, container, healthy or ignore"

# The monitor's exit status is the container's (systemd's Restart=on-failure sees it).
listen exit
NOTIFY_SOCKET=$T/exit.sock "$tool" supervise "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" \
  run -d --name c4 "$img" sh -c 'sleep 1; exit 3' >"$T/sup.log"
mpid=$(awk '/MAINPID=/ {sub("MAINPID=", "", $2); print $2}' "$T/exit.log")
assert_contains "$(cat "$T/sup.log")" "$mpid exited 3" "the monitor exits with the container's code"

# SIGTERM to the monitor (systemctl stop) reaches the container, which is not restarted.
listen term
(NOTIFY_SOCKET=$T/term.sock "$tool" supervise "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" \
  run -d --restart always --name c5 "$img" sh -c 'trap "exit 7" TERM; while :; do sleep 0.1; done' >"$T/sup5.log") &
wait_until 10 grep -q READY=1 "$T/term.log"
mpid=$(awk '/MAINPID=/ {sub("MAINPID=", "", $2); print $2}' "$T/term.log")
kill -TERM "$mpid"
wait_until 10 grep -q "^$mpid " "$T/sup5.log"
assert_contains "$(cat "$T/sup5.log")" "$mpid exited 7"
assert_match "$(ctr_status c5)" '^Exited \(7\)'
