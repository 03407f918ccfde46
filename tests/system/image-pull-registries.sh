#!/usr/bin/env bash
# Pull every fixture from every registry variant that makes sense, into one fresh store: plain
# HTTP (every fixture but big), TLS trusted through certs.d, basic auth with --creds, with
# --authfile and with the default auth.json, token auth anonymous (public/*) and with
# credentials, an index with the host's platform and with --platform linux/arm64, zstd, schema2
# and a schema2 manifest list, by tag and by digest. Each pull prints Docker's last lines and
# stores the image the fixture says; then `images` and `inspect` agree with fixtures.tsv.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry

short() { cut -c8-19 <<<"$1"; }

# pull_ok REF FIXTURE[:TAG] [FLAGS...]: the pull succeeds, prints the fixture's digest and the
# name, and REF now names the fixture's image.
pull_ok() {
  local ref=$1 fx=$2
  shift 2
  run_split sk pull "$@" "$ref"
  [ "$status" = 0 ] || fail "pull $ref: exit $status: $stderr"
  assert_contains "$stdout" "Digest: $(fixture_digest "$fx")" "pull $ref: digest line"
  assert_match "$stdout" "Status: (Downloaded newer image|Image is up to date) for $ref"$'\n'"$ref\$" "pull $ref: last lines"
  run_split sk image inspect --format '{{.Id}}' "$ref"
  assert_eq "$stdout" "$(fixture_image_id "$fx")" "image id of $ref"
}

# --- plain HTTP: every fixture but big (the bench and the kill test pull that one) -------------
for fx in busybox layered multi zstd schema2 schema2:list config; do
  pull_ok "$(fixture_ref "$fx")" "$fx"
done
# A fresh pull says so; a repeated one says it is up to date and downloads nothing.
run_split sk pull "$(fixture_ref busybox)"
assert_contains "$stdout" "Status: Image is up to date for $(fixture_ref busybox)"
assert_not_contains "$stdout" "Pull complete" "nothing downloaded the second time"
assert_contains "$stdout" ": Already exists"

# Shared base layer: layered, zstd and config reuse the busybox layer.

assert_eq "$(find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l)" \
  "$(sk image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' \
       "$(fixture_ref busybox)" "$(fixture_ref layered)" "$(fixture_ref zstd)" "$(fixture_ref config)" \
       "$(fixture_ref multi)" | grep . | sort -u | wc -l)" "one layer directory per distinct diff ID (chain)"


# -q prints only the reference pulled (Docker: the progress is hidden, the name stays).
run_split sk pull -q "$(fixture_ref layered)"
assert_eq "$stdout" "$(fixture_ref layered)" "pull -q"
# Without a tag: Docker's "Using default tag: latest" first (not with -q).
run_split sk pull "$REG_HTTP/layered"
assert_eq "$status" 0 "pull without a tag: $stderr"
assert_eq "$(head -n1 <<<"$stdout")" "Using default tag: latest" "pull without a tag"
assert_eq "$(tail -n1 <<<"$stdout")" "$(fixture_ref layered)" "pull without a tag: the reference last"
run_split sk pull -q "$REG_HTTP/layered"
assert_eq "$stdout" "$(fixture_ref layered)" "pull -q without a tag"

# By digest: the name printed is name@digest, and the image gets that repo digest.
d=$(fixture_digest config)
run_split sk pull "$REG_HTTP/config@$d"
assert_eq "$status" 0
assert_contains "$stdout" "$d: Pulling from config"
assert_match "$stdout" "Status: Image is up to date for $REG_HTTP/config@$d"$'\n'"$REG_HTTP/config@$d\$"
run_split sk image inspect --format '{{json .RepoDigests}}' "$REG_HTTP/config@$d"
assert_eq "$stdout" "[\"$REG_HTTP/config@$d\"]"

# A short name resolves through registries.conf to REG_HTTP.
run_split sk pull busybox
assert_eq "$status" 0
assert_contains "$stderr$stdout" "Resolving \"busybox\" using unqualified-search registries"
assert_contains "$stdout" "$REG_HTTP/busybox:latest"

