#!/usr/bin/env bash
# `history` as Docker prints it: IMAGE CREATED CREATED BY SIZE COMMENT, newest step first, the
# image ID on the top row and <missing> below, CREATED BY cut at 45 columns with "…" unless
# --no-trunc, sizes per layer (0B for empty_layer steps), -q, -H=false (CREATED AT, bytes),
# --format; unknown image → "No such image".
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry
ref=$(fixture_ref layered)
id=$(fixture_image_id layered)
assert_success sk pull -q "$ref"
cfg=$FIXTURES_DIR/oci/layered/blobs/sha256/${id#sha256:}

# The steps, newest first, from the image config.
mapfile -t steps < <(jq -r '.history | reverse | .[].created_by' "$cfg")
mapfile -t empty < <(jq -r '.history | reverse | .[] | (.empty_layer // false)' "$cfg")
n=${#steps[@]}
assert_eq "$n" 5 "the fixture has 5 history entries"

# Docker's Ellipsis(s, 45): s itself when it fits, else its first 44 characters and "…".
ellipsis() { if [ ${#1} -le 45 ]; then echo "$1"; else echo "${1:0:44}…"; fi; }

run_split sk history "$ref"
assert_eq "$status" 0
mapfile -t lines <<<"$stdout"
assert_match "${lines[0]}" '^IMAGE +CREATED +CREATED BY +SIZE +COMMENT$' "header"
assert_eq "${#lines[@]}" $((n + 1)) "a row per step"
by_col=${lines[0]%%CREATED BY*}
size_col=${lines[0]%%SIZE*}
for ((i = 0; i < n; i++)); do
  row=${lines[$((i + 1))]}
  if [ $i = 0 ]; then assert_eq "${row:0:12}" "${id:7:12}" "top row: the image ID"
  else assert_eq "${row:0:9}" "<missing>" "row $i: <missing>"; fi
  assert_match "$row" '^[^ ]+ +[0-9]+ years? ago +' "row $i: CREATED"
  # CREATED BY starts at its header's column and is cut at 45 characters.
  got=${row:${#by_col}}
  want=$(ellipsis "${steps[$i]}")
  assert_eq "${got:0:${#want}}" "$want" "row $i: CREATED BY"
  size=$(awk '{print $1}' <<<"${row:${#size_col}}")
  if [ "${empty[$i]}" = true ]; then assert_eq "$size" 0B "row $i: an empty_layer step has no size"
  else assert_match "$size" '^[0-9.]+(B|kB|MB)$' "row $i: size"; fi
done
# Sizes: the busybox layer is the bottom step.
assert_match "${lines[$n]}" ' [0-9.]+MB +$' "bottom row: the busybox layer"
# The layer sizes are the bytes of file data in each layer: a2 x2 etc. (layer 4: x = "x2\n", n2 = "n2\n").
assert_match "${lines[2]}" ' 6B +$' "layer 4's size"

# --no-trunc: full ID and CREATED BY.
run_split sk history --no-trunc --format '{{.ID}}|{{.CreatedBy}}' "$ref"
mapfile -t rows <<<"$stdout"
assert_eq "${rows[0]}" "$id|${steps[0]}" "--no-trunc top row"
for ((i = 1; i < n; i++)); do assert_eq "${rows[$i]}" "<missing>|${steps[$i]}" "--no-trunc row $i"; done

# -q: the IDs column only.
run_split sk history -q "$ref"
assert_eq "$stdout" "${id:7:12}"$'\n'"$(for ((i = 1; i < n; i++)); do echo '<missing>'; done)" "history -q"
run_split sk history -q --no-trunc "$ref"
assert_eq "$(head -1 <<<"$stdout")" "$id" "history -q --no-trunc"

# -H=false: CREATED AT in RFC 3339 and sizes in bytes.
run_split sk history -H=false "$ref"
assert_match "$(head -1 <<<"$stdout")" '^IMAGE +CREATED AT +CREATED BY +SIZE +COMMENT$' "-H=false header"
assert_match "$(sed -n 2p <<<"$stdout")" '^[0-9a-f]{12} +2023-11-14T22:13:20Z +' "-H=false date"
assert_match "$(sed -n 3p <<<"$stdout")" ' 6 +$' "-H=false sizes in bytes"

# --format.
assert_success sk pull -q "$(fixture_ref busybox)"
run_split sk history --format '{{.ID}} {{.Size}} {{.CreatedAt}}' "$(fixture_ref busybox)"
assert_match "$stdout" "^$(cut -c8-19 <<<"$(fixture_image_id busybox)") 0B 2023-11-14T22:13:20Z"$'\n'"<missing> [0-9.]+MB 2023-11-14T22:13:20Z\$" "--format"
run_split sk history --format json "$(fixture_ref busybox)"
assert_eq "$(head -1 <<<"$stdout" | jq -r 'keys_unsorted | join(" ")')" "Comment CreatedAt CreatedBy CreatedSince ID Size" "json keys"
assert_eq "$(jq -s 'length' <<<"$stdout")" 2 "json: one object per line"

# By ID, and errors.
assert_eq "$(sk history -q "${id:7:12}" | head -1)" "${id:7:12}" "history by short ID"
run_split sk history nosuchimage
assert_eq "$status" 125
assert_contains "$stderr" "No such image: nosuchimage"
