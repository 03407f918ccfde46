#!/usr/bin/env bash
# CVE-2019-5736: with skiff installed where the user can write (a copy in $T/bin, owned by the
# test user: rootless, container root *is* that user), root in a container cannot open the
# skiff binary through /proc/<pid>/exe, neither of an exec'd process before it runs its
# command (held there: strace delays the CLI's "go") nor of pid 1 when it is skiff's --init,
# not for writing and not even for reading (both processes are not dumpable). And the binary
# cannot be opened for writing at all while a container runs: its monitor executes it
# (ETXTBSY), which also covers the `#!/proc/self/exe` route that would re-execute skiff.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd strace
mkdir "$T/bin"
cp "$SKIFF" "$T/bin/skiff"
SKIFF=$T/bin/skiff
sum=$(md5sum <"$SKIFF")
img=$(busybox_image)

cat >"$T/probe.sh" <<'EOF2'
# Every process but ourselves: its exe if readable, else whether it can be opened anyway.
self=$$
for p in /proc/[0-9]*; do
  n=${p#/proc/}
  [ "$n" = "$self" ] && continue
  comm=$(cat "$p/comm" 2>/dev/null) || continue
  if l=$(readlink "$p/exe" 2>/dev/null); then
    echo "$n $comm exe=$l"
  else
    r=no w=no
    if cat "$p/exe" >/dev/null 2>&1; then r=yes; fi
    if (: >>"$p/exe") 2>/dev/null; then w=yes; fi
    echo "$n $comm hidden read=$r write=$w"
  fi
done
EOF2

sk run -d --init --name se -v "$T/probe.sh:/probe.sh:ro" "$img" sleep 1000 >/dev/null
run_split sk exec se sh /probe.sh
assert_eq "$status" 0 "probe: $stderr"
assert_contains "$stdout" "1 skiff hidden read=no write=no" "pid 1 (--init) is skiff and out of reach"
assert_contains "$stdout" "2 sleep exe=/bin/busybox"

# An exec'd process held just before it runs its command: strace delays the CLI's first
# sendto (the "go" to the exec monitor) by 3 s.
strace -o /dev/null -e trace=sendto -e inject=sendto:delay_enter=3000000:when=1 \
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" exec se echo released >"$T/held.out" 2>&1 &
held=$!
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' exec se sh /probe.sh | grep -v '^1 ' | grep -q ' skiff hidden'"
run_split sk exec se sh /probe.sh
assert_match "$stdout" $'\n([2-9]|[1-9][0-9]+) skiff hidden read=no write=no(\n|$)' "the held exec'd process"
assert_not_contains "$stdout" "read=yes"
assert_not_contains "$stdout" "write=yes"
wait "$held"
assert_eq "$(cat "$T/held.out")" released

# While a container runs, its monitor executes the binary: nobody can open it for writing.
if (: >>"$SKIFF") 2>"$T/txt.err"; then fail "the skiff binary could be opened for writing while a container runs"; fi
assert_contains "$(cat "$T/txt.err")" "Text file busy"
# The #!/proc/self/exe route (re-execute skiff as the container's root, then read its exe):
# here the kernel does not even resolve /proc/self/exe of a process whose binary lies outside
# the container's mounts (ENOENT: 127); where it would, skiff runs and fails on its arguments.
sk exec se sh -c 'printf "#!/proc/self/exe\n" >/evil; chmod +x /evil'
run sk exec se /evil
[ "$status" = 127 ] || [ "$status" = 125 ] || fail "exec of a #!/proc/self/exe script: status $status: $output"
run sk exec se /proc/self/exe version
[ "$status" = 127 ] || [ "$status" = 125 ] || fail "exec of /proc/self/exe: status $status: $output"
sk rm -f se >/dev/null
assert_eq "$(md5sum <"$SKIFF")" "$sum" "the skiff binary is unchanged"
