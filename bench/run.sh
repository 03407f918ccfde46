#!/usr/bin/env bash
# skiff vs podman, side by side, rootless (make bench).
#
#   bench/run.sh [--out DIR] [--runs N] [--warmup N] [CASE...]     (no CASE: all of them)
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
CASES=(version info images ps_a)
only=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$(realpath "$2"); shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --warmup) WARMUP=$2; shift 2 ;;
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

# compare LABEL SKIFF_ARGS PODMAN_ARGS: alternate the two, RUNS times each after WARMUP each.
compare() {
  local label=$1 i a b
  local -a sk pm
  read -ra sk <<<"$2"
  read -ra pm <<<"$3"
  sk=("$SKIFF" "${sk[@]}")
  pm=(podman "${pm[@]}")
  local ws=() wp=() rs=() rp=() st_s=0 st_p=0
  for ((i = 0; i < WARMUP; i++)); do sample "${sk[@]}" >/dev/null; sample "${pm[@]}" >/dev/null; done
  for ((i = 0; i < RUNS; i++)); do
    if ((i % 2)); then
      read -r a b st_p < <(sample "${pm[@]}"); wp+=("$a"); rp+=("$b")
      read -r a b st_s < <(sample "${sk[@]}"); ws+=("$a"); rs+=("$b")
    else
      read -r a b st_s < <(sample "${sk[@]}"); ws+=("$a"); rs+=("$b")
      read -r a b st_p < <(sample "${pm[@]}"); wp+=("$a"); rp+=("$b")
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

# --- the cases -----------------------------------------------------------------------------------
case_version() { compare version "version" "version"; }
case_info() { compare info "info" "info"; }
case_images() { compare images "images" "images"; }
case_ps_a() { compare "ps -a" "ps -a" "ps -a"; }

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

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
{
  echo "# Benchmarks: skiff vs podman"
  echo
  echo "Written by \`make bench\` (bench/run.sh) on $(date -u +%Y-%m-%d). Both engines run rootless as"
  echo "\`$TEST_USER\` from empty stores in their default places; each case alternates skiff and podman"
  echo "run by run ($RUNS runs each after $WARMUP warm-up runs each). Times are medians of wall time"
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
} >"$HERE/RESULTS.md"
echo
table
echo
echo "bench: wrote $HERE/RESULTS.md"