# --all-tags: every tag of the repository.
run_split sk pull -a "$REG_HTTP/schema2"
assert_eq "$status" 0 "pull -a: $stderr"
assert_contains "$stdout" "Digest: $(fixture_digest schema2)"
assert_contains "$stdout" "Digest: $(fixture_digest schema2:list)"
assert_eq "$(sk images --format '{{.Tag}}' "$REG_HTTP/schema2" | sort | paste -sd' ')" "latest list" "pull -a: both tags"

# --- TLS, trusted through the per-test certs.d ----------------------------------------------
pull_ok "$(fixture_ref busybox tls)" busybox
pull_ok "$(fixture_ref zstd tls)" zstd

# --- basic auth -------------------------------------------------------------------------------
pull_ok "$(fixture_ref config basic)" config --creds "$REG_USER:$REG_PASS"
pull_ok "$(fixture_ref layered basic)" layered --authfile "$REG_AUTH_FILE"
# The default auth.json ($XDG_RUNTIME_DIR/containers/auth.json), as `podman login` writes it.
mkdir -p "$XDG_RUNTIME_DIR/containers"
cp "$REG_AUTH_FILE" "$XDG_RUNTIME_DIR/containers/auth.json"
pull_ok "$(fixture_ref schema2 basic)" schema2
rm "$XDG_RUNTIME_DIR/containers/auth.json"
# Docker's own file works too.
mkdir -p "$HOME/.docker"
cp "$REG_AUTH_FILE" "$HOME/.docker/config.json"
pull_ok "$(fixture_ref multi basic)" multi
rm -r "$HOME/.docker"

# --- token auth -------------------------------------------------------------------------------
pull_ok "$REG_TOKEN/public/busybox:latest" public/busybox
pull_ok "$(fixture_ref layered token)" layered --creds "$REG_RO_USER:$REG_RO_PASS"
pull_ok "$(fixture_ref zstd token)" zstd --authfile "$REG_AUTH_FILE"
assert_contains "$(cat "$REG_LOG_DIR/token-server.log")" "user=$REG_RO_USER" "the token server saw the read-only user"

# --- platforms --------------------------------------------------------------------------------
# The arm64 entry of the multi index (as fixtures.sh made it), and its config digest.
idx=$FIXTURES_DIR/oci/multi/blobs/sha256/$(fixture_digest multi | cut -c8-)
arm_manifest=$(jq -r '.manifests[] | select(.platform.architecture == "arm64") | .digest' "$idx")
arm_id=$(jq -r .config.digest "$FIXTURES_DIR/oci/multi/blobs/sha256/${arm_manifest#sha256:}")
host_id=$(fixture_image_id multi)
run_split sk pull --platform linux/arm64 "$REG_HTTP/multi:latest"
assert_eq "$status" 0 "pull --platform linux/arm64"
assert_contains "$stdout" "Digest: $(fixture_digest multi)" "the index digest is the one printed"
run_split sk image inspect --format '{{.Id}} {{.Os}}/{{.Architecture}}/{{.Variant}}' "$REG_HTTP/multi:latest"
assert_eq "$stdout" "$arm_id linux/arm64/v8" "the tag now names the arm64 image"
# --arch works as the short form; the host image is still there (untagged now, then tagged back).
if [ "$host_id" != "$arm_id" ]; then
  run_split sk image inspect --format "{{json .RepoTags}}" "$host_id"
  assert_not_contains "$stdout" "\"$REG_HTTP/multi:latest\"" "the host image lost the tag to the arm64 one"
fi
host_arch=$(uname -m | sed "s/x86_64/amd64/; s/aarch64/arm64/")
run_split sk pull --arch "$host_arch" "$REG_HTTP/multi:latest"
assert_eq "$status" 0 "pull --arch <host>"
run_split sk image inspect --format '{{.Id}}' "$REG_HTTP/multi:latest"
assert_eq "$stdout" "$host_id" "the tag is back on the host's image"

