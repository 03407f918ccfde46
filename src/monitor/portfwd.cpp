// The monitor's port forwarder (see portfwd.hpp).
#include "portfwd.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "skiff/util/log.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/process.hpp"

namespace skiff::monitor {

namespace {

enum : uint64_t { kListen = 0, kOut = 1, kIn = 2, kFlow = 3, kTimer = 4 };
constexpr uint64_t tag(uint64_t id, uint64_t t) { return id << 3 | t; }
constexpr int kBatch = 64;                       // inner sockets made per helper child
constexpr int64_t kFlowIdleNs = 90'000'000'000;  // Docker's proxy: 90 s per UDP flow
constexpr size_t kMaxFlows = 4096;
constexpr size_t kBigPipe = 1 << 20;             // a busy direction's pipe (pipe-max-size)

void reset_close(UniqueFd& fd) {
  if (!fd) return;
  struct linger l{1, 0};
  (void)setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.reset();
}

sockaddr_in loopback(uint16_t port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

}  // namespace

PortForwarder::~PortForwarder() {
  detach();
  for (auto& l : listeners_) (void)close(l.port.fd);
}

Status PortForwarder::init(std::vector<FwdPort> ports) {
  ep_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!ep_) return fail_errno("epoll_create1");
  timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!timer_) return fail_errno("timerfd_create");
  add(timer_.get(), tag(0, kTimer), EPOLLIN);
  for (auto& p : ports) {
    (void)fcntl(p.fd, F_SETFD, FD_CLOEXEC);
    int fl = fcntl(p.fd, F_GETFL);
    if (fl >= 0) (void)fcntl(p.fd, F_SETFL, fl | O_NONBLOCK);
    listeners_.push_back({std::move(p), false});
  }
  // Six descriptors per connection: take the hard limit (the container sets its own).
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, 1 << 16);
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
  return ok();
}

void PortForwarder::add(int fd, uint64_t t, uint32_t ev) {
  struct epoll_event e{};
  e.events = ev;
  e.data.u64 = t;
  (void)epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &e);
}

void PortForwarder::mod(int fd, uint64_t t, uint32_t ev) {
  struct epoll_event e{};
  e.events = ev;
  e.data.u64 = t;
  if (epoll_ctl(ep_.get(), EPOLL_CTL_MOD, fd, &e) < 0 && errno == ENOENT) (void)epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &e);
}

void PortForwarder::attach(pid_t pid) {
  if (!ep_) return;
  detach();
  netns_.reset(open(fmt::format("/proc/{}/ns/net", pid).c_str(), O_RDONLY | O_CLOEXEC));
  userns_.reset(open(fmt::format("/proc/{}/ns/user", pid).c_str(), O_RDONLY | O_CLOEXEC));
  if (!netns_) {
    log::warn("ports: cannot open the container's network namespace: {}", strerror(errno));
    return;
  }
  for (size_t i = 0; i < listeners_.size(); ++i) {
    add(listeners_[i].port.fd, tag(i, kListen), EPOLLIN);
    listeners_[i].polled = true;
  }
  log::debug("ports: forwarding {} port(s) into pid {}", listeners_.size(), pid);
}

void PortForwarder::detach() {
  for (auto& l : listeners_)
    if (l.polled) {
      (void)epoll_ctl(ep_.get(), EPOLL_CTL_DEL, l.port.fd, nullptr);
      l.polled = false;
    }
  conns_.clear();  // closing the fds takes them out of the epoll set
  flows_.clear();
  flow_by_peer_.clear();
  for (int fd : pool_tcp_) (void)close(fd);
  for (int fd : pool_udp_) (void)close(fd);
  pool_tcp_.clear();
  pool_udp_.clear();
  netns_.reset();
  userns_.reset();
  if (timer_armed_) {
    struct itimerspec off{};
    timerfd_settime(timer_.get(), 0, &off, nullptr);
    timer_armed_ = false;
  }
}

