#!/usr/bin/env bash
# Logs with each driver: json-file (the default) and k8s-file keep stdout and stderr apart with
# a timestamp per line; none keeps nothing. `logs` with --tail, -t, --since, --until and -f
# (follows until the container exits); lines longer than 8 KiB come back whole; partial lines.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
script='echo out1; echo err1 >&2; sleep 0.3; echo out2; sleep 0.3; head -c 20000 /dev/zero | tr "\0" a; echo; printf partial'
# Long lines shown as their length, so that a failure prints something readable.
short() { awk '{print (length($0) > 100 ? "LONG" length($0) : $0)}'; }

for driver in json-file k8s-file; do
  assert_success sk run --name "l-$driver" --log-driver "$driver" "$img" sh -c "$script"
  run_split sk logs "l-$driver"
  assert_eq "$(echo "$stdout" | short)" $'out1\nout2\nLONG20000\npartial' "$driver: logs stdout"
  assert_eq "$(echo "$stdout" | sed -n 3p | tr -d a)" "" "$driver: the long line is all a's"
  assert_eq "$stderr" err1 "$driver: logs stderr"
  assert_eq "$(sk inspect -f '{{.HostConfig.LogConfig.Type}}' "l-$driver")" "$driver"
  log=$(sk inspect -f '{{.LogPath}}' "l-$driver")
  assert_file "$log"
  # --tail, -t.
  run_split sk logs --tail 2 "l-$driver"
  assert_eq "$(echo "$stdout" | short)" $'LONG20000\npartial' "$driver: --tail 2 (the unterminated last line counts)"
  run_split sk logs -t --tail 1 "l-$driver"
  assert_match "$stdout" '^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z partial$'
  run_split sk logs --tail 0 "l-$driver"
  assert_eq "$stdout$stderr" ""
done

# The files: Docker's json-file lines, and k8s-file's "<time> <stream> <F|P> <text>".
json=$(sk inspect -f '{{.LogPath}}' l-json-file)
assert_match "$(head -1 "$json")" '^\{"log":"out1\\n","stream":"stdout","time":"20[0-9-]+T[0-9:.]+Z"\}$'
assert_match "$(sed -n 2p "$json")" '^\{"log":"err1\\n","stream":"stderr","time":"'
k8s=$(sk inspect -f '{{.LogPath}}' l-k8s-file)
assert_match "$(head -1 "$k8s")" '^20[0-9-]+T[0-9:]+\.[0-9]{9}(Z|[+-][0-9]{2}:[0-9]{2}) stdout F out1$'
assert_match "$(grep -m1 ' stderr ' "$k8s")" ' stderr F err1$'
assert_match "$(tail -1 "$k8s")" ' stdout P partial$'
assert_eq "$(awk '$3 == "P" && $4 ~ /^a+$/ {p++} END {print (p >= 2)}' "$k8s")" 1 "a 20000-byte line comes in pieces"

# --since / --until: the second burst of output is 0.3 s after the first.
t_out2=$(sk logs -t l-json-file | awk '$2 == "out2" {print $1}')
run_split sk logs --since "$t_out2" l-json-file
assert_eq "$(echo "$stdout" | short)" $'out2\nLONG20000\npartial' "--since"
assert_eq "$stderr" "" "--since leaves out what came before"
run_split sk logs --until "$t_out2" l-json-file
assert_eq "$stdout" $'out1\nout2' "--until (inclusive)"
assert_eq "$stderr" err1
run_split sk logs --since 1h l-k8s-file
assert_eq "$stderr" err1 "relative times"
run_split sk logs --until 1h l-k8s-file
assert_eq "$stdout$stderr" "" "--until an hour ago"
assert_status 125 sk logs --since yesterday l-k8s-file

# -f follows while the container runs and ends when it exits.
sk run -d --name lf "$img" sh -c 'for i in 1 2 3 4 5; do echo line$i; sleep 0.1; done' >/dev/null
run_split sk logs -f lf
assert_eq "$stdout" $'line1\nline2\nline3\nline4\nline5'
run_split sk logs -f --tail 1 lf
assert_eq "$stdout" line5 "-f on an exited container prints and returns"

# none: nothing is kept, the attached output still comes through.
run_split sk run --name l-none --log-driver none "$img" sh -c 'echo visible'
assert_eq "$stdout" visible
assert_status 125 sk logs l-none
assert_contains "$output" "does not support reading"
assert_status 125 sk run --rm --log-driver syslog "$img" true
assert_status 125 sk logs nosuchcontainer
assert_contains "$output" "No such container: nosuchcontainer"
