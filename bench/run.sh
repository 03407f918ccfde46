#!/usr/bin/env bash
# skiff vs podman, side by side, rootless (make bench).
#
#   bench/run.sh [--out DIR] [--runs N] [--warmup N] [--heavy-runs N] [CASE...]   (no CASE: all)
#
# Installs what only the bench needs (packaging/deps.sh bench), sets podman up for the
# unprivileged user `skiff-test` the way ../shared/CONVENTIONS.md says for hosts like ours (runc,
# cgroupfs, file events logger, registries.conf marking the loopback registry insecure), starts
# the HTTP fixture registry, then times each case: skiff and podman alternate run by run (the
# order flips every round), N runs each after a warm-up; medians, podman/skiff ratios and peak RSS
# (wait4's ru_maxrss, as tests/tools/runstat reports it). Prints a table and writes
# bench/RESULTS.md with the machine described.
#
# A case is one function: case_<name> calls `compare LABEL "skiff args" "podman args"` (or
# prepares state first). Add later cases the same way and list them in CASES.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$REPO/out
RUNS=20
WARMUP=3
BENCH_USER=${SKIFF_BENCH_USER:-skiff-test}
CASES=(version info images ps_a pull push rmi images_500 rmi_shared run_rm run_d exec ps_1000 monitor_rss save load
       run_rm_net net_out)
PS_N=${SKIFF_BENCH_PS_N:-1000}  # containers in the store for ps_1000
HEAVY_RUNS=5    # runs of the slow cases (pull moves 64 MiB; podman lists 500 images in seconds)
only=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
    --heavy-runs) HEAVY_RUNS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench: unknown option $1" >&2; exit 2 ;;
    *) only+=("$1"); shift ;;
  esac
done
[ ${#only[@]} -eq 0 ] || CASES=("${only[@]}")
for f in "$OUT/skiff" "$OUT/tools/runstat"; do
  [ -x "$f" ] || { echo "bench: $f is missing (make all tools)" >&2; exit 2; }
done

"$REPO/packaging/deps.sh" bench

# --- the user both engines run as --------------------------------------------------------------
if [ "$(id -u)" = 0 ]; then
  # shellcheck source=../tests/system/testuser.sh
  source "$REPO/tests/system/testuser.sh"
  ensure_test_user "$BENCH_USER"
  # Rootless container networks need /dev/net/tun usable by the user (Debian's udev: 0666).
  [ ! -c /dev/net/tun ] || chmod 0666 /dev/net/tun
  as_user=(--uid "$TEST_UID" --gid "$TEST_GID")
else
  TEST_USER=$(id -un) TEST_UID=$(id -u) TEST_GID=$(id -g) TEST_HOME=$HOME
  TEST_XDG=${XDG_RUNTIME_DIR:-/run/user/$TEST_UID}
  as_user=()
fi
# Run something as the bench user, with its environment.
user_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$TEST_HOME"
  USER="$TEST_USER" LOGNAME="$TEST_USER" XDG_RUNTIME_DIR="$TEST_XDG" LANG=C.UTF-8)
as() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --init-groups -- "${user_env[@]}" "$@"
  else "${user_env[@]}" "$@"; fi
}

# --- the registry ------------------------------------------------------------------------------
# shellcheck source=../tests/system/fixtures.sh
source "$REPO/tests/system/fixtures.sh"
# shellcheck source=../tests/system/registry.sh
source "$REPO/tests/system/registry.sh"
WORK=$(mktemp -d /tmp/skiff-bench.XXXXXX)
chmod 0755 "$WORK"
trap 'reg_stop_all; rm -rf "$WORK"' EXIT
fixtures_build "$OUT/fixtures" busybox big
reg_start_all "$WORK/registry" "$OUT/fixtures" "$OUT/tools" http

