#!/usr/bin/env bash
# Installs skiff's dependencies from Debian's archive, only those that are missing.
#
#   packaging/deps.sh [build] [runtime] [test] [bench]     (no argument: build runtime test)
#
# apt-get (through sudo when not root), --no-install-recommends; silent when all are present.
set -euo pipefail

declare -A groups=(
  [build]="g++ make pkg-config libpoco-dev libarchive-dev libseccomp-dev libspdlog-dev libfmt-dev
           nlohmann-json3-dev libtomlplusplus-dev libboost-test-dev libzstd-dev zlib1g-dev libssl-dev
           libre2-dev libslirp-dev
           go-md2man man-db groff-base"
  [runtime]="uidmap libslirp0 passt"
  # test: the fixture registry and images (docker-registry, busybox-static, zstd, tar, gzip;
  # openssl for the test CA, apache2-utils for htpasswd, skopeo to cross-check with a real
  # client), tmux to drive terminals, curl and jq for registry checks, util-linux (unshare,
  # setpriv), procps, passwd (useradd/usermod for the test user), uidmap (newuidmap); zsh and
  # fish tell tests/install-paths.sh where they look for completions; passt, slirp4netns, dnsmasq-base
  # and iproute2 for the network tests (their test host, tests/system/nethost.sh).
  # systemd: service-systemd-boot.sh assembles an image from its files (installing the package
  # starts nothing where systemd is not PID 1); lintian checks `make deb`'s package; podman-compose
  # for tests/system/pod-compose.sh (run against skiff through the podman personality).
  [test]="docker-registry busybox-static systemd lintian skopeo tmux apache2-utils openssl curl jq util-linux procps
          zstd tar gzip coreutils passwd uidmap zsh fish passt slirp4netns dnsmasq-base iproute2
          podman-compose"
  [bench]="podman runc slirp4netns hyperfine uidmap"
  # fuzz: clang with libFuzzer and the sanitizer runtimes (make fuzz)
  [fuzz]="clang libclang-rt-14-dev"
)

usage() { echo "usage: $0 [build] [runtime] [test] [bench] [fuzz]" >&2; exit 2; }

want=()
[ $# -gt 0 ] || set -- build runtime test
for g in "$@"; do
  case $g in -h|--help) usage ;; esac
  [ -n "${groups[$g]+x}" ] || { echo "deps.sh: unknown group '$g'" >&2; usage; }
  # shellcheck disable=SC2206  # splitting the package list into words is intended
  want+=(${groups[$g]})
done

# One dpkg-query for all of them: packages it does not know are simply absent from its answer.
declare -A installed=()
while read -r name status; do
  [ "$status" = installed ] && installed[$name]=1
done < <(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${want[@]}" 2>/dev/null || true)

missing=()
declare -A seen=()
for p in "${want[@]}"; do
  [ -z "${seen[$p]+x}" ] || continue
  seen[$p]=1
  [ -n "${installed[$p]+x}" ] || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "deps.sh: not root and no sudo; please install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "deps.sh: installing ${missing[*]}"
apt=("${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get -q -o Dpkg::Use-Pty=0)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Try with the package lists as they are; refresh them only when that fails (fresh machines
# have none, old lists name versions the archive no longer has).
if ! "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1; then
  "${apt[@]}" update >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
  "${apt[@]}" install -y --no-install-recommends "${missing[@]}" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
fi
