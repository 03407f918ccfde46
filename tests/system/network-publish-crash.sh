#!/usr/bin/env bash
# kill -9 of `run -p` at its steps (after binding the port, while launching the monitor, while
# waiting for it) and of a forwarding monitor: no port stays bound unless a monitor that runs
# the container holds it, the container can be started again on the same port or removed, and
# a second `run -p` on the port succeeds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
# shellcheck source=portlib.sh
source "$(dirname "$0")/portlib.sh"
require_registry
require_cmd strace curl ss
img=$(busybox_image)
p=$(free_port)

killed_at() {  # SYSCALL N SKIFF-ARGS...
  local sc=$1 n=$2 rc=0
  shift 2
  _lib_trace "skiff $* (killed at $sc #$n)"
  strace -f -o /dev/null -e trace="$sc" -e inject="$sc:error=EIO:signal=SIGKILL:when=$n" \
    "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@" >"$T/killed.out" 2>&1 || rc=$?
  [ "$rc" = 137 ] || fail "skiff $* was not killed at $sc #$n (status $rc): $(cat "$T/killed.out")"
}

i=0
for step in "listen 1" "write 1" "clone 1" "recvmsg 1"; do
  i=$((i + 1))
  # shellcheck disable=SC2086  # "SYSCALL N"
  killed_at $step run -d --name "k$i" -p "$p:80" "$img" sh -c "$(web_server)"
  # Either nothing holds the port, or a monitor runs the container and forwards it.
  if port_bound "$p"; then
    wait_until 5 http_get "$p"
  fi
  assert_success sk rm -f "k$i"
  wait_until 5 port_free "$p"
  sk run -d --name "again$i" -p "$p:80" "$img" sh -c "$(web_server)" >/dev/null
  wait_until 5 http_get "$p"
  assert_success sk rm -f "again$i"
  assert_success port_free "$p"
done
assert_eq "$(sk ps -aq)" ""
