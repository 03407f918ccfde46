#pragma once
// An in-memory registry behind the HttpTransport interface: enough of the distribution API,
// the token protocol and HTTP (redirects, Range) to drive registry::Client through every
// path, with faults to inject. Every request is logged for assertions.
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "skiff/registry/http.hpp"
#include "skiff/util/base64.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::testing {

/// A body that delivers `data`, then fails like a dropped connection after `drop_after` bytes.
class FlakySource : public ByteSource {
 public:
  FlakySource(std::string data, std::optional<size_t> drop_after)
      : data_(std::move(data)), drop_after_(drop_after) {}
  Result<size_t> read(void* buf, size_t n) override {
    size_t end = data_.size();
    if (drop_after_ && *drop_after_ < end) end = *drop_after_;
    if (pos_ >= end) {
      if (end < data_.size())
        return fail(kNetwork, fmt::format("GET fake: connection reset by peer after {} bytes", pos_));
      return size_t(0);
    }
    size_t k = std::min({n, end - pos_, size_t(64 * 1024)});
    memcpy(buf, data_.data() + pos_, k);
    pos_ += k;
    return k;
  }

 private:
  std::string data_;
  std::optional<size_t> drop_after_;
  size_t pos_ = 0;
};

class FakeRegistry : public registry::HttpTransport {
 public:
  enum class Auth { kNone, kBasic, kBearer };

  // --- configuration ---
  std::string host = "reg.test";        ///< the registry (https://reg.test)
  std::string auth_host = "auth.test";  ///< the token server
  std::string cdn_host;                 ///< when set, blob GETs redirect there
  Auth auth = Auth::kNone;
  std::string user = "alice", pass = "secret";
  bool anonymous_tokens = true;         ///< the token server hands out tokens without credentials
  bool http_only = false;               ///< HTTPS fails as if the server spoke plain HTTP
  std::set<std::string> down_hosts;     ///< connection refused

  std::map<std::string, std::pair<std::string, std::string>> manifests;  ///< "repo:ref" → (type, body)
  std::map<std::string, std::string> digest_header;  ///< "repo:ref" → Docker-Content-Digest to send instead
  std::map<std::string, std::string> blobs;                              ///< digest → bytes

  // --- faults ---
  std::optional<size_t> drop_after;  ///< blob bodies drop after this many bytes…
  int drops_left = 0;                ///< …this many times
  bool ignore_range = false;
  int fail_503 = 0;                  ///< answer this many registry requests with 503
  bool send_content_length = true;
  std::string blob_override;         ///< serve these bytes instead of the stored blob

  // --- uploads (push) ---
  std::map<std::string, std::string> uploads;  ///< upload id → bytes received so far
  std::set<std::string> repo_blobs;            ///< "repo@digest": what HEAD and mounts see
  int patch_cuts = 0;             ///< the next PATCHes store only patch_keep bytes, then drop
  size_t patch_keep = 0;
  bool resumable = true;          ///< false: a cut session is refused afterwards (distribution)
  int upload_ids = 0;
  /// Distribution's session check: an upload URL carries the offset it was handed out for
  /// (`_state`); a request whose offset is not the stored size is answered 404
  /// BLOB_UPLOAD_INVALID and the session is dropped (blobUploadDispatcher).
  bool check_state = false;
  bool cut_lands_late = false;    ///< a cut PATCH's kept bytes land after the next GET answered
  std::string late_bytes;         ///< (held back until then)
  std::string late_id;
  int short_202 = 0;              ///< the next PATCHes keep only patch_keep bytes but answer 202
  int patch_416 = 0;              ///< the next PATCHes are answered 416, nothing stored
  int patch_404 = 0;              ///< … answered 404 BLOB_UPLOAD_INVALID, nothing stored, session kept
  int put_lost = 0;               ///< the next closing PUTs store the blob, then the answer is lost

  // --- observations ---
  std::vector<registry::HttpRequest> log;
  int tokens_issued = 0;
  std::set<std::string> valid_tokens;

