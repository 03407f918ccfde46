#!/usr/bin/env bash
# `system df` counts every layer once however many images share it (Docker), calls an image
# active while a container uses it, and reclaimable what no such image needs; -v adds SHARED
# SIZE and UNIQUE SIZE per image.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
bb=$(fixture_ref busybox) lay=$(fixture_ref layered) cfg=$(fixture_ref config)
for r in "$bb" "$lay" "$cfg"; do assert_success sk pull -q "$r"; done
size() { sk image inspect --format '{{.Size}}' "$1"; }
B=$(size "$bb") L=$(size "$lay") C=$(size "$cfg")
# Docker's HumanSizeWithPrecision(n, 3): %.3g in base 1000, no space.
human() { awk -v n="$1" 'BEGIN { split("B kB MB GB TB", u, " "); i = 1; while (n >= 1000 && i < 5) { n /= 1000; i++ }; printf "%.3g%s", n, u[i] }'; }
total=$((L + C - B))   # the busybox layer once, plus layered's and config's own layers

row() { sk system df --format '{{.Type}}|{{.TotalCount}}|{{.Active}}|{{.Size}}|{{.Reclaimable}}' | grep "^$1|"; }
assert_eq "$(row Images)" "Images|3|0|$(human $total)|$(human $total) (100%)" "no container"
run_split sk system df
assert_match "$(head -1 <<<"$stdout")" '^TYPE +TOTAL +ACTIVE +SIZE +RECLAIMABLE$'

# A container uses layered: it is active, and only config's own layer is reclaimable.
assert_success sk create --name user "$lay" true
recl=$((C - B))
assert_eq "$(row Images)" "Images|3|1|$(human $total)|$(human $recl) ($((recl * 100 / total))%)" "layered in use"
assert_eq "$(row Containers | cut -d'|' -f1-3)" "Containers|1|0"

run_split sk system df -v
assert_eq "$status" 0
assert_match "$stdout" $'Images space usage:\n\nREPOSITORY +TAG +IMAGE ID +CREATED +SIZE +SHARED SIZE +UNIQUE SIZE +CONTAINERS\n'
line=$(grep "^$REG_HTTP/layered " <<<"$stdout" | sed 's/   */|/g')
assert_eq "$(cut -d'|' -f5-8 <<<"$line")" "$(human "$L")|$(human "$B")|$(human $((L - B)))|1" "layered: shared busybox layer, its own, one container"
line=$(grep "^$REG_HTTP/busybox " <<<"$stdout" | sed 's/   */|/g')
assert_eq "$(cut -d'|' -f5-8 <<<"$line")" "$(human "$B")|$(human "$B")|0B|0" "busybox: all shared"
assert_success sk rm user
