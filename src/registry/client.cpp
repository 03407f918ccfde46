// The distribution API v2 client: ping, authentication, manifests, blobs with resumption.
// (Challenge parsing and tokens: auth_flow.cpp.)
#include "skiff/registry/client.hpp"

#include <time.h>

#include <algorithm>

#include <fmt/format.h>

#include "client_internal.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::registry {

namespace {

constexpr std::string_view kManifestAccept[] = {
    oci::media::kOciManifest, oci::media::kOciIndex, oci::media::kDockerManifest, oci::media::kDockerManifestList};

bool retryable_status(int s) { return s == 429 || s == 500 || s == 502 || s == 503 || s == 504; }

// "HTTP 500 Internal Server Error: <registry message>"
std::string status_text(const HttpResponse& r, std::string_view body) {
  std::string s = fmt::format("HTTP {}", r.status);
  if (!r.reason.empty()) s += " " + r.reason;
  std::string msg = registry_error_message(body);
  if (!msg.empty()) s += ": " + msg;
  return s;
}

// Reads a small error body (a registry's JSON error), ignoring failures.
std::string error_body(HttpResponse& r) {
  auto b = r.read_body(64u << 10);
  return b ? std::move(*b) : std::string();
}

}  // namespace

std::string registry_endpoint_host(std::string_view registry) {
  if (registry == "docker.io" || registry == "index.docker.io") return "registry-1.docker.io";
  return std::string(registry);
}

std::string registry_error_message(std::string_view body) {
  if (body.empty() || body.size() > (64u << 10)) return {};
  auto j = parse_json(body, "error");
  if (!j || !j->is_object()) return {};
  const Json& errs = json_get(*j, "errors");
  if (!errs.is_array()) return {};
  std::vector<std::string> parts;
  for (const Json& e : errs) {
    std::string code = to_lower(json_str(e, "code"));
    std::string msg = json_str(e, "message");
    if (code.empty() && msg.empty()) continue;
    parts.push_back(code.empty() ? msg : msg.empty() ? code : code + ": " + msg);
  }
  return join(parts, "; ");
}

Client::Client(HttpTransport& transport, ConfigEnv env, RegistriesConf conf, ClientOptions opts)
    : transport_(transport), env_(std::move(env)), conf_(std::move(conf)), opts_(std::move(opts)) {
  if (!opts_.sleep)
    opts_.sleep = [](int ms) {
      struct timespec ts{ms / 1000, (ms % 1000) * 1000000L};
      while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
      }
    };
  if (opts_.max_attempts < 1) opts_.max_attempts = 1;
  if (opts_.user_agent.empty()) opts_.user_agent = "skiff/" SKIFF_VERSION;
}

Client::~Client() = default;

TlsSettings Client::tls_for_host(std::string_view host_port, bool verify) {
  TlsSettings t;
  t.verify = verify;
  auto certs = find_certs(env_, host_port, opts_.cert_dir);
  if (certs) {
    t.ca_files = certs->ca_files;
    t.client_cert = certs->client_cert;
    t.client_key = certs->client_key;
  } else {
    log::debug("{}", certs.error().msg);
  }
  return t;
}

void Client::backoff(int attempt, const HttpResponse* resp) {
  int ms = std::min(opts_.backoff_ms << std::min(attempt - 1, 10), 8000);
  if (resp) {
    if (auto ra = parse_uint(trim(resp->headers.get("Retry-After")))) ms = int(std::min<uint64_t>(*ra, 30) * 1000);
  }
  opts_.sleep(ms);
}

Result<Client::Registry*> Client::registry_for(std::string_view registry, bool insecure) {
  std::lock_guard<std::mutex> lk(mu_);
  return ping_locked(registry, insecure);
}

Status Client::ping(std::string_view registry, bool insecure) {
  TRY(registry_for(registry, insecure));
  return ok();
}