  /// Adds a blob; returns its digest.
  std::string add_blob(const std::string& data) {
    std::string d = *sha256_digest(data);
    blobs[d] = data;
    return d;
  }
  /// Adds a manifest under a tag (and its digest); returns the digest.
  std::string add_manifest(const std::string& repo, const std::string& tag, const std::string& type,
                           const std::string& body) {
    std::string d = *sha256_digest(body);
    manifests[repo + ":" + tag] = {type, body};
    manifests[repo + ":" + d] = {type, body};
    return d;
  }
  /// Requests whose URL contains `s`.
  std::vector<registry::HttpRequest> requests(std::string_view s) const {
    std::vector<registry::HttpRequest> out;
    for (const auto& r : log)
      if (r.url.find(s) != std::string::npos) out.push_back(r);
    return out;
  }
  std::string bearer_challenge(const std::string& scope) const {
    std::string c = fmt::format("Bearer realm=\"https://{}/token\",service=\"{}\"", auth_host, host);
    if (!scope.empty()) c += fmt::format(",scope=\"{}\"", scope);
    return c;
  }

  Result<registry::HttpResponse> send(const registry::HttpRequest& req) override {
    log.push_back(req);
    auto url = registry::parse_url(req.url);
    if (!url) return url.error();
    std::string what = req.method + " " + req.url;
    if (down_hosts.count(url->host)) return fail(kNetwork, what + ": connection refused");
    if (http_only && url->scheme == "https")
      return fail(kNetwork, what + ": TLS handshake failed: error:0A00010B:SSL routines::wrong version number");
    if (url->host == auth_host) return token(req, *url);
    if (!cdn_host.empty() && url->host == cdn_host) return cdn(*url);
    if (url->host != host && !is_mirror(url->host)) return fail(kNetwork, what + ": no such host");
    if (fail_503 > 0) {
      --fail_503;
      return respond(503, "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"try later\"}]}");
    }
    std::string path = url->path_query;
    if (path == "/v2/") {
      if (!authorized(req)) return unauthorized("");
      return respond(200, "{}");
    }
    if (auto u = path.find("/blobs/uploads/"); u != std::string::npos) {
      std::string repo = path.substr(4, u - 4);
      if (!authorized(req)) return unauthorized(fmt::format("repository:{}:pull,push", repo));
      return upload(req, repo, path.substr(u + 15));
    }
    // /v2/<repo>/(manifests|blobs)/<ref>
    size_t m = path.rfind("/manifests/"), b = path.rfind("/blobs/");
    bool is_manifest = m != std::string::npos;
    size_t cut = is_manifest ? m : b;
    if (cut == std::string::npos) return respond(404, "");
    std::string repo = path.substr(4, cut - 4);
    std::string ref = path.substr(cut + (is_manifest ? 11 : 7));
    if (!authorized(req)) return unauthorized(fmt::format("repository:{}:pull", repo));
    if (is_manifest && req.method == "PUT") {
      std::string body(req.payload());
      std::string d = add_manifest(repo, ref, req.headers.get("Content-Type"), body);
      auto r = respond(201, "");
      r.headers.set("Docker-Content-Digest", d);
      return r;
    }
    if (!is_manifest && req.method == "HEAD") {
      if (!repo_blobs.count(repo + "@" + ref)) return respond(404, "");
      auto r = respond(200, "");
      r.headers.set("Content-Length", std::to_string(blobs[ref].size()));
      return r;
    }
    if (is_manifest) {
      auto it = manifests.find(repo + ":" + ref);
      if (it == manifests.end())
        return respond(404, "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}");
      auto r = respond(200, it->second.second, it->second.first);
      auto dh = digest_header.find(repo + ":" + ref);
      r.headers.set("Docker-Content-Digest", dh != digest_header.end() ? dh->second : *sha256_digest(it->second.second));
      if (!send_content_length) r.headers.remove("Content-Length");
      return r;
    }
    if (!blobs.count(ref))
      return respond(404, "{\"errors\":[{\"code\":\"BLOB_UNKNOWN\",\"message\":\"blob unknown to registry\"}]}");
    if (!cdn_host.empty()) {
      auto r = respond(307, "");
      r.headers.set("Location", fmt::format("https://{}/blobs/{}?sig=abc", cdn_host, ref));
      return r;
    }
    return serve_blob(ref, req);
  }

