#!/usr/bin/env bash
# `make install` puts every file where Debian's programs look for it, for PREFIX=/usr/local (the
# default) and PREFIX=/usr: the binary, man pages, and the bash, zsh and fish completions. The
# directories are checked against what the installed zsh and fish report (`print -l $fpath`,
# `$fish_complete_path` without XDG_DATA_DIRS, as in a console or ssh login), and against
# Debian 12's lists when a shell is missing. Installs into a scratch DESTDIR; builds nothing
# (`make -o all`: OUT's skiff must exist).
#
#   tests/install-paths.sh [--out DIR]        exit 0 pass, 1 fail
set -uo pipefail
OUT=out
[ "${1:-}" != --out ] || OUT=$2
cd "$(dirname "$0")/.." || exit 2
OUT=$(realpath -m "$OUT")
[ -x "$OUT/skiff" ] || { echo "install-paths: $OUT/skiff is missing (make)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
bad() { echo "FAIL: $*"; failed=1; }

# Where each shell searches (without DESTDIR). Debian 12's defaults when the shell is absent.
if command -v zsh >/dev/null; then
  # shellcheck disable=SC2016  # zsh expands it
  zsh_dirs=$(env -i zsh -fc 'print -l $fpath')
else
  echo "install-paths: no zsh here, Debian 12's fpath assumed"
  zsh_dirs=$'/usr/local/share/zsh/site-functions\n/usr/share/zsh/vendor-functions\n/usr/share/zsh/vendor-completions'
fi
if command -v fish >/dev/null; then
  # shellcheck disable=SC2016  # fish expands it
  fish_dirs=$(env -i HOME="$tmp/home" fish -c 'printf "%s\n" $fish_complete_path')
else
  echo "install-paths: no fish here, Debian 12's fish_complete_path assumed"
  fish_dirs=$'/etc/fish/completions\n/usr/share/fish/vendor_completions.d\n/usr/share/fish/completions'
fi
# bash-completion loads completions/<cmd> from each of $XDG_DATA_DIRS (default below).
bash_dirs=$'/usr/local/share/bash-completion/completions\n/usr/share/bash-completion/completions'

searched() {  # LIST DIR
  grep -qxF -- "$2" <<<"$1"
}

for prefix in /usr/local /usr; do
  dest=$tmp/$prefix
  args=(DESTDIR="$dest" OUT="$OUT")
  [ "$prefix" = /usr/local ] || args+=(PREFIX="$prefix")  # the default is /usr/local
  if ! make --no-print-directory -o all install "${args[@]}" >"$tmp/log" 2>&1; then
    cat "$tmp/log"
    bad "make install ${args[*]}"
    continue
  fi
  [ -x "$dest$prefix/bin/skiff" ] || bad "$prefix: bin/skiff not installed"
  [ -f "$dest$prefix/share/man/man1/skiff-run.1" ] || bad "$prefix: man page skiff-run.1 not in share/man/man1"
  for shell in bash zsh fish; do
    case $shell in
      bash) name=skiff list=$bash_dirs ;;
      zsh) name=_skiff list=$zsh_dirs ;;
      fish) name=skiff.fish list=$fish_dirs ;;
    esac
    found=$(cd "$dest" && find . -name "$name" -type f -path "*/share/*" | sed 's/^\.//')
    if [ -z "$found" ]; then
      bad "$prefix: no $shell completion ($name) installed"
    elif ! searched "$list" "$(dirname "$found")"; then
      bad "$prefix: $shell completion installed as $found, where $shell does not look"
    else
      echo "ok: PREFIX=$prefix $shell completion in $(dirname "$found")"
    fi
  done
  # uninstall removes what install put there.
  make --no-print-directory -o all uninstall "${args[@]}" >"$tmp/log" 2>&1 || bad "$prefix: make uninstall"
  left=$(cd "$dest" && find . -type f | head)
  [ -z "$left" ] || bad "$prefix: uninstall left $left"
done
if [ "$failed" = 0 ]; then echo "install-paths: ok"; else echo "install-paths: FAILED"; fi
exit "$failed"
