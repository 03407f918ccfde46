#!/usr/bin/env bash
# Sourced (after lib.sh) by the tests that boot a real systemd in a container: builds an image
# from this machine's installed systemd (no network), so systemd only ever runs inside a
# container with its own root filesystem (never in a namespace sharing the host's /: its
# clean-up would empty the host's /tmp).
#
#   sd_image NAME      assembles the root filesystem in $T/sdroot (the files of the systemd and
#                      libsystemd-shared packages, the libraries every ELF file among them needs,
#                      busybox as /bin/sh, passwd/group, os-release, multi-user.target as the
#                      default and a oneshot unit skiff-probe.service that writes /run/probe) and
#                      imports it as NAME with `sk import`. Skips (77) when systemd is missing.
#
# The root filesystem is merged-/usr (bin, sbin, lib, lib64 are links into usr), as Debian's.

sd_image() {  # NAME
  local name=$1 root=$T/sdroot f d
  [ -x /lib/systemd/systemd ] || skip "systemd is not installed here (packaging/deps.sh test installs it)"
  require_cmd busybox
  rm -rf "$root"
  mkdir -p "$root"/usr/{bin,sbin,lib,lib64} "$root"/{etc,root,var/log,proc,sys,dev,run,tmp}
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"; ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  # Every path copied to its canonical place (Debian's package lists name /lib/..., which is
  # /usr/lib/... on a merged-/usr system).
  _sd_copy() {  # PATH (file or link)
    local src=$1 dir dst
    dir=$(readlink -f "$(dirname "$src")")
    dst=$root$dir/$(basename "$src")
    [ -e "$dst" ] || [ -L "$dst" ] && return 0
    mkdir -p "$root$dir"
    cp -a "$src" "$dst"
  }
  local files=()
  mapfile -t files < <(dpkg -L systemd libsystemd-shared | while read -r f; do
    if [ -L "$f" ] || [ -f "$f" ]; then echo "$f"; fi
  done)
  for f in "${files[@]}"; do _sd_copy "$f"; done
  # The shared libraries of every ELF file copied (ldd's closure), and the loader.
  local libs
  libs=$(for f in "${files[@]}"; do
    if [ ! -L "$f" ] && head -c4 "$f" 2>/dev/null | LC_ALL=C grep -aq ELF; then ldd "$f" 2>/dev/null || true; fi
  done | awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/.*ld-linux/ {print $1}' | sort -u)
  for f in $libs; do
    _sd_copy "$f"
    [ -L "$f" ] && _sd_copy "$(readlink -f "$f")"
  done
  cp "$(command -v busybox)" "$root/usr/bin/busybox"
  for f in sh cat echo sleep ls mkdir rm true false test grep; do
    [ -e "$root/usr/bin/$f" ] || ln -s busybox "$root/usr/bin/$f"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nsystemd-journal:x:101:\nnogroup:x:65534:\n' >"$root/etc/group"
  cp /usr/lib/os-release "$root/usr/lib/os-release"
  ln -s ../usr/lib/os-release "$root/etc/os-release"
  mkdir -p "$root/etc/systemd/system/multi-user.target.wants"
  ln -sf /lib/systemd/system/multi-user.target "$root/etc/systemd/system/default.target"
  cat >"$root/etc/systemd/system/skiff-probe.service" <<'UNIT'
[Unit]
Description=skiff's probe: proves a unit ran

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/bin/sh -c 'echo started >/run/probe'

[Install]
WantedBy=multi-user.target
UNIT
  ln -s ../skiff-probe.service "$root/etc/systemd/system/multi-user.target.wants/skiff-probe.service"
  tar -C "$root" -cf "$T/sdroot.tar" .
  rm -rf "$root"
  run_split sk import "$T/sdroot.tar" "$name"
  [ "$status" -eq 0 ] || fail "import of the systemd image: $stderr"
  rm -f "$T/sdroot.tar"
}
