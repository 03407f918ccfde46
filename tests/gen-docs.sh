#!/usr/bin/env bash
# Regenerates the man pages and shell completion scripts from the command table.
#
#   tests/gen-docs.sh [--check] SKIFF_BINARY MANDIR COMPLETIONSDIR
#
# `skiff __docgen man` writes the pages' markdown (merging man/prose/*.md), go-md2man turns it
# into MANDIR/*.1 (an alias has its own full page: `man -l man/skiff-run.1` works in the source
# tree, where a `.so` stub would not resolve), and `skiff completion SHELL` writes
# COMPLETIONSDIR/{bash/skiff,zsh/_skiff,fish/skiff.fish}. Both are committed (`make docs`).
# With --check nothing is written: the files are generated in a temporary directory and the
# script fails, listing them, if the committed ones differ (`make check-docs`).
set -euo pipefail

check=0
if [[ ${1-} == --check ]]; then
    check=1
    shift
fi
if (($# != 3)); then
    echo "usage: $0 [--check] SKIFF_BINARY MANDIR COMPLETIONSDIR" >&2
    exit 2
fi
skiff=$(realpath "$1")
mandir=$2
compdir=$3
repo=$(cd "$(dirname "$0")/.." && pwd)

if ! command -v go-md2man >/dev/null; then
    echo "gen-docs: installing go-md2man" >&2
    sudo=()
    ((EUID == 0)) || sudo=(sudo)
    "${sudo[@]}" apt-get install -y -q go-md2man >&2 || {
        echo "gen-docs: go-md2man is missing (apt-get install go-md2man)" >&2
        exit 1
    }
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/md" "$tmp/man" "$tmp/completions/bash" "$tmp/completions/zsh" "$tmp/completions/fish"

"$skiff" __docgen man "$tmp/md" --prose "$repo/man/prose"
for f in "$tmp/md"/*; do
    name=$(basename "$f")
    case $name in
        *.1.md) go-md2man -in "$f" -out "$tmp/man/${name%.md}" ;;
        *) echo "gen-docs: unexpected file $name" >&2; exit 1 ;;
    esac
done
"$skiff" completion bash >"$tmp/completions/bash/skiff"
"$skiff" completion zsh >"$tmp/completions/zsh/_skiff"
"$skiff" completion fish >"$tmp/completions/fish/skiff.fish"

# Lists generated files that differ from the committed ones, and committed ones no longer made.
stale=()
compare() { # generated-dir committed-dir pattern...
    local gen=$1 dst=$2 f rel
    shift 2
    while IFS= read -r f; do
        rel=${f#"$gen"/}
        cmp -s "$f" "$dst/$rel" || stale+=("$dst/$rel")
    done < <(for p in "$@"; do find "$gen" -path "$gen/$p" -type f; done | sort)
    while IFS= read -r f; do
        rel=${f#"$dst"/}
        [[ -e $gen/$rel ]] || stale+=("$dst/$rel (no longer generated)")
    done < <(for p in "$@"; do find "$dst" -path "$dst/$p" -type f 2>/dev/null; done | sort)
}
compare "$tmp/man" "$mandir" '*.1'
compare "$tmp/completions" "$compdir" 'bash/skiff' 'zsh/_skiff' 'fish/skiff.fish'

if ((check)); then
    if ((${#stale[@]})); then
        echo "gen-docs: these files are stale; run 'make docs' and commit them:" >&2
        printf '  %s\n' "${stale[@]}" >&2
        exit 1
    fi
    echo "gen-docs: man pages and completions are up to date"
    exit 0
fi

mkdir -p "$mandir" "$compdir"
find "$mandir" -maxdepth 1 -name '*.1' -type f -delete
cp "$tmp/man"/*.1 "$mandir/"
cp -r "$tmp/completions"/. "$compdir/"
echo "gen-docs: ${#stale[@]} file(s) updated in $mandir and $compdir"
