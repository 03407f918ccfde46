#!/usr/bin/env bash
# Symlinks whose relative target climbs above the root (`a -> ../../../../etc`, as real images
# hold) are accepted by pull, import and cp both ways, as Docker and Podman do; following them
# stays inside the container (`a/passwd` is the container's /etc/passwd). Names that climb out
# and hard links to outside stay refused. A write through a dangling symlink names the link.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
# shellcheck source=imagelib.sh
source "$SUITE_DIR/imagelib.sh"

up=$(printf '../%.0s' {1..8})
il_layout climb
il_busybox_layer "$IL_L"
il_add
il_spec_layer "$IL_L" gzip <<EOF2
l a ../../../../etc
d sub
l sub/up ${up}
l sub/etc ${up}etc
f sub/up/tmp/through-up x
l esc ../../nowhere
EOF2
il_add
il_image "$IL_L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
il_layout badname
il_busybox_layer "$IL_L"
il_add
il_spec_layer "$IL_L" gzip <<<"f ${up}pwned x"
il_add
il_image "$IL_L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
il_layout badlink
il_busybox_layer "$IL_L"
il_add
il_spec_layer "$IL_L" gzip <<<"h hl ${up}etc/passwd"
il_add
il_image "$IL_L" latest 2024-01-01T00:00:00Z '{"Cmd":["sh"]}'
il_serve

# pull
run_split sk pull -q "$IL_REG/climb:latest"
assert_eq "$status" 0 "pull: $stderr"
passwd=$(sk run --rm "$IL_REG/climb:latest" cat /etc/passwd)
[ -n "$passwd" ] || fail "the image has an /etc/passwd"
run_split sk run --rm "$IL_REG/climb:latest" sh -c 'readlink /a; cat /a/passwd; cat /sub/etc/passwd; cat /tmp/through-up'
assert_eq "$status" 0 "run: $stderr"
assert_eq "$stdout" "../../../../etc
$passwd
$passwd
x" "the links are kept and resolve inside the container"
# Names climbing out and hard links to outside are still refused.
assert_status 125 sk pull "$IL_REG/badname:latest"
assert_contains "$output" "escapes the layer root"
assert_status 125 sk pull "$IL_REG/badlink:latest"
assert_contains "$output" "points outside the layer"

# import (a tar holding such links, as `docker export` writes them)
mkdir -p "$T/work/imp" && ln -s ../../../../etc "$T/work/imp/a" && echo hi >"$T/work/imp/f"
tar -C "$T/work/imp" -cf "$T/work/imp.tar" a f
run_split sk import "$T/work/imp.tar" climb:imported
assert_eq "$status" 0 "import: $stderr"

# cp into a container, out of it, and through the link
assert_success sk run -d --name climber "$IL_REG/climb:latest" sleep 1000
assert_success sk cp "$T/work/imp/a" climber:/tmp/
assert_eq "$(sk exec climber readlink /tmp/a)" "../../../../etc" "cp in: the link is copied as it is"
assert_eq "$(sk exec climber cat /tmp/a/passwd)" "$passwd" "cp in: following it stays in the container"
tar -C "$T/work/imp" -cf - a | sk cp - climber:/root
assert_eq "$(sk exec climber readlink /root/a)" "../../../../etc" "cp in from a tar stream"
mkdir -p "$T/work/out"
assert_success sk cp climber:/sub "$T/work/out/"
assert_eq "$(readlink "$T/work/out/sub/up")" "$up" "cp out: the link is copied as it is"
assert_success sk cp climber:/a/passwd "$T/work/out/passwd"
assert_eq "$(cat "$T/work/out/passwd")" "$passwd" "cp out through the link: the container's file"
# A dangling link on the way is named, with where it leads.
echo x >"$T/work/x"
assert_status 125 sk cp "$T/work/x" climber:/esc/x
assert_contains "$output" "\`/esc\` is a symbolic link to \`../../nowhere\`, which does not exist"
assert_success sk rm -f climber
assert_success sk system check
