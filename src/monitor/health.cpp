// The monitor's service duties: sd_notify, pid files, the healthcheck timer (health.hpp).
#include "health.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::monitor {

bool sd_notify(const std::string& msg) {
  const char* ns = getenv("NOTIFY_SOCKET");
  if (!ns || !*ns) return false;
  std::string path = ns;
  if (path[0] == '@') path[0] = '\0';
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) return false;
  memcpy(a.sun_path, path.data(), path.size());
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  ssize_t n = sendto(fd, msg.data(), msg.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&a),
                     socklen_t(offsetof(sockaddr_un, sun_path) + path.size()));
  close(fd);
  if (n < 0) log::warn("sd_notify to {}: {}", ns, strerror(errno));
  return n >= 0;
}

Status Notifier::setup(const Config& c) {
  pidfile_ = c.pidfile;
  // The monitor's pid for `generate systemd`'s Type=forking units (PIDFile=), as conmon.pid.
  if (c.exec_pid == 0) (void)write_file_atomic(c.run_dir + "/conmon.pid", std::to_string(getpid()), 0644, false);
  if (!c.conmon_pidfile.empty())
    TRY_CTX(write_file_atomic(c.conmon_pidfile, std::to_string(getpid()), 0644, false), "write --conmon-pidfile");
  const char* ns = getenv("NOTIFY_SOCKET");
  if (c.exec_pid > 0 || !ns || !*ns) return ok();
  mode_ = c.sdnotify.empty() ? "conmon" : c.sdnotify;
  if (mode_ == "ignore") mode_.clear();
  if (mode_ != "container") return ok();
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return fail_errno("socket");
  sock_.reset(fd);
  std::string dir = c.run_dir + "/notify";
  (void)mkdir(dir.c_str(), 0755);
  auto dfd = TRY(open_path(dir, O_PATH | O_DIRECTORY));
  std::string path = fd_path(dfd.get()) + "/notify.sock";
  (void)unlink(path.c_str());
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return fail_errno("bind the container's notify socket");
  (void)chmod(path.c_str(), 0666);  // any user of the container may notify
  // Credentials on each datagram are not needed: only the container can reach the socket.
  return ok();
}

void Notifier::container_started(pid_t pid, bool initial) {
  if (!pidfile_.empty()) (void)write_file_atomic(pidfile_, std::to_string(pid), 0644, false);
  if (!initial || mode_.empty()) return;
  if (mode_ == "conmon") {
    ready_sent_ = sd_notify(fmt::format("MAINPID={}\nREADY=1", getpid()));
  } else {
    (void)sd_notify(fmt::format("MAINPID={}", getpid()));
  }
}

void Notifier::on_readable() {
  char buf[4096];
  for (;;) {
    ssize_t n = recv(sock_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) return;
    std::string out;
    bool ready = false;
    for (auto& line : split(std::string_view(buf, size_t(n)), '\n')) {
      if (line.empty() || line.starts_with("MAINPID=")) continue;  // its pid means nothing here
      if (line == "READY=1") {
        ready = true;
        continue;
      }
      out += line + "\n";
    }
    if (ready && !ready_sent_) {
      out = fmt::format("MAINPID={}\nREADY=1\n", getpid()) + out;
      ready_sent_ = true;
    }
    if (!out.empty()) {
      out.pop_back();
      (void)sd_notify(out);
    }
  }
}

void Notifier::healthy() {
  if (mode_ != "healthy" || ready_sent_) return;
  ready_sent_ = sd_notify("READY=1");
}

void HealthTimer::setup(const Config& c) {
  interval_ns_ = c.health_interval_ns;
  on_failure_ = c.health_on_failure.empty() ? "none" : c.health_on_failure;
  path_ = c.health_path;
  argv_ = c.health_argv;
  if (c.exec_pid > 0 || interval_ns_ <= 0 || argv_.empty()) return;
  timer_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
}

void HealthTimer::arm(bool on) {
  if (!timer_) return;
  struct itimerspec t{};
  if (on) {
    t.it_value.tv_sec = interval_ns_ / 1'000'000'000LL;
    t.it_value.tv_nsec = interval_ns_ % 1'000'000'000LL;
    t.it_interval = t.it_value;
  }
  timerfd_settime(timer_.get(), 0, &t, nullptr);
}

void HealthTimer::container_started() { arm(true); }
void HealthTimer::container_stopped() { arm(false); }

void HealthTimer::on_timer() {
  uint64_t n;
  (void)!read(timer_.get(), &n, sizeof n);
  if (probe_ > 0) return;  // the last one still runs (its own timeout ends it)
  pid_t p = fork();
  if (p < 0) {
    log::warn("healthcheck: fork: {}", strerror(errno));
    return;
  }
  if (p == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    unsetenv("NOTIFY_SOCKET");  // the probe's exec monitor must not claim the unit
    std::vector<char*> argv;
    for (auto& a : argv_) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    execv("/proc/self/exe", argv.data());
    _exit(125);
  }
  probe_ = p;
}

bool HealthTimer::reaped(pid_t pid, std::string& status) {
  if (pid != probe_ || probe_ <= 0) return false;
  probe_ = -1;
  auto j = read_json_file(path_, 1 << 20);
  status = j ? json_str(*j, "Status") : "";
  return true;
}

}  // namespace skiff::monitor
