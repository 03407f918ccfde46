#!/usr/bin/env bash
# The harness itself, before skiff can pull: every fixture registry variant (plain HTTP, TLS,
# basic auth, token auth) answers the /v2/ ping as it should, the token issuer follows Docker
# Hub's rules (anonymous pulls of public/*, credentials, read-only users, refresh tokens), and
# every fixture tag is served everywhere with the digest, media type and size fixtures.tsv
# records, its blobs present. skopeo (containers/image) pulls through token auth as a real client,
# and the layered fixture's layers, applied as the OCI spec says, give layered.tree.
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"
require_cmd curl jq skopeo
require_registry

ACCEPT="application/vnd.oci.image.index.v1+json,application/vnd.oci.image.manifest.v1+json"
ACCEPT+=",application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.docker.distribution.manifest.v2+json"
CURL=(curl -sS --cacert "$REG_CA_CERT" --max-time 30)

# http_get URL [curl args]: sets $code, $body_file and H[lower-case header name].
body_file=$T/body
declare -A H
http_get() {
  local url=$1 k v
  shift
  code=$("${CURL[@]}" -o "$body_file" -D "$T/headers" -w '%{http_code}' "$@" "$url") || fail "curl $url failed"
  H=()
  while IFS=': ' read -r k v; do
    if [ -n "$v" ]; then H[${k,,}]=${v%$'\r'}; fi
  done <"$T/headers"
}
header() { echo "${H[$1]:-}"; }

# --- /v2/ pings ----------------------------------------------------------------------------------
http_get "http://$REG_HTTP/v2/"
assert_eq "$code" 200 "plain HTTP ping"
assert_eq "$(header docker-distribution-api-version)" "registry/2.0" "API version header"
http_get "https://$REG_TLS/v2/"
assert_eq "$code" 200 "TLS ping"
code=$(curl -s -o /dev/null -w '%{http_code}' "https://$REG_TLS/v2/" || true)
assert_eq "$code" 000 "TLS without the test CA must fail verification"
for hp in "$REG_TLS" "$REG_BASIC" "$REG_TOKEN" "$REG_TOKEN_SERVER"; do
  assert_file "$REG_CA_DIR/$hp/ca.crt" "certs.d entry"
  assert_file "$XDG_CONFIG_HOME/containers/certs.d/$hp/ca.crt" "per-test certs.d entry"
done

http_get "https://$REG_BASIC/v2/"
assert_eq "$code" 401 "basic ping without credentials"
assert_contains "$(header www-authenticate)" 'Basic realm=' "basic challenge"
http_get "https://$REG_BASIC/v2/" -u "$REG_USER:wrong"
assert_eq "$code" 401 "basic ping with a wrong password"
http_get "https://$REG_BASIC/v2/" -u "$REG_USER:$REG_PASS"
assert_eq "$code" 200 "basic ping with credentials"

http_get "https://$REG_TOKEN/v2/"
assert_eq "$code" 401 "token ping"
assert_eq "$(header www-authenticate)" "Bearer realm=\"$REG_TOKEN_REALM\",service=\"$REG_TOKEN_SERVICE\"" "token challenge"
http_get "https://$REG_TOKEN/v2/busybox/manifests/latest" -H "Accept: $ACCEPT"
assert_eq "$code" 401 "manifest without a token"
assert_contains "$(header www-authenticate)" 'scope="repository:busybox:pull"' "challenge names the scope"

# --- the token issuer ----------------------------------------------------------------------------
# token_for SCOPE [curl args]: sets $tok (and $code) to the token for SCOPE, asked with GET as
# docker and containers/image do.
token_for() {
  local scope=$1
  shift
  tok=
  http_get "$REG_TOKEN_REALM?service=$REG_TOKEN_SERVICE&scope=$scope" "$@"
  [ "$code" != 200 ] || tok=$(jq -r .token "$body_file")
}
claims() { cut -d. -f2 <<<"$1" | tr '_-' '/+' | sed 's/$/===/' | base64 -d 2>/dev/null || true; }

token_for "repository:public/busybox:pull"
assert_eq "$code" 200 "anonymous token request"
assert_eq "$(claims "$tok" | jq -c .access)" '[{"actions":["pull"],"name":"public/busybox","type":"repository"}]' \
  "anonymous pull of public/*"
assert_eq "$(claims "$tok" | jq -r .aud)" "$REG_TOKEN_SERVICE" "token audience"
http_get "https://$REG_TOKEN/v2/public/busybox/manifests/latest" -H "Accept: $ACCEPT" -H "Authorization: Bearer $tok"
assert_eq "$code" 200 "anonymous pull of public/busybox"

