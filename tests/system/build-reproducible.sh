#!/usr/bin/env bash
# Deterministic builds: two --no-cache builds of the same context give the same layer digests
# (sorted entries, normalised owners and times); with SOURCE_DATE_EPOCH (or --timestamp) every
# time is pinned too and the image ID (config digest) is the same.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir -p ctx/dir
echo a >ctx/dir/a
echo b >ctx/b
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
COPY . /src/
RUN mkdir -p /gen && date > /dev/null && echo built > /gen/out && touch /gen/new
WORKDIR /work
DOCKERFILE
layers() { sk inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1"; }

assert_success sk build -q --no-cache -t r:1 ctx
sleep 1.1
touch ctx/b
assert_success sk build -q --no-cache -t r:2 ctx
assert_eq "$(layers r:2)" "$(layers r:1)" "same layer digests without SOURCE_DATE_EPOCH"
assert_ne "$(sk images -q --no-trunc r:2)" "$(sk images -q --no-trunc r:1)" "created times differ"

SOURCE_DATE_EPOCH=1700000000 sk build -q --no-cache -t r:3 ctx >/dev/null || fail "build 3"
sleep 1.1
SOURCE_DATE_EPOCH=1700000000 sk build -q --no-cache -t r:4 ctx >/dev/null || fail "build 4"
assert_eq "$(sk images -q --no-trunc r:4)" "$(sk images -q --no-trunc r:3)" "same image ID with SOURCE_DATE_EPOCH"
assert_eq "$(sk inspect --format '{{.Created}}' r:3)" "2023-11-14T22:13:20Z" "created is the epoch"
run_split sk history --format '{{.CreatedAt}}' r:3
assert_contains "$stdout" "2023-11-14T22:13:20" "history times pinned"
assert_success sk build -q --no-cache --timestamp 1700000000 -t r:5 ctx
assert_eq "$(sk images -q --no-trunc r:5)" "$(sk images -q --no-trunc r:3)" "--timestamp is the same as SOURCE_DATE_EPOCH"
# Every mtime in the layers is at most the epoch.
newest=$(sk run --rm r:3 sh -c 'find /src /gen /work -exec stat -c %Y {} + | sort -n | tail -1')
[ "$newest" -le 1700000000 ] || fail "an mtime above the epoch: $newest"
