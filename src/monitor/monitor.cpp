// The monitor process: one epoll loop, single-threaded, signals through a signalfd.
#include "skiff/monitor/monitor.hpp"
#include "skiff/monitor/state_records.hpp"

#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <deque>
#include <map>

#include "limits.hpp"
#include "health.hpp"
#include "timeout.hpp"
#include "journald.hpp"
#include "logging.hpp"
#include "portfwd.hpp"
#include "restart.hpp"
#include "skiff/network/stack.hpp"
#include "skiff/runtime/container.hpp"
#include "skiff/monitor/protocol.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/running_index.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

extern char** environ;

namespace skiff::monitor {

/// Exit status for a start failure, as Docker reports it.
static int exit_status_code(const Error& e) {
  if (e.code == kCommandNotFound) return 127;
  if (e.code == kCannotInvoke) return 126;
  return 125;
}

namespace {

constexpr size_t kChunk = 8192;
constexpr size_t kMaxPacket = proto::kMaxAttachPacket;  // largest attach packet a client sends ('D' + 64 KiB)
constexpr size_t kClientQueueCap = 4u << 20;  // a client further behind than this is dropped
constexpr size_t kStdinQueueCap = 1u << 20;   // stop reading clients until the container reads

enum class Kind { Signal, Sync, AttachListen, AttachClient, CtlListen, CtlConn, Output, Stdin, Timer, Notify, Health, Ports, NetTap, NetSock, Timeout };

struct Client {
  UniqueFd fd;
  std::deque<std::string> queue;
  size_t queued = 0;
};

struct CtlConn {
  UniqueFd fd;
  bool wants_exit = false;  // "wait" or "stop": reply when the container has exited for good
};

Status set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) return fail_errno("fcntl O_NONBLOCK");
  return ok();
}

// A SOCK_SEQPACKET listener at dir/name (util/ipc: through /proc/self/fd when the path is long).
Result<UniqueFd> listen_at(const std::string& dir, const std::string& name) {
  return ipc::listen_unix(SOCK_SEQPACKET | SOCK_NONBLOCK, dir, name);
}

