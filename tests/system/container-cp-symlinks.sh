#!/usr/bin/env bash
# `cp` against hostile symlinks inside the container (CVE-2018-15664 class), with both storage
# drivers, running and stopped containers: links to "/", climbing "../../..", absolute host
# paths, a hostile tar stream, and a symlink swapped in a loop while copies run. A canary file
# on the host must stay unread and unchanged, and nothing may appear on the host outside the
# copy's destination.
# harness: timeout=500
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

canary=$T/canary
mkdir -p "$canary"
echo "host secret $$" >"$canary/secret"
canary_state() { stat -c '%i %s %Y %U %a' "$canary/secret"; cat "$canary/secret"; ls -a "$canary"; }
before=$(canary_state)
mark=skiff-cp-canary-$$-$RANDOM   # a name that must never appear on the host
outside() { [ ! -e "/$mark" ] && [ ! -e "/tmp/$mark" ] && [ ! -e "$canary/$mark" ] && [ ! -e "$T/$mark" ]; }
echo written-by-test >"$T/work/payload"
out=$T/work/out

# The links every container gets (made by the container itself).
setup="ln -s / /evil; ln -s ../../../../../../.. /up; ln -s $canary /hostdir
  ln -s ../../../../../../../..$canary /tmp/dotdot; ln -s $canary/secret /etc/hostlink; ln -s $canary /tmp/dst"

check_host() {  # WHAT
  assert_eq "$(canary_state)" "$before" "$1: the host canary is unchanged"
  outside || fail "$1: a file appeared outside the copy's destination"
  if grep -rqs "host secret" "$out"; then fail "$1: the canary was read"; fi
}

# A tar stream that tries to climb out and to write through a symlink it carries.
hostile=$T/work/hostile.tar
(
  cd "$T/work" && mkdir -p h1 h2/esc && ln -s / h1/esc && echo pwned >"h2/esc/$mark"
  tar -C h1 -cf "$hostile" esc
  tar -C h2 -cf h2.tar "esc/$mark"
  tar -Af "$hostile" h2.tar
)
(cd "$T/work" && echo pwned >"$mark" && tar -P --transform="s|^|../../../../../../../../tmp/|" -cf climb.tar "$mark" && rm "$mark")

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"
  assert_success sd run --name cold "$ref" sh -c "$setup"
  assert_success sd run -d --name hot "$ref" sh -c "$setup; sleep 1000"
  for _ in $(seq 100); do sd cp hot:/tmp/dst - >/dev/null 2>&1 && break; sleep 0.1; done

  for ctr in hot cold; do
    what="$drv/$ctr"
    rm -rf "$out" && mkdir -p "$out"
    # Reads resolve in the container: its own /etc/passwd (2 lines), never the host's.
    assert_success sd cp "$ctr:/evil/etc/passwd" "$out/p1"
    assert_eq "$(wc -l <"$out/p1")" 2 "$what: /evil/etc/passwd is the container's"
    assert_success sd cp "$ctr:/up/etc/passwd" "$out/p2"
    assert_eq "$(wc -l <"$out/p2")" 2 "$what: /up/etc/passwd is the container's"
    assert_success sd cp "$ctr:/evil/etc/" "$out/etc"
    assert_eq "$(ls "$out/etc" | grep -c passwd)" 1 "$what: /evil/etc/ is the container's /etc"
    assert_status 125 sd cp "$ctr:/hostdir/secret" "$out/"
    assert_contains "$output" "No such container:path"
    assert_status 125 sd cp "$ctr:/tmp/dotdot/secret" -
    assert_status 125 sd cp -L "$ctr:/etc/hostlink" "$out/"
    assert_success sd cp "$ctr:/etc/hostlink" "$out/hl"
    assert_eq "$(readlink "$out/hl")" "$canary/secret" "$what: a link is copied as a link, never followed"
    rm -f "$out/hl"
    assert_status 125 sd cp "$ctr:/hostdir/." "$out/x"
    check_host "$what reads"

    # Writes resolve in the container too.
    assert_success sd cp "$T/work/payload" "$ctr:/evil/$mark"
    assert_success sd cp "$T/work/payload" "$ctr:/up/tmp/$mark"
    assert_status 125 sd cp "$T/work/payload" "$ctr:/hostdir/secret"
    assert_status 125 sd cp "$T/work/payload" "$ctr:/tmp/dotdot/secret"
    assert_status 125 sd cp "$T/work/payload" "$ctr:/tmp/dst/"
    assert_success sd cp "$T/work/payload" "$ctr:/etc/hostlink"
    assert_status 125 sd cp - "$ctr:/hostdir" <"$T/work/payload"
    # The hostile tar: the symlink lands in the destination, the file behind it stays inside.
    assert_success sd cp - "$ctr:/root" <"$hostile"
    assert_status 125 sd cp - "$ctr:/root" <"$T/work/climb.tar"
    assert_contains "$output" "escapes"
    check_host "$what writes"
    # ... and they are in the container, where the container's links point.
    assert_eq "$(sd cp "$ctr:/$mark" - | tar -xOf -)" "written-by-test" "$what: /evil/X is the container's /X"
    assert_eq "$(sd cp "$ctr:/tmp/$mark" - | tar -xOf -)" "written-by-test" "$what: /up/tmp/X is the container's /tmp/X"
    assert_eq "$(sd cp "$ctr:/etc/hostlink" - | tar -xOf -)" "written-by-test" "$what: the link was replaced in the container"
    assert_eq "$(sd cp "$ctr:/root/$mark" - | tar -xOf -)" "pwned" "$what: the hostile tar's file stayed in its destination"
  done

  # A symlink swapped in a loop (directory <-> link to the host canary's directory, or to /etc)
  # while copies run both ways.
  assert_success sd exec -d hot sh -c "while :; do rm -rf /race; mkdir /race; echo inside > /race/secret; usleep 2000
    rm -rf /race; ln -s $canary /race; usleep 1000; rm -f /race; ln -s /etc /race; usleep 1000; rm -f /race; done"
  rm -rf "$out" && mkdir -p "$out"
  got_inside=0
  for i in $(seq 40); do
    if sd cp hot:/race/secret "$out/r$i" 2>/dev/null && grep -q inside "$out/r$i" 2>/dev/null; then got_inside=$((got_inside + 1)); fi
    sd cp hot:/race/ "$out/d$i" 2>/dev/null || true
    sd cp "$T/work/payload" hot:/race/secret 2>/dev/null || true
    sd cp "$T/work/payload" "hot:/race/$mark" 2>/dev/null || true
  done
  check_host "$drv: swapped symlinks"
  echo "$drv: $got_inside of 40 copies caught /race as a directory" >&2
  assert_success sd rm -f hot cold
done