# --- images and inspect -----------------------------------------------------------------------
expected=""
add() { expected+="$1 $(short "$(fixture_image_id "$2")")"$'\n'; }
for fx in busybox layered multi zstd schema2 config; do add "$REG_HTTP/$fx:latest" "$fx"; done
add "$REG_HTTP/schema2:list" schema2:list
add "$REG_TLS/busybox:latest" busybox
add "$REG_TLS/zstd:latest" zstd
add "$REG_BASIC/config:latest" config
add "$REG_BASIC/layered:latest" layered
add "$REG_BASIC/schema2:latest" schema2
add "$REG_BASIC/multi:latest" multi
add "$REG_TOKEN/public/busybox:latest" busybox
add "$REG_TOKEN/layered:latest" layered
add "$REG_TOKEN/zstd:latest" zstd
# The arm64 image lost the tag and the repo digest (name@index digest names one image at a
# time, as in Docker's reference store): it is <none>:<none>.
[ "$host_id" = "$arm_id" ] || expected+="<none>:<none> $(short "$arm_id")"$'\n'
run_split sk images --format '{{.Repository}}:{{.Tag}} {{.ID}}'
assert_eq "$(sort <<<"$stdout")" "$(printf '%s' "$expected" | sort)" "images after every pull"
if [ "$host_id" != "$arm_id" ]; then
  run_split sk images --filter dangling=true --format '{{.ID}}'
  assert_eq "$stdout" "$(short "$arm_id")" "the arm64 image is dangling once the tag moved back"
fi

# inspect: Docker's keys in Docker's order, with the fixture's values.
run_split sk image inspect "$(fixture_ref config)"
assert_eq "$status" 0
assert_eq "$(jq -r '.[0] | keys_unsorted | join(" ")' <<<"$stdout")" \
  "Id RepoTags RepoDigests Parent Comment Created Container ContainerConfig DockerVersion Author Config Architecture Os Size VirtualSize GraphDriver RootFS Metadata" \
  "image inspect keys"
assert_eq "$(jq -r '.[0].RepoTags | sort | join(" ")' <<<"$stdout")" \
  "$(printf '%s\n' "$REG_BASIC/config:latest" "$REG_HTTP/config:latest" | sort | paste -sd' ')"
assert_eq "$(jq -r '.[0].RepoDigests | sort | join(" ")' <<<"$stdout")" \
  "$(printf '%s\n' "$REG_BASIC/config@$(fixture_digest config)" "$REG_HTTP/config@$(fixture_digest config)" | sort | paste -sd' ')"
assert_eq "$(jq -r '.[0].Created' <<<"$stdout")" "2023-11-14T22:13:20Z"
assert_eq "$(jq -c '.[0].Config.Entrypoint' <<<"$stdout")" '["/bin/echo","entry"]'
assert_eq "$(jq -r '.[0].Config.User + " " + .[0].Config.WorkingDir + " " + .[0].Config.StopSignal' <<<"$stdout")" "nobody /work SIGINT"
assert_eq "$(jq -r '.[0].Config.Labels["skiff.fixture"]' <<<"$stdout")" config
assert_eq "$(jq -r '.[0].RootFS.Type' <<<"$stdout")" layers
assert_eq "$(jq -r '.[0].RootFS.Layers | length' <<<"$stdout")" 2
assert_match "$(jq -r ".[0].GraphDriver.Name" <<<"$stdout")" "^(overlay|vfs)\$"
size=$(jq -r '.[0].Size' <<<"$stdout")
[ "$size" -gt 1000000 ] || fail "config image size $size"

# Every fixture's manifest media type is recorded, schema2 included.
for fx in schema2 zstd; do
  run_split sk image inspect --format '{{.Os}}/{{.Architecture}}' "$(fixture_ref "$fx")"
  assert_match "$stdout" '^linux/[a-z0-9]+$' "$fx os/arch"
done

# The store is consistent after all this.
assert_success sk system check
assert_contains "$output" "no problems"
