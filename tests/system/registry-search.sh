#!/usr/bin/env bash
# search on a registry other than Docker Hub lists its /v2/_catalog filtered by the term, in
# Docker's columns (NAME DESCRIPTION STARS OFFICIAL); a term without a registry searches the
# registries.conf unqualified-search registries (REG_HTTP here); --limit, --format,
# --list-tags (the repository's tags), and bad filters and limits exit 125.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry

run_split sk search --tls-verify=false "$REG_HTTP/busy"
assert_eq "$status" 0 "search: $stderr"
assert_match "$(head -1 <<<"$stdout")" '^NAME +DESCRIPTION +STARS +OFFICIAL$' "Docker's header"
assert_match "$stdout" "(^|"$'\n'")$REG_HTTP/busybox " "the busybox repository is listed"
assert_not_contains "$stdout" "$REG_HTTP/layered" "filtered by the term"

# No registry in the term: the unqualified-search registries.
run_split sk search layer
assert_eq "$status" 0 "search a short term: $stderr"
assert_contains "$stdout" "$REG_HTTP/layered"

run_split sk search --limit 2 --format '{{.Name}}' "$REG_HTTP/"
assert_eq "$status" 0
assert_eq "$(wc -l <<<"$stdout")" 2 "--limit 2"

# TLS registry with its CA from certs.d.
run_split sk search --format '{{.Name}}' "$REG_TLS/schema"
assert_eq "$status" 0 "search TLS: $stderr"
assert_contains "$stdout" "$REG_TLS/schema2"

run_split sk search --list-tags "$REG_HTTP/schema2"
assert_eq "$status" 0 "--list-tags: $stderr"
assert_match "$(head -1 <<<"$stdout")" '^NAME +TAG$'
assert_match "$stdout" "$REG_HTTP/schema2 +latest"
assert_match "$stdout" "$REG_HTTP/schema2 +list"

run_split sk search --filter stars=x "$REG_HTTP/busy"
assert_eq "$status" 125
assert_contains "$stderr" "invalid filter 'stars=x'"
run_split sk search --limit 0 "$REG_HTTP/busy"
assert_eq "$status" 125
run_split sk search "127.0.0.1:1/x"
assert_eq "$status" 125
assert_contains "$stderr" "connection refused"
