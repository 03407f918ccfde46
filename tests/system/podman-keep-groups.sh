#!/usr/bin/env bash
# --group-add keep-groups (Podman, rootless): no setgroups() in the container, so the process
# keeps the user's supplementary groups (as many as outside; ids outside the mapping read as
# the overflow gid). Without it, the container's own groups. Refused as root and with other
# --group-add values.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

assert_status 125 sk run --rm --group-add keep-groups --group-add 10 "$img" true
if [ "$(id -u)" = 0 ]; then
  assert_contains "$output" "only supported rootless"
  exit 0
fi
assert_contains "$output" "not allowed with any other --group-add options"
groups_of() { sed -n 's/^Groups:[[:space:]]*//p' /proc/self/status; }
host_n=$(groups_of | wc -w)
run_split sk run --rm --group-add keep-groups "$img" sed -n 's/^Groups:[[:space:]]*//p' /proc/self/status
assert_eq "$status" 0
assert_eq "$(echo "$stdout" | wc -w)" "$host_n" "as many groups as outside"
# The user's own gid is container gid 0 in the store's mapping.
[ "$(id -G | tr ' ' '\n' | grep -cx "$(id -g)")" = 1 ] && assert_contains " $stdout " " 0 "
# As another user: no groups of its own in the image, the kept ones with keep-groups.
run_split sk run --rm --user 1000 "$img" sed -n 's/^Groups:[[:space:]]*//p' /proc/self/status
assert_eq "$(echo $stdout)" "" "no supplementary groups by default"
run_split sk run --rm --user 1000 --group-add keep-groups "$img" sed -n 's/^Groups:[[:space:]]*//p' /proc/self/status
assert_eq "$(echo "$stdout" | wc -w)" "$host_n" "kept with --user too"
