// The push half of the distribution API: blob existence (HEAD), cross-repository mounts,
// uploads (monolithic, or chunked with resumption after a dropped connection), manifests,
// and the catalog.
#include <algorithm>

#include <fmt/format.h>

#include "client_internal.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::registry {

namespace {

std::string push_scope(const oci::Reference& ref) { return fmt::format("repository:{}:pull,push", ref.path()); }

void drain(HttpResponse& r) { (void)r.read_body(64u << 10); }

// The upload URL from a Location header, resolved against the request that returned it.
Result<std::string> upload_url(const std::string& base, std::string_view location, std::string_view what) {
  if (location.empty()) return fail(kNetwork, fmt::format("{}: the registry gave no upload location", what));
  Url b = TRY(parse_url(base));
  Url u = TRY_CTX(resolve_url(b, location), "{}: upload location", what);
  return u.str();
}

std::string with_query(const std::string& url, std::string_view kv) {
  return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(kv);
}

// The bytes a registry has from its Range header ("0-N": bytes 0 to N). Distribution also
// says "0-0" for an empty upload (ambiguous with one byte): read as empty. nullopt without
// a Range.
std::optional<uint64_t> range_have(std::string_view range) {
  auto dash = range.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto last_byte = parse_uint(trim(range.substr(dash + 1)));
  if (!last_byte) return std::nullopt;
  return *last_byte > 0 ? *last_byte + 1 : 0;
}

// Reads up to `n` bytes (fewer only at the end of the stream).
Result<size_t> read_full(ByteSource& src, char* buf, size_t n) {
  size_t got = 0;
  while (got < n) {
    size_t k = TRY(src.read(buf + got, n - got));
    if (k == 0) break;
    got += k;
  }
  return got;
}

}  // namespace

Result<std::optional<uint64_t>> Client::stat_blob(const PushTarget& dst, const oci::Digest& d) {
  std::string what = fmt::format("blob {} in {}", d.str(), dst.ref.name());
  Registry* r = TRY_CTX(registry_for(dst.ref.domain(), dst.insecure), "{}", what);
  Request req;
  req.method = "HEAD";
  req.repo = dst.ref.path();
  req.scopes = {push_scope(dst.ref)};
  HttpResponse resp =
      TRY_CTX(request_with_retries(*r, fmt::format("/v2/{}/blobs/{}", dst.ref.path(), d.str()), req, what), "{}", what);
  drain(resp);
  if (resp.status == 404) return std::optional<uint64_t>();
  if (resp.status != 200) return answer_error(what, dst.ref.domain(), resp);
  return std::optional<uint64_t>(parse_uint(trim(resp.headers.get("Content-Length"))).value_or(0));
}

Result<bool> Client::mount_blob(const PushTarget& dst, const oci::Digest& d, std::string_view from) {
  std::string what = fmt::format("mount blob {} from {} into {}", d.str(), from, dst.ref.name());
  Registry* r = TRY_CTX(registry_for(dst.ref.domain(), dst.insecure), "{}", what);
  Request req;
  req.method = "POST";
  req.repo = dst.ref.path();
  req.scopes = {push_scope(dst.ref), fmt::format("repository:{}:pull", from)};
  std::string path = fmt::format("/v2/{}/blobs/uploads/?mount={}&from={}", dst.ref.path(), url_query_escape(d.str()),
                                 url_query_escape(from));
  HttpResponse resp = TRY_CTX(request_with_retries(*r, path, req, what), "{}", what);
  std::string location = resp.headers.get("Location");
  drain(resp);
  if (resp.status == 201) return true;
  if (resp.status == 202 && !location.empty()) {
    // The registry started an ordinary upload instead: cancel it.
    if (auto url = upload_url(r->base + path, location, what)) {
      Request del;
      del.method = "DELETE";
      del.repo = req.repo;
      del.scopes = req.scopes;
      if (auto dr = request(*r, *url, del, what)) drain(*dr);
    }
  }
  log::debug("{}: HTTP {}; uploading instead", what, resp.status);
  return false;
}

