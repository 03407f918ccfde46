#!/usr/bin/env bash
# The two personalities of one binary: the same scenario through a `docker`-named link and a
# `podman`-named link (and SKIFF_COMPAT) gives each tool's own output: ps and images tables
# (Docker: padding 3; Podman: min width 12, padding 2, full image names, "2.14 MB" sizes, oldest
# container first), `--format json` shapes (Docker: an object per line; Podman: an indented
# array of Podman's fields), error texts and exit codes of rm, rmi, stop and inspect, and info.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
mkdir -p "$T/bin"
ln -s "$SKIFF" "$T/bin/docker"
ln -s "$SKIFF" "$T/bin/podman"
d() { "$T/bin/docker" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@"; }
p() { "$T/bin/podman" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@"; }

sk create --name first "$img" sleep 100 >/dev/null
sleep 1.1
sk create --name second "$img" sh -c 'echo a long command line here' >/dev/null
id1=$(ctr_id first)

# info names the personality.
assert_eq "$(d info --format '{{.Personality}}')" docker
assert_eq "$(p info --format '{{.Personality}}')" podman
assert_eq "$(SKIFF_COMPAT=podman sk info --format '{{.Personality}}')" podman
assert_eq "$(SKIFF_COMPAT=docker p info --format '{{.Personality}}')" docker
assert_status 125 env SKIFF_COMPAT=bogus "$SKIFF" version
assert_contains "$output" 'unknown SKIFF_COMPAT value "bogus"'

# ps: Docker's table (newest first, quoted command cut at 20) vs Podman's (oldest first).
run_split d ps -a
assert_match "$(echo "$stdout" | sed -n 1p)" '^CONTAINER ID   IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
assert_match "$(echo "$stdout" | sed -n 2p)" '"sh -c .echo a long ?…" .* second$'
run_split p ps -a
assert_match "$(echo "$stdout" | sed -n 1p)" '^CONTAINER ID  IMAGE +COMMAND +CREATED +STATUS +PORTS +NAMES$'
assert_match "$(echo "$stdout" | sed -n 2p)" "^${id1:0:12}  $img  sleep 100 +[0-9] seconds? ago +Created +first$"
assert_match "$(echo "$stdout" | sed -n 3p)" ' sh -c echo a long\.\.\.  .* second$'
# --format json
run_split d ps -a --format json
assert_eq "$(echo "$stdout" | wc -l)" 2 "docker: one object per line"
assert_match "$(echo "$stdout" | sed -n 1p)" '^\{"Command":"\\"sh -c'
run_split p ps -a --format json
assert_eq "$(echo "$stdout" | sed -n 1p)" "["
assert_eq "$(echo "$stdout" | sed -n 2,3p)" "$(printf '  {\n    "AutoRemove": false,')"
assert_eq "$(echo "$stdout" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a[0]["Names"][0], a[0]["Command"], a[0]["State"], a[0]["Status"], a[0]["ExitedAt"])')" \
  "first ['sleep', '100'] created Created -62135596800"
assert_contains "$stdout" "$(printf '"Namespaces": {\n      \n    },')"

# images
run_split d images
assert_match "$(echo "$stdout" | sed -n 1p)" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$'
assert_match "$(echo "$stdout" | sed -n 2p)" '[0-9.]+[kM]B$'
run_split p images
assert_match "$(echo "$stdout" | sed -n 1p)" '^REPOSITORY  +TAG +IMAGE ID +CREATED +SIZE$'
assert_match "$(echo "$stdout" | sed -n 2p)" "^${img%:*} +latest +[0-9a-f]{12}  .* [0-9.]+ [kM]B$"
run_split p images --format json
assert_eq "$(echo "$stdout" | python3 -c 'import json,sys; a=json.load(sys.stdin); print(a[0]["Names"], a[0]["Containers"], a[0]["RepoTags"], len(a[0]["Id"]))')" \
  "['$img'] 2 None 64"
assert_eq "$(echo "$stdout" | sed -n 2,3p)" "$(printf '    {\n        "Id": "%s",' "$(echo "$stdout" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["Id"])')")"
run_split d images --format json
assert_match "$stdout" '^\{"Containers":"N/A",'

# Errors and exit codes.
run_split d rm nosuch
assert_eq "$status/$stderr" "125/Error: No such container: nosuch"
run_split p rm nosuch
assert_eq "$status/$stderr" '1/Error: no container with name or ID "nosuch" found: no such container'
run_split p rm -f nosuch
assert_eq "$status/$stderr" "0/"
run_split p stop nosuch
assert_eq "$status/$stderr" '125/Error: no container with name or ID "nosuch" found: no such container'
run_split d rmi nosuch
assert_eq "$status/$stderr" "125/Error: No such image: nosuch"
run_split p rmi nosuch
assert_eq "$status/$stderr" "1/Error: nosuch: image not known"
run_split p inspect nosuch
assert_eq "$status/$stderr" '125/Error: inspecting object: no such object: "nosuch"'
run_split p volume rm nosuch
assert_contains "$stderr" 'no volume with name "nosuch" found: no such volume'
run_split p rm -a -f
assert_eq "$status" 0
run_split p rmi "$img"
assert_match "$stdout" "^Untagged: $img"
assert_match "$(echo "$stdout" | tail -1)" '^Deleted: [0-9a-f]{64}$'
