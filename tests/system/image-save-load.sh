#!/usr/bin/env bash
# save -> load round trip into an empty store, with both storage drivers: two images and
# several tags in one archive keep their image IDs and tags; layers are written as the exact
# original tars (digest = diff ID), for pulled layers (gzip, zstd, uncompressed, whiteouts)
# and committed ones; docker-archive, oci-archive, oci-dir and docker-dir; `system check`
# passes; a loaded image runs; a second load is a no-op; save by repository name and by ID.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
busybox=$(fixture_ref busybox)
layered=$(fixture_ref layered)
zstd=$(fixture_ref zstd)

for drv in overlay vfs; do
  sa() { sk --root "$T/a-$drv" --runroot "$T/ra-$drv" --storage-driver "$drv" "$@"; }
  sb() { sk --root "$T/b-$drv" --runroot "$T/rb-$drv" --storage-driver "$drv" "$@"; }
  w=$T/work/$drv
  mkdir -p "$w"
  assert_success sa pull -q "$busybox"
  assert_success sa pull -q "$layered"
  assert_success sa pull -q "$zstd"
  assert_success sa tag "$busybox" mybox:one
  assert_success sa tag "$busybox" example.com/team/mybox:two
  assert_success sa run --name cc "$busybox" sh -c 'echo committed > /data.txt'
  assert_success sa commit cc committed:1
  want=$(sa images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | LC_ALL=C sort)

  assert_success sa save -o "$w/all.tar" "$busybox" mybox:one example.com/team/mybox:two "$layered" "$zstd" committed:1
  [ -z "$(ls -A "$w" | grep -v '^all.tar$')" ] || fail "$drv: save left a temporary file: $(ls -A "$w")"
  names=$(tar -tf "$w/all.tar")
  assert_contains "$names" "manifest.json"
  assert_contains "$names" "index.json"
  assert_contains "$names" "oci-layout"
  # Layers are uncompressed tars named by their diff IDs.
  for f in $(tar -tf "$w/all.tar" | grep '^blobs/sha256/.'); do
    got=$(tar -xOf "$w/all.tar" "$f" | sha256sum | cut -d' ' -f1)
    assert_eq "$got" "${f##*/}" "$drv: blob $f is named by its digest"
  done

  run_split sb load -i "$w/all.tar"
  assert_eq "$status" 0 "$drv: load ($stderr)"
  assert_contains "$stdout" "Loaded image: mybox:one"
  assert_contains "$stdout" "Loaded image: example.com/team/mybox:two"
  assert_contains "$stdout" "Loaded image: committed:1"
  got=$(sb images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | LC_ALL=C sort)
  assert_eq "$got" "$want" "$drv: the same images, IDs and tags after the round trip"
  assert_success sb system check
  assert_eq "$(sb run --rm committed:1 cat /data.txt)" "committed" "$drv: a loaded committed image runs"
  assert_eq "$(sb run --rm "$layered" sh -c 'echo ok')" "ok" "$drv: a loaded layered image runs"

  # Loading again changes nothing; stdin works.
  run_split sb load <"$w/all.tar"
  assert_eq "$status" 0 "$drv: load from stdin ($stderr)"
  assert_eq "$(sb images --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | LC_ALL=C sort)" "$want"

  # save to stdout gives the same bytes as -o (deterministic).
  sa save mybox:one >"$w/one.tar"
  assert_success sa save -o "$w/one-o.tar" mybox:one
  cmp -s "$w/one.tar" "$w/one-o.tar" || fail "$drv: save to stdout and -o differ"

  # An image ID saves the image untagged; a repository name saves all its tags.
  id=$(sa images -q --no-trunc mybox:one)
  sa save "$id" >"$w/id.tar"
  assert_eq "$(tar -xOf "$w/id.tar" manifest.json | jq -c '.[0].RepoTags')" "null" "$drv: saved by ID: untagged"
  sa tag mybox:one mybox:three
  sa save mybox >"$w/repo.tar"
  assert_eq "$(tar -xOf "$w/repo.tar" manifest.json | jq -c '[.[].RepoTags[]] | sort')" '["mybox:one","mybox:three"]' \
    "$drv: a repository name saves every tag"
  sc() { sk --root "$T/c-$drv" --runroot "$T/rc-$drv" --storage-driver "$drv" "$@"; }
  run_split sc load -i "$w/id.tar"
  assert_eq "$stdout" "Loaded image ID: $id" "$drv: an untagged image loads by ID"

  # The other formats.
  assert_success sa save --format oci-archive -o "$w/oci.tar" mybox:one "$layered"
  assert_eq "$(tar -tf "$w/oci.tar" | grep -c manifest.json || true)" "0" "$drv: oci-archive has no manifest.json"
  assert_eq "$(tar -xOf "$w/oci.tar" index.json | jq -r '.manifests[].annotations["org.opencontainers.image.ref.name"]' | grep mybox)" \
    "docker.io/library/mybox:one"
  sd() { sk --root "$T/d-$drv" --runroot "$T/rd-$drv" --storage-driver "$drv" "$@"; }
  run_split sd load -i "$w/oci.tar"
  assert_eq "$status" 0 "$drv: load oci-archive ($stderr)"
  assert_eq "$(sd images -q --no-trunc mybox:one)" "$id" "$drv: oci-archive round trip keeps the ID"
  assert_success sa save --format oci-dir -o "$w/ocidir" mybox:one
  assert_file "$w/ocidir/index.json"
  assert_success sa save --format docker-dir -o "$w/dockerdir" mybox:one
  assert_file "$w/dockerdir/version"
  assert_eq "$(jq -r .config.digest "$w/dockerdir/manifest.json")" "$id" "$drv: docker-dir config is the image"
  assert_status 125 sa save --format docker-dir -o "$w/dockerdir2" mybox:one "$layered"
  assert_contains "$output" "one image"
  assert_status 125 sa save --format oci-dir mybox:one
  assert_contains "$output" "-o"
  assert_status 125 sa save -o "$w/x.tar" nosuchimage
  assert_contains "$output" "No such image: nosuchimage"
  assert_no_file "$w/x.tar"
done
