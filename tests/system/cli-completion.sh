#!/usr/bin/env bash
# Shell completion: `skiff __complete` speaks cobra's protocol (candidates, then :DIRECTIVE,
# the directive's name on stderr) over the command table and this test's store, and the bash
# script from `skiff completion bash` completes through it (without the bash-completion
# package), words split at '=' and ':' as bash splits them.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

# The protocol.
run_split sk __complete ''
assert_eq "$status" 0 "__complete exit status"
assert_contains "$stdout" $'\nversion\tShow the skiff version information\n' "command with its summary"
assert_eq "$(tail -n 1 <<<"$stdout")" ":4" "directive NoFileComp after command names"
assert_eq "$stderr" "Completion ended with directive: ShellCompDirectiveNoFileComp" "stderr"
run_split sk __completeNoDesc ve
assert_eq "$stdout" $'version\n:4' "__completeNoDesc"
run_split sk __complete --l
assert_eq "$stdout" $'--log-level\tLog messages above specified level (trace, debug, info, warn, error, fatal, panic, off)\n:4' "flag name"
run_split sk __complete --log-level=d
assert_eq "$stdout" $'debug\n:4' "flag value after ="
run_split sk __complete run --restart ''
assert_eq "$stdout" $'no\nalways\non-failure\nunless-stopped\n:4' "enum values"
run_split sk __complete run some-image ''
assert_eq "$stdout" ":0" "after IMAGE: the shell's file completion"
run_split sk __complete bogus ''
assert_eq "$stdout" ":0" "unknown command: nothing, default directive"

# Dynamic candidates from the store named on the line (volumes need no namespace).
assert_success sk volume create data1
assert_success sk volume create cache
run_split sk __complete volume rm ''
assert_eq "$(sed '$d' <<<"$stdout" | sort | tr '\n' ' ')" "cache data1 " "volume names"
run_split "$SKIFF" __complete --root "$SKIFF_ROOT" --runroot "$SKIFF_RUNROOT" volume inspect d
assert_eq "$stdout" $'data1\n:4' "--root given to __complete"

# The bash script, driven as bash drives it: COMP_WORDS split at blanks and at '=' and ':'.
mkdir -p "$T/bin"
ln -s "$SKIFF" "$T/bin/skiff"
export PATH=$T/bin:$PATH
script=$("$SKIFF" completion bash)
complete_line() { # LINE → the completions, one per line
  (
    set +eEuo pipefail
    trap - ERR
    eval "$script"
    COMP_LINE=$1
    COMP_POINT=${#1}
    local spaced
    spaced=${1//=/ = }
    spaced=${spaced//:/ : }
    read -ra COMP_WORDS <<<"$spaced"
    [[ $1 == *' ' ]] && COMP_WORDS+=('')
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMPREPLY=()
    __start_skiff 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}"
  )
}
assert_eq "$(complete_line 'skiff ve')" "version" "bash: skiff ve<TAB>"
assert_eq "$(complete_line 'skiff --l')" "--log-level" "bash: skiff --l<TAB>"
assert_eq "$(complete_line 'skiff --log-level=d')" "debug" "bash: --log-level=d<TAB>"
assert_eq "$(complete_line "skiff --root $SKIFF_ROOT --runroot $SKIFF_RUNROOT volume rm " | sort | tr '\n' ' ')" \
  "cache data1 " "bash: volume names"
out=$(complete_line 'skiff r')
assert_match "$out" $'^rename +\\(Rename a container\\)\n' "bash: several candidates get their descriptions"
assert_contains "$out" $'\nrm ' "bash: rm offered"
assert_contains "$out" $'\nrun ' "bash: run offered"
