#!/usr/bin/env bash
# Runs libFuzzer targets for a bounded time each, from the seed corpora in tests/fuzz/corpus.
#
#   tests/fuzz/run.sh OUTDIR SECONDS TARGET...
#
# Each target runs SECONDS with a 10 s per-input timeout and a 2 GiB RSS limit over a working
# copy of its seeds (OUTDIR/corpus/<target>, kept between runs so coverage accumulates);
# a crash, hang, leak or sanitizer report is saved as OUTDIR/crashes/<target>-* and fails the
# run. Prints one line per target: executions, coverage (edges), features, corpus size.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OUT=$(mkdir -p "$1" && cd "$1" && pwd) SECS=$2
shift 2
mkdir -p "$OUT/crashes"
failed=0
for t in "$@"; do
  bin=$OUT/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: $bin is missing (make fuzz)" >&2; exit 2; }
  work=$OUT/corpus/$t
  mkdir -p "$work"
  log=$OUT/$t.log
  "$bin" -max_total_time="$SECS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$OUT/crashes/$t-" "$work" "$HERE/corpus/$t" >"$log" 2>&1
  rc=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$done_line")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$done_line")
  corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$done_line")
  if [ $rc -eq 0 ]; then
    printf 'ok    %-10s %ss  %s execs  cov %s  ft %s  corpus %s\n' "$t" "$SECS" "${execs:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}"
  else
    failed=$((failed + 1))
    printf 'FAIL  %-10s exit %s (log %s)\n' "$t" "$rc" "$log"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -5 | sed 's/^/    | /'
  fi
done
[ $failed -eq 0 ]
