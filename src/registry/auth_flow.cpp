// Registry authentication: WWW-Authenticate challenges, Basic credentials, Bearer tokens
// (the Docker token protocol, and its OAuth2 refresh-token form for identity tokens).
#include <algorithm>

#include <fmt/format.h>

#include "client_internal.hpp"
#include "skiff/util/base64.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::registry {

namespace {

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+.^_`|~-/").find(c) != std::string_view::npos;
}

struct Scanner {
  std::string_view s;
  size_t i = 0;
  void skip_ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  }
  bool at_end() const { return i >= s.size(); }
  std::string token() {
    size_t b = i;
    while (i < s.size() && is_token_char(s[i])) ++i;
    return std::string(s.substr(b, i - b));
  }
  std::string bare() {  // an unquoted parameter value: up to a comma or blank
    size_t b = i;
    while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') ++i;
    return std::string(s.substr(b, i - b));
  }
  std::string quoted() {  // at the opening quote
    std::string out;
    ++i;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out += s[i++];
    }
    if (i < s.size()) ++i;
    return out;
  }
};

std::string basic_header(const Credentials& c) { return "Basic " + base64_encode(c.username + ":" + c.password); }

}  // namespace

std::vector<Challenge> parse_challenges(const std::vector<std::string>& header_values) {
  std::vector<Challenge> out;
  for (const auto& value : header_values) {
    Scanner sc{value};
    Challenge* cur = nullptr;
    while (!sc.at_end()) {
      sc.skip_ws();
      if (!sc.at_end() && sc.s[sc.i] == ',') {
        ++sc.i;
        continue;
      }
      std::string tok = sc.token();
      if (tok.empty()) {
        ++sc.i;  // garbage: skip a character
        continue;
      }
      sc.skip_ws();
      if (sc.at_end() || sc.s[sc.i] != '=') {
        // Not "key=": the start of a new challenge.
        out.push_back(Challenge{to_lower(tok), {}});
        cur = &out.back();
        continue;
      }
      ++sc.i;  // '='
      sc.skip_ws();
      std::string val = (!sc.at_end() && sc.s[sc.i] == '"') ? sc.quoted() : sc.bare();
      if (cur) cur->params[to_lower(tok)] = val;
    }
  }
  return out;
}

Result<std::optional<Credentials>> Client::credentials_for(Registry& r, std::string_view path) {
  if (opts_.creds) return opts_.creds;
  std::string key(path);
  if (auto it = r.creds.find(key); it != r.creds.end()) return it->second;
  auto found = TRY(find_credentials(env_, r.name, path, opts_.authfile));
  std::optional<Credentials> c;
  if (found) {
    log::debug("registry {}: credentials for {} from {} ({})", r.name, path, found->file, found->key);
    c = found->creds;
  }
  r.creds[key] = c;
  return c;
}

Result<std::string> Client::auth_header(Registry& r, std::string_view path, const std::vector<std::string>& scopes,
                                        bool refresh) {
  std::lock_guard<std::mutex> lk(mu_);
  if (!r.challenge) return std::string();
  auto creds = TRY(credentials_for(r, path));
  if (r.challenge->scheme == "basic") {
    if (!creds || creds->username.empty()) return std::string();
    return basic_header(*creds);
  }
  std::vector<std::string> sorted = scopes;
  std::sort(sorted.begin(), sorted.end());
  std::string key = join(sorted, " ");
  if (!refresh)
    if (auto it = r.tokens.find(key); it != r.tokens.end() && std::chrono::steady_clock::now() < it->second.expires)
      return "Bearer " + it->second.value;
  Token t = TRY(fetch_token(r, *r.challenge, sorted, creds));
  r.tokens[key] = t;
  return "Bearer " + t.value;
}

Result<Client::Token> Client::fetch_token(Registry& r, const Challenge& c, const std::vector<std::string>& scopes,
                                          const std::optional<Credentials>& creds) {
  std::string realm = c.params.count("realm") ? c.params.at("realm") : "";
  std::string service = c.params.count("service") ? c.params.at("service") : "";
  auto realm_url = parse_url(realm);
  if (!realm_url)
    return fail(kAuth, fmt::format("registry {}: the bearer challenge has no usable realm (\"{}\")", r.name, realm));
  HttpRequest req;
  req.headers.set("User-Agent", opts_.user_agent);
  req.connect_timeout_ms = opts_.connect_timeout_ms;
  req.io_timeout_ms = opts_.io_timeout_ms;
  req.tls = realm_url->authority() == r.host || realm_url->host == r.host ? r.tls
                                                                          : tls_for_host(realm_url->authority(), opts_.tls_verify);
  if (creds && !creds->identity_token.empty()) {
    // OAuth2 refresh-token grant (an identity token from `docker login` to an OAuth server).
    req.method = "POST";
    req.url = realm_url->str();
    req.headers.set("Content-Type", "application/x-www-form-urlencoded");
    req.body = "grant_type=refresh_token&client_id=skiff&service=" + url_query_escape(service) +
               "&refresh_token=" + url_query_escape(creds->identity_token);
    for (const auto& s : scopes) req.body += "&scope=" + url_query_escape(s);
  } else {
    std::string q = "service=" + url_query_escape(service);
    for (const auto& s : scopes) q += "&scope=" + url_query_escape(s);
    req.url = realm_url->str() + (realm_url->path_query.find('?') == std::string::npos ? "?" : "&") + q;
    if (creds && !creds->username.empty()) req.headers.set("Authorization", basic_header(*creds));
  }
  std::string what = fmt::format("registry {}: requesting a token from {}", r.name, realm_url->origin());
  for (int attempt = 1;; ++attempt) {
    auto resp = send_with_redirects(req, what);
    if (!resp) {
      if (resp.error().code == kNetwork && attempt < opts_.max_attempts) {
        backoff(attempt, nullptr);
        continue;
      }
      return wrap(std::move(resp).error(), what);
    }
    auto body = resp->read_body(1u << 20);
    if (!body) return wrap(std::move(body).error(), what);
    if (resp->status == 401 || resp->status == 403) {
      std::string msg = registry_error_message(*body);
      if (msg.empty()) msg = fmt::format("HTTP {}", resp->status);
      return fail(kAuth, fmt::format("registry {}: authentication failed{}: {}", r.name,
                                     creds ? " (wrong username or password?)" : "", msg));
    }
    if (resp->status >= 500 && attempt < opts_.max_attempts) {
      backoff(attempt, &*resp);
      continue;
    }
    if (resp->status != 200) {
      std::string msg = registry_error_message(*body);
      return fail(resp->status >= 500 ? kNetwork : kAuth,
                  fmt::format("{}: HTTP {}{}", what, resp->status, msg.empty() ? "" : ": " + msg));
    }
    auto j = parse_json(*body, what);
    if (!j || !j->is_object()) return fail(kAuth, fmt::format("{}: the answer is not a JSON object", what));
    Token t;
    t.value = json_str(*j, "token");
    if (t.value.empty()) t.value = json_str(*j, "access_token");
    if (t.value.empty()) return fail(kAuth, fmt::format("{}: the answer has no token", what));
    // The spec's default lifetime is 60 s; renew a little early.
    // At least 60 s (the distribution spec's default), at most a day: a hostile value cannot
    // overflow the clock arithmetic below, and a token is asked for again after a day anyway.
    int64_t expires_in = std::clamp<int64_t>(json_int(*j, "expires_in", 60), 60, 86400);
    t.expires = std::chrono::steady_clock::now() + std::chrono::seconds(expires_in - 5);
    return t;
  }
}

Status Client::check_login(std::string_view registry, const Credentials& creds) {
  Registry* r = TRY(registry_for(registry, false));
  std::lock_guard<std::mutex> lk(mu_);
  if (!r->challenge) return ok();  // the registry asks for no authentication
  if (r->challenge->scheme == "bearer") {
    TRY(fetch_token(*r, *r->challenge, {}, creds));
    return ok();
  }
  HttpRequest req;
  req.url = r->base + "/v2/";
  req.headers.set("User-Agent", opts_.user_agent);
  req.headers.set("Authorization", basic_header(creds));
  req.tls = r->tls;
  auto resp = TRY(send_with_redirects(req, registry));
  std::string body = resp.read_body(64u << 10).value_or("");
  if (resp.status == 200) return ok();
  std::string msg = registry_error_message(body);
  return fail(kAuth, fmt::format("registry {}: authentication failed (wrong username or password?): {}", registry,
                                 msg.empty() ? fmt::format("HTTP {}", resp.status) : msg));
}

}  // namespace skiff::registry
