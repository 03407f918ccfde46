#!/usr/bin/env bash
# The interactive scenario, driven through a real pseudo-terminal (tmux): `run -it … sh`, type a
# command and see its output, the initial size and a live resize (`stty size`), detach with
# ctrl-p ctrl-q (in one read, then split across reads), `ps` shows it Up, `rename`, `attach`
# again, a lone ctrl-p followed by other keys reaches the container intact, `exit`, and `ps -a`
# shows `Exited (0)`. The terminal settings are restored after each detach and after the exit.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
tmux_start 100 30

tsend "stty -g >$T/stty.before; \$T/sk run -it --name pty1 $img sh" Enter
wait_screen 10 '^/ # $'
# Typed text and its output differ: the output proves the shell ran it.
tsend 'echo hel""lo-$((6*7)); stty size; tty; hostname' Enter
wait_screen 5 '^hello-42$'
wait_screen 5 '^30 100$'
wait_screen 5 '^/dev/pts/0$'
id=$(ctr_id pty1)
wait_screen 5 "^${id:0:12}\$"

# Resize: the client relays SIGWINCH.
tmux -S "$T/tmux.sock" resize-window -t 0 -x 90 -y 20
tsend 'stty size' Enter
wait_screen 5 '^20 90$'

# Detach (both keys in one read), then prove we are back in the host shell.
tsend C-p C-q
tsend "stty -g >$T/stty.detached; echo back-\$((40+2))" Enter
wait_screen 5 '^back-42$'
assert_eq "$(cat "$T/stty.detached")" "$(cat "$T/stty.before")" "terminal settings after detach"
assert_match "$(ctr_status pty1)" '^Up ' "ps after detach"

assert_success sk rename pty1 pty2
assert_match "$(ctr_status pty2)" '^Up ' "ps after rename"

tsend "clear; \$T/sk attach pty2" Enter
sleep 0.3
tsend 'echo att-$((2+3))' Enter
wait_screen 5 '^att-5$'
# A lone ctrl-p followed by other keys is forwarded as typed: od shows the bytes it read.
tsend 'od -c' Enter
sleep 0.2
tsend C-p
sleep 0.2
tsend x Enter C-d
wait_screen 5 '^0000000 +020 +x +\\n'
# Detach again, the two keys split across reads.
tsend C-p
sleep 0.3
tsend C-q
tsend "stty -g >$T/stty.detached2; echo back-\$((50+5))" Enter
wait_screen 5 '^back-55$'
assert_eq "$(cat "$T/stty.detached2")" "$(cat "$T/stty.before")" "terminal settings after the second detach"
assert_match "$(ctr_status pty2)" '^Up ' "ps after the second detach"

# Attach once more and end the shell: the client returns the container's exit status.
tsend "clear; \$T/sk attach pty2; echo rc=\$?; stty -g >$T/stty.after" Enter
sleep 0.3
tsend 'echo att-$((3+4))' Enter
wait_screen 5 '^att-7$'
tsend 'exit' Enter
wait_screen 10 '^rc=0$'
wait_until 5 test -s "$T/stty.after"
assert_eq "$(cat "$T/stty.after")" "$(cat "$T/stty.before")" "terminal settings after exit"
assert_match "$(ctr_status pty2)" '^Exited \(0\) ' "ps -a after exit"
run_split sk ps -a --format '{{.Names}}\t{{.Status}}'
assert_match "$stdout" $'^pty2\tExited \\(0\\) (Less than a second|[0-9]+ seconds?) ago$'

# Exit codes come through the terminal session as well.
tsend "clear; \$T/sk run -it --rm $img sh -c 'exit 3'; echo rc=\$?" Enter
wait_screen 10 '^rc=3$'
