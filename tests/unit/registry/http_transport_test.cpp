// The real (Poco) HTTP transport against a scripted loopback server: which requests it sends
// again on a fresh connection when a kept-alive one fails, and which it must not. A PATCH that
// was cut on its way must never be resent by the transport: the registry may have kept part of
// it, and only the upload code (which asks the registry where it stands) may decide what to
// send next.
#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "skiff/registry/http.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using namespace skiff::registry;

namespace {

// One request as the server read it.
struct SeenRequest {
  int conn = 0;
  std::string method, target;
  size_t content_length = 0;
  size_t body_read = 0;
};

// A loopback HTTP/1.1 server that runs one script per accepted connection, in order (the
// n-th connection runs scripts[n]; connections past the scripts are closed at once).
class ScriptServer {
 public:
  class Conn;
  using Script = std::function<void(Conn&)>;

  class Conn {
   public:
    Conn(ScriptServer& s, int fd, int id) : s_(s), fd_(fd), id_(id) {}
    // Reads a request head and at most `body_limit` bytes of its body; false at EOF.
    bool read_request(SeenRequest& out, size_t body_limit = SIZE_MAX) {
      std::string head;
      while (head.find("\r\n\r\n") == std::string::npos) {
        if (!fill()) return false;
        head += buf_;
        buf_.clear();
      }
      size_t end = head.find("\r\n\r\n") + 4;
      buf_ = head.substr(end);
      head.resize(end);
      out.conn = id_;
      auto line = head.substr(0, head.find("\r\n"));
      auto parts = split(line, ' ');
      out.method = parts.size() > 0 ? parts[0] : "";
      out.target = parts.size() > 1 ? parts[1] : "";
      for (const auto& h : split(head, '\n'))
        if (h.size() > 15 && Headers::iequals(h.substr(0, 15), "content-length:"))
          out.content_length = size_t(std::stoull(h.substr(15)));
      size_t want = std::min(out.content_length, body_limit);
      while (out.body_read < want) {
        if (buf_.empty() && !fill()) break;
        size_t k = std::min(buf_.size(), want - out.body_read);
        buf_.erase(0, k);
        out.body_read += k;
      }
      s_.record(out);
      return true;
    }
    void respond(int status, const std::string& body = "", const std::string& extra = "") {
      std::string r = fmt::format("HTTP/1.1 {} X\r\nContent-Length: {}\r\n{}\r\n{}", status, body.size(), extra, body);
      (void)!::send(fd_, r.data(), r.size(), MSG_NOSIGNAL);
    }
    // Closes the connection now; a reset when unread bytes are left (as a proxy that cuts).
    void close_now() {
      if (fd_ >= 0) ::close(fd_);
      fd_ = -1;
    }
    int fd() const { return fd_; }

   private:
    bool fill() {
      char b[65536];
      ssize_t n = ::recv(fd_, b, sizeof b, 0);
      if (n <= 0) return false;
      buf_.append(b, size_t(n));
      return true;
    }
    ScriptServer& s_;
    int fd_;
    int id_;
    std::string buf_;
  };