Result<Client::Registry*> Client::ping_locked(std::string_view registry, bool insecure) {
  insecure = insecure || registry_insecure(conf_, registry);
  std::string key = std::string(registry) + (insecure ? "#insecure" : "");
  if (auto it = registries_.find(key); it != registries_.end()) return it->second.get();

  auto r = std::make_unique<Registry>();
  r->name = registry;
  r->host = registry_endpoint_host(registry);
  r->insecure = insecure;
  bool allow_http = insecure || !opts_.tls_verify;
  auto certs = find_certs(env_, r->host, opts_.cert_dir);
  if (!certs) return wrap(std::move(certs).error(), fmt::format("pinging container registry {}", registry));
  r->tls.verify = opts_.tls_verify && !insecure;
  r->tls.ca_files = certs->ca_files;
  r->tls.client_cert = certs->client_cert;
  r->tls.client_key = certs->client_key;

  // HTTPS first; plain HTTP only when allowed and HTTPS did not answer.
  std::vector<std::string> schemes{"https"};
  if (allow_http) schemes.push_back("http");
  Error last;
  for (const auto& scheme : schemes) {
    HttpRequest req;
    req.url = fmt::format("{}://{}/v2/", scheme, r->host);
    req.headers.set("User-Agent", opts_.user_agent);
    req.tls = r->tls;
    req.connect_timeout_ms = opts_.connect_timeout_ms;
    req.io_timeout_ms = opts_.io_timeout_ms;
    // With a fallback to try, one HTTPS attempt is enough to know.
    int attempts = (scheme == "https" && allow_http) ? 1 : opts_.max_attempts;
    for (int a = 1; a <= attempts; ++a) {
      auto resp = send_with_redirects(req, registry);
      if (!resp) {
        last = std::move(resp).error();
        if (last.code == kNetwork && a < attempts) {
          backoff(a, nullptr);
          continue;
        }
        break;
      }
      if (retryable_status(resp->status) && a < attempts) {
        backoff(a, &*resp);
        continue;
      }
      if (resp->status != 200 && resp->status != 401) {
        std::string body = error_body(*resp);
        return fail(kNetwork, fmt::format("pinging container registry {}: invalid status code from registry {}",
                                          registry, status_text(*resp, body)));
      }
      for (auto& c : parse_challenges(resp->headers.get_all("WWW-Authenticate")))
        if (c.scheme == "bearer" || c.scheme == "basic") {
          r->challenge = std::move(c);
          break;
        }
      (void)error_body(*resp);  // drain, so the connection can be reused
      r->base = fmt::format("{}://{}", scheme, r->host);
      log::debug("registry {}: {} ({})", registry, r->base,
                 r->challenge ? r->challenge->scheme : std::string("no authentication"));
      Registry* out = r.get();
      registries_[key] = std::move(r);
      return out;
    }
  }
  if (!allow_http && last.msg.find("TLS handshake failed") != std::string::npos &&
      last.msg.find("wrong version number") != std::string::npos)
    last.msg += " (if the registry serves plain HTTP, use --tls-verify=false or set insecure = true for it in "
                "registries.conf)";
  return wrap(std::move(last), fmt::format("pinging container registry {}", registry));
}

Result<HttpResponse> Client::send_with_redirects(HttpRequest req, std::string_view what) {
  (void)what;
  for (int hop = 0; hop <= opts_.max_redirects; ++hop) {
    HttpResponse resp = TRY(transport_.send(req));
    int s = resp.status;
    std::string location = resp.headers.get("Location");
    if ((s != 301 && s != 302 && s != 303 && s != 307 && s != 308) || location.empty()) return resp;
    (void)error_body(resp);
    Url from = TRY(parse_url(req.url));
    Url to = TRY(resolve_url(from, location));
    if (to.origin() != from.origin()) {
      // Credentials are for the registry, not for wherever it sends us (a CDN, S3…).
      req.headers.remove("Authorization");
      req.tls = tls_for_host(to.authority(), opts_.tls_verify && req.tls.verify);
    }
    if (s == 303) {
      req.method = "GET";
      req.body.clear();
    }
    log::debug("{} {} redirected ({}) to {}", req.method, req.url, s, to.str());
    req.url = to.str();
  }
  return fail(kNetwork, fmt::format("{}: more than {} redirects", req.url, opts_.max_redirects));
}