  std::set<std::string> mirrors;

 private:
  bool is_mirror(const std::string& h) const { return mirrors.count(h) > 0; }

  static std::string query_param(const std::string& q, const std::string& key) {
    for (const auto& kv : split(q.substr(q.find('?') + 1), '&'))
      if (kv.starts_with(key + "=")) {
        std::string v = kv.substr(key.size() + 1), out;
        for (size_t i = 0; i < v.size(); ++i)
          if (v[i] == '%' && i + 2 < v.size()) {
            out += char(std::stoi(v.substr(i + 1, 2), nullptr, 16));
            i += 2;
          } else {
            out += v[i];
          }
        return out;
      }
    return {};
  }

  Result<registry::HttpResponse> upload(const registry::HttpRequest& req, const std::string& repo, const std::string& rest) {
    auto invalid = [&] {
      return respond(404, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_INVALID\",\"message\":\"blob upload invalid\"}]}");
    };
    if (req.method == "POST") {
      std::string mount = query_param(rest, "mount"), from = query_param(rest, "from");
      if (!mount.empty() && repo_blobs.count(from + "@" + mount)) {
        repo_blobs.insert(repo + "@" + mount);
        return respond(201, "");
      }
      std::string id = fmt::format("u{}", ++upload_ids);
      uploads[id] = "";
      auto r = respond(202, "");
      r.headers.set("Location", fmt::format("/v2/{}/blobs/uploads/{}?_state=s0", repo, id));
      r.headers.set("Range", "0-0");
      return r;
    }
    std::string id = rest.substr(0, rest.find('?'));
    auto it = uploads.find(id);
    if (it == uploads.end()) return invalid();
    std::string& data = it->second;
    if (check_state && req.method != "DELETE") {
      std::string st = query_param(rest, "_state");
      if (st.size() < 2 || std::stoull(st.substr(1)) != data.size()) {
        uploads.erase(it);
        return invalid();
      }
    }
    auto location = [&](registry::HttpResponse r) {
      r.headers.set("Location", fmt::format("/v2/{}/blobs/uploads/{}?_state=s{}", repo, id, data.size()));
      r.headers.set("Range", fmt::format("0-{}", data.empty() ? 0 : data.size() - 1));
      return r;
    };
    if (req.method == "DELETE") {
      uploads.erase(it);
      return respond(204, "");
    }
    if (req.method == "GET") {
      if (!resumable) return invalid();
      auto r = location(respond(204, ""));
      if (late_id == id) {  // the cut PATCH's bytes land now, after the answer was made
        data += late_bytes;
        late_id.clear();
      }
      return r;
    }
    std::string_view body = req.payload();
    if (req.method == "PATCH") {
      std::string cr = req.headers.get("Content-Range");
      if (!cr.empty() && *parse_uint(cr.substr(0, cr.find('-'))) != data.size()) return invalid();
      if (patch_416 > 0) {
        --patch_416;
        return respond(416, "{\"errors\":[{\"code\":\"RANGE_INVALID\",\"message\":\"invalid content range\"}]}");
      }
      if (patch_404 > 0) {
        --patch_404;
        return invalid();
      }
      if (patch_cuts > 0) {
        --patch_cuts;
        std::string kept(body.substr(0, std::min(patch_keep, body.size())));
        if (cut_lands_late) {
          late_bytes = kept;
          late_id = id;
        } else {
          data += kept;
        }
        return fail(kNetwork, "PATCH fake: connection reset by peer");
      }
      if (short_202 > 0) {
        --short_202;
        data += body.substr(0, std::min(patch_keep, body.size()));
        return location(respond(202, ""));
      }
      data += body;
      return location(respond(202, ""));
    }
    if (req.method == "PUT") {
      data += body;
      std::string want = query_param(rest, "digest");
      std::string got = *sha256_digest(data);
      if (want != got) {
        uploads.erase(it);
        return respond(400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\",\"message\":\"digest did not match\"}]}");
      }
      blobs[got] = data;
      repo_blobs.insert(repo + "@" + got);
      uploads.erase(it);
      if (put_lost > 0) {
        --put_lost;
        return fail(kNetwork, "PUT fake: connection reset by peer");
      }
      auto r = respond(201, "");
      r.headers.set("Docker-Content-Digest", got);
      return r;
    }
    return respond(405, "");
  }

