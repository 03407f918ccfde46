#!/usr/bin/env bash
# A registry connection that drops in the middle of a layer blob: the pull goes on with an HTTP
# Range request from the bytes already received and verified (not from zero), twice in a row,
# and the image is complete and correct. tests/tools/cutproxy sits between skiff and the plain
# registry, cuts the big fixture's layer response after N bytes (once per cut) and logs every
# request with its Range header.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd jq
require_registry

# The big fixture's layer digest and size.
m=$FIXTURES_DIR/oci/big/blobs/sha256/$(fixture_digest big | cut -c8-)
layer=$(jq -r '.layers[0].digest' "$m")
size=$(jq -r '.layers[0].size' "$m")

# start_proxy ARGS...: cutproxy in front of REG_HTTP; sets PROXY and PROXY_LOG.
start_proxy() {
  local pf=$T/proxy.port
  PROXY_LOG=$T/proxy.log
  rm -f "$pf" "$PROXY_LOG"
  "$SKIFF_TOOLS/cutproxy" --target "$REG_HTTP" --port-file "$pf" --log "$PROXY_LOG" --match "/blobs/$layer" "$@" &
  PROXY_PID=$!
  for _ in $(seq 1 100); do [ -s "$pf" ] && break; sleep 0.02; done
  [ -s "$pf" ] || fail "cutproxy did not start"
  PROXY=127.0.0.1:$(cat "$pf")
  cat >>"$XDG_CONFIG_HOME/containers/registries.conf" <<EOF

[[registry]]
location = "$PROXY"
insecure = true
EOF
}

cut1=$((3 << 20)) cut2=$((20 << 20))
start_proxy --cut-after "$cut1" --cut-after "$cut2"
ref=$PROXY/big:latest
run_split sk pull "$ref"
assert_eq "$status" 0 "pull through a connection cut twice: $stderr"
assert_contains "$stdout" "Digest: $(fixture_digest big)"
assert_eq "$(sk image inspect --format '{{.Id}}' "$ref")" "$(fixture_image_id big)" "the image is the fixture"

# The log: the layer was asked for three times; the 2nd and 3rd requests start where the client
# had got to when the connection was cut.
mapfile -t reqs < <(grep " request GET /v2/big/blobs/$layer " "$PROXY_LOG")
mapfile -t cuts < <(grep -o 'cut after [0-9]* bytes ([0-9]* body bytes)' "$PROXY_LOG")
assert_eq "${#reqs[@]}" 3 "three requests for the layer"
assert_eq "${#cuts[@]}" 2 "two cuts"
b1=$(sed 's/.*(\([0-9]*\) body bytes)/\1/' <<<"${cuts[0]}")
b2=$(sed 's/.*(\([0-9]*\) body bytes)/\1/' <<<"${cuts[1]}")
[ "$b1" -gt 0 ] && [ "$b2" -gt 0 ] || fail "the cuts happened in the body ($b1, $b2)"
assert_match "${reqs[0]}" ' range=-$' "the first request has no Range"
assert_match "${reqs[1]}" " range=bytes=$b1-\$" "the second asks for the rest after $b1 bytes"
assert_match "${reqs[2]}" " range=bytes=$((b1 + b2))-\$" "the third resumes after $((b1 + b2)) bytes"
[ $((b1 + b2)) -lt "$size" ] || fail "the cuts are inside the blob"

# The layer is intact: the store's own check (content digests) is clean, and the data is right.
assert_success sk system check
assert_contains "$output" "no problems"
run_split sk run --rm "$ref" sh -c 'md5sum /big/random.bin | cut -c1-32; wc -c </big/text.txt'
assert_eq "$status" 0 "run: $stderr"
want_md5=$(openssl enc -aes-128-ctr -nosalt -K 736b6966662062696720666978747572 -iv 0 -in /dev/zero 2>/dev/null |
  head -c $((64 << 20)) | md5sum | cut -c1-32 || true)
assert_eq "$stdout" "$want_md5"$'\n'"$((16 << 20))" "the big files are whole"
kill "$PROXY_PID"

# A drop in the response headers (before any body byte) is retried from zero and succeeds too.
assert_success sk rmi "$ref"
start_proxy --cut-after 10
run_split sk pull -q "$PROXY/big:latest"
assert_eq "$status" 0 "pull through a connection cut in the headers: $stderr"
mapfile -t reqs < <(grep " request GET /v2/big/blobs/$layer " "$PROXY_LOG")
assert_eq "${#reqs[@]}" 2 "asked again"
assert_match "${reqs[1]}" ' range=-$' "nothing received: no Range"
kill "$PROXY_PID"
