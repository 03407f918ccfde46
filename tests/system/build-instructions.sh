#!/usr/bin/env bash
# A multi-stage Dockerfile using every instruction builds, and its image runs as specified:
# ENTRYPOINT/CMD merge, USER, WORKDIR (created), ENV, EXPOSE, VOLUME, STOPSIGNAL, HEALTHCHECK,
# LABEL, MAINTAINER, ONBUILD and SHELL in `inspect`; COPY --from a stage, --chmod, --chown,
# ADD of a local tar (extracted), ARG before FROM and --build-arg, TARGETARCH; a stage nothing
# needs is skipped; --target stops at a stage; build, image build and buildx build agree.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/ctrlib.sh"
require_registry
ref=$(busybox_image)

mkdir -p ctx/tree/sub
cd ctx
echo "app file" >app.txt
printf '#!/bin/sh\necho "$(cat /app/greeting) $* in $(pwd) as $(id -u):$(id -g)"\n' >run.sh
echo inner >tree/sub/inner.txt
tar -cf files.tar -C tree .
cat >Dockerfile <<DOCKERFILE
# A comment
ARG BASE=$ref
FROM \$BASE AS builder
ARG GREETING=hello
RUN mkdir -p /out && echo "\$GREETING from builder" > /out/greeting
COPY app.txt /out/

FROM \${BASE} AS unused
RUN false

from \${BASE}
ARG TARGETARCH
LABEL org.example.name="demo app" version=1
MAINTAINER someone@example.com
ENV APP_HOME=/app \\
    EXTRA="a b"
WORKDIR \$APP_HOME
COPY --from=builder /out/greeting /out/app.txt ./
COPY --chmod=0755 run.sh /usr/local/bin/run.sh
COPY --chown=1000:1000 app.txt owned.txt
ADD files.tar /opt/
RUN echo "arch=\$TARGETARCH" > /arch.txt
USER 1000:1000
EXPOSE 8080 53/udp
VOLUME ["/data"]
STOPSIGNAL SIGUSR1
HEALTHCHECK --interval=30s --timeout=5s --retries=2 CMD ["true"]
SHELL ["/bin/sh", "-c"]
ONBUILD RUN echo child
ENTRYPOINT ["/usr/local/bin/run.sh"]
CMD ["world"]
DOCKERFILE

run_split sk build -t demo:1 --build-arg GREETING=hi .
assert_eq "$status" 0 "build ($stderr)"
assert_contains "$stdout" "Step 1/" "classic step lines"
assert_contains "$stdout" " ---> Running in " "RUN lines"
assert_contains "$stdout" "Successfully tagged demo:1" "tagged"
assert_not_contains "$stdout" "RUN false" "the unused stage is skipped"
id=$(sk images -q --no-trunc demo:1)
assert_contains "$stdout" "Successfully built ${id:7:12}" "built line names the image"

run_split sk run --rm demo:1
assert_eq "$stdout" "hi from builder world in /app as 1000:1000" "ENTRYPOINT + CMD, WORKDIR, USER"
run_split sk run --rm demo:1 there
assert_eq "$stdout" "hi from builder there in /app as 1000:1000" "arguments replace CMD"
arch=$(sk run --rm --entrypoint cat demo:1 /arch.txt)
assert_eq "$arch" "arch=$(sk inspect --format '{{.Architecture}}' demo:1)" "TARGETARCH"
assert_eq "$(sk run --rm --entrypoint cat demo:1 /opt/sub/inner.txt)" inner "ADD extracted the tar"
assert_eq "$(sk run --rm --entrypoint cat demo:1 /app/app.txt)" "app file" "COPY --from of two files"
assert_eq "$(sk run --rm --entrypoint stat demo:1 -c '%a %u:%g' /usr/local/bin/run.sh /app/owned.txt)" \
  "755 0:0
