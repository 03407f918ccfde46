#!/usr/bin/env bash
# Fixture images for the system tests, demo and bench, built from busybox-static and files
# written here, as OCI image layouts, plus a pre-seeded docker-registry storage tree.
#
#   tests/system/fixtures.sh DIR [NAME...]      build (cached) into DIR; no NAME: all of them
#   source tests/system/fixtures.sh; fixtures_build DIR [NAME...]
#
# DIR (usually $OUT/fixtures) gets:
#   oci/<name>/          an OCI layout per fixture (index.json names its tags)
#   registry/            docker-registry storage serving every fixture (see registry.sh)
#   fixtures.tsv         repo, tag, manifest media type, digest, size, image id (config digest
#                        of the host platform's manifest) for every tag the registry serves
#   manifests.tsv        repo, digest, media type, size of every manifest and index served
#   blobs.tsv            repo, digest, size of every blob (configs, layers) served
#   layered.tree         the layered fixture's expected /data, as tree.sh prints it
#   tree.sh              lists a directory (POSIX sh: runs in busybox sh too)
#   FIXTURES.md          what each image holds
# Everything is deterministic (fixed mtimes, owners, gzip -n, sorted tar members), so digests only
# change when this file, busybox or tar change. Each fixture is rebuilt only when the code that
# builds it changed (stamps/), and the registry seed only when a layout did.
#
# Why a pre-seeded storage tree instead of `skopeo copy` or curl pushes: the registry's
# filesystem layout (blobs/sha256/xx/<hex>/data, repositories/<name>/{_layers,_manifests}/.../link)
# is stable since distribution 2.0, writing it takes milliseconds with blobs hard-linked, while
# pushing 8 repositories (one of 64 MiB) to 4 registries costs tens of seconds per suite run.
# The registry-fixtures system test then proves, with curl and skopeo, that every variant serves
# every fixture with the right digests.

FX_MTIME=1700000000                # 2023-11-14T22:13:20Z: every file and the configs' dates
FX_CREATED="2023-11-14T22:13:20Z"
FX_PATH_ENV="PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FX_ALL=(busybox layered multi zstd schema2 big config)

MT_OCI_MANIFEST=application/vnd.oci.image.manifest.v1+json
MT_OCI_INDEX=application/vnd.oci.image.index.v1+json
MT_OCI_CONFIG=application/vnd.oci.image.config.v1+json
MT_OCI_LAYER=application/vnd.oci.image.layer.v1.tar
MT_DOCKER_MANIFEST=application/vnd.docker.distribution.manifest.v2+json
MT_DOCKER_LIST=application/vnd.docker.distribution.manifest.list.v2+json
MT_DOCKER_CONFIG=application/vnd.docker.container.image.v1+json
MT_DOCKER_LAYER=application/vnd.docker.image.rootfs.diff.tar.gzip

_fx_die() { echo "fixtures: $*" >&2; exit 1; }

_fx_host_arch() {
  case $(uname -m) in
    x86_64) echo amd64 ;; aarch64) echo arm64 ;; armv7l) echo arm ;; *) uname -m ;;
  esac
}

# --- OCI layout primitives ------------------------------------------------------------------

_fx_init() {  # LAYOUT
  rm -rf "$1"
  mkdir -p "$1/blobs/sha256"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$1/oci-layout"
  printf '{"schemaVersion":2,"mediaType":"%s","manifests":[]}' "$MT_OCI_INDEX" >"$1/index.json"
}

# Moves FILE into LAYOUT's blobs; sets B_DIGEST and B_SIZE.
_fx_add_blob() {  # LAYOUT FILE
  local hex
  hex=$(sha256sum "$2" | cut -d' ' -f1)
  B_DIGEST=sha256:$hex
  B_SIZE=$(stat -c %s "$2")
  chmod 0644 "$2"
  if [ -e "$1/blobs/sha256/$hex" ]; then rm -f "$2"; else mv "$2" "$1/blobs/sha256/$hex"; fi
}

# Writes a JSON text as a blob; sets B_DIGEST and B_SIZE.
_fx_add_json() {  # LAYOUT JSON
  local f
  f=$(mktemp "$1/.json.XXXXXX")
  printf '%s' "$2" >"$f"
  _fx_add_blob "$1" "$f"
}

