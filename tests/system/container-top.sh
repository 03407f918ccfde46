#!/usr/bin/env bash
# top CONTAINER [ps OPTIONS]: without options, ps -ef's columns; with them, Docker's way: the
# host's ps with those options, its header line, then only the container's processes (thread
# rows with them), aligned as Docker's CLI does. Bad options give ps's own message, a renamed
# PID column is refused, and the PID column is required.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd ps
img=$(busybox_image)
sk run -d --name t1 "$img" sh -c 'sleep 1001 & sleep 1002; echo done' >/dev/null
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' top t1 | grep -q 'sleep 1001'"
# A process of ours with the same command line outside the container: never listed.
sleep 1001 &
outside=$!
defer kill "$outside"

rows() {  # the data rows of $stdout
  tail -n +2 <<<"$stdout"
}
pids() {  # column $1 of the data rows: the PIDs, so a number elsewhere (RSS, VSZ) never matches
  rows | awk -v c="$1" '{print " " $c " "}'
}

run_split sk top t1
assert_eq "$status" 0 "top: $stderr"
assert_match "$stdout" '^UID {17}PID {17}PPID {16}C {19}STIME {15}TTY {17}TIME {16}CMD'$'\n'
assert_eq "$(rows | wc -l)" 3 "sh and its two sleeps"
assert_not_contains "$(pids 2)" " $outside "

run_split sk top t1 aux
assert_eq "$status" 0 "top aux: $stderr"
assert_match "$stdout" '^USER +PID +%CPU +%MEM +VSZ +RSS +TTY +STAT +START +TIME +COMMAND'$'\n'
assert_eq "$(rows | wc -l)" 3 "aux: the container's processes only"
assert_contains "$stdout" "sleep 1002"
assert_not_contains "$(pids 2)" " $outside "

run_split sk top t1 -o pid,comm
assert_eq "$status" 0 "top -o pid,comm: $stderr"
assert_eq "$(head -1 <<<"$stdout")" "PID                 COMMAND"
assert_eq "$(rows | awk '{print $2}' | sort | tr '\n' ' ')" "sh sleep sleep "
pid1=$(sk inspect -f '{{.State.Pid}}' t1)
assert_match "$stdout" $'\n'"$pid1 +sh"

run_split sk top t1 -ef
assert_eq "$status" 0
assert_match "$stdout" '^UID +PID +PPID +C +STIME +TTY +TIME +CMD'
assert_eq "$(rows | wc -l)" 3

run_split sk top t1 -eLf   # thread rows: one per thread here
assert_eq "$status" 0
assert_match "$stdout" '^UID +PID +PPID +LWP +C +NLWP'
assert_eq "$(rows | wc -l)" 3

# ps's options cannot be combined with -q: all processes, filtered (forest view, f).
run_split sk top t1 auxf
assert_eq "$status" 0 "top auxf: $stderr"
assert_eq "$(rows | wc -l)" 3
assert_not_contains "$(pids 2)" " $outside "

assert_status 125 sk top t1 --bogus-option
assert_contains "$output" "ps: error:"
assert_status 125 sk top t1 -o pid,nosuchcolumn
assert_contains "$output" "nosuchcolumn"
assert_status 125 sk top t1 -o comm
assert_contains "$output" "PID field"
assert_status 125 sk top t1 -o user=PID
assert_contains "$output" 'specifying "user=PID" is not allowed'
assert_status 0 sk top t1 -o pid=PID,comm
sk rm -f t1 >/dev/null
assert_status 125 sk top t1 aux
