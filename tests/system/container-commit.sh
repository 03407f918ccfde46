#!/usr/bin/env bash
# The seeds' commit example, with both storage drivers: a container from busybox adds `first`,
# commit -> commit_test:first; a container from that adds `second` -> commit_test:second.
# inspect shows 1, 2, 3 layers (each image's layers a prefix of the next), history and author
# are Docker's, rmi of the middle image only untags it and keeps its layers, a container from
# the newest sees both files; --change, a running container, an unchanged one.
# harness: timeout=400
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry
ref=$(fixture_ref busybox)

layers() { sd inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$1" | sed '/^$/d'; }

for drv in overlay vfs; do
  # Each driver gets its own store.
  sd() { sk --root "$T/root-$drv" --runroot "$T/run-$drv" --storage-driver "$drv" "$@"; }
  assert_success sd pull -q "$ref"
  base_layers=$(layers "$ref")
  assert_eq "$(wc -l <<<"$base_layers")" 1 "$drv: busybox has one layer"

  assert_success sd run --name commit_test "$ref" sh -c 'echo test_first!! >> first'
  run_split sd commit -a 'author' -m 'commit_message' commit_test commit_test:first
  assert_eq "$status" 0 "$drv: commit exit status ($stderr)"
  assert_match "$stdout" '^sha256:[0-9a-f]{64}$' "$drv: commit prints the image ID"
  first_id=$stdout
  assert_eq "$(sd inspect --format '{{.Id}}' commit_test:first)" "$first_id" "$drv: the tag names the new image"

  assert_success sd run --name commit_test2 commit_test:first sh -c 'echo test_second!! >> second'
  run_split sd commit -a 'author' -m 'commit_message' commit_test2 commit_test:second
  assert_eq "$status" 0 "$drv: second commit ($stderr)"
  second_id=$stdout

  first_layers=$(layers commit_test:first)
  second_layers=$(layers commit_test:second)
  assert_eq "$(wc -l <<<"$first_layers")" 2 "$drv: commit_test:first has 2 layers"
  assert_eq "$(wc -l <<<"$second_layers")" 3 "$drv: commit_test:second has 3 layers"
  assert_eq "$(head -1 <<<"$first_layers")" "$base_layers" "$drv: the image's layer is shared"
  assert_eq "$(head -2 <<<"$second_layers")" "$first_layers" "$drv: the first commit's layers are shared"

  assert_eq "$(sd inspect --format '{{.Author}}|{{.Comment}}|{{.Parent}}' commit_test:second)" \
    "author|commit_message|$first_id" "$drv: author, comment, parent"
  run_split sd history --no-trunc --format '{{.CreatedBy}}|{{.Comment}}' commit_test:second
  assert_eq "$(head -2 <<<"$stdout")" "sh -c echo test_second!! >> second|commit_message
sh -c echo test_first!! >> first|commit_message" "$drv: history entries"
  # The config is the container's: busybox's Cmd and Env travel on.
  assert_eq "$(sd inspect --format '{{index .Config.Cmd 2}} {{index .Config.Env 0}}' commit_test:second)" \
    "echo test_second!! >> second $(sd inspect --format '{{index .Config.Env 0}}' "$ref")" "$drv: Cmd and Env are the container's"

  # rmi of the middle image: while a container uses it, Docker's conflict; then Docker's one
  # line, and the image and its layers stay for the child.
  assert_status 125 sd rmi commit_test:first
  assert_contains "$output" "container $(sd inspect --format '{{.Id}}' commit_test2 | cut -c1-12) is using its referenced image"
  assert_success sd rm commit_test2
  run_split sd rmi commit_test:first
  assert_eq "$status" 0 "$drv: rmi exit status ($stderr)"
  assert_eq "$stdout" "Untagged: commit_test:first" "$drv: rmi of a parent only untags"
  assert_eq "$(layers commit_test:second)" "$second_layers" "$drv: the newest image is intact"
  # images: as Docker, the untagged parent is an intermediate image, shown only with -a.
  run_split sd images --format '{{.Repository}}:{{.Tag}}'
  assert_eq "$stdout" "commit_test:second
$ref" "$drv: images after the rmi"
  assert_contains "$(sd images -a -q --no-trunc)" "$first_id" "$drv: images -a shows the parent"
  run_split sd run --rm commit_test:second cat /first /second
  assert_eq "$stdout" "test_first!!
test_second!!" "$drv: a container from the newest image sees both files"
  assert_success sd system check
  assert_contains "$output" "no problems"

  # --change, a running container, a tag-less commit.
  assert_success sd run -d --name live "$ref" sh -c 'echo live > /live; sleep 1000'
  for _ in $(seq 50); do sd exec live test -e /live && break; sleep 0.1; done
  run_split sd commit -c 'CMD ["cat", "/live"]' -c 'ENV MODE=prod' -c 'WORKDIR /tmp' -c 'EXPOSE 8080' \
    -c 'LABEL a=b' live
  assert_eq "$status" 0 "$drv: commit of a running container ($stderr)"
  live_id=$stdout
  assert_eq "$(sd inspect --format '{{json .Config.Cmd}} {{.Config.WorkingDir}} {{json .Config.ExposedPorts}} {{.Config.Labels.a}}' "$live_id")" \
    '["cat","/live"] /tmp {"8080/tcp":{}} b' "$drv: --change applied"
  assert_contains "$(sd inspect --format '{{json .Config.Env}}' "$live_id")" '"MODE=prod"'
  assert_eq "$(sd run --rm "$live_id")" "live" "$drv: the running container's file is in the image"
  assert_success sd rm -f live
  run_split sd images --no-trunc -q --filter dangling=true
  assert_contains "$stdout" "$live_id" "$drv: a commit without a name is a dangling image"

  # Bad changes are refused before anything is stored.
  assert_status 125 sd commit -c 'RUN true' commit_test x:y
  assert_contains "$output" "run is not a valid change command"
  assert_status 125 sd commit commit_test 'Bad:Name'
  assert_contains "$output" "invalid reference format"
  assert_status 125 sd commit nosuch x:y
  assert_contains "$output" "No such container: nosuch"

  # An unchanged container adds no layer (Docker's empty_layer entry).
  assert_success sd create --name idle "$ref" true
  run_split sd commit idle idle:img
  assert_eq "$status" 0 "$drv: commit of an unchanged container ($stderr)"
  assert_eq "$(layers idle:img)" "$base_layers" "$drv: no new layer for no changes"
  assert_eq "$(sd history --format '{{.Size}}' idle:img | head -1)" "0B" "$drv: empty history entry"
  assert_success sd system check
  assert_contains "$output" "no problems"
done
