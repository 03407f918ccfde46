#!/usr/bin/env bash
# `rm -f` and `rmi -f` of a missing object report it and exit 0, as Docker's (so `set -e`
# scripts and `ExecStartPre=docker rm -f web` go on); without -f a missing object is still an
# error (125), and -f still removes what exists.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

run_split sk rm -f nosuchcontainer
assert_eq "$status" 0 "rm -f of a missing container"
assert_contains "$stderr" "No such container: nosuchcontainer"
assert_eq "$stdout" ""
assert_status 125 sk rm nosuchcontainer
assert_contains "$output" "No such container: nosuchcontainer"

# -f: the missing one is reported, the others removed (a running one too).
sk create --name here "$img" true >/dev/null
sk run -d --name live "$img" sleep 1000 >/dev/null
run_split sk rm -f here nosuchcontainer live
assert_eq "$status" 0 "rm -f of existing and missing containers: $stderr"
assert_eq "$stdout" $'here\nlive'
assert_contains "$stderr" "No such container: nosuchcontainer"
assert_eq "$(sk ps -aq)" ""
# Other failures keep failing with -f... and without -f a missing one still fails the command.
sk create --name here2 "$img" true >/dev/null
run_split sk rm here2 nosuchcontainer
assert_eq "$status" 125
assert_eq "$stdout" "here2"

run_split sk rmi -f "$REG_HTTP/no/such-image:latest"
assert_eq "$status" 0 "rmi -f of a missing image"
assert_contains "$stderr" "No such image: $REG_HTTP/no/such-image:latest"
run_split sk rmi -f 0123456789ab
assert_eq "$status" 0 "rmi -f of a missing image ID"
assert_status 125 sk rmi nosuchimage
assert_contains "$output" "No such image: nosuchimage"
# rmi -f still fails for an image it cannot remove (a running container uses it by ID).
sk tag "$img" extra:tag
run_split sk rmi -f extra:tag nosuchimage
assert_eq "$status" 0 "$stderr"
assert_contains "$stdout" "Untagged: extra:tag"
sk run -d --name user "$img" sleep 1000 >/dev/null
id=$(sk image inspect -f '{{.Id}}' "$img")
run_split sk rmi -f "${id:7:12}" nosuchimage
assert_eq "$status" 125 "rmi -f of an image in use by a running container (and a missing one)"
sk rm -f user >/dev/null
