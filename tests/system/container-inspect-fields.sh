#!/usr/bin/env bash
# Container inspect carries Docker's fields (types.ContainerJSON, API 1.41-1.43) in Docker's
# order, and -f templates print what Docker prints: the empty value of a field's Go type
# ("", [], map[], <nil>) where skiff has nothing, `<no value>` only for a missing map key, and
# for a name Docker does not have Go's error (`map has no entry for key "Foo"`) with exit 1,
# while the other objects are still printed. -s adds SizeRw and SizeRootFs after GraphDriver.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_cmd jq
require_registry
img=$(busybox_image)

assert_success sk run --name filled "$img" sh -c 'head -c 4096 /dev/zero > /blob'
j=$(sk container inspect filled)
assert_eq "$(jq -r '.[0] | keys_unsorted | join(" ")' <<<"$j")" \
  "Id Created Path Args State Image ResolvConfPath HostnamePath HostsPath LogPath Name RestartCount Driver Platform MountLabel ProcessLabel AppArmorProfile ExecIDs HostConfig GraphDriver Mounts Config NetworkSettings" "top-level keys"
assert_eq "$(jq -r '.[0].State | keys_unsorted | join(" ")' <<<"$j")" \
  "Status Running Paused Restarting OOMKilled Dead Pid ExitCode Error StartedAt FinishedAt" "State keys"
# Config: Docker's 17 keys always, in its order (StopSignal, omitempty, is set), then
# Podman's CreateCommand.
assert_eq "$(jq -r '.[0].Config | keys_unsorted | join(" ")' <<<"$j")" \
  "Hostname Domainname User AttachStdin AttachStdout AttachStderr Tty OpenStdin StdinOnce Env Cmd Image Volumes WorkingDir Entrypoint OnBuild Labels StopSignal CreateCommand" "Config keys"
assert_eq "$(jq -c '.[0].HostConfig | [(.ConsoleSize | length), (.MaskedPaths | length > 0), (.ReadonlyPaths | length > 0)]' <<<"$j")" \
  '[2,true,true]' "HostConfig: ConsoleSize, MaskedPaths, ReadonlyPaths"

# Empty fields print as Docker prints them.
run_split sk inspect -f '{{.Config.Volumes}}|{{.Config.Entrypoint}}|{{.Config.OnBuild}}|{{.HostConfig.Links}}|{{.State.Health}}|{{.ExecIDs}}|{{.SizeRw}}|{{.Config.Domainname}}|{{.Config.Shell}}' filled
assert_eq "$stdout" "map[]|[]|[]|[]|<nil>|[]|<nil>||[]" "empty fields"
run_split sk inspect -f '{{json .Config.Volumes}} {{json .State.Health}} {{len .Config.Labels}} {{.Config.Labels.nope}}' filled
assert_eq "$stdout" "null null 0 <no value>" "json of nil, len of a nil map, a missing label"
run_split sk inspect -f '{{range .Mounts}}{{.Name}}{{end}}{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{$v.Aliases}}{{end}}' filled
assert_eq "$stdout" "bridge []" "networks"

# A typo: Go's error, exit 1; every object still gets its try.
assert_success sk create --name other "$img" true
run_split sk inspect -f '{{.Foo}}' filled other
assert_eq "$status" 1 "a typo exits 1"
assert_eq "$stdout" "" "nothing printed"
assert_eq "$(grep -c 'Error: template parsing error: template: :1:2: executing "" at <.Foo>: map has no entry for key "Foo"' <<<"$stderr")" 2 "once per object: $stderr"
run_split sk container inspect -f '{{.State.Health.Status}}' filled
assert_eq "$status" 1
assert_contains "$stderr" 'template: :1:8: executing "" at <.State.Health.Status>: map has no entry for key "Health"'
# One good object and an unknown one: the good one printed, 125 for the unknown (as before).
run_split sk inspect -f '{{.Name}}' filled nosuch
assert_eq "$stdout" "/filled"
assert_eq "$status" 125

# -s: SizeRw (the container's own layer: the 4 KiB file) and SizeRootFs (that and the image).
j=$(sk container inspect -s filled)
assert_eq "$(jq -r '.[0] | keys_unsorted | .[19:23] | join(" ")' <<<"$j")" "GraphDriver SizeRw SizeRootFs Mounts" "-s: keys after GraphDriver"
img_size=$(sk image inspect -f '{{.Size}}' "$img")
rw=$(jq -r '.[0].SizeRw' <<<"$j")
assert_eq "$(jq -r '.[0].SizeRootFs' <<<"$j")" $((rw + img_size)) "SizeRootFs = SizeRw + the image"
if [ "$(jq -r '.[0].Driver' <<<"$j")" = overlay ]; then
  assert_eq "$((rw >= 4096))" 1 "SizeRw counts the new file ($rw)"
fi
assert_eq "$(sk inspect -s -f '{{.SizeRw}}' filled)" "$rw" "-s with -f"
