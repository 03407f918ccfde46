// cutproxy: a TCP proxy for one HTTP/1.1 backend that misbehaves on purpose, once per action,
// so tests can prove a client survives a connection dropped (or hung) in the middle of a body.
//
//   cutproxy --target HOST:PORT [--listen 127.0.0.1:0] [--port-file FILE] [--log FILE]
//            [--match SUBSTR] [--cut-after N]... [--stall-after N]...
//
// Every connection is relayed to the target. The proxy reads the requests that go through
// (HTTP/1.1, no pipelining) and logs one line per request:
//   conn=3 request GET /v2/big/blobs/sha256:… range=bytes=1048576-
// (range=- without a Range header). Actions are queued in the order given; each applies to the
// next request whose request line contains SUBSTR (default "/blobs/"), counting the bytes of its
// response, headers included:
//   --cut-after N    forward exactly N bytes of the response, then close both sides:
//                    conn=3 cut after N bytes (B body bytes)
//   --stall-after N  forward exactly N bytes, then forward nothing more (the connection stays
//                    open until the client goes away): conn=3 stalled after N bytes (B body bytes)
// An action whose response ends before N bytes stays queued for the next matching request.
// B is what the client has of the body when the action fires: a client that resumes must ask
// for range=bytes=B-.
//   --cut-request-after N   forward exactly N bytes of the next matching request's *body*
//                    (an upload), then close both sides: conn=3 request body cut after N bytes
// Request bodies (Content-Length) are relayed without being parsed as requests. Requests after the queue is empty pass through untouched.
// The port file is written once the socket listens (so tests can wait for it).
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdarg>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

namespace {

struct Action {
  bool stall = false;
  unsigned long long after = 0;
  bool request = false;  // --cut-request-after: counts the request's body, not the response
};

std::mutex g_mu;
std::deque<Action> g_actions;
std::string g_match = "/blobs/";
FILE* g_log = stderr;
std::string g_target_host;
std::string g_target_port;
std::atomic<int> g_conn_ids{0};

void logf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void logf(const char* fmt, ...) {
  std::lock_guard<std::mutex> lk(g_mu);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(g_log, fmt, ap);
  va_end(ap);
  fputc('\n', g_log);
  fflush(g_log);
}

[[noreturn]] void die(const char* what) {
  fprintf(stderr, "cutproxy: %s: %s\n", what, strerror(errno));
  exit(1);
}

bool split_host_port(const std::string& hp, std::string& host, std::string& port) {
  auto c = hp.rfind(':');
  if (c == std::string::npos) return false;
  host = hp.substr(0, c);
  port = hp.substr(c + 1);
  return !host.empty() && !port.empty();
}

int connect_target() {
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(g_target_host.c_str(), g_target_port.c_str(), &hints, &res) != 0) return -1;
  int fd = -1;
  for (addrinfo* a = res; a; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    if (connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
    close(fd);
    fd = -1;
  }
  freeaddrinfo(res);
  return fd;
}

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= size_t(w);
  }
  return true;
}

// One relayed connection.
class Conn {
 public:
  Conn(int client, int server) : c_(client), s_(server), id_(++g_conn_ids) {}
  ~Conn() {
    disarm();
    close(c_);
    close(s_);
  }
  void run();

 private:
  // An action whose response ended before it fired goes back to the head of the queue.
  void disarm() {
    if (!armed_) return;
    armed_ = false;
    std::lock_guard<std::mutex> lk(g_mu);
    g_actions.push_front(action_);
  }
  // Returns how many of the n client bytes may go to the server (fewer when a request cut
  // fires: state_ becomes Cut).
  size_t on_client_bytes(const char* p, size_t n);
  void on_request_done();
  // Returns how many of the n server bytes may go to the client; sets done_ when the action
  // fired.
  size_t on_server_bytes(const char* p, size_t n);