// After start-up the monitor lives on a few pages of code (its epoll loop, libc's syscall
// wrappers). Start-up touched far more of the binary and of libc (file-backed pages mapped
// 16 at a time by fault-around); drop those mappings so a long-running container's monitor
// keeps only what it uses. The pages stay in the page cache: anything needed again faults
// back in. Anonymous memory (heap, stack, relocated data) is untouched.
void trim_file_pages() {
  // smaps tells which mappings hold private (copied-on-write) pages, like RELRO data after
  // relocation: those must not be dropped (the file has the unrelocated bytes).
  auto smaps = read_file("/proc/self/smaps", 4 << 20);
  if (!smaps) return;
  uint64_t start = 0, end = 0;
  bool file_backed = false, ro = false;
  auto flush = [&](uint64_t anon_kb) {
    if (file_backed && ro && anon_kb == 0 && end > start)
      (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  };
  for (auto& line : split(*smaps, '\n')) {
    if (line.empty()) continue;
    if (isxdigit((unsigned char)line[0]) && line.find('-') != std::string::npos && line.find(':') > line.find(' ')) {
      auto f = split(line, ' ');
      auto dash = f[0].find('-');
      start = std::stoull(f[0].substr(0, dash), nullptr, 16);
      end = std::stoull(f[0].substr(dash + 1), nullptr, 16);
      ro = f.size() > 1 && f[1].size() >= 2 && f[1][1] != 'w';
      file_backed = !f.back().empty() && f.back()[0] == '/';
      continue;
    }
    if (line.starts_with("Anonymous:")) {
      flush(parse_uint(trim(std::string_view(line).substr(10, line.size() - 13))).value_or(1));
      file_backed = false;  // handled
    }
  }
}

class Monitor {
 public:
  explicit Monitor(Config cfg, UniqueFd sync) : cfg_(std::move(cfg)), sync_(std::move(sync)) {}
  int run();

 private:
  Status setup();
  Status create_container();
  void start_container(bool initial);
  void add(int fd, Kind k, uint32_t events = EPOLLIN);
  int net_wait(struct epoll_event* evs, int max);
  void del(int fd);
  void on_signal();
  void on_sync();
  void on_attach_accept();
  void on_attach_client(int fd, uint32_t ev);
  void on_ctl_accept();
  void on_ctl(int fd);
  void resize(const proto::Resize& z);
  void on_output(int fd);
  void on_stdin_writable();
  void on_timer();
  void broadcast(char stream, std::string_view data);
  void flush_client(Client& c);
  void drain_outputs();
  void close_stdin();
  void container_exited(int status);
  void finish();
  void end_attach_sessions();
  void write_monitor_state();
  void write_exit(int code, const std::string& error, bool final = true);
  void reply_exit_waiters();
  void sync_send(const proto::SyncMessage& msg);
  void on_health_probe_done(const std::string& status);
  Status attach_networks(int netns, int userns);
  void detach_networks();

  Config cfg_;
  Notifier notifier_;
  HealthTimer health_;
  bool health_restart_ = false;
  RunTimeout timeout_;  // run --timeout (timeout.hpp)
  UniqueFd sync_;
  UniqueFd ep_, sig_, attach_l_, ctl_l_, timer_;
  LogWriter log_;
  JournalWriter journal_;
  std::map<int, Kind> kinds_;
  std::map<int, Client> clients_;
  std::map<int, CtlConn> ctls_;
  runtime::Container ctr_;
  std::unique_ptr<network::Stack> net_;  // the container's user-mode network, per run
  pid_t pid_ = -1;
  UniqueFd pty_, stdin_w_, stdout_r_, stderr_r_;
  std::string stdin_pending_;
  bool stdin_eof_ = false;
  bool waiting_go_ = false, running_ = false, stopping_ = false, done_ = false, timer_is_kill_ = false;
  bool exit_written_ = false;
  bool oom_killed_ = false;
  int exit_code_ = -1;
  int restart_count_ = 0;
  int64_t started_at_ = 0;
  uint16_t rows_ = 0, cols_ = 0;
  PortForwarder ports_;
  std::vector<network::SwitchPort> switch_ports_;  // user networks (network/l2switch.hpp)
  std::map<int, size_t> port_of_;
};

// User networks: the container's taps, and this monitor's ports on their switches.
Status Monitor::attach_networks(int netns, int userns) {
  detach_networks();
  if (cfg_.taps.empty() || cfg_.exec_pid > 0) return ok();
  auto taps = TRY(network::make_taps(netns, userns, cfg_.taps));
  for (size_t i = 0; i < taps.size(); ++i) {
    switch_ports_.push_back(TRY(network::SwitchPort::open(std::move(taps[i]), cfg_.taps[i].sock_dir, cfg_.taps[i].mac)));
    port_of_[switch_ports_.back().tap_fd()] = switch_ports_.size() - 1;
    port_of_[switch_ports_.back().sock_fd()] = switch_ports_.size() - 1;
    add(switch_ports_.back().tap_fd(), Kind::NetTap);
    add(switch_ports_.back().sock_fd(), Kind::NetSock);
  }
  return ok();
}

void Monitor::detach_networks() {
  for (auto& p : switch_ports_) {
    del(p.tap_fd());
    del(p.sock_fd());
  }
  switch_ports_.clear();
  port_of_.clear();
}

// epoll_wait, or, with an in-process network stack, a poll() over the epoll fd and the stack's
// fds with its timeout (the stack runs on this loop's turns).
int Monitor::net_wait(struct epoll_event* evs, int max) {
  if (!net_ || net_->helper_pid() > 0) return epoll_wait(ep_.get(), evs, max, -1);
  std::vector<struct pollfd> fds{{ep_.get(), POLLIN, 0}};
  int timeout = -1;
  net_->fill(fds, timeout);
  if (fds.size() == 1) return epoll_wait(ep_.get(), evs, max, -1);
  int n = poll(fds.data(), fds.size(), timeout);
  if (n < 0) return n;
  net_->poll_done(fds.data() + 1, fds.size() - 1);
  if (!(fds[0].revents & POLLIN)) return 0;
  return epoll_wait(ep_.get(), evs, max, 0);
}

void Monitor::add(int fd, Kind k, uint32_t events) {
  struct epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (epoll_ctl(ep_.get(), EPOLL_CTL_ADD, fd, &ev) < 0) epoll_ctl(ep_.get(), EPOLL_CTL_MOD, fd, &ev);
  kinds_[fd] = k;
}

void Monitor::del(int fd) {
  (void)epoll_ctl(ep_.get(), EPOLL_CTL_DEL, fd, nullptr);
  kinds_.erase(fd);
}

void Monitor::sync_send(const proto::SyncMessage& msg) {
  if (sync_) (void)ipc::send_packet(sync_.get(), proto::encode_sync(msg));
}

Status Monitor::setup() {
  ep_.reset(epoll_create1(EPOLL_CLOEXEC));
  if (!ep_) return fail_errno("epoll_create1");
  sigset_t set;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, nullptr);
  sig_.reset(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!sig_) return fail_errno("signalfd");
  add(sig_.get(), Kind::Signal);
  timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  add(timer_.get(), Kind::Timer);
  log_ = TRY(LogWriter::open(cfg_.log_path, cfg_.log_driver, cfg_.log_max_size));
  if (cfg_.log_driver == "journald")
    TRY(journal_.open(cfg_.id, cfg_.name, cfg_.log_tag.empty() ? cfg_.id.substr(0, 12) : cfg_.log_tag));
  attach_l_ = TRY(listen_at(cfg_.run_dir, "attach"));
  add(attach_l_.get(), Kind::AttachListen);
  ctl_l_ = TRY(listen_at(cfg_.run_dir, "ctl"));
  add(ctl_l_.get(), Kind::CtlListen);
  (void)unlink((cfg_.run_dir + "/exit").c_str());
  TRY(notifier_.setup(cfg_));
  if (notifier_.fd() >= 0) add(notifier_.fd(), Kind::Notify);
  health_.setup(cfg_);
  if (health_.fd() >= 0) add(health_.fd(), Kind::Health);
  timeout_.setup(cfg_.exec_pid > 0 ? 0 : cfg_.timeout_s);
  if (timeout_.fd() >= 0) add(timeout_.fd(), Kind::Timeout);
  if (!cfg_.ports.empty()) {
    std::vector<FwdPort> fp;
    for (size_t i = 0; i < cfg_.ports.size(); ++i)
      fp.push_back({cfg_.ports[i].proto, cfg_.ports[i].container_port, cfg_.ports[i].host, int(5 + i)});
    TRY(ports_.init(std::move(fp)));
    add(ports_.fd(), Kind::Ports);
  }
  // An exec'd process is our child (CLONE_PARENT); whatever it leaves behind is ours too.
  if (cfg_.exec_pid > 0 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return fail_errno("become a subreaper");
  return ok();
}

Status Monitor::create_container() {
  runtime::Stdio io;
  Pipe in, out, err;
  if (cfg_.log_driver == "passthrough" && !cfg_.spec.process.terminal && cfg_.exec_pid == 0) {
    // The caller's stdio, straight (no log, no attach output).
    if (cfg_.spec.process.stdin_open) io.in = 0;
    io.out = 1;
    io.err = cfg_.passthrough_err_fd >= 0 ? cfg_.passthrough_err_fd : 2;
  } else if (!cfg_.spec.process.terminal) {
    if (cfg_.spec.process.stdin_open) {
      in = TRY(make_pipe());
      io.in = in.read.get();
    }
    out = TRY(make_pipe());
    err = TRY(make_pipe());
    io.out = out.write.get();
    io.err = err.write.get();
  }
  if (cfg_.exec_pid > 0) ctr_ = TRY(runtime::exec(cfg_.spec, cfg_.exec_pid, cfg_.exec_pid_start, io));
  else ctr_ = TRY(runtime::create(cfg_.spec, io));
  pid_ = ctr_.pid();
  // The container's network namespace exists and its process waits for "go": its stack now,
  // and its interfaces on user networks.
  if (cfg_.exec_pid == 0 && (cfg_.network.info.has_stack() || !cfg_.taps.empty())) {
    UniqueFd netns = ctr_.take_netns(), userns = ctr_.take_userns();
    if (cfg_.network.info.has_stack()) {
      net_ = TRY(network::start_stack(cfg_.network, {netns.get(), userns.get()}, cfg_.run_dir));
      log::debug("monitor: network ({}) up", cfg_.network.info.mode);
    }
    TRY(attach_networks(netns.get(), userns.get()));
  }
  stdin_eof_ = false;
  stdin_pending_.clear();
  if (cfg_.spec.process.terminal) {
    pty_ = ctr_.take_pty_master();
    TRY(set_nonblock(pty_.get()));
    if (rows_ && cols_) {
      struct winsize ws{rows_, cols_, 0, 0};
      (void)ioctl(pty_.get(), TIOCSWINSZ, &ws);
    }
    add(pty_.get(), Kind::Output);
  } else if (out.read) {  // (passthrough: nothing to read)
    if (in.write) {
      stdin_w_ = std::move(in.write);
      TRY(set_nonblock(stdin_w_.get()));
    }
    stdout_r_ = std::move(out.read);
    stderr_r_ = std::move(err.read);
    TRY(set_nonblock(stdout_r_.get()));
    TRY(set_nonblock(stderr_r_.get()));
    add(stdout_r_.get(), Kind::Output);
    add(stderr_r_.get(), Kind::Output);
  }
  return ok();
}

void Monitor::write_monitor_state() {
  MonitorRecord m;
  m.monitor_pid = getpid();
  m.monitor_start = process_start_time(getpid());
  m.pid = pid_;
  m.pid_start = process_start_time(pid_);
  m.started_at = started_at_;
  m.restart_count = restart_count_;
  m.written_at = now_ns();
  m.boot_id = std::string(trim(read_file("/proc/sys/kernel/random/boot_id").value_or("")));
  (void)write_monitor_record(cfg_.run_dir, m);
  if (cfg_.exec_pid == 0) running_index_mark(cfg_.run_dir);  // for completion (running_index.hpp)
}

void Monitor::write_exit(int code, const std::string& error, bool final) {
  int64_t now = now_ns();
  // The run directory's `exit` file, atomic, means "exited for good": it comes first, before
  // any cleanup, and readers take the code from it while exit.json lags behind. exit.json
  // records the last exit, also between restarts ("Restarting (3) …").
  if (final) {
    (void)write_file_atomic(cfg_.run_dir + "/exit", std::to_string(code), 0600, false);
    exit_written_ = true;
    if (cfg_.exec_pid == 0) running_index_unmark(cfg_.run_dir);
  }
  ExitRecord x;
  x.exit_code = code;
  x.finished_at = now;
  x.started_at = started_at_;
  x.restart_count = restart_count_;
  x.error = error;
  x.oom_killed = oom_killed_;
  (void)write_exit_record(cfg_.state_dir, x, !cfg_.auto_remove);
}

void Monitor::start_container(bool initial) {
  auto st = ctr_.start();
  if (!st) {
    (void)wait_child(pid_);
    ctr_.release();
    int code = exit_status_code(st.error());
    write_exit(code, st.error().msg);
    if (initial) sync_send(st.error());
    exit_code_ = code;
    drain_outputs();
    finish();
    return;
  }
  ctr_.release();  // reaped through SIGCHLD from now on
  log::debug("monitor: container started");
  running_ = true;
  started_at_ = now_ns();
  ports_.attach(pid_);
  write_monitor_state();
  container_started(cfg_);
  if (initial) {
    sync_send(proto::Started{pid_});
    sync_.reset();
  }
  // systemd Type=notify units: the monitor is the main process (health.hpp).
  notifier_.container_started(pid_, initial);
  health_.container_started();
  timeout_.container_started();
}

// A probe of the healthcheck timer ended with the container's health now `status`.
void Monitor::on_health_probe_done(const std::string& status) {
  if (status == "healthy") notifier_.healthy();
  // Acted on already for this run (a stop or restart under way): the timer keeps probing.
  if (status != "unhealthy" || !running_ || stopping_ || health_restart_) return;
  const std::string& action = health_.on_failure();
  if (action == "none") return;
  log::warn("monitor: container unhealthy, --health-on-failure={}", action);
  if (action == "kill") {
    stopping_ = true;
    (void)kill(pid_, SIGKILL);
    return;
  }
  // stop: the stop signal, SIGKILL after the stop timeout, no restart; restart: the same,
  // then a new run whatever the restart policy.
  if (action == "stop") stopping_ = true;
  else health_restart_ = true;
  (void)kill(pid_, cfg_.stop_signal);
  struct itimerspec t{};
  t.it_value.tv_sec = cfg_.stop_timeout < 0 ? 0 : cfg_.stop_timeout;
  if (cfg_.stop_timeout <= 0) t.it_value.tv_nsec = 1;
  timer_is_kill_ = true;
  timerfd_settime(timer_.get(), 0, &t, nullptr);
}

void Monitor::on_sync() {
  char buf[64];
  ssize_t n = recv(sync_.get(), buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  // "go", or the CLI went away (EOF): either way the container was asked to start.
  del(sync_.get());
  if (n <= 0) sync_.reset();
  if (waiting_go_) {
    waiting_go_ = false;
    start_container(true);
  }
}

void Monitor::broadcast(char stream, std::string_view data) {
  std::string pkt = proto::encode_output(stream, data);
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client& c = it->second;
    if (c.queued + pkt.size() > kClientQueueCap) {  // hopelessly behind: drop it
      del(it->first);
      it = clients_.erase(it);
      continue;
    }
    c.queue.push_back(pkt);
    c.queued += pkt.size();
    flush_client(c);
    ++it;
  }
}

void Monitor::flush_client(Client& c) {
  while (!c.queue.empty()) {
    const std::string& p = c.queue.front();
    ssize_t n = send(c.fd.get(), p.data(), p.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN) {
        add(c.fd.get(), Kind::AttachClient, EPOLLIN | EPOLLOUT);
        return;
      }
      c.queue.clear();
      c.queued = 0;
      return;
    }
    c.queued -= p.size();
    c.queue.pop_front();
  }
  add(c.fd.get(), Kind::AttachClient, stdin_pending_.size() > kStdinQueueCap ? 0u : uint32_t(EPOLLIN));
}