# --- podman, as CONVENTIONS.md says -------------------------------------------------------------
cfg=$TEST_HOME/.config/containers
as mkdir -p "$cfg"
as tee "$cfg/containers.conf" >/dev/null <<EOF
# Written by bench/run.sh: hybrid cgroups without delegation need runc and cgroupfs.
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
as tee "$cfg/registries.conf" >/dev/null <<EOF
# Written by bench/run.sh: the loopback fixture registry.
unqualified-search-registries = ["$REG_HTTP"]
[[registry]]
location = "$REG_HTTP"
insecure = true
EOF
as podman system migrate >/dev/null 2>&1 || true

# Both engines start from empty stores, in their default places.
reset_stores() {
  as podman system reset --force >/dev/null 2>&1 || true
  # Running containers (a case that failed part-way) are removed first, so no monitor outlives
  # the store it belongs to.
  local ids
  ids=$(as "$SKIFF" ps -aq 2>/dev/null || true)
  [ -z "$ids" ] || as "$SKIFF" rm -f $ids >/dev/null 2>&1 || true
  as unshare --map-root-user --map-auto rm -rf "$TEST_HOME/.local/share/skiff" "$TEST_XDG/skiff" 2>/dev/null || true
}

# --- measuring ---------------------------------------------------------------------------------
SKIFF=$OUT/skiff
RUNSTAT=$OUT/tools/runstat
results=$WORK/results.tsv
: >"$results"

# sample CMD...: one run as the bench user; prints "WALL_US MAXRSS_KIB STATUS".
sample() {
  "${user_env[@]}" "$RUNSTAT" "${as_user[@]}" --quiet -- "$@"
}

median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# compare LABEL SKIFF_ARGS PODMAN_ARGS: alternate the two, RUNS times each after WARMUP each
# (BLOCKS=1: all of skiff's runs, then all of podman's; RUNS_SKIFF / RUNS_PODMAN may then differ).
# PREP_SKIFF / PREP_PODMAN (variables naming a command, default none) run before every sample of
# that engine, untimed: a case whose command consumes its state (pull, rmi) restores it there.
compare() {
  local label=$1 i a b
  local -a sk pm
  read -ra sk <<<"$2"
  read -ra pm <<<"$3"
  sk=("$SKIFF" "${sk[@]}")
  pm=(podman "${pm[@]}")
  local prep_s=${PREP_SKIFF:-:} prep_p=${PREP_PODMAN:-:}
  local ws=() wp=() rs=() rp=() st_s=0 st_p=0
  for ((i = 0; i < WARMUP; i++)); do
    $prep_s; sample "${sk[@]}" >/dev/null
    $prep_p; sample "${pm[@]}" >/dev/null
  done
  if [ "${BLOCKS:-0}" = 1 ]; then
    # Each engine's runs back to back (see case_images_500 for why a case asks for this).
    for ((i = 0; i < ${RUNS_SKIFF:-$RUNS}; i++)); do $prep_s; read -r a b st_s < <(sample "${sk[@]}"); ws+=("$a"); rs+=("$b"); done
    for ((i = 0; i < ${RUNS_PODMAN:-$RUNS}; i++)); do $prep_p; read -r a b st_p < <(sample "${pm[@]}"); wp+=("$a"); rp+=("$b"); done
  fi
  for ((i = 0; i < RUNS && ${BLOCKS:-0} != 1; i++)); do
    if ((i % 2)); then
      $prep_p; read -r a b st_p < <(sample "${pm[@]}"); wp+=("$a"); rp+=("$b")
      $prep_s; read -r a b st_s < <(sample "${sk[@]}"); ws+=("$a"); rs+=("$b")
    else
      $prep_s; read -r a b st_s < <(sample "${sk[@]}"); ws+=("$a"); rs+=("$b")
      $prep_p; read -r a b st_p < <(sample "${pm[@]}"); wp+=("$a"); rp+=("$b")
    fi
  done
  local ms mp xs xp
  ms=$(printf '%s\n' "${ws[@]}" | median)
  mp=$(printf '%s\n' "${wp[@]}" | median)
  xs=$(printf '%s\n' "${rs[@]}" | sort -n | tail -1)
  xp=$(printf '%s\n' "${rp[@]}" | sort -n | tail -1)
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$label" "$2" "$3" "$ms" "$mp" "$xs" "$xp" "$st_s" "$st_p" >>"$results"
  printf '  %-10s done\n' "$label"
}

