#!/usr/bin/env bash
# Three pulls of the same image at once all succeed and store it once: one directory per layer,
# one image record, its names, nothing left in staging, and a clean check. Done for layered (four
# layers extracted in parallel, a shared base) and for big (one 64 MiB layer), and for two images
# sharing their base layer pulled at the same time.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry

layer_dirs() { find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 | wc -l; }
image_dirs() { find "$SKIFF_ROOT/images" -mindepth 1 -maxdepth 1 | wc -l; }

# pull3 REF...: one background pull per REF, all started together; each must succeed.
pulls() {
  local pids=() i=0 r
  for r in "$@"; do
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" pull "$r" >"$T/pull.$i.out" 2>&1 &
    pids+=($!)
    i=$((i + 1))
  done
  for ((i = 0; i < ${#pids[@]}; i++)); do
    wait "${pids[$i]}" || fail "concurrent pull $i of $* failed: $(cat "$T/pull.$i.out")"
  done
}

lay=$(fixture_ref layered)
pulls "$lay" "$lay" "$lay"
for i in 0 1 2; do
  assert_contains "$(cat "$T/pull.$i.out")" "Digest: $(fixture_digest layered)" "pull $i"
done
assert_eq "$(layer_dirs)" 4 "layered's four layers, once each"
assert_eq "$(image_dirs)" 1 "one image record"
run_split sk images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
assert_eq "$stdout" "$lay $(fixture_image_id layered | cut -c8-19)"
assert_success sk image inspect --format '{{len .RepoDigests}}' "$lay"
assert_eq "$output" 1 "the repo digest, once"
assert_eq "$(find "$SKIFF_ROOT/staging" -mindepth 1 | wc -l)" 0 "nothing left in staging"
assert_success sk system check
assert_contains "$output" "checked 4 layers and 1 images: no problems"

big=$(fixture_ref big)
pulls "$big" "$big" "$big"
assert_eq "$(layer_dirs)" 5 "big's layer, once"
assert_eq "$(image_dirs)" 2
assert_eq "$(find "$SKIFF_ROOT/staging" -mindepth 1 | wc -l)" 0 "nothing left in staging"

# Two images sharing the busybox layer, pulled at the same time, from an empty store.
assert_success sk rmi "$lay" "$big"
assert_eq "$(layer_dirs)" 0
bb=$(fixture_ref busybox) cfg=$(fixture_ref config) zstd=$(fixture_ref zstd)
pulls "$bb" "$cfg" "$zstd" "$cfg" "$bb"
assert_eq "$(layer_dirs)" 3 "busybox's layer shared, config's and zstd's own"
assert_eq "$(image_dirs)" 3
assert_eq "$(sk images --format '{{.Repository}}:{{.Tag}}' | sort)" "$(printf '%s\n' "$bb" "$cfg" "$zstd" | sort)"
assert_success sk system check
assert_contains "$output" "checked 3 layers and 3 images: no problems"
run_split sk run --rm "$cfg"
assert_eq "$stdout" "entry cmd-default" "the config fixture runs"