Result<UploadedBlob> Client::upload_blob(const PushTarget& dst, ByteSource& src, std::optional<oci::Digest> expect,
                                         const std::function<void(uint64_t)>& progress,
                                         const std::function<Status()>& rewind) {
  std::string what = expect ? fmt::format("upload blob {} to {}", expect->str(), dst.ref.name())
                            : fmt::format("upload a blob to {}", dst.ref.name());
  Registry* r = TRY_CTX(registry_for(dst.ref.domain(), dst.insecure), "{}", what);
  Request base;
  base.repo = dst.ref.path();
  base.scopes = {push_scope(dst.ref)};
  const size_t chunk_size = std::max<size_t>(opts_.chunk_size, 64 * 1024);

  // Starts an upload session: the URL to send bytes to.
  auto start = [&]() -> Result<std::string> {
    Request req = base;
    req.method = "POST";
    std::string path = fmt::format("/v2/{}/blobs/uploads/", dst.ref.path());
    HttpResponse resp = TRY_CTX(request_with_retries(*r, path, req, what), "{}", what);
    std::string location = resp.headers.get("Location");
    if (resp.status != 202) return answer_error(what, dst.ref.domain(), resp);
    drain(resp);
    return upload_url(r->base + path, location, what);
  };
  std::string url;
  // A failed upload is cancelled, so the registry keeps nothing of it.
  auto cancel = [&](Error e) -> Error {
    if (!url.empty()) {
      Request del = base;
      del.method = "DELETE";
      if (auto dr = request(*r, url, del, what)) drain(*dr);
      url.clear();
    }
    return e;
  };

  // One upload from byte 0. `restart` is set when the registry cannot resume this session
  // (distribution refuses a session whose PATCH was cut: "blob upload invalid") and the
  // source can be read again from the start.
  int resumes = 0;
  auto attempt = [&](bool& restart) -> Result<UploadedBlob> {
    Sha256 hash = TRY(Sha256::make());
    // One chunk in memory, and one byte read ahead to know whether another chunk follows.
    std::string chunk(chunk_size, '\0');
    size_t n = TRY_CTX(read_full(src, chunk.data(), chunk_size), "{}", what);
    chunk.resize(n);
    hash.update(chunk);
    char ahead = 0;
    size_t m = n < chunk_size ? 0 : TRY_CTX(read_full(src, &ahead, 1), "{}", what);

    if (m == 0) {
      // Monolithic: the whole blob in one PUT. A failure starts a new session (the bytes
      // are still here).
      UploadedBlob out;
      out.digest = *oci::Digest::parse("sha256:" + hash.hex());
      out.size = n;
      if (expect && *expect != out.digest)
        return fail(kCorrupt, fmt::format("{}: digest mismatch: the content is {}", what, out.digest.str()));
      Error last;
      for (int a = 1; a <= opts_.max_attempts; ++a) {
        if (a > 1) backoff(a - 1, nullptr);
        url = TRY(start());
        Request req = base;
        req.method = "PUT";
        req.headers.set("Content-Type", "application/octet-stream");
        req.body = chunk;
        auto resp = request(*r, with_query(url, "digest=" + url_query_escape(out.digest.str())), req, what);
        if (!resp) {
          last = std::move(resp).error();
          if (last.code != kNetwork) return cancel(wrap(std::move(last), what));
          log::debug("{}: {}; starting over", what, last.msg);
          (void)cancel(Error{});
          continue;
        }
        if (resp->status == 201 || resp->status == 204 || resp->status == 200) {
          drain(*resp);
          url.clear();
          if (progress) progress(n);
          return out;
        }
        if (resp->status >= 500 && a < opts_.max_attempts) {
          last = answer_error(what, dst.ref.domain(), *resp);
          (void)cancel(Error{});
          continue;
        }
        return cancel(answer_error(what, dst.ref.domain(), *resp));
      }
      return cancel(wrap(std::move(last), fmt::format("{}: giving up after {} attempts", what, opts_.max_attempts)));
    }

    // Chunked: PATCH each chunk with its Content-Range. Whenever a PATCH's outcome is anything
    // but a 202 for the whole chunk (a dropped connection, a 5xx, a 202 whose Range is short,
    // a 404 or 416), the registry may hold any prefix of what we sent: nothing more is sent
    // before it is asked where the session stands (distribution spec, "resuming an upload":
    // GET on the upload URL answers 204 with "Range: 0-<last byte>" and a fresh Location),
    // and the upload continues from there. A session the registry no longer knows or refuses
    // (404: distribution cancels a session whose PATCH was cut, "blob upload invalid") starts
    // over from byte 0 with a new POST, when `rewind` can read the source again. The
    // transport never resends a PATCH on its own (registry/http.hpp), so the registry never
    // gets bytes our offset does not count.
    url = TRY(start());
    uint64_t offset = 0;  // bytes the registry has
    std::string gone;     // why the registry refused the session, when it did
    // GET on the upload URL: the bytes the registry has; nullopt when the session is gone
    // (a 4xx, reason in `gone`); an error when the question itself failed (network, 5xx).
    auto session_state = [&]() -> Result<std::optional<uint64_t>> {
      Request st = base;
      auto resp = request(*r, url, st, what);
      if (!resp) return std::move(resp).error();
      if (resp->status == 204 || resp->status == 200) {
        std::string range = resp->headers.get("Range");
        std::string loc = resp->headers.get("Location");
        drain(*resp);
        if (!loc.empty()) url = TRY(upload_url(url, loc, what));
        return std::optional<uint64_t>(range_have(range).value_or(0));
      }
      Error e = answer_error(what, dst.ref.domain(), *resp);
      if (e.code == kAuth || resp->status >= 500 || resp->status == 429) return e;
      gone = e.msg;
      return std::optional<uint64_t>();
    };
    auto cannot_resume = [&](const Error& cause) {
      restart = bool(rewind);
      if (restart) log::debug("{}: the registry cannot resume the upload ({}); starting over", what, gone);
      return cancel(Error{cause.code == 0 ? int(kNetwork) : cause.code,
                          fmt::format("{} (the registry cannot resume the upload: {})", cause.msg, gone)});
    };
    while (!chunk.empty()) {
      const uint64_t chunk_start = offset, chunk_end = offset + chunk.size();
      int failures = 0;
      bool unsure = false;  // the last PATCH may have left any part of itself: ask first
      Error last;
      while (offset < chunk_end) {
        if (unsure) {
          if (failures >= opts_.max_attempts || resumes >= opts_.max_resumes)
            return cancel(wrap(std::move(last), fmt::format("{}: giving up after {} bytes", what, offset)));
          backoff(failures, nullptr);
          auto st = session_state();
          if (!st) {
            Error e = std::move(st).error();
            if (e.code != kNetwork) return cancel(std::move(e));
            last = std::move(e);
            ++failures;
            continue;
          }
          if (!*st) return cannot_resume(last);
          uint64_t have = **st;
          if (have < chunk_start || have > chunk_end) {
            gone = fmt::format("it has {} bytes, expected {} to {}", have, chunk_start, chunk_end);
            return cannot_resume(last);
          }
          log::debug("{}: the registry has {} bytes; resuming there", what, have);
          offset = have;
          ++resumes;
          unsure = false;
          continue;
        }
        Request req = base;
        req.method = "PATCH";
        req.headers.set("Content-Type", "application/octet-stream");
        req.headers.set("Content-Range", fmt::format("{}-{}", offset, chunk_end - 1));
        req.body = std::string_view(chunk).substr(size_t(offset - chunk_start));
        auto resp = request(*r, url, req, what);
        if (!resp) {
          last = std::move(resp).error();
          if (last.code != kNetwork) return cancel(std::move(last));
          log::debug("{}: {}; asking the registry where the upload stands", what, last.msg);
          ++failures;
          unsure = true;
          continue;
        }
        if (resp->status == 202) {
          std::string loc = resp->headers.get("Location");
          std::string range = resp->headers.get("Range");
          drain(*resp);
          if (!loc.empty()) url = TRY(upload_url(url, loc, what));
          // A 202 says what the registry has ("Range: 0-N"). A body cut on its way can still be
          // answered 202 with fewer bytes kept.
          if (auto have = range_have(range); have && *have != chunk_end) {
            last = Error{kNetwork, fmt::format("{}: the registry kept {} of {} bytes", what, *have, chunk_end)};
            log::debug("{}; asking where the upload stands", last.msg);
            ++failures;
            unsure = true;
            continue;
          }
          offset = chunk_end;
          continue;
        }
        Error e = answer_error(what, dst.ref.domain(), *resp);
        // 416 (the registry's offset is not ours), 404 (the session refused, e.g. its state
        // and stored size disagree after a cut) and 5xx: ask where the session stands.
        if (resp->status >= 500 || resp->status == 429 || resp->status == 404 || resp->status == 416) {
          log::debug("{}; asking the registry where the upload stands", e.msg);
          last = std::move(e);
          ++failures;
          unsure = true;
          continue;
        }
        return cancel(std::move(e));
      }
      if (progress) progress(offset);
      if (m == 0) break;
      chunk.resize(chunk_size);
      chunk[0] = ahead;
      n = 1 + TRY_CTX(read_full(src, chunk.data() + 1, chunk_size - 1), "{}", what);
      chunk.resize(n);
      hash.update(chunk);
      m = n < chunk_size ? 0 : TRY_CTX(read_full(src, &ahead, 1), "{}", what);
    }
    UploadedBlob out;
    out.digest = *oci::Digest::parse("sha256:" + hash.hex());
    out.size = offset;
    if (expect && *expect != out.digest)
      return cancel(Error{kCorrupt, fmt::format("{}: digest mismatch: the content is {}", what, out.digest.str())});
    // The closing PUT. Its answer can be lost as well (the registry stored the blob, then the
    // connection dropped; sent again, the PUT would find no session): after a failure a HEAD
    // says whether the blob is there, and GET whether the session still holds every byte,
    // before the PUT goes again.
    for (int a = 1;; ++a) {
      Request req = base;
      req.method = "PUT";
      req.headers.set("Content-Type", "application/octet-stream");
      auto resp = request(*r, with_query(url, "digest=" + url_query_escape(out.digest.str())), req, what);
      Error e;
      if (resp) {
        if (resp->status == 201 || resp->status == 204 || resp->status == 200) {
          drain(*resp);
          url.clear();
          return out;
        }
        e = answer_error(what, dst.ref.domain(), *resp);
        // A resumed upload whose bytes the registry checks as another digest (a cut PATCH's
        // bytes and ours interleaved): the session's content is wrong; start over.
        if (resp->status == 400 && resumes > 0 && rewind) {
          gone = e.msg;
          return cannot_resume(e);
        }
        if (resp->status < 500 && resp->status != 429 && resp->status != 404) return cancel(std::move(e));
      } else {
        e = std::move(resp).error();
        if (e.code != kNetwork) return cancel(wrap(std::move(e), what));
      }
      log::debug("{}: {}; checking whether the blob arrived", what, e.msg);
      if (auto have = stat_blob(dst, out.digest); have && *have) {
        url.clear();  // the registry completed the session
        return out;
      }
      if (a >= opts_.max_attempts)
        return cancel(wrap(std::move(e), fmt::format("{}: giving up after {} attempts", what, a)));
      backoff(a, nullptr);
      auto st = session_state();
      if (!st) {
        if (st.error().code != kNetwork) return cancel(std::move(st).error());
        continue;
      }
      if (!*st) return cannot_resume(e);
      if (**st != out.size) {
        gone = fmt::format("it has {} of {} bytes", **st, out.size);
        return cannot_resume(e);
      }
    }
  };

  for (int restarts = 0;; ++restarts) {
    bool restart = false;
    auto res = attempt(restart);
    if (res) return res;
    if (!url.empty()) (void)cancel(Error{});  // a read error of the source: nothing may stay behind
    Error e = std::move(res).error();
    // Upload URLs carry the registry's session state (?_state=…): long, and of no use to a reader.
    for (size_t q; (q = e.msg.find("?_state=")) != std::string::npos;) {
      size_t end = e.msg.find_first_of(": ", q);
      e.msg.erase(q, end == std::string::npos ? std::string::npos : end - q);
    }
    if (!restart) return e;
    if (restarts + 1 >= opts_.max_attempts || resumes >= opts_.max_resumes)
      return Error{e.code, fmt::format("{}: giving up after {} attempts: {}", what, restarts + 1, e.msg)};
    ++resumes;
    TRY_CTX(rewind(), "{}: start over", what);
    backoff(restarts + 1, nullptr);
  }
}
Result<oci::Digest> Client::put_manifest(const PushTarget& dst, std::string_view media_type, const std::string& bytes) {
  std::string what = fmt::format("put manifest {}", dst.ref.str_with_default_tag());
  Registry* r = TRY_CTX(registry_for(dst.ref.domain(), dst.insecure), "{}", what);
  oci::Digest d = *oci::Digest::parse(TRY(sha256_digest(bytes)));
  Request req;
  req.method = "PUT";
  req.repo = dst.ref.path();
  req.scopes = {push_scope(dst.ref)};
  req.headers.set("Content-Type", media_type);
  req.body = bytes;
  std::string path = fmt::format("/v2/{}/manifests/{}", dst.ref.path(), dst.ref.tag_or_digest());
  HttpResponse resp = TRY_CTX(request_with_retries(*r, path, req, what), "{}", what);
  if (resp.status != 201 && resp.status != 200 && resp.status != 202)
    return answer_error(what, dst.ref.domain(), resp);
  std::string header(trim(resp.headers.get("Docker-Content-Digest")));
  drain(resp);
  if (!header.empty()) {
    auto hd = oci::Digest::parse(header);
    if (hd && hd->algorithm == "sha256" && *hd != d)
      return fail(kCorrupt, fmt::format("{}: the registry says the digest is {} but we sent {}", what, hd->str(), d.str()));
  }
  return d;
}

