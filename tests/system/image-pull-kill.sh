#!/usr/bin/env bash
# A pull killed with kill -9 part-way leaves a consistent store: the big fixture's layer response
# is held (tests/tools/cutproxy --stall-after) at several byte offsets, from inside the response
# headers to near the end of the blob, and skiff is killed there; other pulls of layered are
# killed after a range of delays (to land in extraction and publication too). After each kill:
# nothing of the killed process keeps running, `images` lists only complete images, `system
# check` passes (it lists the staging leftovers, which the next writer sweeps), and the repeated
# pulls complete and leave nothing behind.
# harness: timeout=600
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry

m=$FIXTURES_DIR/oci/big/blobs/sha256/$(fixture_digest big | cut -c8-)
layer=$(jq -r '.layers[0].digest' "$m")
size=$(jq -r '.layers[0].size' "$m")

offsets=(200 $((1 << 20)) $((24 << 20)) $((size - (1 << 20))))
pf=$T/proxy.port
log=$T/proxy.log
args=()
for o in "${offsets[@]}"; do args+=(--stall-after "$o"); done
"$SKIFF_TOOLS/cutproxy" --target "$REG_HTTP" --port-file "$pf" --log "$log" --match "/blobs/$layer" "${args[@]}" &
for _ in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.02; done
PROXY=127.0.0.1:$(cat "$pf")
cat >>"$XDG_CONFIG_HOME/containers/registries.conf" <<EOF

[[registry]]
location = "$PROXY"
insecure = true
EOF
ref=$PROXY/big:latest

# Processes still running with this test's store on their command line (the killed pull's
# helpers would show up here: they are forks of it).
leftover_procs() {
  local p
  for p in /proc/[0-9]*; do
    [ "${p#/proc/}" = $$ ] && continue
    { tr '\0' ' ' <"$p/cmdline"; } 2>/dev/null | grep -qF -- "--root $SKIFF_ROOT " && echo "${p#/proc/}"
  done
  return 0
}

# After a kill: only complete images listed; check finds nothing but staging leftovers.
check_after_kill() {  # WHAT EXPECTED_IMAGES
  local what=$1 want=$2 i
  for i in $(seq 1 50); do [ -z "$(leftover_procs)" ] && break; sleep 0.1; done
  assert_eq "$(leftover_procs)" "" "$what: no process of the killed pull is left"
  run_split sk images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$status" 0 "$what: images"
  assert_eq "$(sort <<<"$stdout")" "$want" "$what: images lists complete images only"
  run_split sk system check
  sed 's/^/  | /' <<<"$stdout" >&2   # into the test's log
  assert_eq "$status" 0 "$what: system check passes"
  local problems
  problems=$(grep -v '^checked ' <<<"$stdout" |
    grep -v '^staging/[^ ]*: left over by an interrupted operation (removed by the next write, or --repair)$' || true)
  assert_eq "$problems" "" "$what: system check finds nothing but staging leftovers"
  assert_match "$(tail -1 <<<"$stdout")" '^checked [0-9]+ layers and [0-9]+ images: no problems( \([0-9]+ leftover\(s\) of an interrupted operation\))?$' \
    "$what: check is clean"
}

n=0
for o in "${offsets[@]}"; do
  n=$((n + 1))
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" pull "$ref" >"$T/pull.out" 2>&1 &
  pid=$!
  for _ in $(seq 1 600); do
    [ "$(grep -c ' stalled after ' "$log")" -ge $n ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  assert_eq "$(grep -c ' stalled after ' "$log")" "$n" "the response stalled at offset $o: $(cat "$T/pull.out")"
  sleep 0.3   # let the extractor catch up with what it has
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  check_after_kill "killed at byte $o" ""
done

# Killed after a delay, straight from the registry (no stall): anywhere in download, extraction
# or publication of layered's four layers.
lay=$(fixture_ref layered)
# How long a whole pull takes here: the kills are spread over it.
t0=$EPOCHREALTIME
assert_success sk pull -q "$lay"
full_ms=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%d", (b - a) * 1000}')
assert_success sk rmi "$lay"
echo "a pull of layered takes ${full_ms} ms" >&2
for tenth in 1 2 3 4 5 6 7 8 9; do
  delay=$(awk -v ms="$full_ms" -v k="$tenth" 'BEGIN {printf "%.3f", ms * k / 10000}')
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" pull "$lay" >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  listed=$(sk images --format '{{.Repository}}:{{.Tag}}')
  # Either the pull finished before the kill, or nothing is listed.
  [ -z "$listed" ] || assert_eq "$listed" "$lay" "killed after ${delay}s"
  check_after_kill "layered killed after ${delay}s" "$listed"
  # Start from nothing again (unless it completed: then remove it).
  [ -z "$listed" ] || assert_success sk rmi "$lay"
done

# The repeated pulls complete, and the store is clean afterwards (the staging leftovers swept).
run_split sk pull "$ref"
assert_eq "$status" 0 "the repeated pull completes: $stderr"
assert_contains "$stdout" "Digest: $(fixture_digest big)"
assert_success sk pull -q "$lay"
assert_eq "$(sk images --format '{{.Repository}}:{{.Tag}}' | sort)" "$(printf '%s\n' "$ref" "$lay" | sort)"
assert_success sk system check
assert_eq "$(tail -1 <<<"$output")" "checked 5 layers and 2 images: no problems" "clean after the repeated pulls"
assert_eq "$(find "$SKIFF_ROOT/staging" -mindepth 1 | wc -l)" 0 "staging is empty"
run_split sk run --rm "$ref" sh -c 'wc -c </big/random.bin'
assert_eq "$stdout" $((64 << 20)) "the big layer is whole"