void Monitor::on_output(int fd) {
  char buf[kChunk];
  for (int i = 0; i < 16; ++i) {  // bounded per wake-up so one stream cannot starve the rest
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      bool is_err = fd == stderr_r_.get();
      log_.write(is_err ? "stderr" : "stdout", std::string_view(buf, size_t(n)));
      journal_.write(is_err ? "stderr" : "stdout", std::string_view(buf, size_t(n)));
      broadcast(is_err ? char(3) : char(2), std::string_view(buf, size_t(n)));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    // EOF, or EIO on a PTY master whose slaves are all closed.
    del(fd);
    if (fd == pty_.get()) pty_.reset();
    else if (fd == stdout_r_.get()) stdout_r_.reset();
    else if (fd == stderr_r_.get()) stderr_r_.reset();
    return;
  }
}

void Monitor::drain_outputs() {
  // After pid 1 exits, the kernel kills the rest of the pid namespace; their pipe ends close
  // as they die. Read until EOF, but never wait forever on a stuck holder.
  int64_t deadline = now_ns() + 2'000'000'000LL;
  for (;;) {
    std::vector<struct pollfd> fds;
    for (int fd : {pty_.get(), stdout_r_.get(), stderr_r_.get()})
      if (fd >= 0) fds.push_back({fd, POLLIN, 0});
    if (fds.empty()) break;
    int64_t left = (deadline - now_ns()) / 1000000;
    if (left <= 0) break;
    if (poll(fds.data(), fds.size(), int(left)) <= 0) break;
    for (auto& p : fds)
      if (p.revents) on_output(p.fd);
  }
  for (UniqueFd* f : {&pty_, &stdout_r_, &stderr_r_})
    if (*f) {
      del(f->get());
      f->reset();
    }
}