# floor LABEL PREP CMD...: what the hardware allows, for comparison: CMD alone as the bench user,
# RUNS times (PREP, untimed, before each); median wall time and peak RSS into floors.tsv.
floors=$WORK/floors.tsv
: >"$floors"
floor() {
  local label=$1 prep=$2 i a b st=0 ws=() rs=()
  shift 2
  for ((i = 0; i < RUNS; i++)); do
    $prep
    read -r a b st < <(sample "$@"); ws+=("$a"); rs+=("$b")
  done
  printf '%s\t%s\t%s\t%s\n' "$label" "$(printf '%s\n' "${ws[@]}" | median)" \
    "$(printf '%s\n' "${rs[@]}" | sort -n | tail -1)" "$st" >>"$floors"
  printf '  %-10s done\n' "$label"
}

# --- the cases -----------------------------------------------------------------------------------
case_version() { compare version "version" "version"; }
case_info() { compare info "info" "info"; }
case_images() { compare images "images" "images"; }
case_ps_a() { compare "ps -a" "ps -a" "ps -a"; }

# Image cases (issue 3). The big fixture: one gzip layer of 64 MiB (80 MiB of files).
fx_col() { awk -F'\t' -v r="$1" -v t="$2" -v c="$3" '$1 == r && $2 == t {print $c}' "$OUT/fixtures/fixtures.tsv"; }
fx_blob() { echo "$OUT/fixtures/oci/$1/blobs/sha256/${2#sha256:}"; }
BIG_LAYER=$(jq -r '.layers[0].digest' "$(fx_blob big "$(fx_col big latest 4)")")
BB_LAYER=$(jq -r '.layers[0].digest' "$(fx_blob busybox "$(fx_col busybox latest 4)")")
# The floors run as the bench user, in a directory it owns, on a copy of the blob it can read.
mkdir -p "$WORK/user"
[ "$(id -u)" != 0 ] || chown "$TEST_UID:$TEST_GID" "$WORK/user"
FLOOR_DIR=$WORK/user/floor
cp "$(fx_blob busybox "$BB_LAYER")" "$WORK/busybox-layer.tar.gz"
chmod 0644 "$WORK/busybox-layer.tar.gz"
floor_reset() { as rm -rf "$FLOOR_DIR"; as mkdir -p "$FLOOR_DIR"; }
floor_busybox_tree() { floor_reset; as tar -xzf "$WORK/busybox-layer.tar.gz" -C "$FLOOR_DIR"; }
skiff_no_big() { as "$SKIFF" rmi -f "$REG_HTTP/big:latest" >/dev/null 2>&1 || true; }
podman_no_big() { as podman rmi -f "$REG_HTTP/big:latest" >/dev/null 2>&1 || true; }
skiff_busybox() { as "$SKIFF" pull -q "$REG_HTTP/busybox:latest" >/dev/null; }
podman_busybox() { as podman pull -q "$REG_HTTP/busybox:latest" >/dev/null; }
skiff_many1() { as "$SKIFF" pull -q "$REG_HTTP/many:t1" >/dev/null; }
podman_many1() { as podman pull -q "$REG_HTTP/many:t1" >/dev/null; }

# pull of big from an empty store (each run starts without the image), and the floor: the same
# blob through curl into tar -xz.
case_pull() {
  RUNS=$HEAVY_RUNS WARMUP=1 PREP_SKIFF=skiff_no_big PREP_PODMAN=podman_no_big \
    compare "pull big" "pull -q $REG_HTTP/big:latest" "pull -q $REG_HTTP/big:latest"
  RUNS=$HEAVY_RUNS floor "curl | tar -xz (big blob)" floor_reset \
    sh -c "curl -sf http://$REG_HTTP/v2/big/blobs/$BIG_LAYER | tar -xzf - -C $FLOOR_DIR"
  skiff_no_big
  podman_no_big
}

