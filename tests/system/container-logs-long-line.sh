#!/usr/bin/env bash
# `logs` streams: a 64 MiB line (stored as many partial records) comes back whole with both
# drivers, with --tail, -t (one timestamp, before the line), --since and -f, while the `logs`
# process stays small (peak RSS measured with /usr/bin/time; holding the line would take
# several times its size).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
require_cmd /usr/bin/time
img=$(busybox_image)
N=$((64 << 20))
limit_kb=$((40 << 10))
rss() {  # CMD...: runs it with stdout counted; prints "BYTES RSS_KB"
  local f=$T/rss.$$ n
  n=$(/usr/bin/time -f %M -o "$f" "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "$@" | wc -c)
  echo "$n $(cat "$f")"
}
for driver in json-file k8s-file; do
  assert_success sk run --name "ll-$driver" --log-driver "$driver" "$img" \
    sh -c "echo first; head -c $N /dev/zero | tr '\\0' a; echo; echo last"
  # (the monitor may still be writing the log when `run` returns)
  logged() { [ "$(sk logs --tail 1 "ll-$driver" 2>/dev/null)" = last ]; }
  wait_until 60 logged
  read -r bytes kb <<<"$(rss logs --tail 2 "ll-$driver")"
  echo "$driver: logs --tail 2: $bytes bytes, peak RSS $kb KiB" >&2
  assert_eq "$bytes" $((N + 1 + 5)) "$driver: --tail 2 prints the long line and the last"
  [ "$kb" -lt "$limit_kb" ] || fail "$driver: logs held the line in memory (peak RSS $kb KiB)"
  read -r bytes kb <<<"$(rss logs "ll-$driver")"
  assert_eq "$bytes" $((6 + N + 1 + 5)) "$driver: every line"
  [ "$kb" -lt "$limit_kb" ] || fail "$driver: logs held the line in memory (peak RSS $kb KiB)"
  assert_eq "$(sk logs --tail 2 "ll-$driver" | head -1 | tr -d a | wc -c)" 1 "$driver: the long line is all a's"
  # -t: one timestamp, before the line (not one per stored piece).
  run_split sk logs -t --tail 2 "ll-$driver"
  assert_eq "$(wc -l <<<"$stdout")" 2 "$driver: -t keeps lines whole"
  assert_match "$(head -c 40 <<<"$stdout")" '^20[0-9-]+T[0-9:.]+Z aaaa'
  assert_match "$(tail -1 <<<"$stdout")" '^20[0-9-]+T[0-9:.]+Z last$'
  assert_eq "$(grep -c 'Z aaa' <<<"$stdout")" 1
  # --since half an hour ago: everything; -f on the exited container: prints and returns.
  assert_eq "$(sk logs --since 30m "ll-$driver" | wc -c)" $((6 + N + 1 + 5)) "$driver: --since"
  assert_eq "$(sk logs -f --tail 1 "ll-$driver")" last "$driver: -f --tail 1"
  assert_success sk rm "ll-$driver"
done
# -f on a running container that writes a long line slowly: it comes out as it is written.
assert_success sk run -d --name llf "$img" sh -c 'printf start; sleep 1; head -c 1000000 /dev/zero | tr "\0" b; sleep 1; echo end'
run_split sk logs -f llf
assert_eq "$(wc -c <<<"$stdout")" $((5 + 1000000 + 4)) "-f: the whole line"
assert_match "$stdout" '^startb+end$'

# Escapes survive the json-file reader: tabs, quotes, backslashes, UTF-8, control bytes.
printf 'tab\there "q" back\\slash \\n \303\251 \001 end\n' >"$T/expected"
assert_success sk run --name lesc --log-driver json-file -v "$T/expected:/e:ro" "$img" cat /e
sk logs lesc >"$T/got"
assert_eq "$(od -c "$T/got")" "$(od -c "$T/expected")" "json-file: the bytes come back as written"