Result<HttpResponse> Client::request(Registry& r, std::string_view path, Request& req, std::string_view what) {
  std::string auth = TRY(auth_header(r, req.repo, req.scopes, false));
  HttpRequest h;
  h.method = req.method;
  // An upload's Location may be an absolute URL (on the registry, or elsewhere: then it gets
  // no credentials).
  bool absolute = path.starts_with("http://") || path.starts_with("https://");
  h.url = absolute ? std::string(path) : r.base + std::string(path);
  if (absolute && !h.url.starts_with(r.base + "/")) auth.clear();
  h.body_ref = req.body;
  h.headers = req.headers;
  h.headers.set("User-Agent", opts_.user_agent);
  if (!auth.empty()) h.headers.set("Authorization", auth);
  h.tls = r.tls;
  h.connect_timeout_ms = opts_.connect_timeout_ms;
  h.io_timeout_ms = opts_.io_timeout_ms;
  HttpResponse resp = TRY(send_with_redirects(h, what));
  if (resp.status != 401) return resp;

  // Unauthorized: learn the challenge (it may name a wider scope), get a fresh token, and
  // try once more.
  auto challenges = parse_challenges(resp.headers.get_all("WWW-Authenticate"));
  const Challenge* c = nullptr;
  for (const auto& ch : challenges)
    if (ch.scheme == "bearer" || ch.scheme == "basic") {
      c = &ch;
      break;
    }
  if (!c) return resp;
  {
    std::lock_guard<std::mutex> lk(mu_);
    r.challenge = *c;
  }
  if (c->scheme == "bearer")
    if (auto it = c->params.find("scope"); it != c->params.end())
      for (const auto& s : split(it->second, ' '))
        if (!s.empty() && std::find(req.scopes.begin(), req.scopes.end(), s) == req.scopes.end())
          req.scopes.push_back(s);
  std::string fresh = TRY(auth_header(r, req.repo, req.scopes, true));
  if (!auth.empty() && fresh == auth && c->scheme == "basic") {
    // Our Basic credentials were refused: say so, rather than "log in" (as for a token).
    std::string body = error_body(resp);
    std::string msg = registry_error_message(body);
    return fail(kAuth, fmt::format("registry {}: authentication failed (wrong username or password?): {}", r.name,
                                   msg.empty() ? status_text(resp, body) : msg));
  }
  if (fresh.empty() || (fresh == auth && c->scheme == "basic")) return resp;
  (void)error_body(resp);
  h.headers.set("Authorization", fresh);
  return send_with_redirects(h, what);
}

Result<HttpResponse> Client::request_with_retries(Registry& r, std::string_view path, Request& req,
                                                  std::string_view what) {
  for (int attempt = 1;; ++attempt) {
    auto resp = request(r, path, req, what);
    bool last = attempt >= opts_.max_attempts;
    if (!resp) {
      if (resp.error().code != kNetwork || last) return resp;
      log::debug("{}: {}; retrying", what, resp.error().msg);
      backoff(attempt, nullptr);
      continue;
    }
    if (retryable_status(resp->status) && !last) {
      log::debug("{}: HTTP {}; retrying", what, resp->status);
      backoff(attempt, &*resp);
      (void)error_body(*resp);
      continue;
    }
    return resp;
  }
}

// The error for a non-success answer to a manifest or blob request.
Error answer_error(std::string_view what, std::string_view registry, HttpResponse& resp) {
  std::string body = error_body(resp);
  std::string msg = registry_error_message(body);
  if (resp.status == 404)
    return Error{kNotFound, fmt::format("{} not found: {}", what, msg.empty() ? "not found" : msg)};
  if (resp.status == 401 || resp.status == 403)
    return Error{kAuth, fmt::format("{}: access to registry {} denied ({}); log in with `skiff login {}` if the "
                                    "repository is private",
                                    what, registry, status_text(resp, body), registry)};
  return Error{kNetwork, fmt::format("{}: {}", what, status_text(resp, body))};
}

