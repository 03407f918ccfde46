#!/usr/bin/env bash
# `unshare`: a command in skiff's storage user namespace (rootless: root there, the subordinate
# ids mapped), with the command's exit status; a file a container user made in a volume can be
# removed there. As root the command runs as is.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

run_split sk unshare id -u
assert_eq "$status/$stdout" "0/0"
assert_status 3 sk unshare sh -c 'exit 3'
assert_status 127 sk unshare no-such-command-here
assert_eq "$(sk unshare sh -c 'echo $CONTAINERS_GRAPHROOT')" "$SKIFF_ROOT"
sk run --rm -v vol:/v "$img" sh -c 'mkdir /v/d && touch /v/d/f && chown -R 1234:1234 /v/d' >/dev/null
path="$SKIFF_ROOT/volumes/vol/_data/d"
assert_eq "$(sk unshare stat -c %u "$path")" 1234 "container ids as the container sees them"
if [ "$(id -u)" != 0 ]; then
  assert_match "$(sk unshare cat /proc/self/uid_map | sed -n 1p)" "^ +0 +$(id -u) +1$"
  # Outside the namespace the user cannot remove it; inside, it can.
  assert_status 1 rm -rf "$path"
fi
assert_success sk unshare rm -rf "$path"
assert_no_file "$path"
