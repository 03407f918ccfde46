#!/usr/bin/env bash
# The fixture registries: Debian's docker-registry (distribution 2.8) on 127.0.0.1, four variants,
# seeded with the fixture images (fixtures.sh). Source this file from bash, then:
#
#   reg_start_all RUNDIR FIXDIR TOOLSDIR [http] [tls] [basic] [token]    (no variant: all four)
#   reg_stop_all
#   reg_serve NAME FIXDIR RUNDIR [EXTRA_YAML]    one more plain-HTTP registry for a test's own images
#
# Call reg_start_all from the main shell, not from $(...) or a subshell: the servers die with the
# shell that started them (PR_SET_PDEATHSIG through setpriv), and reg_stop_all kills them earlier.
#
# Variants and what they export (host:port values are 127.0.0.1:PORT):
#   http   REG_HTTP     plain HTTP, no auth
#   tls    REG_TLS      HTTPS with a certificate from the test CA, no auth
#   basic  REG_BASIC    HTTPS + htpasswd basic auth (the registry refuses basic auth without TLS)
#   token  REG_TOKEN    HTTPS + Bearer token auth as Docker Hub does it; the issuer is
#                       tests/tools/token_server on REG_TOKEN_SERVER (HTTPS), realm REG_TOKEN_REALM,
#                       service REG_TOKEN_SERVICE. Anonymous clients may pull public/*;
#                       REG_USER may pull and push everything, REG_RO_USER only pull.
# Also: REG_CA_CERT (the test CA, PEM), REG_CA_DIR (a certs.d tree: <host:port>/ca.crt for every
# HTTPS endpoint, as 127.0.0.1:PORT and localhost:PORT), REG_USER/REG_PASS, REG_RO_USER/REG_RO_PASS,
# REG_LOG_DIR (<variant>.log: the registry's access and error log; token-server.log: one line per
# token request), REG_STORAGE_DIR (<variant>/storage: each registry's own storage; blobs are hard
# links to the fixture cache and are never written in place), REG_AUTH_FILE (an auth.json with
# REG_USER's credentials for REG_BASIC and REG_TOKEN; nothing reads it unless told to).

REG_USER=skiff
REG_PASS=skiff-secret
REG_RO_USER=reader
REG_RO_PASS=reader-secret
REG_TOKEN_SERVICE=skiff-registry
REG_TOKEN_ISSUER=skiff-token-issuer
_REG_PIDS=()

_reg_die() { echo "registry: $*" >&2; return 1; }

