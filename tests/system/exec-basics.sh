#!/usr/bin/env bash
# exec: exit codes (126/127 as Docker), the container's environment plus -e/--env-file, its
# user and working directory unless -u/-w, the container's namespaces and confinement, -i, -d,
# stdout/stderr kept apart, and errors for containers that are not running.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
cfg=$(fixture_ref config)
sk pull -q "$cfg" >/dev/null

id=$(sk run -d --name ex1 -e FROM_RUN=1 "$img" sleep 1000)

# Exit codes.
assert_status 0 sk exec ex1 true
assert_status 7 sk exec ex1 sh -c 'exit 7'
assert_status 127 sk exec ex1 nosuchcommand
assert_contains "$output" 'executable file not found in $PATH'
assert_status 126 sk exec ex1 /etc/passwd
assert_status 126 sk exec ex1 /tmp
assert_status 125 sk exec ex1
assert_status 137 sk exec ex1 sh -c 'kill -9 $$'

# Output streams stay apart; -i passes stdin and closes it at EOF.
run_split sk exec ex1 sh -c 'echo out; echo err >&2'
assert_eq "$stdout:$stderr" "out:err"
run_split sh -c "printf 'l1\nl2\n' | '$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec -i ex1 sh -c 'cat; echo eof'"
assert_eq "$stdout" $'l1\nl2\neof'

# Environment: the container's, then --env-file, then -e (a bare NAME copies ours). The env
# file is read as run's (Docker's format): trailing blanks kept, CRLF lines.
printf 'FROM_FILE=f\nOVER=file\n  TRAIL=t  \nCRLF=c\r\n' >"$T/env"
run_split env HOSTVAR=h sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec --env-file '$T/env' -e OVER=e -e HOSTVAR ex1 env"
for kv in FROM_RUN=1 FROM_FILE=f OVER=e HOSTVAR=h HOSTNAME="${id:0:12}" HOME=/root "TRAIL=t  " CRLF=c; do
  assert_contains $'\n'"$stdout"$'\n' $'\n'"$kv"$'\n' "exec env"
done

# Namespaces and confinement are the container's.
run_split sk exec ex1 sh -c 'hostname; ps -o comm | grep -c sleep; grep -E "^(CapEff|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t"; ls /proc/self/fd | tr "\n" " "'
assert_eq "$stdout" "${id:0:12}
1
CapEff:00000000800405fb
NoNewPrivs:0
Seccomp:2
0 1 2 3 "
# --privileged: every capability we have (the container's seccomp filter stays, as Docker's).
run_split sk exec --privileged ex1 grep -E '^CapEff:' /proc/self/status
assert_eq "$stdout" "CapEff:	$(awk '/^CapBnd/ {print $2}' /proc/self/status)"

# -u and -w.
run_split sk exec -u nobody -w /tmp ex1 sh -c 'id; pwd'
assert_eq "$stdout" $'uid=65534(nobody) gid=65534(nogroup)\n/tmp'
run_split sk exec -u 1000:1000 ex1 sh -c 'id -u; id -g'
assert_eq "$stdout" $'1000\n1000'
assert_status 125 sk exec -u bogus ex1 true
assert_contains "$output" "unable to find user bogus"
# The image's user and working directory are the default (config: nobody, /work).
sk run -d --name ex2 --entrypoint sleep "$cfg" 1000 >/dev/null
run_split sk exec ex2 sh -c 'id -un; pwd; echo $FIXTURE'
assert_eq "$stdout" $'nobody\n/work\nconfig'
run_split sk exec -u root ex2 id -u
assert_eq "$stdout" 0

# -d: returns at once, the process keeps running.
assert_success sk exec -d ex1 sh -c 'sleep 0.5; echo done >/tmp/exec-d'
assert_eq "$output" ""
assert_status 1 sk exec ex1 test -e /tmp/exec-d
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec ex1 test -e /tmp/exec-d"

# Not running: an error naming the state.
sk create --name ex3 "$img" true >/dev/null
assert_status 125 sk exec ex3 true
assert_match "$output" 'is not running.*created'
sk stop -t 0 ex1 >/dev/null
assert_status 125 sk exec ex1 true
assert_match "$output" 'is not running.*exited'
assert_status 125 sk exec nosuchcontainer true
assert_contains "$output" "No such container: nosuchcontainer"
