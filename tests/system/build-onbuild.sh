#!/usr/bin/env bash
# ONBUILD: triggers are stored in the parent's config, fire in a child build right after its
# FROM (in order, with the child's context), and are not inherited by the child image. Also
# ENTRYPOINT and CMD: an inherited CMD is reset by ENTRYPOINT, one set in the stage is kept.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir parent child
cat >parent/Dockerfile <<DOCKERFILE
FROM $ref
ONBUILD COPY payload.txt /payload.txt
ONBUILD RUN echo "triggered" > /trigger.txt
DOCKERFILE
assert_success sk build -t onb:parent parent
assert_eq "$(sk inspect --format '{{json .Config.OnBuild}}' onb:parent)" \
  '["COPY payload.txt /payload.txt","RUN echo \"triggered\" > /trigger.txt"]' "triggers stored"
assert_status 1 sk run --rm onb:parent cat /trigger.txt

echo "from the child" >child/payload.txt
printf 'FROM onb:parent\nRUN cat /trigger.txt /payload.txt > /both.txt\n' >child/Dockerfile
run_split sk build -t onb:child child
assert_eq "$status" 0 "child build ($stderr)"
assert_contains "$stdout" "# Executing 2 build triggers" "the triggers announced"
assert_eq "$(sk run --rm onb:child cat /both.txt)" "triggered
from the child" "the triggers ran with the child's context"
assert_eq "$(sk inspect --format '{{json .Config.OnBuild}}' onb:child)" "null" "triggers are not inherited"

# ENTRYPOINT drops a CMD inherited from the base, but keeps one set earlier in the same stage.
mkdir ep
printf 'FROM %s\nENTRYPOINT ["echo"]\n' "$ref" >ep/Dockerfile
assert_success sk build -q -t ep:1 ep
assert_eq "$(sk inspect --format '{{json .Config.Cmd}}' ep:1)" "null" "inherited CMD reset"
printf 'FROM %s\nCMD ["kept"]\nENTRYPOINT ["echo"]\n' "$ref" >ep/Dockerfile
assert_success sk build -q -t ep:2 ep
assert_eq "$(sk run --rm ep:2)" "kept" "CMD of the same stage kept"
