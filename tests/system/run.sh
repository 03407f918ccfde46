#!/usr/bin/env bash
# The system test runner.
#
#   tests/system/run.sh [--out DIR] [--only-root|--only-rootless] [-j N] [--timeout SECS]
#                       [--keep] [--counts FILE] [NAME...]
#
# Builds the fixture images (cached in DIR/fixtures), starts the fixture registries once, then runs
# every tests/system/<area>-<scenario>.sh (or the NAMEs given; globs work) twice: as root, then as
# the unprivileged user `skiff-test` (created when missing, with a subuid/subgid range and an
# XDG_RUNTIME_DIR it owns). Run as a normal user, it runs the tests once, as that user.
# Tests run N at a time (default 2; a test whose header says `# harness: serial` runs alone), each
# under tests/tools/reaper with a timeout (default 300 s, or `# harness: timeout=SECS`).
# Prints a line per test and role, a failing test's output, then `N passed, N failed, N skipped`;
# exits 1 when anything failed. Logs: DIR/system-tests/<role>/<test>.log.
#   --keep          keep each test's directory (SKIFF_TEST_KEEP=1) and the run directory
#   --counts FILE   write "PASSED FAILED SKIPPED" to FILE and print the summary in a form that is
#                   not a closing count line (tests/run-all.sh prints the one total line)
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
OUT=out
ONLY=
JOBS=2
TIMEOUT=300
KEEP=0
COUNTS=
TEST_USER=${SKIFF_TEST_USER:-skiff-test}
names=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    --only-root) ONLY=root; shift ;;
    --only-rootless) ONLY=rootless; shift ;;
    -j) JOBS=$2; shift 2 ;;
    -j*) JOBS=${1#-j}; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    --counts) COUNTS=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) names+=("${1%.sh}"); shift ;;
  esac
done
[ "$JOBS" -ge 1 ] 2>/dev/null || { echo "run.sh: -j wants a number" >&2; exit 2; }
[ -d "$OUT" ] || { echo "run.sh: no build directory $OUT (run make first)" >&2; exit 2; }
OUT=$(cd "$OUT" && pwd)
for f in "$OUT/skiff" "$OUT/tools/reaper" "$OUT/tools/token_server"; do
  [ -x "$f" ] || { echo "run.sh: $f is missing (make all tools)" >&2; exit 2; }
done

# --- the tests ---------------------------------------------------------------------------------
mapfile -t all_tests < <(find "$HERE" -maxdepth 1 -name '*-*.sh' -printf '%f\n' | sed 's/\.sh$//' | LC_ALL=C sort)
tests=()
for t in "${all_tests[@]}"; do
  if [ ${#names[@]} -eq 0 ]; then tests+=("$t"); continue; fi
  for n in "${names[@]}"; do
    # shellcheck disable=SC2053  # NAME may be a glob
    if [[ $t == $n ]]; then tests+=("$t"); break; fi
  done
done
[ ${#tests[@]} -gt 0 ] || { echo "run.sh: no test matches: ${names[*]:-(none in $HERE)}" >&2; exit 2; }

# --- roles -------------------------------------------------------------------------------------
roles=()
if [ "$(id -u)" = 0 ]; then
  [ "$ONLY" = rootless ] || roles+=(root)
  [ "$ONLY" = root ] || roles+=(rootless)
else
  [ "$ONLY" = root ] && { echo "run.sh: --only-root needs root" >&2; exit 2; }
  roles+=(rootless)
fi

# shellcheck source=testuser.sh
source "$HERE/testuser.sh"

if [ "$(id -u)" = 0 ]; then
  [[ " ${roles[*]} " != *" rootless "* ]] || ensure_test_user "$TEST_USER"
else
  TEST_USER=$(id -un) TEST_UID=$(id -u) TEST_GID=$(id -g) TEST_HOME=$HOME
  TEST_XDG=${XDG_RUNTIME_DIR:-}
fi

# --- run directory, fixtures, registries -------------------------------------------------------
# shellcheck source=fixtures.sh
source "$HERE/fixtures.sh"
# shellcheck source=registry.sh
source "$HERE/registry.sh"

RUN=$(mktemp -d "${SKIFF_TEST_RUNDIR:-/tmp}/skiff-system.XXXXXX")
chmod 0755 "$RUN"
LOGS=$OUT/system-tests
[ -w "$OUT" ] || LOGS=/tmp/skiff-system-tests-$(id -u)   # someone else's build directory
rm -rf "$LOGS"
mkdir -p "$LOGS"
declare -A job_role=() job_test=() job_start=()

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  local pid
  for pid in "${!job_role[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${!job_role[@]}"; do wait "$pid" 2>/dev/null || true; done
  reg_stop_all
  [ -z "${NETHOST_IP:-}" ] || nethost_down
  if [ "$KEEP" = 1 ]; then
    echo "run.sh: kept $RUN"
  else
    if [ "$(id -u)" = 0 ]; then
      local m
      while read -r m; do umount -l "$m" 2>/dev/null || true; done < <(
        awk -v t="$RUN/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r)
      rm -rf --one-file-system "$RUN"
    else
      unshare --map-root-user --map-auto rm -rf "$RUN" 2>/dev/null || rm -rf "$RUN" 2>/dev/null || true
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'echo "run.sh: interrupted" >&2; exit 130' INT TERM HUP

t0=$EPOCHREALTIME
fixtures_build "$OUT/fixtures"
t1=$EPOCHREALTIME
reg_start_all "$RUN/registry" "$OUT/fixtures" "$OUT/tools"
# The default network needs /dev/net/tun usable by the rootless user (Debian's udev makes it
# 0666; some VMs leave it 0600). Tests marked "# harness: nethost" get the test host.
if [ "$(id -u)" = 0 ] && [ -c /dev/net/tun ]; then chmod 0666 /dev/net/tun; fi
# ICMP echo from rootless stacks uses ping sockets (systemd sets this range; some VMs do not).
[ "$(id -u)" != 0 ] || sysctl -qw net.ipv4.ping_group_range="0 2147483647" || true
# shellcheck source=nethost.sh
source "$HERE/nethost.sh"
if [ "$(id -u)" = 0 ]; then
  for t in "${tests[@]}"; do
    if grep -q '^# harness:.*nethost' "$HERE/$t.sh"; then
      # Without it those tests skip; the others run as ever.
      nethost_up "$RUN/nethost" || { nethost_down; unset NETHOST_IP; }
      break
    fi
  done
fi
t2=$EPOCHREALTIME

# What the tests use is copied into the run directory, which every role can read even when the
# build tree is in a home directory the test user cannot enter.
mkdir -p "$RUN/bin" "$RUN/fixtures"
cp "$OUT/skiff" "$RUN/bin/skiff"
find "$OUT/tools" -maxdepth 1 -type f -perm -u+x -exec cp {} "$RUN/bin/" \;
[ ! -x "$OUT/unit_tests" ] || cp "$OUT/unit_tests" "$RUN/bin/unit_tests"  # unit-live.sh
cp -r "$HERE" "$RUN/suite"
# Files the packaging tests check (systemd units, generator links).
[ ! -d "$HERE/../../packaging" ] || cp -r "$HERE/../../packaging" "$RUN/packaging"
# `make deb`'s package, when built (package-deb.sh installs and purges it).
for deb in "$OUT"/skiff_*.deb; do [ ! -f "$deb" ] || cp "$deb" "$RUN/bin/"; done
cp "$OUT/fixtures"/{fixtures.tsv,manifests.tsv,blobs.tsv,layered.tree,tree.sh,FIXTURES.md} "$RUN/fixtures/"
# Hard links when allowed (fs.protected_hardlinks refuses them to a user for root's files).
cp -al "$OUT/fixtures/oci" "$RUN/fixtures/oci" 2>/dev/null ||
  { rm -rf "$RUN/fixtures/oci" && cp -a "$OUT/fixtures/oci" "$RUN/fixtures/oci"; }
mkdir -m 0700 "$RUN/root"
if [[ " ${roles[*]} " == *" rootless "* ]]; then
  mkdir -m 0700 "$RUN/rootless"
  chown "$TEST_UID:$TEST_GID" "$RUN/rootless"
fi
printf 'run.sh: fixtures ready in %.1f s, registries in %.1f s; %d test(s) x %d role(s), -j%d\n' \
  "$(awk "BEGIN {print $t1 - $t0}")" "$(awk "BEGIN {print $t2 - $t1}")" "${#tests[@]}" "${#roles[@]}" "$JOBS"

base_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
  SKIFF="$RUN/bin/skiff" SKIFF_TOOLS="$RUN/bin" FIXTURES_DIR="$RUN/fixtures" SKIFF_TEST_KEEP="$KEEP")
while IFS='=' read -r k _; do base_env+=("$k=${!k}"); done < <(env | grep -E '^(REG|NETHOST)_' | sort)
[ -z "${CI:-}" ] || base_env+=(CI="$CI")

header_timeout() {  # TEST
  local t
  t=$(sed -n 's/^# harness:.*timeout=\([0-9][0-9]*\).*/\1/p' "$HERE/$1.sh" | head -1)
  echo "${t:-$TIMEOUT}"
}
is_serial() { grep -q '^# harness:.*serial' "$HERE/$1.sh"; }

start_job() {  # ROLE TEST
  local role=$1 t=$2 to cmd
  to=$(header_timeout "$t")
  mkdir -p "$LOGS/$role"
  if [ "$role" = root ]; then
    cmd=(env -i "${base_env[@]}" HOME=/root USER=root LOGNAME=root SKIFF_TEST_ROLE=root
         SKIFF_TEST_TMPDIR="$RUN/root")
  else
    cmd=()
    [ "$(id -u)" != 0 ] || cmd=(setpriv --reuid="$TEST_UID" --regid="$TEST_GID" --init-groups --)
    cmd+=(env -i "${base_env[@]}" HOME="$TEST_HOME" USER="$TEST_USER" LOGNAME="$TEST_USER"
          SKIFF_TEST_ROLE=rootless SKIFF_TEST_TMPDIR="$RUN/rootless")
    [ -z "$TEST_XDG" ] || cmd+=(XDG_RUNTIME_DIR="$TEST_XDG")
  fi
  cmd+=("$RUN/bin/reaper" --timeout "$to" -- bash "$RUN/suite/$t.sh")
  # The network tests' test host (nethost.sh): its resolv.conf in a mount namespace of the job's.
  if [ -n "${NETHOST_IP:-}" ] && grep -q '^# harness:.*nethost' "$HERE/$t.sh"; then
    cmd=(unshare -m --propagation private sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$NETHOST_RESOLV"
         "${cmd[@]}")
  fi
  (cd "$RUN" && exec "${cmd[@]}") >"$LOGS/$role/$t.log" 2>&1 </dev/null &
  job_role[$!]=$role
  job_test[$!]=$t
  job_start[$!]=$EPOCHREALTIME
}

passed=0 failed=0 skipped=0
failures=()
finish_job() {  # PID STATUS
  local pid=$1 rc=$2 role=${job_role[$1]} t=${job_test[$1]} secs log reason
  secs=$(awk "BEGIN {printf \"%.1f\", $EPOCHREALTIME - ${job_start[$1]}}")
  unset "job_role[$pid]" "job_test[$pid]" "job_start[$pid]"
  log=$LOGS/$role/$t.log
  case $rc in
    0) passed=$((passed + 1)); printf 'ok    %-8s %s (%ss)\n' "$role" "$t" "$secs" ;;
    77) skipped=$((skipped + 1))
        reason=$(sed -n 's/^skip: //p' "$log" | tail -1)
        printf 'skip  %-8s %s (%s)\n' "$role" "$t" "${reason:-no reason given}" ;;
    *) failed=$((failed + 1))
       failures+=("$role $t")
       if [ "$rc" = 124 ]; then reason="timed out after $(header_timeout "$t") s"; else reason="exit status $rc"; fi
       printf 'FAIL  %-8s %s (%s, %ss)\n' "$role" "$t" "$reason" "$secs"
       local n
       n=$(wc -l <"$log")
       if [ "$n" -gt 300 ]; then
         echo "    ... first $((n - 300)) lines cut; full log: $log"
         tail -n 300 "$log" | sed 's/^/    | /'
       else
         sed 's/^/    | /' "$log"
       fi ;;
  esac
}

wait_one() {
  local pid rc=0
  wait -n -p pid "${!job_role[@]}" || rc=$?
  [ -n "${pid:-}" ] || return 0
  finish_job "$pid" "$rc"
}

queue=()
for role in "${roles[@]}"; do
  for t in "${tests[@]}"; do queue+=("$role $t"); done
done
for item in "${queue[@]}"; do
  read -r role t <<<"$item"
  if is_serial "$t"; then
    while [ ${#job_role[@]} -gt 0 ]; do wait_one; done
    start_job "$role" "$t"
    wait_one
    continue
  fi
  while [ ${#job_role[@]} -ge "$JOBS" ]; do wait_one; done
  start_job "$role" "$t"
done
while [ ${#job_role[@]} -gt 0 ]; do wait_one; done

total=$(awk "BEGIN {printf \"%.0f\", $EPOCHREALTIME - $t0}")
if [ ${#failures[@]} -gt 0 ]; then
  echo "failed:"
  printf '  %s\n' "${failures[@]}"
fi
if [ -n "$COUNTS" ]; then
  echo "$passed $failed $skipped" >"$COUNTS"
  echo "system tests: $passed ok, $failed failed, $skipped skipped (${total}s; logs in $LOGS)"
else
  echo "system tests took ${total}s; logs in $LOGS"
  echo "$passed passed, $failed failed, $skipped skipped"
fi
[ "$failed" -eq 0 ]
