#!/usr/bin/env bash
# Sourced by every system test (tests/system/<area>-<scenario>.sh, one scenario per file):
#
#   #!/usr/bin/env bash
#   # What the scenario checks, in a sentence or two.
#   # shellcheck source=lib.sh
#   source "$(dirname "$0")/lib.sh"
#   require_registry
#   assert_success sk pull "$(fixture_ref busybox)"        # runs it; $status and $output kept
#   run_split sk images --format '{{.Repository}}:{{.Tag}}'  # $status, $stdout, $stderr
#   assert_eq "$stdout" "$REG_HTTP/busybox:latest" "images after a pull"
#   assert_status 125 sk rmi nosuchimage
#   assert_contains "$output" "No such image: nosuchimage"
#
# Each test gets its own directory $T (removed on exit, with whatever skiff left in it, after
# every process the test started is killed) holding:
#   $SKIFF_ROOT ($T/root) and $SKIFF_RUNROOT ($T/runroot)   what `sk` passes as --root/--runroot
#   $HOME ($T/home) with XDG_CONFIG_HOME, XDG_DATA_HOME, XDG_CACHE_HOME under it
#   $XDG_RUNTIME_DIR ($T/xdg-run, mode 0700)
#   $T/work                                                  the current directory at the start
# and, when the fixture registries run, $XDG_CONFIG_HOME/containers/registries.conf (REG_HTTP
# insecure and the only unqualified-search registry, so a short name never leaves 127.0.0.1)
# and $XDG_CONFIG_HOME/containers/certs.d (the test CA for every HTTPS registry).
#
# Environment: SKIFF (the binary), SKIFF_TOOLS (reaper, token_server, runstat), SUITE_DIR (this
# directory), FIXTURES_DIR (fixtures.tsv, manifests.tsv, blobs.tsv, layered.tree, tree.sh,
# FIXTURES.md, oci/<name>), SKIFF_TEST_ROLE (root | rootless), TEST_NAME, and from registry.sh:
# REG_HTTP REG_TLS REG_BASIC REG_TOKEN (127.0.0.1:PORT), REG_TOKEN_SERVER REG_TOKEN_REALM
# REG_TOKEN_SERVICE REG_TOKEN_ISSUER, REG_CA_CERT REG_CA_DIR, REG_USER REG_PASS (pull and push),
# REG_RO_USER REG_RO_PASS (pull only, token registry), REG_AUTH_FILE, REG_LOG_DIR, REG_STORAGE_DIR.
#
# Tests run twice under tests/system/run.sh: as root and as the unprivileged `skiff-test` user
# ($SKIFF_TEST_ROLE = root | rootless). Exit 0 = pass, 77 = skip (`skip "reason"`), else fail.
# A test may also be run alone: `tests/system/cli-basics.sh` (it then starts its own registries
# if it calls require_registry). Header lines the runner reads:
#   # harness: serial          run this test alone (nothing else in parallel)
#   # harness: timeout=SECS    instead of the runner's default (300)
# SKIFF_TEST_KEEP=1 (run.sh --keep) keeps $T for a post-mortem.
#
# Helpers: sk, run, run_split, assert_eq, assert_ne, assert_contains, assert_not_contains,
# assert_match, assert_status, assert_success, assert_file, assert_no_file, fail, skip,
# require_cmd, require_root, require_rootless, require_registry, defer, fixture_ref,
# fixture_digest, fixture_media_type, fixture_image_id, fixture_tree, in_userns.

set -eEuo pipefail
shopt -s inherit_errexit

_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SUITE_DIR=$_LIB_DIR   # tests/system (or its copy in the run directory): fixtures.sh, data files
TEST_NAME=$(basename "$0" .sh)
_LIB_REPO=$(cd "$_LIB_DIR/../.." && pwd)

# Alone (not under run.sh): the build tree next to this file, and the reaper so that nothing the
# test starts outlives it.
SKIFF_TOOLS=${SKIFF_TOOLS:-$_LIB_REPO/out/tools}
if [ -z "${SKIFF_REAPER_PID:-}" ] && [ -x "$SKIFF_TOOLS/reaper" ]; then
  exec "$SKIFF_TOOLS/reaper" -- bash "$0" "$@"