644 1000:1000" "--chmod, --chown"
assert_eq "$(sk run --rm --entrypoint sh demo:1 -c 'echo $EXTRA')" "a b" "ENV with quotes"

f() { sk inspect --format "$1" demo:1; }
assert_eq "$(f '{{json .Config.Entrypoint}} {{json .Config.Cmd}}')" '["/usr/local/bin/run.sh"] ["world"]' "Entrypoint, Cmd"
assert_eq "$(f '{{.Config.User}} {{.Config.WorkingDir}} {{.Config.StopSignal}}')" "1000:1000 /app SIGUSR1" "User, WorkingDir, StopSignal"
assert_eq "$(f '{{json .Config.ExposedPorts}}')" '{"53/udp":{},"8080/tcp":{}}' "ExposedPorts"
assert_eq "$(f '{{json .Config.Volumes}}')" '{"/data":{}}' "Volumes"
assert_eq "$(f '{{json .Config.Healthcheck}}')" '{"Test":["CMD","true"],"Interval":30000000000,"Timeout":5000000000,"Retries":2}' "Healthcheck"
assert_eq "$(f '{{index .Config.Labels "org.example.name"}}|{{index .Config.Labels "version"}}')" "demo app|1" "Labels"
assert_eq "$(f '{{.Author}}')" "someone@example.com" "MAINTAINER"
assert_eq "$(f '{{json .Config.OnBuild}}')" '["RUN echo child"]' "ONBUILD stored"
assert_eq "$(f '{{json .Config.Shell}}')" '["/bin/sh","-c"]' "SHELL"
assert_contains "$(f '{{json .Config.Env}}')" '"APP_HOME=/app"' "Env"

# --target stops at a stage; the other spellings of the command build the same.
run_split sk build -q --target builder -t stage:b .
assert_eq "$status" 0 "--target ($stderr)"
assert_match "$stdout" '^sha256:[0-9a-f]{64}$' "-q prints only the ID"
assert_eq "$(sk run --rm stage:b cat /out/greeting)" "hello from builder" "the target stage's image"
assert_success sk image build -q -t demo:2 --build-arg GREETING=hi .
assert_success sk buildx build -q -t demo:3 --build-arg GREETING=hi .
assert_eq "$(sk images -q demo:2) $(sk images -q demo:3)" "$(sk images -q demo:1) $(sk images -q demo:1)" "same image every way"

# COPY --from an image (not a stage) reads its files without a container.
printf 'FROM scratch\nCOPY --from=%s /bin/busybox /busybox\nCMD ["/busybox", "echo", "from scratch"]\n' "$ref" >Dockerfile.scratch
assert_success sk build -q -t demo:scratch -f Dockerfile.scratch .
assert_eq "$(sk run --rm demo:scratch)" "from scratch" "COPY --from=image into scratch"
assert_eq "$(sk inspect --format '{{len .RootFS.Layers}}' demo:scratch)" 1 "one layer"

# --label and --iidfile; -f - reads the Dockerfile from stdin with a context directory.
assert_success sk build -q --label extra=yes --iidfile ../id.txt -t demo:labels --build-arg GREETING=hi .
assert_eq "$(cat ../id.txt)" "$(sk images -q --no-trunc demo:labels)" "--iidfile"
assert_eq "$(sk inspect --format '{{index .Config.Labels "extra"}} {{index .Config.Labels "version"}}' demo:labels)" "yes 1" "--label added"
printf 'FROM %s\nCOPY app.txt /from-stdin.txt\n' "$ref" | sk build -q -t demo:stdin -f - . >/dev/null || fail "-f -"
assert_eq "$(sk run --rm demo:stdin cat /from-stdin.txt)" "app file" "-f - with a context"

# A --platform that is not the host's is refused; no container is left behind by any build.
assert_status 125 sk build --platform linux/s390x .
assert_contains "$output" "only for the host's platform"
assert_eq "$(sk ps -aq)" "" "no working container left"
