#!/usr/bin/env bash
# The build cache: a rebuild reuses every step ("Using cache", same image); changing one COPY
# source invalidates exactly that step and the ones after it; a changed --build-arg invalidates
# the RUN that sees it; --no-cache runs everything; the cache survives across invocations and
# `builder prune` forgets it (the next build runs every step again).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir ctx
echo one >ctx/a.txt
echo two >ctx/b.txt
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
ARG V=1
RUN echo first > /first
COPY a.txt /a.txt
RUN echo second > /second
COPY b.txt /b.txt
RUN cat /a.txt /b.txt > /both
DOCKERFILE

run_split sk build -t c:1 ctx
assert_eq "$status" 0 "first build ($stderr)"
assert_not_contains "$stdout" "Using cache" "first build runs everything"
id1=$(sk images -q --no-trunc c:1)

run_split sk build -t c:2 ctx
assert_eq "$status" 0 "rebuild ($stderr)"
assert_eq "$(grep -c ' ---> Using cache' <<<"$stdout")" 6 "every step after FROM comes from the cache"
assert_not_contains "$stdout" "Running in" "nothing runs"
assert_eq "$(sk images -q --no-trunc c:2)" "$id1" "the same image"

# b.txt changed: steps 1-5 cached, COPY b.txt and the RUN after it run again.
echo TWO >ctx/b.txt
run_split sk build -t c:3 ctx
assert_eq "$status" 0 "after a change ($stderr)"
assert_eq "$(grep -c ' ---> Using cache' <<<"$stdout")" 4 "the steps before the changed COPY are cached"
assert_eq "$(grep -c 'Running in' <<<"$stdout")" 1 "the RUN after it runs again"
assert_eq "$(sk run --rm c:3 cat /both)" "one
TWO" "the new content"
# Only the mtime changed: the content hash is the same, the cache holds.
touch -d '2001-01-01' ctx/a.txt
run_split sk build ctx
assert_eq "$(grep -c ' ---> Using cache' <<<"$stdout")" 6 "an mtime alone does not invalidate"

# A mode change is a change: the COPY of a.txt and everything after it runs again.
chmod 0600 ctx/a.txt
run_split sk build ctx
assert_eq "$(grep -c ' ---> Using cache' <<<"$stdout")" 2 "a mode change invalidates the COPY"
chmod 0644 ctx/a.txt

# A build arg in effect invalidates from the first RUN that has it.
run_split sk build --build-arg V=2 ctx
assert_eq "$(grep -c ' ---> Using cache' <<<"$stdout")" 0 "a new ARG value: every step from the ARG on runs"
assert_eq "$(grep -c 'Running in' <<<"$stdout")" 3 "every RUN runs again"
run_split sk build --no-cache ctx
assert_not_contains "$stdout" "Using cache" "--no-cache"

# An untagged build is dangling: image prune removes it and the step images only it used, so
# the next build runs every step again.
printf 'FROM %s\nRUN echo dangling > /d\n' "$ref" >ctx/Dockerfile.d
assert_success sk build -f ctx/Dockerfile.d ctx
run_split sk build -f ctx/Dockerfile.d ctx
assert_contains "$stdout" "Using cache" "cached before the prune"
assert_success sk image prune -f
run_split sk build -f ctx/Dockerfile.d ctx
assert_not_contains "$stdout" "Using cache" "image prune removed the cached steps"

assert_success sk builder prune -f
run_split sk build ctx
assert_not_contains "$stdout" "Using cache" "builder prune forgot the cache"
assert_eq "$(sk images -q --no-trunc c:1)" "$id1" "tagged images survive builder prune"
