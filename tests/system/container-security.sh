#!/usr/bin/env bash
# What a process sees of its confinement: default capabilities, seccomp, and no_new_privs off
# (Docker's and Podman's default: setuid programs work); masked and read-only paths; only fds
# 0-2; and each security flag (--privileged, --cap-add/--cap-drop, --security-opt
# seccomp=unconfined|FILE, no-new-privileges[=|:true|false], containers.conf no_new_privileges,
# -u).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

caps() { grep -E '^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):' /proc/self/status | tr -d '\t' | tr '\n' ' '; }

# Defaults (Podman's default set for root: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID SETUID
# SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP).
run_split sk run --rm "$img" grep -E '^(Cap|NoNewPrivs|Seccomp:)' /proc/self/status
assert_eq "$status" 0
assert_eq "$(echo "$stdout" | tr -d '\t')" "CapInh:0000000000000000
CapPrm:00000000800405fb
CapEff:00000000800405fb
CapBnd:00000000800405fb
CapAmb:0000000000000000
NoNewPrivs:0
Seccomp:2" "default capabilities, no_new_privs off, seccomp"

# Masked and read-only paths, fds, and what the default seccomp profile refuses.
cat >"$T/probe.sh" <<'EOF'
for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
  [ -e "$f" ] || continue
  if [ -c "$f" ] && [ ! -s "$f" ]; then echo "masked $f"; else echo "VISIBLE $f"; fi
done
[ -z "$(ls -A /proc/acpi)" ] && [ -z "$(ls -A /sys/firmware)" ] && echo "masked dirs empty"
touch /proc/acpi/x 2>/dev/null && echo "WRITABLE /proc/acpi"
echo 1 2>/dev/null >/proc/sys/kernel/shmmax && echo "WRITABLE /proc/sys"
touch /proc/sys/x 2>/dev/null; grep -q ' /proc/sys proc ro,' /proc/mounts && echo "/proc/sys ro"
echo c 2>/dev/null >/proc/sysrq-trigger && echo "WRITABLE sysrq-trigger"
grep -q ' /sys sysfs ro,' /proc/mounts && echo "/sys ro"
echo "fds:" $(ls /proc/self/fd)
unshare -U true 2>/dev/null && echo "UNSHARE ALLOWED"
echo done
EOF
run_split sk run --rm -v "$T/probe.sh:/probe.sh:ro" "$img" sh /probe.sh
assert_eq "$status" 0 "probe: $stderr"
assert_not_contains "$stdout" VISIBLE
assert_not_contains "$stdout" WRITABLE
assert_not_contains "$stdout" "UNSHARE ALLOWED"
assert_contains "$stdout" "masked /proc/keys"
[ ! -e /proc/kcore ] || assert_contains "$stdout" "masked /proc/kcore"
assert_contains "$stdout" "masked dirs empty"
assert_contains "$stdout" "/proc/sys ro"
assert_contains "$stdout" "/sys ro"
# ls's own directory fd is the 4th entry: nothing of the monitor's or the CLI's reached it.
assert_contains "$stdout" "fds: 0 1 2 3"$'\n'
assert_contains "$stdout" done

# Not root: no capabilities at all, the bounding set unchanged.
run_split sk run --rm -u nobody "$img" sh -c "$(declare -f caps); caps"
assert_eq "$stdout" "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:00000000800405fb CapAmb:0000000000000000 NoNewPrivs:0 Seccomp:2 "
run_split sk run --rm -u nobody --security-opt no-new-privileges "$img" sh -c "$(declare -f caps); caps"
assert_eq "$stdout" "CapInh:0000000000000000 CapPrm:0000000000000000 CapEff:0000000000000000 CapBnd:00000000800405fb CapAmb:0000000000000000 NoNewPrivs:1 Seccomp:2 "

