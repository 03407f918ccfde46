#!/usr/bin/env bash
# `-v /missing/dir:/data` creates the missing host directory (Docker's -v), relative paths too,
# and again at a later start if it was removed; `--mount type=bind` keeps refusing a missing
# source.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$SUITE_DIR/ctrlib.sh"
img=$(busybox_image)

assert_success sk run --rm -v "$T/missing/dir:/data" "$img" sh -c 'echo hi >/data/f'
assert_eq "$(cat "$T/missing/dir/f")" hi "-v created the host directory and the container wrote into it"
assert_eq "$(stat -c %a "$T/missing/dir")" 755 "created with mode 0755"
cd "$T/work"
assert_success sk run --rm -v ./rel/sub:/data "$img" true
assert_file "$T/work/rel/sub" "relative -v source created"

# Removed after create: created again at start.
assert_success sk create --name c1 -v "$T/again:/data" "$img" sh -c 'echo x >/data/f'
rmdir "$T/again"
assert_success sk start -a c1
assert_eq "$(cat "$T/again/f")" x "re-created at start"

# --mount: a missing source is an error, and nothing is created.
run_split sk run --rm --mount "type=bind,src=$T/nope,dst=/data" "$img" true
assert_eq "$status" 125 "--mount missing source: exit status"
assert_contains "$stderr" "bind source path does not exist: $T/nope" "--mount missing source: message"
assert_no_file "$T/nope" "--mount created nothing"
