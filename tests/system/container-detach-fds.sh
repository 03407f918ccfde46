#!/usr/bin/env bash
# `run -d` and `exec -d` return at once and their monitors keep none of the caller's fds:
# `skiff run -d … | cat`, or a script reading a pipe the command inherited (fd 7 here) until
# EOF, finish while the container runs on.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

ms() { echo $(($(date +%s%N) / 1000000)); }
quick() {  # WHAT START: the pipe reached EOF well before the container's 30 s
  local took=$(($(ms) - $2))
  [ "$took" -lt 10000 ] || fail "$1: the caller's pipe stayed open ${took} ms (until the container exited)"
}

t0=$(ms)
{ sk run -d --name d1 "$img" sleep 30 >/dev/null; } 7>&1 | cat
quick "run -d with an inherited fd 7" "$t0"
t0=$(ms)
id=$(sk run -d --name d2 "$img" sleep 30 | cat)
quick "run -d | cat" "$t0"
assert_match "$id" '^[0-9a-f]{64}$'
t0=$(ms)
{ sk exec -d d1 sleep 30; } 7>&1 | cat
quick "exec -d with an inherited fd 7" "$t0"

# Neither monitor holds a file the caller had open (fd 9 on a marker file).
: >"$T/marker"
sk run -d --name d3 "$img" sleep 30 9>"$T/marker" >/dev/null
sk exec -d d3 sleep 30 9>"$T/marker"
sleep 0.2
for pid in $(pgrep -f "__monitor $SKIFF_RUNROOT" || true); do
  if ls -l "/proc/$pid/fd" 2>/dev/null | grep -q "$T/marker"; then fail "monitor $pid holds the caller's fd 9"; fi
done
[ -n "$(pgrep -f "__monitor $SKIFF_RUNROOT" || true)" ] || fail "no monitor found to check"
sk rm -f d1 d2 d3 >/dev/null
