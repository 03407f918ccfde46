#!/usr/bin/env bash
# Heredocs: RUN <<EOF (a script), RUN with a heredoc fed to a command, COPY <<EOF /dest with
# variables expanded (unquoted delimiter) or not (quoted), several in one instruction.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)
assert_success sk pull -q "$ref"

mkdir ctx
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
ENV NAME=world
RUN <<EOF
echo "hello \$NAME" > /script.txt
echo second line >> /script.txt
EOF
RUN cat <<EOF > /fed.txt
fed \$NAME
EOF
COPY <<EOF /copied.txt
copied \$NAME
EOF
COPY <<'EOF' /literal.txt
literal \$NAME
EOF
COPY <<A <<B /two/
first
A
second
B
DOCKERFILE
run_split sk build --network host -t hd ctx
assert_eq "$status" 0 "build ($stderr)"
assert_eq "$(sk run --rm hd cat /script.txt)" "hello world
second line" "RUN <<EOF runs the script"
assert_eq "$(sk run --rm hd cat /fed.txt)" "fed world" "a heredoc fed to a command"
assert_eq "$(sk run --rm hd cat /copied.txt)" "copied world" "COPY <<EOF expands"
assert_eq "$(sk run --rm hd cat /literal.txt)" 'literal $NAME' "a quoted delimiter does not"
assert_eq "$(sk run --rm hd cat /two/A /two/B)" "first
second" "two heredocs into a directory"
