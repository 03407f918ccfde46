#!/usr/bin/env bash
# login checks the credentials against the registry before storing them in
# $XDG_RUNTIME_DIR/containers/auth.json (mode 0600): a wrong password (basic and token) exits
# 125 and stores nothing, -p warns as Docker does, --password-stdin works, --get-login prints
# the user; pushes then need no --creds; logout removes them (and pushes are refused again),
# logout of an unknown registry and -a. Credentials in ~/.docker/config.json are used too, and a
# credsStore helper (docker-credential-<name>) stores, gets and erases them as Docker runs it.
# No password appears in any output.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
require_cmd jq
ns=lg-$SKIFF_TEST_ROLE-$RANDOM$RANDOM
bb=$(fixture_ref busybox)
assert_success sk pull -q "$bb"
auth=$XDG_RUNTIME_DIR/containers/auth.json

run_split sk login -u "$REG_USER" -p wrong-pass-4711 "$REG_BASIC"
assert_eq "$status" 125 "wrong password (basic)"
assert_contains "$stderr" "WARNING! Using --password via the CLI is insecure. Use --password-stdin."
assert_contains "$stderr" "wrong username or password"
assert_not_contains "$stdout$stderr" "wrong-pass-4711"
assert_no_file "$auth"

run_split sk login -u "$REG_USER" --password-stdin "$REG_TOKEN" <<<"wrong-pass-4711"
assert_eq "$status" 125 "wrong password (token)"
assert_not_contains "$stdout$stderr" "wrong-pass-4711"
assert_no_file "$auth"

run_split sk login -u "$REG_USER" "$REG_BASIC" </dev/null
assert_eq "$status" 125 "no password and no terminal"
assert_contains "$stderr" "Cannot perform an interactive login from a non TTY device"

run_split sk login -u "$REG_USER" --password-stdin "$REG_BASIC" <<<"$REG_PASS"
assert_eq "$status" 0 "login basic: $stderr"
assert_eq "$stdout" "Login Succeeded"
assert_not_contains "$stdout$stderr" "$REG_PASS"
assert_file "$auth"
assert_eq "$(stat -c %a "$auth")" 600 "auth.json mode"
assert_eq "$(jq -r --arg r "$REG_BASIC" '.auths[$r].auth' "$auth" | base64 -d)" "$REG_USER:$REG_PASS" "stored entry"
assert_eq "$(sk login --get-login "$REG_BASIC")" "$REG_USER" "--get-login"

printf '%s\n' "$REG_PASS" | sk login -u "$REG_USER" --password-stdin "$REG_TOKEN" >/dev/null
run_split sk push "$bb" "$REG_BASIC/$ns/a"
assert_eq "$status" 0 "push with the stored basic credentials: $stderr"
run_split sk push "$bb" "$REG_TOKEN/$ns/a"
assert_eq "$status" 0 "push with the stored token credentials: $stderr"

run_split sk logout "$REG_BASIC"
assert_eq "$status" 0
assert_eq "$stdout" "Removed login credentials for $REG_BASIC"
assert_eq "$(jq -r --arg r "$REG_BASIC" '.auths[$r] // "gone"' "$auth")" "gone"
run_split sk push "$bb" "$REG_BASIC/$ns/b"
assert_eq "$status" 125 "push after logout"
run_split sk logout "$REG_BASIC"
assert_eq "$status" 125
assert_contains "$stderr" "not logged into $REG_BASIC"
assert_success sk logout -a
assert_eq "$(jq -r '.auths | length' "$auth")" 0 "logout -a"

# Docker's config.json is read.
mkdir -p "$HOME/.docker"
printf '{"auths":{"%s":{"auth":"%s"}}}\n' "$REG_BASIC" "$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)" \
  >"$HOME/.docker/config.json"
run_split sk push "$bb" "$REG_BASIC/$ns/c"
assert_eq "$status" 0 "push with ~/.docker/config.json: $stderr"
run_split sk logout "$REG_BASIC"
assert_eq "$status" 125 "logout of credentials skiff did not store"
assert_contains "$stderr" ".docker/config.json"
rm "$HOME/.docker/config.json"

# A credential helper named by credsStore: store on login, get on push, erase on logout.
mkdir -p "$T/bin"
cat >"$T/bin/docker-credential-skifftest" <<'HELPER'
#!/bin/sh
# A docker credential helper keeping one JSON file per server in $HELPER_DIR.
d=${HELPER_DIR:?}
mkdir -p "$d"
case $1 in
  store) in=$(cat); f=$d/$(printf '%s' "$in" | jq -r .ServerURL | tr '/:' '__'); printf '%s' "$in" >"$f" ;;
  get) s=$(cat); f=$d/$(printf '%s' "$s" | tr '/:' '__'); [ -f "$f" ] || { echo "credentials not found in native keychain"; exit 1; }; cat "$f" ;;
  erase) s=$(cat); rm -f "$d/$(printf '%s' "$s" | tr '/:' '__')" ;;
  *) exit 1 ;;
esac
HELPER
chmod +x "$T/bin/docker-credential-skifftest"
export PATH=$T/bin:$PATH HELPER_DIR=$T/helper
echo '{"auths":{},"credsStore":"skifftest"}' >"$auth"
printf '%s\n' "$REG_PASS" | sk login -u "$REG_USER" --password-stdin "$REG_BASIC" >/dev/null
assert_eq "$(jq -r .Username "$T/helper/$(tr '/:' '__' <<<"$REG_BASIC")")" "$REG_USER" "the helper stored the credentials"
assert_eq "$(jq -r --arg r "$REG_BASIC" '.auths[$r] // "none"' "$auth")" "none" "nothing in auth.json itself"
run_split sk push "$bb" "$REG_BASIC/$ns/d"
assert_eq "$status" 0 "push with the helper's credentials: $stderr"
assert_success sk logout "$REG_BASIC"
assert_no_file "$T/helper/$(tr '/:' '__' <<<"$REG_BASIC")"
