#!/usr/bin/env bash
# `tag` and `rmi` with Docker's semantics: tags moving between images, untag versus delete,
# repo digests dropped with a repository's last tag, shared layers kept while another image
# needs them, removal by name, short name, short ID, full ID and repo digest, the "referenced in
# multiple repositories" conflict and -f, several images at once with one failing (non-zero
# exit, the others removed), and a store that checks clean at the end.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry
bb=$(fixture_ref busybox) lay=$(fixture_ref layered) cfg=$(fixture_ref config)
bb_id=$(fixture_image_id busybox) lay_id=$(fixture_image_id layered) cfg_id=$(fixture_image_id config)
for r in "$bb" "$lay" "$cfg"; do assert_success sk pull -q "$r"; done
layers() { find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l; }
n_layers=$(layers)
assert_eq "$n_layers" 5 "busybox, 3 layered layers on it, config's second layer"

# --- tag ----------------------------------------------------------------------------------------
assert_success sk tag "$bb" mybox
assert_eq "$output" "" "tag prints nothing"
assert_success sk tag "${bb_id:7:12}" localhost/mybox:v1
assert_success sk tag "$bb_id" "$REG_HTTP/other/name:t"
run_split sk images --format '{{.Repository}}:{{.Tag}}' --filter "reference=*box*" --filter "reference=*/*box*"
assert_contains "$stdout" "mybox:latest"
assert_contains "$stdout" "localhost/mybox:v1"
run_split sk image inspect --format '{{json .RepoTags}}' "$bb"
assert_eq "$(jq -r 'sort | join(" ")' <<<"$stdout")" "$REG_HTTP/busybox:latest $REG_HTTP/other/name:t localhost/mybox:v1 mybox:latest" \
  "RepoTags: familiar names (docker.io/library/mybox is mybox)"
# A tag moves: mybox now names layered; busybox keeps its other names.
assert_success sk tag "$lay" mybox:latest
assert_eq "$(sk image inspect --format '{{.Id}}' mybox)" "$lay_id" "tag moved"
assert_not_contains "$(sk image inspect --format '{{json .RepoTags}}' "$bb")" '"mybox:latest"'
# Errors.
assert_status 125 sk tag nosuchimage x
assert_contains "$output" "No such image: nosuchimage"
assert_status 125 sk tag "$bb" 'Bad:Name'
assert_contains "$output" "invalid reference format"
assert_status 125 sk tag "$bb" "x@sha256:$(printf '0%.0s' {1..64})"
assert_status 125 sk tag "$bb"

# --- rmi: untag versus delete --------------------------------------------------------------------
# One of several tags: untagged, nothing deleted.
run_split sk rmi localhost/mybox:v1
assert_eq "$status" 0
assert_eq "$stdout" "Untagged: localhost/mybox:v1" "untag one of several tags"
assert_eq "$(layers)" "$n_layers" "no layer deleted"
# By ID while it has several names: refused unless -f.
run_split sk rmi "${bb_id:7:12}"
assert_eq "$status" 125 "rmi <id> of an image with several names"
assert_contains "$stderr" "conflict: unable to delete ${bb_id:7:12} (must be forced) - image is referenced in multiple repositories"
assert_success sk image inspect "$bb"
# By repo digest: only that name goes.
bb_digest=$(fixture_digest busybox)
run_split sk rmi "$REG_HTTP/busybox@$bb_digest"
assert_eq "$stdout" "Untagged: $REG_HTTP/busybox@$bb_digest" "rmi by repo digest"
assert_eq "$(sk image inspect --format '{{json .RepoDigests}}' "$bb")" "[]"

# The last tag of the repository takes its repo digests along (layered has one digest).
lay_digest=$(fixture_digest layered)
assert_success sk rmi mybox   # the short name: docker.io/library/mybox:latest
assert_eq "$output" "Untagged: mybox:latest"
run_split sk rmi "$lay"
assert_eq "$status" 0
mapfile -t ev <<<"$stdout"
assert_eq "${ev[0]}" "Untagged: $lay"
assert_eq "${ev[1]}" "Untagged: $REG_HTTP/layered@$lay_digest"
assert_eq "${ev[2]}" "Deleted: $lay_id" "the image is deleted with its last name"
# Then its own layers, top first, by chain ID; the busybox layer stays (busybox and config use it).
assert_eq "${#ev[@]}" 6 "three layers deleted"
for ((i = 3; i < 6; i++)); do assert_match "${ev[$i]}" '^Deleted: sha256:[0-9a-f]{64}$'; done
assert_eq "$(layers)" $((n_layers - 3)) "layered's own layers are gone, the shared one is kept"
assert_status 125 sk image inspect "$lay"
# busybox still runs from the shared layer.
run_split sk run --rm "$bb" cat /etc/passwd
assert_eq "$status" 0 "busybox runs after layered's removal: $stderr"

# Several at once, one failing: the others are removed, the exit status is non-zero.
assert_success sk tag "$cfg" cfg2
run_split sk rmi cfg2 nosuchimage "$REG_HTTP/other/name:t"
assert_eq "$status" 125 "one of three failed"
assert_eq "$stdout" $'Untagged: cfg2:latest\nUntagged: '"$REG_HTTP/other/name:t" "the others were removed"
assert_eq "$stderr" "Error: No such image: nosuchimage"
# Removing by full ID (one name left): untag and delete.
run_split sk rmi "$bb_id"
assert_eq "$status" 0
assert_eq "$(head -2 <<<"$stdout")" "Untagged: $bb"$'\n'"Deleted: $bb_id" "rmi <full id>"
assert_eq "$(wc -l <<<"$stdout")" 2 "the busybox layer is kept: config uses it"
# -f by ID with several names: every name goes, then the image and its layers.
assert_success sk tag "$cfg" a/b:c
run_split sk rmi -f "${cfg_id:7:12}"
assert_eq "$status" 0
assert_contains "$stdout" "Untagged: a/b:c"
assert_contains "$stdout" "Untagged: $cfg"
assert_contains "$stdout" "Deleted: $cfg_id"
assert_eq "$(layers)" 0 "every layer gone with the last image"
run_split sk images -q
assert_eq "$stdout" "" "empty store"
assert_status 125 sk rmi "$bb"
assert_contains "$output" "No such image: $bb"
assert_success sk system check
assert_contains "$output" "checked 0 layers and 0 images: no problems"
