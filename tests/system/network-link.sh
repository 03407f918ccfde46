#!/usr/bin/env bash
# --link NAME[:ALIAS]: the alias (and the linked container's name and hostname) in /etc/hosts at
# its address, Docker's ALIAS_NAME and ALIAS_ENV_* variables (-e wins), HostConfig.Links; a
# missing container refused at create, a stopped one at start, none/host refused as Docker.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)

assert_success sk network create --subnet 10.89.90.0/24 lnet
assert_success sk run -d --name db --hostname dbhost --network lnet --ip 10.89.90.20 -e PASSWORD=s3cret -e HOME=/x "$img" sleep 60
run_split sk run --rm --name app --network lnet --link db:database --link db "$img" sh -c 'cat /etc/hosts; env | sort'
assert_eq "$status" 0 "run with links: $stderr"
assert_contains "$stdout" $'10.89.90.20\tdatabase dbhost db' "alias line"
assert_contains "$stdout" "DATABASE_NAME=/app/database" "ALIAS_NAME"
assert_contains "$stdout" "DATABASE_ENV_PASSWORD=s3cret" "ALIAS_ENV_"
assert_contains "$stdout" "DB_NAME=/app/db" "a link without an alias"
assert_not_contains "$stdout" "DATABASE_ENV_HOME" "HOME is not passed on (Docker)"
run_split sk run --rm --network lnet --link db:database -e DATABASE_NAME=mine "$img" sh -c 'echo $DATABASE_NAME'
assert_eq "$stdout" "mine" "-e wins over a link variable"
assert_success sk create --name linked --network lnet --link db:database "$img" true
assert_eq "$(sk inspect -f '{{.HostConfig.Links}}' linked)" "[/db:/linked/database]" "HostConfig.Links"

# Refusals.
run_split sk create --network lnet --link nope "$img" true
assert_eq "$status" 125 "missing container"
assert_contains "$stderr" "could not get container for nope" "missing container"
run_split sk run --rm --network none --link db "$img" true
assert_contains "$stderr" "--network=none can't be used with links" "none"
run_split sk run --rm --network host --link db "$img" true
assert_contains "$stderr" "host type networking can't be used with links" "host"
run_split sk run --rm --network lnet --link 'db:' "$img" true
assert_contains "$stderr" "want NAME[:ALIAS]" "empty alias"
assert_success sk stop -t 0 db
run_split sk start linked
assert_eq "$status" 125 "a stopped link target"
assert_contains "$stderr" "Cannot link to a non running container: /db AS /linked/database" "stopped target"
