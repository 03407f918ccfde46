#!/usr/bin/env bash
# The CLI's basic contract: `version` prints Docker's Client block, `--version` the line
# podman-compose parses, `info` runs against this test's store, and unknown commands and flags
# fail with Docker's messages and exit status 125.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# skiff version: Docker's "Client:" block.
assert_success sk version
assert_match "$output" $'^Client:\n Version: +[0-9]+\\.[0-9]+\\.[0-9]+\n' "version starts with Client/Version"
for key in "Version" "API version" "Compiler" "Built" "OS/Arch"; do
  assert_match "$output" $'(^|\n) '"$key"$': +[^ \n]' "version has '$key'"
done
assert_match "$output" $'\n OS/Arch: +linux/[a-z0-9]+' "OS/Arch is linux/<arch>"
version=$(sed -n 's/^ Version: *//p' <<<"$output")

# --version and -v: "skiff version X.Y.Z", the same version.
assert_success sk --version
assert_eq "$output" "skiff version $version" "--version"
assert_success sk -v
assert_eq "$output" "skiff version $version" "-v"

# --format on version.
assert_success sk version --format '{{.Client.Version}}'
assert_eq "$output" "$version" "version --format"
# Docker's structures: skiff is its own server, so the scripts' daemon checks work.
assert_success sk version --format '{{.Server.Version}} {{.Server.ApiVersion}} {{.Server.Os}} {{.Client.ApiVersion}}'
assert_eq "$output" "$version 1.41 linux 1.41" "version --format .Server"
assert_success sk version --format '{{(index .Server.Components 0).Name}}|{{.Server.Experimental}}|{{.Client.Platform.Name}}'
assert_eq "$output" "Engine|false|skiff" "version: components, an omitted bool, the platform"
run_split sk version --format '{{.Server.Nope}}'
assert_eq "$status" 1 "version: a typo exits 1"
assert_contains "$stderr" "can't evaluate field Nope in type types.Version"

# info runs, shows this store and whether it is rootless.
run_split sk info
assert_eq "$status" 0 "info exit status"
assert_contains "$stdout" "Graph Root:" "info"
assert_contains "$stdout" "$SKIFF_ROOT" "info shows --root"
assert_contains "$stdout" "$SKIFF_RUNROOT" "info shows --runroot"
if [ "$SKIFF_TEST_ROLE" = root ]; then
  assert_match "$stdout" 'Rootless: +false' "info as root"
else
  assert_match "$stdout" 'Rootless: +true' "info as a user"
fi

# info --format reads Docker's types.Info (and skiff's own sections).
run_split sk info --format '{{.ServerVersion}}|{{.OSType}}|{{.ContainersRunning}}|{{json .Warnings}}|{{.Swarm.LocalNodeState}}|{{.DockerRootDir}}'
assert_eq "$stdout" "$version|linux|0|null|inactive|$SKIFF_ROOT" "info --format"
run_split sk info --format '{{.Driver}}|{{.Store.GraphRoot}}|{{.ProductLicense}}|{{.RegistryConfig.Mirrors}}'
assert_match "$stdout" "^[a-z].*\|$SKIFF_ROOT\|\|\[\]\$" "info --format: Driver, skiff's Store, empty fields"
run_split sk info --format '{{.Nope}}'
assert_eq "$status" 1 "info: a typo exits 1"
assert_contains "$stderr" "can't evaluate field Nope in type system.info"

# Unknown command: 125, Docker's message, usage hint; a near miss gets a suggestion.
run_split sk bogus
assert_eq "$status" 125 "exit status of an unknown command"
assert_eq "$stdout" "" "nothing on stdout for an unknown command"
assert_contains "$stderr" 'Error: unknown command "bogus" for "skiff"' "unknown command message"
assert_contains "$stderr" "Run 'skiff --help' for usage." "unknown command hint"
run_split sk verison
assert_eq "$status" 125 "exit status of a misspelt command"
assert_contains "$stderr" $'Did you mean this?\n\tversion' "suggestion for 'verison'"

# Unknown flag: exactly Docker's two lines, 125.
run_split sk version --bogus
assert_eq "$status" 125 "exit status of an unknown flag"
assert_eq "$stdout" "" "nothing on stdout for an unknown flag"
assert_eq "$stderr" $'Error: unknown flag: --bogus\nSee \'skiff version --help\'.' "unknown flag message"