void Monitor::close_stdin() {
  stdin_eof_ = true;
  if (stdin_pending_.empty() && stdin_w_) {
    del(stdin_w_.get());
    stdin_w_.reset();
  }
}

void Monitor::on_stdin_writable() {
  int fd = pty_ ? pty_.get() : stdin_w_.get();
  while (!stdin_pending_.empty() && fd >= 0) {
    ssize_t n = write(fd, stdin_pending_.data(), stdin_pending_.size());
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) break;
      stdin_pending_.clear();
      break;
    }
    stdin_pending_.erase(0, size_t(n));
  }
  if (pty_) add(pty_.get(), Kind::Output, stdin_pending_.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
  if (stdin_w_) {
    if (stdin_pending_.empty()) {
      del(stdin_w_.get());
      if (stdin_eof_) stdin_w_.reset();
    } else {
      add(stdin_w_.get(), Kind::Stdin, EPOLLOUT);
    }
  }
  if (stdin_pending_.size() <= kStdinQueueCap)
    for (auto& [cfd, c] : clients_) add(cfd, Kind::AttachClient, c.queue.empty() ? EPOLLIN : EPOLLIN | EPOLLOUT);
}

void Monitor::on_attach_accept() {
  for (;;) {
    int fd = accept4(attach_l_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    Client c;
    c.fd.reset(fd);
    if (done_) {
      (void)ipc::send_packet(fd, proto::encode_monitor(proto::Exit{exit_code_}), MSG_DONTWAIT);
      continue;
    }
    auto& ref = clients_[fd] = std::move(c);
    add(ref.fd.get(), Kind::AttachClient, EPOLLIN);
  }
}

void Monitor::on_attach_client(int fd, uint32_t ev) {
  auto it = clients_.find(fd);
  if (it == clients_.end()) return;
  if (ev & EPOLLOUT) flush_client(it->second);
  if (!(ev & (EPOLLIN | EPOLLHUP | EPOLLERR))) return;
  // A SOCK_SEQPACKET recv into a smaller buffer silently drops the rest of the packet.
  static char buf[kMaxPacket];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {  // detached
    del(fd);
    clients_.erase(it);
    return;
  }
  auto pkt = proto::decode_client_packet(std::string_view(buf, size_t(n)));
  if (!pkt) return;  // a client of another protocol: ignored, as it always was
  if (auto* d = std::get_if<proto::StdinData>(&*pkt)) {
    if ((pty_ || stdin_w_) && !stdin_eof_) {
      stdin_pending_.append(d->data);
      on_stdin_writable();
    }
  } else if (std::holds_alternative<proto::StdinEof>(*pkt)) {
    if (!cfg_.spec.process.terminal) close_stdin();
  } else if (auto* z = std::get_if<proto::Resize>(&*pkt)) {
    resize(*z);
  }
}

void Monitor::resize(const proto::Resize& z) {
  rows_ = z.rows;
  cols_ = z.cols;
  if (pty_) {
    struct winsize ws{rows_, cols_, 0, 0};
    (void)ioctl(pty_.get(), TIOCSWINSZ, &ws);
  }
}

void Monitor::on_ctl_accept() {
  for (;;) {
    int fd = accept4(ctl_l_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;
    CtlConn c;
    c.fd.reset(fd);
    ctls_[fd] = std::move(c);
    add(fd, Kind::CtlConn);
  }
}

void Monitor::on_ctl(int fd) {
  auto it = ctls_.find(fd);
  if (it == ctls_.end()) return;
  char buf[proto::kMaxCtlPacket + 1];
  ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n <= 0) {
    del(fd);
    ctls_.erase(it);
    return;
  }
  auto reply = [&](const proto::Reply& r) { (void)ipc::send_packet(fd, proto::encode_reply(r)); };
  auto req = proto::decode_request(std::string_view(buf, size_t(n)));
  if (!req) return reply(proto::reply_err(req.error().msg));
  if (auto* k = std::get_if<proto::Kill>(&*req)) {
    if (!running_) return reply(proto::reply_err("container is not running"));
    if (k->signal == SIGKILL) stopping_ = true;
    if (kill(pid_, k->signal) < 0) return reply(proto::reply_err(fmt::format("kill: {}", strerror(errno))));
    reply(proto::reply_ok());
  } else if (auto* s = std::get_if<proto::Stop>(&*req)) {
    it->second.wants_exit = true;
    stopping_ = true;
    if (!running_) {
      // Between restarts (or already exited): cancel any pending restart and finish.
      struct itimerspec off{};
      timerfd_settime(timer_.get(), 0, &off, nullptr);
      if (!done_) finish();
      return;
    }
    (void)kill(pid_, s->signal);
    struct itimerspec t{};
    t.it_value.tv_sec = s->timeout < 0 ? 0 : s->timeout;
    if (s->timeout <= 0) t.it_value.tv_nsec = 1;
    timer_is_kill_ = true;
    timerfd_settime(timer_.get(), 0, &t, nullptr);
  } else if (std::holds_alternative<proto::Wait>(*req)) {
    it->second.wants_exit = true;
    if (done_) reply(proto::reply_exited(exit_code_));
  } else if (auto* p = std::get_if<proto::SetRestartPolicy>(&*req)) {
    // `update --restart` of a running container: applies from its next exit on.
    cfg_.restart_policy = p->name;
    cfg_.restart_max = p->max;
    reply(proto::reply_ok());
  } else if (auto* z = std::get_if<proto::Resize>(&*req)) {
    resize(*z);
    reply(proto::reply_ok());
  }
}

void Monitor::reply_exit_waiters() {
  std::string msg = proto::encode_reply(proto::reply_exited(exit_code_));
  for (auto& [fd, c] : ctls_)
    if (c.wants_exit) (void)ipc::send_packet(fd, msg);
}

void Monitor::on_signal() {
  struct signalfd_siginfo si;
  while (read(sig_.get(), &si, sizeof si) == ssize_t(sizeof si)) {
    if (si.ssi_signo == SIGCHLD) {
      int status;
      pid_t p;
      while ((p = waitpid(-1, &status, WNOHANG)) > 0) {
        if (std::string hs; health_.reaped(p, hs)) on_health_probe_done(hs);
        else if (p == pid_ && running_) container_exited(status);
        else if (net_ && p == net_->helper_pid()) net_->helper_exited(status);
      }
      continue;
    }
    // systemd's SIGTERM to the main process, or a terminal's SIGHUP: pass it on. A stop from
    // outside (systemd stopping the unit) ends the container for good: no restart.
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) stopping_ = true;
    if (running_) (void)kill(pid_, int(si.ssi_signo));
  }
}

