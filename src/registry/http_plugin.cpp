// The HTTP transport over Poco Net/NetSSL (I/O plugin side of registry/http.hpp).
//
// Every Poco exception is caught here and becomes an Error naming the URL and the cause; none
// crosses the plugin boundary. Connections are kept alive and reused per (scheme, host, port,
// TLS settings) once a response body has been read to its end; an idle one the server closed
// is dropped before use, and only safe requests are ever sent a second time (replayable()).
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/URI.h>

#include <algorithm>
#include <istream>
#include <map>
#include <mutex>
#include <ostream>

#include <fmt/format.h>

#include "skiff/registry/http.hpp"

namespace skiff::registry {

namespace {

using Poco::Net::Context;
using Poco::Net::HTTPClientSession;

// The reason OpenSSL gave for the last failed chain verification on this thread (Poco only
// reports "certificate verify failed").
thread_local std::string t_verify_error;

int verify_callback(int ok, X509_STORE_CTX* store) {
  if (!ok) {
    int err = X509_STORE_CTX_get_error(store);
    t_verify_error = X509_verify_cert_error_string(err);
  }
  return ok;
}

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  if (!e) return "unknown error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

std::string lower_first(std::string s) {
  if (!s.empty() && s[0] >= 'A' && s[0] <= 'Z' && !(s.size() > 1 && s[1] >= 'A' && s[1] <= 'Z'))
    s[0] = char(s[0] - 'A' + 'a');
  return s;
}

// Turns whatever Poco or the standard library threw into a cause phrase.
Error network_error(std::string_view what, std::exception_ptr ep) {
  std::string cause;
  try {
    std::rethrow_exception(ep);
  } catch (const Poco::Net::ConnectionRefusedException&) {
    cause = "connection refused";
  } catch (const Poco::Net::ConnectionResetException&) {
    cause = "connection reset by peer";
  } catch (const Poco::TimeoutException&) {
    cause = "timed out";
  } catch (const Poco::Net::HostNotFoundException&) {
    cause = "no such host";
  } catch (const Poco::Net::NoAddressFoundException&) {
    cause = "no address found for the host";
  } catch (const Poco::Net::CertificateValidationException& e) {
    cause = "TLS certificate verification failed: " + lower_first(e.message());
  } catch (const Poco::Net::SSLConnectionUnexpectedlyClosedException&) {
    cause = "TLS connection unexpectedly closed";
  } catch (const Poco::Net::SSLException& e) {
    std::string m = e.message().empty() ? e.displayText() : e.message();
    if (!t_verify_error.empty())
      cause = "TLS certificate verification failed: " + t_verify_error;
    else if (m.find("alert bad certificate") != std::string::npos || m.find("certificate required") != std::string::npos)
      cause = "TLS handshake failed: the registry refused our client certificate or wants one (client.cert and "
              "client.key in its certs.d directory): " + m;
    else
      cause = "TLS handshake failed: " + m;
  } catch (const Poco::Net::NoMessageException&) {
    cause = "the server closed the connection without a response";
  } catch (const Poco::Exception& e) {
    cause = lower_first(e.displayText());
  } catch (const std::exception& e) {
    cause = e.what();
  } catch (...) {
    cause = "unknown error";
  }
  t_verify_error.clear();
  return Error{kNetwork, fmt::format("{}: {}", what, cause)};
}

std::string tls_key(const TlsSettings& t) {
  std::string k = t.verify ? "v" : "n";
  for (const auto& f : t.ca_files) k += "|ca=" + f;
  return k + "|c=" + t.client_cert + "|k=" + t.client_key;
}

// The parts of a URL a connection needs (Poco::URI: core's parse_url is not in the plugin).
struct Target {
  std::string scheme, host, path_query, origin;
  int port = 0;
};

Result<Target> parse_target(const std::string& url) {
  try {
    Poco::URI u(url);
    Target t;
    t.scheme = u.getScheme();
    t.host = u.getHost();
    t.port = u.getPort();
    t.path_query = u.getPathAndQuery();
    if (t.path_query.empty()) t.path_query = "/";
    if ((t.scheme != "http" && t.scheme != "https") || t.host.empty())
      return fail(kInvalid, fmt::format("invalid URL \"{}\"", url));
    std::string host = t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host;
    t.origin = fmt::format("{}://{}:{}", t.scheme, host, t.port);
    return t;
  } catch (...) {
    return fail(kInvalid, fmt::format("invalid URL \"{}\"", url));
  }
}

// Sessions that expose HTTPSession::read: a body of known length is then read straight from
// the session (its buffer, then the socket, in reads as large as the caller's buffer) instead
// of through Poco's response istream, which reads 4 KiB at a time.
struct RawRead {
  virtual ~RawRead() = default;
  virtual int raw_read(char* buf, std::streamsize n) = 0;
};
template <class Base>
class Session : public Base, public RawRead {
 public:
  using Base::Base;
  int raw_read(char* buf, std::streamsize n) override { return this->read(buf, n); }
  int buffered_bytes() const { return this->buffered(); }
};

// Whether an idle kept-alive session can no longer carry a request: the server closed it (or
// reset it, or sent something unasked) while it waited in the pool. Checked before anything is
// written, so a request never has to be resent because of a connection that was already dead.
bool stale(HTTPClientSession& s) {
  try {
    if (!s.connected()) return false;  // not yet connected: sendRequest connects
    if (auto* h = dynamic_cast<Session<HTTPClientSession>*>(&s); h && h->buffered_bytes() > 0) return true;
    if (auto* h = dynamic_cast<Session<Poco::Net::HTTPSClientSession>*>(&s); h && h->buffered_bytes() > 0) return true;
    // Readable while idle: end of stream, an error, or bytes nobody asked for.
    return s.socket().poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ | Poco::Net::Socket::SELECT_ERROR);
  } catch (...) {
    return true;
  }
}

// Requests the transport may send again on a new connection after a kept-alive one failed
// before any answer: only those that change nothing on the server (RFC 9110 safe methods).
// A PATCH, PUT or POST may have reached the server in part or whole (an upload chunk the
// registry kept part of); sending it again would be a different request. Those errors go to
// the caller, which knows how to ask the server where things stand.
bool replayable(std::string_view method) { return method == "GET" || method == "HEAD" || method == "OPTIONS"; }

class PocoTransport;

// A response body. It hands its session back to the transport's pool when the body has been
// read to its end, and closes it otherwise.
class PocoBody : public ByteSource {
 public:
  PocoBody(PocoTransport* owner, std::string pool_key, std::unique_ptr<HTTPClientSession> session,
           std::istream* in, int64_t length, bool keep_alive, std::string what)
      : owner_(owner), pool_key_(std::move(pool_key)), session_(std::move(session)), in_(in),
        length_(length), keep_alive_(keep_alive), what_(std::move(what)) {}
  ~PocoBody() override;

