#!/usr/bin/env bash
# Published ports, skiff vs podman, rootless (issue 11's port figures): a 1 GiB transfer through
# `-p` (the server in the container, the client on the host) and 1,000 sequential connections
# (connect, server closes, EOF), and the RSS of skiff's monitor while it forwards. Both engines
# run as the unprivileged bench user with stores of their own under a temporary directory (the
# users' default stores are left alone); podman with its default rootless network (podman 4.3:
# slirp4netns, ports by rootlessport). The server and client are tests/tools/netprobe (static,
# bind-mounted into busybox). Prints a markdown section; bench/RESULTS.md carries it.
#
#   bench/ports.sh [--out DIR] [--runs N] [--podman-root]
#
# --podman-root: podman runs as root (its rootful bridge network, CNI portmap), for hosts where
# its rootless network cannot start (slirp4netns needs /dev/net/tun opened by the user).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/.." && pwd)
OUT=$REPO/out
RUNS=3
BENCH_USER=${SKIFF_BENCH_USER:-skiff-test}
PODMAN_ROOT=0
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --podman-root) PODMAN_ROOT=1; shift ;;
    *) echo "bench/ports: unknown argument $1" >&2; exit 2 ;;
  esac
done
PROBE=$OUT/tools/netprobe
for f in "$OUT/skiff" "$PROBE"; do
  [ -x "$f" ] || { echo "bench/ports: $f is missing (make all tools)" >&2; exit 2; }
done

if [ "$(id -u)" = 0 ]; then
  # shellcheck source=../tests/system/testuser.sh
  source "$REPO/tests/system/testuser.sh"
  ensure_test_user "$BENCH_USER"
else
  TEST_USER=$(id -un) TEST_UID=$(id -u) TEST_GID=$(id -g) TEST_HOME=$HOME
  TEST_XDG=${XDG_RUNTIME_DIR:-/run/user/$TEST_UID}
fi
user_env=(env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$TEST_HOME"
  USER="$TEST_USER" LOGNAME="$TEST_USER" XDG_RUNTIME_DIR="$TEST_XDG" LANG=C.UTF-8)
as() {
  if [ "$(id -u)" = 0 ]; then setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --init-groups -- "${user_env[@]}" "$@"
  else "${user_env[@]}" "$@"; fi
}

# shellcheck source=../tests/system/fixtures.sh
source "$REPO/tests/system/fixtures.sh"
# shellcheck source=../tests/system/registry.sh
source "$REPO/tests/system/registry.sh"
WORK=$(mktemp -d /tmp/skiff-bench-ports.XXXXXX)
chmod 0755 "$WORK"
cleanup() {
  as "$OUT/skiff" --root "$WORK/u/sk" --runroot "$WORK/u/sk-run" rm -f bp >/dev/null 2>&1 || true
  "$OUT/skiff" --root "$WORK/sk-root" --runroot "$WORK/sk-root-run" rm -f bp >/dev/null 2>&1 || true
  pm rm -f -t 0 bp >/dev/null 2>&1 || true
  pm system reset --force >/dev/null 2>&1 || true
  reg_stop_all
  as unshare --map-root-user --map-auto rm -rf "$WORK/u" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
fixtures_build "$OUT/fixtures" busybox
reg_start_all "$WORK/registry" "$OUT/fixtures" "$OUT/tools" http
mkdir -p "$WORK/u"
[ "$(id -u)" != 0 ] || chown "$TEST_UID:$TEST_GID" "$WORK/u"
cp "$PROBE" "$WORK/u/netprobe"
chmod 0755 "$WORK/u/netprobe"

# podman as bench/run.sh sets it up (runc, cgroupfs), with its own store here.
as mkdir -p "$WORK/u/pm-conf/containers"
as tee "$WORK/u/pm-conf/containers/containers.conf" >/dev/null <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
as tee "$WORK/u/pm-conf/containers/registries.conf" >/dev/null <<EOF
unqualified-search-registries = ["$REG_HTTP"]
[[registry]]
location = "$REG_HTTP"
insecure = true
EOF
user_env+=(CONTAINERS_CONF="$WORK/u/pm-conf/containers/containers.conf"
  CONTAINERS_REGISTRIES_CONF="$WORK/u/pm-conf/containers/registries.conf" XDG_CONFIG_HOME="$WORK/u/pm-conf")
PM=(--root "$WORK/u/pm" --runroot "$WORK/u/pm-run")
# pm ARGS...: podman as the bench user, or as root with --podman-root.
pm() {
  if [ "$PODMAN_ROOT" = 1 ]; then
    env CONTAINERS_CONF="$WORK/u/pm-conf/containers/containers.conf" \
      CONTAINERS_REGISTRIES_CONF="$WORK/u/pm-conf/containers/registries.conf" podman "${PM[@]}" "$@"
  else
    as podman "${PM[@]}" "$@"
  fi
}
SK=("$OUT/skiff" --root "$WORK/u/sk" --runroot "$WORK/u/sk-run")
SKR=("$OUT/skiff" --root "$WORK/sk-root" --runroot "$WORK/sk-root-run")  # as root (--podman-root)
BB=$REG_HTTP/busybox:latest
as "${SK[@]}" pull -q "$BB" >/dev/null
[ "$PODMAN_ROOT" != 1 ] || "${SKR[@]}" pull -q --tls-verify=false "$BB" >/dev/null
pm pull -q "$BB" >/dev/null

free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 20000))
    [ -z "$(ss -ltnH "sport = :$p")" ] && { echo "$p"; return; }
  done
}
median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

