#!/usr/bin/env bash
# stats on a terminal: the table is redrawn in place every second (one header on the screen,
# not one per refresh), and it follows a container that starts meanwhile; ctrl-c ends it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
sk run -d --name s1 "$img" sleep 100 >/dev/null
tmux_start 120 30
tsend "\$T/sk stats" Enter
wait_screen 10 '^CONTAINER ID +NAME +CPU % +MEM USAGE / LIMIT +MEM % +NET I/O +BLOCK I/O +PIDS *$'
wait_screen 10 '^[0-9a-f]{12} +s1 +[0-9.]+% '
sk run -d --name s2 "$img" sleep 100 >/dev/null
wait_screen 10 '^[0-9a-f]{12} +s2 +[0-9.]+% '
sleep 2.5
assert_eq "$(screen_count '^CONTAINER ID')" 1 "redrawn in place, one header"
assert_eq "$(screen_count ' s1 ')" 1 "one row per container"
tsend C-c
wait_screen 5 '^\$ $'