// Sockets are made inside the container's network namespace by a child: setns() into a
// network namespace needs CAP_SYS_ADMIN over the namespace's user namespace *and* our own,
// which a rootless monitor has only after joining the container's user namespace (a
// single-threaded process may; the monitor itself must stay where it is).
bool PortForwarder::refill(bool udp) {
  if (!netns_) return false;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return false;
  UniqueFd mine(sv[0]), theirs(sv[1]);
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (setns(netns_.get(), CLONE_NEWNET) < 0 &&
        (!userns_ || setns(userns_.get(), CLONE_NEWUSER) < 0 || setns(netns_.get(), CLONE_NEWNET) < 0))
      _exit(1);
    int fds[kBatch];
    int n = 0;
    for (; n < kBatch; ++n) {
      fds[n] = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (fds[n] < 0) break;
    }
    if (n == 0) _exit(1);
    char cbuf[CMSG_SPACE(sizeof fds)];
    memset(cbuf, 0, sizeof cbuf);
    char b = 'S';
    struct iovec iov{&b, 1};
    struct msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * size_t(n));
    struct cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * size_t(n));
    memcpy(CMSG_DATA(c), fds, sizeof(int) * size_t(n));
    _exit(sendmsg(theirs.get(), &m, MSG_NOSIGNAL) < 0 ? 1 : 0);
  }
  theirs.reset();
  bool got = false;
  struct pollfd pf{mine.get(), POLLIN, 0};
  if (poll(&pf, 1, 2000) > 0) {
    char b;
    char cbuf[CMSG_SPACE(sizeof(int) * kBatch)];
    struct iovec iov{&b, 1};
    struct msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof cbuf;
    if (recvmsg(mine.get(), &m, MSG_CMSG_CLOEXEC) > 0)
      for (struct cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        int fds[kBatch];
        memcpy(fds, CMSG_DATA(c), std::min<size_t>(n, kBatch) * sizeof(int));
        for (size_t i = 0; i < n && i < size_t(kBatch); ++i) (udp ? pool_udp_ : pool_tcp_).push_back(fds[i]);
        got = n > 0;
      }
  }
  (void)wait_child(pid);
  if (!got) log::warn("ports: could not make sockets in the container's network namespace");
  return got;
}

int PortForwarder::take_socket(bool udp) {
  auto& pool = udp ? pool_udp_ : pool_tcp_;
  if (pool.empty() && !refill(udp)) return -1;
  int fd = pool.back();
  pool.pop_back();
  return fd;
}

void PortForwarder::on_ready() {
  struct epoll_event evs[64];
  int n = epoll_wait(ep_.get(), evs, 64, 0);
  for (int i = 0; i < n; ++i) {
    uint64_t u = evs[i].data.u64, id = u >> 3;
    switch (u & 7) {
      case kListen:
        if (id < listeners_.size()) {
          if (listeners_[id].port.proto == "udp") recv_udp(id);
          else accept_tcp(id);
        }
        break;
      case kOut:
      case kIn: pump(id); break;
      case kFlow: flow_reply(id); break;
      case kTimer: {
        uint64_t x;
        (void)!read(timer_.get(), &x, sizeof x);
        resume_listeners();
        sweep_flows();
        break;
      }
    }
  }
}