Result<std::vector<std::string>> Client::catalog(std::string_view registry, bool insecure, size_t limit) {
  std::string what = fmt::format("catalog of {}", registry);
  Registry* r = TRY_CTX(registry_for(registry, insecure), "{}", what);
  Request req;
  req.scopes = {"registry:catalog:*"};
  size_t cap = limit ? limit : 100000;
  return list_pages(*r, req, fmt::format("/v2/_catalog?n={}", std::min<size_t>(cap, 1000)), "repositories", what,
                    registry, cap, true);
}

Result<std::string> Client::get_url(const std::string& url, size_t limit) {
  Url u = TRY(parse_url(url));
  HttpRequest req;
  req.url = url;
  req.headers.set("User-Agent", opts_.user_agent);
  req.tls = tls_for_host(u.authority(), opts_.tls_verify);
  req.connect_timeout_ms = opts_.connect_timeout_ms;
  req.io_timeout_ms = opts_.io_timeout_ms;
  for (int attempt = 1;; ++attempt) {
    auto resp = send_with_redirects(req, url);
    if (!resp) {
      if (resp.error().code == kNetwork && attempt < opts_.max_attempts) {
        backoff(attempt, nullptr);
        continue;
      }
      return std::move(resp).error();
    }
    if (resp->status >= 500 && attempt < opts_.max_attempts) {
      drain(*resp);
      backoff(attempt, &*resp);
      continue;
    }
    auto body = TRY_CTX(resp->read_body(limit), "GET {}", url);
    if (resp->status != 200) {
      std::string msg = registry_error_message(body);
      return fail(resp->status == 404 ? kNotFound : resp->status == 401 || resp->status == 403 ? kAuth : kNetwork,
                  fmt::format("GET {}: HTTP {}{}", url, resp->status, msg.empty() ? "" : ": " + msg));
    }
    return body;
  }
}

}  // namespace skiff::registry