Result<FetchedManifest> Client::fetch_manifest(const PullSource& src) {
  const oci::Reference& ref = src.ref;
  std::string what = fmt::format("manifest for {}", ref.str_with_default_tag());
  Registry* r = TRY_CTX(registry_for(ref.domain(), src.insecure), "{}", what);
  Request req;
  req.repo = ref.path();
  req.scopes = {fmt::format("repository:{}:pull", ref.path())};
  for (auto a : kManifestAccept) req.headers.add("Accept", a);
  std::string path = fmt::format("/v2/{}/manifests/{}", ref.path(), ref.tag_or_digest());

  for (int attempt = 1;; ++attempt) {
    HttpResponse resp = TRY_CTX(request_with_retries(*r, path, req, what), "{}", what);
    if (resp.status != 200) return answer_error(what, ref.domain(), resp);
    if (auto cl = parse_uint(resp.headers.get("Content-Length")); cl && *cl > oci::kMaxManifestBytes)
      return fail(EFBIG, fmt::format("{}: {} bytes is over the {} MiB limit", what, *cl, oci::kMaxManifestBytes >> 20));
    auto body = resp.read_body(oci::kMaxManifestBytes);
    if (!body) {
      Error e = std::move(body).error();
      if (e.code == EFBIG)
        return fail(EFBIG, fmt::format("{}: more than the {} MiB limit", what, oci::kMaxManifestBytes >> 20));
      if (e.code == kNetwork && attempt < opts_.max_attempts) {
        backoff(attempt, nullptr);
        continue;
      }
      return wrap(std::move(e), what);
    }
    FetchedManifest out;
    out.source = src;
    out.media_type = resp.headers.get("Content-Type");
    // An unsupported kind (schema 1) is said first: a signed schema 1 manifest's digest is that
    // of its payload without the signatures, so the checks below would call it corrupt.
    auto kind = oci::classify_manifest(*body, out.media_type, what);
    if (!kind && kind.error().code == kUnsupported) return std::move(kind).error();
    out.digest = *oci::Digest::parse(TRY(sha256_digest(*body)));
    if (ref.digest() && *ref.digest() != out.digest) {
      if (ref.digest()->algorithm != "sha256")
        return fail(kUnsupported, fmt::format("{}: cannot verify {} digests", what, ref.digest()->algorithm));
      return fail(kCorrupt, fmt::format("{}: digest mismatch: the content is {}", what, out.digest.str()));
    }
    std::string header(trim(resp.headers.get("Docker-Content-Digest")));
    if (!header.empty()) {
      auto hd = oci::Digest::parse(header);
      if (hd && hd->algorithm == "sha256" && *hd != out.digest)
        return fail(kCorrupt, fmt::format("{}: the registry says its digest is {} but the content is {}", what,
                                          hd->str(), out.digest.str()));
    }
    out.kind = TRY(std::move(kind));
    out.bytes = std::move(*body);
    return out;
  }
}

Result<std::vector<std::string>> Client::list_tags(const PullSource& src) {
  const oci::Reference& ref = src.ref;
  std::string what = fmt::format("tags of {}", ref.name());
  Registry* r = TRY_CTX(registry_for(ref.domain(), src.insecure), "{}", what);
  Request req;
  req.repo = ref.path();
  req.scopes = {fmt::format("repository:{}:pull", ref.path())};
  return list_pages(*r, req, fmt::format("/v2/{}/tags/list?n=1000", ref.path()), "tags", what, ref.domain(), 100000,
                    false);
}

Result<std::vector<std::string>> Client::list_pages(Registry& r, Request& req, std::string path, std::string_view key,
                                                    std::string_view what, std::string_view registry, size_t cap,
                                                    bool truncate) {
  std::vector<std::string> names;
  for (int page = 0; page < 1000 && !path.empty() && names.size() < cap; ++page) {
    HttpResponse resp = TRY_CTX(request_with_retries(r, path, req, what), "{}", what);
    if (resp.status != 200) return answer_error(what, registry, resp);
    std::string link = resp.headers.get("Link");
    auto body = TRY_CTX(resp.read_body(16u << 20), "{}", what);
    auto j = TRY(parse_json(body, what));
    const Json& list = json_get(j, key);
    if (list.is_array())
      for (auto& x : list) {
        if (!x.is_string()) continue;
        if (names.size() >= cap) {
          if (truncate) break;
          return fail(EFBIG, fmt::format("{}: more than {} entries", what, cap));
        }
        names.push_back(x.get<std::string>());
      }
    // Link: </v2/name/tags/list?last=x&n=1000>; rel="next"
    path.clear();
    auto lt = link.find('<'), gt = link.find('>');
    if (lt != std::string::npos && gt != std::string::npos && gt > lt && link.find("rel=\"next\"") != std::string::npos)
      path = link.substr(lt + 1, gt - lt - 1);
  }
  return names;
}

