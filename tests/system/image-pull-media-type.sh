#!/usr/bin/env bash
# A layer's media type: every OCI and Docker layer type (tar, gzip, zstd; nondistributable and
# foreign variants) is pulled and runs; a type that is not a container layer (a Helm chart, an
# artifact) is refused before anything is stored, with an error naming the type.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

declare -A comp=(
  [oci]="none application/vnd.oci.image.layer.v1.tar"
  [oci-gzip]="gzip application/vnd.oci.image.layer.v1.tar+gzip"
  [oci-zstd]="zstd application/vnd.oci.image.layer.v1.tar+zstd"
  [oci-nd]="none application/vnd.oci.image.layer.nondistributable.v1.tar"
  [oci-nd-gzip]="gzip application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"
  [oci-nd-zstd]="zstd application/vnd.oci.image.layer.nondistributable.v1.tar+zstd"
  [docker]="none application/vnd.docker.image.rootfs.diff.tar"
  [docker-gzip]="gzip application/vnd.docker.image.rootfs.diff.tar.gzip"
  [docker-zstd]="zstd application/vnd.docker.image.rootfs.diff.tar.zstd"
  [docker-foreign]="none application/vnd.docker.image.rootfs.foreign.diff.tar"
  [docker-foreign-gzip]="gzip application/vnd.docker.image.rootfs.foreign.diff.tar.gzip"
  [helm]="gzip application/vnd.cncf.helm.chart.content.v1.tar+gzip"
  [octet]="none application/octet-stream"
)
for name in "${!comp[@]}"; do
  read -r c mt <<<"${comp[$name]}"
  il_layout "$name"
  il_busybox_layer "$IL_L"
  il_add
  il_spec_layer "$IL_L" "$c" <<<"f marker $name"
  L_MEDIA=$mt
  il_add
  il_image "$IL_L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
done
il_serve

for name in oci oci-gzip oci-zstd oci-nd oci-nd-gzip oci-nd-zstd docker docker-gzip docker-zstd docker-foreign docker-foreign-gzip; do
  run_split sk pull -q "$IL_REG/$name:latest"
  assert_eq "$status" 0 "$name: $stderr"
  assert_eq "$(sk run --rm "$IL_REG/$name:latest" cat /marker)" "$name" "$name: the layer is applied"
done
for name in helm octet; do
  read -r c mt <<<"${comp[$name]}"
  run_split sk pull "$IL_REG/$name:latest"
  assert_eq "$status" 125 "$name: refused"
  assert_contains "$stderr" "has media type \`$mt\`, which is not a container image layer" "$name: the error names the type"
  run_split sk images --format '{{.Repository}}'
  assert_not_contains "$stdout" "/$name" "$name: not stored"
done
assert_eq "$(find "$SKIFF_ROOT/staging" -mindepth 1 | wc -l)" 0 "staging is empty"
assert_success sk system check
