#!/usr/bin/env bash
# ADD of a URL (a loopback HTTP server) with and without --checksum (a wrong one fails),
# COPY wildcards, --parents, trailing-slash rules and a destination symlink resolved inside
# the image; RUN --mount=type=cache (kept across builds, never in a layer), tmpfs, secret and
# bind (mount values expanded with the ARGs in effect); the Dockerfile on standard input (no context) and a tar context on standard input.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd python3
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir -p srv ctx/src/a ctx/src/b
echo "downloaded" >srv/file.txt
python3 -u -m http.server --bind 127.0.0.1 0 --directory srv >srv.log 2>&1 &
defer "kill $!"
for _ in $(seq 100); do grep -q 'port' srv.log && break; sleep 0.05; done
port=$(sed -n 's/.* port \([0-9]*\).*/\1/p' srv.log | head -1)
[ -n "$port" ] || fail "http server did not start: $(cat srv.log)"
sum=$(sha256sum srv/file.txt | cut -d' ' -f1)

echo 1 >ctx/src/a/one.txt
echo 2 >ctx/src/b/two.txt
echo x >ctx/x.md
echo y >ctx/y.md
echo topsecret >secret.txt
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
ADD http://127.0.0.1:$port/file.txt /dl/
ADD --checksum=sha256:$sum http://127.0.0.1:$port/file.txt /dl/checked.txt
COPY *.md /docs/
COPY src/a/one.txt /renamed.txt
COPY --parents src/*/*.txt /p/
RUN ln -s /real /link && mkdir /real
COPY x.md /link/
RUN --mount=type=cache,target=/cache echo run >> /cache/count && wc -l < /cache/count > /count
RUN --mount=type=tmpfs,target=/scratch touch /scratch/x && ! test -e /x
RUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && test ! -e /tok
RUN --mount=type=bind,source=src,target=/mnt ls /mnt > /bound
COPY --exclude=*.md --exclude=src/b . /ex/
ADD --unpack=false t.tar /kept/
ARG MT=/mt
RUN --mount=type=tmpfs,target=\$MT test -d /mt && ! test -e /\$MT/x
DOCKERFILE
tar -C ctx -cf ctx/t.tar x.md
run_split sk build --secret id=tok,src=secret.txt -t am:1 ctx
assert_eq "$status" 0 "build ($stderr)"
assert_eq "$(sk run --rm am:1 cat /dl/file.txt /dl/checked.txt)" "downloaded
downloaded" "ADD URL"
assert_eq "$(sk run --rm am:1 ls /docs)" "x.md
y.md" "wildcards into a directory"
assert_eq "$(sk run --rm am:1 cat /renamed.txt)" 1 "a file to a new name"
assert_eq "$(sk run --rm am:1 find /p -type f | sort)" "/p/src/a/one.txt
/p/src/b/two.txt" "--parents keeps the directories"
assert_eq "$(sk run --rm am:1 ls /real)" "x.md" "a destination symlink resolved inside the image"
assert_eq "$(sk run --rm am:1 readlink /link)" "/real" "the link stays a link"
assert_eq "$(sk run --rm am:1 cat /count)" 1 "cache mount"
assert_status 1 sk run --rm am:1 test -e /cache/count
assert_status 1 sk run --rm am:1 test -e /run/secrets/tok
assert_eq "$(sk run --rm am:1 cat /bound)" "a
b" "bind mount of the context"
assert_eq "$(sk run --rm am:1 find /ex -name '*.md' -o -name b)" "" "--exclude"
assert_eq "$(sk run --rm am:1 cat /ex/src/a/one.txt)" 1 "--exclude leaves the rest"
assert_eq "$(sk run --rm am:1 ls /kept)" "t.tar" "ADD --unpack=false copies the archive"
run_split sk image history --no-trunc --format '{{.CreatedBy}}' am:1
assert_not_contains "$stdout" "topsecret" "the secret is not in the history"

# The cache mount keeps its contents for the next build of that RUN.
sed -i 's/echo run >>/echo run2 >>/' ctx/Dockerfile
assert_success sk build --secret id=tok,src=secret.txt -t am:2 ctx
assert_eq "$(sk run --rm am:2 cat /count)" 2 "the cache mount kept its contents"

# builder prune empties the cache mounts too.
assert_success sk builder prune -f
assert_success sk build --secret id=tok,src=secret.txt -t am:3 ctx
assert_eq "$(sk run --rm am:3 cat /count)" 1 "builder prune emptied the cache mount"

# A wrong checksum fails.
printf 'FROM %s\nADD --checksum=sha256:%064d http://127.0.0.1:%s/file.txt /f\n' "$ref" 0 "$port" >ctx/Dockerfile
assert_status 125 sk build ctx
assert_contains "$output" "digest mismatch"

# The Dockerfile on stdin (no context), and a tar context on stdin.
printf 'FROM %s\nRUN echo from-stdin > /s\n' "$ref" | sk build -q -t stdin:1 - >/dev/null || fail "build - <Dockerfile"
assert_eq "$(sk run --rm stdin:1 cat /s)" from-stdin "Dockerfile from stdin"
printf 'FROM %s\nCOPY x.md /x\n' "$ref" >ctx/Dockerfile
tar -C ctx -c . | sk build -q -t stdin:2 - >/dev/null || fail "build - <tar"
assert_eq "$(sk run --rm stdin:2 cat /x)" x "tar context from stdin"
