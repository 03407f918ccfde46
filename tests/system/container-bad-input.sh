#!/usr/bin/env bash
# Bad input gets a clear error naming what is wrong, before anything is created: a uid out of
# range (never truncated: `-u 99999999999` is not uid 1215752191), a relative working
# directory, a --tmpfs size that overflows; another user's store reads "permission denied",
# not "No such container". Rootless `cp` out of a container warns about the device nodes it
# cannot create, naming them (root creates them).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$SUITE_DIR/ctrlib.sh"
img=$(busybox_image)

bad() {  # MESSAGE ARGS...: `sk run --rm ARGS` fails with 125 and MESSAGE
  local msg=$1
  shift
  run_split sk run --rm "$@"
  assert_eq "$status" 125 "run $*: exit status"
  assert_eq "$stderr" "Error: $msg" "run $*: message"
}
bad "invalid user 99999999999: uids and gids must be in range 0-2147483647" -u 99999999999 "$img" true
bad "invalid group 4294967296: uids and gids must be in range 0-2147483647" -u 0:4294967296 "$img" true
bad "invalid group 99999999999: uids and gids must be in range 0-2147483647" --group-add 99999999999 "$img" true
bad "the working directory 'relative' is invalid, it needs to be an absolute path" -w relative "$img" true
bad '--tmpfs /t:size=99999999999999999999: invalid tmpfs size "99999999999999999999": larger than 8 EiB' \
  --tmpfs /t:size=99999999999999999999 "$img" true
bad '--tmpfs /t:size=9000000000000000000k: invalid tmpfs size "9000000000000000000k": larger than 8 EiB' \
  --tmpfs /t:size=9000000000000000000k "$img" true
bad '--tmpfs /t:size=1x: invalid tmpfs size "1x": unknown unit "x" (k, m, g, t, p, e)' --tmpfs /t:size=1x "$img" true
bad 'invalid tmpfs-size: 100000p (a size up to 8 EiB: 64m, 1g)' --mount type=tmpfs,dst=/t,tmpfs-size=100000p "$img" true
assert_eq "$(sk ps -aq)" "" "nothing created"
# The limits themselves are fine.
run_split sk run --rm -u 12345 --tmpfs /t:size=64m "$img" sh -c 'id -u; df -k /t | tail -n 1'
assert_eq "$status" 0 "a numeric uid, a good tmpfs size ($stderr)"
assert_match "$stdout" $'^12345\ntmpfs +65536 ' "uid and tmpfs size"

# Another user's store: permission denied, whatever the command (and whose it is, when the
# directory can be looked at).
if [ "$SKIFF_TEST_ROLE" = root ]; then
  theirs=$(mktemp -d /tmp/skiff-other-store.XXXXXX)  # root's, mode 0700, in a directory anyone can enter
  defer rm -rf "$theirs"
  run_split setpriv --reuid=65534 --regid=65534 --clear-groups -- "$SKIFF" --root "$theirs" --runroot "$theirs/run" inspect foo
  assert_eq "$stderr" "Error: store \`$theirs\`: permission denied: it belongs to uid 0 and skiff runs as uid 65534 (use a store of your own: --root)" "whose store"
fi
if [ "$SKIFF_TEST_ROLE" = root ]; then
  other=(setpriv --reuid=65534 --regid=65534 --clear-groups -- "$SKIFF" --root "$SKIFF_ROOT" --runroot "$T/nobody-run")
  want="Error: store \`$SKIFF_ROOT\`: permission denied"
else
  [ ! -r /root ] || skip "/root is readable: no store of another user to try"
  other=("$SKIFF" --root /root/skiff-store --runroot "$SKIFF_RUNROOT")
  want="Error: store \`/root/skiff-store\`: permission denied"
fi
for cmd in "inspect foo" "logs foo" "rm foo" "ps -a" "images" "volume ls"; do
  # shellcheck disable=SC2086  # the words of cmd
  run_split "${other[@]}" $cmd
  assert_eq "$status" 125 "$cmd in another user's store: exit status"
  assert_contains "$stderr" "$want" "$cmd in another user's store: message"
  assert_not_contains "$stderr" "No such" "$cmd in another user's store: not a missing object"
done

# cp of device nodes out of a container.
assert_success sk run -d --name devs "$img" sleep 100
run_split sk exec -u 99999999999 devs true
assert_eq "$status" 125 "exec -u out of range: exit status"
assert_eq "$stderr" "Error: invalid user 99999999999: uids and gids must be in range 0-2147483647" "exec -u out of range"
mkdir -p "$T/out"
run_split sk cp devs:/dev/null "$T/out/"
assert_eq "$status" 0 "cp of a device node: exit status"
if [ "$SKIFF_TEST_ROLE" = root ]; then
  assert_eq "$stderr" "" "root: no warning"
  assert_eq "$(stat -c %F "$T/out/null")" "character special file" "root: the device node is copied"
else
  assert_eq "$stderr" "WARN: cp: skipped 1 device node(s) that cannot be created without root: \`null\`" "rootless: warning"
  assert_no_file "$T/out/null" "rootless: no device node"
  run_split sk cp devs:/dev "$T/out/"
  assert_eq "$status" 0 "cp of /dev: exit status"
  assert_contains "$stderr" "WARN: cp: skipped 6 device node(s) that cannot be created without root: " "cp /dev: warning"
  for n in full null random tty urandom zero; do assert_contains "$stderr" "\`dev/$n\`" "cp /dev: names dev/$n"; done
fi
sk rm -f devs >/dev/null
