#!/usr/bin/env bash
# make demo: a local registry serving the busybox fixture image, and skiff at work against it.
#
#   tests/demo.sh [OUT]        (OUT: the build directory, default out)
#
# Each step is one line at the bottom: later issues add theirs there. Each step prints the command
# it runs, then its output.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(realpath "${1:-out}")
for f in "$OUT/skiff" "$OUT/tools/token_server"; do
  [ -x "$f" ] || { echo "demo: $f is missing (make all tools)" >&2; exit 2; }
done
# shellcheck source=system/fixtures.sh
source "$HERE/system/fixtures.sh"
# shellcheck source=system/registry.sh
source "$HERE/system/registry.sh"

DEMO=$(mktemp -d /tmp/skiff-demo.XXXXXX)
cleanup() {
  reg_stop_all
  if [ "$(id -u)" = 0 ]; then rm -rf "$DEMO"
  else unshare --map-root-user --map-auto rm -rf "$DEMO" 2>/dev/null || rm -rf "$DEMO"; fi
}
trap cleanup EXIT
fixtures_build "$OUT/fixtures" busybox
reg_start_all "$DEMO/registry" "$OUT/fixtures" "$OUT/tools" http

# A store of its own, and a registries.conf that lets skiff use the local plain-HTTP registry.
export XDG_CONFIG_HOME=$DEMO/config
mkdir -p "$XDG_CONFIG_HOME/containers"
cat >"$XDG_CONFIG_HOME/containers/registries.conf" <<CONF
unqualified-search-registries = ["$REG_HTTP"]
[[registry]]
location = "$REG_HTTP"
insecure = true
CONF
skiff() { "$OUT/skiff" --root "$DEMO/root" --runroot "$DEMO/run" "$@"; }
bold=; plain=
if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; fi
# The command as one would type it: arguments with spaces or shell characters in single quotes.
shown() {
  local a out=
  for a in "$@"; do
    if [[ "$a" =~ ^[A-Za-z0-9_./:@=,+-]+$ ]]; then out+=" $a"; else out+=" '${a//\'/\'\\\'\'}'"; fi
  done
  echo "${out# }"
}
step() {
  printf '\n%s$ skiff %s%s\n' "$bold" "$(shown "$@")" "$plain"
  skiff "$@"
}
IMAGE=$REG_HTTP/busybox:latest
echo "A local registry (docker-registry on 127.0.0.1) serves $IMAGE."

step version
step info
step pull "$IMAGE"
step images
step run --rm "$IMAGE" sh -c 'echo "hello from container $(hostname), as $(id -un), in $(pwd)"'
step history "$IMAGE"
# skiff build: a small image from a Dockerfile, then run.
mkdir -p "$DEMO/app"
echo 'hello from a skiff-built image' >"$DEMO/app/message.txt"
printf 'FROM %s\nWORKDIR /app\nCOPY message.txt .\nRUN echo "built on $(date -u +%%F)" >> message.txt\nCMD ["cat", "/app/message.txt"]\n' \
  "$IMAGE" >"$DEMO/app/Dockerfile"
printf '\n%s$ cat Dockerfile%s\n' "$bold" "$plain"
cat "$DEMO/app/Dockerfile"
step build -t demo-app "$DEMO/app"
step run --rm demo-app
step history demo-app
# A published web server (issue 11): a free port of the host to the container's port 80.
WEB_PORT=$(for _ in $(seq 50); do p=$((20000 + RANDOM % 20000)); [ -z "$(ss -ltnH "sport = :$p")" ] && { echo "$p"; break; }; done)
step run -d --name web -p "$WEB_PORT:80" "$IMAGE" sh -c 'mkdir -p /www && echo "hello from a published port" > /www/index.html && exec httpd -f -p 80 -h /www'
step port web
printf '\n%s$ curl http://127.0.0.1:%s/%s\n' "$bold" "$WEB_PORT" "$plain"
for _ in $(seq 50); do curl -sS --max-time 2 "http://127.0.0.1:$WEB_PORT/" 2>/dev/null && break; sleep 0.1; done
step rm -f web