void PortForwarder::accept_tcp(size_t li) {
  const FwdPort& p = listeners_[li].port;
  for (int k = 0; k < 64; ++k) {
    int fd = accept4(p.fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == ECONNABORTED || errno == EINTR) continue;
      if (errno != EAGAIN) {
        // Out of descriptors or memory: the socket stays readable, so stop polling it (the
        // backlog keeps the connections) until a connection closes or a second has passed.
        (void)epoll_ctl(ep_.get(), EPOLL_CTL_DEL, p.fd, nullptr);
        listeners_[li].polled = false;
        struct itimerspec t{};
        t.it_value.tv_sec = t.it_interval.tv_sec = 1;
        timerfd_settime(timer_.get(), 0, &t, nullptr);
        timer_armed_ = true;
        log::warn("ports: accept on {}: {}", p.host, strerror(errno));
      }
      return;
    }
    UniqueFd out(fd);
    int in = take_socket(false);
    if (in < 0) {
      reset_close(out);
      continue;
    }
    Conn c;
    c.out = std::move(out);
    c.in.reset(in);
    int one = 1;
    (void)setsockopt(c.out.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    (void)setsockopt(c.in.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a = loopback(p.container_port);
    int r = connect(c.in.get(), reinterpret_cast<sockaddr*>(&a), sizeof a);
    if (r < 0 && errno != EINPROGRESS) {
      reset_close(c.out);  // nothing listens there: the client sees a reset, as with no proxy
      continue;
    }
    auto p1 = make_pipe(O_NONBLOCK);
    auto p2 = make_pipe(O_NONBLOCK);
    if (!p1 || !p2) {
      reset_close(c.out);
      continue;
    }
    c.p1r = std::move(p1->read);
    c.p1w = std::move(p1->write);
    c.p2r = std::move(p2->read);
    c.p2w = std::move(p2->write);
    c.connecting = r < 0;
    uint64_t id = next_id_++;
    auto& ref = conns_.emplace(id, std::move(c)).first->second;
    if (ref.connecting) {
      ref.ev_in = EPOLLOUT;
      add(ref.in.get(), tag(id, kIn), EPOLLOUT);
    }
    // On loopback the handshake is usually done by now (connect's EINPROGRESS nonetheless):
    // go on at once rather than after another wake-up.
    pump(id);
  }
}

void PortForwarder::close_conn(uint64_t id, bool reset) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  if (reset) {
    reset_close(it->second.out);
    reset_close(it->second.in);
  }
  conns_.erase(it);
  resume_listeners();
}

// Listeners set aside when accept ran out of descriptors are polled again.
void PortForwarder::resume_listeners() {
  if (!netns_) return;
  for (size_t i = 0; i < listeners_.size(); ++i)
    if (!listeners_[i].polled) {
      add(listeners_[i].port.fd, tag(i, kListen), EPOLLIN);
      listeners_[i].polled = true;
    }
}