  explicit ScriptServer(std::vector<Script> scripts) : scripts_(std::move(scripts)) {
    ls_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    BOOST_REQUIRE(::bind(ls_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    BOOST_REQUIRE(::listen(ls_, 16) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(ls_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] { loop(); });
  }
  ~ScriptServer() {
    stop_ = true;
    ::shutdown(ls_, SHUT_RDWR);
    thread_.join();
    for (auto& t : conns_) t.join();
    ::close(ls_);
  }
  std::string url(const std::string& path) const { return fmt::format("http://127.0.0.1:{}{}", port_, path); }
  int accepted() const { return accepted_; }
  std::vector<SeenRequest> seen() {
    std::lock_guard<std::mutex> lk(mu_);
    return seen_;
  }
  // Waits until the n-th connection's script has returned (its socket is closed).
  void wait_done(int n) {
    std::unique_lock<std::mutex> lk(mu_);
    cv_.wait_for(lk, std::chrono::seconds(10), [&] { return done_ >= n; });
  }

 private:
  void record(const SeenRequest& r) {
    std::lock_guard<std::mutex> lk(mu_);
    seen_.push_back(r);
  }
  void loop() {
    while (!stop_) {
      pollfd p{ls_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      int fd = ::accept4(ls_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int id = ++accepted_;
      if (size_t(id) > scripts_.size()) {
        ::close(fd);
        continue;
      }
      conns_.emplace_back([this, fd, id] {
        Conn c(*this, fd, id);
        scripts_[size_t(id - 1)](c);
        c.close_now();
        std::lock_guard<std::mutex> lk(mu_);
        ++done_;
        cv_.notify_all();
      });
    }
  }

  std::vector<Script> scripts_;
  int ls_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
  std::vector<std::thread> conns_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SeenRequest> seen_;
  int done_ = 0;
};

HttpRequest make(const std::string& method, const std::string& url, std::string_view body = {}) {
  HttpRequest r;
  r.method = method;
  r.url = url;
  r.body_ref = body;
  r.connect_timeout_ms = 5000;
  r.io_timeout_ms = 5000;
  return r;
}

// Sends and reads the whole body (so the connection goes back to the pool).
Result<int> roundtrip(HttpTransport& t, const HttpRequest& req) {
  auto r = TRY(t.send(req));
  TRY(r.read_body(1 << 20));
  return r.status;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(registry_http_transport)

// The bug behind image-push-errors' "push through cut uploads" failures: a PATCH on a reused
// connection that was cut mid-body went out again, whole, on a new connection; the registry
// had kept the first part, and answered the resent chunk 404 BLOB_UPLOAD_INVALID.
BOOST_AUTO_TEST_CASE(cut_patch_on_reused_connection_is_not_resent) {
  ScriptServer srv({
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (!c.read_request(r)) return;
        c.respond(200, "{}");
        SeenRequest p;
        c.read_request(p, 100000);  // part of the PATCH body, then the connection drops
      },
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (c.read_request(r)) c.respond(202);
      },
  });
  auto t = make_http_transport();
  BOOST_REQUIRE(t);
  auto g = roundtrip(**t, make("GET", srv.url("/v2/")));
  BOOST_REQUIRE_MESSAGE(g, (g ? std::string() : g.error().msg));
  std::string chunk(4u << 20, 'x');
  auto p = (*t)->send(make("PATCH", srv.url("/v2/r/blobs/uploads/u1"), chunk));
  BOOST_TEST(!p, "the cut PATCH must fail, not be answered by a resent copy");
  if (!p) BOOST_TEST(p.error().code == kNetwork);
  size_t patches = 0;
  for (const auto& r : srv.seen())
    if (r.method == "PATCH") ++patches;
  BOOST_TEST(patches == 1u);
  BOOST_TEST(srv.accepted() == 1);
}

// A GET whose kept-alive connection fails before any answer is sent again on a new one.
BOOST_AUTO_TEST_CASE(get_on_failed_reused_connection_is_resent) {
  ScriptServer srv({
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (!c.read_request(r)) return;
        c.respond(200, "one");
        SeenRequest second;
        c.read_request(second);  // read, then close without an answer
      },
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (c.read_request(r)) c.respond(200, "two");
      },
  });
  auto t = make_http_transport();
  BOOST_REQUIRE(t);
  BOOST_REQUIRE(roundtrip(**t, make("GET", srv.url("/a"))));
  auto r = (*t)->send(make("GET", srv.url("/b")));
  BOOST_REQUIRE_MESSAGE(r, (r ? std::string() : r.error().msg));
  BOOST_TEST(r->status == 200);
  BOOST_TEST(*r->read_body(100) == "two");
  BOOST_TEST(srv.accepted() == 2);
}

// A PATCH after the server closed the idle kept-alive connection goes out on a new one: the
// transport sees the close before it writes anything (nothing is resent).
BOOST_AUTO_TEST_CASE(idle_connection_closed_by_server_is_not_used) {
  ScriptServer srv({
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (c.read_request(r)) c.respond(200, "{}");
      },
      [](ScriptServer::Conn& c) {
        SeenRequest r;
        if (c.read_request(r)) c.respond(202);
      },
  });
  auto t = make_http_transport();
  BOOST_REQUIRE(t);
  BOOST_REQUIRE(roundtrip(**t, make("GET", srv.url("/v2/"))));
  srv.wait_done(1);  // the server closed the first connection
  // Let the FIN arrive (loopback: at once; the wait only guards a loaded machine).
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  std::string chunk(100000, 'y');
  auto p = (*t)->send(make("PATCH", srv.url("/v2/r/blobs/uploads/u1"), chunk));
  BOOST_REQUIRE_MESSAGE(p, (p ? std::string() : p.error().msg));
  BOOST_TEST(p->status == 202);
  auto seen = srv.seen();
  BOOST_REQUIRE(seen.size() == 2u);
  BOOST_TEST(seen[1].method == "PATCH");
  BOOST_TEST(seen[1].conn == 2);
  BOOST_TEST(seen[1].body_read == chunk.size());
}

BOOST_AUTO_TEST_SUITE_END()
