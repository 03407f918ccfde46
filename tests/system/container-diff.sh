#!/usr/bin/env bash
# `diff` with both storage drivers: added, changed and deleted files, a deleted directory as
# one line, copied-up parents as changed, a directory deleted and made again (overlay: an
# opaque directory), a running container, --format json; the mount-point stubs never show.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"

  # A container that never ran has no changes (and neither the init layer's stubs nor the
  # runtime's mount points are changes once it ran).
  assert_success sd create --name fresh "$ref" true
  run_split sd diff fresh
  assert_eq "$status:$stdout" "0:" "$drv: no changes before it runs"
  assert_success sd start -a fresh
  run_split sd diff fresh
  assert_eq "$status:$stdout" "0:" "$drv: no changes after a run that changed nothing"

  assert_success sd run --name ctr "$ref" sh -ec '
    echo a > /newfile
    mkdir -p /newdir/sub && echo b > /newdir/sub/f
    echo changed >> /etc/group
    rm /bin/vi
    rm -r /usr/sbin'
  run_split sd diff ctr
  assert_eq "$status" 0 "$drv: diff status ($stderr)"
  assert_eq "$stdout" "C /bin
D /bin/vi
C /etc
C /etc/group
A /newdir
A /newdir/sub
A /newdir/sub/f
A /newfile
C /usr
D /usr/sbin" "$drv: diff lines"

  run_split sd diff --format json ctr
  assert_eq "$(tr -d ' \n' <<<"$stdout")" \
    '{"changed":["/bin","/etc","/etc/group","/usr"],"added":["/newdir","/newdir/sub","/newdir/sub/f","/newfile"],"deleted":["/bin/vi","/usr/sbin"]}' \
    "$drv: diff --format json"

  # A directory removed and made again: what the image had below it is gone (overlay keeps
  # this as an opaque directory), the new entry is added.
  mapfile -t old < <(sd run --rm "$ref" ls /sbin)
  assert_success sd run --name opq "$ref" sh -ec 'rm -rf /sbin && mkdir /sbin && echo x > /sbin/new'
  expected="C /sbin"
  while read -r n; do
    if [ "$n" = new ]; then expected+=$'\n'"A /sbin/new"; else expected+=$'\n'"D /sbin/$n"; fi
  done < <(printf '%s\n' "${old[@]}" new | LC_ALL=C sort)
  run_split sd diff opq
  assert_eq "$stdout" "$expected" "$drv: a directory deleted and made again"

  # A running container: what it writes now shows now.
  assert_success sd run -d --name run1 "$ref" sleep 1000
  assert_success sd exec run1 sh -c 'echo hi > /tmp/live; rm /etc/passwd'
  run_split sd diff run1
  assert_eq "$stdout" "C /etc
D /etc/passwd
C /tmp
A /tmp/live" "$drv: diff of a running container"
  assert_success sd rm -f run1

  assert_status 125 sd diff nosuch
  assert_contains "$output" "No such container: nosuch"
done
