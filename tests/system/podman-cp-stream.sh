#!/usr/bin/env bash
# cp with streams, as Podman: `cp - CTR:/dir` reads a tar stream (plain, gzip or zstd) from
# stdin; `cp CTR:/file /dev/stdout` (any device or pipe) writes the file's bytes; a directory
# to /dev/stdout is refused. Also run's Podman --entrypoint JSON-array form, --arch/--os
# accepted on run, and cp --pause accepted.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sk create --name cs "$img" sleep 100 >/dev/null
mkdir -p "$T/src/d"
printf 'hello\n' > "$T/src/d/a.txt"
printf 'zed\n' > "$T/src/z.txt"
tar -C "$T/src" -cf - d | sk cp - cs:/tmp
tar -C "$T/src" -czf - z.txt | sk cp --pause - cs:/tmp
run_split sk cp cs:/tmp/d/a.txt /dev/stdout
assert_eq "$status/$stdout" "0/hello"
assert_eq "$(sk cp cs:/tmp/z.txt - | tar -xOf -)" "zed" "gzip stream went in"
# through a pipe
assert_eq "$(sk cp cs:/tmp/z.txt /dev/stdout | cat)" "zed"
assert_status 125 sk cp cs:/tmp/d /dev/stdout
assert_contains "$output" "is a directory"

# --entrypoint as a JSON array; --arch/--os accepted (the host's platform).
assert_eq "$(sk run --rm --entrypoint '["/bin/echo","ep"]' "$img" x)" "ep x"
assert_eq "$(sk run --rm --entrypoint /bin/echo "$img" x)" "x"
arch=$(sk info --format '{{.Architecture}}')
case $arch in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; esac
assert_eq "$(sk run --rm --os linux --arch "$arch" "$img" echo ok)" ok
