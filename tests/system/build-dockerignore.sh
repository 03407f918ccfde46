#!/usr/bin/env bash
# .dockerignore excludes (patterns, **, a directory and all below it) and re-includes (!);
# an excluded file named by COPY is "not found"; Dockerfile.dockerignore next to -f wins;
# a symlink in the context never reaches outside it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir -p ctx/logs ctx/src/deep ctx/keep
echo a >ctx/src/a.c
echo b >ctx/src/deep/b.o
echo c >ctx/src/deep/c.c
echo log >ctx/logs/x.log
echo important >ctx/logs/important.log
echo secret >ctx/secret.txt
echo k >ctx/keep/k
ln -s /etc/passwd ctx/keep/outside
printf 'logs\n!logs/important.log\n**/*.o\nsecret.txt\n' >ctx/.dockerignore
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
COPY . /ctx/
DOCKERFILE
run_split sk build -t ig:1 ctx
assert_eq "$status" 0 "build ($stderr)"
run_split sk run --rm ig:1 find /ctx -type f
assert_eq "$(sort <<<"$stdout")" "/ctx/.dockerignore
/ctx/Dockerfile
/ctx/keep/k
/ctx/logs/important.log
/ctx/src/a.c
/ctx/src/deep/c.c" "excluded and re-included files"
assert_eq "$(sk run --rm ig:1 readlink /ctx/keep/outside)" "/etc/passwd" "a symlink is copied as a link, not followed"

cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
COPY secret.txt /
DOCKERFILE
assert_status 125 sk build ctx
assert_contains "$output" "secret.txt" "the excluded file is named"
assert_contains "$output" "not found" "an excluded source is not found"

# Dockerfile.dockerignore beside the Dockerfile replaces .dockerignore.
cat >ctx/other.Dockerfile <<DOCKERFILE
FROM $ref
COPY secret.txt /
DOCKERFILE
printf 'logs\n' >ctx/other.Dockerfile.dockerignore
assert_success sk build -t ig:2 -f ctx/other.Dockerfile ctx
assert_eq "$(sk run --rm ig:2 cat /secret.txt)" secret "the Dockerfile's own ignore file is used"
