#!/usr/bin/env bash
# podman-compose (Debian's, 1.0.3) against skiff through the podman personality: a `podman`
# in PATH that is skiff (argv[0] "podman", with the test's --root/--runroot). A two-service
# compose file (a web server with a published port and a client that reaches it by service
# name over the project's network) comes up with `up -d`, answers on the published port,
# `ps` lists it, and `down` removes every container.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
command -v podman-compose >/dev/null || skip "podman-compose is not installed"
[ -c /dev/net/tun ] || skip "no /dev/net/tun"
img=$(busybox_image)
port=$((20000 + RANDOM % 20000))

bin=$T/bin
mkdir -p "$bin" "$T/proj"
cat > "$bin/podman" <<SH
#!/bin/bash
exec -a podman "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "\$@"
SH
chmod +x "$bin/podman"
cat > "$T/proj/docker-compose.yml" <<YML
version: "3"
services:
  web:
    image: $img
    command: ["sh", "-c", "mkdir -p /www && echo hello-compose > /www/index.html && exec httpd -f -p 80 -h /www"]
    ports:
      - "$port:80"
  client:
    image: $img
    depends_on:
      - web
    command: ["sh", "-c", "until wget -q -O - http://web/; do sleep 1; done; exec sleep 1000"]
YML
compose() { (cd "$T/proj" && PATH="$bin:$PATH" podman-compose -p demo "$@"); }

run_split compose up -d
assert_eq "$status" 0 "podman-compose up -d: $stdout $stderr"
assert_contains "$stdout" "using podman version:" "podman-compose found skiff as podman"
assert_eq "$(sk ps --format '{{.Names}}' | sort | tr '\n' ' ')" "demo_client_1 demo_web_1 " "both services run"
wait_until 30 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs demo_client_1 | grep -q hello-compose"
run_split wget -q -O - "http://127.0.0.1:$port/"
assert_eq "$stdout" "hello-compose" "the published port"
run_split compose ps
assert_eq "$status" 0 "podman-compose ps"
assert_contains "$stdout" "demo_web_1" "podman-compose ps lists the services"
run_split compose down
assert_eq "$status" 0 "podman-compose down: $stdout $stderr"
assert_eq "$(sk ps -aq | wc -l)" 0 "down removed the containers"
