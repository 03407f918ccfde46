#!/usr/bin/env bash
# rmi of an image a container uses, as Docker decides it: the last name is refused ("must
# force") while a stopped container uses the image; -f untags and deletes the image record but
# the container's layers stay until the container goes, and it still starts; a running
# container's image cannot be deleted even with -f (its name can be removed); image prune -a
# skips images in use.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
bb=$(fixture_ref busybox) lay=$(fixture_ref layered)
bb_id=$(fixture_image_id busybox) lay_id=$(fixture_image_id layered)
assert_success sk pull -q "$bb"
assert_success sk pull -q "$lay"
layers() { find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l; }

# A stopped container uses busybox.
run_split sk create --name stopped "$bb" echo still-here
assert_eq "$status" 0 "create: $stderr"
ctr=$stdout
run_split sk rmi "$bb"
assert_eq "$status" 125 "rmi of the last name of an image a container uses"
assert_eq "$stderr" "Error: conflict: unable to remove repository reference \"$bb\" (must force) - container ${ctr:0:12} is using its referenced image ${bb_id:7:12}"
run_split sk rmi "${bb_id:7:12}"
assert_eq "$status" 125 "rmi <id> of an image a stopped container uses"
assert_contains "$stderr" "conflict: unable to delete ${bb_id:7:12} (must be forced) - image is being used by stopped container ${ctr:0:12}"
# Another name can go without -f.
assert_success sk tag "$bb" extra:name
assert_success sk rmi extra:name
assert_eq "$output" "Untagged: extra:name"

# -f: the image goes, the layers it shares with the container stay, the container still runs.
n=$(layers)
run_split sk rmi -f "$bb"
assert_eq "$status" 0 "rmi -f: $stderr"
assert_contains "$stdout" "Untagged: $bb"
assert_contains "$stdout" "Deleted: $bb_id"
assert_eq "$(layers)" "$n" "the container's layers are kept"
run_split sk start -a stopped
assert_eq "$status" 0 "the container starts without its image: $stderr"
assert_eq "$stdout" still-here
# Removing the container then frees nothing layered still needs.
assert_success sk rm stopped
assert_eq "$(layers)" "$n" "layered still uses the busybox layer"
run_split sk run --rm "$lay" cat /data/a
assert_eq "$stdout" a2 "layered runs"

# A running container: its image cannot be deleted, even with -f; its last name can be removed
# with -f (Docker: "untag only").
run_split sk run -d --name running "$lay" sleep 300
assert_eq "$status" 0 "run -d: $stderr"
rctr=$stdout
defer "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" rm -f running
run_split sk rmi -f "${lay_id:7:12}"
assert_eq "$status" 125 "rmi -f <id> of an image a running container uses"
assert_contains "$stderr" "conflict: unable to delete ${lay_id:7:12} (cannot be forced) - image is being used by running container ${rctr:0:12}"
run_split sk rmi "$lay"
assert_eq "$status" 125
assert_contains "$stderr" "(must force) - container ${rctr:0:12} is using its referenced image ${lay_id:7:12}"
# image prune -a leaves it alone (it is in use), and says nothing was reclaimed.
run_split sk image prune -a -f
assert_eq "$status" 0
assert_eq "$stdout" "Total reclaimed space: 0B"
assert_success sk image inspect "$lay"
run_split sk rmi -f "$lay"
assert_eq "$status" 0 "rmi -f of the last name while running: untag only"
assert_eq "$stdout" "Untagged: $lay"$'\n'"Untagged: $REG_HTTP/layered@$(fixture_digest layered)"
assert_success sk image inspect "$lay_id"
run_split sk ps --format '{{.ID}} {{.Status}}'
assert_match "$stdout" "^${rctr:0:12} Up " "the container still runs"
assert_success sk rm -f running
# Now the untagged image is dangling and prune removes it with all its layers.
run_split sk image prune -f
assert_eq "$status" 0
assert_contains "$stdout" $'Deleted Images:\ndeleted: '"$lay_id"
assert_match "$stdout" 'Total reclaimed space: [0-9.]+MB$'
assert_eq "$(layers)" 0 "no layer left"
assert_success sk system check
