#!/usr/bin/env bash
# --userns=keep-id (rootless): the user's uid and gid inside the container are theirs outside,
# so a bind-mounted directory's files are the user's on both sides; the image's own files keep
# their owners (root stays root); the user has an /etc/passwd entry; keep-id:uid=,gid= picks
# other ids. As root, keep-id is refused (Podman's rule); bad modes are clear errors.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
me=$(id -u) mygid=$(id -g)

assert_status 125 sk run --rm --userns bogus "$img" true
assert_contains "$output" "invalid --userns"
assert_status 125 sk run --rm --userns keep-id:uid=x "$img" true
assert_contains "$output" "keep-id takes uid=N and gid=N"

if [ "$me" = 0 ]; then
  assert_status 125 sk run --rm --userns keep-id "$img" true
  assert_contains "$output" "only supported in rootless mode"
  assert_eq "$(sk ps -aq)" "" "nothing left behind"
  exit 0
fi

mkdir "$T/src"
echo host > "$T/src/from-host"
# Inside: the user's ids, the host file is theirs, a new file is the user's outside.
run_split sk run --rm --userns=keep-id -v "$T/src:/src" "$img" \
  sh -c 'id -u; id -g; stat -c %u:%g /src/from-host; echo c > /src/from-ctr; stat -c %u /bin/sh /etc; whoami'
assert_eq "$status" 0 "keep-id run: $stderr"
assert_eq "$stdout" "$(printf '%s\n%s\n%s\n%s\n0\n0\n%s' "$me" "$mygid" "$me:$mygid" "" "$(id -un)" | sed '/^$/d')"
assert_eq "$(stat -c %u:%g "$T/src/from-ctr")" "$me:$mygid" "file made in the container is the user's"
# Root in the container still owns the image's files, and can write where root may.
run_split sk run --rm --userns=keep-id --user 0 "$img" sh -c 'id -u; touch /etc/x && stat -c %u /etc/x'
assert_eq "$stdout" "$(printf '0\n0')"
# Other ids.
run_split sk run --rm --userns=keep-id:uid=1000,gid=1000 -v "$T/src:/src" "$img" \
  sh -c 'id -u; stat -c %u:%g /src/from-host; stat -c %u /bin'
assert_eq "$stdout" "$(printf '1000\n1000:1000\n0')"
# Without keep-id: the host user is root inside (the default mapping).
run_split sk run --rm -v "$T/src:/src" "$img" stat -c %u /src/from-host
assert_eq "$stdout" 0
assert_eq "$(sk inspect -f '{{.Config.User}}' "$(sk create --userns keep-id "$img" true)")" "$me:$mygid"
# --passwd-entry: the line keep-id adds, with Podman's variables replaced.
run_split sk run --rm --userns=keep-id --passwd-entry '$USERNAME:x:$UID:$GID:dev:/work:/bin/sh' "$img" \
  sh -c 'grep "^$(id -un):" /etc/passwd'
assert_eq "$stdout" "$(id -un):x:$me:$mygid:dev:/work:/bin/sh"
