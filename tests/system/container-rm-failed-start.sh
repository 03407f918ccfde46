#!/usr/bin/env bash
# `run --rm` (attached and -d) of a command that cannot be run (126) or found (127) removes the
# container: its name is free for the next run (the monitor's removal saw the failed start,
# Created with its error, as alive and left it).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

gone() { [ -z "$("$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -aq --filter "name=$1")" ]; }

for cmd in /nonexist nosuchcommand /etc/passwd /tmp; do
  case $cmd in /etc/passwd|/tmp) want=126 ;; *) want=127 ;; esac
  assert_status "$want" sk run --rm --name xx "$img" "$cmd"
  assert_eq "$(sk ps -aq)" "" "run --rm $cmd leaves no container: $(sk ps -a --format "{{.Names}} {{.Status}} {{.Command}}")"
  assert_status 0 sk run --rm --name xx "$img" true

  assert_status "$want" sk run -d --rm --name dd "$img" "$cmd"
  wait_until 10 gone dd
  run_split sk run -d --rm --name dd "$img" true
  assert_eq "$status" 0 "the name is free after run -d --rm $cmd: $stderr"
  wait_until 10 gone dd
done
# Without --rm the failed start stays, Created with its error (Docker).
assert_status 127 sk run --name kept "$img" /nonexist
assert_eq "$(ctr_status kept)" Created
assert_success sk rm kept
