#!/usr/bin/env bash
# export -> import round trip with both storage drivers: a container's flattened filesystem
# (its changes included, deletions applied, modes, owners, links kept) becomes a one-layer
# image with the same files; import reads plain, gzip and stdin streams, applies --change
# and --message; export refuses a terminal and writes -o atomically.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

# name type mode owner size [link] of every entry, sorted (no times: the init layer's
# directories are made per container).
listing() { tar -tvf "$1" | awk '{ $4 = ""; $5 = ""; print }' | LC_ALL=C sort; }

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  w=$T/work/$drv
  mkdir -p "$w"
  assert_success sd pull -q "$ref"
  assert_success sd run --name src "$ref" sh -ec '
    mkdir -p /data/sub && echo hello > /data/file && chmod 0640 /data/file
    echo deep > /data/sub/deep && ln -s file /data/link && ln /data/file /data/hard
    chown 1000:1000 /data/sub/deep && chmod 4755 /data/sub
    rm /bin/vi && echo changed >> /etc/group'

  assert_success sd export -o "$w/src.tar" src
  sd export src >"$w/stdout.tar"
  cmp -s "$w/src.tar" "$w/stdout.tar" || fail "$drv: export -o and to stdout differ"
  [ ! -e "$w/src.tar.skiff-"* ] 2>/dev/null || fail "$drv: a temporary file was left"
  names=$(tar -tf "$w/src.tar")
  assert_contains "$names" "data/sub/deep"
  if grep -qx 'bin/vi' <<<"$names"; then fail "$drv: a deleted file was exported"; fi
  assert_eq "$(tar -xOf "$w/src.tar" etc/group | tail -1)" "changed" "$drv: the container's changes are exported"
  assert_eq "$(tar -tvf "$w/src.tar" data/sub/deep | awk '{print $1, $2}')" "-rw-r--r-- 1000/1000" "$drv: owners kept"
  assert_eq "$(tar -tvf "$w/src.tar" data/hard | awk '{print $1}')" "hrw-r-----" "$drv: hard links kept"

  # The round trip: import, run, export again: the same entries and contents.
  run_split sd import -m "round trip" -c 'CMD ["sh"]' "$w/src.tar" flat:"$drv"
  assert_eq "$status" 0 "$drv: import ($stderr)"
  assert_match "$stdout" '^sha256:[0-9a-f]{64}$'
  flat_id=$stdout
  assert_eq "$(sd inspect --format '{{len .RootFS.Layers}} {{json .Config.Cmd}} {{.Comment}}' flat:"$drv")" \
    '1 ["sh"] round trip' "$drv: a one-layer image with the changes applied"
  assert_eq "$(sd history --format '{{.Comment}}' flat:"$drv")" "round trip"
  assert_success sd create --name copy flat:"$drv"
  assert_success sd export -o "$w/copy.tar" copy
  assert_eq "$(listing "$w/copy.tar")" "$(listing "$w/src.tar")" "$drv: the round trip keeps every entry"
  mkdir -p "$w/a" "$w/b"
  tar -C "$w/a" -xf "$w/src.tar" --no-same-owner 2>/dev/null || true
  tar -C "$w/b" -xf "$w/copy.tar" --no-same-owner 2>/dev/null || true
  diff -r --no-dereference "$w/a" "$w/b" >/dev/null || fail "$drv: the round trip changed file contents"
  assert_eq "$(sd run --rm flat:"$drv" sh -c 'cat /data/file /data/sub/deep; stat -c "%u:%g %a" /data/sub/deep /data/sub')" \
    "hello
deep
1000:1000 644
0:0 4755" "$drv: a container from the imported image sees the files"

  # stdin, compressed, default message, no tag.
  gzip -c "$w/src.tar" >"$w/src.tar.gz"
  run_split sd import - <"$w/src.tar.gz"
  assert_eq "$status" 0 "$drv: import of a gzip stream ($stderr)"
  assert_eq "$(sd inspect --format '{{index .RootFS.Layers 0}}' "$stdout")" \
    "$(sd inspect --format '{{index .RootFS.Layers 0}}' "$flat_id")" "$drv: the same layer from gzip on stdin"
  assert_eq "$(sd history --format '{{.Comment}}' "$stdout")" "Imported from -"
  assert_success sd system check
  assert_contains "$output" "no problems"

  assert_status 125 sd import "$w/nonexistent.tar"
  assert_status 125 sd import -c 'COPY . /' "$w/src.tar"
  assert_contains "$output" "copy is not a valid change command"
  assert_status 125 sd export nosuch
  assert_contains "$output" "No such container: nosuch"
done