  Result<size_t> read(void* buf, size_t n) override {
    if (done_ || n == 0) return size_t(0);
    if (length_ >= 0 && uint64_t(length_) - got_ < n) n = size_t(uint64_t(length_) - got_);
    if (n == 0) return finish();
    size_t k = 0;
    try {
      if (length_ >= 0) {
        // Known length: straight from the session. n was capped at what is left.
        auto* raw = dynamic_cast<RawRead*>(session_.get());
        k = size_t(std::max(0, raw->raw_read(static_cast<char*>(buf), std::streamsize(std::min<size_t>(n, 1 << 30)))));
      } else {
        in_->read(static_cast<char*>(buf), std::streamsize(n));
        k = size_t(in_->gcount());
      }
    } catch (...) {
      failed_ = true;
      return wrap(network_error(what_, std::current_exception()),
                  fmt::format("connection lost after {} bytes of the body", got_));
    }
    if (k == 0) {
      if (length_ >= 0 && got_ < uint64_t(length_)) {
        failed_ = true;
        return fail(kNetwork, fmt::format("{}: connection closed after {} of {} bytes", what_, got_, length_));
      }
      return finish();
    }
    got_ += k;
    return k;
  }

 private:
  Result<size_t> finish() {
    done_ = true;
    return size_t(0);
  }

  PocoTransport* owner_;
  std::string pool_key_;
  std::unique_ptr<HTTPClientSession> session_;
  std::istream* in_;
  int64_t length_;
  bool keep_alive_;
  std::string what_;
  uint64_t got_ = 0;
  bool done_ = false, failed_ = false;
};

class PocoTransport : public HttpTransport {
 public:
  Result<HttpResponse> send(const HttpRequest& req) override;

  // Takes an idle session back (called by PocoBody at the end of a body).
  void give_back(const std::string& key, std::unique_ptr<HTTPClientSession> s) {
    std::lock_guard<std::mutex> lk(mu_);
    auto& v = idle_[key];
    if (v.size() < kMaxIdlePerKey) v.push_back(std::move(s));
  }

 private:
  static constexpr size_t kMaxIdlePerKey = 4;

  Result<Context::Ptr> context_for(const TlsSettings& tls, std::string_view what);
  Result<HttpResponse> attempt(const HttpRequest& req, const Target& url, const std::string& key,
                               std::unique_ptr<HTTPClientSession> session, bool* failed_early);