# The test PKI, made once and cached in DIR: a CA, a server certificate for 127.0.0.1/localhost,
# the token signing key (RSA, RS256) with a certificate from the same CA, and the htpasswd file.
reg_pki() {  # DIR
  local d=$1
  [ -f "$d/done" ] && return 0
  mkdir -p "$d"
  (
    set -euo pipefail
    cd "$d"
    openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout ca.key -out ca.crt \
      -days 3650 -subj "/CN=skiff test CA" -addext "basicConstraints=critical,CA:TRUE" \
      -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -keyout server.key -out server.csr \
      -subj "/CN=127.0.0.1" 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' >server.ext
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 3650 \
      -extfile server.ext -out server.crt 2>/dev/null
    openssl req -new -nodes -newkey rsa:2048 -keyout token.key -out token.csr -subj "/CN=skiff token issuer" 2>/dev/null
    printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n' >token.ext
    openssl x509 -req -in token.csr -CA ca.crt -CAkey ca.key -set_serial "0x$(openssl rand -hex 8)" -days 3650 \
      -extfile token.ext -out token.crt 2>/dev/null
    { htpasswd -Bbn "$REG_USER" "$REG_PASS" && htpasswd -Bbn "$REG_RO_USER" "$REG_RO_PASS"; } >users.htpasswd 2>/dev/null
    # Test keys, not secrets: readable, so registries started by another user can use them.
    chmod 0644 ./*.crt ./*.key users.htpasswd
    rm -f ./*.csr ./*.ext
    touch ./done
  )
}

# A free TCP port on 127.0.0.1 outside the ephemeral range (nothing answers a connect to it).
_reg_free_port() {
  local p _
  for _ in $(seq 1 100); do
    p=$((20000 + SRANDOM % 12000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  _reg_die "no free port found"
}

_reg_config() {  # NAME PORT STORAGE TLS(yes|no) AUTH_YAML
  cat <<EOF
version: 0.1
log:
  level: info
  formatter: text
  fields:
    variant: $1
storage:
  filesystem:
    rootdirectory: $3
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$2
  secret: skiff-fixture-registry-$1
  headers:
    X-Content-Type-Options: [nosniff]
EOF
  if [ "$4" = yes ]; then
    printf '  tls:\n    certificate: %s\n    key: %s\n' "$_REG_PKI/server.crt" "$_REG_PKI/server.key"
  fi
  printf 'health:\n  storagedriver:\n    enabled: false\n'
  [ -z "$5" ] || printf '%s\n' "$5"
}

# Waits until URL answers HTTP (any status) or PID dies; 0 when up.
_reg_wait() {  # PID URL
  local _
  for _ in $(seq 1 250); do
    kill -0 "$1" 2>/dev/null || return 1
    if curl -s -o /dev/null --cacert "$_REG_PKI/ca.crt" --max-time 1 "$2"; then return 0; fi
    sleep 0.02
  done
  return 1
}

# Starts one docker-registry; sets _REG_PORT. Retries on another port when the bind fails.
_reg_start_one() {  # NAME TLS(yes|no) AUTH_YAML
  local name=$1 tls=$2 auth=$3 port dir scheme=http _
  dir=$_REG_RUN/$name
  [ "$tls" = yes ] && scheme=https
  mkdir -p "$dir/storage/docker/registry/v2"
  if [ -d "$_REG_FIX/registry/docker/registry/v2" ]; then
    # Hard links when allowed (fs.protected_hardlinks refuses them to a user for root's files).
    cp -al "$_REG_FIX/registry/docker/registry/v2/blobs" "$dir/storage/docker/registry/v2/" 2>/dev/null ||
      { rm -rf "$dir/storage/docker/registry/v2/blobs" &&
        cp -a "$_REG_FIX/registry/docker/registry/v2/blobs" "$dir/storage/docker/registry/v2/"; }
    cp -a "$_REG_FIX/registry/docker/registry/v2/repositories" "$dir/storage/docker/registry/v2/"
  fi
  for _ in 1 2 3 4 5; do
    port=$(_reg_free_port) || return 1
    _reg_config "$name" "$port" "$dir/storage" "$tls" "$auth" >"$dir/config.yml"
    setpriv --pdeathsig KILL -- docker-registry serve "$dir/config.yml" >>"$REG_LOG_DIR/$name.log" 2>&1 &
    local pid=$!
    if _reg_wait "$pid" "$scheme://127.0.0.1:$port/v2/"; then
      _REG_PIDS+=("$pid")
      _REG_PORT=$port
      return 0
    fi
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    grep -q 'address already in use' "$REG_LOG_DIR/$name.log" || break
  done
  tail -n 20 "$REG_LOG_DIR/$name.log" >&2
  _reg_die "docker-registry '$name' did not start"
}

_reg_start_token_server() {
  local tools=$1 pf=$_REG_RUN/token-server.port _
  rm -f "$pf"
  setpriv --pdeathsig KILL -- "$tools/token_server" --listen 127.0.0.1:0 --port-file "$pf" \
    --tls-cert "$_REG_PKI/server.crt" --tls-key "$_REG_PKI/server.key" \
    --sign-cert "$_REG_PKI/token.crt" --sign-key "$_REG_PKI/token.key" \
    --issuer "$REG_TOKEN_ISSUER" --service "$REG_TOKEN_SERVICE" \
    --user "$REG_USER:$REG_PASS" --user "$REG_RO_USER:$REG_RO_PASS:pull" --anonymous-pull 'public/*' \
    --log "$REG_LOG_DIR/token-server.log" >>"$REG_LOG_DIR/token-server.stderr" 2>&1 &
  local pid=$!
  for _ in $(seq 1 250); do
    [ -s "$pf" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.02
  done
  if [ ! -s "$pf" ]; then
    cat "$REG_LOG_DIR/token-server.stderr" >&2
    _reg_die "token_server did not start"
    return 1
  fi
  _REG_PIDS+=("$pid")
  REG_TOKEN_SERVER=127.0.0.1:$(cat "$pf")
  REG_TOKEN_REALM=https://$REG_TOKEN_SERVER/token
}

_reg_trust() {  # HOST:PORT -> certs.d entries for it and its localhost alias
  local hp=$1
  mkdir -p "$REG_CA_DIR/$hp" "$REG_CA_DIR/localhost:${hp##*:}"
  cp "$REG_CA_CERT" "$REG_CA_DIR/$hp/ca.crt"
  cp "$REG_CA_CERT" "$REG_CA_DIR/localhost:${hp##*:}/ca.crt"
}

reg_start_all() {  # RUNDIR FIXDIR TOOLSDIR [VARIANT...]
  _REG_RUN=$1 _REG_FIX=$2
  local tools=$3
  shift 3
  [ $# -gt 0 ] || set -- http tls basic token
  command -v docker-registry >/dev/null || { _reg_die "docker-registry is missing: run packaging/deps.sh test"; return 1; }
  mkdir -p "$_REG_RUN"
  _REG_RUN=$(cd "$_REG_RUN" && pwd)
  _REG_PKI=$_REG_FIX/pki
  reg_pki "$_REG_PKI" || return 1
  REG_CA_CERT=$_REG_RUN/ca.crt
  cp "$_REG_PKI/ca.crt" "$REG_CA_CERT"
  REG_CA_DIR=$_REG_RUN/certs.d
  REG_LOG_DIR=$_REG_RUN/logs
  REG_STORAGE_DIR=$_REG_RUN
  mkdir -p "$REG_CA_DIR" "$REG_LOG_DIR"
  export REG_USER REG_PASS REG_RO_USER REG_RO_PASS REG_CA_CERT REG_CA_DIR REG_LOG_DIR REG_STORAGE_DIR
  local v
  for v in "$@"; do
    case $v in
      http)
        _reg_start_one http no "" || return 1
        export REG_HTTP=127.0.0.1:$_REG_PORT ;;
      tls)
        _reg_start_one tls yes "" || return 1
        export REG_TLS=127.0.0.1:$_REG_PORT
        _reg_trust "$REG_TLS" ;;
      basic)
        _reg_start_one basic yes "$(printf 'auth:\n  htpasswd:\n    realm: skiff-basic\n    path: %s' "$_REG_PKI/users.htpasswd")" || return 1
        export REG_BASIC=127.0.0.1:$_REG_PORT
        _reg_trust "$REG_BASIC" ;;
      token)
        [ -x "$tools/token_server" ] || { _reg_die "$tools/token_server is missing: run make tools"; return 1; }
        _reg_start_token_server "$tools" || return 1
        export REG_TOKEN_SERVER REG_TOKEN_REALM REG_TOKEN_SERVICE REG_TOKEN_ISSUER
        _reg_trust "$REG_TOKEN_SERVER"
        _reg_start_one token yes "$(printf 'auth:\n  token:\n    realm: %s\n    service: %s\n    issuer: %s\n    rootcertbundle: %s' \
          "$REG_TOKEN_REALM" "$REG_TOKEN_SERVICE" "$REG_TOKEN_ISSUER" "$_REG_PKI/ca.crt")" || return 1
        export REG_TOKEN=127.0.0.1:$_REG_PORT
        _reg_trust "$REG_TOKEN" ;;
      *) _reg_die "unknown registry variant '$v'"; return 1 ;;
    esac
  done
  REG_AUTH_FILE=$_REG_RUN/auth.json
  local b64 hp entries=()
  b64=$(printf '%s:%s' "$REG_USER" "$REG_PASS" | base64 -w0)
  for hp in "${REG_BASIC:-}" "${REG_TOKEN:-}"; do
    [ -z "$hp" ] || entries+=("\"$hp\": {\"auth\": \"$b64\"}")
  done
  local IFS=,
  printf '{"auths": {%s}}\n' "${entries[*]}" >"$REG_AUTH_FILE"
  export REG_AUTH_FILE
}

reg_stop_all() {
  local pid
  for pid in "${_REG_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${_REG_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  _REG_PIDS=()
}

# One more plain-HTTP registry, for a test that serves images of its own (hostile layers, schema 1
# manifests, dated images): FIXDIR/registry is a storage seed as fixtures.sh's _fx_seed_registry
# writes it; EXTRA_YAML is appended to the registry's config (e.g. a `compatibility:` block).
# Its log is RUNDIR/logs/NAME.log. Sets REG_SERVED=127.0.0.1:PORT. Call it from the main shell
# (the registry dies with the shell that started it, or with reg_stop_all).
reg_serve() {  # NAME FIXDIR RUNDIR [EXTRA_YAML]
  local name=$1 _REG_FIX=$2 _REG_RUN=$3 extra=${4:-}
  local REG_LOG_DIR=$_REG_RUN/logs _REG_PKI=${_REG_PKI:-$2/pki}
  command -v docker-registry >/dev/null || { _reg_die "docker-registry is missing: run packaging/deps.sh test"; return 1; }
  mkdir -p "$REG_LOG_DIR"
  _reg_start_one "$name" no "$extra" || return 1
  REG_SERVED=127.0.0.1:$_REG_PORT
}