fi
SKIFF=${SKIFF:-$_LIB_REPO/out/skiff}
FIXTURES_DIR=${FIXTURES_DIR:-$(dirname "$SKIFF")/fixtures}
if [ -z "${SKIFF_TEST_ROLE:-}" ]; then
  if [ "$(id -u)" = 0 ]; then SKIFF_TEST_ROLE=root; else SKIFF_TEST_ROLE=rootless; fi
fi
export SKIFF SKIFF_TOOLS FIXTURES_DIR SKIFF_TEST_ROLE TEST_NAME SUITE_DIR

# The original stderr: command traces go there even while `run` captures the command's stderr.
exec {_LIB_TRACE}>&2

_lib_trace() { printf '+ %s\n' "$*" >&"$_LIB_TRACE"; }

# The "file:line" of the test line that called into lib.sh.
_lib_where() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
      echo "$(basename "${BASH_SOURCE[$i]}"):${BASH_LINENO[$((i - 1))]}"
      return
    fi
  done
  echo "$TEST_NAME"
}

fail() {
  printf 'FAIL: %s: %s\n' "$(_lib_where)" "$*" >&2
  _LIB_FAILED=1
  exit 1
}

skip() {
  echo "skip: $*"
  exit 77
}

_lib_on_err() {  # STATUS LINE COMMAND FILE
  # Report once, where the test's own shell saw it (a failure inside $(...) shows at its line).
  [ "$BASH_SUBSHELL" = 0 ] || return 0
  [ "${_LIB_FAILED:-0}" = 1 ] && return
  _LIB_FAILED=1
  printf 'FAIL: %s:%s: command failed with status %s: %s\n' "$(basename "$4")" "$2" "$1" "$3" >&2
}
trap '_lib_on_err $? $LINENO "$BASH_COMMAND" "${BASH_SOURCE[0]}"' ERR

# --- per-test directory and environment -------------------------------------------------------

_lib_base=${SKIFF_TEST_TMPDIR:-${TMPDIR:-/tmp}}
T=$(mktemp -d "$_lib_base/$TEST_NAME.XXXXXX")
chmod 0755 "$T"
SKIFF_ROOT=$T/root
SKIFF_RUNROOT=$T/runroot
export HOME=$T/home
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
export XDG_RUNTIME_DIR=$T/xdg-run
mkdir -p "$HOME" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$T/work"
mkdir -m 0700 "$XDG_RUNTIME_DIR"
export T SKIFF_ROOT SKIFF_RUNROOT
_LIB_DEFERRED=()

# Runs CMD at exit, before the directory is removed (last registered runs first).
defer() {
  _LIB_DEFERRED+=("$(printf '%q ' "$@")")
}

