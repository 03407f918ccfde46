#!/usr/bin/env bash
# commit killed part-way (kill -9 at several points of a 32 MiB commit, from the start of the
# layer stream to the image's publication) leaves a consistent store: no process left behind,
# `images` lists only complete images (each runs), the container can start again, the next
# commit works, and `system check` then finds no problems.
# harness: timeout=600
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

now_ms() { echo $(($(date +%s%N) / 1000000)); }

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"
  assert_success sd run --name big "$ref" sh -ec '
    head -c 33554432 /dev/urandom > /big
    mkdir -p /many; i=0; while [ $i -lt 300 ]; do echo $i > /many/f$i; i=$((i + 1)); done
    rm -f /bin/vi'

  # How long a whole commit takes here, to spread the kills over it.
  t0=$(now_ms)
  assert_success sd commit big kill:whole
  took=$(($(now_ms) - t0))
  echo "$drv: a 32 MiB commit took ${took} ms" >&2

  for pct in 2 10 25 40 55 70 85 95 99; do
    delay_ms=$((took * pct / 100))
    # A change of its own for each attempt, so every phase (layer stream, extraction, layer
    # and image publication) can be the one interrupted.
    echo "$pct" >"$T/work/stamp"
    assert_success sd cp "$T/work/stamp" big:/stamp
    "$SKIFF" --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" commit big "kill:p$pct" >/dev/null 2>&1 &
    pid=$!
    sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    # Nothing the killed commit started survives it (workers die with their parent).
    for _ in $(seq 50); do pgrep -f -- "--root $T/root-$drv" >/dev/null || break; sleep 0.1; done
    if pgrep -fa -- "--root $T/root-$drv" >&2; then fail "$drv: processes left after kill -9 at $pct%"; fi
    run_split sd images --format '{{.Repository}}:{{.Tag}}'
    assert_eq "$status" 0 "$drv: images after kill -9 at $pct% ($stderr)"
    # What is there is complete (a kill after the layer may leave an untagged image: listed
    # as <none>, and it must be complete too).
    run_split sd system check --quick
    printf 'kill -9 at %s%% (%s ms): %s\n' "$pct" "$delay_ms" "$(tr '\n' ';' <<<"$stdout")" >&2
    while read -r line; do
      case $line in
        "staging/"*"left over by an interrupted operation"* | "checked "*) ;;
        *) fail "$drv: after kill -9 at $pct%, system check: $line" ;;
      esac
    done <<<"$stdout"
  done

  sd images --format '{{.Repository}}:{{.Tag}} {{.ID}}' >&2
  # Every image listed runs and has the whole change.
  while read -r id; do
    assert_eq "$(sd run --rm "$id" sh -c 'wc -c < /big; cat /many/f299; test ! -e /bin/vi && echo gone')" "33554432
299
gone" "$drv: image $id is complete"
  done < <(sd images -q --filter reference='kill:*'; sd images -q --filter dangling=true)

  # The container is not locked, the next commit works, and the store is clean afterwards.
  assert_success sd commit big kill:final
  assert_success sd system check
  assert_contains "$output" "no problems"
  assert_success sd start -a big
  assert_success sd rm big
done
