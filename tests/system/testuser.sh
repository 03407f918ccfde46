#!/usr/bin/env bash
# Sourced by run.sh and bench/run.sh (as root): makes sure the unprivileged test user exists
# and can run rootless containers, as on a fresh CI machine:
#   ensure_test_user NAME    creates NAME (useradd -m) when missing, gives it subordinate uid and
#                            gid ranges (65536 ids after every range already given out) when it
#                            has none, and an XDG_RUNTIME_DIR /run/user/UID it owns (0700).
#                            Sets TEST_USER TEST_UID TEST_GID TEST_HOME TEST_XDG.

# shellcheck disable=SC2034  # TEST_* are for the caller

# The next free subordinate id range start in FILE (after every range already given out).
next_sub_start() {
  awk -F: 'BEGIN {m = 100000} NF >= 3 && $2 + $3 > m {m = $2 + $3} END {print m}' "$1" 2>/dev/null || echo 100000
}

ensure_test_user() {  # USER
  TEST_USER=$1
  if ! id -u "$TEST_USER" >/dev/null 2>&1; then
    useradd -m -s /bin/bash "$TEST_USER"
    echo "testuser: created user $TEST_USER"
  fi
  local f start
  for f in subuid subgid; do
    touch "/etc/$f"
    if ! grep -q "^$TEST_USER:" "/etc/$f"; then
      start=$(next_sub_start "/etc/$f")
      if [ $f = subuid ]; then usermod --add-subuids "$start-$((start + 65535))" "$TEST_USER"
      else usermod --add-subgids "$start-$((start + 65535))" "$TEST_USER"; fi
      echo "testuser: gave $TEST_USER the $f range $start:65536"
    fi
  done
  TEST_UID=$(id -u "$TEST_USER")
  TEST_GID=$(id -g "$TEST_USER")
  TEST_HOME=$(getent passwd "$TEST_USER" | cut -d: -f6)
  if [ ! -d "$TEST_HOME" ]; then
    mkdir -p "$TEST_HOME"
    chown "$TEST_UID:$TEST_GID" "$TEST_HOME"
  fi
  TEST_XDG=/run/user/$TEST_UID
  mkdir -p /run/user
  [ -d "$TEST_XDG" ] || mkdir -m 0700 "$TEST_XDG"
  chown "$TEST_UID:$TEST_GID" "$TEST_XDG"
  chmod 0700 "$TEST_XDG"
}

