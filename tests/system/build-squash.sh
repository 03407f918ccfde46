#!/usr/bin/env bash
# --squash: the layers the build added become one layer on top of the base image's (files
# added, changed and deleted as in the unsquashed image), history keeps every row with one
# "merge" row for the layer, and the image runs as the unsquashed one does.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir ctx
echo data >ctx/data.txt
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
COPY data.txt /app/data.txt
RUN echo one > /app/one && echo tmp > /app/tmp
RUN rm /app/tmp /bin/ls && echo two >> /app/one
CMD ["cat", "/app/one", "/app/data.txt"]
DOCKERFILE
assert_success sk build -q -t sq:plain ctx
run_split sk build --squash -t sq:squashed ctx
assert_eq "$status" 0 "squash build ($stderr)"
base=$(sk inspect --format '{{len .RootFS.Layers}}' "$ref")
assert_eq "$(sk inspect --format '{{len .RootFS.Layers}}' sq:plain)" "$((base + 3))" "unsquashed: three layers"
assert_eq "$(sk inspect --format '{{len .RootFS.Layers}}' sq:squashed)" "$((base + 1))" "squashed: one layer"
assert_eq "$(sk run --rm sq:squashed)" "one
two
data" "the squashed image runs as the other"
assert_status 1 sk run --rm sq:squashed test -e /app/tmp
assert_status 1 sk run --rm sq:squashed test -e /bin/ls
run_split sk history --no-trunc --format '{{.Comment}}' sq:squashed
assert_contains "$stdout" "merge sha256:" "the merge row"
