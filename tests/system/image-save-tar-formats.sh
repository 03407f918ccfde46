#!/usr/bin/env bash
# The layer tar `save` writes is byte for byte the tar the layer was made from, whatever
# produced it: GNU tar in gnu, oldgnu, posix (PAX) and ustar formats, with long names and link
# targets (GNU long-name records, PAX path/linkpath), hard links, symlinks, empty and large
# files, a sparse file, odd modes and owners, and trailing padding after the end of the archive.
# (`import` stores the tar as a layer; its digest is the diff ID save must reproduce.)
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd tar
w=$T/work
src=$w/tree
long=$(printf 'd%.0s' {1..120})
mkdir -p "$src/$long/sub" "$src/etc"
echo hello >"$src/etc/hello"
: >"$src/empty"
head -c 3000000 /dev/urandom >"$src/big.bin"
printf 'x%.0s' {1..700} >"$src/$long/sub/$(printf 'f%.0s' {1..150})"
ln "$src/etc/hello" "$src/hard"
ln -s "$long/sub/$(printf 'f%.0s' {1..150})" "$src/longlink"
ln -s etc/hello "$src/link"
truncate -s 5M "$src/sparse" && printf 'data' | dd of="$src/sparse" bs=1 seek=1000000 conv=notrunc status=none
chmod 4755 "$src/etc/hello"
chmod 0600 "$src/empty"

for fmt in gnu oldgnu posix ustar; do
  case $fmt in
    ustar) opts=(--exclude "./$long" --exclude ./longlink) ;;  # ustar cannot hold these names
    *) opts=(--sparse) ;;
  esac
  tar -C "$src" --format="$fmt" --owner=0 --group=0 "${opts[@]}" -cf "$w/$fmt.tar" .
  assert_success sk import "$w/$fmt.tar" "fmt:$fmt"
  diff_id=$(sk image inspect --format '{{index .RootFS.Layers 0}}' "fmt:$fmt")
  assert_eq "$diff_id" "sha256:$(sha256sum <"$w/$fmt.tar" | cut -d' ' -f1)" "$fmt: the diff ID is the tar's digest"
  sk save "fmt:$fmt" >"$w/$fmt-saved.tar"
  tar -xOf "$w/$fmt-saved.tar" "blobs/sha256/${diff_id#sha256:}" >"$w/$fmt-layer.tar"
  cmp "$w/$fmt.tar" "$w/$fmt-layer.tar" || fail "$fmt: save did not reproduce the layer's tar"
  # And back: load into another store gives the same image.
  sb() { sk --root "$T/b-$fmt" --runroot "$T/rb-$fmt" "$@"; }
  run_split sb load -i "$w/$fmt-saved.tar"
  assert_eq "$status" 0 "$fmt: load ($stderr)"
  assert_eq "$(sb images -q --no-trunc "fmt:$fmt")" "$(sk images -q --no-trunc "fmt:$fmt")" "$fmt: same image ID"
done
assert_success sk system check
