#!/usr/bin/env bash
# Inputs found by fuzzing that aborted, crashed or hung the release binary: a config file that
# trips the TOML parser's assertion, a name filter that overflowed std::regex's stack or
# backtracked for ever, a --format template that recursed through nested blocks or printed
# gigabytes before its cap, and times beyond int64 nanoseconds. Each gets an answer, in seconds.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

# containers.conf: `[/x]` aborted (134) inside toml++; now Error: FILE line N, 125.
printf 'a = 1\n\n[/x]\n' >"$T/bad.conf"
run_split env CONTAINERS_CONF_OVERRIDE="$T/bad.conf" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" create "$img" true
assert_eq "$status" 125 "a malformed containers.conf is an engine error, not an abort"
assert_contains "$stderr" "bad.conf\` line 3: invalid TOML" "the error names the file and line"
# registries.conf too.
printf '[/x]\n' >"$T/bad-registries.conf"
run_split env CONTAINERS_REGISTRIES_CONF="$T/bad-registries.conf" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" pull x
assert_eq "$status" 125 "a malformed registries.conf is an engine error"
assert_contains "$stderr" "line 1: invalid TOML" "registries.conf error names the line"

# ps --filter name=: 20,000 nested groups (stack overflow in std::regex) and a catastrophic
# backtracking pattern against a long name: both answer at once (RE2, linear time).
assert_success sk create --name aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "$img" true
nested=$(printf '(%.0s' $(seq 20000))a$(printf ')%.0s' $(seq 20000))
run_split timeout 20 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a --filter "name=$nested" --format '{{.Names}}'
assert_eq "$status" 0 "ps with a deeply nested name filter"
run_split timeout 20 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a --filter 'name=((a+)+)+b' --format '{{.Names}}'
assert_eq "$status" 0 "ps with a backtracking name filter returns"
assert_eq "$stdout" "" "((a+)+)+b matches nothing"
assert_success sk ps -a --filter 'name=^a{32}$' --format '{{.Names}}'
assert_eq "$output" aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa "a Go regular expression matches"
assert_success sk ps -a --filter 'name=[' --format '{{.Names}}'
assert_eq "$output" "" "a malformed expression matches nothing (Docker)"

# --format: a recursive template nesting blocks, and printf widths beyond the output cap.
open='' close=''
for _ in $(seq 40); do open+='{{if 1}}'; close+='{{end}}'; done
run_split timeout 20 "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a \
  --format "{{define \"a\"}}$open{{template \"a\"}}$close{{end}}{{template \"a\"}}"
assert_ne "$status" 0 "a template recursing through nested blocks fails"
assert_ne "$status" 139 "and does not crash"
assert_contains "$stderr" "exceeded maximum template depth" "the depth error"
wide=$(printf '%%1000000[1]d%.0s' $(seq 3000))
run_split timeout 20 /usr/bin/time -f '%M' "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a --format "{{printf \"$wide\" 1}}"
assert_ne "$status" 0 "3 GB of printf output is refused"
assert_contains "$stderr" "exceeds" "the output cap's error"
rss_kb=$(tail -1 <<<"$stderr")
[ "$rss_kb" -lt 262144 ] || fail "printf's output cap is enforced while formatting (peak RSS ${rss_kb} KiB)"

# Times beyond int64 nanoseconds: valid, no overflow.
assert_success sk run --name timed "$img" echo hello
assert_success sk logs --until 9999999999 timed
assert_eq "$output" hello "--until far in the future includes everything"
assert_success sk logs --since 9999-12-31T23:59:59Z timed
assert_eq "$output" "" "--since far in the future includes nothing"
run_split sk logs --since 1000000000000000000s timed
assert_eq "$status" 125 "a duration beyond int64 nanoseconds is invalid (Go's ParseDuration)"