  int c_, s_;
  int id_;
  std::string line_;              // client->server line being assembled
  std::string req_line_, range_;  // the request being read
  bool in_headers_ = false;
  unsigned long long clen_ = 0, body_left_ = 0;  // the request body (Content-Length), being skipped
  bool req_cut_ = false;                          // a --cut-request-after action is armed
  unsigned long long req_cut_left_ = 0, req_body_seen_ = 0;
  // The response being counted (an action is armed for it).
  bool armed_ = false;
  Action action_;
  unsigned long long resp_bytes_ = 0;
  long long header_len_ = -1;  // bytes up to the end of the response headers, once known
  std::string resp_head_;      // the first bytes of the response, until the blank line
  enum { Relay, Cut, Stalled } state_ = Relay;
};

size_t Conn::on_client_bytes(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (body_left_ > 0) {  // request body bytes are not parsed as lines
      size_t k = size_t(std::min<unsigned long long>(body_left_, n - i));
      if (req_cut_ && k >= req_cut_left_) {
        size_t pass = i + size_t(req_cut_left_);
        logf("conn=%d request body cut after %llu bytes", id_, req_body_seen_ + req_cut_left_);
        req_cut_ = false;
        state_ = Cut;
        return pass;
      }
      if (req_cut_) req_cut_left_ -= k, req_body_seen_ += k;
      body_left_ -= k;
      i += k - 1;
      if (body_left_ == 0 && req_cut_) {  // the body was shorter: the action waits for the next one
        req_cut_ = false;
        std::lock_guard<std::mutex> lk(g_mu);
        g_actions.push_front(action_);
      }
      continue;
    }
    char ch = p[i];
    if (ch != '\n') {
      if (line_.size() < 8192) line_ += ch;
      continue;
    }
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (!in_headers_) {
      if (!line_.empty()) {
        req_line_ = line_;
        range_.clear();
        in_headers_ = true;
      }
    } else if (line_.empty()) {
      in_headers_ = false;
      on_request_done();
      body_left_ = clen_;
      clen_ = 0;
    } else if (strncasecmp(line_.c_str(), "content-length:", 15) == 0) {
      clen_ = strtoull(line_.c_str() + 15, nullptr, 10);
    } else if (strncasecmp(line_.c_str(), "range:", 6) == 0) {
      range_ = line_.substr(6);
      while (!range_.empty() && (range_[0] == ' ' || range_[0] == '\t')) range_.erase(0, 1);
    }
    line_.clear();
  }
  return n;
}

void Conn::on_request_done() {
  // "GET /path HTTP/1.1" -> "GET /path"
  std::string shown = req_line_;
  if (auto sp = shown.rfind(" HTTP/"); sp != std::string::npos) shown.resize(sp);
  logf("conn=%d request %s range=%s", id_, shown.c_str(), range_.empty() ? "-" : range_.c_str());
  disarm();
  if (req_line_.find(g_match) == std::string::npos) return;
  std::lock_guard<std::mutex> lk(g_mu);
  if (g_actions.empty()) return;
  action_ = g_actions.front();
  g_actions.pop_front();
  if (action_.request) {
    req_cut_ = true;
    req_cut_left_ = action_.after;
    req_body_seen_ = 0;
    return;
  }
  armed_ = true;
  resp_bytes_ = 0;
  header_len_ = -1;
  resp_head_.clear();
}

size_t Conn::on_server_bytes(const char* p, size_t n) {
  if (!armed_) return n;
  if (header_len_ < 0) {
    size_t before = resp_head_.size();
    resp_head_.append(p, std::min<size_t>(n, 65536 - std::min<size_t>(before, 65536)));
    auto end = resp_head_.find("\r\n\r\n");
    if (end != std::string::npos) header_len_ = (long long)(end + 4);
  }
  unsigned long long left = action_.after > resp_bytes_ ? action_.after - resp_bytes_ : 0;
  if (n < left) {
    resp_bytes_ += n;
    return n;
  }
  resp_bytes_ += left;
  long long body = header_len_ < 0 ? 0 : std::max(0LL, (long long)resp_bytes_ - header_len_);
  state_ = action_.stall ? Stalled : Cut;
  armed_ = false;
  logf("conn=%d %s after %llu bytes (%lld body bytes)", id_, action_.stall ? "stalled" : "cut", resp_bytes_, body);
  return size_t(left);
}

