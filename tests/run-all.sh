#!/usr/bin/env bash
# Every test: the unit tests (Boost.Test), `make install`'s paths (tests/install-paths.sh), then
# the system suite (tests/system/run.sh, as root and as the skiff-test user). Ends with one line
# "N passed, N failed, N skipped" counting unit test cases, the install check and system test
# runs (a system test counts once per role); exits 1 when anything failed.
#
#   tests/run-all.sh [--out DIR] [run.sh options and test names...]
set -uo pipefail
OUT=out
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --out) OUT=$2; shift 2 ;;
    --out=*) OUT=${1#*=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done
OUT=$(realpath -m "$OUT")
cd "$(dirname "$0")/.." || exit 2
passed=0 failed=0 skipped=0

attr() { sed -n "s/.*<TestSuite [^>]*\\b$1=\"\\([0-9]*\\)\".*/\\1/p" "$2" | head -1; }

echo "== unit tests"
report=$OUT/unit-report.xml
rm -f "$report"
if [ -x "$OUT/unit_tests" ]; then
  "$OUT/unit_tests" --report_format=XML --report_level=short --report_sink="$report"
  urc=$?
  up=0 uf=0 us=0
  if [ -s "$report" ]; then
    up=$(attr test_cases_passed "$report")
    uf=$(( $(attr test_cases_failed "$report") + $(attr test_cases_aborted "$report") + $(attr test_cases_timed_out "$report") ))
    us=$(attr test_cases_skipped "$report")
  fi
  if [ "$urc" -ne 0 ] && [ "$uf" -eq 0 ]; then
    echo "unit_tests exited with status $urc without reporting a failed case (crash?)"
    uf=1
  fi
  echo "unit tests: $up ok, $uf failed, $us skipped"
  passed=$((passed + up)) failed=$((failed + uf)) skipped=$((skipped + us))
else
  echo "unit tests: $OUT/unit_tests is missing (make $OUT/unit_tests)"
  failed=$((failed + 1))
fi

echo "== install paths"
if tests/install-paths.sh --out "$OUT"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

echo "== system tests"
counts=$OUT/system-counts
rm -f "$counts"
tests/system/run.sh --out "$OUT" --counts "$counts" "${args[@]}"
src=$?
if [ -s "$counts" ]; then
  read -r sp sf ss <"$counts"
  passed=$((passed + sp)) failed=$((failed + sf)) skipped=$((skipped + ss))
  if [ "$src" -ne 0 ] && [ "$sf" -eq 0 ]; then failed=$((failed + 1)); fi
else
  echo "system tests: the runner failed (status $src) before counting"
  failed=$((failed + 1))
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