// Moves what can move in both directions, then asks epoll for exactly what would let it move
// further (a side with nothing to wait for is out of the set: no wake-ups for nothing).
void PortForwarder::pump(uint64_t id) {
  auto it = conns_.find(id);
  if (it == conns_.end()) return;
  Conn& c = it->second;
  if (c.connecting) {
    struct pollfd pf{c.in.get(), POLLOUT, 0};
    if (poll(&pf, 1, 0) <= 0) return;
    int err = 0;
    socklen_t len = sizeof err;
    (void)getsockopt(c.in.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return close_conn(id, true);
    c.connecting = false;
  }
  // One direction: src → pipe → dst. `full`: the pipe took no more although it held less
  // than its size (a pipe counts buffers, not bytes): read again only after a drain.
  auto dir = [&](int src, int pw, int pr, int dst, size_t& q, bool& eof, bool& shut, bool& full, size_t& cap) {
    for (int round = 0; round < 16; ++round) {
      bool progress = false;
      // A direction that fills its pipe carries a stream: a bigger pipe moves it in fewer
      // calls (pages of the kernel's, not ours; over the user's pipe quota it stays as it is).
      if (q >= cap && cap < kBigPipe) {
        int got = fcntl(pw, F_SETPIPE_SZ, int(kBigPipe));
        cap = got > 0 ? size_t(got) : kBigPipe;  // (failed: do not ask again)
      }
      if (!eof && (q == 0 || !full) && q < cap) {
        ssize_t n = splice(src, nullptr, pw, nullptr, cap - q, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
          q += size_t(n);
          progress = true;
        } else if (n == 0) {
          eof = true;
          progress = true;
        } else if (errno == EAGAIN) {
          if (q > 0) full = true;
        } else if (errno != EINTR) {
          return false;
        }
      }
      if (q > 0) {
        ssize_t m = splice(pr, nullptr, dst, nullptr, q, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (m > 0) {
          q -= size_t(m);
          full = false;
          progress = true;
        } else if (m < 0 && errno != EAGAIN && errno != EINTR) {
          return false;
        }
      }
      if (!progress) break;
    }
    if (eof && q == 0 && !shut) {
      (void)shutdown(dst, SHUT_WR);
      shut = true;
    }
    return true;
  };
  bool full1 = false, full2 = false;  // found again on each call (one read that takes nothing)
  if (!dir(c.out.get(), c.p1w.get(), c.p1r.get(), c.in.get(), c.q1, c.eof1, c.shut1, full1, c.cap1) ||
      !dir(c.in.get(), c.p2w.get(), c.p2r.get(), c.out.get(), c.q2, c.eof2, c.shut2, full2, c.cap2))
    return close_conn(id, true);
  if (c.shut1 && c.shut2) return close_conn(id, false);
  uint32_t want_out = 0, want_in = 0;
  if (!c.eof1 && (c.q1 == 0 || !full1)) want_out |= EPOLLIN;
  if (c.q2 > 0) want_out |= EPOLLOUT;
  if (!c.eof2 && (c.q2 == 0 || !full2)) want_in |= EPOLLIN;
  if (c.q1 > 0) want_in |= EPOLLOUT;
  auto update = [&](int fd, uint32_t& have, uint32_t want, uint64_t t) {
    if (have == want) return;
    if (want == 0) (void)epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
    else if (have == 0) add(fd, t, want);
    else mod(fd, t, want);
    have = want;
  };
  update(c.out.get(), c.ev_out, want_out, tag(id, kOut));
  update(c.in.get(), c.ev_in, want_in, tag(id, kIn));
}

namespace {
char g_buf[65536];  // one datagram at a time
}

void PortForwarder::recv_udp(size_t li) {
  const FwdPort& p = listeners_[li].port;
  for (int k = 0; k < 64; ++k) {
    sockaddr_storage from{};
    socklen_t flen = sizeof from;
    ssize_t n = recvfrom(p.fd, g_buf, sizeof g_buf, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&from), &flen);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    std::string key(reinterpret_cast<char*>(&li), sizeof li);
    key.append(reinterpret_cast<char*>(&from), flen);
    uint64_t id;
    auto f = flow_by_peer_.find(key);
    if (f != flow_by_peer_.end()) {
      id = f->second;
    } else {
      if (flows_.size() >= kMaxFlows) continue;  // dropped, as a full conntrack table would
      int in = take_socket(true);
      if (in < 0) continue;
      Flow fl;
      fl.in.reset(in);
      fl.listener = li;
      fl.peer.assign(reinterpret_cast<char*>(&from), flen);
      sockaddr_in a = loopback(p.container_port);
      if (connect(in, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) continue;
      id = next_id_++;
      add(in, tag(id, kFlow), EPOLLIN);
      flows_.emplace(id, std::move(fl));
      flow_by_peer_[key] = id;
      if (!timer_armed_) {
        struct itimerspec t{};
        t.it_value.tv_sec = t.it_interval.tv_sec = 10;
        timerfd_settime(timer_.get(), 0, &t, nullptr);
        timer_armed_ = true;
      }
    }
    Flow& fl = flows_[id];
    fl.last = now_ns();
    (void)send(fl.in.get(), g_buf, size_t(n), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
}

void PortForwarder::flow_reply(uint64_t id) {
  auto it = flows_.find(id);
  if (it == flows_.end()) return;
  Flow& fl = it->second;
  int host = listeners_[fl.listener].port.fd;
  for (int k = 0; k < 64; ++k) {
    ssize_t n = recv(fl.in.get(), g_buf, sizeof g_buf, MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == ECONNREFUSED) continue;  // nothing listened (an ICMP error)
      return;
    }
    fl.last = now_ns();
    (void)sendto(host, g_buf, size_t(n), MSG_DONTWAIT | MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(fl.peer.data()),
                 socklen_t(fl.peer.size()));
  }
}

void PortForwarder::sweep_flows() {
  int64_t now = now_ns();
  for (auto it = flows_.begin(); it != flows_.end();) {
    if (now - it->second.last < kFlowIdleNs) {
      ++it;
      continue;
    }
    std::string key(reinterpret_cast<const char*>(&it->second.listener), sizeof it->second.listener);
    key += it->second.peer;
    flow_by_peer_.erase(key);
    it = flows_.erase(it);
  }
  bool all_polled = true;
  for (auto& l : listeners_) all_polled &= l.polled;
  if (flows_.empty() && all_polled && timer_armed_) {
    struct itimerspec off{};
    timerfd_settime(timer_.get(), 0, &off, nullptr);
    timer_armed_ = false;
  }
}

}  // namespace skiff::monitor
