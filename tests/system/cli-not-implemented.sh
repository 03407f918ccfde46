#!/usr/bin/env bash
# A Docker command skiff does not have yet says so plainly (no "Did you mean …?" for
# `swarm`), in a group too; a typo of a command skiff has still gets cobra's suggestion, and a
# command skiff has is never reported missing.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

run_split sk swarm
assert_eq "$status" 125 "swarm: exit status"
assert_eq "$stderr" "skiff: 'swarm' is a docker command that skiff does not implement yet.
See 'skiff --help' for the commands skiff has." "swarm: message"
assert_not_contains "$stderr" "Did you mean" "swarm: no guess"
run_split sk plugin ls
assert_eq "$status" 125 "plugin ls: exit status"
assert_contains "$stderr" "skiff: 'plugin' is a docker command that skiff does not implement yet." "plugin"
run_split sk volume update x
assert_contains "$stderr" "skiff: 'volume update' is a docker command that skiff does not implement yet." \
  "volume update"
run_split sk help swarm
assert_eq "$status" 125 "help swarm: exit status"
assert_contains "$stderr" "'swarm' is a docker command that skiff does not implement yet" "help swarm"

# Close typos of what skiff has: cobra's rule (distance <= 2 or a prefix).
run_split sk lgos
assert_contains "$stderr" $'Did you mean this?\n\tlogs\n' "lgos suggests logs"
run_split sk image pul
assert_contains "$stderr" $'Did you mean this?\n\tpull\n' "image pul suggests pull"
# Docker commands skiff has run as usual.
assert_success sk version
assert_success sk image ls
assert_success sk network ls