  registry::HttpResponse respond(int status, std::string body, std::string type = "application/json") {
    registry::HttpResponse r;
    r.status = status;
    r.reason = status == 200 ? "OK" : status == 206 ? "Partial Content" : status == 401 ? "Unauthorized"
                                                                        : status == 404 ? "Not Found" : "";
    r.headers.set("Content-Type", type);
    r.headers.set("Content-Length", std::to_string(body.size()));
    r.body = std::make_unique<StringSource>(std::move(body));
    return r;
  }

  registry::HttpResponse unauthorized(const std::string& scope) {
    auto r = respond(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
    if (auth == Auth::kBasic) r.headers.set("WWW-Authenticate", "Basic realm=\"fake registry\"");
    else r.headers.set("WWW-Authenticate", bearer_challenge(scope));
    return r;
  }

  bool authorized(const registry::HttpRequest& req) const {
    std::string a = req.headers.get("Authorization");
    switch (auth) {
      case Auth::kNone: return true;
      case Auth::kBasic: return a == "Basic " + base64_encode(user + ":" + pass);
      case Auth::kBearer: return a.starts_with("Bearer ") && valid_tokens.count(a.substr(7));
    }
    return false;
  }

  Result<registry::HttpResponse> token(const registry::HttpRequest& req, const registry::Url&) {
    std::string a = req.headers.get("Authorization");
    bool has_creds = !a.empty();
    if (has_creds && a != "Basic " + base64_encode(user + ":" + pass))
      return respond(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"incorrect username or password\"}]}");
    if (!has_creds && !anonymous_tokens)
      return respond(401, "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
    std::string t = fmt::format("{}-{}", has_creds ? "user" : "anon", ++tokens_issued);
    valid_tokens.insert(t);
    // Alternate the two spellings the spec allows.
    return respond(200, tokens_issued % 2 ? fmt::format("{{\"token\":\"{}\",\"expires_in\":300}}", t)
                                          : fmt::format("{{\"access_token\":\"{}\"}}", t));
  }

  Result<registry::HttpResponse> cdn(const registry::Url& url) {
    std::string path = url.path_query.substr(0, url.path_query.find('?'));
    std::string digest = path.substr(path.rfind('/') + 1);
    if (!blobs.count(digest)) return respond(404, "");
    return serve_blob(digest, log.back());
  }

  registry::HttpResponse serve_blob(const std::string& digest, const registry::HttpRequest& req) {
    std::string data = blob_override.empty() ? blobs[digest] : blob_override;
    std::string range = req.headers.get("Range");
    size_t from = 0;
    int status = 200;
    if (!range.empty() && !ignore_range) {
      from = *parse_uint(range.substr(6, range.find('-') - 6));
      status = 206;
    }
    std::string part = data.substr(std::min(from, data.size()));
    auto r = respond(status, "", "application/octet-stream");
    r.headers.set("Content-Length", std::to_string(part.size()));
    if (status == 206) r.headers.set("Content-Range", fmt::format("bytes {}-{}/{}", from, data.size() - 1, data.size()));
    std::optional<size_t> drop;
    if (drops_left > 0 && drop_after) {
      --drops_left;
      drop = drop_after;
    }
    r.body = std::make_unique<FlakySource>(std::move(part), drop);
    return r;
  }
};

}  // namespace skiff::testing
