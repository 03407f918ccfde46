#!/usr/bin/env bash
# Pull the busybox fixture over plain HTTP, list it, and run a container from it.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
run_split sk pull "$ref"
assert_eq "$status" 0 "pull exit status"
assert_contains "$stdout" "Digest: $(fixture_digest busybox)"
assert_contains "$stdout" "Status: Downloaded newer image for $ref"
run_split sk images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
assert_eq "$stdout" "$REG_HTTP/busybox:latest $(fixture_image_id busybox | cut -c8-19)"
run_split sk run --rm "$ref" sh -c 'echo hello; hostname; exit 3'
assert_eq "$status" 3 "container exit code"
assert_match "$stdout" '^hello
[0-9a-f]{12}$'
