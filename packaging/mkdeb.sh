#!/bin/sh
# make deb: builds out/skiff_<version>-1_<arch>.deb from this tree with dpkg-deb (no debhelper):
# `make install DESTDIR=… PREFIX=/usr` (binary, man pages, bash/zsh/fish completions in Debian's
# places, skiff-restart.service for system and user, the generator links), then the stripped
# binary, gzipped man pages, copyright, changelog, lintian overrides, md5sums and a control file
# whose Depends are the packages of the libraries the binary and its embedded plugin need.
set -eu
OUT=${OUT:-out}
VERSION=${VERSION:-0.1.0}
ARCH=$(dpkg --print-architecture)
ROOT=$OUT/deb/root
rm -rf "$OUT/deb"
mkdir -p "$ROOT/DEBIAN"
make --no-print-directory -o all install DESTDIR="$(pwd)/$ROOT" PREFIX=/usr OUT="$OUT" >/dev/null
strip --strip-unneeded -R .comment -R .note "$ROOT/usr/bin/skiff"
gzip -9n "$ROOT"/usr/share/man/man1/*.1
doc=$ROOT/usr/share/doc/skiff
install -d "$doc" "$ROOT/usr/share/lintian/overrides"
install -m 0644 packaging/debian/copyright "$doc/copyright"
gzip -9nc packaging/debian/changelog >"$doc/changelog.Debian.gz"
chmod 0644 "$doc/changelog.Debian.gz"
install -m 0644 packaging/debian/lintian-overrides "$ROOT/usr/share/lintian/overrides/skiff"

# Depends: the packages of the libraries the binary and the plugin load directly.
libs=$( (objdump -p "$OUT/skiff"; objdump -p "$OUT/libskiff-io.so") | awk '/NEEDED/ {print $2}' | sort -u)
pkgs=""
for l in $libs; do
  path=$(ldd "$OUT/libskiff-io.so" "$OUT/skiff" | awk -v l="$l" '$1 == l {print $3; exit}')
  [ -n "$path" ] || continue
  p=$(dpkg -S "$path" 2>/dev/null || dpkg -S "$(readlink -f "$path")" 2>/dev/null || dpkg -S "/usr$path" 2>/dev/null || true)
  p=$(printf '%s\n' "$p" | head -1 | cut -d: -f1)
  [ -n "$p" ] && pkgs="$pkgs $p"
done
depends=$(printf '%s\n' $pkgs uidmap | sort -u | paste -sd, | sed 's/,/, /g')
size=$(du -sk --exclude=DEBIAN "$ROOT" | cut -f1)
cat >"$ROOT/DEBIAN/control" <<CONTROL
Package: skiff
Version: $VERSION-1
Architecture: $ARCH
Maintainer: skiff developers <skiff@example.org>
Installed-Size: $size
Depends: $depends
Recommends: passt | slirp4netns
Section: admin
Priority: optional
Homepage: https://example.org/skiff
Description: daemonless, rootless container engine with Docker's commands
 skiff runs OCI containers without a daemon and without root: one binary that
 is its own OCI runtime and its own per-container monitor, with Docker's
 commands, flags and output and Podman's configuration files. It generates
 systemd units for containers, reads Quadlet .container files through its
 systemd generator, and restarts containers with restart policy "always" at
 boot with skiff-restart.service.
CONTROL
(cd "$ROOT" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort | xargs md5sum) >"$ROOT/DEBIAN/md5sums"
chmod 0644 "$ROOT/DEBIAN/control" "$ROOT/DEBIAN/md5sums"
deb=$OUT/skiff_${VERSION}-1_${ARCH}.deb
dpkg-deb --root-owner-group -Zxz --build "$ROOT" "$deb" >/dev/null
echo "$deb"
