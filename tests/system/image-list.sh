#!/usr/bin/env bash
# `images` as Docker prints it: the columns and their alignment, newest first, sizes as %.3g
# base 1000 without a space, -q (unique IDs), --digests, --no-trunc, every --filter (dangling,
# reference globs, label, before, since, until), the REPO[:TAG] argument (short names too),
# --format tables, fields and json (every value a string). The test serves three images of its
# own with distinct creation dates, sizes and labels.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

# An empty store: the header and nothing else; -q prints nothing.
run_split sk images
assert_eq "$status" 0
assert_eq "$stdout" "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE" "header of an empty listing"
run_split sk images -q
assert_eq "$stdout" "" "images -q on an empty store"

# dated:{old,mid,new}: one small layer each (999 B, 1234 B, 2.5 MB of file data), labels.
il_layout dated
L=$IL_L
il_spec_layer "$L" gzip <<<"F old.bin 999"
il_add
il_image "$L" old 2024-01-01T00:00:00Z '{"Labels":{"tier":"bronze"}}'
old_id=$IL_IMAGE_ID
_IL_DESCS=() _IL_IDS=()
il_spec_layer "$L" gzip <<<"F mid.bin 1234"
il_add
il_image "$L" mid 2025-01-01T00:00:00Z '{"Labels":{"tier":"gold","shared":"yes"}}'
mid_id=$IL_IMAGE_ID
_IL_DESCS=() _IL_IDS=()
il_spec_layer "$L" gzip <<<"F new.bin 2500000"
il_add
il_image "$L" new 2026-01-01T00:00:00Z '{"Labels":{"tier":"gold"}}'
new_id=$IL_IMAGE_ID
il_serve

for t in old mid new; do assert_success sk pull -q "$IL_REG/dated:$t"; done
assert_success sk pull -q "$(fixture_ref busybox)"
assert_success sk pull -q "$(fixture_ref config)"
bb_id=$(fixture_image_id busybox) cfg_id=$(fixture_image_id config)
s() { cut -c8-19 <<<"$1"; }

# Docker's HumanDuration for a date: "N years ago", "N months ago", ...
ago() {
  local secs=$(( $(date +%s) - $(date -d "$1" +%s) )) h
  h=$((secs / 3600))
  if [ $h -ge $((24 * 365 * 2)) ]; then echo "$((h / 24 / 365)) years ago"
  elif [ $h -ge $((24 * 30 * 2)) ]; then echo "$((h / 24 / 30)) months ago"
  elif [ $h -ge $((24 * 7 * 2)) ]; then echo "$((h / 24 / 7)) weeks ago"
  else echo "$((h / 24)) days ago"; fi
}

