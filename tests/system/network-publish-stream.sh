#!/usr/bin/env bash
# skiff's own forwarder (the monitor's; --network slirp4netns: pasta would forward itself):
# the bytes through -p arrive whole and in order both ways (20 MB each, checksums compared), and
# a half-close is passed on: the host client shuts its sending side, the container's server
# reads to EOF and still answers on the open half.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd slirp4netns
[ -w /dev/net/tun ] || skip "/dev/net/tun is not usable by this user (slirp4netns needs it)"
require_cmd busybox ss md5sum
img=$(busybox_image)
up=$(free_port)
down=$(free_port)
[ "$up" != "$down" ] || down=$(free_port)
nc_get() { busybox nc 127.0.0.1 "$1" </dev/null; }

# Upload: the server answers with the checksum and size of what it read until EOF (the client's
# shutdown after its last byte); download: the server sends a 20 MB file and closes.
sk run -d --name st --network slirp4netns -p "$up:80" -p "$down:81" "$img" sh -c \
  'head -c 20000000 /dev/urandom > /f; md5sum < /f > /f.md5; nc -ll -p 81 -e cat /f & exec nc -ll -p 80 -e sh -c "md5sum; echo done"' >/dev/null
head -c 20000000 /dev/urandom >"$T/up"
want=$(md5sum <"$T/up")
wait_until 10 port_bound "$up"
reply() { busybox nc 127.0.0.1 "$up" <"$T/up" >"$T/reply" && grep -q "done" "$T/reply"; }
wait_until 10 reply
assert_eq "$(head -1 "$T/reply")" "$want" "upload through -p: the server got every byte, then EOF"
assert_eq "$(sed -n 2p "$T/reply")" "done" "the answer after the half-close"
got_file() { nc_get "$down" >"$T/down" && [ "$(stat -c %s "$T/down")" = 20000000 ]; }
wait_until 10 got_file
assert_eq "$(md5sum <"$T/down")" "$(sk exec st cat /f.md5)" "download through -p"
# Several at once, both ways.
pids=()
for i in 1 2 3; do
  (busybox nc 127.0.0.1 "$up" <"$T/up" >"$T/reply$i") & pids+=($!)
  (nc_get "$down" >"$T/down$i") & pids+=($!)
done
for pid in "${pids[@]}"; do wait "$pid"; done
for i in 1 2 3; do
  assert_eq "$(head -1 "$T/reply$i")" "$want" "parallel upload $i"
  assert_eq "$(md5sum <"$T/down$i")" "$(sk exec st cat /f.md5)" "parallel download $i"
done
# A client that connects and goes away at once leaves nothing behind in the monitor: it keeps
# answering.
for i in 1 2 3 4 5; do busybox nc -w 1 127.0.0.1 "$down" </dev/null >/dev/null 2>&1 & done
wait
got_file
assert_success sk rm -f st