void Monitor::on_timer() {
  uint64_t n;
  (void)!read(timer_.get(), &n, sizeof n);
  if (timer_is_kill_) {
    timer_is_kill_ = false;
    if (running_) (void)kill(pid_, SIGKILL);
    return;
  }
  // Restart delay elapsed.
  auto st = create_container();
  if (!st) {
    write_exit(125, st.error().msg);
    finish();
    return;
  }
  ++restart_count_;
  start_container(false);
}

void Monitor::container_exited(int status) {
  running_ = false;
  ports_.detach();
  net_.reset();  // the namespace is gone with the container: so goes its stack
  timer_is_kill_ = false;
  health_.container_stopped();
  timeout_.container_stopped();
  struct itimerspec off{};
  timerfd_settime(timer_.get(), 0, &off, nullptr);
  drain_outputs();
  detach_networks();
  if (stdin_w_) {
    del(stdin_w_.get());
    stdin_w_.reset();
  }
  exit_code_ = timeout_.exit_code(exit_code_from_status(status));
  oom_killed_ = container_exited_checks(cfg_, exit_code_);
  log::debug("monitor: container exited");
  bool restart = health_restart_ && !stopping_;
  health_restart_ = false;
  if (!restart) restart = should_restart(cfg_.restart_policy, cfg_.restart_max, exit_code_, restart_count_, stopping_);
  write_exit(exit_code_, "", !restart);
  log::debug("monitor: exit recorded");
  if (restart) {
    end_attach_sessions();
    // Docker's back-off: 100 ms doubling, reset after a run of 10 s or more, at most 1 min.
    static int64_t delay_ms = 0;
    delay_ms = next_restart_delay_ms(delay_ms, now_ns() - started_at_);
    struct itimerspec t{};
    t.it_value.tv_sec = delay_ms / 1000;
    t.it_value.tv_nsec = (delay_ms % 1000) * 1000000;
    timerfd_settime(timer_.get(), 0, &t, nullptr);
    return;
  }
  finish();
}