# Deterministic tar of SRCDIR's content. Extra arguments PATH:UID:GID give those members (paths
# relative to SRCDIR, no recursion) other owners; everything else is 0:0. Members are named
# BuildKit-style ("bin/sh"), or with FX_TAR_DOT=1 the way `tar -C dir .` names them ("./",
# "./bin/sh"): both occur in real images.
_fx_tar() {  # SRCDIR OUT [PATH:UID:GID...]
  local src=$1 out=$2 spec prefix=
  shift 2
  local common=(--format=gnu --sort=name --mtime=@"$FX_MTIME" --numeric-owner)
  local excl=() top=()
  if [ "${FX_TAR_DOT:-0}" = 1 ]; then
    prefix=./ top=(.)
  else
    mapfile -t top < <(cd "$src" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort)
  fi
  for spec in "$@"; do excl+=(--exclude="$prefix${spec%%:*}"); done
  (cd "$src" && tar "${common[@]}" --owner=0 --group=0 --anchored "${excl[@]}" -cf "$out" -- "${top[@]}")
  for spec in "$@"; do
    local path=${spec%%:*} ids=${spec#*:}
    (cd "$src" && tar "${common[@]}" --owner="${ids%%:*}" --group="${ids#*:}" --no-recursion -rf "$out" -- "$prefix$path")
  done
}

# Adds a layer made from SRCDIR: COMPRESSION is gzip, zstd or none; MEDIA_STYLE oci or docker.
# Sets L_DIGEST L_SIZE L_DIFFID L_MEDIA.
_fx_layer() {  # LAYOUT SRCDIR COMPRESSION [PATH:UID:GID...]
  local layout=$1 src=$2 comp=$3
  shift 3
  local t
  t=$(mktemp "$layout/.layer.XXXXXX")
  _fx_tar "$src" "$t" "$@"
  L_DIFFID=sha256:$(sha256sum "$t" | cut -d' ' -f1)
  case $comp in
    gzip) gzip -n -6 -c "$t" >"$t.c" && L_MEDIA=$MT_OCI_LAYER+gzip ;;
    gzip1) gzip -n -1 -c "$t" >"$t.c" && L_MEDIA=$MT_OCI_LAYER+gzip ;;
    zstd) zstd -q -3 -T1 -c "$t" >"$t.c" && L_MEDIA=$MT_OCI_LAYER+zstd ;;
    none) cp "$t" "$t.c" && L_MEDIA=$MT_OCI_LAYER ;;
    *) _fx_die "unknown compression $comp" ;;
  esac
  rm -f "$t"
  _fx_add_blob "$layout" "$t.c"
  L_DIGEST=$B_DIGEST L_SIZE=$B_SIZE
}

# Reuses a cached compressed layer blob (hard link) in another layout; sets the L_* variables.
_fx_reuse_layer() {  # LAYOUT CACHE_PREFIX   (CACHE_PREFIX.blob + CACHE_PREFIX.meta)
  local layout=$1 meta
  meta=$(cat "$2.meta")
  read -r L_DIGEST L_SIZE L_DIFFID L_MEDIA <<<"$meta"
  ln -f "$2.blob" "$layout/blobs/sha256/${L_DIGEST#sha256:}" 2>/dev/null ||
    cp "$2.blob" "$layout/blobs/sha256/${L_DIGEST#sha256:}"
}

_fx_desc() {  # MEDIATYPE DIGEST SIZE -> JSON descriptor
  jq -cn --arg m "$1" --arg d "$2" --argjson s "$3" '{mediaType:$m,digest:$d,size:$s}'
}

# Image config: ARCH, the container config JSON object, diff ids (JSON array), history (JSON array).
_fx_config_json() {  # ARCH VARIANT CONFIG_OBJ DIFFIDS_ARRAY HISTORY_ARRAY
  jq -cn --arg arch "$1" --arg variant "$2" --argjson cfg "$3" --argjson ids "$4" --argjson hist "$5" \
    --arg created "$FX_CREATED" '
    {created:$created, architecture:$arch} + (if $variant == "" then {} else {variant:$variant} end)
    + {os:"linux", config:$cfg, rootfs:{type:"layers", diff_ids:$ids}, history:$hist}'
}

_fx_hist() {  # CREATED_BY [empty] -> one history entry
  if [ "${2:-}" = empty ]; then
    jq -cn --arg c "$FX_CREATED" --arg b "$1" '{created:$c, created_by:$b, empty_layer:true}'
  else
    jq -cn --arg c "$FX_CREATED" --arg b "$1" '{created:$c, created_by:$b}'
  fi
}

# Adds a manifest: config blob + layers; sets M_DIGEST M_SIZE M_MEDIA.
_fx_manifest() {  # LAYOUT STYLE(oci|docker) CONFIG_JSON LAYER_DESC_ARRAY
  local layout=$1 style=$2 cfg=$3 layers=$4 cmt mmt
  if [ "$style" = docker ]; then cmt=$MT_DOCKER_CONFIG mmt=$MT_DOCKER_MANIFEST
  else cmt=$MT_OCI_CONFIG mmt=$MT_OCI_MANIFEST; fi
  _fx_add_json "$layout" "$cfg"
  local cdesc
  cdesc=$(_fx_desc "$cmt" "$B_DIGEST" "$B_SIZE")
  _fx_add_json "$layout" "$(jq -cn --arg m "$mmt" --argjson c "$cdesc" --argjson l "$layers" \
    '{schemaVersion:2, mediaType:$m, config:$c, layers:$l}')"
  M_DIGEST=$B_DIGEST M_SIZE=$B_SIZE M_MEDIA=$mmt
}

# Names a manifest or index in index.json with a tag.
_fx_tag() {  # LAYOUT MEDIATYPE DIGEST SIZE TAG
  local idx
  idx=$(jq -c --argjson d "$(_fx_desc "$2" "$3" "$4")" --arg t "$5" \
    '.manifests += [$d + {annotations:{"org.opencontainers.image.ref.name":$t}}]' "$1/index.json")
  printf '%s' "$idx" >"$1/index.json"
}

# --- shared pieces ----------------------------------------------------------------------------

