#!/usr/bin/env bash
# Archives interchange with skopeo (which reads and writes docker-archive:, oci-archive: and
# oci: like Docker and Podman do), both ways: skopeo inspects and copies what `save` writes,
# and `load` reads what skopeo writes (docker-archive, oci-archive, an OCI layout tarred by
# hand), legacy Docker archives (<id>/layer.tar, gzip layers), and gzip/zstd-compressed
# archives. docker/podman load are used too when installed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd skopeo
busybox=$(fixture_ref busybox)
layered=$(fixture_ref layered)
bid=$(fixture_image_id busybox)
lid=$(fixture_image_id layered)
w=$T/work
sa() { sk --root "$T/a" --runroot "$T/ra" "$@"; }
assert_success sa pull -q "$busybox"
assert_success sa pull -q "$layered"
assert_success sa tag "$busybox" mybox:one

# skiff → skopeo.
assert_success sa save -o "$w/s.tar" mybox:one "$layered"
run_split skopeo inspect "docker-archive:$w/s.tar:mybox:one"
assert_eq "$status" 0 "skopeo inspects skiff's docker-archive ($stderr)"
assert_eq "$(jq -r .Digest <<<"$stdout" | cut -c1-7)" "sha256:"
run_split skopeo inspect --config "docker-archive:$w/s.tar:mybox:one"
assert_eq "$(jq -cS . <<<"$stdout")" "$(tar -xOf "$w/s.tar" "blobs/sha256/${bid#sha256:}" | jq -cS .)" \
  "skopeo sees the same config"
assert_success skopeo copy -q "docker-archive:$w/s.tar:$layered" "oci:$w/from-skiff:layered"
assert_eq "$(jq -r '.manifests | length' "$w/from-skiff/index.json")" "1"
assert_success sa save --format oci-archive -o "$w/o.tar" mybox:one
assert_success skopeo inspect "oci-archive:$w/o.tar:docker.io/library/mybox:one"

# skopeo → skiff: docker-archive written by skopeo (c/image's layout: <diffid>.tar, symlinks).
assert_success skopeo copy -q "oci:$FIXTURES_DIR/oci/layered:latest" "docker-archive:$w/k.tar:example.com/layered:k"
sb() { sk --root "$T/b" --runroot "$T/rb" "$@"; }
run_split sb load -i "$w/k.tar"
assert_eq "$status" 0 "load skopeo's docker-archive ($stderr)"
assert_eq "$stdout" "Loaded image: example.com/layered:k"
assert_eq "$(sb images -q --no-trunc example.com/layered:k)" "$lid" "the fixture's image ID"
assert_eq "$(sb run --rm example.com/layered:k sh -c 'echo ok')" "ok"
assert_success sb system check

# skopeo's oci-archive (ref.name is the name given after the path).
assert_success skopeo copy -q "oci:$FIXTURES_DIR/oci/busybox:latest" "oci-archive:$w/k-oci.tar:example.com/box:oci"
run_split sb load -i "$w/k-oci.tar"
assert_eq "$status" 0 "load skopeo's oci-archive ($stderr)"
assert_eq "$stdout" "Loaded image: example.com/box:oci"
assert_eq "$(sb images -q --no-trunc example.com/box:oci)" "$bid"

# An OCI layout tarred by hand with a bare tag as ref.name: loaded untagged, by ID.
sc() { sk --root "$T/c" --runroot "$T/rc" "$@"; }
tar -C "$FIXTURES_DIR/oci/busybox" -cf "$w/layout.tar" .
run_split sc load -i "$w/layout.tar"
assert_eq "$status" 0 "load a tarred OCI layout ($stderr)"
assert_eq "$stdout" "Loaded image ID: $bid"

# skiff → skopeo → skiff (skopeo rewrites the archive in its own layout).
assert_success skopeo copy -q "docker-archive:$w/s.tar:mybox:one" "docker-archive:$w/again.tar:mybox:again"
run_split sc load -i "$w/again.tar"
assert_eq "$stdout" "Loaded image: mybox:again"
assert_eq "$(sc images -q --no-trunc mybox:again)" "$bid"

# Compressed archives: gzip and zstd, from a file and from stdin.
sd() { sk --root "$T/d" --runroot "$T/rd" "$@"; }
gzip -c "$w/s.tar" >"$w/s.tar.gz"
zstd -q -c "$w/s.tar" >"$w/s.tar.zst"
run_split sd load -i "$w/s.tar.gz"
assert_eq "$status" 0 "load a gzip archive ($stderr)"
assert_contains "$stdout" "Loaded image: mybox:one"
assert_success sd rmi mybox:one "$layered"
run_split sd load <"$w/s.tar.zst"
assert_eq "$status" 0 "load a zstd archive from stdin ($stderr)"
assert_contains "$stdout" "Loaded image: $layered"
assert_eq "$(sd images -q --no-trunc mybox:one)" "$bid"
assert_success sd system check

# A legacy Docker archive (before Docker 25): <id>/layer.tar, <id>.json, gzip'd layer tars are
# accepted too.
mkdir -p "$w/legacy/abc"
tar -xOf "$w/s.tar" "blobs/sha256/${bid#sha256:}" >"$w/legacy/${bid#sha256:}.json"
layer=$(jq -r '.[0].Layers[0]' <(tar -xOf "$w/s.tar" manifest.json))
tar -xOf "$w/s.tar" "$layer" | gzip -c >"$w/legacy/abc/layer.tar"
printf '[{"Config":"%s.json","RepoTags":["legacy:1"],"Layers":["abc/layer.tar"]}]' "${bid#sha256:}" >"$w/legacy/manifest.json"
tar -C "$w/legacy" -cf "$w/legacy.tar" .
se() { sk --root "$T/e" --runroot "$T/re" "$@"; }
run_split se load -q -i "$w/legacy.tar"
assert_eq "$status" 0 "load a legacy archive ($stderr)"
assert_eq "$stdout" "Loaded image: legacy:1"
assert_eq "$(se images -q --no-trunc legacy:1)" "$bid"

for tool in docker podman; do
  if command -v "$tool" >/dev/null && [ "$SKIFF_TEST_ROLE" = root ] && timeout 20 "$tool" info >/dev/null 2>&1; then
    assert_success "$tool" load -i "$w/s.tar"
  fi
done