Result<FetchedManifest> Client::fetch_manifest(const oci::Reference& ref) {
  auto sources = TRY_CTX(pull_sources(conf_, ref), "{}", ref.str_with_default_tag());
  std::vector<std::string> mirror_errors;
  for (size_t i = 0; i < sources.size(); ++i) {
    auto m = fetch_manifest(sources[i]);
    if (m) return m;
    if (i + 1 == sources.size()) {
      Error e = std::move(m).error();
      if (!mirror_errors.empty()) e.msg += fmt::format(" (mirrors also failed: {})", join(mirror_errors, "; "));
      return e;
    }
    log::debug("mirror {}: {}", sources[i].ref.domain(), m.error().msg);
    mirror_errors.push_back(m.error().msg);
  }
  return fail(kNotFound, fmt::format("{}: no pull source", ref.str()));
}

Result<ResolvedImage> Client::resolve_image(const oci::Reference& ref, const oci::Platform& platform) {
  std::string name = ref.str_with_default_tag();
  FetchedManifest top = TRY(fetch_manifest(ref));
  ResolvedImage out;
  out.source = top.source;
  out.digest = top.digest;
  FetchedManifest image = top;
  if (top.kind == oci::DocumentKind::kIndex) {
    oci::Index ix = TRY(oci::parse_index(top.bytes, top.media_type, fmt::format("index of {}", name)));
    oci::Descriptor d = TRY_CTX(oci::select_platform(ix, platform), "{}", name);
    PullSource child = top.source;
    child.ref = top.source.ref.repository().with_digest(d.digest);
    image = TRY(fetch_manifest(child));
    if (image.kind != oci::DocumentKind::kManifest)
      return fail(kUnsupported, fmt::format("{}: the index entry for {} is another index; nested indexes are not "
                                            "supported",
                                            name, platform.str()));
    out.index = std::move(ix);
  }
  std::string what = fmt::format("manifest {} of {}", image.digest.str(), name);
  out.manifest_digest = image.digest;
  out.manifest = TRY(oci::parse_manifest(image.bytes, image.media_type, what));
  const oci::Descriptor& cd = out.manifest.config;
  if (cd.media_type != oci::media::kOciConfig && cd.media_type != oci::media::kDockerConfig)
    return fail(kUnsupported, fmt::format("{} is not a container image (config media type \"{}\")", name, cd.media_type));
  std::string bytes = TRY(fetch_blob_bytes(out.source, cd, oci::kMaxConfigBytes));
  out.config = TRY(oci::parse_image_config(bytes, fmt::format("config {} of {}", cd.digest.str(), name)));
  if (out.config.diff_ids.size() != out.manifest.layers.size())
    return fail(kCorrupt, fmt::format("{}: the manifest has {} layers but the config lists {} diff IDs", name,
                                      out.manifest.layers.size(), out.config.diff_ids.size()));
  return out;
}

Result<std::string> Client::fetch_blob_bytes(const PullSource& src, const oci::Descriptor& d, size_t limit) {
  if (d.size < 0 || uint64_t(d.size) > limit)
    return fail(EFBIG, fmt::format("blob {} from {}: {} bytes is over the {} MiB limit", d.digest.str(),
                                   src.ref.name(), d.size, limit >> 20));
  StringSink sink(limit);
  TRY(fetch_blob(src, d, sink));
  return std::move(sink.str());
}

