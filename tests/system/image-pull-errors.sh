#!/usr/bin/env bash
# A pull that cannot succeed fails with exit 125 and a message that names the registry (or the
# image) and the cause: no such repository or tag, a wrong password (basic and token), a private
# repository without credentials, an untrusted certificate without certs.d (then
# --tls-verify=false works), a plain-HTTP registry not marked insecure, a platform the index does
# not offer (the error lists those it does), a refused connection, bad references and flags.
# Nothing is left in the store afterwards.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_registry

# pull_fails REF [FLAGS...]: exit 125, nothing on stdout but the progress, one Error: line.
pull_fails() {
  local ref=$1
  shift
  run_split sk pull "$@" "$ref"
  assert_eq "$status" 125 "pull $* $ref should fail"
  assert_eq "$(grep -c '^Error: ' <<<"$stderr")" 1 "one error line for $ref: $stderr"
  err=$(grep '^Error: ' <<<"$stderr")
}

pull_fails "$REG_HTTP/nosuchrepo:latest"
assert_eq "$err" "Error: manifest for $REG_HTTP/nosuchrepo:latest not found: manifest_unknown: manifest unknown"
pull_fails "$REG_HTTP/busybox:nosuchtag"
assert_eq "$err" "Error: manifest for $REG_HTTP/busybox:nosuchtag not found: manifest_unknown: manifest unknown"
pull_fails "$REG_HTTP/busybox@sha256:$(printf '0%.0s' {1..64})"
assert_contains "$err" "not found"

# Wrong passwords: the registry and "authentication failed".
pull_fails "$(fixture_ref busybox basic)" --creds "$REG_USER:wrong"
assert_eq "$err" "Error: manifest for $REG_BASIC/busybox:latest: registry $REG_BASIC: authentication failed (wrong username or password?): unauthorized: authentication required"
pull_fails "$(fixture_ref busybox token)" --creds "$REG_USER:wrong"
assert_eq "$err" "Error: manifest for $REG_TOKEN/busybox:latest: registry $REG_TOKEN: authentication failed (wrong username or password?): unauthorized: incorrect username or password"
# No credentials for a private repository: access denied, and how to log in.
pull_fails "$(fixture_ref busybox basic)"
assert_contains "$err" "access to registry $REG_BASIC denied (HTTP 401 Unauthorized"
assert_contains "$err" "skiff login $REG_BASIC"
pull_fails "$(fixture_ref busybox token)"
assert_contains "$err" "access to registry $REG_TOKEN denied (HTTP 401 Unauthorized"
# A broken auth file names itself.
echo '{"auths": ' >"$T/broken.json"
pull_fails "$(fixture_ref busybox basic)" --authfile "$T/broken.json"
assert_contains "$err" "$T/broken.json"

# TLS: without the test CA the certificate is not trusted.
rm -rf "$XDG_CONFIG_HOME/containers/certs.d"
pull_fails "$(fixture_ref busybox tls)"
assert_eq "$err" "Error: manifest for $REG_TLS/busybox:latest: pinging container registry $REG_TLS: GET https://$REG_TLS/v2/: TLS certificate verification failed: unable to get local issuer certificate"
# --tls-verify=false accepts it.
run_split sk pull -q --tls-verify=false "$(fixture_ref busybox tls)"
assert_eq "$status" 0 "--tls-verify=false: $stderr"
assert_eq "$stdout" "$(fixture_ref busybox tls)"
# --cert-dir gives the CA back.
run_split sk pull -q --cert-dir "$REG_CA_DIR/$REG_TLS" "$(fixture_ref zstd tls)"
assert_eq "$status" 0 "--cert-dir: $stderr"

# A plain-HTTP registry that registries.conf does not mark insecure.
sed -i 's/^insecure = true$/insecure = false/' "$XDG_CONFIG_HOME/containers/registries.conf"
pull_fails "$(fixture_ref layered)"
assert_contains "$err" "pinging container registry $REG_HTTP: GET https://$REG_HTTP/v2/: TLS handshake failed"
assert_contains "$err" "use --tls-verify=false or set insecure = true for it in registries.conf"
run_split sk pull -q --tls-verify=false "$(fixture_ref layered)"
assert_eq "$status" 0 "--tls-verify=false allows plain HTTP: $stderr"
sed -i 's/^insecure = false$/insecure = true/' "$XDG_CONFIG_HOME/containers/registries.conf"

# Platforms.
pull_fails "$(fixture_ref multi)" --platform linux/s390x
assert_eq "$err" "Error: $REG_HTTP/multi:latest: no matching manifest for linux/s390x in the manifest list entries (offered: linux/amd64, linux/arm64/v8, linux/arm/v7)"
pull_fails "$(fixture_ref schema2:list)" --platform linux/riscv64
assert_contains "$err" "no matching manifest for linux/riscv64"
assert_contains "$err" "offered: linux/"
pull_fails "$(fixture_ref multi)" --platform windows
assert_contains "$err" "windows"

# A refused connection names the registry.
pull_fails 127.0.0.1:1/busybox:latest
assert_eq "$err" "Error: manifest for 127.0.0.1:1/busybox:latest: pinging container registry 127.0.0.1:1: GET https://127.0.0.1:1/v2/: connection refused"

# References and flags.
pull_fails 'Bad:Name'
assert_eq "$err" "Error: invalid reference format: repository name must be lowercase"
# run/create refuse it before looking for it (no "Unable to find image … locally").
run_split sk run --rm Busybox true
assert_eq "$status" 125 "run of a malformed reference"
assert_eq "$stderr" "Error: invalid reference format: repository name must be lowercase"
run_split sk create Busybox
assert_eq "$stderr" "Error: invalid reference format: repository name must be lowercase"
# A well-formed one not found locally is named as Docker names it (with the default tag).
run_split sk run --rm "$REG_HTTP/nosuchrepo" true
assert_eq "$status" 125
assert_eq "$(head -n1 <<<"$stderr")" "Unable to find image '$REG_HTTP/nosuchrepo:latest' locally"
pull_fails "$(fixture_ref busybox)" --all-tags
assert_eq "$err" "Error: tag can't be used with --all-tags/-a"
run_split sk pull
assert_eq "$status" 125 "pull without an argument"

# Nothing half-made stays behind.
run_split sk images --format '{{.Repository}}:{{.Tag}}'
assert_eq "$(sort <<<"$stdout")" "$(printf '%s\n' "$(fixture_ref busybox tls)" "$(fixture_ref layered)" "$(fixture_ref zstd tls)" | sort)"
assert_success sk system check
