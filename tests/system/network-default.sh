#!/usr/bin/env bash
# The default network (issue 11): a container with no --network (and bridge, private, default)
# has loopback, an interface with an address, a default route and a resolv.conf nameserver that
# answers; it fetches a page from the test host (nethost.sh) by address and by a name resolved
# through the test host's DNS server, and pings it: with pasta, and with the built-in libslirp
# stack when pasta is hidden from PATH. The stack dies with the container: no helper is left
# after a stop, a kill -9 of the monitor, or rm -f.
# harness: nethost timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd pasta
[ -n "${NETHOST_IP:-}" ] || skip "needs the test host that run.sh sets up as root (# harness: nethost)"
img=$(busybox_image)

# PATH without pasta (a directory of links to what skiff runs).
mkdir -p "$T/nopasta"
for p in newuidmap newgidmap ps; do
  if command -v "$p" >/dev/null; then ln -s "$(command -v "$p")" "$T/nopasta/$p"; fi
done

outbound() {  # LABEL [ENV…] -- [RUN ARGS…]
  local label=$1 envs=()
  shift
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  run_split env "${envs[@]}" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$@" "$img" \
    timeout 20 wget -q -O - "http://$NETHOST_IP/"
  assert_eq "$stdout" "hello from the test host" "$label: a page by address ($stderr)"
  run_split env "${envs[@]}" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$@" "$img" \
    timeout 20 wget -q -O - "http://$NETHOST_NAME/"
  assert_eq "$stdout" "hello from the test host" "$label: a page by name, resolved by the test host's DNS ($stderr)"
  run_split env "${envs[@]}" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$@" \
    --cap-add NET_RAW "$img" ping -c 1 -W 5 "$NETHOST_IP"
  assert_eq "$status" 0 "$label: ICMP echo ($stdout $stderr)"  # busybox's ping needs a raw socket
}

# pasta: the default when installed, whatever the spelling.
for spelling in "" bridge private default; do
  run_split sk run --rm ${spelling:+--network "$spelling"} "$img" sh -c \
    'ip -o -4 addr show | grep -v " lo " | wc -l; ip route | grep -c "^default"; grep -c ^nameserver /etc/resolv.conf'
  assert_eq "$stdout" $'1\n1\n1' "an interface, a default route, a nameserver (--network '$spelling') $stderr"
done
outbound pasta --
assert_eq "$(sk run --rm "$img" cat /etc/resolv.conf | grep ^nameserver)" "nameserver 169.254.1.1" "pasta's DNS forwarder"
sk create --name pc "$img" true >/dev/null
assert_eq "$(sk inspect -f '{{.HostConfig.NetworkMode}}' pc)" "bridge" "NetworkMode of the default"
sk rm pc >/dev/null

# The built-in stack: pasta out of PATH, and named in containers.conf.
outbound "built-in (no pasta in PATH)" PATH="$T/nopasta" --
run_split env PATH="$T/nopasta" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$img" \
  sh -c 'ip -o -4 addr show tap0 | awk "{print \$4}"; grep ^nameserver /etc/resolv.conf; grep host.containers.internal /etc/hosts | wc -l'
assert_eq "$stdout" $'10.0.2.100/24\nnameserver 10.0.2.3\n1' "built-in addresses, resolv.conf and hosts"
mkdir -p "$XDG_CONFIG_HOME/containers"
printf '[network]\ndefault_rootless_network_cmd = "builtin"\n' >"$T/builtin.conf"
outbound "built-in (containers.conf)" CONTAINERS_CONF="$T/builtin.conf" --

# No helper outlives its container: stop, kill -9 of the monitor, rm -f.
helper_of() {  # MONITOR PID → the pasta child
  pgrep -P "$1" -x passt.avx2 || pgrep -P "$1" -x passt || pgrep -P "$1" -x pasta || true
}
gone() { ! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
for how in stop kill rm; do
  sk run -d --name "h-$how" "$img" sleep 1000 >/dev/null
  mon=$(ctr_monitor_pid "h-$how")
  helper=$(helper_of "$mon")
  [ -n "$helper" ] || fail "no pasta under the monitor of h-$how"
  case $how in
    stop) sk stop -t 0 "h-$how" >/dev/null ;;
    kill) kill -9 "$mon" ;;
    rm) sk rm -f "h-$how" >/dev/null ;;
  esac
  wait_until 5 gone "$helper" || fail "pasta ($helper) still runs after $how"
done

# --network none is unchanged: loopback only, no helper.
run_split sk run --rm --network none "$img" sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
assert_eq "$stdout" "lo" "--network none: loopback only"
sk run -d --name n1 --network none "$img" sleep 1000 >/dev/null
assert_eq "$(pgrep -P "$(ctr_monitor_pid n1)" | wc -l)" "1" "--network none: the monitor's only child is the container"
sk rm -f n1 >/dev/null