token_for "repository:busybox:pull"
assert_eq "$(claims "$tok" | jq -c .access)" '[]' "anonymous token for a private repository grants nothing"
http_get "https://$REG_TOKEN/v2/busybox/manifests/latest" -H "Accept: $ACCEPT" -H "Authorization: Bearer $tok"
assert_eq "$code" 401 "anonymous token on a private repository"
assert_contains "$(header www-authenticate)" 'error="insufficient_scope"' "insufficient_scope"

token_for "repository:busybox:pull" -u "$REG_USER:wrong"
assert_eq "$code" 401 "token request with a wrong password"

token_for "repository:busybox:pull,push" -u "$REG_RO_USER:$REG_RO_PASS"
assert_eq "$(claims "$tok" | jq -c '.access[0].actions')" '["pull"]' "read-only user gets pull only"
token_for "repository:busybox:pull,push" -u "$REG_USER:$REG_PASS"
assert_eq "$(claims "$tok" | jq -c '.access[0].actions')" '["pull","push"]' "user gets pull and push"
assert_eq "$(claims "$tok" | jq -r .sub)" "$REG_USER" "token subject"
http_get "https://$REG_TOKEN/v2/busybox/manifests/latest" -H "Accept: $ACCEPT" -H "Authorization: Bearer $tok"
assert_eq "$code" 200 "pull with the user's token"

# OAuth2 POST flow with a refresh token (docker login does this).
http_get "$REG_TOKEN_REALM" --data-urlencode grant_type=password --data-urlencode "username=$REG_USER" \
  --data-urlencode "password=$REG_PASS" --data-urlencode "service=$REG_TOKEN_SERVICE" \
  --data-urlencode access_type=offline --data-urlencode client_id=skiff-tests --data-urlencode "scope=repository:layered:pull"
assert_eq "$code" 200 "OAuth2 password grant"
refresh=$(jq -r .refresh_token "$body_file")
assert_ne "$refresh" null "refresh token issued"
http_get "$REG_TOKEN_REALM" --data-urlencode grant_type=refresh_token --data-urlencode "refresh_token=$refresh" \
  --data-urlencode "service=$REG_TOKEN_SERVICE" --data-urlencode "scope=repository:layered:pull"
assert_eq "$code" 200 "OAuth2 refresh grant"
assert_eq "$(jq -r .scope "$body_file")" "repository:layered:pull" "refresh grant scope"
assert_contains "$(cat "$REG_LOG_DIR/token-server.log")" "user=$REG_USER" "token server log"

# --- every fixture on every variant ---------------------------------------------------------------
# One curl per variant (one connection, no process per request) asks for every tag, every manifest
# by digest and every blob (HEAD; blobs under 64 KiB are downloaded), and the bodies are hashed.
# The expectations come from the fixture layouts: fixtures.tsv, manifests.tsv, blobs.tsv.
WRITE_OUT='%{http_code} %header{content-type} %header{docker-content-digest} %header{content-length}\n'

# batch AUTH_CFG LIST: LIST lines are "url output [head]"; prints a write-out line per URL.
batch() {
  local auth_cfg=$1 list=$2 cfg=$T/batch.curl n=0 url out head
  : >"$cfg"
  while read -r url out head; do
    {
      [ $n = 0 ] || echo next
      printf 'url = "%s"\noutput = "%s"\nsilent\nshow-error\nlocation\ncacert = "%s"\n' "$url" "$out" "$REG_CA_CERT"
      printf 'header = "Accept: %s"\nwrite-out = "%s"\n%s' "$ACCEPT" "${WRITE_OUT//\\/\\\\}" "$auth_cfg"
      [ -z "$head" ] || echo head
    } >>"$cfg"
    n=$((n + 1))
  done <<<"$list"
  curl -K "$cfg" || fail "curl batch failed ($cfg)"
}

