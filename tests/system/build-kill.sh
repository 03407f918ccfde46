#!/usr/bin/env bash
# A build killed with kill -9 (during a RUN, and again a moment into a COPY of many files,
# wherever that lands) leaves a store that `system check` passes; the next build works and can reuse the steps that were
# finished. Ctrl-C (SIGINT) stops a build and removes its working container.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ctrlib.sh"
require_registry
ref=$(busybox_image)

mkdir -p ctx/many
for i in $(seq 1 300); do echo "$i" >"ctx/many/f$i"; done
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
RUN echo step1 > /s1
COPY many /many/
RUN echo started > /dev/stderr; sleep 30
DOCKERFILE

"$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" build ctx >build.out 2>&1 &
pid=$!
wait_until 30 grep -qx started build.out
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
run_split sk system check
assert_eq "$status" 0 "system check after kill -9 during RUN ($stdout $stderr)"
# The working container of the killed build is still there (nothing was left to remove it).
sk rm -f $(sk ps -aq) >/dev/null

# kill -9 while the COPY of 300 files is under way (or thereabouts: any point must do).
printf 'FROM %s\nCOPY many /many2/\nRUN sleep 30\n' "$ref" >ctx/Dockerfile.copy
for delay in 0.2 0.4; do
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" build --no-cache -f ctx/Dockerfile.copy ctx >/dev/null 2>&1 &
  pid=$!
  sleep "$delay"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null || true
  run_split sk system check
  assert_eq "$status" 0 "system check after kill -9 at ${delay}s ($stdout $stderr)"
  sk rm -f $(sk ps -aq) >/dev/null 2>&1 || true
done

# SIGINT: the build stops and removes its working container.
"$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" build ctx >build2.out 2>&1 &
pid=$!
wait_until 30 grep -qx started build2.out
kill -INT "$pid"
set +e
wait "$pid"
st=$?
set -e
[ "$st" -ne 0 ] || fail "an interrupted build fails"
assert_eq "$(sk ps -aq)" "" "Ctrl-C removed the working container"

printf 'FROM %s\nRUN echo step1 > /s1\nCOPY many /many/\nRUN ls /many | wc -l > /count\n' "$ref" >ctx/Dockerfile
run_split sk build -t k:1 ctx
assert_eq "$status" 0 "a build after the kill ($stderr)"
assert_contains "$stdout" "Using cache" "finished steps are reused"
assert_eq "$(sk run --rm k:1 cat /count)" 300 "the image is complete"
run_split sk system check
assert_eq "$status" 0 "system check at the end ($stdout $stderr)"
