#!/usr/bin/env bash
# The unit cases that need what only the system harness has: a live registry (registry_live:
# pull, Range resumption, credentials against Debian's docker-registry), and, in the rootless
# role, an unprivileged user with a subuid range (storage_rootless, the owner outside the
# mapping). They report themselves skipped in the plain unit run (as root, without a
# registry); here they must run and pass.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
UT=$SKIFF_TOOLS/unit_tests
[ -x "$UT" ] || skip "unit_tests is not built (make out/unit_tests)"

tests=registry_live
if [ "$SKIFF_TEST_ROLE" = rootless ]; then
  tests+=":storage_rootless:storage_extract/owner_outside_the_mapping_names_subuid"
fi
export TMPDIR=$T SKIFF_TEST_REGISTRY=$REG_HTTP SKIFF_TEST_REGISTRY_INSECURE=1
run "$UT" --run_test="$tests" --color_output=no --report_level=short --log_level=test_suite
echo "$output" | tail -25
assert_eq "$status" 0 "unit_tests --run_test=$tests"
# A selected case that skips itself (a precondition failed) is a failure here: this test exists so
# that they run. (Suites outside --run_test are reported "skipped because disabled".)
skipped=$(grep 'is skipped because' <<<"$output" | grep -v 'because disabled' || true)
assert_eq "$skipped" "" "selected cases that skipped themselves"
assert_match "$output" "Leaving test case \"pull_image_and_blobs\"" "registry_live cases ran"
