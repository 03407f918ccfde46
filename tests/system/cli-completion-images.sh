#!/usr/bin/env bash
# Image completion offers the names users pull and run by: `busybox` pulled through the
# unqualified-search registry is stored as REG/busybox:latest, and `rmi bu<TAB>` / `run bu<TAB>`
# offer `busybox:latest` and `busybox` (what `run busybox` finds); untagged images by short ID;
# a name that means another image is not offered. Through the protocol and the bash script.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry

assert_success sk pull -q busybox
run_split sk images --format '{{.Repository}}:{{.Tag}}'
assert_eq "$stdout" "$REG_HTTP/busybox:latest" "stored under the search registry's name"
# An untagged image: an import without a name.
mkdir -p "$T/src/etc" && echo hi >"$T/src/etc/marker"
tar -C "$T/src" -cf "$T/src.tar" .
untagged=$(sk import "$T/src.tar")
untagged=${untagged#sha256:}
untagged=${untagged:0:12}
# Tagged on another registry only: its short name would mean REG_HTTP's, so it is not offered.
assert_success sk tag "$REG_HTTP/busybox:latest" quay.io/team/tool:1

cands() {  # WORDS... → the candidates, one line, space-separated
  sk __completeNoDesc "$@" 2>/dev/null | sed '$d' | tr '\n' ' '
}
assert_eq "$(cands rmi bu)" "busybox:latest busybox " "rmi bu<TAB>"
assert_eq "$(cands run bu)" "busybox:latest busybox " "run bu<TAB>"
assert_eq "$(cands run --rm busybox:)" "busybox:latest " "run busybox:<TAB>"
assert_eq "$(cands image inspect "${REG_HTTP%%:*}")" \
  "$REG_HTTP/busybox:latest $REG_HTTP/busybox " "the full name"
assert_eq "$(cands rmi to)" "" "tool:1 would mean $REG_HTTP/tool:1: not offered"
assert_eq "$(cands rmi quay.io/)" "quay.io/team/tool:1 " "quay.io/…"
all=$(cands rmi '')
assert_contains " $all" " $REG_HTTP/busybox:latest " "nothing typed: repo:tag"
assert_contains " $all" " $untagged " "nothing typed: the untagged image's short ID"
assert_eq "$(cands rmi "${untagged:0:3}")" "$untagged " "untagged image by ID"

# What `run busybox` completes to is what it runs.
assert_success sk run --rm busybox true
assert_success sk rmi busybox:latest
assert_eq "$(cands rmi bu)" "" "gone with its tag"

# The bash script (bash splits words at ':' as COMP_WORDBREAKS says).
assert_success sk tag quay.io/team/tool:1 "$REG_HTTP/busybox:latest"
mkdir -p "$T/bin"
ln -s "$SKIFF" "$T/bin/skiff"
export PATH=$T/bin:$PATH
script=$("$SKIFF" completion bash)
complete_line() {  # LINE → the completions, one per line
  (
    set +eEuo pipefail
    trap - ERR
    eval "$script"
    COMP_LINE=$1
    COMP_POINT=${#1}
    local spaced
    spaced=${1//=/ = }
    spaced=${spaced//:/ : }
    read -ra COMP_WORDS <<<"$spaced"
    [[ $1 == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    __start_skiff 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}"
  )
}
assert_eq "$(complete_line "skiff --root $SKIFF_ROOT --runroot $SKIFF_RUNROOT rmi bu" | sort | tr '\n' ' ')" \
  "busybox busybox:latest " "bash: rmi bu<TAB>"