# A busybox root: /bin/busybox, every applet as a symlink at its usual place, /etc/passwd and
# /etc/group with root and nobody, /tmp, /root, /home, mount points.
_fx_busybox_root() {  # DIR
  local d=$1 bb applet
  bb=$(command -v busybox) || _fx_die "busybox not found (install busybox-static)"
  mkdir -p "$d"/{bin,sbin,usr/bin,usr/sbin,etc,root,home,tmp,var/tmp,proc,sys,dev,run}
  install -m 0755 "$bb" "$d/bin/busybox"
  while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$d/$(dirname "$applet")"
    ln -sf /bin/busybox "$d/$applet"
  done < <("$bb" --list-full)
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$d/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$d/etc/group"
  chmod 0700 "$d/root"
  chmod 1777 "$d/tmp" "$d/var/tmp"
}

# The busybox layer, built once per fixtures build and shared by several images (same digest:
# pulling one after another must reuse it).
_fx_busybox_layer() {  # LAYOUT
  local cache=$FX_WORK/busybox-layer
  if [ ! -e "$cache.meta" ]; then
    local root=$FX_WORK/busybox-root tmp=$FX_WORK/busybox-layout
    _fx_busybox_root "$root"
    _fx_init "$tmp"
    _fx_layer "$tmp" "$root" gzip
    ln -f "$tmp/blobs/sha256/${L_DIGEST#sha256:}" "$cache.blob"
    echo "$L_DIGEST $L_SIZE $L_DIFFID $L_MEDIA" >"$cache.meta"
  fi
  _fx_reuse_layer "$1" "$cache"
}

_fx_busybox_config() {  # -> container config object for a busybox image
  jq -cn --arg p "$FX_PATH_ENV" '{Env:[$p], Cmd:["sh"]}'
}

# --- the fixtures ------------------------------------------------------------------------------

fx_build_busybox() {  # LAYOUT
  local o=$1
  _fx_busybox_layer "$o"
  local cfg
  cfg=$(_fx_config_json "$(_fx_host_arch)" "" "$(_fx_busybox_config)" "[\"$L_DIFFID\"]" \
    "[$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /"),$(_fx_hist '/bin/sh -c #(nop)  CMD ["sh"]' empty)]")
  _fx_manifest "$o" oci "$cfg" "[$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")]"
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
}

