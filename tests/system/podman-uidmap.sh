#!/usr/bin/env bash
# --uidmap/--gidmap/--subuidname (Podman's): the container runs in a user namespace of that
# mapping. Rootful the maps give host ids (files the container makes are owned by them on the
# host); rootless intermediate ids (0 = the user, 1.. = the subordinate ranges), so 0:1:N keeps
# the user's own uid out of the container. One map stands for both; inspect shows
# HostConfig.IDMappings and UsernsMode private; bad maps and --userns with a map are refused (125).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
me=$(id -u)

# Bad input: Podman's messages, nothing left behind.
assert_status 125 sk create --uidmap 0:x:1 "$img" true
assert_contains "$output" 'UID setting is malformed expected ["uint32:uint32:uint32"]: ["0:x:1"]'
assert_status 125 sk create --uidmap 0:1 "$img" true
assert_contains "$output" "malformed"
assert_status 125 sk create --userns host --uidmap 0:1:1 "$img" true
assert_contains "$output" "--userns and --uidmap/--gidmap/--subuidname/--subgidname are mutually exclusive"
assert_status 125 sk create --uidmap 0:100:10 --uidmap 5:200:10 "$img" true
assert_contains "$output" "conflicts with other mappings"
assert_status 125 sk create --subuidname no-such-user-here "$img" true
assert_contains "$output" 'no subuid ranges found for user "no-such-user-here" in /etc/subuid'
assert_eq "$(sk ps -aq)" "" "nothing left behind"

if [ "$me" = 0 ]; then
  base=200000 from=200000
else
  base=$(awk -F: -v u="$(id -un)" '$1 == u { print $2; exit }' /etc/subuid)
  [ -n "$base" ] || skip "no /etc/subuid range for $(id -un)"
  from=1
  # Beyond the user namespace: refused before anything is made.
  assert_status 125 sk create --uidmap 0:1:10000000 "$img" true
  assert_contains "$output" "are not all in the user namespace"
fi

mkdir -m 777 "$T/src"
echo host > "$T/src/f"
# Root inside, a mapped id outside: the map the container sees, a file it makes on a bind.
run_split sk run --rm --network none --uidmap "0:$from:5000" -v "$T/src:/src" "$img" \
  sh -c 'id -u; id -g; cat /proc/self/uid_map | wc -l; stat -c %u /bin /etc/passwd; echo c > /src/made; touch /etc/x && echo wrote'
assert_eq "$status" 0 "run with --uidmap: $stderr"
assert_eq "$stdout" "$(printf '0\n0\n1\n0\n0\nwrote')"
assert_eq "$(stat -c %u:%g "$T/src/made")" "$base:$base" "a file made inside belongs to the mapped id outside"
# The host file's owner is not mapped: nobody inside.
run_split sk run --rm --network none --uidmap "0:$from:5000" -v "$T/src:/src" "$img" stat -c %u /src/f
assert_eq "$stdout" 65534

# inspect: Podman's fields; --gidmap given alone applies to uids too (Podman's rule).
id=$(sk create --gidmap "0:$from:3000" "$img" true)
assert_eq "$(sk inspect -f '{{json .HostConfig.IDMappings}} {{.HostConfig.UsernsMode}}' "$id")" \
  "{\"UidMap\":[\"0:$from:3000\"],\"GidMap\":[\"0:$from:3000\"]} private"
id2=$(sk create --uidmap "0:$from:3000" --gidmap "0:$from:2000" "$img" true)
assert_eq "$(sk inspect -f '{{index .HostConfig.IDMappings.GidMap 0}}' "$id2")" "0:$from:2000"
# Without a map: no IDMappings, UsernsMode empty.
id3=$(sk create "$img" true)
assert_eq "$(sk inspect -f '{{.HostConfig.IDMappings}}|{{.HostConfig.UsernsMode}}' "$id3")" "<nil>|"
# A stopped uid-mapped container starts again; exec joins its namespace.
cid=$(sk run -d --network none --uidmap "0:$from:5000" "$img" sleep 300)
run_split sk exec "$cid" sh -c 'id -u; echo > /tmp/e; stat -c %u /tmp/e'
assert_eq "$stdout" "$(printf '0\n0')"
pid=$(sk inspect -f '{{.State.Pid}}' "$cid")
assert_eq "$(awk '{print $1, $2, $3}' "/proc/$pid/uid_map")" "0 $base 5000" "the container's map seen from the host"
sk rm -f -t 0 "$cid" >/dev/null

if [ "$me" = 0 ]; then
  # --subuidname: the named user's /etc/subuid ranges, from container id 0.
  user=$(awk -F: 'NR == 1 { print $1 }' /etc/subuid)
  ubase=$(awk -F: 'NR == 1 { print $2 }' /etc/subuid)
  [ -n "$user" ] || exit 0
  id4=$(sk create --subuidname "$user" "$img" true)
  assert_match "$(sk inspect -f '{{index .HostConfig.IDMappings.UidMap 0}}' "$id4")" "^0:$ubase:[0-9]+$"
  run_split sk start -a "$id4"
  assert_eq "$status" 0 "start a --subuidname container: $stderr"
fi
