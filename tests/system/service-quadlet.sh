#!/usr/bin/env bash
# The Quadlet-style generator: skiff-systemd-generator (a link to skiff) turns .container and
# .volume files into units in systemd's output directory, with [Install] links; --dryrun prints
# them; an unknown key warns with file and line; the units pass systemd-analyze verify; the
# container unit's ExecStart, run as systemd would (fake NOTIFY_SOCKET), gives READY and MAINPID
# from the monitor, and its ExecStopPost lines leave nothing behind.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
tool=$SKIFF_TOOLS/sdnotify
[ -x "$tool" ] || skip "tests/tools/sdnotify not built (make tools)"
RT=$T/rt
mkdir -p "$RT" "$T/q" "$T/gen" "$XDG_CONFIG_HOME/containers/systemd"
ln -s "$SKIFF" "$T/skiff-systemd-generator"

cat >"$T/q/web.container" <<EOF2
[Unit]
Description=Web test container

[Container]
Image=$img
Exec=sh -c 'trap "exit 0" TERM; echo "\$GREETING"; while :; do sleep 0.1; done'
Environment=GREETING="hello quadlet"
Volume=data.volume:/data
Label=app=web
Frobnicate=yes
PodmanArgs=--root $SKIFF_ROOT --runroot $SKIFF_RUNROOT

[Service]
Restart=always

[Install]
WantedBy=default.target
EOF2
printf '[Volume]\nLabel=owner=quadlet\n' >"$T/q/data.volume"

# --dryrun prints both units; the unknown key warns with its line.
QUADLET_UNIT_DIRS=$T/q run_split "$SKIFF" __systemd-generator --dryrun
assert_eq "$status" 0
assert_contains "$stdout" "---web.service---"
assert_contains "$stdout" "---data-volume.service---"
assert_contains "$stderr" "$T/q/web.container:10: unsupported key 'Frobnicate' in section [Container]"

# As systemd runs it: three output directories; [Install] becomes a .wants link.
QUADLET_UNIT_DIRS=$T/q assert_success "$T/skiff-systemd-generator" "$T/gen" "$T/gen" "$T/gen"
assert_file "$T/gen/web.service"
assert_file "$T/gen/data-volume.service"
assert_eq "$(readlink "$T/gen/default.target.wants/web.service")" ../web.service
u=$T/gen/web.service
assert_contains "$(cat "$u")" "SourcePath=$T/q/web.container"
assert_contains "$(cat "$u")" "Requires=data-volume.service"
assert_success systemd-analyze verify --man=no "$u"
assert_not_contains "$output" "web.service:"

# Per-user directory (no QUADLET_UNIT_DIRS): --user reads ~/.config/containers/systemd.
cp "$T/q/data.volume" "$XDG_CONFIG_HOME/containers/systemd/mine.volume"
run_split "$SKIFF" __systemd-generator --user --dryrun
assert_contains "$stdout" "---mine-volume.service---"

# Run the units' Exec lines: the volume first, then the container.
exec_of() {  # FILE KEY [NTH]
  local line name
  name=$(basename "$1" .service)
  line=$(grep "^$2=" "$1" | sed -n "${3:-1}p" | cut -d= -f2-)
  line=${line#-}
  line=${line//%t/$RT}
  line=${line//%N/$name}
  line=${line//%n/$name.service}
  if ! "$SKIFF" run --help | grep -q -- '--cgroups'; then line=${line//--cgroups=split/}; fi
  line=${line//\$/\\\$}  # systemd substitutes only $VAR words and ${VAR}: none here
  eval "CMD=($line)"
}
exec_of "$T/gen/data-volume.service" ExecStart
CMD=("${CMD[0]}" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "${CMD[@]:1}")
assert_success "${CMD[@]}"
assert_eq "$(sk volume inspect -f '{{.Labels.owner}}' systemd-data)" quadlet
"$tool" listen "$T/n.sock" >"$T/n.log" &
wait_until 5 test -S "$T/n.sock"
exec_of "$u" ExecStart
(NOTIFY_SOCKET=$T/n.sock "$tool" supervise "${CMD[@]}" >"$T/sup.log") &
wait_until 10 grep -q READY=1 "$T/n.log"
mpid=$(ctr_monitor_pid systemd-web)
assert_contains "$(cat "$T/n.log")" "$mpid MAINPID=$mpid"
wait_until 5 sh -c "'$SKIFF' --root '$SKIFF_ROOT' --runroot '$SKIFF_RUNROOT' logs systemd-web | grep -q 'hello quadlet'"
assert_eq "$(sk inspect -f '{{index .Config.Labels "app"}} {{(index .Mounts 0).Name}}' systemd-web)" "web systemd-data"
# systemctl stop: SIGTERM to the main process (the monitor), then the ExecStopPost lines.
kill -TERM "$mpid"
wait_until 15 grep -q "^$mpid " "$T/sup.log"
exec_of "$u" ExecStopPost 1
CMD=("${CMD[0]}" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "${CMD[@]:1}")
assert_success "${CMD[@]}"
exec_of "$u" ExecStopPost 2
assert_success "${CMD[@]}"
assert_eq "$(sk ps -a -q --filter name=systemd-web)" ""
assert_no_file "$RT/web.cid"

# A file without Image= is an error (exit 1); the others are still generated.
printf '[Container]\nExec=true\n' >"$T/q/broken.container"
rm -rf "$T/gen"/*
QUADLET_UNIT_DIRS=$T/q run_split "$T/skiff-systemd-generator" "$T/gen" "$T/gen" "$T/gen"
assert_eq "$status" 1
assert_contains "$stderr" "broken.container: no Image= in [Container]"
assert_file "$T/gen/web.service"