# --- the default table ------------------------------------------------------------------------
run_split sk images
assert_eq "$status" 0
mapfile -t lines <<<"$stdout"
assert_match "${lines[0]}" '^REPOSITORY +TAG +IMAGE ID +CREATED +SIZE$' "header"
# Columns start where the header's do (tabwriter, padding 3).
for col in TAG "IMAGE ID" CREATED SIZE; do
  prefix=${lines[0]%%"$col"*}
  for ((i = 1; i < ${#lines[@]}; i++)); do
    [ "${lines[$i]:${#prefix}-3:3}" = "   " ] || fail "column $col is not aligned in: ${lines[$i]}"
  done
done
squeeze() { sed 's/   */|/g'; }
assert_eq "$(squeeze <<<"${lines[1]}")" "$IL_REG/dated|new|$(s "$new_id")|$(ago 2026-01-01T00:00:00Z)|2.5MB" "newest first"
assert_eq "$(squeeze <<<"${lines[2]}")" "$IL_REG/dated|mid|$(s "$mid_id")|$(ago 2025-01-01T00:00:00Z)|1.23kB"
assert_eq "$(squeeze <<<"${lines[3]}")" "$IL_REG/dated|old|$(s "$old_id")|$(ago 2024-01-01T00:00:00Z)|999B"
assert_match "$(squeeze <<<"${lines[4]}")" "^$REG_HTTP/(busybox|config)\|latest\|[0-9a-f]{12}\|$(ago 2023-11-14T22:13:20Z)\|[0-9.]+MB\$"
assert_eq "${#lines[@]}" 6 "five images and the header"
# `image ls` and `image list` are the same command.
assert_eq "$(sk image ls)" "$stdout" "image ls"
assert_eq "$(sk image list)" "$stdout" "image list"

# -q: IDs, newest first, each once even with several tags.
assert_success sk tag "$IL_REG/dated:new" "$IL_REG/dated:latest"
run_split sk images -q
assert_eq "$(head -3 <<<"$stdout")" "$(s "$new_id")"$'\n'"$(s "$mid_id")"$'\n'"$(s "$old_id")" "images -q order"
assert_eq "$(wc -l <<<"$stdout")" 5 "images -q: one line per image"
assert_eq "$(sk images | grep -c "$(s "$new_id")")" 2 "a row per tag"

# --no-trunc: full IDs.
run_split sk images --no-trunc --format '{{.ID}}' "$IL_REG/dated:old"
assert_eq "$stdout" "$old_id" "images --no-trunc"
run_split sk images -q --no-trunc "$IL_REG/dated:old"
assert_eq "$stdout" "$old_id" "images -q --no-trunc"

# --digests: a DIGEST column after TAG.
run_split sk images --digests "$IL_REG/dated:mid"
mid_digest=$(awk -F'\t' '$1 == "dated" && $2 == "mid" {print $4}' "$IL_FIX/fixtures.tsv")
assert_match "$(head -1 <<<"$stdout")" '^REPOSITORY +TAG +DIGEST +IMAGE ID +CREATED +SIZE$' "--digests header"
assert_eq "$(tail -1 <<<"$stdout" | squeeze)" "$IL_REG/dated|mid|$mid_digest|$(s "$mid_id")|$(ago 2025-01-01T00:00:00Z)|1.23kB"

# --- REPO[:TAG] arguments -----------------------------------------------------------------------
run_split sk images --format '{{.Tag}}' "$IL_REG/dated"
assert_eq "$stdout" $'latest\nnew\nmid\nold' "images REPO lists every tag, newest first"
run_split sk images --format '{{.Tag}}' "$IL_REG/dated:mid"
assert_eq "$stdout" mid "images REPO:TAG"
run_split sk images --format '{{.Repository}}' busybox
assert_eq "$stdout" "$REG_HTTP/busybox" "a short name matches what it resolves to"
run_split sk images --format '{{.Repository}}' nosuch
assert_eq "$stdout" "" "no match: nothing listed"

# --- filters ----------------------------------------------------------------------------------
fmt='{{.Repository}}:{{.Tag}}'
run_split sk images --format "$fmt" --filter "reference=*/dat*:?ld"
assert_eq "$stdout" "$IL_REG/dated:old" "reference glob"
run_split sk images --format "$fmt" --filter "reference=dated"
assert_eq "$stdout" "" "reference: * and names do not cross /"
run_split sk images --format "$fmt" --filter "reference=*/busybox" --filter "reference=*/config:latest"
assert_eq "$(sort <<<"$stdout")" "$(printf '%s\n' "$REG_HTTP/busybox:latest" "$REG_HTTP/config:latest" | sort)" "several references: any"
run_split sk images --format "$fmt" --filter label=tier=gold
assert_eq "$stdout" "$IL_REG/dated:latest"$'\n'"$IL_REG/dated:new"$'\n'"$IL_REG/dated:mid" "label=k=v"
run_split sk images --format "$fmt" --filter label=tier=gold --filter label=shared
assert_eq "$stdout" "$IL_REG/dated:mid" "labels: all of them"
run_split sk images --format "$fmt" --filter label=skiff.fixture=config
assert_eq "$stdout" "$REG_HTTP/config:latest" "label of a fixture"
run_split sk images --format "$fmt" --filter "before=$IL_REG/dated:mid"
assert_eq "$(head -1 <<<"$stdout")" "$IL_REG/dated:old" "before"
assert_eq "$(wc -l <<<"$stdout")" 3 "before: old and the two fixtures"
run_split sk images --format "$fmt" --filter "since=$IL_REG/dated:old"
assert_eq "$stdout" "$IL_REG/dated:latest"$'\n'"$IL_REG/dated:new"$'\n'"$IL_REG/dated:mid" "since"
run_split sk images --format "$fmt" --filter "since=$(s "$old_id")" --filter "before=$(s "$new_id")"
assert_eq "$stdout" "$IL_REG/dated:mid" "since and before by short ID"
run_split sk images --format "$fmt" --filter until=2024-06-01T00:00:00Z --filter reference='*/dated'
assert_eq "$stdout" "$IL_REG/dated:old" "until"
run_split sk images --filter bogus=1
assert_eq "$status" 125 "unknown filter"
assert_contains "$stderr" "invalid filter 'bogus'"
run_split sk images --filter dangling=maybe
assert_eq "$status" 125 "bad dangling value"
run_split sk images --filter "before=nosuchimage"
assert_eq "$status" 125 "before an unknown image"
assert_contains "$stderr" "No such image: nosuchimage"

# dangling: move dated:latest away from new: nothing dangling yet (new keeps its tag).
run_split sk images -q --filter dangling=true
assert_eq "$stdout" "" "nothing dangling"
# Moving the only tag of old leaves it with its repo digest: Docker shows "repo <none>", and it
# counts as dangling.
assert_success sk tag "$IL_REG/dated:mid" "$IL_REG/dated:old"
run_split sk images --format '{{.Repository}} {{.Tag}} {{.ID}}' --filter dangling=true
assert_eq "$stdout" "$IL_REG/dated <none> $(s "$old_id")" "a digest-only image is dangling and keeps its repository"
# dangling=false hides only images with no name at all, so it still lists this one (Docker's
# daemon/images/images.go does the same).
run_split sk images --format '{{.Repository}} {{.Tag}}' --filter dangling=false
assert_contains "$stdout" "$IL_REG/dated <none>" "dangling=false"
assert_contains "$stdout" "$IL_REG/dated old" "dangling=false"
run_split sk images --digests --format '{{.Repository}} {{.Tag}} {{.Digest}}' --filter dangling=true
old_digest=$(awk -F'\t' '$1 == "dated" && $2 == "old" {print $4}' "$IL_FIX/fixtures.tsv")
assert_eq "$stdout" "$IL_REG/dated <none> $old_digest"

# --- --format ----------------------------------------------------------------------------------
run_split sk images --format 'table {{.ID}}\t{{.Repository}}\t{{.Tag}}\t{{.Size}}' "$IL_REG/dated:new"
assert_match "$(head -1 <<<"$stdout")" '^IMAGE ID +REPOSITORY +TAG +SIZE$' "custom table header"
assert_eq "$(tail -1 <<<"$stdout" | squeeze)" "$(s "$new_id")|$IL_REG/dated|new|2.5MB"
run_split sk images --format json "$IL_REG/dated:new"
assert_eq "$status" 0
assert_eq "$(jq -c 'keys_unsorted' <<<"$stdout")" \
  '["Containers","CreatedAt","CreatedSince","Digest","ID","Repository","SharedSize","Size","Tag","UniqueSize","VirtualSize"]' \
  "json keys (Docker's, sorted)"
assert_eq "$(jq -r '[.[] | type] | unique | join(",")' <<<"$stdout")" string "every json value is a string"
assert_eq "$(jq -r '.ID + " " + .Size + " " + .VirtualSize + " " + .CreatedAt + " " + .Containers' <<<"$stdout")" \
  "$(s "$new_id") 2.5MB 2.5MB 2026-01-01 00:00:00 +0000 UTC N/A"
assert_eq "$(sk images --format '{{json .}}' "$IL_REG/dated:new")" "$stdout" "--format json is {{json .}}"
assert_eq "$(sk images --format json | wc -l)" "$(sk images --format '{{.ID}}' | wc -l)" "json: one object per line"
run_split sk images --format '{{.VirtualSize}}' "$IL_REG/dated:mid"
assert_eq "$stdout" 1.234kB "VirtualSize uses %.4g"
run_split sk images --format '{{.Nope}}'
assert_ne "$status" 0 "unknown field"
assert_contains "$stderr" "can't evaluate field Nope"
