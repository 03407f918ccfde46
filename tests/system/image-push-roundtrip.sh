#!/usr/bin/env bash
# Pull → push → pull keeps every digest, through every registry variant: busybox pulled from the
# plain registry is pushed to a fresh repository of the plain registry (its layer mounted from
# the busybox repository: the registry's log shows the mount), of the TLS registry (the kept
# blob is sent: "Pushed"), of the basic-auth and token registries (--creds); each push prints
# Docker's digest line with the fixture's manifest digest, and a second store pulls every copy
# back as the fixture's image. A second push says every layer exists. layered, zstd and config
# keep their digests too; --all-tags pushes every tag. The big fixture goes through
# chunked uploads.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry

ns=pr-$SKIFF_TEST_ROLE-$RANDOM$RANDOM
bb=$(fixture_ref busybox)
dig=$(fixture_digest busybox)
assert_success sk pull -q "$bb"

# sk2: another store, for pulling back.
sk2() { "$SKIFF" --root "$T/root2" --runroot "$T/runroot2" "$@"; }

pull_back() {  # REF [FLAGS...]
  local ref=$1
  shift
  run_split sk2 pull "$@" "$ref"
  assert_eq "$status" 0 "pull back $ref: $stderr"
  assert_contains "$stdout" "Digest: $dig" "pull back $ref: the digest pushed"
  assert_eq "$(sk2 image inspect --format '{{.Id}}' "$ref")" "$(fixture_image_id busybox)" "pull back $ref: image id"
}

# Plain registry, new repository: the layer is mounted from busybox.
dst=$REG_HTTP/$ns/busybox:latest
run_split sk push "$bb" "$dst"
assert_eq "$status" 0 "push to $dst: $stderr"
assert_contains "$stdout" "The push refers to repository [$REG_HTTP/$ns/busybox]"
assert_match "$stdout" ": Mounted from busybox" "the layer is mounted from the busybox repository"
assert_match "$stdout" "latest: digest: $dig size: [0-9]+\$" "Docker's digest line"
grep -q "mount=sha256.*from=busybox" "$REG_LOG_DIR/http.log" || fail "no mount request in the registry's log"
pull_back "$dst"

# Again: every layer exists; same digest.
run_split sk push "$bb" "$dst"
assert_eq "$status" 0
assert_contains "$stdout" ": Layer already exists"
assert_not_contains "$stdout" "Pushed"
assert_contains "$stdout" "latest: digest: $dig size:"

# TLS registry: no repository to mount from; the kept blob goes up as it was pulled.
sk tag "$bb" "$REG_TLS/$ns/busybox:v1"
run_split sk push --digestfile "$T/digest" "$REG_TLS/$ns/busybox:v1"
assert_eq "$status" 0 "push to TLS: $stderr"
assert_match "$stdout" ": Pushed" "TLS: layer pushed"
assert_contains "$stdout" "v1: digest: $dig size:"
assert_eq "$(cat "$T/digest")" "$dig" "--digestfile"
pull_back "$REG_TLS/$ns/busybox:v1"

# Basic and token registries with --creds; -q prints the reference only.
for reg in "$REG_BASIC" "$REG_TOKEN"; do
  run_split sk push -q --creds "$REG_USER:$REG_PASS" "$bb" "$reg/$ns/bb:latest"
  assert_eq "$status" 0 "push to $reg: $stderr"
  assert_eq "$stdout" "$reg/$ns/bb:latest" "push -q"
  pull_back "$reg/$ns/bb:latest" --creds "$REG_USER:$REG_PASS"
done
assert_not_contains "$(cat "$REG_LOG_DIR"/*.log)" "$REG_PASS" "no password in any registry log"

# Other fixtures keep their digests too: an uncompressed layer and whiteouts (layered), zstd,
# every config field. (Not schema2: its config is busybox's, so the store holds one image for
# both, with the manifest it got first: busybox's.)
for fx in layered zstd config; do
  assert_success sk pull -q "$(fixture_ref "$fx")"
  run_split sk push "$(fixture_ref "$fx")" "$REG_TLS/$ns/$fx"
  assert_eq "$status" 0 "push $fx: $stderr"
  assert_contains "$stdout" "latest: digest: $(fixture_digest "$fx") size:" "push $fx keeps its digest"
done

# --all-tags: every tag of the repository.
sk tag "$bb" "$REG_HTTP/$ns/all:a"
sk tag "$bb" "$REG_HTTP/$ns/all:b"
run_split sk push -a "$REG_HTTP/$ns/all"
assert_eq "$status" 0 "push -a: $stderr"
assert_contains "$stdout" "a: digest: $dig size:"
assert_contains "$stdout" "b: digest: $dig size:"
run_split sk push -a "$REG_HTTP/$ns/all:a"
assert_eq "$status" 125
assert_contains "$stderr" "tag can't be used with --all-tags/-a"

# The big fixture (one 64 MiB layer): chunked upload into a repository of its own.
big=$(fixture_ref big)
assert_success sk pull -q "$big"
run_split sk push "$big" "$REG_TLS/$ns/big"
assert_eq "$status" 0 "push big: $stderr"
assert_contains "$stdout" "latest: digest: $(fixture_digest big) size:"
[ "$(grep -c "PATCH /v2/$ns/big/blobs/uploads/" "$REG_LOG_DIR/tls.log")" -gt 1 ] || fail "big: no chunked upload"
assert_success sk system check
