#!/usr/bin/env bash
# Sparse files cost what their data costs: a 10 KiB tar holding a 1 TiB hole (GNU, PAX 0.1 and
# 1.0 sparse formats) is imported and pulled in seconds with the hole kept on disk, and
# `system check`, `diff`, `commit`, `export` and `cp` (both ways) keep holes and stay fast. Each
# step runs under a timeout far below what reading 1 TiB would take; the holes are checked
# with stat (size vs allocated blocks).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

TIB=1099511627776
W=$T/work
# A file of 1 TiB + 5 bytes: "hello" at 1 MiB, "tail!" at the end, holes elsewhere.
mkdir -p "$W/src"
truncate -s 1T "$W/src/big"
printf hello | dd of="$W/src/big" bs=1 seek=1048576 conv=notrunc status=none
printf 'tail!' >>"$W/src/big"
[ "$(stat -c %b "$W/src/big")" -lt 1000 ] || skip "this filesystem does not keep holes"
tar -C "$W/src" --sparse -cf "$W/gnu.tar" big
tar -C "$W/src" --sparse --format=posix --sparse-version=0.1 -cf "$W/pax01.tar" big
tar -C "$W/src" --sparse --format=posix --sparse-version=1.0 -cf "$W/pax10.tar" big
for f in gnu pax01 pax10; do
  [ "$(stat -c %s "$W/$f.tar")" -lt 100000 ] || fail "$f.tar is not sparse"
done

# skiff under a timeout: reading the hole (1 TiB) would take many minutes
t() {
  shift  # "sk"
  _lib_trace "skiff $* (timeout 60 s)"
  timeout 60 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@"
}
# sparse_ok FILE-SIZE BLOCKS WHAT: the size is the 1 TiB file's and it holds few blocks
sparse_ok() {
  assert_eq "$1" $((TIB + 5)) "$3: the size is kept"
  [ "$2" -lt 100000 ] || fail "$3: the hole was filled ($2 blocks of 512 bytes)"
}
# Contents check inside a container: the data at 1 MiB and at the end.
probe='stat -c "%s %b" /big; dd if=/big bs=1048576 skip=1 count=1 2>/dev/null | head -c 5; echo; tail -c 5 /big; echo'

# import, every sparse format
for f in gnu pax01 pax10; do
  assert_success t sk import "$W/$f.tar" "sparse:$f"
done
assert_success t sk system check

# pull: a layer holding the hole, on top of busybox
il_layout sparse
il_busybox_layer "$IL_L"
il_add
il_tar_layer "$IL_L" "$W/pax10.tar" gzip
il_add
il_image "$IL_L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
il_serve
img=$IL_REG/sparse:latest
assert_success t sk pull -q "$img"
run_split t sk run --rm "$img" sh -c "$probe"
assert_eq "$status" 0 "run: $stderr"
read -r size blocks <<<"$(head -1 <<<"$stdout")"
sparse_ok "$size" "$blocks" "pulled layer, seen in a container"
assert_eq "$(tail -n 2 <<<"$stdout")" $'hello\ntail!' "pulled layer: the data is where it was"
assert_success t sk system check
assert_contains "$output" "no problems"

# a container that makes a hole of its own; diff, commit, export, cp
assert_success sk run -d --name sp "$img" sh -c "truncate -s $TIB /made; echo end >>/made; sleep 1000"
wait_made() { sk exec sp sh -c 'test "$(tail -c 4 /made)" = end' 2>/dev/null; }
for _ in $(seq 100); do wait_made && break; sleep 0.1; done
assert_success t sk diff sp
assert_contains "$output" "A /made"
assert_success t sk commit sp sparse:committed
run_split t sk run --rm sparse:committed sh -c 'stat -c "%s %b" /made; tail -c 4 /made'
assert_eq "$status" 0 "run committed: $stderr"
read -r size blocks <<<"$(head -1 <<<"$stdout")"
assert_eq "$size" $((TIB + 4)) "commit: the size is kept"
[ "$blocks" -lt 100000 ] || fail "commit: the hole was filled ($blocks blocks)"
assert_eq "$(tail -n 1 <<<"$stdout")" end "commit: the data is kept"

t sk export sp >"$W/export.tar" || fail "export failed or took too long"
[ "$(stat -c %s "$W/export.tar")" -lt 100000000 ] || fail "export wrote the holes ($(stat -c %s "$W/export.tar") bytes)"
assert_match "$(tar -tvf "$W/export.tar" big made)" "$((TIB + 5)).* big"
mkdir -p "$W/x" && tar -C "$W/x" -xf "$W/export.tar" big made
sparse_ok "$(stat -c %s "$W/x/big")" "$(stat -c %b "$W/x/big")" "export, extracted by GNU tar"
assert_eq "$(tail -c 5 "$W/x/big")" "tail!" "export: the data is kept"
assert_success t sk import "$W/export.tar" sparse:reimported

mkdir -p "$W/out"
assert_success t sk cp sp:/big "$W/out/big"
sparse_ok "$(stat -c %s "$W/out/big")" "$(stat -c %b "$W/out/big")" "cp out"
assert_eq "$(tail -c 5 "$W/out/big")" "tail!" "cp out: the data is kept"
assert_eq "$(dd if="$W/out/big" bs=1048576 skip=1 count=1 2>/dev/null | head -c 5)" hello "cp out: the data is kept"
assert_success t sk cp "$W/src/big" sp:/tmp/in
run_split sk exec sp sh -c 'stat -c "%s %b" /tmp/in; tail -c 5 /tmp/in'
read -r size blocks <<<"$(head -1 <<<"$stdout")"
sparse_ok "$size" "$blocks" "cp in"
assert_eq "$(tail -n 1 <<<"$stdout")" "tail!" "cp in: the data is kept"
assert_success sk rm -f sp

# The same tree gives the same layer: commit is deterministic with sparse entries.
assert_success sk run --name sp2 "$img" sh -c 'truncate -s 1073741824 /m; echo x >>/m'
id1=$(sk commit sp2 sparse:c1)
id2=$(sk commit sp2 sparse:c2)
assert_eq "$(sk image inspect --format '{{json .RootFS.Layers}}' "$id1")" \
  "$(sk image inspect --format '{{json .RootFS.Layers}}' "$id2")" "two commits of the same tree: the same layers"
assert_success t sk system check
assert_contains "$output" "no problems"
