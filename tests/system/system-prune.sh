#!/usr/bin/env bash
# `system prune`: stopped containers, dangling images (-a: every image no container uses),
# anonymous volumes no container uses (--volumes); running containers, their images and
# named volumes stay; Docker's prompt and report.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

assert_success sk pull -q "$ref"
assert_success sk run -d --name keeper "$ref" sleep 1000
assert_success sk run --name stopped1 -v /anon "$ref" true
assert_success sk run --name stopped2 -v named:/data "$ref" sh -c 'echo x > /x'
stopped1=$(sk inspect --format '{{.Id}}' stopped1)
stopped2=$(sk inspect --format '{{.Id}}' stopped2)
anon=$(sk inspect --format '{{range .Mounts}}{{.Name}}{{end}}' stopped1)
dangling=$(sk commit stopped2)
tagged=$(sk commit stopped2 unused:tag)

# Without -f it asks; anything but y keeps everything.
run_split sk system prune <<<"n"
assert_eq "$status" 0
assert_eq "$stderr" "WARNING! This will remove:
  - all stopped containers
  - all dangling images

Are you sure you want to continue? [y/N] " "the prompt"
assert_eq "$(sk ps -aq | wc -l)" 3 "nothing removed after 'n'"

run_split sk system prune -f --volumes
assert_eq "$status" 0 "prune status ($stderr)"
assert_contains "$stdout" "Deleted Containers:"
assert_contains "$stdout" "$stopped1"
assert_contains "$stdout" "$stopped2"
assert_contains "$stdout" "Deleted Volumes:
$anon"
assert_contains "$stdout" "Deleted Images:
deleted: $dangling"
assert_match "$stdout" 'Total reclaimed space: [0-9.]+[kMG]?B$'
assert_eq "$(sk ps -a --format '{{.Names}}')" "keeper" "the running container stays"
assert_eq "$(sk volume ls -q)" "named" "named volumes stay"
assert_eq "$(sk images -q --no-trunc | LC_ALL=C sort | tr '\n' ' ')" \
  "$(printf '%s\n' "$tagged" "$(sk inspect --format '{{.Id}}' "$ref")" | LC_ALL=C sort | tr '\n' ' ')" \
  "tagged images stay without -a"

# -a: every image no container uses goes; the running container's image stays.
run_split sk system prune -af
assert_eq "$status" 0 "prune -a status ($stderr)"
assert_contains "$stdout" "untagged: unused:tag"
assert_eq "$(sk images --format '{{.Repository}}:{{.Tag}}')" "$ref" "only the image in use is left"
run_split sk system prune -f
assert_eq "$stdout" "Total reclaimed space: 0B" "nothing left to prune"
assert_success sk system check
assert_contains "$output" "no problems"
