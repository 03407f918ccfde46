#!/usr/bin/env bash
# auto-update: a container created by a unit (PODMAN_SYSTEMD_UNIT in its environment, kept as a
# label) with io.containers.autoupdate=registry is reported "false" while the registry has its
# image, "pending" (--dry-run) once a newer image is pushed under the name, and updated: the
# image pulled and the unit restarted (a fake systemctl here: no systemd); a failing restart
# rolls the name back to the old image. The local policy compares with the store's name.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
# shellcheck source=ctrlib.sh
source "$(dirname "$0")/ctrlib.sh"
require_registry
img=$(busybox_image)
name=$REG_HTTP/autoupd/app:latest
assert_success sk tag "$img" "$name"
assert_success sk push -q "$name"
PODMAN_SYSTEMD_UNIT=container-app.service sk run -d --name app --label io.containers.autoupdate=registry "$name" sleep 100 >/dev/null
assert_eq "$(sk inspect -f '{{index .Config.Labels "PODMAN_SYSTEMD_UNIT"}}' app)" container-app.service
fmt='{{.Unit}} {{.ContainerName}} {{.Image}} {{.Policy}} {{.Updated}}'
run_split sk auto-update --dry-run --format "$fmt"
assert_eq "$status" 0
assert_eq "$stdout" "container-app.service app $name registry false"

# A newer image under the same name in the registry.
sk run --name changer "$img" touch /newfile >/dev/null
assert_success sk commit changer "$name"
assert_success sk push -q "$name"
assert_success sk tag "$(sk inspect -f '{{.Image}}' app)" "$name"  # the store's name back on the old image
run_split sk auto-update --dry-run --format "$fmt"
assert_eq "$stdout" "container-app.service app $name registry pending"
run_split sk auto-update --dry-run
assert_match "$(head -1 <<<"$stdout")" '^UNIT +CONTAINER +IMAGE +POLICY +UPDATED$'

# The update: pull, then `systemctl [--user] restart UNIT` (a fake one that logs).
mkdir -p "$T/bin"
printf '#!/bin/sh\necho "$@" >>"%s/systemctl.log"\nexit ${FAKE_SYSTEMCTL_RC:-0}\n' "$T" >"$T/bin/systemctl"
chmod +x "$T/bin/systemctl"
old=$(sk inspect -f '{{.Image}}' app)
PATH=$T/bin:$PATH run_split sk auto-update --format "$fmt"
assert_eq "$stdout" "container-app.service app $name registry true"
want="restart container-app.service"
[ "$(id -u)" = 0 ] || want="--user $want"
assert_eq "$(cat "$T/systemctl.log")" "$want"
new=$(sk image inspect -f '{{.Id}}' "$name")
assert_ne "$new" "$old" "the newer image was pulled"

# A failing restart rolls the name back to the container's image.
assert_success sk tag "$old" "$name"
: >"$T/systemctl.log"
PATH=$T/bin:$PATH FAKE_SYSTEMCTL_RC=1 run_split sk auto-update --format "$fmt"
assert_eq "$status" 125
assert_eq "$stdout" "container-app.service app $name registry failed"
assert_eq "$(sk image inspect -f '{{.Id}}' "$name")" "$old" "the name is back on the old image"
assert_eq "$(wc -l <"$T/systemctl.log")" 2 "restart, then the rollback's restart"

# local: the store's image of that name.
PODMAN_SYSTEMD_UNIT=container-loc.service sk run -d --name loc --label io.containers.autoupdate=local "$name" sleep 100 >/dev/null
run_split sk auto-update --dry-run --format "$fmt"
assert_contains "$stdout" "container-loc.service loc $name local false"
assert_success sk tag "$new" "$name"
run_split sk auto-update --dry-run --format "$fmt"
assert_contains "$stdout" "container-loc.service loc $name local pending"
# Without a unit: reported as an error.
sk run -d --name nounit --label io.containers.autoupdate=local "$name" sleep 100 >/dev/null
assert_status 125 sk auto-update --dry-run --format "$fmt"
assert_contains "$output" "no PODMAN_SYSTEMD_UNIT label found"
