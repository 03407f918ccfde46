#!/usr/bin/env bash
# Helpers for the published-port tests (network-publish-*); sourced after lib.sh and ctrlib.sh:
#
#   free_port [tcp|udp]      a port nothing listens on now (random in 20000-39999; never fixed)
#   port_bound PORT [tcp|udp]  succeeds while something is bound to PORT (ss)
#   port_free PORT [tcp|udp]   the opposite
#   http_get PORT [PATH]     the body curl gets from http://127.0.0.1:PORT/PATH (3 s at most)
#   web_server               sh -c text: a busybox httpd on port 80 serving "hello from skiff"

port_bound() {  # PORT [tcp|udp]
  local flag=-ltnH
  [ "${2:-tcp}" = udp ] && flag=-lunH
  [ -n "$(ss "$flag" "sport = :$1" 2>/dev/null)" ]
}

port_free() { ! port_bound "$@"; }

free_port() {  # [tcp|udp]
  local p i
  for ((i = 0; i < 200; i++)); do
    p=$((20000 + RANDOM % 20000))
    if port_free "$p" tcp && port_free "$p" udp; then
      echo "$p"
      return 0
    fi
  done
  fail "no free port found"
}

http_get() {  # PORT [PATH]
  curl -sS --max-time 3 "http://127.0.0.1:$1/${2:-}"
}

web_server() {
  echo 'mkdir -p /www && echo "hello from skiff" > /www/index.html && exec httpd -f -p 80 -h /www'
}
