#!/usr/bin/env bash
# `image inspect` and `inspect` on images: always a JSON array (4-space indent), Docker's keys in
# Docker's order with the config's values, lookup by name, short name, full and short ID and
# repo digest; --format once per object; errors for unknown images (`[]` and "No such
# object" / "No such image", non-zero) while the other arguments are still printed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry
ref=$(fixture_ref config)
id=$(fixture_image_id config)
digest=$(fixture_digest config)
assert_success sk pull -q "$ref"
cfg_blob=$FIXTURES_DIR/oci/config/blobs/sha256/$(jq -r .config.digest "$FIXTURES_DIR/oci/config/blobs/sha256/${digest#sha256:}" | cut -c8-)

run_split sk image inspect "$ref"
assert_eq "$status" 0
assert_eq "${stdout:0:7}" $'[\n    {' "a JSON array, 4-space indent"
j=$stdout
assert_eq "$(jq -r '.[0] | keys_unsorted | join(" ")' <<<"$j")" \
  "Id RepoTags RepoDigests Parent Comment Created Container ContainerConfig DockerVersion Author Config Architecture Os Size VirtualSize GraphDriver RootFS Metadata"
assert_eq "$(jq -r '.[0].Id' <<<"$j")" "$id"
assert_eq "$(jq -c '.[0].RepoTags' <<<"$j")" "[\"$ref\"]"
assert_eq "$(jq -c '.[0].RepoDigests' <<<"$j")" "[\"$REG_HTTP/config@$digest\"]"
assert_eq "$(jq -r '.[0].Parent + "|" + .[0].Comment' <<<"$j")" "|"
# Config is Docker's container.Config: its 17 keys always (in Docker's order, null or empty
# where the image has nothing), ExposedPorts and StopSignal (omitempty) because the image sets
# them, with the values of the image config's "config" object.
assert_eq "$(jq -r '.[0].Config | keys_unsorted | join(" ")' <<<"$j")" \
  "Hostname Domainname User AttachStdin AttachStdout AttachStderr ExposedPorts Tty OpenStdin StdinOnce Env Cmd Image Volumes WorkingDir Entrypoint OnBuild Labels StopSignal" "Config keys"
assert_eq "$(jq -c --slurpfile c "$cfg_blob" '.[0].Config as $d | [$c[0].config | to_entries[] | select($d[.key] != .value) | .key]' <<<"$j")" "[]" "Config values"
assert_eq "$(jq -c '.[0].Config | [.Hostname, .AttachStdin, .OnBuild, .Image]' <<<"$j")" '["",false,null,""]' "Config's empty keys"
# No container made it: ContainerConfig has every key, empty; VirtualSize is Size.
assert_eq "$(jq -c '.[0] | [.Container, (.ContainerConfig | length), .ContainerConfig.Cmd, .VirtualSize == .Size]' <<<"$j")" '["",17,null,true]'
# Templates print what Docker prints for an empty field, and a typo is an error (exit 1).
run_split sk image inspect --format '{{.Config.OnBuild}}|{{.ContainerConfig.Volumes}}|{{.Config.Shell}}|{{.Config.Healthcheck}}|{{.Container}}|{{json .ContainerConfig.Env}}' "$ref"
assert_eq "$stdout" "[]|map[]|[]|<nil>||null" "empty fields print their Go type"
run_split sk image inspect --format '{{.Config.Foo}}' "$ref" "$ref"
assert_eq "$status" 1 "a typo exits 1"
assert_eq "$stdout" "" "nothing printed for a typo"
assert_eq "$(grep -c 'template parsing error: template: :1:9: executing "" at <.Config.Foo>: map has no entry for key "Foo"' <<<"$stderr")" 2 "Go's error, once per object: $stderr"
run_split sk inspect --format '{{.Nope}}' "$ref"
assert_eq "$status" 1 "inspect: a typo exits 1"
assert_contains "$stderr" 'map has no entry for key "Nope"'
run_split sk inspect --format json "$ref" "$ref"
assert_eq "$(jq -r 'length' <<<"$stdout")" 2 "--format json: one array of every object"
assert_eq "$(jq -c '.[0].RootFS' <<<"$j")" "$(jq -c '{Type: "layers", Layers: .rootfs.diff_ids}' "$cfg_blob")" "RootFS"
assert_eq "$(jq -r '.[0].Architecture + "/" + .[0].Os' <<<"$j")" "$(jq -r '.architecture + "/" + .os' "$cfg_blob")"
assert_match "$(jq -r '.[0].Metadata.LastTagTime' <<<"$j")" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$' "RFC 3339 UTC"
# Size: the bytes of file data in the layers (what `images` shows).
size=$(jq -r '.[0].Size' <<<"$j")
assert_eq "$(sk images --format '{{.Size}}' "$ref")" "$(awk -v n="$size" 'BEGIN {printf "%.3gMB", n / 1e6}')" "Size and images agree"

# Every way to name it gives the same object.
short=${id:7:12}
for name in "$short" "${id#sha256:}" "$id" "$REG_HTTP/config@$digest" "$REG_HTTP/config" config; do
  run_split sk image inspect --format '{{.Id}}' "$name"
  assert_eq "$stdout" "$id" "image inspect $name"
done
assert_eq "$(sk inspect "$ref")" "$j" "inspect finds images"
assert_eq "$(sk inspect --type image "$ref")" "$j" "inspect --type image"

# --format: once per object, fields, json, index.
run_split sk image inspect --format '{{.Config.User}} {{index .Config.Labels "skiff.fixture"}} {{json .Config.Entrypoint}}' "$ref" "$short"
assert_eq "$stdout" $'nobody config ["/bin/echo","entry"]\nnobody config ["/bin/echo","entry"]' "--format runs per object"
run_split sk image inspect -f '{{len .RootFS.Layers}} {{.Config.WorkingDir}} {{.Config.StopSignal}}' "$ref"
assert_eq "$stdout" "2 /work SIGINT" "-f"
run_split sk image inspect --format '{{range $k, $v := .Config.ExposedPorts}}{{$k}} {{end}}' "$ref"
assert_eq "$stdout" "53/udp 8080/tcp " "range over a map, sorted keys"

# Errors: unknown images.
run_split sk image inspect nosuchimage
assert_ne "$status" 0 "image inspect of an unknown image"
assert_eq "$stdout" "[]" "stdout is an empty array"
assert_contains "$stderr" "No such image: nosuchimage"
run_split sk inspect nosuchthing
assert_ne "$status" 0
assert_eq "$stdout" "[]"
assert_contains "$stderr" "Error: No such object: nosuchthing"
run_split sk inspect --type image nosuchthing
assert_ne "$status" 0
# One unknown among known ones: the others are printed, the status says it failed.
run_split sk image inspect "$ref" nosuchimage "$short"
assert_ne "$status" 0 "partial failure"
assert_eq "$(jq -r '.[].Id' <<<"$stdout")" "$id"$'\n'"$id" "the known ones are printed"
assert_contains "$stderr" "No such image: nosuchimage"
# An ambiguous or invalid name is an error too.
run_split sk image inspect 'Bad:Name'
assert_ne "$status" 0
