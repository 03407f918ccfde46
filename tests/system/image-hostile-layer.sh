#!/usr/bin/env bash
# Hostile layers served by a registry (archives made by tests/tools/mktar, which writes what tar
# refuses to), pulled for real: nothing is ever written outside the store. A canary directory
# $T/canary is the target of every trick; its listing, contents and link counts must not change.
# As include/skiff/storage/extract.hpp documents:
#   rejected (the pull fails, names the entry, stores nothing): "../" names climbing out, a name
#     climbing out through "a/..", hard links to files outside the layer (/etc/passwd, the
#     canary, "../"), a 300-byte name component;
#   sanitised (the pull succeeds): an absolute name lands inside the layer; a symlink to "/"
#     (one to the canary's absolute path, one whose relative target climbs out) followed by
#     files written through it land inside the layer; device nodes are created as root and skipped with a warning rootless; setuid
#     bits and owners are kept.
# Then a container from the sanitised image sees those files inside, and `system check` and rmi
# (which walk and delete the layer with its symlinks) still leave the canary alone.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

C=$T/canary
mkdir -p "$C/dir"
echo canary >"$C/target"
echo canary >"$C/dir/file"
chmod 0755 "$T"
canary_state() {
  (cd "$C" && find . -printf '%p %y %m %n %s\n' | LC_ALL=C sort && md5sum target dir/file)
  stat -c '%h' /etc/passwd
}
before=$(canary_state)
assert_canary() {  # WHAT
  assert_eq "$(canary_state)" "$before" "$1: the canary is untouched"
  local stray
  stray=$(find "$T" -name 'pwned*' -not -path "$SKIFF_ROOT/*" -not -path "$IL_FIX/*" -not -path "$T/il-run/*" 2>/dev/null || true)
  assert_eq "$stray" "" "$1: no file written through the layer outside the store"
}
up=$(printf '../%.0s' {1..16})   # far enough to climb out of any store
rel=${C#/}                       # the canary's path without the leading slash

# One image per rule that rejects; each pulled on its own.
mk() {  # NAME  (spec on stdin)
  local L
  il_layout "$1"
  L=$IL_L
  il_busybox_layer "$L"
  il_add
  il_spec_layer "$L" gzip
  il_add
  il_image "$L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
}
mk dotdot <<<"f ${up}${rel}/pwned-dotdot x"
mk nested <<<"d a
f a/../${up}${rel}/pwned-nested x"
mk hardlink-etc <<<"f pwned-h x
h hl /etc/passwd"
mk hardlink-canary <<<"h hl $C/target"
mk hardlink-dotdot <<<"h hl ${up}etc/passwd"
mk longname <<<"f $(printf 'n%.0s' {1..300}) x"
# The one that is sanitised, not rejected.
mk mixed <<EOF
f /${rel}/pwned-abs absolute
l evil /
f evil/${rel}/pwned-root through-root
l cl $C
f cl/pwned-cl through-canary-link
l up ${up}${rel}
f up/pwned-symlink-out through-climbing-link
d dev
c dev/mynull 1 3
b dev/myblk 7 0
p dev/fifo
f bin/su-like x mode=4755
f owned x uid=1000 gid=1000
EOF
il_serve

declare -A why=(
  [dotdot]="escapes the layer root"
  [nested]="escapes the layer root"
  [hardlink-etc]="hard link target"
  [hardlink-canary]="hard link target"
  [hardlink-dotdot]="points outside the layer"
  [longname]="longer than 255 bytes"
)
for name in dotdot nested hardlink-etc hardlink-canary hardlink-dotdot longname; do
  run_split sk pull "$IL_REG/$name:latest"
  assert_eq "$status" 125 "$name: the pull fails"
  assert_contains "$stderr" "${why[$name]}" "$name: the error says why"
  assert_contains "$stderr" "Error: " "$name"
  assert_canary "$name"
  run_split sk images --format '{{.Repository}}'
  assert_not_contains "$stdout" "$name" "$name: not stored"
done
# The failed pulls left no half-made layer, and only the shared busybox layer is complete.
assert_eq "$(find "$SKIFF_ROOT/staging" -mindepth 1 | wc -l)" 0 "staging is empty"
assert_success sk system check

# The sanitised image.
run_split sk pull "$IL_REG/mixed:latest"
assert_eq "$status" 0 "mixed: $stderr"
assert_canary mixed
if [ "$SKIFF_TEST_ROLE" = rootless ]; then
  assert_contains "$stderr" "device" "rootless: a warning about the skipped device nodes"
fi
top=$(sk image inspect --format '{{.GraphDriver.Data.UpperDir}}' "$IL_REG/mixed:latest")
[ -n "$top" ] || fail "no layer directory"
case $top in "$SKIFF_ROOT"/*) ;; *) fail "the layer is outside the store: $top" ;; esac
lay() { in_userns "$@"; }
assert_eq "$(lay cat "$top/$rel/pwned-abs")" absolute "an absolute name lands inside the layer"
assert_eq "$(lay cat "$top/$rel/pwned-root")" through-root "written through a symlink to /: inside the layer"
assert_eq "$(lay cat "$top/$rel/pwned-cl")" through-canary-link "written through a symlink to the canary's path: inside"
assert_eq "$(lay readlink "$top/evil")" / "the symlink is kept as the image says"
assert_eq "$(lay readlink "$top/cl")" "$C"
assert_eq "$(lay cat "$top/$rel/pwned-symlink-out")" through-climbing-link "written through a climbing symlink: inside"
assert_eq "$(lay readlink "$top/up")" "${up}${rel}" "a climbing symlink is kept as the image says"
assert_eq "$(lay stat -c '%a %u:%g' "$top/bin/su-like")" "4755 0:0" "setuid kept"
assert_eq "$(lay stat -c '%u:%g' "$top/owned")" "1000:1000" "owner kept"
assert_eq "$(lay stat -c '%F' "$top/dev/fifo")" fifo "FIFO created"
if [ "$SKIFF_TEST_ROLE" = root ]; then
  assert_eq "$(lay stat -c '%F %t:%T' "$top/dev/mynull")" "character special file 1:3" "device created as root"
  assert_eq "$(lay stat -c '%F %t:%T' "$top/dev/myblk")" "block special file 7:0"
else
  assert_no_file "$top/dev/mynull" "rootless: device skipped"
  assert_no_file "$top/dev/myblk"
fi

# A container sees the files at the paths the image names (inside its root).
run_split sk run --rm "$IL_REG/mixed:latest" sh -c "cat /$rel/pwned-abs /$rel/pwned-root; readlink /evil"
assert_eq "$status" 0 "run mixed: $stderr"
assert_eq "$stdout" $'absolute\nthrough-root\n/' "inside the container"
assert_canary "after run"

# Walking (check) and deleting (rmi) the layer never follows its symlinks.
assert_success sk system check
assert_canary "after system check"
assert_success sk rmi "$IL_REG/mixed:latest"
assert_canary "after rmi"
assert_file "$C/target"
assert_file /etc/passwd
assert_success sk system check
