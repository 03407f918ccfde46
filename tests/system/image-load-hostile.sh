#!/usr/bin/env bash
# load refuses bad archives with exit 125 and a message naming the cause, and leaves nothing
# behind (no layer, no image, no temporary directory; `system check` passes): malformed and
# truncated archives, entries escaping the archive (`../`, absolute paths, symlinks out, hard
# links, devices), a manifest naming a layer the archive lacks, digest mismatches (blob, config,
# diff ID), and a bad layer after good ones.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd python3
busybox=$(fixture_ref busybox)
layered=$(fixture_ref layered)
w=$T/work
export TMPDIR=$T/tmp
mkdir -p "$TMPDIR"
sa() { sk --root "$T/a" --runroot "$T/ra" "$@"; }
assert_success sa pull -q "$busybox"
assert_success sa pull -q "$layered"
assert_success sa save -o "$w/good.tar" "$busybox" "$layered"

sb() { sk --root "$T/b" --runroot "$T/rb" "$@"; }
assert_success sb images   # the store exists
# Refused with exit 125 and `message`; the store unchanged and clean.
refused() {
  local file=$1 message=$2
  assert_status 125 sb load -i "$file"
  assert_contains "$output" "$message"
  refused_output=$output
  assert_eq "$(sb images -q)" "" "no image after: $message"
  assert_eq "$(ls -A "$T/b/layers" 2>/dev/null)" "" "no layer after: $message"
  assert_eq "$(ls -A "$TMPDIR")" "" "no temporary files after: $message"
  assert_success sb system check
}

# Python's tarfile builds the hostile archives: mk OUT 'python statements using t (the tar)'.
mk() {
  python3 - "$1" "$2" "$w/good.tar" <<'PY'
import io, sys, tarfile
out, code, good = sys.argv[1], sys.argv[2], sys.argv[3]
def add(t, name, data=b"x", **kw):
    ti = tarfile.TarInfo(name); ti.size = len(data)
    for k, v in kw.items(): setattr(ti, k, v)
    t.addfile(ti, io.BytesIO(data))
def link(t, name, target, kind=tarfile.SYMTYPE):
    ti = tarfile.TarInfo(name); ti.type = kind; ti.linkname = target; t.addfile(ti)
g = tarfile.open(good)
def copy(t, skip=(), replace={}):
    for m in g.getmembers():
        if m.name in skip: continue
        if m.name in replace:
            add(t, m.name, replace[m.name]); continue
        t.addfile(m, g.extractfile(m) if m.isfile() else None)
with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    exec(code)
PY
}

# Not an archive, and a truncated one.
head -c 100000 /dev/urandom >"$w/random.bin"
refused "$w/random.bin" "invalid archive"
printf 'hello\n' >"$w/text.txt"
refused "$w/text.txt" "invalid archive"
head -c $(($(stat -c %s "$w/good.tar") / 2)) "$w/good.tar" >"$w/truncated.tar"
refused "$w/truncated.tar" "invalid archive"
assert_status 125 sb load -i "$w/nosuchfile.tar"
assert_contains "$output" "nosuchfile.tar"

# Entries that escape.
mk "$w/dotdot.tar" 'copy(t); add(t, "../escaped")'
refused "$w/dotdot.tar" "escapes the archive"
[ ! -e "$T/escaped" ] && [ ! -e "$TMPDIR/escaped" ] || fail "a ../ entry was written"
mk "$w/abs.tar" 'add(t, "/tmp/skiff-abs-test")'
refused "$w/abs.tar" "absolute path"
mk "$w/symout.tar" 'link(t, "blobs", "../../..")'
refused "$w/symout.tar" "symlink out of the archive"
mk "$w/symabs.tar" 'link(t, "manifest.json", "/etc/passwd")'
refused "$w/symabs.tar" "symlink to an absolute path"
mk "$w/hard.tar" 'add(t, "a"); link(t, "b", "a", tarfile.LNKTYPE)'
refused "$w/hard.tar" "hard link"
mk "$w/dev.tar" 'ti = tarfile.TarInfo("dev"); ti.type = tarfile.CHRTYPE; ti.devmajor = 1; ti.devminor = 3; t.addfile(ti)'
refused "$w/dev.tar" "special"
# No manifest.json nor index.json.
mk "$w/nothing.tar" 'add(t, "readme.txt")'
refused "$w/nothing.tar" "not an image archive"

# A manifest naming a layer the archive does not contain.
layer=$(tar -xOf "$w/good.tar" manifest.json | jq -r '.[1].Layers[1]')
mk "$w/missing.tar" "copy(t, skip=['$layer', 'index.json'])"
refused "$w/missing.tar" "does not contain it"
assert_contains "$refused_output" "$layer"

# Digest mismatches: a layer blob whose bytes are not its name (Docker 25 layout), the same
# in the OCI layout alone, a config that is not its digest, a legacy layer with a wrong diff ID.
mk "$w/blob.tar" "copy(t, replace={'$layer': b'not the layer'})"
refused "$w/blob.tar" "digest mismatch"
mk "$w/blob-oci.tar" "copy(t, skip=['manifest.json'], replace={'$layer': b'not the layer'})"
refused "$w/blob-oci.tar" "digest mismatch"
config=$(tar -xOf "$w/good.tar" manifest.json | jq -r '.[0].Config')
mk "$w/config.tar" "copy(t, replace={'$config': b'{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}'})"
refused "$w/config.tar" "digest mismatch"
# The last layer of a multi-layer image replaced by another valid tar under a legacy name (no
# digest in its path): the layers below it are stored before the diff ID mismatch is found;
# they must be gone again.
python3 - "$w/good.tar" "$w/diffid.tar" <<'PY'
import io, json, sys, tarfile
g = tarfile.open(sys.argv[1]); out = tarfile.open(sys.argv[2], "w")
m = json.load(g.extractfile("manifest.json"))
other = io.BytesIO()
with tarfile.open(fileobj=other, mode="w") as o:
    ti = tarfile.TarInfo("evil.txt"); ti.size = 4; o.addfile(ti, io.BytesIO(b"evil"))
m[1]["Layers"][-1] = "legacy/layer.tar"
for mem in g.getmembers():
    if mem.name in ("manifest.json", "index.json"): continue
    out.addfile(mem, g.extractfile(mem) if mem.isfile() else None)
def add(name, data):
    ti = tarfile.TarInfo(name); ti.size = len(data); out.addfile(ti, io.BytesIO(data))
add("legacy/layer.tar", other.getvalue())
add("manifest.json", json.dumps(m[1:]).encode())
out.close()
PY
refused "$w/diffid.tar" "diff ID mismatch"

# After all this, the good archive still loads.
assert_success sb load -i "$w/good.tar"
assert_success sb system check
