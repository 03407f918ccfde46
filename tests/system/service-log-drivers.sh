#!/usr/bin/env bash
# --log-driver journald: each line becomes a journal entry over journald's native protocol
# (a fake journal socket here, tests/tools/sdnotify, named by SKIFF_JOURNAL_SOCKET) with
# Podman's fields; `logs` reads them back through journalctl (a fake one that serves what the
# socket received); without a journal socket the driver is refused, never replaced (a
# containers.conf default of journald falls back). --log-driver passthrough: the container's
# stdout and stderr are the caller's; `logs` says why it has nothing; not with -t.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
tool=$SKIFF_TOOLS/sdnotify
[ -x "$tool" ] || skip "tests/tools/sdnotify not built (make tools)"
require_cmd jq

# No journald here: refused with the reason.
SKIFF_JOURNAL_SOCKET=$T/nothing.sock assert_status 125 sk run --rm --log-driver journald "$img" true
assert_contains "$output" "no journal socket at $T/nothing.sock"
# containers.conf's default journald (Podman's) falls back to skiff's own driver.
mkdir -p "$XDG_CONFIG_HOME/containers"
printf '[containers]\nlog_driver = "journald"\n' >>"$XDG_CONFIG_HOME/containers/containers.conf"
SKIFF_JOURNAL_SOCKET=$T/nothing.sock sk run --name fallback "$img" echo kept >/dev/null
assert_eq "$(sk logs fallback)" kept
assert_eq "$(sk inspect -f '{{.HostConfig.LogConfig.Type}}' fallback)" json-file

# A fake journal.
"$tool" listen "$T/journal.sock" >"$T/journal.log" &
wait_until 5 test -S "$T/journal.sock"
export SKIFF_JOURNAL_SOCKET=$T/journal.sock
run_split sk run --name j1 --log-driver journald "$img" sh -c 'echo out1; echo err1 >&2; sleep 0.1; echo out2; printf tail'
assert_eq "$status" 0
id=$(ctr_id j1)
wait_until 5 grep -q MESSAGE=tail "$T/journal.log"
log=$(cat "$T/journal.log")
for f in "MESSAGE=out1" "MESSAGE=err1" "PRIORITY=6" "PRIORITY=3" "CONTAINER_NAME=j1" "CONTAINER_ID_FULL=$id" \
  "CONTAINER_ID=${id:0:12}" "CONTAINER_TAG=${id:0:12}" "SYSLOG_IDENTIFIER=${id:0:12}" "CONTAINER_PARTIAL_MESSAGE=true"; do
  assert_contains "$log" " $f" "journal field $f"
done
assert_eq "$(sk inspect -f '{{.HostConfig.LogConfig.Type}}' j1)" journald
sk run --rm --log-driver journald --log-opt tag=web "$img" echo tagged >/dev/null
wait_until 5 grep -q MESSAGE=tagged "$T/journal.log"
assert_contains "$(cat "$T/journal.log")" " CONTAINER_TAG=web"

# journalctl --output=json over what the socket received (one entry per datagram).
mkdir -p "$T/bin"
cat >"$T/bin/journalctl" <<EOF2
#!/bin/sh
want=""
for a in "\$@"; do case "\$a" in CONTAINER_ID_FULL=*) want=\${a#CONTAINER_ID_FULL=};; esac; done
awk -v want="\$want" '
  /^\$/ { if (id == want && n) { printf "{"; for (i = 1; i <= n; i++) printf "%s%s", (i > 1 ? "," : ""), f[i]; printf ",\"__REALTIME_TIMESTAMP\":\"%d\"}\n", ++t * 1000 } n = 0; id = ""; next }
  { sub(/^[0-9]+ /, ""); k = substr(\$0, 1, index(\$0, "=") - 1); v = substr(\$0, index(\$0, "=") + 1)
    if (k == "CONTAINER_ID_FULL") id = v; gsub(/\\\\/, "\\\\\\\\", v); gsub(/"/, "\\\\\"", v); f[++n] = "\"" k "\":\"" v "\"" }
' "$T/journal.log"
EOF2
chmod +x "$T/bin/journalctl"
PATH=$T/bin:$PATH run_split sk logs j1
assert_eq "$status" 0
assert_eq "$stdout" $'out1\nout2\ntail'
assert_eq "$stderr" err1
PATH=$T/bin:$PATH run_split sk logs --tail 1 j1
assert_eq "$stdout" tail
unset SKIFF_JOURNAL_SOCKET

# passthrough: the caller's stdio.
run_split sk run --rm --log-driver passthrough "$img" sh -c 'echo po; echo pe >&2; exit 3'
assert_eq "$status" 3
assert_eq "$stdout" po
assert_eq "$stderr" pe
sk run -d --name pt --log-driver passthrough "$img" sh -c 'echo detached-out' >"$T/pt.out" 2>"$T/pt.err"
assert_eq "$(sk wait pt)" 0
assert_contains "$(cat "$T/pt.out")" detached-out
assert_status 125 sk logs pt
assert_contains "$output" "log driver is passthrough"
assert_status 125 sk run --rm -t --log-driver passthrough "$img" true
assert_contains "$output" "cannot be used with -t"
assert_status 125 sk run --rm --log-driver syslog "$img" true
assert_contains "$output" 'unsupported log driver "syslog"'
