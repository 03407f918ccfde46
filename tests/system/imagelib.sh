#!/usr/bin/env bash
# Sourced (after lib.sh) by image tests that serve images of their own: hostile layers, schema 1
# manifests, images with distinct creation dates. Builds OCI layouts with fixtures.sh's helpers,
# seeds a registry storage tree the way fixtures.sh does, and serves it from a registry this test
# owns (registry.sh reg_serve).
#
#   il_layout NAME                  a new layout: sets IL_L ($IL_FIX/oci/NAME) and forgets the
#                                    layers il_add recorded (call it in this shell, not in $(...))
#   il_spec_layer LAYOUT COMP <SPEC  a layer from a tests/tools/mktar spec (COMP: gzip|zstd|none);
#                                    sets L_DIGEST L_SIZE L_DIFFID L_MEDIA (fixtures.sh)
#   il_tar_layer LAYOUT TAR COMP     the same from a tar file
#   il_busybox_layer LAYOUT          the busybox fixture's layer (same blob: shared)
#   il_image LAYOUT TAG CREATED CONFIG_OBJ [LAYER_DESC...]
#                                    an OCI image of the layers added so far with il_add (in
#                                    order), tagged TAG; sets M_DIGEST and IL_IMAGE_ID
#   il_add                           records the last layer (L_*) for the next il_image
#   il_serve [EXTRA_YAML]            seeds and starts the registry; sets IL_REG (host:port),
#                                    marked insecure in this test's registries.conf
#   il_seed, il_start [EXTRA_YAML]   the same in two steps ($IL_FIX/registry is the storage tree)
# shellcheck source=fixtures.sh
source "$SUITE_DIR/fixtures.sh"
# shellcheck source=registry.sh
source "$SUITE_DIR/registry.sh"

IL_FIX=$T/il-fixtures
FX_WORK=$IL_FIX/work
mkdir -p "$IL_FIX/oci" "$FX_WORK"
_IL_DESCS=()
_IL_IDS=()

# fixtures.sh seeds the repositories _fx_repos names: here, every layout this test made.
_fx_repos() {
  local d
  for d in "$IL_FIX"/oci/*; do
    [ -d "$d" ] && echo "${d##*/} ${d##*/}"
  done
}

il_layout() {  # NAME
  IL_L=$IL_FIX/oci/$1
  _fx_init "$IL_L"
  _IL_DESCS=() _IL_IDS=()
}

il_tar_layer() {  # LAYOUT TAR COMP
  local layout=$1 tar=$2 comp=$3 t
  t=$(mktemp "$layout/.layer.XXXXXX")
  L_DIFFID=sha256:$(sha256sum "$tar" | cut -d' ' -f1)
  case $comp in
    gzip) gzip -n -c "$tar" >"$t" && L_MEDIA=$MT_OCI_LAYER+gzip ;;
    zstd) zstd -q -c "$tar" >"$t" && L_MEDIA=$MT_OCI_LAYER+zstd ;;
    none) cp "$tar" "$t" && L_MEDIA=$MT_OCI_LAYER ;;
    *) fail "il_tar_layer: unknown compression $comp" ;;
  esac
  _fx_add_blob "$layout" "$t"
  L_DIGEST=$B_DIGEST L_SIZE=$B_SIZE
}

il_spec_layer() {  # LAYOUT COMP  (spec on stdin)
  local tar
  tar=$(mktemp "$IL_FIX/.tar.XXXXXX")
  "$SKIFF_TOOLS/mktar" "$tar" || fail "mktar failed"
  il_tar_layer "$1" "$tar" "$2"
  rm -f "$tar"
}

il_busybox_layer() {  # LAYOUT: the busybox fixture's layer blob (linked, not rebuilt)
  local fx=$FIXTURES_DIR/oci/busybox/blobs/sha256 m cfg
  m=$fx/$(fixture_digest busybox | cut -c8-)
  read -r L_DIGEST L_SIZE L_MEDIA < <(jq -r '.layers[0] | "\(.digest) \(.size) \(.mediaType)"' "$m")
  cfg=$fx/$(jq -r .config.digest "$m" | cut -c8-)
  L_DIFFID=$(jq -r '.rootfs.diff_ids[0]' "$cfg")
  ln -f "$fx/${L_DIGEST#sha256:}" "$1/blobs/sha256/${L_DIGEST#sha256:}" 2>/dev/null ||
    cp "$fx/${L_DIGEST#sha256:}" "$1/blobs/sha256/${L_DIGEST#sha256:}"
}

il_add() {
  _IL_DESCS+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")")
  _IL_IDS+=("\"$L_DIFFID\"")
}

il_image() {  # LAYOUT TAG CREATED CONFIG_OBJ
  local layout=$1 tag=$2 created=$3 cfgobj=$4 hist=() i
  for ((i = 0; i < ${#_IL_IDS[@]}; i++)); do hist+=("$(FX_CREATED=$created _fx_hist "layer $i")"); done
  local IFS=,
  local cfg
  cfg=$(FX_CREATED=$created _fx_config_json "$(_fx_host_arch)" "" "$cfgobj" "[${_IL_IDS[*]}]" "[${hist[*]}]")
  _fx_manifest "$layout" oci "$cfg" "[${_IL_DESCS[*]}]"
  unset IFS
  _fx_tag "$layout" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" "$tag"
  IL_IMAGE_ID=$(jq -r .config.digest "$layout/blobs/sha256/${M_DIGEST#sha256:}")
}

il_serve() {  # [EXTRA_YAML]
  il_seed
  il_start "${1:-}"
}

# The two halves of il_serve, for a test that adds to the storage tree ($IL_FIX/registry) itself.
il_seed() { _fx_seed_registry "$IL_FIX" || fail "could not seed the test's registry"; }

il_start() {  # [EXTRA_YAML]
  reg_serve il "$IL_FIX" "$T/il-run" "${1:-}" || fail "could not start the test's registry"
  IL_REG=$REG_SERVED
  cat >>"$XDG_CONFIG_HOME/containers/registries.conf" <<EOF

[[registry]]
location = "$IL_REG"
insecure = true
EOF
}
