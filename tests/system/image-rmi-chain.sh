#!/usr/bin/env bash
# The seeds' commit example, then rmi as Docker does it: busybox -> commit_test:first ->
# commit_test:second (each committed from a container). `history` names the local parents by ID
# (Docker's image_history.go), the in-use conflict names the image as typed, and rmi of the last
# name deletes the image and its untagged parent chain that nothing else uses, printing a
# `Deleted:` line for each image and layer; a tagged parent (busybox) stays. --no-prune keeps
# the parents.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
bb_id=$(fixture_image_id busybox)
assert_success sk pull -q "$ref"

assert_success sk run --name commit_test "$ref" sh -c 'echo test_first!! >> first'
first_id=$(sk commit -a author -m commit_message commit_test commit_test:first)
assert_success sk run --name commit_test2 commit_test:first sh -c 'echo test_second!! >> second'
second_id=$(sk commit -a author -m commit_message commit_test2 commit_test:second)
assert_success sk tag commit_test:second commit_test:latest

# history: the image, its parent, the parent's parent (busybox, whose history has two steps:
# its top one is busybox itself, the one below is <missing>).
run_split sk history -q --no-trunc commit_test:second
assert_eq "$stdout" "$second_id
$first_id
$bb_id
<missing>" "history names the local parent chain"
run_split sk history --format '{{.ID}}' commit_test:first
assert_eq "$stdout" "${first_id:7:12}
${bb_id:7:12}
<missing>" "history of the middle image"

# The in-use conflict names the image as it was typed.
run_split sk rmi commit_test:first
assert_eq "$status" 125 "rmi of an image a container uses"
assert_eq "$stderr" "Error: conflict: unable to remove repository reference \"commit_test:first\" (must force) - container $(sk inspect --format '{{.Id}}' commit_test2 | cut -c1-12) is using its referenced image ${first_id:7:12}"
assert_success sk rm commit_test2
run_split sk rmi commit_test:first
assert_eq "$stdout" "Untagged: commit_test:first" "a parent with a child is only untagged"

# The image keeps another tag: untag only.
run_split sk rmi commit_test:second
assert_eq "$stdout" "Untagged: commit_test:second" "rmi of one of two tags"

# The last tag: the image, its layer, then the untagged parent and its layer; busybox stays.
layers_before=$(find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l)
run_split sk rmi commit_test:latest
assert_eq "$status" 0 "rmi of the last tag ($stderr)"
mapfile -t lines <<<"$stdout"
assert_eq "${#lines[@]}" 5 "untag + image, layer, parent image, parent layer: $stdout"
assert_eq "${lines[0]}" "Untagged: commit_test:latest"
assert_eq "${lines[1]}" "Deleted: $second_id"
assert_match "${lines[2]}" '^Deleted: sha256:[0-9a-f]{64}$' "the image's layer"
assert_eq "${lines[3]}" "Deleted: $first_id" "the untagged parent goes too"
assert_match "${lines[4]}" '^Deleted: sha256:[0-9a-f]{64}$' "the parent's layer"
assert_eq "$(find "$SKIFF_ROOT/layers" -mindepth 1 -maxdepth 1 -type d | wc -l)" $((layers_before - 2)) "two layers removed"
assert_eq "$(sk images -a -q --no-trunc)" "$bb_id" "only busybox is left"
run sk system check
assert_contains "$output" "no problems"

# A parent a container uses stays (Docker prunes quietly, stopping at the first conflict);
# --no-prune keeps untagged parents.
assert_success sk rm commit_test
assert_success sk run --name c1 "$ref" sh -c 'echo 1 > one'
p_id=$(sk commit c1 chain:parent)
assert_success sk run --name c2 chain:parent sh -c 'echo 2 > two'
c_id=$(sk commit c2 chain:child)
assert_success sk rmi -f chain:parent
run_split sk rmi chain:child
assert_eq "$(grep -c '^Deleted: ' <<<"$stdout")" 2 "a parent used by a container stays: $stdout"
assert_contains "$(sk images -a -q --no-trunc)" "$p_id"
assert_success sk rm c2
c2_id=$(sk commit c1 chain:again)
assert_success sk run --name c3 chain:again sh -c 'echo 3 > three'
c3_id=$(sk commit c3 chain:top)
assert_success sk rm c3
assert_success sk rmi chain:again
run_split sk rmi --no-prune chain:top
assert_eq "$(grep -c '^Deleted: ' <<<"$stdout")" 2 "--no-prune: only the image and its layer: $stdout"
assert_contains "$(sk images -a -q --no-trunc)" "$c2_id" "--no-prune keeps the parent"
assert_not_contains "$(sk images -a -q --no-trunc)" "$c3_id"
: "$c_id"
