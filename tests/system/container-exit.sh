#!/usr/bin/env bash
# Exit codes and output fidelity: the container's own code, 137 for SIGKILL, 125/126/127;
# stdout and stderr kept apart without -t; 10 MB of output drained completely; -i without -t
# closes the container's stdin at EOF; -d prints the full ID; --rm and --cidfile.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

assert_status 3 sk run --rm "$img" sh -c 'exit 3'
assert_status 0 sk run --rm "$img" true
assert_status 1 sk run --rm "$img" false
assert_status 127 sk run --rm "$img" nosuchcommand
assert_contains "$output" 'exec: "nosuchcommand": executable file not found in $PATH'
assert_status 127 sk run --rm "$img" /no/such/file
assert_status 126 sk run --rm "$img" /etc/passwd
assert_contains "$output" "permission denied"
assert_status 126 sk run --rm "$img" /tmp
assert_status 125 sk run --rm --bogus-flag "$img" true
assert_contains "$output" "unknown flag: --bogus-flag"
assert_status 125 sk run --rm "$REG_HTTP/no/such-image:latest" true
assert_status 125 sk run --rm --name "a b" "$img" true
assert_contains "$output" "Invalid container name (a b)"
# A failed start leaves the container Created with the error (Docker).
assert_status 127 sk run --name failed "$img" nosuchcommand
assert_eq "$(ctr_status failed)" Created
assert_contains "$(sk inspect -f '{{.State.Error}}' failed)" "executable file not found"

# Killed by a signal: 128+N, from run (attached), wait and inspect.
sk run --name sleeper "$img" sleep 100 >"$T/run.out" 2>&1 &
runpid=$!
wait_until 10 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -q --filter name=sleeper | grep -q ."
assert_success sk kill sleeper
rc=0
wait "$runpid" || rc=$?
assert_eq "$rc" 137 "attached run of a container killed with SIGKILL"
run_split sk wait sleeper
assert_eq "$stdout" 137
assert_eq "$(sk inspect -f '{{.State.ExitCode}} {{.State.Status}}' sleeper)" "137 exited"
id=$(sk run -d "$img" sleep 100)
assert_success sk kill -s TERM "$id"  # pid 1 has no handler: ignored
sleep 0.2
assert_match "$(ctr_status "$id")" '^Up '
assert_success sk kill -s KILL "$id"
run_split sk wait "$id"
assert_eq "$stdout" 137
assert_status 125 sk kill "$id"
assert_contains "$output" "is not running"

# run -d prints the full ID; start -a gives the exit code.
run_split sk run -d "$img" sh -c 'exit 4'
assert_match "$stdout" '^[0-9a-f]{64}$'
assert_eq "$(sk wait "$stdout")" 4
id=$(sk create "$img" sh -c 'echo started; exit 5')
run_split sk start -a "$id"
assert_eq "$status" 5
assert_eq "$stdout" started

# stdout and stderr stay apart without a terminal; with -t both come through it (\r\n).
run_split sk run --rm "$img" sh -c 'echo out1; echo err1 >&2; echo out2; echo err2 >&2'
assert_eq "$stdout" $'out1\nout2'
assert_eq "$stderr" $'err1\nerr2'
run_split sk run --rm -t "$img" sh -c 'echo out; echo err >&2'
assert_eq "$stdout" $'out\r\nerr\r'
assert_eq "$stderr" ""

# Big output fully drained, and the exit code after it.
rc=0
sk run --rm "$img" sh -c 'head -c 10000000 /dev/urandom | base64; exit 42' >"$T/big" 2>"$T/big.err" || rc=$?
assert_eq "$rc" 42 "exit code after 10 MB of output"
assert_eq "$(wc -c <"$T/big")" 13508775 "bytes of base64 for 10 MB (76-column lines)"
assert_eq "$(tr -d '\n' <"$T/big" | base64 -d | wc -c)" 10000000
assert_eq "$(cat "$T/big.err")" ""

# -i without -t: stdin is passed and closed at EOF; without -i the container reads nothing.
run_split sh -c "printf 'a\nb\n' | '$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' run -i --rm '$img' sh -c 'cat; echo eof'"
assert_eq "$stdout" $'a\nb\neof'
run_split sh -c "echo x | '$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' run --rm '$img' cat"
assert_eq "$status:$stdout" "0:"
head -c 3000000 /dev/urandom >"$T/in.bin"
run_split sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' run -i --rm '$img' md5sum <'$T/in.bin'"
assert_eq "$stdout" "$(md5sum <"$T/in.bin")" "3 MB through stdin"
run_split sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' run -it --rm '$img' true </dev/null"
assert_ne "$status" 0
assert_contains "$stderr" "the input device is not a TTY"

# --rm: gone after it exits, attached or detached.
run_split sk run --rm --name gone1 "$img" true
assert_eq "$(sk ps -a -q --filter name=gone1)" ""
sk run -d --rm --name gone2 "$img" true >/dev/null
wait_until 10 sh -c "[ -z \"\$('$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -aq --filter name=gone2)\" ]"
assert_status 125 sk run --rm --restart always "$img" true
assert_contains "$output" "conflicting options"

# --cidfile: the full ID; an existing file is refused.
assert_success sk run --rm --cidfile "$T/cid" "$img" true
assert_match "$(cat "$T/cid")" '^[0-9a-f]{64}$'
assert_status 125 sk run --rm --cidfile "$T/cid" "$img" true
assert_contains "$output" "container ID file found"
