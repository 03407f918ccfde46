#!/usr/bin/env bash
# The process a container runs: -u user[:group] (names from the image's /etc/passwd and
# /etc/group), -w, -e/--env-file (Docker's literal rules and precedence), --entrypoint and CMD
# merging (the config fixture), --ulimit, --hostname and the /etc files, --network host vs the
# default (loopback only), --init (pid 1 reaps orphans and forwards signals).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
cfg=$(fixture_ref config)
sk pull -q "$cfg" >/dev/null

# -u: names and numbers, user:group.
run_split sk run --rm -u nobody "$img" id
assert_eq "$stdout" "uid=65534(nobody) gid=65534(nogroup)"
run_split sk run --rm -u 65534 "$img" id
assert_eq "$stdout" "uid=65534(nobody) gid=65534(nogroup)" "-u UID takes the passwd entry's group"
run_split sk run --rm -u nobody:root "$img" sh -c 'id -u; id -g'
assert_eq "$stdout" $'65534\n0'
run_split sk run --rm -u 1234:5678 "$img" sh -c 'id -u; id -g'
assert_eq "$stdout" $'1234\n5678' "ids that are not in passwd/group"
assert_status 125 sk run --rm -u bogus "$img" id
assert_contains "$output" "unable to find user bogus: no matching entries in passwd file"
assert_status 125 sk run --rm -u nobody:bogus "$img" id
assert_contains "$output" "unable to find group bogus"

# -w: an existing directory, and one that is created.
run_split sk run --rm -w /tmp "$img" pwd
assert_eq "$stdout" /tmp
run_split sk run --rm -w /new/dir "$img" sh -c 'pwd; [ -d /new/dir ] && echo made'
assert_eq "$stdout" $'/new/dir\nmade'

# -e and --env-file, as Docker reads them.
printf '%s\n' '# a comment' '' 'A=from-file' '  B="quoted value"' 'C=x=y' 'D=' 'E=trailing  ' 'HOSTVAR' \
  'UNSETVAR' 'F=file' >"$T/env1"
printf 'F=second-file\nG=g\n' >"$T/env2"
run_split env HOSTVAR=from-host sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' run --rm \
  --env-file '$T/env1' --env-file '$T/env2' -e G=from-e -e HOSTVAR -e UNSETVAR2 '$img' env"
assert_eq "$status" 0 "env: $stderr"
for kv in 'A=from-file' 'B="quoted value"' 'C=x=y' 'D=' 'E=trailing  ' 'HOSTVAR=from-host' 'F=second-file' 'G=from-e'; do
  assert_contains $'\n'"$stdout"$'\n' $'\n'"$kv"$'\n' "env"
done
assert_not_contains "$stdout" UNSETVAR "a bare NAME that is unset is left out"
assert_contains "$stdout" "PATH=" "the image's PATH"
printf 'export E=1\n' >"$T/env3"
assert_status 125 sk run --rm --env-file "$T/env3" "$img" true
assert_contains "$output" "variable 'export E' contains whitespaces"

# Entrypoint and CMD (config fixture: Entrypoint [/bin/echo entry], Cmd [cmd-default],
# User nobody, WorkingDir /work, Env FIXTURE=config WITH_SPACE="a b" EMPTY=).
run_split sk run --rm "$cfg"
assert_eq "$stdout" "entry cmd-default"
run_split sk run --rm "$cfg" a b
assert_eq "$stdout" "entry a b" "arguments replace CMD"
run_split sk run --rm --entrypoint /bin/sh "$cfg" -c 'id -un; pwd; echo "$FIXTURE|$WITH_SPACE|$EMPTY|"'
assert_eq "$stdout" $'nobody\n/work\nconfig|a b||' "--entrypoint with arguments, the image's user, workdir and env"
run_split sk run --rm --entrypoint /bin/echo "$cfg"
assert_eq "$stdout" "" "--entrypoint clears the image's CMD"
run_split sk run --rm --entrypoint "" "$cfg" echo plain
assert_eq "$stdout" plain "--entrypoint '' resets it"
assert_status 125 sk run --rm --entrypoint "" "$cfg"
assert_contains "$output" "no command specified"
run_split sk run --rm -u root -w / -e FIXTURE=over --entrypoint /bin/sh "$cfg" -c 'id -u; pwd; echo $FIXTURE'
assert_eq "$stdout" $'0\n/\nover' "flags override the image config"

# --ulimit.
run_split sk run --rm --ulimit nofile=100:200 --ulimit core=0 "$img" sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
assert_eq "$stdout" $'100\n200\n0'
assert_status 125 sk run --rm --ulimit nofile=200:100 "$img" true

# Hostname and the files skiff writes.
id=$(sk create "$img" sh -c 'hostname; cat /etc/hostname; grep -c "^127.0.0.1[[:space:]]*localhost" /etc/hosts; grep -c "$(hostname)" /etc/hosts; test -f /etc/resolv.conf && echo resolv')
run_split sk start -a "$id"
assert_eq "$stdout" "${id:0:12}
${id:0:12}
1
1
resolv" "hostname, /etc/hostname, /etc/hosts, /etc/resolv.conf"
run_split sk run --rm --hostname web.example "$img" sh -c 'hostname; cat /etc/hostname; grep -c web.example /etc/hosts'
assert_eq "$stdout" $'web.example\nweb.example\n1'

# Networks: the default has loopback and an interface of its own (network-default.sh tests it);
# none has loopback only; host shares the host's.
host_ifs=$(tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | sort | tr '\n' ' ')
run_split sk run --rm "$img" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
assert_match "$stdout" '^([a-z0-9]+ lo|lo [a-z0-9]+) $' "default network: loopback and one interface"
run_split sk run --rm --network none "$img" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
assert_eq "$stdout" "lo "
run_split sk run --rm --network host "$img" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "'
assert_eq "$stdout" "$host_ifs" "--network host"
run_split sk run --rm "$img" sh -c 'httpd -p 127.0.0.1:8080 -h /etc && echo "got $(wget -q -O - http://127.0.0.1:8080/hostname)"; echo "got $(hostname)"'
assert_match "$stdout" '^got ([0-9a-f]{12})'$'\n''got \1$' "loopback is up: TCP on 127.0.0.1"

# --init: pid 1 is skiff's init; it reaps orphans and forwards signals to the payload.
run_split sk run --rm --init "$img" sh -c 'echo "pid=$$ ppid=$PPID"; (sleep 0.2 &); sleep 0.8; ps -o pid,stat,comm | awk "\$2 ~ /Z/" | wc -l'
assert_eq "$stdout" $'pid=2 ppid=1\n0' "--init: the payload is pid 2, orphans are reaped"
run_split sk run --rm "$img" sh -c 'echo "pid=$$"'
assert_eq "$stdout" "pid=1" "without --init the command is pid 1"
sk run -d --init --name initsig "$img" sh -c 'trap "echo got-usr1; exit 7" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs initsig | grep -q ready"
assert_success sk kill -s USR1 initsig
run_split sk wait initsig
assert_eq "$stdout" 7 "--init forwards signals"
run_split sk logs initsig
assert_eq "$stdout" $'ready\ngot-usr1'