void Monitor::finish() {
  done_ = true;
  // Gone for good: its cgroup goes before anyone hears of the exit.
  if (cfg_.exec_pid == 0) remove_container_cgroup(cfg_.spec);
  // Stopped between restarts: the last exit becomes final.
  if (!exit_written_ && exit_code_ >= 0) (void)write_file_atomic(cfg_.run_dir + "/exit", std::to_string(exit_code_), 0600, false);
  if (cfg_.exec_pid == 0) running_index_unmark(cfg_.run_dir);
  if (!cfg_.auto_remove) log_.sync();
  reply_exit_waiters();
  end_attach_sessions();
}

// Attach sessions end at every exit of the container, also one a restart follows: Docker's
// `start -a`/`run`/`attach` return after the first exit with its code (a restarted container
// is attached anew). Each client gets the final ['X'][code] packet.
void Monitor::end_attach_sessions() {
  std::string x = proto::encode_monitor(proto::Exit{exit_code_});
  for (auto& [fd, c] : clients_) {
    c.queue.push_back(x);
    // Give slow attachers a moment to take the end of the output.
    int64_t deadline = now_ns() + 1'000'000'000LL;
    while (!c.queue.empty() && now_ns() < deadline) {
      const std::string& p = c.queue.front();
      ssize_t n = send(fd, p.data(), p.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EAGAIN) {
        struct pollfd pf{fd, POLLOUT, 0};
        poll(&pf, 1, 50);
        continue;
      }
      c.queue.pop_front();
      if (n < 0) break;
    }
  }
  if (done_) return;  // run() closes them (late attachers are still answered meanwhile)
  for (auto& [fd, c] : clients_) del(fd);
  clients_.clear();
}

