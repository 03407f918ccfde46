#pragma once
// The registry client: the OCI distribution API v2 (and Docker's registry API, the same
// thing) over an HttpTransport.
//
//   - /v2/ ping, once per registry: HTTPS first; plain HTTP only for insecure registries or
//     --tls-verify=false, and only after HTTPS failed;
//   - authentication from the WWW-Authenticate challenge: Bearer tokens (anonymous or with
//     credentials, cached per scope, renewed on 401) and Basic; credentials from --creds or
//     auth.json (config.hpp);
//   - manifests by tag or digest with the right Accept headers, the body's sha256 checked
//     against the requested digest and Docker-Content-Digest; size-capped;
//   - blobs streamed into a ByteSink with the sha256 computed over every byte, redirects
//     followed (Authorization dropped when the host changes), bounded retries with backoff,
//     and resumption with "Range: bytes=N-" after a dropped connection or from bytes an
//     earlier process kept;
//   - registries.conf mirrors tried in order before the primary location.
// Errors name the registry and the object ("pull 127.0.0.1:5000/busybox:latest: …").

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/oci/digest.hpp"
#include "skiff/oci/image.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/registry/http.hpp"
#include "skiff/util/result.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::registry {

/// Knobs from the command line and for tests.
struct ClientOptions {
  bool tls_verify = true;              ///< false (--tls-verify=false): no TLS verification, HTTP allowed
  std::optional<Credentials> creds;    ///< --creds: used for every registry instead of auth.json
  std::string authfile;                ///< --authfile
  std::string cert_dir;                ///< --cert-dir
  std::string user_agent;              ///< "" means "skiff/<version>"
  int max_attempts = 4;                ///< tries per request for network errors, 429 and 5xx
  int backoff_ms = 250;                ///< first backoff, doubled each retry, at most 8 s
  int max_resumes = 50;                ///< Range resumptions of one blob, in total
  size_t chunk_size = 4u << 20;        ///< upload chunk (bytes held in memory per blob)
  int max_redirects = 10;
  int connect_timeout_ms = 30000;
  int io_timeout_ms = 60000;
  std::function<void(int ms)> sleep;   ///< how to wait between retries (default: really sleep)
};

/// A WWW-Authenticate challenge: scheme ("bearer", "basic"; lowercase) and parameters.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;  ///< realm, service, scope, error… (keys lowercase)
};

/// Parses every challenge in the WWW-Authenticate header values (several per header allowed).
std::vector<Challenge> parse_challenges(const std::vector<std::string>& header_values);

/// A manifest or index as fetched.
struct FetchedManifest {
  PullSource source;        ///< the endpoint it came from (a mirror or the primary location)
  oci::Digest digest;       ///< sha256 of `bytes` (verified against what was asked for)
  std::string media_type;   ///< Content-Type as served
  std::string bytes;
  oci::DocumentKind kind = oci::DocumentKind::kManifest;
};

/// A single-platform image, ready to pull its layers.
struct ResolvedImage {
  PullSource source;                ///< where to fetch the blobs
  oci::Digest digest;               ///< the top-level manifest's digest (the index's, if any): Docker's "Digest:"
  std::optional<oci::Index> index;  ///< the index it was chosen from, if any
  oci::Digest manifest_digest;      ///< the image manifest's digest
  oci::Manifest manifest;
  oci::ImageConfig config;          ///< config.raw holds the exact bytes (image ID = their sha256)
};

/// Where a blob download starts: 0, or bytes an earlier process kept (then `hash` must hold
/// the SHA-256 state of exactly those `offset` bytes).
struct BlobStart {
  uint64_t offset = 0;
  std::optional<Sha256> hash;
};

/// Where a push goes: a repository (and the tag or digest for the manifest).
struct PushTarget {
  oci::Reference ref;
  bool insecure = false;  ///< registries.conf insecure or --tls-verify=false
};

/// A blob the registry now has.
struct UploadedBlob {
  oci::Digest digest;
  uint64_t size = 0;
};

