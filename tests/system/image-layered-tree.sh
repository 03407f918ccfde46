#!/usr/bin/env bash
# The layered fixture (whiteouts, opaque directories, a hard link, a uid-1000 file, an
# uncompressed layer) comes out exactly as the image says (layered.tree), three ways: listed from
# inside a container; from the overlay layer directories assembled by a mount of our own (and the
# whiteouts and opaque markers are in the form overlayfs reads); and from a vfs store, where the
# top layer is the full snapshot with whiteouts applied by deletion.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref layered)
want=$(cat "$FIXTURES_DIR/layered.tree")
cp "$FIXTURES_DIR/tree.sh" "$T/tree.sh"
chmod 0755 "$T" "$T/tree.sh"

assert_success sk pull -q "$ref"

# 1. A container sees the merged tree.
run_split sk run --rm -v "$T/tree.sh:/tree.sh:ro" "$ref" sh /tree.sh /data
assert_eq "$status" 0 "run tree.sh: $stderr"
assert_eq "$stdout" "$want" "/data seen from a container"

# 2. The layer directories, assembled by overlayfs outside skiff.
driver=$(sk image inspect --format '{{.GraphDriver.Name}}' "$ref")
if [ "$driver" = overlay ]; then
  upper=$(sk image inspect --format '{{.GraphDriver.Data.UpperDir}}' "$ref")
  lower=$(sk image inspect --format '{{.GraphDriver.Data.LowerDir}}' "$ref")
  assert_eq "$(tr ':' '\n' <<<"$lower" | wc -l)" 3 "three lower layers under the top one"
  l3=$(cut -d: -f1 <<<"$lower")   # the layer with .wh.x, keep/.wh.k and dir/.wh..wh..opq
  # Whiteouts are 0:0 character devices where the layer deleted something.
  for w in "$l3/data/x" "$l3/data/keep/k" "$upper/data/link"; do
    assert_eq "$(in_userns stat -c '%F %t:%T' "$w")" "character special file 0:0" "whiteout $w"
  done
  # No OCI whiteout file survives in any layer.
  assert_eq "$(in_userns find "$upper" ${lower//:/ } -name '.wh.*' | wc -l)" 0 "no .wh. files in the layers"
  # The layer's own entries are not hidden by its own whiteouts.
  assert_eq "$(in_userns cat "$l3/data/dir/f3")" f3 "dir/f3 next to the opaque marker"
  mkdir "$T/mnt"
  opts="lowerdir=$upper:$lower"
  [ "$SKIFF_TEST_ROLE" = root ] || opts+=",userxattr"
  mount_list() {  # OPTS MNT: mounts the layers read-only and lists /data
    mount -t overlay overlay -o "$1" "$2" && sh "$T/tree.sh" "$2/data"
  }
  export -f mount_list
  export T
  if [ "$SKIFF_TEST_ROLE" = root ]; then
    got=$(unshare -m bash -c 'mount_list "$0" "$1"' "$opts" "$T/mnt")
  else
    got=$(unshare --map-root-user --map-auto -m bash -c 'mount_list "$0" "$1"' "$opts" "$T/mnt")
  fi
  assert_eq "$got" "$want" "/data of the layers assembled by overlayfs"
fi

# 3. A vfs store: the top layer's directory is the whole tree.
SKIFF_ROOT=$T/vfs-root
assert_success sk --storage-driver vfs pull -q "$ref"
assert_eq "$(sk image inspect --format '{{.GraphDriver.Name}}' "$ref")" vfs "driver recorded for the new store"
top=$(sk image inspect --format '{{.GraphDriver.Data.UpperDir}}' "$ref")
assert_eq "$(in_userns sh "$T/tree.sh" "$top/data")" "$want" "/data of the vfs snapshot"
# A vfs store refuses another driver later.
assert_status 125 sk --storage-driver overlay images
# And a container from the vfs store sees the same.
run_split sk run --rm -v "$T/tree.sh:/tree.sh:ro" "$ref" sh /tree.sh /data
assert_eq "$status" 0 "run tree.sh (vfs): $stderr"
assert_eq "$stdout" "$want" "/data seen from a container (vfs)"
assert_success sk system check