# push of big (pulled: skiff sends the blob it kept, podman compresses the layer again) to a
# registry of its own: into an empty registry (each run starts with its storage emptied, so every
# blob is uploaded), then again when every blob is there.
push_dest_empty() { rm -rf "$WORK/registry/push-dest/storage/docker/registry/v2/"{repositories,blobs}; }
case_push() {
  mkdir -p "$WORK/nofix"
  reg_serve push-dest "$WORK/nofix" "$WORK/registry"
  local dest=$REG_SERVED/bench/big:latest
  as "$SKIFF" pull -q "$REG_HTTP/big:latest" >/dev/null
  as podman pull -q "$REG_HTTP/big:latest" >/dev/null
  RUNS=$HEAVY_RUNS WARMUP=1 PREP_SKIFF=push_dest_empty PREP_PODMAN=push_dest_empty \
    compare "push big" "push -q --tls-verify=false $REG_HTTP/big:latest $dest" \
    "push -q --tls-verify=false $REG_HTTP/big:latest $dest"
  RUNS=$HEAVY_RUNS compare "push big (exists)" "push -q --tls-verify=false $REG_HTTP/big:latest $dest" \
    "push -q --tls-verify=false $REG_HTTP/big:latest $dest"
  skiff_no_big
  podman_no_big
}

# rmi of an image whose layer nothing else uses (its files are deleted), and the floor: rm -rf
# of the same tree.
case_rmi() {
  PREP_SKIFF=skiff_busybox PREP_PODMAN=podman_busybox \
    compare "rmi" "rmi $REG_HTTP/busybox:latest" "rmi $REG_HTTP/busybox:latest"
  floor "rm -rf (busybox tree)" floor_busybox_tree rm -rf "$FLOOR_DIR"
}

# The "many" repository: N images (tags t1..tN) that differ only in their config and share the
# busybox layer, written straight into the running HTTP registry's storage (a few seconds; no
# jq per image, no push).
many_seed() {  # N
  local n=$1 v2=$WORK/registry/http/storage/docker/registry/v2 i hex size cfg cfgsize
  local r=$v2/repositories/many tmp=$WORK/many.tmp bbsize bbmedia bbdiff arch
  read -r bbsize bbmedia < <(jq -r '.layers[0] | "\(.size) \(.mediaType)"' "$(fx_blob busybox "$(fx_col busybox latest 4)")")
  bbdiff=$(jq -r '.rootfs.diff_ids[0]' "$(fx_blob busybox "$(fx_col busybox latest 6)")")
  arch=$(uname -m | sed 's/x86_64/amd64/; s/aarch64/arm64/')
  put() {  # FILE: into the blob store; sets hex and size
    hex=$(sha256sum "$1" | cut -c1-64)
    size=$(stat -c %s "$1")
    mkdir -p "$v2/blobs/sha256/${hex:0:2}/$hex"
    mv "$1" "$v2/blobs/sha256/${hex:0:2}/$hex/data"
  }
  link() { mkdir -p "$1"; printf 'sha256:%s' "$2" >"$1/link"; }
  link "$r/_layers/sha256/${BB_LAYER#sha256:}" "${BB_LAYER#sha256:}"
  mkdir -p "$r/_uploads"
  for ((i = 1; i <= n; i++)); do
    printf '{"architecture":"%s","os":"linux","created":"2023-11-14T22:13:20Z","config":{"Env":["PATH=/usr/bin:/bin"],"Cmd":["sh"],"Labels":{"n":"%d"}},"rootfs":{"type":"layers","diff_ids":["%s"]},"history":[{"created":"2023-11-14T22:13:20Z","created_by":"many %d"}]}' \
      "$arch" "$i" "$bbdiff" "$i" >"$tmp"
    put "$tmp"
    cfg=$hex cfgsize=$size
    link "$r/_layers/sha256/$cfg" "$cfg"
    printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"%s","digest":"%s","size":%d}]}' \
      "$cfg" "$cfgsize" "$bbmedia" "$BB_LAYER" "$bbsize" >"$tmp"
    put "$tmp"
    link "$r/_manifests/revisions/sha256/$hex" "$hex"
    link "$r/_manifests/tags/t$i/current" "$hex"
    link "$r/_manifests/tags/t$i/index/sha256/$hex" "$hex"
  done
}

