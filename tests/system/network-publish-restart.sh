#!/usr/bin/env bash
# Ports and restart policies: the monitor keeps the host socket bound while it restarts the
# container (each run is forwarded into that run's own network namespace), and releases it when
# `stop` ends the restarts.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd curl ss
img=$(busybox_image)
p=$(free_port)

# Each run serves its own number (the run count kept in a volume) for 2 s, then fails.
# shellcheck disable=SC2016  # expanded by the container's shell
sk run -d --name rs --restart on-failure -p "$p:80" -v rsdata:/d "$img" sh -c \
  'n=$(($(cat /d/n 2>/dev/null || echo 0) + 1)); echo $n > /d/n; mkdir -p /w; echo "run $n" > /w/index.html; httpd -p 80 -h /w; sleep 2; exit 3' >/dev/null
wait_until 5 http_get "$p"
assert_eq "$(http_get "$p")" "run 1"
got_run2() { [ "$(http_get "$p")" = "run 2" ]; }
wait_until 15 got_run2
assert_success port_bound "$p"
assert_match "$(sk inspect -f '{{.RestartCount}}' rs)" '^[1-9]'
assert_success sk stop -t 1 rs
assert_success port_free "$p"
assert_success sk rm -v rs
