#!/usr/bin/env bash
# Concurrency: 50 parallel `run -d` all succeed with unique IDs and names; `ps` in a loop never
# fails while other processes `rm -f` and `rename` containers; concurrent creates of one name
# and concurrent renames to one name have exactly one winner.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
mkdir "$T/par"

t0=$EPOCHREALTIME
for i in $(seq 50); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run -d "$img" sleep 1000 >"$T/par/$i.out" 2>"$T/par/$i.err" &
done
fails=0
for job in $(jobs -p); do wait "$job" || fails=$((fails + 1)); done
elapsed=$(awk "BEGIN {printf \"%.2f\", $EPOCHREALTIME - $t0}")
echo "50 parallel run -d: ${elapsed}s" >&2
assert_eq "$fails" 0 "failed runs: $(cat "$T"/par/*.err)"
assert_eq "$(cat "$T"/par/*.out | grep -cE '^[0-9a-f]{64}$')" 50
assert_eq "$(cat "$T"/par/*.out | sort -u | wc -l)" 50 "unique IDs"
run_split sk ps --format '{{.Names}}'
assert_eq "$(echo "$stdout" | wc -l)" 50 "all 50 running"
assert_eq "$(echo "$stdout" | sort -u | wc -l)" 50 "unique names"

# ps in a loop while others remove and rename.
ids=($(sk ps -q))
(
  fails=0
  while [ ! -e "$T/stop-ps" ]; do
    out=$("$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a --format '{{.ID}} {{.Names}} {{.Status}}' 2>&1) ||
      { echo "ps failed: $out"; fails=$((fails + 1)); }
    if echo "$out" | grep -qiE 'error|warning'; then echo "ps said: $out"; fails=$((fails + 1)); fi
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a -q >/dev/null 2>&1 || fails=$((fails + 1))
  done
  echo "$fails" >"$T/ps-fails"
) >"$T/ps-loop.log" 2>&1 &
psloop=$!
for i in $(seq 0 24); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" rm -f "${ids[$i]}" >/dev/null 2>>"$T/rm.err" &
done
for i in $(seq 25 49); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" rename "${ids[$i]}" "renamed-$i" 2>>"$T/rename.err" &
done
for job in $(jobs -p); do [ "$job" = "$psloop" ] || wait "$job"; done
touch "$T/stop-ps"
wait "$psloop"
assert_eq "$(cat "$T/ps-fails")" 0 "ps during rm/rename: $(cat "$T/ps-loop.log")"
assert_eq "$(cat "$T/rm.err" "$T/rename.err")" "" "errors from rm -f / rename"
run_split sk ps -a --format '{{.Names}}'
assert_eq "$(echo "$stdout" | grep -c '^renamed-')" 25
assert_eq "$(echo "$stdout" | wc -l)" 25

# One name, ten creates at once: one wins, the others name it.
pids=()
for i in $(seq 10); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" create --name same "$img" true >"$T/par/same.$i" 2>&1 &
  pids+=($!)
done
wins=0
for p in "${pids[@]}"; do wait "$p" && wins=$((wins + 1)) || true; done
assert_eq "$wins" 1 "exactly one create --name same succeeds"
assert_eq "$(cat "$T"/par/same.* | grep -c 'is already in use by container')" 9
# Ten renames to one name at once: one wins.
pids=()
for i in $(seq 25 34); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" rename "renamed-$i" target >/dev/null 2>&1 &
  pids+=($!)
done
wins=0
for p in "${pids[@]}"; do wait "$p" && wins=$((wins + 1)) || true; done
assert_eq "$wins" 1 "exactly one rename to the same name succeeds"
assert_eq "$(sk ps -a --format '{{.Names}}' | grep -c '^target$')" 1

# Everything goes away, in parallel too.
for id in $(sk ps -aq); do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" rm -f "$id" >/dev/null 2>>"$T/rm2.err" &
done
wait
assert_eq "$(cat "$T/rm2.err")" ""
assert_eq "$(sk ps -aq)" ""
assert_eq "$(ls -A "$SKIFF_ROOT/names/containers")" ""