# images with 500 images in the store (pulled once per engine with --all-tags; untimed).
case_images_500() {
  [ -d "$WORK/registry/http/storage/docker/registry/v2/repositories/many" ] || many_seed 500
  as "$SKIFF" pull -q -a "$REG_HTTP/many" >/dev/null
  as podman pull -q --all-tags "$REG_HTTP/many" >/dev/null
  local ns np
  ns=$(as "$SKIFF" images -q | wc -l)
  np=$(as podman images -q | wc -l)
  # podman needs 43 s per listing here: it gets the heavy run count, skiff the normal one. And
  # the engines' runs come in blocks, not alternating: skiff's listings right after podman's
  # measured 9-11 ms in full runs against 6.2 ms back to back (the same store; 2026-11-26).
  BLOCKS=1 RUNS_SKIFF=$RUNS RUNS_PODMAN=$HEAVY_RUNS WARMUP=1 compare "images (500)" "images" "images"
  echo "  (images listed: skiff $ns, podman $np)"
}

# rmi of an image whose layer other images still use: the record and names only.
case_rmi_shared() {
  [ -d "$WORK/registry/http/storage/docker/registry/v2/repositories/many" ] || many_seed 500
  PREP_SKIFF=skiff_many1 PREP_PODMAN=podman_many1 \
    compare "rmi (shared layer)" "rmi $REG_HTTP/many:t1" "rmi $REG_HTTP/many:t1"
}

# Container cases (issue 4). Both engines have busybox pulled first (untimed). Every container
# has --network none: podman's default (slirp4netns) needs /dev/net/tun, and skiff has no
# network setup yet either, so both start the same kind of container.
both_busybox() { skiff_busybox; podman_busybox; }
BB=$REG_HTTP/busybox:latest

# run --rm busybox true: create, start, wait for the exit, remove; the figure users feel most.
case_run_rm() {
  both_busybox
  compare "run --rm true" "run --rm --network none $BB true" "run --rm --network none $BB true"
}

# run -d: create and start a container that keeps running, and return. Each engine's
# containers are removed afterwards (untimed).
case_run_d() {
  both_busybox
  compare "run -d sleep" "run -d --network none $BB sleep 600" "run -d --network none $BB sleep 600"
  as "$SKIFF" rm -f $(as "$SKIFF" ps -aq) >/dev/null 2>&1 || true
  as podman rm -f -t 0 -a >/dev/null 2>&1 || true
}

# run --rm busybox true with each engine's default network (skiff: pasta when installed, podman
# 4.3: slirp4netns), and skiff's built-in stack against podman's slirp4netns.
case_run_rm_net() {
  both_busybox
  compare "run --rm true (default network)" "run --rm $BB true" "run --rm $BB true"
  compare "run --rm true (builtin / slirp4netns)" "run --rm --network builtin $BB true" \
    "run --rm --network slirp4netns $BB true"
}

# Outbound throughput: a container sends NET_MIB MiB to a sink on the test host (a network
# namespace of ours behind a veth pair, tests/system/nethost.sh; never another address).
NET_MIB=${SKIFF_BENCH_NET_MIB:-256}
case_net_out() {
  [ "$(id -u)" = 0 ] || { echo "  net_out needs root (the test host)"; return 0; }
  both_busybox
  # shellcheck source=../tests/system/nethost.sh
  source "$REPO/tests/system/nethost.sh"
  nethost_up "$WORK/nethost"
  ip netns exec "$NETHOST_NS" python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5001)); s.listen(8)
