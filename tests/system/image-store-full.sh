#!/usr/bin/env bash
# A full store (a small tmpfs as --root) makes pull, import and commit fail with "No space left
# on device" and say where (the store's directory), never "write: Broken pipe"; an entry whose
# data cannot fit is refused before it is written; nothing is left half-made, and the store
# checks clean. Root only (rootless cannot mount a tmpfs here).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
[ "$SKIFF_TEST_ROLE" = root ] || skip "mounting a small tmpfs needs root"
small=$T/small
mkdir -p "$small"
mount -t tmpfs -o size=8m tmpfs "$small" || skip "cannot mount a tmpfs"
defer umount -l "$small"
store=$small/root
ss() { sk --root "$store" "$@"; }
assert_full() {  # WHAT
  echo "$1: $stderr" >&2
  assert_eq "$status" 125 "$1: fails"
  assert_contains "$stderr" "No space left on device" "$1: says why"
  assert_contains "$stderr" "the store \`$store\` is out of space" "$1: says where"
  assert_not_contains "$stderr" "Broken pipe" "$1: not the echo of the failure"
}

# pull: the big fixture (a layer over 64 MiB) cannot fit in 8 MiB.
run_split ss pull "$(fixture_ref big)"
assert_full pull
# import of a tar bigger than the store
head -c $((10 << 20)) /dev/urandom >"$T/work/rand.bin"
tar -C "$T/work" -cf "$T/work/rand.tar" rand.bin
run_split ss import "$T/work/rand.tar" rand:1
assert_full import
assert_contains "$stderr" "the entry holds 10485760 bytes of data and its filesystem has" "import: refused before filling the disk"

# commit: busybox (2 MiB) and a container that wrote 4.5 MiB fit; a layer of 4.5 MiB more does not.
assert_success ss pull -q "$(fixture_ref busybox)"
assert_success ss run --name big "$(fixture_ref busybox)" sh -c 'head -c 4718592 /dev/urandom >/data'
run_split ss commit big full:1
assert_full commit
run_split ss images -q --filter reference=full
assert_eq "$stdout" "" "commit: no image"

assert_eq "$(find "$store/staging" -mindepth 1 -not -name '*.lock' | wc -l)" 0 "no staging leftovers"
assert_success ss rm big
assert_success ss system check
assert_contains "$output" "no problems"