# --cap-add / --cap-drop (names with or without CAP_, any case), and ALL.
run_split sk run --rm --cap-add NET_ADMIN --cap-drop cap_chown "$img" grep CapEff /proc/self/status
assert_eq "$stdout" $'CapEff:\t00000000800415fa'
run_split sk run --rm --cap-drop ALL --cap-add kill "$img" grep CapEff /proc/self/status
assert_eq "$stdout" $'CapEff:\t0000000000000020'
run_split sk run --rm --cap-add NET_ADMIN -u nobody "$img" grep CapEff /proc/self/status
assert_eq "$stdout" $'CapEff:\t0000000000001000' "--cap-add for a non-root user (ambient)"
assert_status 125 sk run --rm --cap-add NOSUCHCAP "$img" true
assert_contains "$output" 'unknown capability: "CAP_NOSUCHCAP"'

# --privileged: every capability this host lets us have, no seccomp, nothing masked.
host_bnd=$(awk '/^CapBnd/ {print $2}' /proc/self/status)
run_split sk run --rm --privileged "$img" sh -c "$(declare -f caps); caps; [ ! -c /proc/keys ] || echo masked"
assert_eq "$status" 0 "--privileged: $stderr"
assert_contains "$stdout" "CapEff:$host_bnd "
assert_contains "$stdout" "Seccomp:0 "
assert_not_contains "$stdout" masked

# seccomp=unconfined, seccomp=FILE, no-new-privileges=false.
run_split sk run --rm --security-opt seccomp=unconfined "$img" sh -c "$(declare -f caps); caps"
assert_contains "$stdout" "NoNewPrivs:0 Seccomp:0 "
cat >"$T/seccomp.json" <<'EOF'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
EOF
run_split sk run --rm --security-opt "seccomp=$T/seccomp.json" "$img" sh -c 'mkdir /x; echo rc=$?; grep Seccomp: /proc/self/status'
assert_contains "$stdout" "rc=1"
assert_contains "$stdout" $'Seccomp:\t2'
assert_contains "$stderr" "Permission denied"
# no-new-privileges: off by default; on with the option in each of Docker's spellings, for the
# container's processes and its exec'd ones; containers.conf turns it on for new containers.
for so in no-new-privileges no-new-privileges=true no-new-privileges:true; do
  run_split sk run --rm --security-opt "$so" "$img" sh -c "$(declare -f caps); caps"
  assert_contains "$stdout" "NoNewPrivs:1 Seccomp:2 " "--security-opt $so"
done
for so in no-new-privileges=false no-new-privileges:false; do
  run_split sk run --rm --security-opt "$so" "$img" sh -c "$(declare -f caps); caps"
  assert_contains "$stdout" "NoNewPrivs:0 Seccomp:2 " "--security-opt $so"
done
sk run -d --name nnp --security-opt no-new-privileges "$img" sleep 1000 >/dev/null
sk run -d --name plain "$img" sleep 1000 >/dev/null
assert_eq "$(sk exec nnp grep NoNewPrivs /proc/self/status | tr -d '\t')" "NoNewPrivs:1" "exec in a no-new-privileges container"
assert_eq "$(sk exec -u nobody plain grep NoNewPrivs /proc/self/status | tr -d '\t')" "NoNewPrivs:0" "exec by default"
sk rm -f nnp plain >/dev/null
printf '[containers]\nno_new_privileges = true\n' >"$T/nnp.conf"
run_split env CONTAINERS_CONF="$T/nnp.conf" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm "$img" grep NoNewPrivs /proc/self/status
assert_eq "$stdout" $'NoNewPrivs:\t1' "containers.conf no_new_privileges = true"
run_split env CONTAINERS_CONF="$T/nnp.conf" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" run --rm --security-opt no-new-privileges=false "$img" grep NoNewPrivs /proc/self/status
assert_eq "$stdout" $'NoNewPrivs:\t0' "--security-opt no-new-privileges=false over containers.conf"
run_split env CONTAINERS_CONF="$T/nnp.conf" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" info --format '{{.Security.NoNewPrivileges}}'
assert_eq "$stdout" true "info with containers.conf no_new_privileges"
assert_eq "$(sk info --format '{{.Security.NoNewPrivileges}}')" false "info by default"
assert_status 125 sk run --rm --security-opt no-new-privileges=maybe "$img" true
assert_status 125 sk run --rm --security-opt seccomp=/nonexistent.json "$img" true
assert_status 125 sk run --rm --security-opt bogus=1 "$img" true
