#!/usr/bin/env bash
# A load killed (-9) while it unpacks or stores a big archive leaves the store consistent: the
# next load removes the killed one's temporary directory, completes the images, and `system
# check` passes. A save killed half-way leaves no archive under the target name.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
big=$(fixture_ref big)
w=$T/work
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
sa() { sk --root "$T/a" --runroot "$T/ra" "$@"; }
assert_success sa pull -q "$big"
assert_success sa save -o "$w/big.tar" "$big"
want=$(sa images -q --no-trunc "$big")

sb() { sk --root "$T/b" --runroot "$T/rb" "$@"; }
assert_success sb images
for delay in unpack store; do
  "$SKIFF" --root "$T/b" --runroot "$T/rb" load -i "$w/big.tar" >/dev/null 2>&1 &
  pid=$!  # skiff itself (a shell function in the background would be a subshell)
  if [ "$delay" = unpack ]; then
    # While the archive is being unpacked.
    for _ in $(seq 200); do ls "$TMPDIR" | grep -q '^skiff-load-.*[^k]$' && break; sleep 0.02; done
  else
    # While a layer is being extracted into the store's staging area.
    for _ in $(seq 500); do ls "$T/b/staging" 2>/dev/null | grep -q '^layer-' && break; sleep 0.02; done
  fi
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  assert_eq "$(sb images -q)" "" "$delay: no image after the kill"
  # Its workers (extraction) end once its end of their socket is gone.
  for _ in $(seq 100); do pgrep -f "skiff --root $T/b " >/dev/null || break; sleep 0.05; done
done
assert_ne "$(ls -A "$TMPDIR")" "" "the killed loads left their temporary directories"
run_split sb load -i "$w/big.tar"
assert_eq "$status" 0 "load after the kills ($stderr)"
assert_eq "$(ls -A "$TMPDIR")" "" "the next load removed the leftovers"
assert_eq "$(sb images -q --no-trunc "$big")" "$want"
assert_success sb system check

# save killed half-way: the target name never holds a partial archive.
"$SKIFF" --root "$T/a" --runroot "$T/ra" save -o "$w/partial.tar" "$big" &
pid=$!
for _ in $(seq 200); do ls -A "$w" | grep -q 'skiff-save' && break; sleep 0.01; done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
assert_no_file "$w/partial.tar"
