#!/usr/bin/env bash
# Errors: a malformed Dockerfile reports every error with file:line, exits 125 and builds
# nothing (no image, layer or container); a failing RUN prints Docker's message with the
# exit code, exits 1 and leaves no container behind; a missing COPY source is named; a
# missing context or Dockerfile is named; git URLs for ADD are refused clearly.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"
images_before=$(sk images -aq | sort)

mkdir bad
cat >bad/Dockerfile <<DOCKERFILE
FROM $ref
RUUN echo hi
COPY onlyone
CMD ["unterminated
RUN <<EOF
echo never ends
DOCKERFILE
run_split sk build bad
assert_eq "$status" 125 "malformed Dockerfile exit status"
assert_contains "$stderr" "Dockerfile:2" "line of the unknown instruction"
assert_contains "$stderr" "RUUN" "the unknown instruction is named"
assert_contains "$stderr" "Dockerfile:3" "line of the short COPY"
assert_contains "$stderr" "Dockerfile:5" "line of the unterminated heredoc"
assert_not_contains "$stdout" "Step 1" "nothing ran"
assert_eq "$(sk images -aq | sort)" "$images_before" "no image stored"
assert_eq "$(sk ps -aq)" "" "no container"

printf 'RUN echo no from\n' >bad/Dockerfile
assert_status 125 sk build bad
assert_contains "$output" "FROM"

mkdir fail
printf 'FROM %s\nRUN echo before\nRUN false\nRUN echo after\n' "$ref" >fail/Dockerfile
run_split sk build -t f:1 fail
assert_eq "$status" 1 "failing RUN exit status"
assert_contains "$stderr" "The command '/bin/sh -c false' returned a non-zero code: 1" "Docker's message"
assert_not_contains "$stdout" "echo after" "the build stops there"
assert_eq "$(sk ps -aq)" "" "no working container left"
assert_status 125 sk image inspect f:1

printf 'FROM %s\nRUN ["sh", "-c", "exit 3"]\n' "$ref" >fail/Dockerfile
run_split sk build fail
assert_eq "$status" 1 "exec form"
assert_contains "$stderr" "returned a non-zero code: 3" "exit code 3 reported"

printf 'FROM %s\nCOPY nosuchfile /x\n' "$ref" >fail/Dockerfile
assert_status 125 sk build fail
assert_contains "$output" "nosuchfile"

printf 'FROM %s\nADD https://example.invalid/repo.git /src\n' "$ref" >fail/Dockerfile
assert_status 125 sk build fail
assert_contains "$output" "git repository"

assert_status 125 sk build nosuchdir
assert_contains "$output" "nosuchdir"
mkdir empty
assert_status 125 sk build empty
assert_contains "$output" "Dockerfile"
assert_eq "$(sk ps -aq)" "" "still no container"
