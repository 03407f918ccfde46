#!/usr/bin/env bash
# exec -it through a real pseudo-terminal (tmux): a shell in a running container with its own
# terminal of the pane's size, a live resize, the exit status, detaching with ctrl-p ctrl-q
# (the exec'd shell goes on), and the terminal settings restored.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
sk run -d --name et "$img" sleep 1000 >/dev/null
tmux_start 90 25

tsend "stty -g >$T/stty.before; \$T/sk exec -it et sh; echo rc=\$?" Enter
wait_screen 10 '^/ # $'
tsend 'echo in-$((20+1)); stty size; tty; echo $TERM' Enter
wait_screen 5 '^in-21$'
wait_screen 5 '^25 90$'
wait_screen 5 '^/dev/pts/[0-9]+$'
tmux -S "$T/tmux.sock" resize-window -t 0 -x 70 -y 20
tsend 'stty size' Enter
wait_screen 5 '^20 70$'
tsend 'exit 3' Enter
wait_screen 5 '^rc=3$'
tsend "stty -g >$T/stty.after" Enter
wait_until 5 test -s "$T/stty.after"
assert_eq "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" "terminal settings after exec -it"

# Detach from an exec session: the process keeps running in the container.
tsend "clear; \$T/sk exec -it et sh -c 'echo marker-\$((1+1)); exec sleep 500'" Enter
wait_screen 10 '^marker-2'
tsend C-p C-q
tsend "stty -g >$T/stty.detached; echo back-\$((3+3))" Enter
wait_screen 5 '^back-6$'
assert_eq "$(cat "$T/stty.detached")" "$(cat "$T/stty.before")" "terminal settings after detaching from exec"
run_split sk exec et sh -c 'ps -o args | grep -c "^sleep 500"'
assert_eq "$stdout" 1 "the detached exec'd process is still running"

# -t without -i: a terminal for the output, no input.
run_split sk exec -t et sh -c 'tty; echo out'
assert_match "$stdout" $'^/dev/pts/[0-9]+\r\nout\r$'
