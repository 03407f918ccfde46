#!/usr/bin/env bash
# CVE-2024-21626 class: a process started in a container (exec, or the container's first
# process) must never get a working directory outside the container's root. A host directory
# fd held across the chdir would make `/proc/self/fd/N` resolve to it, and `../../..` from there
# is the host's `/`. A host canary file readable only by the test's user (rootless) or root is
# the target; every fd number 3..64 is tried as `exec -w /proc/self/fd/N`, through the
# container's WorkingDir replaced by a symlink to /proc/self/fd/N (planted by the container),
# as `run -w /proc/self/fd/N`, and through a symlinked WorkingDir at a container's start.
# Every attempt must fail or run inside the container; `cp` through the planted link, both
# ways, must not reach the host either. Legitimate working directories (a
# symlink to a directory, one climbing above the root, a missing one) still work.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

secret="canary-$RANDOM$RANDOM"
mkdir "$T/host"
printf '%s\n' "$secret" >"$T/host/canary"
chmod 0600 "$T/host/canary"
up=$(printf '../%.0s' $(seq 24))
target="${up}${T#/}/host/canary"   # from any host directory, climbs to / then down to it
probe="cat $target 2>/dev/null; pwd"

check() {  # WHAT: $output of the attempt must not hold the secret, and its cwd is inside
  assert_not_contains "$output" "$secret" "$1 reached the host's canary"
  if [ "$status" = 0 ]; then
    case "$output" in
      */proc/*|*unreachable*) fail "$1: the working directory is $output" ;;
    esac
  fi
}

# The planting container, as in the report: WorkingDir /app, which it replaces by a symlink.
sk run -d --name plant -w /app "$img" sleep 1000 >/dev/null
for n in $(seq 3 64); do
  run sk exec -w "/proc/self/fd/$n" plant sh -c "$probe"
  check "exec -w /proc/self/fd/$n"
  assert_success sk exec -w / plant sh -c "rm -rf /app; ln -s /proc/self/fd/$n /app"
  run sk exec plant sh -c "$probe"
  check "exec with WorkingDir /app -> /proc/self/fd/$n"
  # cp resolves every path inside the root from a helper outside the container: the link
  # leads nowhere, in either direction.
  assert_status 125 sk cp "plant:/app/." "$T/cp-out"
  assert_no_file "$T/cp-out" "cp out through /proc/self/fd/$n"
  assert_status 125 sk cp "$T/host/canary" "plant:/app/"
done
# A magic link is refused with a clear message.
assert_status 125 sk exec plant true
assert_contains "$output" "/app"

# The first process of a container: -w directly, and a WorkingDir that became a symlink (in a
# volume the test controls) when the container starts again.
mkdir "$T/vol"
sk create --name again -v "$T/vol:/vol" -w /vol/app "$img" sh -c "$probe" >/dev/null
for n in $(seq 3 64); do
  run sk run --rm -w "/proc/self/fd/$n" "$img" sh -c "$probe"
  check "run -w /proc/self/fd/$n"
  ln -sfn "/proc/self/fd/$n" "$T/vol/app"
  run sk start -a again
  check "start with WorkingDir /vol/app -> /proc/self/fd/$n"
done

# What still works: a WorkingDir symlinked to a directory of the container (absolute, or
# relative and climbing above the root: resolved inside it), and a missing one (created).
assert_success sk exec -w / plant sh -c 'rm -f /app; ln -s /tmp /app'
run_split sk exec plant pwd
assert_eq "$stdout" /tmp "WorkingDir /app -> /tmp"
assert_success sk exec -w / plant sh -c 'rm -f /app; ln -s ../../../../../../etc /app'
run_split sk exec plant pwd
assert_eq "$stdout" /etc "WorkingDir /app -> ../../../../../../etc"
run_split sk exec -w /new/dir plant pwd
assert_eq "$stdout" /new/dir "a missing working directory is created"
run_split sk run --rm -w /made/here "$img" pwd
assert_eq "$stdout" /made/here
rm "$T/vol/app"
mkdir "$T/vol/app"
run_split sk start -a again
assert_eq "$stdout" /vol/app "a WorkingDir in a volume"
sk rm -f plant again >/dev/null
