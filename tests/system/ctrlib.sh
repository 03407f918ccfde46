#!/usr/bin/env bash
# Helpers for the container, exec and volume tests; sourced after lib.sh:
#
#   source "$(dirname "$0")/lib.sh"
#   source "$(dirname "$0")/ctrlib.sh"
#
#   busybox_image            pulls the busybox fixture (once per test) and prints its reference
#   wait_until SECS CMD...   polls CMD (every 50 ms) until it succeeds; fails the test after SECS
#   ctr_id REF               the full ID of a container
#   ctr_rundir REF           its run directory (<run root>/c/<id12>)
#   ctr_monitor_pid REF      its monitor's pid (from monitor.json; empty if none)
#   ctr_status REF           `ps -a` STATUS text of one container
#   sk_wrapper               writes $T/sk: skiff with this test's store, for other shells
#   tmux_start [COLS ROWS]   a tmux server ($T/tmux.sock) with one pane running bash (PS1 '$ ')
#                            whose environment is the test's; $T/sk is on hand
#   tsend KEYS...            tmux send-keys to the pane
#   tscreen                  the pane's text (visible part and history)
#   wait_screen SECS ERE     waits until a line of the pane matches ERE (anchored per line)
#   screen_count ERE         how many lines of the pane match ERE

busybox_image() {
  local ref
  ref=$(fixture_ref busybox)
  if [ -z "${_CTRLIB_PULLED:-}" ]; then
    sk pull -q "$ref" >/dev/null || fail "pull $ref"
    _CTRLIB_PULLED=1
  fi
  echo "$ref"
}

wait_until() {  # SECS CMD...
  local secs=$1 i n
  shift
  n=$((secs * 20))
  for ((i = 0; i < n; i++)); do
    if (trap - ERR; "$@") >/dev/null 2>&1; then return 0; fi
    sleep 0.05
  done
  fail "timed out after ${secs}s waiting for: $*"
}

ctr_id() { "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" inspect -f '{{.Id}}' "$1"; }

ctr_rundir() {
  local id
  id=$(ctr_id "$1")
  echo "$SKIFF_RUNROOT/c/${id:0:12}"
}

ctr_monitor_pid() {
  local f
  f=$(ctr_rundir "$1")/monitor.json
  [ -f "$f" ] || return 0
  sed -n 's/.*"monitorPid":\([0-9]*\).*/\1/p' "$f"
}

ctr_status() {
  "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" ps -a --no-trunc --format '{{.ID}} {{.Names}}|{{.Status}}' |
    awk -v r="$1" '{split($0, a, "|"); split(a[1], b, " ")} b[1] == r || b[2] == r || index(b[1], r) == 1 {print a[2]; exit}'
}

sk_wrapper() {
  cat >"$T/sk" <<EOF
#!/bin/sh
exec "$SKIFF" --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" "\$@"
EOF
  chmod +x "$T/sk"
}

_CTRLIB_TMUX=
tmux_start() {  # [COLS ROWS]
  require_cmd tmux
  sk_wrapper
  _CTRLIB_TMUX=$T/tmux.sock
  cat >"$T/bashrc" <<'EOF'
PS1='$ '
PROMPT_COMMAND=
unset HISTFILE
EOF
  tmux -S "$_CTRLIB_TMUX" -f /dev/null new-session -d -x "${1:-80}" -y "${2:-24}" \
    "exec env -i PATH=$PATH HOME=$HOME XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR TERM=xterm T=$T bash --noprofile --rcfile $T/bashrc -i"
  defer tmux -S "$_CTRLIB_TMUX" kill-server
  tmux -S "$_CTRLIB_TMUX" set-option -g history-limit 5000 >/dev/null
  wait_screen 10 '^\$ ?$'
}

tsend() { _lib_trace "tmux send-keys $*"; tmux -S "$_CTRLIB_TMUX" send-keys -t 0 "$@"; }

tscreen() { tmux -S "$_CTRLIB_TMUX" capture-pane -p -J -S - -t 0; }

screen_count() { tscreen | grep -cE -- "$1" || true; }

wait_screen() {  # SECS ERE
  local secs=$1 i n
  n=$((secs * 20))
  for ((i = 0; i < n; i++)); do
    if tscreen | grep -qE -- "$2"; then return 0; fi
    sleep 0.05
  done
  {
    printf 'FAIL: %s: timed out after %ss waiting for a line matching %s in the terminal:\n' "$(_lib_where)" "$secs" "$2"
    tscreen | sed 's/^/    | /'
  } >&2
  _LIB_FAILED=1
  exit 1
}
