#!/usr/bin/env bash
# kill -9 of the CLI at each step of create, start, stop, rm and rename (strace kills it when it
# enters the Nth call of a system call, before that call runs): afterwards `ps -a` is right,
# every container can still be started or removed, the names are free again, and nothing is
# left in the store once everything is removed.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd strace
img=$(busybox_image)

# killed_at SYSCALL N SKIFF-ARGS...: skiff killed (SIGKILL) on entering its Nth SYSCALL.
killed_at() {
  local sc=$1 n=$2 rc=0
  shift 2
  _lib_trace "skiff $* (killed at $sc #$n)"
  strace -o /dev/null -e trace="$sc" -e inject="$sc:error=EIO:signal=SIGKILL:when=$n" \
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@" >"$T/killed.out" 2>&1 || rc=$?
  [ "$rc" = 137 ] || fail "skiff $* was not killed at $sc #$n (status $rc): $(cat "$T/killed.out")"
}
# ps -a works, says nothing on stderr, and shows NAME with a status matching ERE (or not at all
# when ERE is "-").
expect_ps() {  # NAME ERE
  run_split sk ps -a --format '{{.Names}}|{{.Status}}'
  assert_eq "$status:$stderr" "0:" "ps -a after a crash"
  local line
  line=$(echo "$stdout" | awk -F'|' -v n="$1" '$1 == n {print $2}')
  if [ "$2" = - ]; then
    assert_eq "$line" "" "$1 should not be listed"
  else
    assert_match "$line" "$2" "status of $1"
  fi
}

# create: before the name is claimed; after it, before the config exists.
killed_at symlink 1 create --name cA "$img" true
expect_ps cA -
assert_success sk create --name cA "$img" true
killed_at renameat 1 create --name cB "$img" true
expect_ps cB -
assert_success sk create --name cB "$img" true

# start: before the start is recorded; after it, before the monitor exists; with the monitor
# set up and waiting for the CLI's "go" (it starts the container on its own).
for n in sC sD sE; do sk create --name $n "$img" sleep 1000 >/dev/null; done
killed_at renameat 4 start sC
expect_ps sC '^Created$'
killed_at renameat 5 start sD
expect_ps sD '^Created$'
assert_success sk start sC
assert_success sk start sD
expect_ps sD '^Up '
killed_at sendto 1 start sE
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps --format '{{.Names}}' | grep -qx sE"

# run -d killed before "go": the container runs anyway.
killed_at sendto 1 run -d --name rM "$img" sleep 1000
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps --format '{{.Names}}' | grep -qx rM"

# stop: the CLI dies while it waits; the monitor finishes the stop (SIGKILL after 1 s).
killed_at recvmsg 1 stop -t 1 sC
wait_until 10 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' ps -a --format '{{.Names}} {{.State}}' | grep -qx 'sC exited'"
assert_eq "$(sk inspect -f '{{.State.ExitCode}}' sC)" 137

# rm: before the removal is marked (nothing happened); marked but not moved out (Removal In
# Progress, rm finishes it, start refuses); moved out, name link left; mid-deletion.
for n in rF rG rH rI; do sk run --name $n "$img" true; done
killed_at renameat 1 rm rF
expect_ps rF '^Exited \(0\)'
assert_success sk rm rF
killed_at rename 1 rm rG
expect_ps rG '^Removal In Progress$'
assert_status 125 sk start rG
assert_contains "$output" "is being removed"
assert_success sk rm rG
expect_ps rG -
killed_at unlink 1 rm rH
expect_ps rH -
assert_status 125 sk inspect rH
killed_at unlinkat 4 rm rI
expect_ps rI -
assert_success sk create --name rH "$img" true  # its name is free
assert_success sk create --name rI "$img" true
ls -a "$SKIFF_ROOT/containers" | grep -q '^\.removing-' || fail "expected .removing- leftovers before the sweep"
assert_success sk rm rH  # an rm sweeps what killed removals left
assert_eq "$(ls -a "$SKIFF_ROOT/containers" | grep -c '^\.removing-' || true)" 0 "swept"

# rename: before the new name is claimed; claimed, record not rewritten (the new name's link is
# stale and free for others); config rewritten but not the summary; all rewritten, old link left
# (the old name is free).
for n in nJ nK nL nM; do sk create --name $n "$img" true >/dev/null; done
killed_at symlink 1 rename nJ nJ2
expect_ps nJ '^Created$'
killed_at renameat 1 rename nK nK2
expect_ps nK '^Created$'
expect_ps nK2 -
assert_success sk create --name nK2 "$img" true
assert_success sk rename nK nK3
# Between the record's two files (config.json, then the summary ps reads): ps follows the
# config, which has the new name.
killed_at renameat 2 rename nM nM2
expect_ps nM2 '^Created$'
expect_ps nM -
assert_eq "$(sk inspect -f '{{.Name}}' nM2)" /nM2
assert_success sk create --name nM "$img" true
killed_at unlink 1 rename nL nL2
expect_ps nL2 '^Created$'
expect_ps nL -
assert_success sk create --name nL "$img" true
assert_status 125 sk rename nJ nL2
assert_contains "$output" "already in use"

# Everything can be removed, and nothing is left behind.
run_split sk ps -aq
assert_success sk rm -f $stdout
assert_eq "$(sk ps -aq)" ""
assert_success sk container prune -f
assert_eq "$(ls -A "$SKIFF_ROOT/containers")" "" "containers/ after removing everything"
assert_eq "$(find "$SKIFF_ROOT/names/containers" -mindepth 1 | wc -l)" 0 "no name links left: $(ls "$SKIFF_ROOT/names/containers")"
