#!/usr/bin/env bash
# One store, one run root. A container started from a login shell (XDG_RUNTIME_DIR set; as
# root, an explicit --runroot) is seen Up, stopped, started and removed from an environment
# without XDG_RUNTIME_DIR (cron, su, a systemd unit with User=): the store records its run root
# and those use it. An explicit --runroot that disagrees is refused while monitors run there.
# Concurrent starts from different run roots give one monitor (the start lock in the store),
# and a monitor whose run root is out of reach shows Up and is never doubled.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(fixture_ref busybox)
mkdir -p "$T/tmp"

if [ "$SKIFF_TEST_ROLE" = rootless ]; then
  # The login shell's run root comes from XDG_RUNTIME_DIR ($T/xdg-run, mode 0700).
  RR=$XDG_RUNTIME_DIR/skiff
  login() { "$SKIFF" --root "$SKIFF_ROOT" "$@"; }
else
  RR=$SKIFF_RUNROOT  # root ignores XDG_RUNTIME_DIR: its default is /run/skiff
  login() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$RR" "$@"; }
fi
# cron: no XDG_RUNTIME_DIR (the fallback would be /run/user/UID or $TMPDIR/skiff-run-UID).
cron() { env -u XDG_RUNTIME_DIR TMPDIR="$T/tmp" "$SKIFF" --root "$SKIFF_ROOT" "$@"; }
other() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/other" "$@"; }
# Where a run root goes out of reach: cron's (root: an explicit one; root's default would be
# the host's /run/skiff).
if [ "$SKIFF_TEST_ROLE" = rootless ]; then away() { cron "$@"; }; else
  away() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/away" "$@"; }; fi
monitors() {  # live monitors of container $1
  local id
  id=$(cron inspect -f '{{.Id}}' "$1")
  pgrep -f -- "__monitor .*/c/${id:0:12}/monitor-config.json" | wc -l
}
state() { "$@" inspect -f '{{.State.Status}} {{.State.Pid}}' web; }

login pull -q "$img" >/dev/null
login run -d --name web "$img" sleep 1000 >/dev/null
up=$(state login)
assert_match "$up" '^running [0-9]+$'
assert_eq "$(cat "$SKIFF_ROOT/runroot.json" | sed -n 's/.*"runRoot":"\([^"]*\)".*/\1/p')" "$RR" "the store records the run root"
# cron sees it running, with its pid; its start is a no-op (one monitor).
assert_eq "$(state cron)" "$up"
assert_match "$(cron ps --format '{{.Names}} {{.Status}}')" '^web Up '
assert_success cron start web
assert_eq "$(monitors web)" 1
assert_eq "$(state login)" "$up"
# cron stops it; the login shell sees it stopped; cron starts it, the login shell sees it up.
assert_success cron stop -t 1 web
assert_match "$(state login)" '^exited 0$'
assert_eq "$(monitors web)" 0
assert_success cron start web
assert_match "$(state login)" '^running [0-9]+$'
assert_eq "$(state cron)" "$(state login)"
assert_eq "$(monitors web)" 1
pid=$(login inspect -f '{{.State.Pid}}' web)
assert_success cron rm -f web
assert_eq "$(login ps -aq)" ""
wait_until 5 sh -c "! kill -0 $pid 2>/dev/null"

# An explicit --runroot that disagrees while a monitor runs in the recorded one: refused,
# naming both and the fix. Once nothing runs there, it takes over.
login run -d --name web "$img" sleep 1000 >/dev/null
assert_status 125 other ps -a
assert_contains "$output" "is used with the run root \`$RR\`"
assert_contains "$output" "--runroot \`$T/other\`"
assert_contains "$output" "Use --runroot $RR"
assert_status 125 other start web
assert_eq "$(monitors web)" 1
assert_success login stop -t 0 web
assert_success other start web
assert_match "$(state other)" '^running '
assert_eq "$(sed -n 's/.*"runRoot":"\([^"]*\)".*/\1/p' "$SKIFF_ROOT/runroot.json")" "$T/other"
# Commands without --runroot follow the record (the login shell's too, rootless).
[ "$SKIFF_TEST_ROLE" = root ] || assert_eq "$(state login)" "$(state other)"
assert_eq "$(state cron)" "$(state other)"
assert_success cron stop -t 0 web

# Concurrent starts from different run roots: one monitor, every time. Both run roots are
# usable (nothing runs in either between rounds), so each start may take the record over.
for round in 1 2 3 4 5; do
  pids=()
  for i in 1 2 3; do
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/ra" start web >/dev/null 2>&1 &
    pids+=($!)
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/rb" start web >/dev/null 2>&1 &
    pids+=($!)
    cron start web >/dev/null 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  assert_eq "$(monitors web)" 1 "round $round: one monitor"
  assert_match "$(state cron)" '^running ' "round $round"
  assert_success cron stop -t 0 web
  assert_eq "$(monitors web)" 0
done

# A run root out of reach (gone, as a tmpfs after a logout, while the monitor lives on): the
# container shows Up from the run root that takes over, is never started twice, and cannot be
# stopped or removed from there (with a message); back in reach, it can.
cur=$T/gone-rr
assert_success "$SKIFF" --root "$SKIFF_ROOT" --runroot "$cur" start web
assert_eq "$(sed -n 's/.*"runRoot":"\([^"]*\)".*/\1/p' "$SKIFF_ROOT/runroot.json")" "$cur"
mv "$cur" "$cur.gone"
assert_match "$(away ps --format '{{.Names}} {{.Status}}')" '^web Up '
assert_success away start web
assert_eq "$(monitors web)" 1
assert_status 125 away stop web
assert_contains "$output" "runs under another run root"
assert_status 125 away rm -f web
assert_eq "$(monitors web)" 1
mv "$cur.gone" "$cur"
id=$(cron inspect -f '{{.Id}}' web)
assert_success "$SKIFF" --root "$SKIFF_ROOT" --runroot "$cur" rm -f web
assert_eq "$(pgrep -f -- "__monitor .*/c/${id:0:12}/monitor-config.json" | wc -l)" 0
assert_eq "$(away ps -aq)" ""

# The same path made anew (a tmpfs lost and mounted again, at logout and login) while the
# monitor lives on in the old one: the container still shows Up and is not started twice.
cur=$T/same-rr
same() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$cur" "$@"; }
same run -d --name web2 "$img" sleep 1000 >/dev/null
mv "$cur" "$cur.old"
assert_match "$(same ps --format '{{.Names}} {{.Status}}')" '^web2 Up '
assert_success same start web2
assert_eq "$(monitors web2)" 1
assert_status 125 same stop web2
assert_contains "$output" "runs under another run root"
rm -rf "$cur"
mv "$cur.old" "$cur"
assert_success same rm -f web2
assert_eq "$(away ps -aq)" ""