Result<uint64_t> Client::fetch_blob(const PullSource& src, const oci::Descriptor& d, ByteSink& sink, BlobStart start) {
  std::string what = fmt::format("blob {} from {}", d.digest.str(), src.ref.name());
  if (d.digest.algorithm != "sha256")
    return fail(kUnsupported, fmt::format("{}: cannot verify {} digests", what, d.digest.algorithm));
  if (d.size < 0) return fail(kCorrupt, fmt::format("{}: negative size", what));
  const uint64_t size = uint64_t(d.size);
  uint64_t offset = start.offset;
  if (offset > size) return fail(kInvalid, fmt::format("{}: start offset {} is past the size {}", what, offset, size));
  if (offset > 0 && !start.hash) return fail(kInvalid, fmt::format("{}: resuming needs the hash of the first bytes", what));
  Sha256 hash = start.hash ? std::move(*start.hash) : TRY(Sha256::make());

  Registry* r = TRY_CTX(registry_for(src.ref.domain(), src.insecure), "{}", what);
  std::string path = fmt::format("/v2/{}/blobs/{}", src.ref.path(), d.digest.str());
  std::vector<char> buf(256 * 1024);
  int failures = 0, resumes = 0;
  Error last;
  while (offset < size) {
    if (failures > 0) {
      if (failures >= opts_.max_attempts || resumes >= opts_.max_resumes)
        return wrap(std::move(last), fmt::format("{}: giving up after {} of {} bytes", what, offset, size));
      backoff(failures, nullptr);
    }
    last = Error{};
    Request req;
    req.repo = src.ref.path();
    req.scopes = {fmt::format("repository:{}:pull", src.ref.path())};
    if (offset > 0) req.headers.set("Range", fmt::format("bytes={}-", offset));
    auto resp = request_with_retries(*r, path, req, what);
    if (!resp) {
      // request_with_retries already retried connecting; only dropped bodies resume here.
      if (resp.error().code != kNetwork || offset == start.offset) return wrap(std::move(resp).error(), what);
      return wrap(std::move(resp).error(), fmt::format("{}: giving up after {} of {} bytes", what, offset, size));
    }
    // Where the body starts: a 206 must start at our offset; a 200 starts at 0 (the server
    // ignored Range) and we skip what we already have.
    uint64_t skip = 0;
    if (resp->status == 206) {
      std::string cr = resp->headers.get("Content-Range");
      auto from = parse_uint(cr.starts_with("bytes ") ? std::string_view(cr).substr(6, cr.find('-') - 6) : "");
      if (!from || *from != offset)
        return fail(kNetwork, fmt::format("{}: asked for bytes from {} but got Content-Range \"{}\"", what, offset, cr));
    } else if (resp->status == 200) {
      skip = offset;
    } else {
      return answer_error(what, src.ref.domain(), *resp);
    }
    bool progressed = false;
    for (;;) {
      auto n = resp->body->read(buf.data(), buf.size());
      if (!n) {
        last = std::move(n).error();
        break;
      }
      if (*n == 0) break;
      std::string_view chunk(buf.data(), *n);
      if (skip) {
        size_t k = size_t(std::min<uint64_t>(skip, chunk.size()));
        chunk.remove_prefix(k);
        skip -= k;
      }
      if (chunk.empty()) continue;
      if (offset + chunk.size() > size)
        return fail(kCorrupt, fmt::format("{}: the registry sent more than the {} bytes the manifest says", what, size));
      hash.update(chunk);
      TRY_CTX(sink.write(chunk), "{}", what);
      offset += chunk.size();
      progressed = true;
    }
    if (offset == size) break;
    // Short body or a dropped connection: resume from what we have.
    if (last.msg.empty())
      last = Error{kNetwork, fmt::format("{}: the body ended after {} of {} bytes", what, offset, size)};
    log::debug("{}: {}; resuming at byte {}", what, last.msg, offset);
    failures = progressed ? 0 : failures + 1;
    ++resumes;
  }
  std::string got = "sha256:" + hash.hex();
  if (got != d.digest.str())
    return fail(kCorrupt, fmt::format("{}: digest mismatch: the content is {}", what, got));
  return size - start.offset;
}

}  // namespace skiff::registry
