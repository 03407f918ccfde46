#!/usr/bin/env bash
# make deb's package (skipped until `make deb` has run): its control fields (Depends: uidmap,
# Recommends: passt | slirp4netns), Debian's places for the man pages (gzipped), completions,
# units, generator links, copyright and changelog; installed with dpkg into a clean root of its
# own, its skiff runs a container (as root, and as the unprivileged test user in the rootless
# role); a purge leaves nothing behind in that root but dpkg's database.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd dpkg dpkg-deb
deb=$(ls "$(dirname "$SKIFF")"/skiff_*.deb 2>/dev/null | head -1 || true)
[ -n "$deb" ] || skip "no package: run make deb"
img=$(busybox_image)

info=$(dpkg-deb -f "$deb")
assert_contains "$info" "Package: skiff"
assert_match "$(dpkg-deb -f "$deb" Depends)" '(^|, )uidmap(,|$)'
assert_eq "$(dpkg-deb -f "$deb" Recommends)" "passt | slirp4netns"
list=$(dpkg-deb -c "$deb" | awk '{print $6 ($7 == "->" ? " -> " $8 : "")}')
for f in ./usr/bin/skiff ./usr/share/man/man1/skiff-run.1.gz ./usr/share/man/man1/skiff-generate-systemd.1.gz \
  ./usr/share/bash-completion/completions/skiff ./usr/share/zsh/vendor-completions/_skiff \
  ./usr/share/fish/vendor_completions.d/skiff.fish ./usr/lib/systemd/system/skiff-restart.service \
  ./usr/lib/systemd/user/skiff-restart.service ./usr/share/doc/skiff/copyright \
  ./usr/share/doc/skiff/changelog.Debian.gz ./usr/share/lintian/overrides/skiff \
  "./usr/lib/systemd/system-generators/skiff-systemd-generator -> ../../../bin/skiff" \
  "./usr/lib/systemd/user-generators/skiff-user-generator -> ../../../bin/skiff"; do
  assert_contains "$list" "$f" "in the package"
done
assert_not_contains "$list" "man1/skiff-run.1"$'\n' "man pages are gzipped"
# lintian (root role only: it takes ~45 s): no error or warning beyond packaging/debian/lintian-overrides.
if [ "$(id -u)" = 0 ] && command -v lintian >/dev/null; then
  run_split lintian "$deb"
  assert_eq "$(grep -E '^[EW]: ' <<<"$stdout" || true)" "" "lintian errors and warnings"
fi

# A clean root of its own (dpkg --root): install, use, purge.
r=$T/r
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates"
: >"$r/var/lib/dpkg/status"
force=(--force-depends --force-script-chrootless)
[ "$(id -u)" = 0 ] || force+=(--force-not-root)
assert_success dpkg --root="$r" "${force[@]}" -i "$deb"
assert_file "$r/usr/bin/skiff"
run_split "$r/usr/bin/skiff" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$img" echo from-the-package
assert_eq "$status" 0
assert_eq "$stdout" from-the-package
assert_success dpkg --root="$r" "${force[@]}" --purge skiff
left=$(cd "$r" && find . -mindepth 1 ! -path './var' ! -path './var/lib' ! -path './var/lib/dpkg' ! -path './var/lib/dpkg/*')
assert_eq "$left" "" "nothing left after the purge"