for variant in http tls basic token; do
  auth_cfg=
  case $variant in
    http) base=http://$REG_HTTP ;;
    tls) base=https://$REG_TLS ;;
    basic) base=https://$REG_BASIC auth_cfg="user = \"$REG_USER:$REG_PASS\""$'\n' ;;
    token) base=https://$REG_TOKEN
           # One token for every fixture repository (several scopes in one request, as clients do).
           scopes=$(cut -f1 "$FIXTURES_DIR/fixtures.tsv" | sort -u | sed 's/.*/repository:&:pull/' | paste -sd' ')
           http_get "$REG_TOKEN_REALM" -G --data-urlencode "service=$REG_TOKEN_SERVICE" --data-urlencode "scope=$scopes" \
             -u "$REG_RO_USER:$REG_RO_PASS"
           assert_eq "$code" 200 "token for all fixture repositories"
           auth_cfg="header = \"Authorization: Bearer $(jq -r .token "$body_file")\""$'\n' ;;
  esac
  dir=$T/$variant
  mkdir -p "$dir"
  list='' expected=''
  while IFS=$'\t' read -r repo tag mt d size _; do
    list+="$base/v2/$repo/manifests/$tag $dir/tag-${repo//\//_}-$tag"$'\n'
    expected+="200 $mt $d $size"$'\n'
  done <"$FIXTURES_DIR/fixtures.tsv"
  while IFS=$'\t' read -r repo d mt size; do
    list+="$base/v2/$repo/manifests/$d $dir/m-${repo//\//_}-${d#sha256:}"$'\n'
    expected+="200 $mt $d $size"$'\n'
  done <"$FIXTURES_DIR/manifests.tsv"
  while IFS=$'\t' read -r repo d size; do
    if [ "$size" -lt 65536 ]; then list+="$base/v2/$repo/blobs/$d $dir/b-${repo//\//_}-${d#sha256:}"$'\n'
    else list+="$base/v2/$repo/blobs/$d /dev/null head"$'\n'; fi
    expected+="200 application/octet-stream $d $size"$'\n'
  done <"$FIXTURES_DIR/blobs.tsv"
  got=$(batch "$auth_cfg" "${list%$'\n'}")
  mapfile -t want_lines <<<"${expected%$'\n'}"
  mapfile -t got_lines <<<"$got"
  mapfile -t urls <<<"${list%$'\n'}"
  assert_eq "${#got_lines[@]}" "${#want_lines[@]}" "$variant: number of answers"
  for ((i = 0; i < ${#want_lines[@]}; i++)); do
    [ "${got_lines[$i]}" = "${want_lines[$i]}" ] ||
      assert_eq "${got_lines[$i]}" "${want_lines[$i]}" "$variant: ${urls[$i]%% *} (status content-type digest length)"
  done
  for f in "$dir"/m-* "$dir"/b-*; do
    [ -e "$f" ] || continue
    sum=$(sha256sum "$f")
    assert_eq "${sum%% *}" "${f##*-}" "$variant: content of ${f##*/}"
  done
done
assert_eq "$(wc -l <"$FIXTURES_DIR/fixtures.tsv")" 9 "fixture tags"
for name in busybox layered multi zstd schema2 big config; do
  assert_contains "$(cut -f1 "$FIXTURES_DIR/fixtures.tsv")" "$name" "fixture $name in fixtures.tsv"
done

# --- a real client: skopeo through token auth ------------------------------------------------------
sk_opts=(--insecure-policy)
assert_success skopeo "${sk_opts[@]}" inspect --raw --cert-dir "$REG_CA_DIR/$REG_TOKEN" "docker://$REG_TOKEN/public/busybox:latest"
assert_eq "sha256:$(printf '%s' "$output" | sha256sum | cut -d' ' -f1)" "$(fixture_digest busybox)" "skopeo: anonymous public/busybox"
assert_status 1 skopeo "${sk_opts[@]}" inspect --raw --cert-dir "$REG_CA_DIR/$REG_TOKEN" "docker://$REG_TOKEN/busybox:latest"
assert_success skopeo "${sk_opts[@]}" copy -q --src-cert-dir "$REG_CA_DIR/$REG_TOKEN" --src-creds "$REG_USER:$REG_PASS" \
  --preserve-digests "docker://$REG_TOKEN/layered:latest" "oci:$T/pulled:latest"
assert_eq "$(jq -r '.manifests[0].digest' "$T/pulled/index.json")" "$(fixture_digest layered)" "skopeo copy of layered"
assert_success skopeo "${sk_opts[@]}" inspect --config --cert-dir "$REG_CA_DIR/$REG_BASIC" --creds "$REG_USER:$REG_PASS" \
  "docker://$REG_BASIC/config:latest"
assert_eq "$(jq -r .config.StopSignal <<<"$output")" SIGINT "config fixture through basic auth"
assert_success skopeo "${sk_opts[@]}" inspect --raw --tls-verify=false "docker://$REG_HTTP/zstd:latest"
assert_contains "$output" "application/vnd.oci.image.layer.v1.tar+zstd" "zstd layer media type"

# --- the layered fixture's expected tree -----------------------------------------------------------
# shellcheck source=fixtures.sh
source "$SUITE_DIR/fixtures.sh"
apply() { fx_apply_layers "$FIXTURES_DIR/oci/layered" "$(fixture_digest layered)" "$T/rootfs" && fixture_tree "$T/rootfs/data"; }
export -f apply fx_apply_layers fixture_tree _fx_host_arch fixture_digest _lib_fixture_col fail _lib_where
export MT_OCI_INDEX MT_DOCKER_LIST
tree=$(in_userns bash -c apply)
assert_eq "$tree" "$(cat "$FIXTURES_DIR/layered.tree")" "layered fixture applied by the reference (GNU tar) extraction"