# Layers (see FIXTURES.md): busybox; /data with files, a hard link, a symlink, a uid-1000 file;
# then whiteouts (.wh.x, .wh.k), an opaque dir (dir/.wh..wh..opq) and replaced files; then an
# uncompressed layer re-creating a whited-out file, removing a symlink, and an opaque dir again.
fx_build_layered() {  # LAYOUT
  local o=$1 w
  w=$(mktemp -d "$FX_WORK/layered.XXXXXX")
  local descs=() ids=() hist=()
  _fx_busybox_layer "$o"
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  hist+=("$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /")")

  local l2=$w/l2
  mkdir -p "$l2/data/dir/sub" "$l2/data/keep"
  printf 'a1\n' >"$l2/data/a"; printf 'b\n' >"$l2/data/b"; printf 'x1\n' >"$l2/data/x"
  ln "$l2/data/b" "$l2/data/hard"
  ln -s a "$l2/data/link"
  printf 'secret\n' >"$l2/data/mode600"; chmod 0600 "$l2/data/mode600"
  printf 'f1\n' >"$l2/data/dir/f1"; printf 'f2\n' >"$l2/data/dir/f2"; printf 's1\n' >"$l2/data/dir/sub/s1"
  printf 'k\n' >"$l2/data/keep/k"; printf 'k2\n' >"$l2/data/keep/k2"; chmod 0750 "$l2/data/keep"
  FX_TAR_DOT=1 _fx_layer "$o" "$l2" gzip data/mode600:1000:1000
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  hist+=("$(_fx_hist "/bin/sh -c mkdir -p /data/dir/sub /data/keep && ...")")

  local l3=$w/l3
  mkdir -p "$l3/data/dir" "$l3/data/keep" "$l3/data/new"
  chmod 0750 "$l3/data/keep"
  : >"$l3/data/.wh.x"
  : >"$l3/data/dir/.wh..wh..opq"
  printf 'f3\n' >"$l3/data/dir/f3"
  printf 'a2\n' >"$l3/data/a"
  : >"$l3/data/keep/.wh.k"
  printf 'n\n' >"$l3/data/new/n"
  printf '#!/bin/sh\necho exec\n' >"$l3/data/exec"; chmod 0755 "$l3/data/exec"
  _fx_layer "$o" "$l3" gzip
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  hist+=("$(_fx_hist "/bin/sh -c rm -rf /data/x /data/dir/* /data/keep/k && ...")")

  local l4=$w/l4
  mkdir -p "$l4/data/new"
  printf 'x2\n' >"$l4/data/x"
  : >"$l4/data/.wh.link"
  : >"$l4/data/new/.wh..wh..opq"
  printf 'n2\n' >"$l4/data/new/n2"
  _fx_layer "$o" "$l4" none
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  hist+=("$(_fx_hist "/bin/sh -c echo x2 >/data/x && rm /data/link && rm -rf /data/new/* && ...")")
  hist+=("$(_fx_hist '/bin/sh -c #(nop)  CMD ["sh"]' empty)")

  local IFS=,
  local cfg
  cfg=$(_fx_config_json "$(_fx_host_arch)" "" "$(_fx_busybox_config)" "[${ids[*]}]" "[${hist[*]}]")
  _fx_manifest "$o" oci "$cfg" "[${descs[*]}]"
  unset IFS
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
  rm -rf "$w"
}

# The expected final /data of `layered` (tree.sh format), written from the layer list above.
_fx_layered_tree() {

  md5() { printf '%b' "$1" | md5sum | cut -c1-8; }
  cat <<EOF
a f 644 0:0 1 3 $(md5 'a2\n')
b f 644 0:0 2 2 $(md5 'b\n')
dir d 755 0:0
dir/f3 f 644 0:0 1 3 $(md5 'f3\n')
exec f 755 0:0 1 20 $(md5 '#!/bin/sh\necho exec\n')
hard f 644 0:0 2 2 $(md5 'b\n')
keep d 750 0:0
keep/k2 f 644 0:0 1 3 $(md5 'k2\n')
mode600 f 600 1000:1000 1 7 $(md5 'secret\n')
new d 755 0:0
new/n2 f 644 0:0 1 3 $(md5 'n2\n')
x f 644 0:0 1 3 $(md5 'x2\n')
EOF
}

# An OCI index: the host's architecture runnable (busybox + marker), the others a marker only,
# plus a BuildKit-style attestation manifest (platform unknown/unknown) that clients must skip.
fx_build_multi() {  # LAYOUT
  local o=$1 host entries=() w host_manifest=
  host=$(_fx_host_arch)
  w=$(mktemp -d "$FX_WORK/multi.XXXXXX")
  local plat arch variant
  for plat in amd64 arm64/v8 arm/v7; do
    arch=${plat%%/*}; variant=; [ "$plat" = "$arch" ] || variant=${plat#*/}
    local descs=() ids=() hist=()
    if [ "$arch" = "$host" ]; then
      _fx_busybox_layer "$o"
      descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
      hist+=("$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /")")
    fi
    mkdir -p "$w/$arch/etc"
    printf 'linux/%s\n' "$plat" >"$w/$arch/etc/fixture-platform"
    _fx_layer "$o" "$w/$arch" gzip
    descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
    hist+=("$(_fx_hist "/bin/sh -c echo linux/$plat >/etc/fixture-platform")")
    local IFS=,
    local cfg
    cfg=$(_fx_config_json "$arch" "$variant" "$(_fx_busybox_config)" "[${ids[*]}]" "[${hist[*]}]")
    _fx_manifest "$o" oci "$cfg" "[${descs[*]}]"
    unset IFS
    entries+=("$(jq -cn --argjson d "$(_fx_desc "$M_MEDIA" "$M_DIGEST" "$M_SIZE")" --arg a "$arch" --arg v "$variant" \
      '$d + {platform:({architecture:$a, os:"linux"} + (if $v == "" then {} else {variant:$v} end))}')")
    [ "$arch" = "$host" ] && host_manifest=$M_DIGEST
  done
  # Attestation manifest, as docker buildx pushes them.
  mkdir -p "$w/att"
  printf '{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"https://spdx.dev/Document","subject":[]}\n' \
    >"$w/att/statement.json"
  cp "$w/att/statement.json" "$w/att.blob"
  _fx_add_blob "$o" "$w/att.blob"
  local att_layer
  att_layer=$(jq -cn --argjson d "$(_fx_desc application/vnd.in-toto+json "$B_DIGEST" "$B_SIZE")" \
    '$d + {annotations:{"in-toto.io/predicate-type":"https://spdx.dev/Document"}}')
  _fx_add_json "$o" '{"architecture":"unknown","os":"unknown","config":{},"rootfs":{"type":"layers","diff_ids":[]}}'
  local acfg
  acfg=$(_fx_desc "$MT_OCI_CONFIG" "$B_DIGEST" "$B_SIZE")
  _fx_add_json "$o" "$(jq -cn --arg m "$MT_OCI_MANIFEST" --argjson c "$acfg" --argjson l "[$att_layer]" \
    '{schemaVersion:2, mediaType:$m, config:$c, layers:$l}')"
  entries+=("$(jq -cn --argjson d "$(_fx_desc "$MT_OCI_MANIFEST" "$B_DIGEST" "$B_SIZE")" --arg ref "$host_manifest" \
    '$d + {platform:{architecture:"unknown", os:"unknown"},
           annotations:{"vnd.docker.reference.digest":$ref, "vnd.docker.reference.type":"attestation-manifest"}}')")
  local IFS=,
  _fx_add_json "$o" "$(jq -cn --arg m "$MT_OCI_INDEX" --argjson e "[${entries[*]}]" \
    '{schemaVersion:2, mediaType:$m, manifests:$e}')"
  unset IFS
  _fx_tag "$o" "$MT_OCI_INDEX" "$B_DIGEST" "$B_SIZE" latest
  rm -rf "$w"
}