/// The registry client. Thread-safe: several blobs may download in parallel through one client.
class Client {
 public:
  /// `transport` must outlive the client.
  Client(HttpTransport& transport, ConfigEnv env, RegistriesConf conf, ClientOptions opts = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// GET /v2/ (anonymous): learns whether the registry speaks HTTPS or (if allowed) HTTP and
  /// how it authenticates. Done automatically before the first request to a registry.
  Status ping(std::string_view registry, bool insecure = false);

  /// Checks `creds` against `registry` (for `login`): Basic, or a Bearer token fetched with them.
  /// A refusal is kAuth.
  Status check_login(std::string_view registry, const Credentials& creds);

  /// Fetches the manifest or index `src.ref` names (tag or digest) from that one endpoint.
  /// Capped at 4 MiB; by digest, the body's sha256 must match; by tag, it must match
  /// Docker-Content-Digest when the registry sends one. Schema 1 is kUnsupported.
  Result<FetchedManifest> fetch_manifest(const PullSource& src);
  /// The tags of `src.ref`'s repository (GET /v2/<name>/tags/list, following pagination).
  Result<std::vector<std::string>> list_tags(const PullSource& src);

  /// Like the above, for every pull source of `ref` in turn (registries.conf mirrors, then
  /// the location; a blocked registry is refused); returns the first that has it.
  Result<FetchedManifest> fetch_manifest(const oci::Reference& ref);

  /// Resolves `ref` to a single-platform image: the manifest (chosen from an index for
  /// `platform`), and the config (≤ 8 MiB, digest verified). Checks that the config has one
  /// diff ID per layer.
  Result<ResolvedImage> resolve_image(const oci::Reference& ref, const oci::Platform& platform);

  /// Downloads blob `d` from `src`'s repository into `sink`, from `start.offset` on. Every
  /// byte goes through SHA-256; more bytes than d.size is an error as soon as they arrive; at
  /// the end the digest must match (kCorrupt "blob sha256:…: digest mismatch …"). A dropped
  /// connection resumes with "Range: bytes=N-" from the bytes already delivered (a server
  /// that ignores Range makes us skip what we already have). The sink has seen the bytes
  /// before the digest is known to be right: commit them only on success. Returns the number
  /// of bytes written to `sink`.
  Result<uint64_t> fetch_blob(const PullSource& src, const oci::Descriptor& d, ByteSink& sink,
                              BlobStart start = {});

  /// A small blob (config) into memory; more than `limit` bytes is refused before download.
  Result<std::string> fetch_blob_bytes(const PullSource& src, const oci::Descriptor& d, size_t limit);

  // ---- push (upload.cpp) -------------------------------------------------------------

  /// HEAD /v2/<repo>/blobs/<digest> with push rights asked for: the blob's size when the
  /// repository has it, nullopt when not (404).
  Result<std::optional<uint64_t>> stat_blob(const PushTarget& dst, const oci::Digest& d);

  /// Cross-repository mount of blob `d` from repository `from` (same registry) into `dst`'s
  /// repository: true when the registry mounted it (201); false when it started an upload
  /// instead (202: the upload is cancelled) or refused.
  Result<bool> mount_blob(const PushTarget& dst, const oci::Digest& d, std::string_view from);

  /// Uploads the bytes of `src` as a blob of `dst`'s repository. `expect` (when given) is
  /// the digest the bytes must have; otherwise the digest is computed as they are read (a
  /// stream being compressed). A blob that fits in one chunk goes in one PUT (monolithic);
  /// larger ones in PATCH chunks of `chunk_size` bytes held in memory, then a PUT with the
  /// digest. A chunk whose PATCH fails on the network is resumed from the offset the
  /// registry reports (GET on the upload URL), up to max_resumes times; a failed upload is
  /// cancelled (DELETE), so nothing half-stored stays behind. `progress` gets the bytes the
  /// registry has acknowledged.
  /// A registry that cannot resume a session whose PATCH was cut (distribution refuses it:
  /// "blob upload invalid") gets a new session from byte 0, when `rewind` can restart `src`.
  Result<UploadedBlob> upload_blob(const PushTarget& dst, ByteSource& src, std::optional<oci::Digest> expect,
                                   const std::function<void(uint64_t)>& progress = {},
                                   const std::function<Status()>& rewind = {});

  /// PUT /v2/<repo>/manifests/<tag or digest>. Returns the digest of `bytes` (checked
  /// against the registry's Docker-Content-Digest when it sends one).
  Result<oci::Digest> put_manifest(const PushTarget& dst, std::string_view media_type, const std::string& bytes);

  /// GET /v2/_catalog of `registry`, following pagination (at most `limit` names; 0: all,
  /// capped at 100,000).
  Result<std::vector<std::string>> catalog(std::string_view registry, bool insecure, size_t limit = 0);

  /// GET on an absolute URL outside the distribution API (Docker Hub's search API): the body
  /// (≤ `limit` bytes) of a 200 answer; another status is an error naming it.
  Result<std::string> get_url(const std::string& url, size_t limit);

  /// The registries configuration in use.
  const RegistriesConf& registries_conf() const { return conf_; }

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };
  struct Registry;  // per-registry state (scheme, TLS, challenge, tokens), in client.cpp
  struct Request;

  Result<Registry*> registry_for(std::string_view registry, bool insecure);
  Result<Registry*> ping_locked(std::string_view registry, bool insecure);
  Result<std::optional<Credentials>> credentials_for(Registry& r, std::string_view path);
  Result<std::string> auth_header(Registry& r, std::string_view path, const std::vector<std::string>& scopes,
                                  bool refresh);
  Result<Token> fetch_token(Registry& r, const Challenge& c, const std::vector<std::string>& scopes,
                            const std::optional<Credentials>& creds);
  Result<HttpResponse> send_with_redirects(HttpRequest req, std::string_view what);
  Result<HttpResponse> request(Registry& r, std::string_view path, Request& req, std::string_view what);
  Result<HttpResponse> request_with_retries(Registry& r, std::string_view path, Request& req, std::string_view what);
  // A paginated list (the distribution spec's `Link: <next>; rel="next"`): the strings of the
  // array `key` from every page, at most `cap` (beyond it: truncated, or EFBIG when `!truncate`).
  Result<std::vector<std::string>> list_pages(Registry& r, Request& req, std::string path, std::string_view key,
                                              std::string_view what, std::string_view registry, size_t cap,
                                              bool truncate);
  TlsSettings tls_for_host(std::string_view host_port, bool verify);
  void backoff(int attempt, const HttpResponse* resp);

  HttpTransport& transport_;
  ConfigEnv env_;
  RegistriesConf conf_;
  ClientOptions opts_;
  std::mutex mu_;
  std::map<std::string, std::unique_ptr<Registry>> registries_;
};

/// The host to connect to for a registry name: docker.io is served by registry-1.docker.io.
std::string registry_endpoint_host(std::string_view registry);

/// The message of a registry's JSON error body ({"errors":[{"code":…,"message":…}]}),
/// "code: message" joined by "; ", or "" if the body is not one.
std::string registry_error_message(std::string_view body);

}  // namespace skiff::registry
