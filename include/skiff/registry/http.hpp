#pragma once
// The HTTP transport the registry client speaks through: an interface with std types only, so
// the real one (Poco Net/NetSSL, in the I/O plugin: src/registry/http_plugin.cpp) can cross
// the plugin boundary and unit tests can replace it with an in-memory fake.
//
// A transport sends exactly one request per call: it follows no redirects, retries nothing,
// and knows nothing about registries or authentication. The client does all of that. (One
// exception: a GET, HEAD or OPTIONS whose kept-alive connection fails before any answer goes
// out again on a new connection. Nothing else is ever sent twice: a cut PATCH may have left
// part of its body on the server, and only the caller can ask where things stand.)

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::registry {

/// HTTP headers: an ordered multimap with case-insensitive names. (Inline: the plugin uses it
/// too, and plugin objects may only call header code and their own libraries.)
class Headers {
 public:
  /// The first value of `name`, or "" if absent.
  std::string get(std::string_view name) const {
    for (const auto& [k, v] : items_)
      if (iequals(k, name)) return v;
    return {};
  }
  /// Every value of `name`, in order.
  std::vector<std::string> get_all(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : items_)
      if (iequals(k, name)) out.push_back(v);
    return out;
  }
  bool has(std::string_view name) const {
    for (const auto& kv : items_)
      if (iequals(kv.first, name)) return true;
    return false;
  }
  /// Replaces all values of `name` with one.
  void set(std::string_view name, std::string_view value) {
    remove(name);
    add(name, value);
  }
  /// Adds a value (keeps existing ones).
  void add(std::string_view name, std::string_view value) { items_.emplace_back(name, value); }
  /// Removes every value of `name`.
  void remove(std::string_view name) {
    std::erase_if(items_, [&](const auto& kv) { return iequals(kv.first, name); });
  }
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  /// ASCII case-insensitive comparison (header names).
  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      char x = a[i], y = b[i];
      if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
      if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
      if (x != y) return false;
    }
    return true;
  }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

/// TLS settings for one request. Equal settings may share connections.
struct TlsSettings {
  bool verify = true;                 ///< verify the server's chain and host name
  std::vector<std::string> ca_files;  ///< PEM CA files trusted in addition to the system's
  std::string client_cert;            ///< PEM client certificate (with its key) or ""
  std::string client_key;
  bool operator==(const TlsSettings&) const = default;
};

struct HttpRequest {
  std::string method = "GET";
  std::string url;    ///< absolute: http[s]://host[:port]/path?query
  Headers headers;
  std::string body;   ///< sent with a Content-Length when non-empty (or for POST/PUT/PATCH)
  std::string_view body_ref;  ///< sent instead of `body` when non-empty (not owned: upload chunks)
  /// The bytes to send: body_ref if set, else body.
  std::string_view payload() const { return body_ref.empty() ? std::string_view(body) : body_ref; }
  TlsSettings tls;
  int connect_timeout_ms = 30000;
  int io_timeout_ms = 60000;  ///< longest wait for any one read or write
};

struct HttpResponse {
  int status = 0;
  std::string reason;
  Headers headers;
  /// The body as a stream. It reports a connection that drops before the announced length as
  /// a kNetwork error, never as a short read; 0 means the whole body was read. Destroying it
  /// early closes the connection. Never null for a successful send().
  std::unique_ptr<ByteSource> body;

  /// Reads the whole body; more than `limit` bytes is EFBIG.
  Result<std::string> read_body(size_t limit);
};

/// Sends HTTP requests.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  /// Sends `req` and returns the status, headers and body stream. Failures to connect, to
  /// verify TLS, or timeouts are kNetwork errors that name the URL and the cause
  /// ("GET https://127.0.0.1:5000/v2/: connection refused"). Does not follow redirects.
  virtual Result<HttpResponse> send(const HttpRequest& req) = 0;
};

/// The real transport (Poco, from the I/O plugin; keeps connections alive per host).
Result<std::unique_ptr<HttpTransport>> make_http_transport();

/// The plugin's entry point (C ABI). Returns a new transport the caller owns.
using HttpTransportFactory = HttpTransport* (*)();
inline constexpr const char* kHttpTransportSymbol = "skiff_http_transport_new_v1";

/// A parsed absolute URL.
struct Url {
  std::string scheme;      ///< "http" or "https"
  std::string host;        ///< without brackets for IPv6
  int port = 0;            ///< explicit or the scheme's default
  std::string path_query;  ///< "/v2/x/blobs/…?a=b", at least "/"

  /// "host:port", with brackets for IPv6, port omitted when it is the scheme's default.
  std::string authority() const;
  /// scheme://authority: two URLs with the same origin() reach the same server.
  std::string origin() const;
  std::string str() const { return origin() + path_query; }
};

/// Parses "http[s]://host[:port][/path][?query]" (no userinfo, no fragment).
Result<Url> parse_url(std::string_view s);

/// Resolves a Location header against the URL it came from (absolute, "//host/…", "/path",
/// or relative path).
Result<Url> resolve_url(const Url& base, std::string_view location);

/// Percent-encodes a query component (RFC 3986 unreserved characters are kept).
std::string url_query_escape(std::string_view s);

}  // namespace skiff::registry
