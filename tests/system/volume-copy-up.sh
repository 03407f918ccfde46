#!/usr/bin/env bash
# A new named volume starts with a copy of the image's directory at its mount point, taken from
# the image's layers only: over /dev it holds the image's /dev content, not the live tmpfs's
# (pts, shm, mqueue), over /sys the image's, not sysfs's; a volume over /proc is refused before anything is created (runc's rule).
# A copy-up that fails part-way leaves the volume empty (the next run copies it whole), with no
# staging directory left behind (one left by a killed copy is swept at the next start).
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$SUITE_DIR/ctrlib.sh"
require_cmd busybox

# An image with content under /dev, /proc and /data (a deep tree: the copy needs many fds).
r=$T/rootfs
mkdir -p "$r/bin" "$r/dev" "$r/proc" "$r/sys" "$r/data"
cp "$(command -v busybox)" "$r/bin/busybox"
for a in sh ls cat find; do ln -s busybox "$r/bin/$a"; done
echo image-dev >"$r/dev/marker"
echo image-proc >"$r/proc/marker"
echo image-sys >"$r/sys/marker"
for i in 1 2 3; do echo "f$i" >"$r/data/f$i"; done
d=$r/data/deep
for _ in $(seq 100); do d=$d/d; done
mkdir -p "$d" && echo bottom >"$d/file"
tar -C "$r" --owner=0 --group=0 -cf "$T/img.tar" .
assert_success sk import -c 'CMD ["sh"]' "$T/img.tar" copyup:1

# /dev: the image's content (and the runtime's device stubs, as with Docker), not the tmpfs's.
run_split sk run --rm -v devvol:/dev copyup:1 cat /dev/marker
assert_eq "$stdout" image-dev "the image's /dev/marker in the volume"
run_split sk run --rm -v devvol:/vol copyup:1 ls -A /vol
assert_contains $'\n'"$stdout"$'\n' $'\nmarker\n' "volume over /dev: the image's file"
for live in pts shm mqueue; do
  assert_not_contains $'\n'"$stdout"$'\n' $'\n'"$live"$'\n' "volume over /dev: no $live from the live /dev"
done

# /sys: the image's /sys, not sysfs.
run_split sk run --rm -v sysvol:/sys copyup:1 ls -A /sys
assert_eq "$stdout" marker "volume over /sys: the image's content only"

# /proc: refused at create; nothing is left (no container, no volume).
run_split sk run --rm -v procvol:/proc copyup:1 ls /proc
assert_eq "$status" 125 "volume over /proc: exit status"
assert_eq "$stderr" 'Error: "/proc" cannot be mounted because it is not of type proc' "volume over /proc: message"
run_split sk run --rm --tmpfs /proc/sys copyup:1 true
assert_contains "$stderr" '"/proc/sys" cannot be mounted because it is inside /proc' "tmpfs inside /proc"
assert_eq "$(sk ps -aq)" "" "no container left"
assert_eq "$(sk volume ls -q | grep procvol || true)" "" "no volume left"

# A copy that fails part-way (too few fds for the deep tree): the run fails and the volume stays
# empty, without a staging directory; the next run copies everything.
run_split bash -c "ulimit -n 64; exec $(printf '%q ' "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT") run --rm -v datavol:/data copyup:1 true"
assert_eq "$status" 125 "failed copy-up: exit status ($stderr)"
assert_contains "$stderr" "copy image content into the volume at \`/data\`" "failed copy-up: message"
assert_eq "$(ls -A "$SKIFF_ROOT/volumes/datavol/_data")" "" "failed copy-up: the volume is still empty"
assert_eq "$(find "$SKIFF_ROOT/volumes/datavol" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" "_data meta.json " "no staging directory left"
# (the --rm container's monitor removes it, possibly just after `run` returned)
no_containers() { [ -z "$(sk ps -aq)" ]; }
wait_until 10 no_containers
# What a killed copy leaves (its staging directory, unlocked) goes at the next start.
mkdir -p "$SKIFF_ROOT/volumes/datavol/._data.copy-up-dead01/f1"
run_split sk run --rm -v datavol:/data copyup:1 sh -c 'ls /data; find /data -name file'
assert_eq "$(find "$SKIFF_ROOT/volumes/datavol" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')" "_data meta.json " "a killed copy's staging directory is swept"
assert_eq "$stdout" "deep
f1
f2
f3
/data/deep$(printf '/d%.0s' $(seq 100))/file" "the next run copies everything"
