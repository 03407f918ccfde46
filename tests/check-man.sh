#!/usr/bin/env bash
# Checks the committed man pages as a reader meets them (`make check-docs`, after gen-docs.sh
# --check has made sure they are what the command table and man/prose make):
#
#   tests/check-man.sh MANDIR
#
# - every page renders with `man -l MANDIR/PAGE.1` from the source tree, without a warning from
#   man or groff (an alias page used to be a `.so man1/...` stub, which man resolves against the
#   current directory, so `man -l man/skiff-run.1` failed);
# - installed under a MANPATH (as `make install` puts them), `man skiff-run` finds and renders
#   the same page;
# - every page has a DESCRIPTION and EXAMPLES section, and a DESCRIPTION longer than its
#   one-line summary (the hand-written part, man/prose/skiff-PAGE.md);
# - every `skiff-NAME(1)` a page refers to exists;
# - no page names, in bold, a Docker command that skiff does not have (login, push, ...), and
#   `--publish` is not offered while skiff has no container network (run refuses -p);
# - no text turned into a link by mistake (`**on-failure**[:N] (…)` is a markdown link).
set -euo pipefail

if (($# != 1)); then
    echo "usage: $0 MANDIR" >&2
    exit 2
fi
mandir=$1
for c in man groff; do
    command -v "$c" >/dev/null || {
        echo "check-man: $c is missing (make deps, or apt-get install man-db groff-base)" >&2
        exit 1
    }
done
shopt -s nullglob
pages=("$mandir"/*.1)
((${#pages[@]})) || { echo "check-man: no pages in $mandir" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export MANWIDTH=80 MANPAGER=cat PAGER=cat LC_ALL=C.UTF-8
errors=()
err() { errors+=("$*"); }

# The names skiff has: one page per command path, alias and group.
declare -A have=()
for f in "${pages[@]}"; do
    n=$(basename "$f" .1)
    n=${n#skiff}
    n=${n#-}
    n=${n:-skiff}
    have[$n]=1
    have[${n##*-}]=1  # the last word: "image-push" has "push"
done

# Docker's commands (docker 27 `docker --help`, top level and management groups).
docker_cmds="attach build builder buildx checkpoint commit compose config container context cp create
  diff events exec export history image images import info inspect kill load login logout logs
  manifest network node pause plugin port ps pull push rename restart rm rmi run save search secret
  service stack start stats stop swarm system tag top trust unpause update version volume wait"

mkdir -p "$tmp/installed/man1"
cp "${pages[@]}" "$tmp/installed/man1/"

for f in "${pages[@]}"; do
    page=$(basename "$f" .1)
    # From the source tree, with man's and groff's warnings on.
    if ! man --warnings -l "$f" >"$tmp/out" 2>"$tmp/err"; then
        err "$f: man -l failed: $(head -c 300 "$tmp/err")"
        continue
    fi
    [[ -s $tmp/err ]] && err "$f: man -l warns: $(head -c 300 "$tmp/err")"
    text=$(<"$tmp/out")
    [[ $text == *"$page"* ]] || err "$f: rendered page does not name $page"
    for section in NAME SYNOPSIS DESCRIPTION EXAMPLES "SEE ALSO"; do
        grep -q "^$section\$" "$tmp/out" || err "$f: no $section section"
    done
    # The DESCRIPTION must say more than the NAME line's summary.
    desc=$(sed -n '/^DESCRIPTION$/,/^[A-Z][A-Z ]*$/{/^[A-Z][A-Z ]*$/d;p}' "$tmp/out" | wc -w)
    ((desc >= 25)) || err "$f: DESCRIPTION has only $desc words (write its prose in man/prose/)"
    # Cross references.
    while read -r ref; do
        [[ -e $mandir/$ref.1 ]] || err "$f: refers to $ref(1), which does not exist"
    done < <(grep -o 'skiff[a-z-]*([1])' "$tmp/out" | sed 's/(1)$//' | sort -u)
    # Commands skiff does not have, named in bold (\fBlogin\fP) in the page's source.
    for c in $docker_cmds; do
        [[ -n ${have[$c]+x} ]] && continue
        if grep -q "\\\\fB$c\\\\f[PR]" "$f"; then err "$f: names \"$c\", which skiff does not have"; fi
    done
    # `[x] (y)` in the markdown is a link to go-md2man: the text comes out as `x ⟨y⟩`.
    grep -q '⟨' "$tmp/out" && err "$f: a markdown link by mistake (\"[...] (...)\" in man/prose; use \`[...]\`)"
done

# Installed: `man NAME` through MANPATH finds the alias's page and renders it.
for name in skiff skiff-run skiff-container-run skiff-ps skiff-rmi; do
    [[ -e $mandir/$name.1 ]] || continue
    if ! MANPATH=$tmp/installed man "$name" >"$tmp/out" 2>"$tmp/err" || [[ -s $tmp/err ]]; then
        err "installed $name: $(head -c 300 "$tmp/err")"
    elif ! grep -q '^DESCRIPTION$' "$tmp/out"; then
        err "installed $name: no DESCRIPTION"
    fi
done

if ((${#errors[@]})); then
    echo "check-man: ${#errors[@]} problem(s) in $mandir:" >&2
    printf '  %s\n' "${errors[@]}" >&2
    exit 1
fi
echo "check-man: ${#pages[@]} pages render with man -l and have DESCRIPTION and EXAMPLES"