while True:
    c, _ = s.accept()
    while c.recv(1 << 20): pass
    c.close()' "$NETHOST_IP" &
  local sink=$!
  sleep 0.5
  printf 'dd if=/dev/zero bs=64k count=%d 2>/dev/null | nc %s 5001\n' $((NET_MIB * 16)) "$NETHOST_IP" >"$WORK/send.sh"
  chmod 0644 "$WORK/send.sh"
  RUNS=$HEAVY_RUNS WARMUP=1 compare "net out $NET_MIB MiB (default network)" \
    "run --rm -v $WORK/send.sh:/send.sh:ro $BB sh /send.sh" "run --rm -v $WORK/send.sh:/send.sh:ro $BB sh /send.sh"
  RUNS=$HEAVY_RUNS WARMUP=1 compare "net out $NET_MIB MiB (builtin / slirp4netns)" \
    "run --rm --network builtin -v $WORK/send.sh:/send.sh:ro $BB sh /send.sh" \
    "run --rm --network slirp4netns -v $WORK/send.sh:/send.sh:ro $BB sh /send.sh"
  kill "$sink" 2>/dev/null || true
  wait "$sink" 2>/dev/null || true
  nethost_down
}

# exec of true in a running container.
case_exec() {
  both_busybox
  as "$SKIFF" run -d --network none --name bench-exec "$BB" sleep 600 >/dev/null
  as podman run -d --network none --name bench-exec "$BB" sleep 600 >/dev/null
  compare "exec true" "exec bench-exec true" "exec bench-exec true"
  as "$SKIFF" rm -f bench-exec >/dev/null 2>&1 || true
  as podman rm -f -t 0 bench-exec >/dev/null 2>&1 || true
}

# ps -a with PS_N created containers in the store (created untimed, skiff in a few seconds,
# podman in a few minutes).
case_ps_1000() {
  both_busybox
  local i
  for ((i = 0; i < PS_N; i++)); do as "$SKIFF" create --network none "$BB" true >/dev/null; done
  for ((i = 0; i < PS_N; i++)); do as podman create --network none "$BB" true >/dev/null; done
  RUNS=$HEAVY_RUNS WARMUP=1 compare "ps -a ($PS_N)" "ps -a" "ps -a"
  as "$SKIFF" container prune -f >/dev/null 2>&1 || true
  as podman container prune -f >/dev/null 2>&1 || true
}

# save of big to a file (issue 16), and load of that archive into a store without the image;
# both engines load skiff's docker-archive. Floor: tar -x of the archive.
SAVE_SKIFF=$WORK/user/save-skiff.tar
SAVE_PODMAN=$WORK/user/save-podman.tar
no_saves() { as rm -f "$SAVE_SKIFF" "$SAVE_PODMAN"; }
skiff_big() { as "$SKIFF" pull -q "$REG_HTTP/big:latest" >/dev/null; }
podman_big() { as podman pull -q "$REG_HTTP/big:latest" >/dev/null; }
case_save() {
  skiff_big
  podman_big
  RUNS=$HEAVY_RUNS WARMUP=1 PREP_SKIFF=no_saves PREP_PODMAN=no_saves \
    compare "save big" "save -o $SAVE_SKIFF $REG_HTTP/big:latest" "save -o $SAVE_PODMAN $REG_HTTP/big:latest"
}
case_load() {
  [ -f "$SAVE_SKIFF" ] || { skiff_big; as "$SKIFF" save -o "$SAVE_SKIFF" "$REG_HTTP/big:latest"; }
  RUNS=$HEAVY_RUNS WARMUP=1 PREP_SKIFF=skiff_no_big PREP_PODMAN=podman_no_big \
    compare "load big" "load -q -i $SAVE_SKIFF" "load -q -i $SAVE_SKIFF"
  RUNS=$HEAVY_RUNS floor "tar -x (big archive)" floor_reset tar -xf "$SAVE_SKIFF" -C "$FLOOR_DIR"
  skiff_no_big
  podman_no_big
}

