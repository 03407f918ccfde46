#!/usr/bin/env bash
# Volumes as Docker keeps them: named volumes survive `rm` (and `rm -v`), anonymous ones (from
# -v /path, --mount without a source, or the image's VOLUME) are removed by `rm -v` and --rm;
# an empty named volume gets the image's content at its path on first use (copy-up, not with
# nocopy, not into a volume that has content); `volume create/ls/inspect/rm` (in use: error)
# and `prune`; --mount type=bind|volume|tmpfs, -v binds (:ro), --read-only and --tmpfs.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
cfg=$(fixture_ref config)
sk pull -q "$cfg" >/dev/null
anon_count() { sk volume ls -q | grep -cE '^[0-9a-f]{64}$' || true; }

# create, ls, inspect.
run_split sk volume create v1
assert_eq "$stdout" v1
assert_success sk volume create --label team=a v2
run_split sk volume ls
assert_eq "$stdout" $'DRIVER    VOLUME NAME\nlocal     v1\nlocal     v2'
run_split sk volume ls -q --filter label=team=a
assert_eq "$stdout" v2
run_split sk volume inspect -f '{{.Name}} {{.Driver}} {{.Scope}} {{.Labels}}' v2
assert_eq "$stdout" "v2 local local map[team:a]"
# Docker's volume.Volume: omitted fields print their empty value, a typo is Go's error (exit 1).
run_split sk volume inspect -f '{{.Status}}|{{.UsageData}}|{{.Labels.nope}}' v2
assert_eq "$stdout" "map[]|<nil>|<no value>" "volume inspect: empty fields"
run_split sk volume inspect -f '{{.Nope}}' v2
assert_eq "$status" 1 "volume inspect: a typo exits 1"
assert_contains "$stderr" 'map has no entry for key "Nope"'
run_split sk volume inspect v1
assert_match "$stdout" '^\[
    \{
        "CreatedAt": "[0-9T:.-]+Z",
        "Driver": "local",'
assert_contains "$stdout" '"Mountpoint": "'"$SKIFF_ROOT"'/volumes/v1/_data"'
assert_status 125 sk volume inspect nosuchvolume
assert_status 125 sk volume create "bad name"

# A named volume outlives its containers, also `rm -v`.
assert_success sk run --name c1 -v v1:/data "$img" sh -c 'echo kept >/data/f'
assert_success sk rm -v c1
run_split sk run --rm -v v1:/data "$img" cat /data/f
assert_eq "$stdout" kept
# In use (even by a stopped container): refused.
sk create --name c2 -v v1:/data "$img" true >/dev/null
assert_status 125 sk volume rm v1
assert_contains "$output" "volume is in use"
assert_success sk rm c2
assert_success sk volume rm v1
assert_eq "$(sk volume ls -q)" v2

# Anonymous volumes: -v /path, --mount without a source, the image's VOLUME (/data here).
sk create --name c3 -v /anon1 --mount type=volume,dst=/anon2 --entrypoint true "$cfg" >/dev/null
assert_eq "$(anon_count)" 3
run_split sk inspect -f '{{range .Mounts}}{{.Type}}:{{.Destination}} {{end}}' c3
assert_eq "$stdout" "volume:/anon1 volume:/anon2 volume:/data "
assert_success sk rm c3
assert_eq "$(anon_count)" 3 "rm without -v keeps anonymous volumes"
sk create --name c4 -v /anon3 -v v3:/named "$img" true >/dev/null
assert_eq "$(anon_count)" 4
assert_success sk rm -v c4
assert_eq "$(anon_count)" 3 "rm -v removes the container's anonymous volumes"
assert_contains "$(sk volume ls -q)" v3 "rm -v keeps named volumes"
assert_success sk run --rm -v /anon4 -v v4:/named "$img" true
assert_eq "$(anon_count)" 3 "--rm removes the container's anonymous volumes"
assert_contains "$(sk volume ls -q)" v4 "--rm keeps named volumes"

# prune: unused anonymous volumes only; -a also unused named ones.
sk create --name c5 -v /anon5 -v v5:/named "$img" true >/dev/null
run_split sk volume prune -f
assert_eq "$status" 0
assert_eq "$(anon_count)" 1 "prune keeps the volume a container uses"
assert_contains "$(sk volume ls -q)" v4
run_split sk volume prune -a -f
assert_eq "$(sk volume ls -q | grep -v '^[0-9a-f]\{64\}$' | tr '\n' ' ')" "v5 " "prune -a keeps only what is used"
sk rm -v c5 >/dev/null
assert_success sk volume rm v5
assert_eq "$(sk volume ls -q)" ""

# Copy-up: an empty named volume gets the image's content at that path, once; not with nocopy.
run_split sk run --rm -v cu:/work --entrypoint ls "$cfg" /work
assert_eq "$stdout" hello.txt
run_split sk run --rm -v cu:/x "$img" sh -c 'cat /x/hello.txt; ls -ln /x | tail -1 | awk "{print \$3, \$4}"'
assert_eq "$stdout" $'hello from the config fixture\n0 0'
sk run --rm -v full:/work "$img" sh -c 'echo mine >/work/own' >/dev/null
run_split sk run --rm -v full:/work --entrypoint ls "$cfg" /work
assert_eq "$stdout" own "no copy-up into a volume that has content"
run_split sk run --rm -v nc:/work:nocopy --entrypoint ls "$cfg" /work
assert_eq "$stdout" "" "nocopy"
run_split sk run --rm --mount type=volume,src=mc,dst=/work --entrypoint ls "$cfg" /work
assert_eq "$stdout" hello.txt "--mount type=volume copies up too"

# Binds and tmpfs.
mkdir "$T/host"
echo from-host >"$T/host/in"
run_split sk run --rm -v "$T/host:/h" "$img" sh -c 'cat /h/in; echo from-ctr >/h/out'
assert_eq "$stdout" from-host
assert_eq "$(cat "$T/host/out")" from-ctr
assert_eq "$(stat -c %u "$T/host/out")" "$(id -u)" "container root writes as the user"
run_split sk run --rm -v "$T/host:/h:ro" "$img" sh -c 'touch /h/x'
assert_ne "$status" 0
assert_contains "$stderr" "Read-only file system"
run_split sk run --rm --mount "type=bind,src=$T/host/in,dst=/etc/motd,readonly" "$img" sh -c 'cat /etc/motd; echo x >>/etc/motd'
assert_eq "$stdout" from-host
assert_contains "$stderr" "Read-only file system"
run_split sk run --rm --mount type=tmpfs,dst=/t,tmpfs-size=1m "$img" sh -c 'df -k /t | tail -1 | awk "{print \$1, \$2}"; touch /t/ok && echo ok'
assert_eq "$stdout" $'tmpfs 1024\nok'
# --read-only: the root is read-only, /dev/shm and --tmpfs mounts are not.
run_split sk run --rm --read-only "$img" sh -c 'touch /x /tmp/x 2>/dev/null || echo refused; awk "\$2 == \"/\" {split(\$4, o, \",\"); print o[1]}" /proc/mounts; touch /dev/shm/x && echo shm-ok'
assert_eq "$stdout" $'refused\nro\nshm-ok'
run_split sk run --rm --read-only --tmpfs /tmp --tmpfs /run:size=1m,mode=755 "$img" sh -c 'touch /tmp/x && echo tmp-ok; stat -c %a /tmp /run; df -k /run | tail -1 | awk "{print \$2}"; touch /x 2>/dev/null || echo refused'
assert_eq "$stdout" $'tmp-ok\n1777\n755\n1024\nrefused'
# A missing bind source: --mount refuses it (-v creates it: container-bind-create.sh).
assert_status 125 sk run --rm --mount "type=bind,src=$T/no/such/dir,dst=/x" "$img" true
assert_contains "$output" "bind source path does not exist"
assert_status 125 sk run --rm --mount type=bind,dst=/x "$img" true
assert_eq "$(sk volume ls -q | sort | tr '\n' ' ')" "cu full mc nc "