_lib_cleanup() {
  local rc=$? i
  trap - ERR
  set +eu
  for ((i = ${#_LIB_DEFERRED[@]} - 1; i >= 0; i--)); do
    eval "${_LIB_DEFERRED[$i]}" >/dev/null 2>&1
  done
  # Everything the test started, however detached: kill it before touching its files.
  if [ -n "${SKIFF_REAPER_PID:-}" ] && [ -x "$SKIFF_TOOLS/reaper" ]; then
    "$SKIFF_TOOLS/reaper" --kill-tree "$SKIFF_REAPER_PID" --grace 1
  else
    local j
    for j in $(jobs -p); do kill "$j" 2>/dev/null; done
    wait 2>/dev/null
  fi
  if [ "${SKIFF_TEST_KEEP:-0}" = 1 ]; then
    echo "kept $T" >&2
    exit "$rc"
  fi
  cd / || true
  if [ "$(id -u)" = 0 ]; then
    # Mounts skiff left under $T (rootful overlay, volumes): deepest first, lazily.
    local m
    while read -r m; do umount -l "$m" 2>/dev/null; done < <(
      awk -v t="$T/" 'index($5, t) == 1 {print $5}' /proc/self/mountinfo | sort -r)
    rm -rf --one-file-system "$T"
  else
    # Files owned by subordinate ids: remove them as root of a user namespace with the range.
    unshare --map-root-user --map-auto rm -rf "$T" 2>/dev/null || rm -rf "$T" 2>/dev/null
    [ ! -e "$T" ] || echo "warning: could not remove $T" >&2
  fi
  exit "$rc"
}
trap _lib_cleanup EXIT
# A timeout or Ctrl-C (the reaper forwards them) still cleans up.
trap 'exit 143' TERM
trap 'exit 130' INT
trap 'exit 129' HUP

cd "$T/work"

# --- running skiff -----------------------------------------------------------------------------

# skiff with this test's store.
sk() {
  _lib_trace "skiff $*"
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@"
}

# run CMD...: sets $status and $output (stdout and stderr interleaved); never fails by itself.
run() {
  status=0
  output=$(trap - ERR; "$@" 2>&1) || status=$?
  _lib_trace "status $status"
}

# run_split CMD...: sets $status, $stdout and $stderr.
# shellcheck disable=SC2034  # stdout and stderr are for the tests
run_split() {
  local errf=$T/.stderr.$$
  status=0
  stdout=$(trap - ERR; "$@" 2>"$errf") || status=$?
  stderr=$(cat "$errf")
  rm -f "$errf"
  _lib_trace "status $status"
}

# --- assertions --------------------------------------------------------------------------------

_lib_show() {  # LABEL VALUE: one line, or an indented block when it has several
  if [[ "$2" == *$'\n'* ]]; then
    printf '  %s:\n' "$1"
    printf '%s\n' "$2" | sed 's/^/    | /'
  elif [[ "$2" == *[[:cntrl:]]* ]]; then
    printf '  %s: %q\n' "$1" "$2"
  else
    printf "  %s: '%s'\n" "$1" "$2"
  fi
}

assert_eq() {  # ACTUAL EXPECTED [WHAT]
  [ "$1" == "$2" ] && return 0
  _LIB_FAILED=1
  {
    printf 'FAIL: %s: %s: values differ\n' "$(_lib_where)" "${3:-assert_eq}"
    _lib_show expected "$2"
    _lib_show actual "$1"
    if [[ "$1$2" == *$'\n'* ]]; then
      echo "  diff (expected -> actual):"
      diff <(printf '%s\n' "$2") <(printf '%s\n' "$1") | sed 's/^/    /' || true
    fi
  } >&2
  _LIB_FAILED=1
  exit 1
}

assert_ne() {  # ACTUAL UNEXPECTED [WHAT]
  [ "$1" != "$2" ] && return 0
  { printf 'FAIL: %s: %s: value should differ\n' "$(_lib_where)" "${3:-assert_ne}"; _lib_show value "$1"; } >&2
  _LIB_FAILED=1
  exit 1
}

assert_contains() {  # HAYSTACK NEEDLE [WHAT]
  [[ "$1" == *"$2"* ]] && return 0
  { printf 'FAIL: %s: %s: text not found\n' "$(_lib_where)" "${3:-assert_contains}"
    _lib_show wanted "$2"; _lib_show in "$1"; } >&2
  _LIB_FAILED=1
  exit 1
}

assert_not_contains() {  # HAYSTACK NEEDLE [WHAT]
  [[ "$1" != *"$2"* ]] && return 0
  { printf 'FAIL: %s: %s: text should not be there\n' "$(_lib_where)" "${3:-assert_not_contains}"
    _lib_show unwanted "$2"; _lib_show in "$1"; } >&2
  _LIB_FAILED=1
  exit 1
}

assert_match() {  # TEXT ERE [WHAT]   (bash =~, extended regular expression)
  [[ "$1" =~ $2 ]] && return 0
  { printf 'FAIL: %s: %s: no match\n' "$(_lib_where)" "${3:-assert_match}"
    _lib_show regex "$2"; _lib_show text "$1"; } >&2
  _LIB_FAILED=1
  exit 1
}

# assert_status N CMD...: runs CMD (sets $status, $output) and checks its exit status.
assert_status() {
  local want=$1
  shift
  run "$@"
  [ "$status" = "$want" ] && return 0
  { printf 'FAIL: %s: exit status %s, expected %s, from: %s\n' "$(_lib_where)" "$status" "$want" "$*"
    _lib_show output "$output"; } >&2
  _LIB_FAILED=1
  exit 1
}

assert_success() { assert_status 0 "$@"; }

assert_file() {  # PATH [WHAT]
  [ -e "$1" ] || [ -L "$1" ] || fail "${2:-assert_file}: $1 does not exist"
}

assert_no_file() {  # PATH [WHAT]
  if [ -e "$1" ] || [ -L "$1" ]; then fail "${2:-assert_no_file}: $1 exists"; fi
}

# --- requirements ------------------------------------------------------------------------------

require_cmd() {  # NAME...
  local c
  for c in "$@"; do command -v "$c" >/dev/null || skip "$c is not installed"; done
}

require_root() { [ "$(id -u)" = 0 ] || skip "needs root"; }
require_rootless() { [ "$(id -u)" != 0 ] || skip "rootless only"; }

# The fixture registries (REG_HTTP, REG_TLS, REG_BASIC, REG_TOKEN, ...). run.sh starts them once
# per run; a test run alone starts its own (killed at exit).
require_registry() {
  if [ -z "${REG_HTTP:-}" ]; then
    # shellcheck source=fixtures.sh
    source "$_LIB_DIR/fixtures.sh"
    # shellcheck source=registry.sh
    source "$_LIB_DIR/registry.sh"
    fixtures_build "$FIXTURES_DIR" >&2 || fail "could not build the fixtures in $FIXTURES_DIR"
    reg_start_all "$T/registry" "$FIXTURES_DIR" "$SKIFF_TOOLS" || fail "could not start the registries"
  fi
  _lib_registries_conf
}

_lib_registries_conf() {
  local c=$XDG_CONFIG_HOME/containers
  mkdir -p "$c"
  cat >"$c/registries.conf" <<EOF
# Written by tests/system/lib.sh: short names resolve to the fixture registry only.
unqualified-search-registries = ["$REG_HTTP"]
short-name-mode = "permissive"

[[registry]]
location = "$REG_HTTP"
insecure = true

[[registry]]
location = "localhost:${REG_HTTP##*:}"
insecure = true
EOF
  rm -rf "$c/certs.d"
  cp -r "$REG_CA_DIR" "$c/certs.d"
  export REGISTRIES_CONF=$c/registries.conf
}
[ -z "${REG_HTTP:-}" ] || _lib_registries_conf

# --- fixtures ----------------------------------------------------------------------------------

# fixture_ref NAME[:TAG] [http|tls|basic|token] -> host:port/name:tag
fixture_ref() {
  local ref=$1 v=${2:-http} host
  [[ "$ref" == *:* ]] || ref=$ref:latest
  case $v in
    http) host=$REG_HTTP ;; tls) host=$REG_TLS ;; basic) host=$REG_BASIC ;; token) host=$REG_TOKEN ;;
    *) fail "fixture_ref: unknown registry variant $v" ;;
  esac
  echo "$host/$ref"
}

