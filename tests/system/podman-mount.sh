#!/usr/bin/env bash
# container mount / umount (Podman's): as root, `mount CTR` prints the container's root
# filesystem path and keeps it mounted (a counter: two mounts need two umounts), `mount` alone
# lists the mounted ones (--no-trunc, --format json), writes there are the container's, a running
# container's mount is its own file system (both sides see each other's writes), a container
# started while mounted uses that mount, rm unmounts, `umount --all` prints the IDs. Rootless,
# Podman's refusal outside `unshare`, and inside it the mount works.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

id=$(sk create "$img" cat /hello)
if [ "$(id -u)" != 0 ]; then
  assert_status 125 sk mount "$id"
  assert_eq "$output" 'Error: cannot run command "skiff mount" in rootless mode, must execute `skiff unshare` first'
  assert_status 125 sk umount "$id"
  assert_contains "$output" 'cannot run command "skiff umount" in rootless mode'
  # Inside unshare (the store's user namespace): mounted there, written, unmounted.
  sk_wrapper
  run_split sk unshare sh -c "p=\$($T/sk mount $id) && echo from-unshare > \$p/hello && $T/sk mount --no-trunc && $T/sk umount $id"
  assert_eq "$status" 0 "mount inside unshare: $stderr"
  p="$SKIFF_ROOT/containers/$id/merged"
  assert_eq "$stdout" "$(printf '%s  %s\n%s' "$id" "$p" "$id")"
  run_split sk start -a "$id"
  assert_eq "$stdout" from-unshare "the file written through the mount is the container's"
  exit 0
fi

p=$(sk mount "$id")
assert_eq "$p" "$SKIFF_ROOT/containers/$id/merged" "mount prints the merged path"
mountpoint -q "$p" || fail "not mounted after mount"
echo hi > "$p/hello"
assert_eq "$(sk mount)" "${id:0:12}  $p" "mount lists the mounted container"
assert_eq "$(sk mount --no-trunc)" "$id  $p"
assert_eq "$(sk mount --notruncate)" "$id  $p"
run_split sk mount --format json
assert_contains "$stdout" "\"id\": \"$id\""
assert_contains "$stdout" "\"mountpoint\": \"$p\""
# The counter: a second mount needs a second umount.
assert_eq "$(sk mount "$id")" "$p"
assert_eq "$(sk umount "$id")" "$id" "umount prints the container as named"
mountpoint -q "$p" || fail "unmounted while a mount was still counted"
assert_eq "$(sk umount "$id")" "$id"
if mountpoint -q "$p"; then fail "still mounted after the last umount"; fi
assert_eq "$(sk mount)" "" "nothing listed once unmounted"
assert_eq "$(sk umount "$id")" "$id" "umount of an unmounted container is no error"
run_split sk start -a "$id"
assert_eq "$stdout" hi "the file written through the mount is in the container"
# --force drops every count.
sk mount "$id" >/dev/null
sk mount "$id" >/dev/null
sk umount --force "$id" >/dev/null
if mountpoint -q "$p"; then fail "still mounted after umount --force"; fi

# A running container: the mount is its own root file system.
cid=$(sk run -d "$img" sleep 300)
sk exec "$cid" sh -c 'echo live > /live'
rp=$(sk mount "$cid")
assert_eq "$(cat "$rp/live")" live "the running container's file, seen through the mount"
echo back > "$rp/back"
assert_eq "$(sk exec "$cid" cat /back)" back "a file written through the mount, seen by the container"
sk umount "$cid" >/dev/null
if mountpoint -q "$rp"; then fail "running container: still mounted after umount"; fi
assert_eq "$(sk exec "$cid" cat /live)" live "umount leaves the container's own mount alone"
sk rm -f -t 0 "$cid" >/dev/null

# Started while mounted: the container uses that mount (one overlay on its upper directory).
id2=$(sk create "$img" sh -c 'cat /x; echo made > /y')
p2=$(sk mount "$id2")
echo x > "$p2/x"
run_split sk start -a "$id2"
assert_eq "$stdout" x
assert_eq "$(cat "$p2/y")" made "the container's write shows in the mount"

# umount --all prints the full IDs of what was mounted; rm of a mounted container unmounts.
sk mount "$id" >/dev/null
assert_eq "$(sk umount --all | sort)" "$(printf '%s\n%s' "$id" "$id2" | sort)"
assert_eq "$(sk mount)" ""
sk mount "$id2" >/dev/null
assert_success sk rm "$id2"
if mountpoint -q "$p2" 2>/dev/null; then fail "rm left the mount"; fi

assert_status 125 sk mount nosuch
assert_contains "$output" "No such container: nosuch"
assert_status 125 sk umount
assert_contains "$output" "requires at least 1 argument"
