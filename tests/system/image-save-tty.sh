#!/usr/bin/env bash
# save refuses to write an archive to a terminal, as Docker does; a redirect or -o works, and
# load refuses a terminal as its input.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd script
busybox=$(fixture_ref busybox)
assert_success sk pull -q "$busybox"
args=$(printf '%q ' "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT")
# script(1) gives the command a terminal as stdin, stdout and stderr.
run script -qec "$args save $busybox; echo \"exit=\$?\"" /dev/null
assert_contains "$output" "cowardly refusing to save to a terminal. Use the -o flag or redirect"
assert_contains "$output" "exit=125"
run script -qec "$args save -o $T/work/b.tar $busybox; echo \"exit=\$?\"" /dev/null
assert_contains "$output" "exit=0"
assert_file "$T/work/b.tar"
run script -qec "$args save $busybox > $T/work/c.tar; echo \"exit=\$?\"" /dev/null
assert_contains "$output" "exit=0"
cmp -s "$T/work/b.tar" "$T/work/c.tar" || fail "save to a redirect and -o differ"
run script -qec "$args load; echo \"exit=\$?\"" /dev/null
assert_contains "$output" "requested load from stdin, but stdin is empty"
assert_contains "$output" "exit=125"
