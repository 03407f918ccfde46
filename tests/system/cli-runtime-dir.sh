#!/usr/bin/env bash
# $XDG_RUNTIME_DIR/skiff is the rootless run root only when $XDG_RUNTIME_DIR is ours and
# nobody else may write to it, and skiff/ under it is ours and private (the same checks as the
# fallback without XDG_RUNTIME_DIR): else the command is refused with a message naming the
# directory. An explicit --runroot does not use it. Root ignores XDG_RUNTIME_DIR.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# No --runroot here: the run root comes from XDG_RUNTIME_DIR.
xsk() { XDG_RUNTIME_DIR=$1 "$SKIFF" --root "$SKIFF_ROOT" "${@:2}"; }

mkdir -p "$T/good" && chmod 700 "$T/good"
assert_success xsk "$T/good" ps -a
if [ "$SKIFF_TEST_ROLE" = root ]; then
  mkdir -p "$T/open" && chmod 777 "$T/open"
  assert_success xsk "$T/open" ps -a
  assert_no_file "$T/open/skiff"
  exit 0
fi
assert_eq "$(stat -c %a "$T/good/skiff")" 700

# Group- or world-writable: refused, naming it.
for mode in 770 777 720 702; do
  d=$T/w$mode
  mkdir -p "$d" && chmod "$mode" "$d"
  assert_status 125 xsk "$d" ps -a
  assert_contains "$output" "XDG_RUNTIME_DIR \`$d\` has mode $mode"
  assert_no_file "$d/skiff"
done
# Someone else's (root's): refused.
assert_status 125 xsk /var ps -a
assert_contains "$output" "XDG_RUNTIME_DIR \`/var\` is owned by uid 0, not $(id -u)"
# Its skiff/ not private, or not a directory: refused.
mkdir -p "$T/g2/skiff" && chmod 700 "$T/g2" && chmod 750 "$T/g2/skiff"
assert_status 125 xsk "$T/g2" ps -a
assert_contains "$output" "\`$T/g2/skiff\` has mode 750; it must be 0700"
mkdir -p "$T/g3" && chmod 700 "$T/g3" && ln -s "$T/good/skiff" "$T/g3/skiff"
assert_status 125 xsk "$T/g3" ps -a
assert_contains "$output" "is not a directory"
# Not a directory at all.
touch "$T/file"
assert_status 125 xsk "$T/file" ps -a
assert_contains "$output" "XDG_RUNTIME_DIR \`$T/file\` is not a directory"
# An explicit --runroot does not use it.
assert_success env XDG_RUNTIME_DIR="$T/w777" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a