_lib_fixture_col() {  # NAME[:TAG] COLUMN
  local ref=$1 tag=latest
  [[ "$ref" == *:* ]] && tag=${ref#*:} ref=${ref%%:*}
  awk -F'\t' -v r="$ref" -v t="$tag" -v c="$2" '$1 == r && $2 == t {print $c; found=1} END {exit !found}' \
    "$FIXTURES_DIR/fixtures.tsv" || fail "no fixture $1 in $FIXTURES_DIR/fixtures.tsv"
}

fixture_digest() { _lib_fixture_col "$1" 4; }      # manifest (or index) digest
fixture_media_type() { _lib_fixture_col "$1" 3; }  # manifest (or index) media type
fixture_image_id() { _lib_fixture_col "$1" 6; }    # config digest of this host's image

# fixture_tree DIR: the listing layered.tree is written in (see fixtures.sh tree.sh).
fixture_tree() { sh "$FIXTURES_DIR/tree.sh" "$1"; }

# in_userns CMD...: as root, runs CMD; rootless, runs it as root of a user namespace mapping the
# user's subordinate ids (to look at files a rootless store owns, with their in-image owners).
in_userns() {
  if [ "$(id -u)" = 0 ]; then "$@"; else unshare --map-root-user --map-auto "$@"; fi
}
