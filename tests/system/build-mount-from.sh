#!/usr/bin/env bash
# RUN --mount=type=bind,from=STAGE_OR_IMAGE as BuildKit does it: the source is a path in that
# stage's or image's filesystem (a symlink in it, or `..`, resolves inside that root, never on
# the host), read-only by default; `rw` writes into a throwaway copy that the next RUN no
# longer sees; a file binds as a file; nothing of the mount enters the layer; a missing source
# is an error naming it; the cache follows the mounted stage's content; no copy is left in
# the store.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir -p ctx
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref AS builder
ARG V=1
RUN mkdir -p /out/sub && echo hello > /out/hello.txt && echo deep > /out/sub/x && echo \$V > /out/v \\
 && ln -s /out /outlink && echo builder-etc > /etc/marker

FROM $ref
RUN --mount=type=bind,from=builder,source=/out,target=/m \\
    sh -c 'cat /m/hello.txt /m/sub/x > /got; if touch /m/new 2>/dev/null; then echo writable; else echo read-only; fi > /ro'
RUN --mount=type=bind,from=builder,source=/outlink,target=/m cat /m/hello.txt > /vialink
RUN --mount=type=bind,from=builder,source=../../../etc,target=/m cat /m/marker > /dotdot
RUN --mount=type=bind,from=builder,source=/out,target=/m,rw sh -c 'echo changed > /m/hello.txt && cat /m/hello.txt > /rwgot'
RUN --mount=type=bind,from=builder,source=/out,target=/m cat /m/hello.txt > /after
RUN --mount=type=bind,from=builder,target=/m cat /m/out/v > /v
RUN --mount=type=bind,from=$ref,source=/bin/busybox,target=/bb sh -c 'test -f /bb && cmp /bb /bin/busybox && echo same > /imgbind'
DOCKERFILE

run_split sk build -t mf:1 ctx
assert_eq "$status" 0 "build ($stderr)"
assert_eq "$(sk run --rm mf:1 cat /got)" $'hello\ndeep' "the stage's files under the target"
assert_eq "$(sk run --rm mf:1 cat /ro)" "read-only" "read-only by default"
assert_eq "$(sk run --rm mf:1 cat /vialink)" "hello" "a symlink source resolves inside the stage"
assert_eq "$(sk run --rm mf:1 cat /dotdot)" "builder-etc" ".. stops at the stage's root"
assert_eq "$(sk run --rm mf:1 cat /rwgot)" "changed" "rw: writable"
assert_eq "$(sk run --rm mf:1 cat /after)" "hello" "rw: the writes were thrown away"
assert_eq "$(sk run --rm mf:1 cat /v)" "1" "no source: the whole stage"
assert_eq "$(sk run --rm mf:1 cat /imgbind)" "same" "a file of an image, bound as a file"
assert_status 1 sk run --rm mf:1 test -e /m
assert_status 1 sk run --rm mf:1 test -e /bb
assert_eq "$(ls -A "$SKIFF_ROOT/build-mounts" 2>/dev/null)" "" "no copy left in the store"

# Cached when nothing changed; the mounted stage's content is part of the key.
run_split sk build -t mf:2 ctx
assert_eq "$status" 0 "rebuild ($stderr)"
assert_not_contains "$stdout" "Running in" "everything cached"
run_split sk build --build-arg V=2 -t mf:3 ctx
assert_eq "$status" 0 "build V=2 ($stderr)"
assert_eq "$(sk run --rm mf:3 cat /v)" "2" "a changed stage invalidates the steps that mount it"

# A source the stage lacks: an error naming it, nothing built.
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref AS builder
RUN mkdir /out
FROM $ref
RUN --mount=type=bind,from=builder,source=/nope,target=/m true
DOCKERFILE
run_split sk build -t mf:bad ctx
assert_eq "$status" 125 "missing source"
assert_contains "$stderr" "/nope"
assert_contains "$stderr" "not found"
assert_status 125 sk image inspect mf:bad
assert_eq "$(ls -A "$SKIFF_ROOT/build-mounts" 2>/dev/null)" "" "no copy left after the failure"
assert_success sk system check
