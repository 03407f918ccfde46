#!/usr/bin/env bash
# `image prune`: asks first (y/N) unless -f; removes dangling images (no tag) by default and every
# unused image with -a; honours --filter until= and label=; prints Docker's "Deleted Images:"
# block and "Total reclaimed space"; keeps layers other images still use.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
bb=$(fixture_ref busybox) lay=$(fixture_ref layered) cfg=$(fixture_ref config)
bb_id=$(fixture_image_id busybox) lay_id=$(fixture_image_id layered) cfg_id=$(fixture_image_id config)
for r in "$bb" "$lay" "$cfg"; do assert_success sk pull -q "$r"; done
layers() { find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l; }

# Nothing dangling: nothing removed.
run_split sk image prune -f
assert_eq "$status" 0
assert_eq "$stdout" "Total reclaimed space: 0B" "nothing to prune"

# Make layered dangling: its tag moves to busybox; it keeps only its repo digest.
assert_success sk tag "$bb" "$lay"
run_split sk images --format '{{.Repository}} {{.Tag}} {{.ID}}' --filter dangling=true
assert_eq "$stdout" "$REG_HTTP/layered <none> ${lay_id:7:12}" "layered is known only by its digest"

# Without -f it asks; "n" keeps everything.
run_split sh -c "echo n | \"\$SKIFF\" --root \"\$SKIFF_ROOT\" --runroot \"\$SKIFF_RUNROOT\" image prune"
assert_eq "$status" 0
assert_contains "$stderr" "WARNING! This will remove all dangling images."
assert_contains "$stderr" "Are you sure you want to continue? [y/N]"
assert_success sk image inspect "$lay_id"

# "y": the dangling image and its own layers go; the busybox layer stays.
n=$(layers)
run_split sh -c "echo y | \"\$SKIFF\" --root \"\$SKIFF_ROOT\" --runroot \"\$SKIFF_RUNROOT\" image prune"
assert_eq "$status" 0
mapfile -t out <<<"$stdout"
assert_eq "${out[0]}" "Deleted Images:"
assert_eq "${out[1]}" "untagged: $REG_HTTP/layered@$(fixture_digest layered)"
assert_eq "${out[2]}" "deleted: $lay_id"
assert_match "${out[-1]}" '^Total reclaimed space: [0-9.]+(B|kB|MB)$'
assert_eq "${out[-2]}" "" "a blank line before the total"
assert_eq "$(layers)" $((n - 3)) "layered's three own layers are gone"
assert_status 125 sk image inspect "$lay_id"

# -a with filters: label= keeps what does not match; until= keeps what is newer.
run_split sk image prune -a -f --filter label=nosuch.label
assert_eq "$stdout" "Total reclaimed space: 0B" "label filter matching nothing"
run_split sk image prune -a -f --filter until=2020-01-01T00:00:00Z
assert_eq "$stdout" "Total reclaimed space: 0B" "every image is newer than 2020"
run_split sk image prune -a -f --filter label=skiff.fixture=config
assert_eq "$status" 0
assert_contains "$stdout" "untagged: $cfg"
assert_contains "$stdout" "deleted: $cfg_id"
assert_success sk image inspect "$bb"
run_split sk image prune -f --filter bogus=1
assert_eq "$status" 125 "unknown prune filter"

# -a without filters: everything unused goes.
run_split sk image prune -a -f
assert_eq "$status" 0
assert_contains "$stdout" "deleted: $bb_id"
assert_eq "$(layers)" 0 "no layer left"
run_split sk images -q
assert_eq "$stdout" ""
assert_success sk system check
