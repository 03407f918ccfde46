#!/usr/bin/env bash
# A registry that serves a Docker schema 1 manifest (distribution with schema1 compatibility on,
# signing the stored manifest as application/vnd.docker.distribution.manifest.v1+prettyjws):
# the pull fails with a clear "not supported" error, names the image, and stores nothing. The
# same registry's OCI image pulls fine.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq curl
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

# An ordinary image next to it.
il_layout ok
L=$IL_L
il_spec_layer "$L" gzip <<<"f hello world"
il_add
il_image "$L" latest 2024-01-01T00:00:00Z '{}'
il_seed

# The schema 1 manifest, unsigned as the registry stores it (it signs on the way out), with one
# layer (the ok image's blob).
layer=$L_DIGEST
v2=$IL_FIX/registry/docker/registry/v2
manifest=$(jq -cn --arg l "$layer" '{schemaVersion: 1, name: "old", tag: "latest", architecture: "amd64",
  fsLayers: [{blobSum: $l}],
  history: [{v1Compatibility: ({id: ("a" * 64), created: "2016-01-01T00:00:00Z", os: "linux",
    container_config: {Cmd: ["/bin/sh"]}} | tojson)}]}')
printf '%s' "$manifest" >"$T/m1"
hex=$(sha256sum "$T/m1" | cut -d' ' -f1)
mkdir -p "$v2/blobs/sha256/${hex:0:2}/$hex"
cp "$T/m1" "$v2/blobs/sha256/${hex:0:2}/$hex/data"
r=$v2/repositories/old
mkdir -p "$r/_manifests/revisions/sha256/$hex" "$r/_manifests/tags/latest/current" \
  "$r/_manifests/tags/latest/index/sha256/$hex" "$r/_layers/sha256/${layer#sha256:}" "$r/_uploads"
printf 'sha256:%s' "$hex" >"$r/_manifests/revisions/sha256/$hex/link"
printf 'sha256:%s' "$hex" >"$r/_manifests/tags/latest/current/link"
printf 'sha256:%s' "$hex" >"$r/_manifests/tags/latest/index/sha256/$hex/link"
printf '%s' "$layer" >"$r/_layers/sha256/${layer#sha256:}/link"
il_start "$(printf 'compatibility:\n  schema1:\n    enabled: true')"

# The registry really serves it as schema 1.
ctype=$(curl -s -o "$T/served" -w '%{content_type}' "http://$IL_REG/v2/old/manifests/latest")
[[ "$ctype" == application/vnd.docker.distribution.manifest.v1* ]] ||
  skip "this docker-registry does not serve schema 1 manifests (got '$ctype')"
assert_eq "$(jq -r .schemaVersion "$T/served")" 1

run_split sk pull "$IL_REG/old:latest"
assert_eq "$status" 125 "schema 1 pull"
assert_eq "$(grep -c '^Error: ' <<<"$stderr")" 1
assert_contains "$stderr" "$IL_REG/old:latest"
assert_contains "$stderr" "Docker image manifest version 2, schema 1 ($ctype) is not supported"
run_split sk images -q
assert_eq "$stdout" "" "nothing stored"

run_split sk pull -q "$IL_REG/ok:latest"
assert_eq "$status" 0 "the OCI image from the same registry: $stderr"
assert_eq "$stdout" "$IL_REG/ok:latest" "pull -q prints the reference"
assert_eq "$(sk image inspect -f '{{.Id}}' "$IL_REG/ok:latest")" "$IL_IMAGE_ID"
assert_success sk system check