  std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<HTTPClientSession>>> idle_;
  std::map<std::string, Context::Ptr> contexts_;
};

PocoBody::~PocoBody() {
  if (done_ && !failed_ && keep_alive_ && session_) owner_->give_back(pool_key_, std::move(session_));
  // Otherwise the session (and its socket) is destroyed here: a half-read body cannot be reused.
}

Result<Context::Ptr> PocoTransport::context_for(const TlsSettings& tls, std::string_view what) {
  std::string key = tls_key(tls);
  std::lock_guard<std::mutex> lk(mu_);
  if (auto it = contexts_.find(key); it != contexts_.end()) return it->second;
  try {
    Context::Params p;
    // VERIFY_STRICT also checks the host name for localhost/127.0.0.1 (Poco skips that in
    // relaxed mode); the client side ignores the "fail if no peer certificate" part.
    p.verificationMode = tls.verify ? Context::VERIFY_STRICT : Context::VERIFY_NONE;
    p.loadDefaultCAs = tls.verify;  // reading the system store costs tens of ms; unverified TLS needs none
    p.certificateFile = tls.client_cert;
    p.privateKeyFile = tls.client_key;
    Context::Ptr ctx = new Context(Context::TLS_CLIENT_USE, p);
    SSL_CTX* ssl = ctx->sslContext();
    for (const auto& f : tls.ca_files)
      if (SSL_CTX_load_verify_locations(ssl, f.c_str(), nullptr) != 1)
        return fail(kNetwork, fmt::format("{}: load CA certificates `{}`: {}", what, f, openssl_error()));
    if (tls.verify) SSL_CTX_set_verify(ssl, SSL_VERIFY_PEER, verify_callback);
    contexts_[key] = ctx;
    return ctx;
  } catch (...) {
    Error e = network_error(what, std::current_exception());
    if (!tls.client_cert.empty())
      e.msg = fmt::format("{} (client certificate `{}`, key `{}`)", e.msg, tls.client_cert, tls.client_key);
    return e;
  }
}

Result<HttpResponse> PocoTransport::send(const HttpRequest& req) {
  Target url = TRY(parse_target(req.url));
  std::string what = fmt::format("{} {}", req.method, req.url);
  bool https = url.scheme == "https";
  std::string key = url.origin + (https ? "#" + tls_key(req.tls) : "");

  std::unique_ptr<HTTPClientSession> session;
  {
    std::lock_guard<std::mutex> lk(mu_);
    auto& v = idle_[key];
    if (!v.empty()) {
      session = std::move(v.back());
      v.pop_back();
    }
  }
  if (session && stale(*session)) session.reset();  // closed while idle: never written to
  if (session) {
    // The server may still close a kept-alive connection just as we write to it: a request
    // that failed before any answer goes out again on a fresh connection, but only when
    // sending it twice is harmless (replayable()).
    bool failed_early = false;
    auto r = attempt(req, url, key, std::move(session), &failed_early);
    if (r || !failed_early || !replayable(req.method)) return r;
  }
  try {
    if (https) {
      Context::Ptr ctx = TRY(context_for(req.tls, what));
      session = std::make_unique<Session<Poco::Net::HTTPSClientSession>>(url.host, Poco::UInt16(url.port), ctx);
    } else {
      session = std::make_unique<Session<HTTPClientSession>>(url.host, Poco::UInt16(url.port));
    }
  } catch (...) {
    return network_error(what, std::current_exception());
  }
  return attempt(req, url, key, std::move(session), nullptr);
}

Result<HttpResponse> PocoTransport::attempt(const HttpRequest& req, const Target& url, const std::string& key,
                                            std::unique_ptr<HTTPClientSession> session, bool* failed_early) {
  std::string what = fmt::format("{} {}", req.method, req.url);
  t_verify_error.clear();
  try {
    Poco::Timespan connect(Poco::Timespan::TimeDiff(req.connect_timeout_ms) * 1000);
    Poco::Timespan io(Poco::Timespan::TimeDiff(req.io_timeout_ms) * 1000);
    session->setTimeout(connect, io, io);
    session->setKeepAlive(true);

    Poco::Net::HTTPRequest preq(req.method, url.path_query, Poco::Net::HTTPMessage::HTTP_1_1);
    preq.setHost(url.host, Poco::UInt16(url.port));
    preq.setKeepAlive(true);
    for (const auto& [k, v] : req.headers.items()) preq.add(k, v);
    std::string_view payload = req.payload();
    bool has_body = !payload.empty() || req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
    if (has_body) preq.setContentLength64(Poco::Int64(payload.size()));
    std::ostream& out = session->sendRequest(preq);
    if (has_body) out.write(payload.data(), std::streamsize(payload.size()));
    out.flush();

    Poco::Net::HTTPResponse presp;
    std::istream& in = session->receiveResponse(presp);
    in.exceptions(std::ios::badbit);  // rethrow the real cause of a failed read

    HttpResponse resp;
    resp.status = int(presp.getStatus());
    resp.reason = presp.getReason();
    for (const auto& [k, v] : presp) resp.headers.add(k, v);
    int64_t length = presp.getContentLength64();  // -1 when absent (chunked or until close)
    if (presp.getChunkedTransferEncoding()) length = -1;
    bool no_body = req.method == "HEAD" || resp.status == 204 || resp.status == 304 ||
                   (resp.status >= 100 && resp.status < 200);
    if (no_body) length = 0;
    bool reusable = presp.getKeepAlive() && (length >= 0 || presp.getChunkedTransferEncoding());
    resp.body = std::make_unique<PocoBody>(this, key, std::move(session), &in, length, reusable, what);
    return resp;
  } catch (...) {
    if (failed_early) *failed_early = true;  // no response was received
    return network_error(what, std::current_exception());
  }
}

}  // namespace

}  // namespace skiff::registry

extern "C" skiff::registry::HttpTransport* skiff_http_transport_new_v1() {
  try {
    return new skiff::registry::PocoTransport();
  } catch (...) {
    return nullptr;
  }
}
