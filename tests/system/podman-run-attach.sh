#!/usr/bin/env bash
# run --attach/-a STREAM (Docker's and Podman's): only the streams named reach the terminal;
# stdin only when attached (with -i); -a with -d and unknown streams are refused (125); create -a
# records Config.AttachStdin/Stdout/Stderr.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
both='echo out; echo err >&2'

run_split sk run --rm -a stdout "$img" sh -c "$both"
assert_eq "$status" 0 "run -a stdout: $stderr"
assert_eq "$stdout|$stderr" "out|" "-a stdout: stdout only"
run_split sk run --rm --attach stderr "$img" sh -c "$both"
assert_eq "$stdout|$stderr" "|err" "--attach stderr: stderr only"
run_split sk run --rm -a STDOUT -a stderr "$img" sh -c "$both"
assert_eq "$stdout|$stderr" "out|err" "both streams (case does not matter)"
run_split sh -c "echo typed | $(printf '%q ' "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT") run --rm -i -a stdin -a stdout $img cat"
assert_eq "$stdout" typed "-i -a stdin -a stdout: input reaches the container"
# The exit code is the container's whatever is attached.
assert_status 4 sk run --rm -a stderr "$img" sh -c 'exit 4'

assert_status 125 sk run --rm -a bogus "$img" true
assert_contains "$output" 'invalid argument "bogus" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR'
assert_status 125 sk run -d -a stdout "$img" true
assert_contains "$output" "Conflicting options: -a and -d"
assert_eq "$(sk ps -aq)" "" "nothing created by the refused runs"

id=$(sk create -a stdout "$img" true)
assert_eq "$(sk inspect -f '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}' "$id")" "false true false"
id2=$(sk create "$img" true)
assert_eq "$(sk inspect -f '{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}' "$id2")" "false true true"
