#!/usr/bin/env bash
# manifest push: a list of two platform images is pushed to a registry repository that holds
# the images (plain HTTP, and the token registry with push credentials), then pulled with
# --platform into an empty store: each platform gets its own image. The digest printed (and
# written with --digestfile) is the list's; a repository without the images refuses the list
# with a message saying to push them first; read-only credentials are refused; --purge removes
# the local list.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd skopeo
multi=$(fixture_ref multi)
tag=pushed-$RANDOM$RANDOM
assert_success sk pull -q --platform linux/amd64 "$multi"
assert_success sk tag "$multi" app:amd64
id_amd64=$(sk images -q --no-trunc app:amd64)
assert_success sk pull -q --platform linux/arm64 "$multi"
assert_success sk tag "$multi" app:arm64
id_arm64=$(sk images -q --no-trunc app:arm64)
assert_ne "$id_amd64" "$id_arm64"
assert_success sk manifest create app:list app:amd64 app:arm64

run_split sk manifest push --digestfile "$T/work/digest" app:list "$REG_HTTP/multi:$tag"
assert_eq "$status" 0 "manifest push ($stderr)"
assert_match "$stdout" '^sha256:[0-9a-f]{64}$'
digest=$stdout
assert_eq "$(cat "$T/work/digest")" "$digest" "--digestfile"
raw=$(skopeo inspect --raw --tls-verify=false "docker://$REG_HTTP/multi:$tag")
assert_eq "sha256:$(printf %s "$raw" | sha256sum | cut -d' ' -f1)" "$digest" "the registry serves the list pushed"
assert_eq "$(jq -r '.manifests | length' <<<"$raw")" "2"

for arch in amd64 arm64; do
  sp() { sk --root "$T/p-$arch" --runroot "$T/rp-$arch" "$@"; }
  run_split sp pull --platform "linux/$arch" "$REG_HTTP/multi:$tag"
  assert_eq "$status" 0 "pull --platform linux/$arch ($stderr)"
  assert_contains "$stdout" "Digest: $digest"
  want=id_$arch
  assert_eq "$(sp images -q --no-trunc "$REG_HTTP/multi:$tag")" "${!want}" "linux/$arch: the platform's image"
done

# Token registry: push credentials work, read-only ones are refused.
assert_success sk manifest push --creds "$REG_USER:$REG_PASS" app:list "$REG_TOKEN/multi:$tag"
assert_eq "$(skopeo inspect --raw --creds "$REG_USER:$REG_PASS" --cert-dir "$REG_CA_DIR/$REG_TOKEN" "docker://$REG_TOKEN/multi:$tag" | sha256sum | cut -d' ' -f1)" "${digest#sha256:}"
assert_status 125 sk manifest push --creds "$REG_RO_USER:$REG_RO_PASS" app:list "$REG_TOKEN/multi:ro-$tag"
assert_contains "$output" "denied"

# A repository without the images.
assert_status 125 sk manifest push app:list "$REG_HTTP/empty-$tag:x"
assert_contains "$output" "push it first"

# --purge: pushed, then the local list is gone (the images stay).
assert_success sk manifest push --purge app:list "$REG_HTTP/multi:$tag-2"
assert_status 1 sk manifest exists app:list
assert_success sk image inspect app:amd64
assert_success sk system check