# The memory a running container costs beside its own processes: the monitor (skiff) or conmon
# (podman), the parent of the container's first process. VmRSS and RssAnon from /proc.
monitors=$WORK/monitors.tsv
: >"$monitors"
case_monitor_rss() {
  both_busybox
  local eng pid ppid
  for eng in skiff podman; do
    if [ $eng = skiff ]; then
      as "$SKIFF" run -d --network none --name bench-mon "$BB" sleep 600 >/dev/null
      pid=$(as "$SKIFF" inspect -f '{{.State.Pid}}' bench-mon)
    else
      as podman run -d --network none --name bench-mon "$BB" sleep 600 >/dev/null
      pid=$(as podman inspect -f '{{.State.Pid}}' bench-mon)
    fi
    ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
    printf '%s\t%s\t%s\t%s\n' "$eng" "$(tr '\0' ' ' <"/proc/$ppid/cmdline" | cut -c1-40)" \
      "$(awk '/^VmRSS:/ {print $2}' "/proc/$ppid/status")" "$(awk '/^RssAnon:/ {print $2}' "/proc/$ppid/status")" >>"$monitors"
    if [ $eng = skiff ]; then as "$SKIFF" rm -f bench-mon >/dev/null; else as podman rm -f -t 0 bench-mon >/dev/null; fi
  done
  printf '  %-10s done\n' "monitor"
}

reset_stores
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: $RUNS runs each (after $WARMUP warm-up runs), skiff and podman alternating, as $TEST_USER"
for c in "${CASES[@]}"; do
  declare -F "case_$c" >/dev/null || { echo "bench: no case '$c' (have: ${CASES[*]})" >&2; exit 2; }
  "case_$c"
done
reset_stores

# --- report --------------------------------------------------------------------------------------
ms() { awk -v u="$1" 'BEGIN {printf "%.1f ms", u / 1000}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f MiB", k / 1024}'; }
table() {
  printf '| case | skiff median | podman median | podman / skiff | skiff peak RSS | podman peak RSS |\n'
  printf '|---|---:|---:|---:|---:|---:|\n'
  local label s p rs rp ss sp
  while IFS=$'\t' read -r label _ _ s p rs rp ss sp; do
    local cs cp ratio
    cs=$(ms "$s"); cp=$(ms "$p")
    ratio=$(awk -v s="$s" -v p="$p" 'BEGIN {printf "%.1fx", p / s}')
    if [ "$ss" != 0 ]; then cs="fails (exit $ss)"; ratio="-"; fi
    if [ "$sp" != 0 ]; then cp="fails (exit $sp)"; ratio="-"; fi
    # shellcheck disable=SC2016  # the backquotes are markdown
    printf '| `%s` | %s | %s | %s | %s | %s |\n' "$label" "$cs" "$cp" "$ratio" "$(mib "$rs")" "$(mib "$rp")"
  done <"$results"
}
baseline=$(for _ in 1 2 3 4 5; do sample /bin/true; done | cut -d' ' -f2 | sort -n | tail -1)

# The image targets of issue 3, from the cases that ran.
col() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l {print $c}' "$results"; }
fcol() { awk -F'\t' -v l="$1" -v c="$2" '$1 == l {print $c}' "$floors"; }
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "**missed**"; fi; }
image_targets() {
  local s p f r
  [ -n "$(col "pull big" 4)$(col "images (500)" 4)$(col rmi 4)$(col "rmi (shared layer)" 4)" ] || return 0
  echo
  echo "Image targets (issue 3):"
  echo
  printf '| target | measured | |\n|---|---|---|\n'
  s=$(col "pull big" 4) p=$(col "pull big" 5) f=$(fcol "curl | tar -xz (big blob)" 2) r=$(col "pull big" 6)
  if [ -n "$s" ] && [ -n "$f" ]; then
    printf '| `pull` of big within 1.05x of `curl \\| tar -xz` | %s vs %s (%.2fx) | %s |\n' "$(ms "$s")" "$(ms "$f")" \
      "$(awk -v a="$s" -v b="$f" 'BEGIN {print a / b}')" "$(verdict "$s <= 1.05 * $f")"
    printf '| `pull` of big faster than podman | %s vs %s | %s |\n' "$(ms "$s")" "$(ms "$p")" "$(verdict "$s < $p")"
    printf '| peak RSS of `pull` <= 30 MiB | %s | %s |\n' "$(mib "$r")" "$(verdict "$r <= 30 * 1024")"
  fi
  s=$(col "images (500)" 4)
  [ -z "$s" ] || printf '| `images` with 500 images <= 10 ms | %s | %s |\n' "$(ms "$s")" "$(verdict "$s <= 10000")"
  s=$(col rmi 4) f=$(fcol "rm -rf (busybox tree)" 2)
  [ -z "$s" ] || [ -z "$f" ] || printf '| `rmi` <= 20 ms plus deleting its files | %s; `rm -rf` of the tree alone %s | %s |\n' \
    "$(ms "$s")" "$(ms "$f")" "$(verdict "$s <= 20000 + $f")"
  s=$(col "rmi (shared layer)" 4)
  [ -z "$s" ] || printf '| `rmi` of an image whose layer is shared (no file deleted) <= 20 ms | %s | %s |\n' \
    "$(ms "$s")" "$(verdict "$s <= 20000")"
}