# start ENGINE PORT ARGS...: a detached container `bp` publishing PORT to the container's 80.
start() {
  local eng=$1 port=$2
  shift 2
  if [ "$eng" = skiff-root ]; then
    "${SKR[@]}" run -d --name bp -p "$port:80" -v "$WORK/u/netprobe:/netprobe:ro" "$BB" /netprobe "$@" >/dev/null
  elif [ "$eng" = skiff-fwd ]; then
    # slirp4netns for the network, the monitor's own forwarder for the port
    as "${SK[@]}" run -d --network slirp4netns --name bp -p "$port:80" -v "$WORK/u/netprobe:/netprobe:ro" "$BB" /netprobe "$@" >/dev/null
  elif [ "$eng" = skiff ]; then
    as "${SK[@]}" run -d --name bp -p "$port:80" -v "$WORK/u/netprobe:/netprobe:ro" "$BB" /netprobe "$@" >/dev/null
  else
    # (A nofile limit the caller can grant: runc refuses to raise it here, even as root.)
    pm run -d --name bp --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 -p "$port:80" -v "$WORK/u/netprobe:/netprobe:ro" "$BB" /netprobe "$@" >/dev/null
  fi
  local i
  for ((i = 0; i < 100; i++)); do
    [ -n "$(ss -ltnH "sport = :$port")" ] && break
    sleep 0.05
  done
  sleep 0.3  # the server in the container
}
stop() {
  case $1 in
    skiff | skiff-fwd) as "${SK[@]}" rm -f bp >/dev/null ;;
    skiff-root) "${SKR[@]}" rm -f bp >/dev/null ;;
    *) pm rm -f -t 0 bp >/dev/null ;;
  esac
}

GIB=1073741824
declare -A tput conn
rss_line=
engines=(skiff skiff-fwd podman)
[ "$PODMAN_ROOT" != 1 ] || engines=(skiff skiff-fwd skiff-root podman)
for eng in "${engines[@]}"; do
  # 1 GiB, RUNS times: MiB/s.
  p=$(free_port)
  start "$eng" "$p" tcp-source 80 "$GIB"
  vals=()
  for ((i = 0; i < RUNS; i++)); do
    read -r bytes secs rate < <("$PROBE" tcp-sink 127.0.0.1 "$p")
    [ "$bytes" = "$GIB" ] || { echo "bench/ports: $eng transferred $bytes bytes" >&2; exit 1; }
    vals+=("$rate")
  done
  tput[$eng]=$(printf '%s\n' "${vals[@]}" | median)
  if [ "$eng" = skiff-fwd ]; then
    mon=$(sed -n 's/.*"monitorPid":\([0-9]*\).*/\1/p' "$WORK/u/sk-run/c/$(as "${SK[@]}" inspect -f '{{.Id}}' bp | cut -c1-12)/monitor.json")
    rss_line=$(awk '/^Rss:/ {r = $2} /^Pss:/ {p = $2} /^Anonymous:/ {a = $2} END {printf "%.2f MiB (Pss %.2f MiB, anonymous %.2f MiB)", r / 1024, p / 1024, a / 1024}' "/proc/$mon/smaps_rollup")
  fi
  stop "$eng"
  # 1,000 sequential connections (the server closes each at once).
  p=$(free_port)
  start "$eng" "$p" tcp-source 80 0
  vals=()
  for ((i = 0; i < RUNS; i++)); do
    read -r _ secs _ < <("$PROBE" tcp-connects 127.0.0.1 "$p" 1000)
    vals+=("$secs")
  done
  conn[$eng]=$(printf '%s\n' "${vals[@]}" | median)
  stop "$eng"
done
# The floor: the same client and server on the host's loopback, no forwarding.
p=$(free_port)
"$PROBE" tcp-source "$p" "$GIB" & srv=$!
sleep 0.2
read -r _ _ floor_tput < <("$PROBE" tcp-sink 127.0.0.1 "$p")
kill "$srv"
p=$(free_port)
"$PROBE" tcp-source "$p" 0 & srv=$!
sleep 0.2
read -r _ floor_conn _ < <("$PROBE" tcp-connects 127.0.0.1 "$p" 1000)
kill "$srv"

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
cat <<EOF
## Published ports (bench/ports.sh)

Written by \`bench/ports.sh\` on $(date -u +%Y-%m-%d): rootless as \`$TEST_USER\`, medians of $RUNS runs;
$(nproc) × ${cpu:-unknown CPU}, kernel $(uname -r), load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;
$(podman --version) $(if [ "$PODMAN_ROOT" = 1 ]; then echo "as root, with its default rootful network (CNI bridge, portmap)"; else echo "with its default rootless network (slirp4netns, ports by rootlessport)"; fi).
The server runs in a busybox container (\`netprobe tcp-source\`, bind-mounted), the client on the
host connects to 127.0.0.1:PORT published with \`-p PORT:80\`.

| case | skiff, default network (pasta forwards) | skiff, \`--network slirp4netns\` (the monitor forwards) | $([ "$PODMAN_ROOT" = 1 ] && echo "skiff as root | ")podman | no forwarding (host loopback) |
|---|---:|---:|---:|$([ "$PODMAN_ROOT" = 1 ] && echo "---:|")---:|
| 1 GiB from the container to the host through \`-p\` | ${tput[skiff]} MiB/s | ${tput[skiff-fwd]} MiB/s | $([ "$PODMAN_ROOT" = 1 ] && echo "${tput[skiff-root]} MiB/s | ")${tput[podman]} MiB/s | $floor_tput MiB/s |
| 1,000 sequential connections through \`-p\` | ${conn[skiff]} s | ${conn[skiff-fwd]} s | $([ "$PODMAN_ROOT" = 1 ] && echo "${conn[skiff-root]} s | ")${conn[podman]} s | $floor_conn s |

skiff's monitor (\`--network slirp4netns\`) right after forwarding 1 GiB (\`/proc/PID/smaps_rollup\`): $rss_line.
EOF