# busybox (gzip) + a zstd-compressed layer (media type tar+zstd).
fx_build_zstd() {  # LAYOUT
  local o=$1 w descs=() ids=()
  w=$(mktemp -d "$FX_WORK/zstd.XXXXXX")
  _fx_busybox_layer "$o"
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  mkdir -p "$w/etc" "$w/usr/share/zstd-fixture"
  printf 'zstd\n' >"$w/etc/fixture-zstd"
  local i
  for i in $(seq 1 64); do printf 'line %d of a compressible zstd fixture file\n' "$i"; done \
    >"$w/usr/share/zstd-fixture/lines.txt"
  _fx_layer "$o" "$w" zstd
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  local IFS=,
  local cfg
  cfg=$(_fx_config_json "$(_fx_host_arch)" "" "$(_fx_busybox_config)" "[${ids[*]}]" \
    "[$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /"),$(_fx_hist "/bin/sh -c #(nop) ADD zstd files")]")
  _fx_manifest "$o" oci "$cfg" "[${descs[*]}]"
  unset IFS
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
  rm -rf "$w"
}

# Docker media types: `latest` is a schema2 manifest (same busybox blob), `list` a Docker manifest
# list with the host's architecture runnable and an arm64 marker image.
fx_build_schema2() {  # LAYOUT
  local o=$1 host w
  host=$(_fx_host_arch)
  w=$(mktemp -d "$FX_WORK/schema2.XXXXXX")
  _fx_busybox_layer "$o"
  local bb_desc
  bb_desc=$(_fx_desc "$MT_DOCKER_LAYER" "$L_DIGEST" "$L_SIZE")
  local cfg
  cfg=$(_fx_config_json "$host" "" "$(_fx_busybox_config)" "[\"$L_DIFFID\"]" \
    "[$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /"),$(_fx_hist '/bin/sh -c #(nop)  CMD ["sh"]' empty)]")
  _fx_manifest "$o" docker "$cfg" "[$bb_desc]"
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
  local entries=()
  entries+=("$(jq -cn --argjson d "$(_fx_desc "$M_MEDIA" "$M_DIGEST" "$M_SIZE")" --arg a "$host" \
    '$d + {platform:{architecture:$a, os:"linux"}}')")
  local other=arm64
  [ "$host" = arm64 ] && other=amd64
  mkdir -p "$w/etc"
  printf 'linux/%s\n' "$other" >"$w/etc/fixture-platform"
  _fx_layer "$o" "$w" gzip
  cfg=$(_fx_config_json "$other" "" "$(_fx_busybox_config)" "[\"$L_DIFFID\"]" \
    "[$(_fx_hist "/bin/sh -c echo linux/$other >/etc/fixture-platform")]")
  _fx_manifest "$o" docker "$cfg" "[$(_fx_desc "$MT_DOCKER_LAYER" "$L_DIGEST" "$L_SIZE")]"
  entries+=("$(jq -cn --argjson d "$(_fx_desc "$M_MEDIA" "$M_DIGEST" "$M_SIZE")" --arg a "$other" \
    '$d + {platform:{architecture:$a, os:"linux"}}')")
  local IFS=,
  _fx_add_json "$o" "$(jq -cn --arg m "$MT_DOCKER_LIST" --argjson e "[${entries[*]}]" \
    '{schemaVersion:2, mediaType:$m, manifests:$e}')"
  unset IFS
  _fx_tag "$o" "$MT_DOCKER_LIST" "$B_DIGEST" "$B_SIZE" list
  rm -rf "$w"
}

# One layer of about 80 MiB (64 MiB pseudo-random from AES-CTR, 16 MiB of text) plus busybox;
# its gzip blob is over 64 MiB. For pull benchmarks.
fx_build_big() {  # LAYOUT
  local o=$1 w
  w=$(mktemp -d "$FX_WORK/big.XXXXXX")
  _fx_busybox_root "$w"
  mkdir -p "$w/big"
  openssl enc -aes-128-ctr -nosalt -K 736b6966662062696720666978747572 -iv 0 -in /dev/zero 2>/dev/null |
    head -c $((64 << 20)) >"$w/big/random.bin" || true
  [ "$(stat -c %s "$w/big/random.bin")" -eq $((64 << 20)) ] || _fx_die "could not make random data"
  yes 'skiff big fixture: a line of text that compresses well, repeated' | head -c $((16 << 20)) >"$w/big/text.txt" || true
  _fx_layer "$o" "$w" gzip1
  local cfg
  cfg=$(_fx_config_json "$(_fx_host_arch)" "" "$(_fx_busybox_config)" "[\"$L_DIFFID\"]" \
    "[$(_fx_hist "/bin/sh -c #(nop) ADD busybox and /big")]")
  _fx_manifest "$o" oci "$cfg" "[$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")]"
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
  rm -rf "$w"
}