void Conn::run() {
  char buf[65536];
  for (;;) {
    pollfd fds[2] = {{c_, POLLIN, 0}, {s_, short(state_ == Relay ? POLLIN : 0), 0}};
    int r = poll(fds, 2, -1);
    if (r < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = recv(c_, buf, sizeof buf, 0);
      if (n <= 0) return;
      if (state_ == Stalled) continue;  // swallow: the server never hears more
      size_t pass = on_client_bytes(buf, size_t(n));
      if (pass > 0 && !write_all(s_, buf, pass)) return;
      if (state_ == Cut) {
        shutdown(c_, SHUT_RDWR);
        shutdown(s_, SHUT_RDWR);
        return;
      }
    }
    if (state_ == Relay && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = recv(s_, buf, sizeof buf, 0);
      if (n <= 0) return;
      size_t pass = on_server_bytes(buf, size_t(n));
      if (pass > 0 && !write_all(c_, buf, pass)) return;
      if (state_ == Cut) {
        shutdown(c_, SHUT_RDWR);
        return;
      }
    }
  }
}

void usage() {
  fprintf(stderr,
          "usage: cutproxy --target HOST:PORT [--listen ADDR:PORT] [--port-file FILE] [--log FILE]\n"
          "                [--match SUBSTR] [--cut-after N]... [--stall-after N]... [--cut-request-after N]...\n");
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen_on = "127.0.0.1:0", port_file, log_file, target;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto need = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--target") target = need();
    else if (a == "--listen") listen_on = need();
    else if (a == "--port-file") port_file = need();
    else if (a == "--log") log_file = need();
    else if (a == "--match") g_match = need();
    else if (a == "--cut-after") g_actions.push_back({false, std::stoull(need())});
    else if (a == "--stall-after") g_actions.push_back({true, std::stoull(need())});
    else if (a == "--cut-request-after") g_actions.push_back({false, std::stoull(need()), true});
    else usage();
  }
  if (target.empty() || !split_host_port(target, g_target_host, g_target_port)) usage();
  if (!log_file.empty()) {
    g_log = fopen(log_file.c_str(), "a");
    if (!g_log) die(log_file.c_str());
  }
  signal(SIGPIPE, SIG_IGN);
  std::string lhost, lport;
  if (!split_host_port(listen_on, lhost, lport)) usage();
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (ls < 0) die("socket");
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(std::stoi(lport)));
  if (inet_pton(AF_INET, lhost.c_str(), &sa.sin_addr) != 1) usage();
  if (bind(ls, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) die("bind");
  if (listen(ls, 64) != 0) die("listen");
  socklen_t len = sizeof sa;
  getsockname(ls, reinterpret_cast<sockaddr*>(&sa), &len);
  if (!port_file.empty()) {
    std::string tmp = port_file + ".tmp";
    FILE* f = fopen(tmp.c_str(), "w");
    if (!f) die(tmp.c_str());
    fprintf(f, "%d\n", ntohs(sa.sin_port));
    fclose(f);
    if (rename(tmp.c_str(), port_file.c_str()) != 0) die("rename");
  }
  for (;;) {
    int c = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      die("accept");
    }
    int s = connect_target();
    if (s < 0) {
      logf("connect to %s failed: %s", target.c_str(), strerror(errno));
      close(c);
      continue;
    }
    std::thread([c, s] {
      Conn conn(c, s);
      conn.run();
    }).detach();
  }
}
