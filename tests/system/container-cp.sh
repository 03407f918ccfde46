#!/usr/bin/env bash
# `cp` both ways with both storage drivers, into and out of a running and a stopped container:
# files, directories, "dir/." contents, renames, tar streams (plain and gzip) on stdin and
# stdout, -a (owners) and -L (symlinks), Docker's errors; copies land in the container's
# layer, never in the image.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

# Host files to copy in.
src=$T/work/src
mkdir -p "$src/d/sub"
echo hello >"$src/a.txt"
chmod 0640 "$src/a.txt"
echo x >"$src/d/x"
echo y >"$src/d/sub/y"
ln -s x "$src/d/link"
ln "$src/d/x" "$src/d/hard"
out=$T/work/out

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"
  assert_success sd run -d --name live "$ref" sleep 1000
  assert_success sd create --name cold "$ref" sleep 1000

  for ctr in live cold; do
    what="$drv/$ctr"
    # --- into the container ---
    assert_success sd cp "$src/a.txt" "$ctr:/tmp/"
    assert_success sd cp "$src/a.txt" "$ctr:tmp/renamed.txt"   # relative: from the root
    assert_success sd cp "$src/d" "$ctr:/tmp"
    assert_success sd cp "$src/d/." "$ctr:/tmp/contents"
    assert_success sd cp "$src/d" "$ctr:/tmp/newd"
    assert_success sd cp "$src/a.txt" "$ctr:/tmp/newd/"        # into an existing directory
    tar -C "$src" -cf - d | sd cp - "$ctr:/root"
    tar -C "$src/d" -czf - sub | sd cp - "$ctr:/home"
    assert_status 125 sd cp "$src/a.txt" "$ctr:/nonexistent/dir/"
    assert_contains "$output" "no such directory"
    assert_status 125 sd cp "$src/d" "$ctr:/etc/passwd"
    assert_contains "$output" "cannot copy directory"
    assert_status 125 sd cp "$src/a.txt" "$ctr:/nonexistent/deeper/file"
    assert_status 125 sd cp - "$ctr:/etc/passwd" </dev/null
    assert_contains "$output" "must be a directory"
    assert_status 125 sd cp "$src/nope" "$ctr:/tmp"
    assert_contains "$output" "lstat $src/nope"

    # --- out of the container ---
    rm -rf "$out" && mkdir -p "$out/existing"
    assert_success sd cp "$ctr:/etc/passwd" "$out/"
    assert_eq "$(cat "$out/passwd")" "$(printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false')" \
      "$what: a file copied out"
    assert_eq "$(stat -c %u "$out/passwd")" "$(id -u)" "$what: copied out files belong to the caller"
    assert_success sd cp "$ctr:/tmp/d" "$out/dcopy"
    assert_eq "$(cat "$out/dcopy/x" "$out/dcopy/sub/y" "$out/dcopy/hard")" "x
y
x" "$what: a directory copied out"
    assert_eq "$(readlink "$out/dcopy/link")" "x" "$what: symlinks stay symlinks"
    assert_eq "$(stat -c %i "$out/dcopy/x")" "$(stat -c %i "$out/dcopy/hard")" "$what: hard links stay hard links"
    assert_success sd cp "$ctr:/tmp/contents/." "$out/existing"
    assert_eq "$(cd "$out/existing" && find . | LC_ALL=C sort | tr '\n' ' ')" ". ./hard ./link ./sub ./sub/y ./x " \
      "$what: dir/. copies the contents"
    assert_success sd cp "$ctr:/bin/sh" "$out/sh-link"
    assert_eq "$(readlink "$out/sh-link")" "/bin/busybox" "$what: a symlink is copied as a link"
    assert_success sd cp -L "$ctr:/bin/sh" "$out/sh-file"
    [ -f "$out/sh-file" ] && [ ! -L "$out/sh-file" ] || fail "$what: -L copies the link's target"
    assert_eq "$(cmp -s "$out/sh-file" "$(command -v busybox)" && echo same)" same "$what: -L gives busybox itself"
    assert_success sd cp "$ctr:/root/d/sub/y" "$out/y-from-tar"
    assert_eq "$(cat "$out/y-from-tar")" y "$what: a tar stream from stdin"
    assert_success sd cp "$ctr:/home/sub/y" "$out/y-from-gz"
    assert_eq "$(cat "$out/y-from-gz")" y "$what: a gzip tar stream from stdin"
    sd cp "$ctr:/tmp/d" - >"$out/d.tar"
    assert_eq "$(tar -tf "$out/d.tar" | LC_ALL=C sort | tr '\n' ' ')" "d/ d/hard d/link d/sub/ d/sub/y d/x " \
      "$what: a tar stream on stdout"
    sd cp "$ctr:/tmp/a.txt" - >"$out/a.tar"
    assert_eq "$(tar -xOf "$out/a.tar")" hello "$what: a file as a tar stream"
    assert_eq "$(tar -tvf "$out/a.tar" | awk '{print $1, $2}')" "-rw-r----- 0/0" \
      "$what: mode kept, owner is the container's root"
    assert_status 125 sd cp "$ctr:/nonexistent" "$out/"
    assert_contains "$output" "No such container:path: $ctr:/nonexistent"
    assert_status 125 sd cp "$ctr:/etc/passwd/" "$out/"
    assert_contains "$output" "not a directory"
    assert_status 125 sd cp "$ctr:/etc" "$out/passwd"
    assert_contains "$output" "cannot copy directory"
  done

  # What cold got is there when it runs; what live got is in its layer, not the image.
  assert_success sd start cold
  for ctr in live cold; do
    run_split sd exec "$ctr" sh -c 'cat /tmp/a.txt /tmp/renamed.txt /tmp/newd/x /tmp/newd/a.txt /tmp/contents/sub/y
      stat -c "%u:%g %a" /tmp/a.txt /tmp/d/sub/y; readlink /tmp/d/link'
    assert_eq "$stdout" "hello
hello
x
hello
y
0:0 640
0:0 644
x" "$drv/$ctr: files copied in, owned by the container's root ($stderr)"
  done
  assert_success sd run --rm "$ref" test ! -e /tmp/a.txt
  run_split sd diff cold
  assert_contains "$stdout" "A /tmp/a.txt"

  # -a keeps the source's owner (rootless: the host ids as the container maps them).
  echo owned >"$src/own.txt"
  chown 1234:2345 "$src/own.txt" 2>/dev/null || in_userns chown 1234:2345 "$src/own.txt"
  assert_success sd cp -a "$src/own.txt" live:/tmp/owned
  assert_success sd cp "$src/own.txt" live:/tmp/notowned
  assert_eq "$(sd exec live stat -c %u:%g /tmp/owned /tmp/notowned)" "1234:2345
0:0" "$drv: -a keeps uid/gid"
  in_userns rm -f "$src/own.txt"

  # A container that never ran: its volume is mounted for the copy (the mount point made as
  # the runtime would), so the file lands in the volume, as Docker does.
  assert_success sd create --name withvol -v "vol$drv:/data" "$ref" true
  assert_success sd cp "$src/a.txt" withvol:/data/
  assert_eq "$(sd run --rm -v "vol$drv:/v" "$ref" cat /v/a.txt)" hello "$drv: a copy into a stopped container's volume"
  assert_success sd cp withvol:/data/a.txt "$out/from-volume"
  assert_eq "$(cat "$out/from-volume")" hello "$drv: a copy out of a stopped container's volume"
  assert_success sd rm withvol
  assert_success sd rm -f live cold
done
