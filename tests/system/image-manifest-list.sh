#!/usr/bin/env bash
# Manifest lists kept locally as images: create from two platform images (local, pulled with
# --platform), inspect in Docker's shape with the registry's digests, annotate, add (a local
# image, a registry image with docker://), remove an entry, exists exit codes, create over an
# existing list (refused without --amend), rm; images without a registry manifest and non-lists
# are refused with a message; `system check` passes.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd skopeo
multi=$(fixture_ref multi)
schema2=$(fixture_ref schema2)
raw=$(skopeo inspect --raw --tls-verify=false "docker://$multi")
d_amd64=$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' <<<"$raw")
d_arm64=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$raw")

assert_success sk pull -q --platform linux/amd64 "$multi"
assert_success sk tag "$multi" app:amd64
assert_success sk pull -q --platform linux/arm64 "$multi"
assert_success sk tag "$multi" app:arm64

run_split sk manifest create app:list app:amd64 app:arm64
assert_eq "$status" 0 "manifest create ($stderr)"
assert_match "$stdout" '^sha256:[0-9a-f]{64}$'
run_split sk manifest inspect app:list
assert_eq "$status" 0 "manifest inspect ($stderr)"
inspect=$stdout
assert_eq "$(head -2 <<<"$inspect" | tail -1)" '   "schemaVersion": 2,' "Docker's three-space indentation"
assert_eq "$(jq -r .mediaType <<<"$inspect")" "application/vnd.oci.image.index.v1+json"
assert_eq "$(jq -r '.manifests | length' <<<"$inspect")" "2"
assert_eq "$(jq -r '.manifests[0] | keys_unsorted | join(",")' <<<"$inspect")" "mediaType,size,digest,platform"
assert_eq "$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .digest' <<<"$inspect")" "$d_amd64" \
  "the amd64 entry is the registry's manifest"
assert_eq "$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' <<<"$inspect")" "$d_arm64"
assert_eq "$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .platform.os' <<<"$inspect")" "linux"
assert_eq "$(jq -r '.manifests[] | select(.digest == "'"$d_amd64"'") | .size' <<<"$inspect")" \
  "$(jq -r '.manifests[] | select(.platform.architecture == "amd64") | .size' <<<"$raw")"

# exists: 0 for a list, 1 for no list and for an image that is not a list.
assert_success sk manifest exists app:list
assert_status 1 sk manifest exists app:nosuch
assert_status 1 sk manifest exists app:amd64

# annotate by image and by digest.
assert_success sk manifest annotate --annotation com.example.k=v --os-version 10.1 app:list app:arm64
assert_success sk manifest annotate --variant v8 app:list "$d_arm64"
inspect=$(sk manifest inspect app:list)
assert_eq "$(jq -r '.manifests[] | select(.digest == "'"$d_arm64"'") | .annotations["com.example.k"]' <<<"$inspect")" "v"
assert_eq "$(jq -r '.manifests[] | select(.digest == "'"$d_arm64"'") | .platform | [.["os.version"], .variant] | join(" ")' <<<"$inspect")" "10.1 v8"
assert_status 125 sk manifest annotate --os linux app:list sha256:0000000000000000000000000000000000000000000000000000000000000000
assert_contains "$output" "is not in manifest list app:list"

# add from the registry (docker://): a Docker manifest, so the list keeps its entries.
assert_success sk manifest add --arch s390x app:list "docker://$schema2"
inspect=$(sk manifest inspect app:list)
assert_eq "$(jq -r '.manifests | length' <<<"$inspect")" "3"
assert_eq "$(jq -r '.manifests[2].digest' <<<"$inspect")" "$(fixture_digest schema2)"
assert_eq "$(jq -r '.manifests[2].platform.architecture' <<<"$inspect")" "s390x" "--arch overrides"
# Adding the same manifest again replaces its entry.
assert_success sk manifest add app:list "docker://$schema2"
assert_eq "$(sk manifest inspect app:list | jq -r '.manifests | length')" "3"

# remove an entry.
assert_success sk manifest remove app:list "$(fixture_digest schema2)"
assert_eq "$(sk manifest inspect app:list | jq -r '.manifests | length')" "2"
assert_status 125 sk manifest remove app:list "$(fixture_digest schema2)"

# create over an existing list: refused, or --amend.
assert_status 125 sk manifest create app:list
assert_contains "$output" "already exists"
assert_success sk manifest create --amend app:list "docker://$schema2"
assert_eq "$(sk manifest inspect app:list | jq -r '.manifests | length')" "3"

# An image without a registry manifest cannot be listed; a list is not an image to list.
assert_success sk run --name cc app:amd64 true
assert_success sk commit cc app:committed
assert_status 125 sk manifest add app:list app:committed
assert_contains "$output" "has no registry manifest"
assert_status 125 sk manifest add app:list app:list
assert_contains "$output" "is a manifest list"
assert_status 125 sk manifest annotate --os linux app:amd64 app:amd64
assert_contains "$output" "is not a manifest list"

# An empty list, and a Docker manifest list when every entry is a Docker manifest.
assert_success sk manifest create app:docker "docker://$schema2"
assert_eq "$(sk manifest inspect app:docker | jq -r .mediaType)" "application/vnd.docker.distribution.manifest.list.v2+json"
assert_success sk manifest create app:empty
assert_eq "$(sk manifest inspect app:empty | jq -c .manifests)" "[]"

# A registry's index, for a name that is no local list.
assert_eq "$(sk manifest inspect "$multi" | jq -r '.manifests | length')" "$(jq -r '.manifests | length' <<<"$raw")"

# A list is not something to run.
assert_status 125 sk run --rm app:list true
assert_contains "$output" "is a manifest list"
assert_status 125 sk save -o "$T/work/list.tar" app:list
assert_contains "$output" "is a manifest list"
assert_no_file "$T/work/list.tar"

assert_success sk system check
run_split sk manifest rm app:list app:docker app:empty
assert_eq "$status" 0 "manifest rm ($stderr)"
assert_contains "$stdout" "Untagged: app:list"
assert_contains "$stdout" "Deleted: sha256:"
assert_status 1 sk manifest exists app:list
assert_status 125 sk manifest rm app:amd64
assert_contains "$output" "is not a manifest list"
assert_success sk image inspect app:amd64
assert_success sk system check