# The container targets of issue 4.
container_targets() {
  local s r
  [ -n "$(col "run --rm true" 4)$(col "ps -a ($PS_N)" 4)" ] || [ -s "$monitors" ] || return 0
  echo
  echo "Container targets (issue 4):"
  echo
  printf '| target | measured | |\n|---|---|---|\n'
  s=$(col "run --rm true" 4)
  [ -z "$s" ] || printf '| `run --rm --network none busybox true` median <= 20 ms | %s (podman %s) | %s |\n' \
    "$(ms "$s")" "$(ms "$(col "run --rm true" 5)")" "$(verdict "$s <= 20000")"
  s=$(col "ps -a ($PS_N)" 4)
  [ -z "$s" ] || printf '| `ps -a` with %s containers <= 50 ms | %s | %s |\n' "$PS_N" "$(ms "$s")" "$(verdict "$s <= 50000")"
  r=$(awk -F'\t' '$1 == "skiff" {print $3}' "$monitors")
  [ -z "$r" ] || printf '| monitor RSS of a running container <= 2 MiB | %s | %s |\n' "$(mib "$r")" "$(verdict "$r <= 2048")"
}

monitor_table() {
  [ -s "$monitors" ] || return 0
  echo
  echo "Memory of the per-container monitor (a running \`sleep\` container; from /proc of the parent"
  echo "of the container's first process):"
  echo
  printf '| engine | monitor process | VmRSS | RssAnon |\n|---|---|---:|---:|\n'
  local eng cmd rss anon
  while IFS=$'\t' read -r eng cmd rss anon; do
    # shellcheck disable=SC2016  # the backquotes are markdown
    printf '| %s | `%s` | %s | %s |\n' "$eng" "$cmd" "$(mib "$rss")" "$(mib "$anon")"
  done <"$monitors"
}

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# Benchmarks: skiff vs podman"
  echo
  echo "Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d). Both engines run rootless as"
  echo "\`$TEST_USER\` from empty stores in their default places; each case alternates skiff and podman"
  echo "run by run ($RUNS runs each after $WARMUP warm-up runs each; the slow cases \`pull big\` and"
  echo "\`ps -a ($PS_N)\`: $HEAVY_RUNS runs each; \`images (500)\`: skiff's $RUNS runs, then podman's $HEAVY_RUNS, see"
  echo "bench/run.sh). Times are medians of wall time"
  echo "from fork to reap; peak RSS is the largest wait4 ru_maxrss seen (it includes the launcher's"
  echo "own pages before exec: \`/bin/true\` measures $(mib "$baseline"))."
  echo
  echo "Machine: $(nproc) × ${cpu:-unknown CPU}, $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) memory, kernel $(uname -r),"
  # shellcheck disable=SC1091
  echo "$(. /etc/os-release && echo "$PRETTY_NAME"); load average $load_before at the start (other work on the"
  echo "machine inflates times: compare ratios, and rerun \`make bench\` on an idle machine for absolute figures);"
  # shellcheck disable=SC1091
  echo "skiff $("$SKIFF" --version | awk '{print $NF}'), $(podman --version), $(runc --version | head -1)."
  echo
  table
  image_targets
  container_targets
  monitor_table
} >"$HERE/RESULTS.md"
echo
table
image_targets
container_targets
monitor_table
echo
echo "bench: wrote $HERE/RESULTS.md"
