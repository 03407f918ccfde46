// Core side of the HTTP transport: headers, URLs, and loading the Poco transport from the
// I/O plugin.
#include "skiff/registry/http.hpp"

#include <fmt/format.h>

#include "skiff/util/plugin.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::registry {

Result<std::string> HttpResponse::read_body(size_t limit) {
  StringSink sink(limit);
  if (!body) return std::string();
  TRY(copy_stream(*body, sink));
  return std::move(sink.str());
}

Result<std::unique_ptr<HttpTransport>> make_http_transport() {
  auto factory = TRY(plugin_fn<HttpTransportFactory>(kHttpTransportSymbol));
  HttpTransport* t = factory();
  if (!t) return fail(ENOMEM, "cannot create the HTTP transport");
  return std::unique_ptr<HttpTransport>(t);
}

static int default_port(std::string_view scheme) { return scheme == "https" ? 443 : 80; }

std::string Url::authority() const {
  std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 0 && port != default_port(scheme)) h += ":" + std::to_string(port);
  return h;
}

std::string Url::origin() const { return scheme + "://" + authority(); }

Result<Url> parse_url(std::string_view s) {
  auto bad = [&](std::string_view why) { return fail(kInvalid, fmt::format("invalid URL \"{}\": {}", s, why)); };
  Url u;
  auto sep = s.find("://");
  if (sep == std::string_view::npos) return bad("no scheme");
  u.scheme = to_lower(s.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https") return bad("the scheme must be http or https");
  std::string_view rest = s.substr(sep + 3);
  size_t end = rest.find_first_of("/?#");
  std::string_view auth = rest.substr(0, end);
  std::string_view tail = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  if (tail.find('#') != std::string_view::npos) tail = tail.substr(0, tail.find('#'));
  if (auth.find('@') != std::string_view::npos) return bad("user information is not supported");
  std::string_view port_str;
  if (auth.starts_with("[")) {
    size_t close = auth.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    u.host = std::string(auth.substr(1, close - 1));
    std::string_view after = auth.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("garbage after the IPv6 address");
      port_str = after.substr(1);
    }
  } else {
    size_t colon = auth.rfind(':');
    u.host = std::string(auth.substr(0, colon));
    if (colon != std::string_view::npos) port_str = auth.substr(colon + 1);
  }
  if (u.host.empty()) return bad("no host");
  if (!port_str.empty()) {
    auto p = parse_uint(port_str);
    if (!p || *p == 0 || *p > 65535) return bad("bad port");
    u.port = int(*p);
  } else {
    u.port = default_port(u.scheme);
  }
  u.path_query = tail.empty() ? "/" : std::string(tail);
  if (u.path_query[0] == '?') u.path_query = "/" + u.path_query;
  return u;
}

Result<Url> resolve_url(const Url& base, std::string_view location) {
  if (location.find("://") != std::string_view::npos) return parse_url(location);
  if (location.starts_with("//")) return parse_url(base.scheme + ":" + std::string(location));
  Url u = base;
  if (location.starts_with("/")) {
    u.path_query = std::string(location);
    return u;
  }
  // A relative path: replace the last segment of the base path.
  std::string path = base.path_query.substr(0, base.path_query.find('?'));
  u.path_query = path.substr(0, path.rfind('/') + 1) + std::string(location);
  return u;
}

std::string url_query_escape(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
        c == '_' || c == '~')
      out += char(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

}  // namespace skiff::registry
