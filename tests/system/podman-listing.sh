#!/usr/bin/env bash
# Podman's listing and image flags: ps/images/volume ls --noheading and --sort, ps --external,
# untag (all names, or the ones given), image tree, and run's --annotation, --tz, --env-host and
# --http-proxy.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sk create --name bbb "$img" true >/dev/null
sk create --name aaa "$img" true >/dev/null
run_split sk ps -a --noheading --format 'table {{.Names}}'
assert_eq "$stdout" "$(printf 'aaa\nbbb')" "ps --noheading, newest first"
run_split sk ps -a --sort names --format '{{.Names}}'
assert_eq "$stdout" "$(printf 'aaa\nbbb')"
run_split sk ps -a --sort id --format '{{.ID}}'
assert_eq "$stdout" "$(sk ps -a --format '{{.ID}}' | sort)"
assert_status 125 sk ps --sort bogus
assert_contains "$output" "invalid option for --sort"
run_split sk ps --external -a -q
assert_eq "$status" 0

sk tag "$img" zzz:1
sk tag "$img" aaa:1
run_split sk images --noheading --sort repository --format 'table {{.Repository}}:{{.Tag}}'
assert_eq "$stdout" "$(echo "$stdout" | LC_ALL=C sort)" "images --sort repository, no header"
assert_not_contains "$stdout" "REPOSITORY"
run_split sk images -n
assert_not_contains "$stdout" "REPOSITORY"
assert_eq "$(echo "$stdout" | wc -l)" 3
sk volume create vol1 >/dev/null
run_split sk volume ls --noheading
assert_eq "$stdout" "$(printf 'local     vol1')"

# image tree
run_split sk image tree aaa:1
assert_eq "$status" 0
assert_contains "$stdout" "Image Layers"
assert_match "$(echo "$stdout" | sed -n 1p)" '^Image ID: [0-9a-f]{12}$'
assert_contains "$stdout" "Top Layer of: ["

# untag NAME: only that name; untag IMAGE: all of them, the image stays.
assert_success sk untag aaa:1 aaa:1
assert_status 1 sk image exists aaa:1
assert_status 0 sk image exists zzz:1
assert_status 125 sk untag zzz:1 nosuch:2
assert_contains "$output" "nosuch:2"
id=$(sk image inspect -f '{{.Id}}' zzz:1)
assert_success sk untag zzz:1
assert_status 1 sk image exists zzz:1
assert_status 1 sk image exists "$img"
assert_status 0 sk image exists "$id"
assert_eq "$(sk images --format '{{.Repository}}:{{.Tag}}')" "<none>:<none>"

# run's Podman flags
sk tag "$id" bb:1
assert_eq "$(sk run --rm --tz Europe/Paris bb:1 sh -c 'echo $TZ')" "Europe/Paris"
assert_status 125 sk run --rm --tz Nowhere/Nope bb:1 true
assert_contains "$output" "no such time zone"
assert_eq "$(FOO_HOST=x1 sk run --rm --env-host bb:1 sh -c 'echo $FOO_HOST')" "x1"
assert_eq "$(http_proxy=http://127.0.0.1:9 sk run --rm bb:1 sh -c 'echo $http_proxy')" "http://127.0.0.1:9"
assert_eq "$(http_proxy=http://127.0.0.1:9 sk run --rm --http-proxy=false bb:1 sh -c 'echo x$http_proxy')" "x"
sk create --name ann --annotation com.example.a=b bb:1 true >/dev/null
assert_eq "$(sk inspect -f '{{index .HostConfig.Annotations "com.example.a"}}' ann)" "b"