int Monitor::run() {
  if (auto st = setup(); !st) {
    sync_send(st.error());
    return 1;
  }
  log::debug("monitor: set up");
  if (auto st = create_container(); !st) {
    write_exit(exit_status_code(st.error()), st.error().msg);
    sync_send(st.error());
    exit_code_ = exit_status_code(st.error());
    done_ = true;
  } else {
    log::debug("monitor: container created");
    write_monitor_state();  // startedAt 0: set up, waiting for "go"
    sync_send(proto::Created{pid_, getpid()});
    waiting_go_ = true;
    add(sync_.get(), Kind::Sync);
  }
  struct epoll_event evs[32];
  bool trimmed = false;
  while (!done_) {
    if (running_ && !trimmed) {
      malloc_trim(0);  // what start-up freed (the first container of a store: ~1 MiB of heap)
      trim_file_pages();  // after: malloc_trim's own code pages go too
      trimmed = true;
    }
    int n = net_wait(evs, 32);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n && !done_; ++i) {
      int fd = evs[i].data.fd;
      auto k = kinds_.find(fd);
      if (k == kinds_.end()) continue;
      switch (k->second) {
        case Kind::Signal: on_signal(); break;
        case Kind::Sync: on_sync(); break;
        case Kind::AttachListen: on_attach_accept(); break;
        case Kind::AttachClient: on_attach_client(fd, evs[i].events); break;
        case Kind::CtlListen: on_ctl_accept(); break;
        case Kind::CtlConn: on_ctl(fd); break;
        case Kind::Output:
          if (evs[i].events & EPOLLOUT) on_stdin_writable();
          if (evs[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) on_output(fd);
          break;
        case Kind::Stdin: on_stdin_writable(); break;
        case Kind::Timer: on_timer(); break;
        case Kind::Notify: notifier_.on_readable(); break;
        case Kind::Health: health_.on_timer(); break;
        case Kind::Timeout:
          if (timeout_.on_timer(running_, pid_)) {
            log::warn("monitor: --timeout {}s reached, container killed", cfg_.timeout_s);
            stopping_ = true;  // no restart after a timeout
          }
          break;
        case Kind::Ports: ports_.on_ready(); break;
        case Kind::NetTap: switch_ports_[port_of_[fd]].on_tap(); break;
        case Kind::NetSock: switch_ports_[port_of_[fd]].on_sock(); break;
      }
    }
  }
  // Late attachers and waiters (e.g. `skiff wait` racing the exit) are answered while the
  // cleanup below runs in this same process; the sockets go away with it.
  (void)unlink((cfg_.run_dir + "/attach").c_str());
  (void)unlink((cfg_.run_dir + "/ctl").c_str());
  clients_.clear();
  ctls_.clear();
  if (cfg_.exec_pid == 0) remove_container_cgroup(cfg_.spec);
  log::debug("monitor: done");
  // systemd sees the container's code as the main process's (Restart=on-failure).
  return cfg_.exec_pid > 0 || exit_code_ < 0 ? 0 : exit_code_;
}

}  // namespace

