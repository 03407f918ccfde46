#!/usr/bin/env bash
# After a reboot: `start --all --filter restart-policy=always` (what skiff-restart.service runs)
# starts the stopped containers with that policy and no other; ps filters on the policy; the
# shipped unit passes systemd-analyze verify and its ExecStart/ExecStop work.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

sk create --name keep --restart always "$img" sleep 100 >/dev/null
sk create --name once "$img" sleep 100 >/dev/null
sk create --name flaky --restart on-failure:3 "$img" sleep 100 >/dev/null
run_split sk start --all --filter restart-policy=always
assert_eq "$status" 0
assert_eq "$stdout" "$(sk inspect -f '{{.Id}}' keep)" "start --all prints full IDs, as Podman"
assert_match "$(ctr_status keep)" '^Up '
assert_eq "$(ctr_status once)" Created
assert_eq "$(sk ps -a --filter restart-policy=always --format '{{.Names}}')" keep
assert_eq "$(sk ps -a --filter restart-policy=no --format '{{.Names}}')" once
assert_success sk start --all --filter restart-policy=always  # again: keep runs already
assert_match "$(ctr_status keep)" '^Up '
assert_eq "$(ctr_status flaky)" Created
assert_success sk start --all --filter name=flaky --filter label=none
assert_eq "$output" "" "filters of different keys all apply"
assert_status 125 sk start --all --filter color=blue
assert_contains "$output" "invalid filter 'color'"
assert_status 125 sk start --all keep
assert_contains "$output" "cannot be used together"

# The shipped unit, with this test's store.
unit=$SUITE_DIR/../packaging/systemd/skiff-restart.service
[ -f "$unit" ] || unit=$SUITE_DIR/../../packaging/systemd/skiff-restart.service  # alone
[ -f "$unit" ] || skip "packaging/ not found next to the suite"
sed "s|/usr/bin/skiff|$SKIFF --root $SKIFF_ROOT --runroot $SKIFF_RUNROOT|g" "$unit" >"$T/skiff-restart.service"
assert_success systemd-analyze verify --man=no "$T/skiff-restart.service"
sk stop -t 0 keep >/dev/null
line=$(grep '^ExecStart=' "$T/skiff-restart.service" | cut -d= -f2-)
LOGGING=--log-level=info
eval "$line"
assert_match "$(ctr_status keep)" '^Up '
line=$(grep '^ExecStop=' "$T/skiff-restart.service" | cut -d= -f2-)
line=${line//\$\$/\$}
eval "$line"
assert_match "$(ctr_status keep)" '^Exited'
assert_eq "$(ctr_status once)" Created
