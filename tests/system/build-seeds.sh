#!/usr/bin/env bash
# The seeds' Dockerfile example: each instruction runs on the image of the step before, one
# layer per RUN/COPY (metadata instructions add history rows with empty_layer and no layer),
# `history` shows one row per instruction with Docker's created_by texts, and the working
# containers are gone afterwards. Both storage drivers.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

mkdir ctx
echo "<h1>hello</h1>" >ctx/index.html
cat >ctx/Dockerfile <<DOCKERFILE
FROM $ref
LABEL maintainer="seed"
ARG VERSION=1
RUN mkdir /www && echo "v\$VERSION" > /www/version
COPY index.html /www/
ENV PORT=80
WORKDIR /www
RUN cat version index.html > all.txt
CMD ["cat", "/www/all.txt"]
DOCKERFILE

for drv in overlay vfs; do
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"
  run_split sd build -t seed:$drv ctx
  assert_eq "$status" 0 "$drv: build ($stderr)"
  assert_contains "$stdout" "Step 1/9 : FROM $ref" "$drv: step 1"
  assert_contains "$stdout" "Step 4/9 : RUN mkdir /www" "$drv: step 4"
  assert_contains "$stdout" "Removing intermediate container" "$drv: working containers removed"
  assert_eq "$(sd run --rm seed:$drv)" "v1
<h1>hello</h1>" "$drv: the image runs its CMD"

  base=$(sd inspect --format '{{len .RootFS.Layers}}' "$ref")
  # RUN, COPY, WORKDIR (creates /www? no: it exists), RUN: three layers more than busybox.
  assert_eq "$(sd inspect --format '{{len .RootFS.Layers}}' seed:$drv)" "$((base + 3))" "$drv: one layer per RUN/COPY"
  run_split sd history --no-trunc --format '{{.CreatedBy}}' seed:$drv
  rows=$(head -8 <<<"$stdout")
  assert_eq "$(sed -E 's/(COPY file:)[0-9a-f]+/\1H/' <<<"$rows")" \
    '/bin/sh -c #(nop)  CMD ["cat","/www/all.txt"]
|1 VERSION=1 /bin/sh -c cat version index.html > all.txt
/bin/sh -c #(nop)  WORKDIR /www
/bin/sh -c #(nop)  ENV PORT=80
/bin/sh -c #(nop) COPY file:H in /www/ 
|1 VERSION=1 /bin/sh -c mkdir /www && echo "v$VERSION" > /www/version
/bin/sh -c #(nop)  ARG VERSION=1
/bin/sh -c #(nop)  LABEL maintainer=seed' "$drv: history rows as Docker writes them"
  assert_eq "$(sd inspect --format '{{.Config.WorkingDir}} {{index .Config.Labels "maintainer"}}' seed:$drv)" "/www seed" "$drv: config"
  assert_eq "$(sd ps -aq)" "" "$drv: no container left"
  # Intermediate images are hidden from `images` (shown with -a), as Docker's.
  assert_eq "$(sd images -q | wc -l)" 2 "$drv: images shows busybox and the build"
  [ "$(sd images -aq | wc -l)" -gt 2 ] || fail "$drv: images -a shows the intermediate images"
done
