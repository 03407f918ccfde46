#!/usr/bin/env bash
# The "test host" of the network tests (issue 11): a network namespace joined to this host by
# a veth pair with addresses of our choosing (198.18.N.0/24, the benchmarking range, N a slot
# claimed with a lock so that concurrent runs never share one), holding a web server (busybox
# httpd) and a DNS server (dnsmasq) that answers web.skiff.test with the test host's address.
# Nothing is ever sent anywhere but there or loopback.
#
# Sourced by run.sh (as root) when a selected test has "# harness: nethost":
#   nethost_up DIR     sets up, exports NETHOST_IP NETHOST_NAME NETHOST_GW NETHOST_NS
#                      NETHOST_RESOLV (a resolv.conf naming the test DNS server)
#   nethost_wrap CMD…  runs CMD in a private mount namespace whose /etc/resolv.conf is
#                      NETHOST_RESOLV, so the stacks' DNS forwarders ask the test host only
#   nethost_down       removes everything it made
# A test run alone as root sets one up for itself the same way (nethost_self).

nethost_up() {  # DIR
  local dir=$1 n fd
  mkdir -p "$dir/www"
  for n in $(seq 1 60); do
    exec {fd}>"/run/skiff-nethost.$n.lock"
    if flock -n "$fd"; then break; fi
    exec {fd}>&-
    n=
  done
  [ -n "$n" ] || { echo "nethost: no free slot" >&2; return 1; }
  _NETHOST_LOCKFD=$fd
  NETHOST_NS=skiff-nh$n
  NETHOST_GW=198.18.$n.1
  NETHOST_IP=198.18.$n.2
  NETHOST_NAME=web.skiff.test
  NETHOST_RESOLV=$dir/resolv.conf
  _NETHOST_HOSTIF=sknh$n
  # A slot left by a killed run: clear it first.
  ip netns del "$NETHOST_NS" 2>/dev/null || true
  ip link del "$_NETHOST_HOSTIF" 2>/dev/null || true
  ip netns add "$NETHOST_NS"
  ip link add "$_NETHOST_HOSTIF" type veth peer name eth0 netns "$NETHOST_NS"
  ip addr add "$NETHOST_GW/24" dev "$_NETHOST_HOSTIF"
  ip link set "$_NETHOST_HOSTIF" up
  ip -n "$NETHOST_NS" addr add "$NETHOST_IP/24" dev eth0
  ip -n "$NETHOST_NS" link set eth0 up
  ip -n "$NETHOST_NS" link set lo up
  ip -n "$NETHOST_NS" route add default via "$NETHOST_GW"
  echo "hello from the test host" >"$dir/www/index.html"
  chmod -R a+rX "$dir"
  ip netns exec "$NETHOST_NS" busybox httpd -f -p "$NETHOST_IP:80" -h "$dir/www" &
  _NETHOST_PIDS=$!
  ip netns exec "$NETHOST_NS" dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll \
    --listen-address="$NETHOST_IP" --bind-interfaces --port=53 --pid-file= --user=root \
    --address="/$NETHOST_NAME/$NETHOST_IP" --log-facility=- -q 2>"$dir/dnsmasq.log" &
  _NETHOST_PIDS="$_NETHOST_PIDS $!"
  printf 'nameserver %s\n' "$NETHOST_IP" >"$NETHOST_RESOLV"
  chmod 0644 "$NETHOST_RESOLV"
  local i
  for i in $(seq 1 50); do
    if ip netns exec "$NETHOST_NS" sh -c "exec 3<>/dev/tcp/$NETHOST_IP/80" 2>/dev/null; then break; fi
    sleep 0.1
  done
  export NETHOST_IP NETHOST_NAME NETHOST_GW NETHOST_NS NETHOST_RESOLV
}

nethost_wrap() {  # CMD...
  unshare -m --propagation private sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' "$NETHOST_RESOLV" "$@"
}

nethost_down() {
  local p
  for p in ${_NETHOST_PIDS:-}; do kill "$p" 2>/dev/null || true; done
  for p in ${_NETHOST_PIDS:-}; do wait "$p" 2>/dev/null || true; done
  [ -z "${NETHOST_NS:-}" ] || ip netns del "$NETHOST_NS" 2>/dev/null || true
  [ -z "${_NETHOST_HOSTIF:-}" ] || ip link del "$_NETHOST_HOSTIF" 2>/dev/null || true
  [ -z "${_NETHOST_LOCKFD:-}" ] || exec {_NETHOST_LOCKFD}>&-
  _NETHOST_PIDS= NETHOST_NS= _NETHOST_HOSTIF= _NETHOST_LOCKFD=
}