int monitor_main(const std::vector<std::string>& args, CleanupFn cleanup) {
  // The monitor outlives its caller: it keeps only what it opens itself (and the sync socket
  // its launcher placed at fd 3, and the start lock at fd 4 when there is one: the launcher
  // lets nothing else of the caller's through exec), so no pipe of the caller's stays open
  // until the container ends.
  // The published ports' host sockets follow, on 5, 6, … (their count is args[1]).
  std::vector<int> keep{3, 4};
  size_t nports = args.size() > 1 ? size_t(parse_uint(args[1]).value_or(0)) : 0;
  for (size_t i = 0; i < nports; ++i) keep.push_back(int(5 + i));
  close_other_fds(keep);
  UniqueFd sync(3);
  signal(SIGPIPE, SIG_IGN);
  if (args.empty()) return 2;
  auto j = read_json_file(args[0]);
  auto sync_error = [](const Error& e) { (void)ipc::send_packet(3, proto::encode_sync(e)); };
  if (!j) {
    sync_error(j.error());
    return 1;
  }
  auto cfg = config_from_json(*j);
  if (!cfg) {
    sync_error(cfg.error());
    return 1;
  }
  // The container's start lock, inherited as fd 4: held as long as this monitor lives, so
  // no other monitor of the container can start, from any run root. It must be the lock file
  // of our container and still ours (a re-lock by the holder succeeds; anyone else's fails).
  if (cfg->ports.size() != nports) {
    sync_error(Error{EPROTO, "the published ports' sockets were not handed to the monitor"});
    return 1;
  }
  UniqueFd start_lock;
  if (!cfg->start_lock) (void)close(4);
  if (cfg->start_lock) {
    struct stat a, b;
    struct flock fl{};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fstat(4, &a) < 0 || stat((cfg->state_dir + "/monitor.lock").c_str(), &b) < 0 || a.st_ino != b.st_ino ||
        a.st_dev != b.st_dev || fcntl(4, F_OFD_SETLK, &fl) < 0) {
      sync_error(Error{EPROTO, "the container's start lock was not handed to its monitor"});
      return 1;
    }
    (void)fcntl(4, F_SETFD, FD_CLOEXEC);
    start_lock.reset(4);
  }
  log::Level lvl;
  if (log::parse_level(cfg->log_level, lvl)) log::init(lvl, "skiff-monitor");
  // Diagnostics go to a file next to the sockets (our stdio is /dev/null).
  if (cfg->log_driver == "passthrough") cfg->passthrough_err_fd = fcntl(2, F_DUPFD_CLOEXEC, 10);
  int lf = open((cfg->run_dir + "/monitor.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (lf >= 0) {
    dup2(lf, 2);
    close(lf);
  }
  // Only --rm has cleanup work; the argv outlives the monitor object (and its fds).
  std::vector<std::string> cleanup_argv = cfg->auto_remove ? cfg->cleanup_argv : std::vector<std::string>();
  int rc;
  {
    Monitor m(std::move(*cfg), std::move(sync));
    rc = m.run();
  }
  if (cleanup_argv.empty()) return rc;  // the start lock goes with the process
  // The removal takes the start lock itself (it must see no monitor).
  start_lock.reset();
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // In this process when the caller gave the cleanup (one exec less on `run --rm`'s path: about
  // 1.5 ms here), else as a fresh process.
  if (cleanup) {
    int crc = cleanup(cleanup_argv);
    return rc != 0 ? rc : crc;
  }
  std::vector<char*> argv;
  for (auto& a : cleanup_argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  execv("/proc/self/exe", argv.data());
  log::error("exec cleanup: {}", strerror(errno));
  return rc;
}

}  // namespace skiff::monitor