# A config setting everything: Env, WorkingDir, User, Entrypoint, Cmd, Labels, ExposedPorts,
# StopSignal, Volumes; `run config` prints "entry cmd-default" as nobody in /work.
fx_build_config() {  # LAYOUT
  local o=$1 w descs=() ids=()
  w=$(mktemp -d "$FX_WORK/config.XXXXXX")
  _fx_busybox_layer "$o"
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  mkdir -p "$w/work"
  printf 'hello from the config fixture\n' >"$w/work/hello.txt"
  _fx_layer "$o" "$w" gzip
  descs+=("$(_fx_desc "$L_MEDIA" "$L_DIGEST" "$L_SIZE")"); ids+=("\"$L_DIFFID\"")
  local c
  c=$(jq -cn --arg p "$FX_PATH_ENV" '{
    User: "nobody",
    ExposedPorts: {"53/udp": {}, "8080/tcp": {}},
    Env: [$p, "FIXTURE=config", "WITH_SPACE=a b", "EMPTY="],
    Entrypoint: ["/bin/echo", "entry"],
    Cmd: ["cmd-default"],
    Volumes: {"/data": {}},
    WorkingDir: "/work",
    Labels: {"org.opencontainers.image.title": "config", "skiff.fixture": "config", "with.space": "a b"},
    StopSignal: "SIGINT"}')
  local h=()
  h+=("$(_fx_hist "/bin/sh -c #(nop) ADD busybox-static and applet links in /")")
  h+=("$(_fx_hist "/bin/sh -c #(nop) ADD hello.txt /work/")")
  local step
  for step in 'ENV FIXTURE=config WITH_SPACE=a b EMPTY=' 'WORKDIR /work' 'USER nobody' \
              'ENTRYPOINT ["/bin/echo" "entry"]' 'CMD ["cmd-default"]' 'EXPOSE 8080/tcp 53/udp' \
              'VOLUME [/data]' 'STOPSIGNAL SIGINT' 'LABEL skiff.fixture=config'; do
    h+=("$(_fx_hist "/bin/sh -c #(nop)  $step" empty)")
  done
  local IFS=,
  local cfg
  cfg=$(_fx_config_json "$(_fx_host_arch)" "" "$c" "[${ids[*]}]" "[${h[*]}]")
  _fx_manifest "$o" oci "$cfg" "[${descs[*]}]"
  unset IFS
  _fx_tag "$o" "$M_MEDIA" "$M_DIGEST" "$M_SIZE" latest
  rm -rf "$w"
}

# --- registry storage seed --------------------------------------------------------------------

# Which repository serves which layout: "repo layout".
_fx_repos() {
  local n
  for n in "${FX_ALL[@]}"; do echo "$n $n"; done
  echo "public/busybox busybox"   # anonymous pulls on the token registry
}

_fx_link() {  # FILE DIGEST
  mkdir -p "$(dirname "$1")"
  printf '%s' "$2" >"$1"
}

# Writes docker-registry (distribution 2.x) filesystem storage serving the layouts.
_fx_seed_registry() {  # FIXDIR
  local fix=$1 seed v2 repo layout
  seed=$(mktemp -d "$fix/.registry.XXXXXX")
  v2=$seed/docker/registry/v2
  mkdir -p "$v2/blobs/sha256" "$v2/repositories"
  : >"$fix/.fixtures.tsv"
  : >"$fix/.manifests.tsv"
  : >"$fix/.blobs.tsv"
  while read -r repo layout; do
    local L=$fix/oci/$layout r=$v2/repositories/$repo
    [ -d "$L" ] || continue
    mkdir -p "$r/_uploads" "$r/_layers/sha256" "$r/_manifests/revisions/sha256" "$r/_manifests/tags"
    local f hex
    for f in "$L"/blobs/sha256/*; do
      hex=${f##*/}
      mkdir -p "$v2/blobs/sha256/${hex:0:2}/$hex"
      ln -f "$f" "$v2/blobs/sha256/${hex:0:2}/$hex/data" 2>/dev/null || cp "$f" "$v2/blobs/sha256/${hex:0:2}/$hex/data"
    done
    # Manifests (and indexes) are revisions; everything they reference that is not a manifest
    # is a layer link (configs included), as the registry records them on push.
    local todo
    todo=$(jq -r '.manifests[].digest' "$L/index.json")
    while [ -n "$todo" ]; do
      local next="" d mt
      for d in $todo; do
        hex=${d#sha256:}
        _fx_link "$r/_manifests/revisions/sha256/$hex/link" "$d"
        mt=$(jq -r '.mediaType // ""' "$L/blobs/sha256/$hex")
        printf '%s\t%s\t%s\t%s\n' "$repo" "$d" "$mt" "$(stat -c %s "$L/blobs/sha256/$hex")" >>"$fix/.manifests.tsv"
        case $mt in
          "$MT_OCI_INDEX"|"$MT_DOCKER_LIST") next+=" $(jq -r '.manifests[].digest' "$L/blobs/sha256/$hex")" ;;
          *) local b
             for b in $(jq -r '.config.digest, .layers[].digest' "$L/blobs/sha256/$hex"); do
               _fx_link "$r/_layers/sha256/${b#sha256:}/link" "$b"
               printf '%s\t%s\t%s\n' "$repo" "$b" "$(stat -c %s "$L/blobs/sha256/${b#sha256:}")" >>"$fix/.blobs.tsv"
             done ;;
        esac
      done
      todo=$next
    done
    local tag d mt size cfg
    while IFS=$'\t' read -r tag d mt size; do
      hex=${d#sha256:}
      _fx_link "$r/_manifests/tags/$tag/current/link" "$d"
      _fx_link "$r/_manifests/tags/$tag/index/sha256/$hex/link" "$d"
      cfg=$(_fx_image_id "$L" "$d")
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$repo" "$tag" "$mt" "$d" "$size" "$cfg" >>"$fix/.fixtures.tsv"
    done < <(jq -r '.manifests[] | [.annotations["org.opencontainers.image.ref.name"], .digest, .mediaType, .size] | @tsv' "$L/index.json")
  done < <(_fx_repos)
  rm -rf "$fix/registry"
  chmod 0755 "$seed"
  mv "$seed" "$fix/registry"
  sort -u "$fix/.manifests.tsv" >"$fix/manifests.tsv"
  sort -u "$fix/.blobs.tsv" >"$fix/blobs.tsv"
  rm -f "$fix/.manifests.tsv" "$fix/.blobs.tsv"
  mv "$fix/.fixtures.tsv" "$fix/fixtures.tsv"
}

# The image id (config digest) a pull on this host gets for a manifest or index digest.
_fx_image_id() {  # LAYOUT DIGEST
  local L=$1 d=$2 mt
  mt=$(jq -r '.mediaType // ""' "$L/blobs/sha256/${d#sha256:}")
  case $mt in
    "$MT_OCI_INDEX"|"$MT_DOCKER_LIST")
      d=$(jq -r --arg a "$(_fx_host_arch)" \
        '[.manifests[] | select(.platform.architecture == $a and .platform.os == "linux")][0].digest // ""' \
        "$L/blobs/sha256/${d#sha256:}")
      [ -n "$d" ] || { echo -; return; } ;;
  esac
  jq -r '.config.digest' "$L/blobs/sha256/${d#sha256:}"
}

# --- reference layer application (for checking a store's result) -------------------------------

# Applies the layers of an image in LAYOUT (manifest digest, or the host's manifest of an index)
# onto DEST as the OCI spec says, with GNU tar: opaque directories emptied, whiteouts removed,
# then the layer extracted without its whiteout files. Run as root (or as root of a user
# namespace with the subuid range) to keep owners.
fx_apply_layers() {  # LAYOUT DIGEST DEST
  local L=$1 d=$2 dest=$3 mt
  mt=$(jq -r '.mediaType // ""' "$L/blobs/sha256/${d#sha256:}")
  case $mt in
    "$MT_OCI_INDEX"|"$MT_DOCKER_LIST")
      d=$(jq -r --arg a "$(_fx_host_arch)" \
        '[.manifests[] | select(.platform.architecture == $a and .platform.os == "linux")][0].digest' \
        "$L/blobs/sha256/${d#sha256:}") ;;
  esac
  mkdir -p "$dest"
  local layer lmt blob
  while IFS=$'\t' read -r layer lmt; do
    blob=$L/blobs/sha256/${layer#sha256:}
    local cat=(cat)
    case $lmt in *gzip) cat=(gzip -dc) ;; *zstd) cat=(zstd -dc -q) ;; esac
    local member dir base
    while IFS= read -r member; do
      member=${member#./}
      dir=$(dirname "$member"); base=$(basename "$member")
      case $base in
        .wh..wh..opq) [ ! -d "$dest/$dir" ] || find "$dest/$dir" -mindepth 1 -maxdepth 1 -exec rm -rf {} + ;;
        .wh.*) rm -rf "${dest:?}/$dir/${base#.wh.}" ;;
      esac
    done < <("${cat[@]}" "$blob" | tar -tf - | grep '\.wh\.' || true)
    "${cat[@]}" "$blob" | tar -xf - -C "$dest" --numeric-owner --same-owner --same-permissions \
      --exclude='.wh.*' 2>&1 | grep -v 'Cannot change ownership' >&2 || true
  done < <(jq -r '.layers[] | [.digest, .mediaType] | @tsv' "$L/blobs/sha256/${d#sha256:}")
}

