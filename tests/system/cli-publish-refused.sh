#!/usr/bin/env bash
# skiff has no container network yet: `run`/`create` do not offer -p/--publish (not in --help,
# completion or the man pages), but still parse it so that a Docker script using it fails with
# the reason, exit 125, and leaves no container behind.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

for cmd in run create; do
  assert_success sk "$cmd" --help
  assert_not_contains "$output" "--publish" "$cmd --help offers --publish"
  assert_success sk __complete "$cmd" --p
  assert_not_contains "$output" "--publish" "$cmd completes --publish"
  assert_status 125 sk "$cmd" -p 8080:80 --name pub "$img" true
  assert_contains "$output" "publishing ports (-p) needs a container network" "$cmd -p error"
  assert_status 125 sk "$cmd" --publish=8080:80 "$img" true
  assert_contains "$output" "needs a container network" "$cmd --publish error"
done
assert_success sk ps -aq
assert_eq "$output" "" "containers left by a refused -p"