# tree.sh: the listing the layered fixture's expectation uses. POSIX sh, busybox-compatible.
_fx_tree_sh() {
  cat <<'EOF'
#!/bin/sh
# tree.sh DIR: one sorted line per entry below DIR:
#   dirs      "path d MODE UID:GID"
#   files     "path f MODE UID:GID NLINK SIZE MD5[0:8]"
#   symlinks  "path l TARGET"
#   others    "path ? TYPE"
cd "$1" || exit 1
find . -mindepth 1 | LC_ALL=C sort | while IFS= read -r p; do
  n=${p#./}
  if [ -L "$p" ]; then echo "$n l $(readlink "$p")"
  elif [ -d "$p" ]; then echo "$n d $(stat -c '%a %u:%g' "$p")"
  elif [ -f "$p" ]; then echo "$n f $(stat -c '%a %u:%g %h %s' "$p") $(md5sum <"$p" | cut -c1-8)"
  else echo "$n ? $(stat -c '%F' "$p")"
  fi
done
EOF
}

_fx_readme() {
  cat <<'EOF'
# Fixture images (built by tests/system/fixtures.sh)

Every image is served by every fixture registry as `<registry>/<name>:<tag>`; `fixtures.tsv`
gives each tag's manifest media type, digest, size and the image id (config digest) a pull on
this host must produce. All files have mtime 2023-11-14T22:13:20Z and owner 0:0 unless noted.

| name:tag | what |
|---|---|
| busybox:latest | one gzip layer: /bin/busybox (busybox-static), every applet as a symlink at its usual place, /etc/passwd and /etc/group (root, nobody 65534), /tmp (1777), /root, /home, /proc, /sys, /dev, /run. Cmd `sh`. Also `public/busybox:latest` (anonymous pulls on the token registry). |
| layered:latest | busybox layer (same blob), then (2) /data: a, b, hard (hard link to b), x, link -> a, mode600 (0600, owner 1000:1000), dir/{f1,f2,sub/s1}, keep/{k,k2} (keep 0750); (3) `.wh.x`, `dir/.wh..wh..opq` + dir/f3, a replaced, `keep/.wh.k`, new/n, exec (0755); (4, **uncompressed** tar media type) x re-created, `.wh.link`, `new/.wh..wh..opq` + new/n2. Expected /data: `layered.tree` (tree.sh format). |
| multi:latest | OCI index: linux/amd64, linux/arm64/v8, linux/arm/v7 (the host's architecture runs busybox; the others hold only /etc/fixture-platform) and a BuildKit attestation manifest (platform unknown/unknown) to be skipped. Every variant has /etc/fixture-platform = `linux/<arch>[/<variant>]`. |
| zstd:latest | busybox layer + a `tar+zstd` layer: /etc/fixture-zstd (`zstd`), /usr/share/zstd-fixture/lines.txt. |
| schema2:latest | Docker schema2 manifest (docker config and layer media types) of the busybox layer. |
| schema2:list | Docker manifest list: the host's architecture (= schema2:latest) and one other (marker only). |
| big:latest | one gzip layer over 64 MiB: busybox root + /big/random.bin (64 MiB AES-CTR stream) + /big/text.txt (16 MiB of text). |
| config:latest | busybox layer + /work/hello.txt; config: User nobody, WorkingDir /work, Env PATH, FIXTURE=config, WITH_SPACE=a b, EMPTY=; Entrypoint ["/bin/echo","entry"], Cmd ["cmd-default"]; Labels skiff.fixture=config, with.space=a b, org.opencontainers.image.title=config; ExposedPorts 8080/tcp 53/udp; Volumes /data; StopSignal SIGINT; history with empty_layer entries. |
EOF
}

# Writes stdin to FILE (mode MODE) unless FILE already holds exactly that.
_fx_put() {  # FILE MODE
  local t
  t=$(cat)
  [ -f "$1" ] && [ "$(cat "$1")" = "$t" ] && return 0
  printf '%s\n' "$t" >"$1.tmp" && chmod "$2" "$1.tmp" && mv "$1.tmp" "$1"
}

# --- build driver -----------------------------------------------------------------------------

# The stamp of a fixture: the code that builds it (every _fx_ helper and its fx_build_ function),
# busybox's and tar's identities. A change to any rebuilds it.
_fx_stamp() {  # NAME
  local fns
  fns=$(compgen -A function _fx_)
  {
    # shellcheck disable=SC2086
    declare -f $fns "fx_build_$1"
    sha256sum "$(command -v busybox)" | cut -d' ' -f1
    tar --version | head -1
    uname -m
  } | sha256sum | cut -d' ' -f1
}

fixtures_build() {  # DIR [NAME...]
  local fix=$1
  shift
  [ $# -gt 0 ] || set -- "${FX_ALL[@]}"
  local n
  for n in jq tar gzip zstd openssl busybox sha256sum; do
    command -v "$n" >/dev/null || _fx_die "$n is missing: run packaging/deps.sh test"
  done
  mkdir -p "$fix/oci" "$fix/stamps"
  fix=$(cd "$fix" && pwd)
  (
    umask 022
    set -euo pipefail
    # One builder at a time per fixture dir (demo, bench and the suite may share it). A read
    # descriptor is enough for flock, so a user who cannot write DIR can still use its cache.
    [ -e "$fix/.lock" ] || : >"$fix/.lock"
    exec 9<"$fix/.lock"
    flock 9
    local changed=0 stamp todo=()
    for n in "$@"; do
      declare -F "fx_build_$n" >/dev/null || _fx_die "no fixture named '$n'"
      stamp=$(_fx_stamp "$n")
      [ -d "$fix/oci/$n" ] && [ "$(cat "$fix/stamps/$n" 2>/dev/null)" = "$stamp" ] || todo+=("$n:$stamp")
    done
    if [ ${#todo[@]} -gt 0 ]; then
      FX_WORK=$(mktemp -d "$fix/.work.XXXXXX")
      trap 'rm -rf "$FX_WORK"' EXIT
    fi
    local item t0
    for item in "${todo[@]}"; do
      n=${item%%:*} stamp=${item#*:} t0=$SECONDS
      _fx_init "$FX_WORK/$n"
      "fx_build_$n" "$FX_WORK/$n"
      rm -f "$FX_WORK/$n"/.json.* "$FX_WORK/$n"/.layer.*
      rm -rf "$fix/oci/$n"
      mv "$FX_WORK/$n" "$fix/oci/$n"
      echo "$stamp" >"$fix/stamps/$n"
      changed=1
      echo "fixtures: built $n ($((SECONDS - t0)) s)" >&2
    done
    _fx_tree_sh | _fx_put "$fix/tree.sh" 0755
    _fx_layered_tree | _fx_put "$fix/layered.tree" 0644
    _fx_readme | _fx_put "$fix/FIXTURES.md" 0644
    if [ $changed = 1 ] || [ ! -d "$fix/registry" ] || [ ! -f "$fix/fixtures.tsv" ] || [ ! -f "$fix/blobs.tsv" ]; then
      _fx_seed_registry "$fix"
    fi
  )
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  [ $# -ge 1 ] || { echo "usage: $0 DIR [NAME...]" >&2; exit 2; }
  fixtures_build "$@"
fi
