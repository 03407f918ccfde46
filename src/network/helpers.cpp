// The stacks that are programs: pasta and slirp4netns, children of the monitor.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "skiff/network/stack.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::network {

namespace {

constexpr int kReadyTimeoutMs = 10000;

// A helper program: the monitor's child, killed with it (parent-death signal), its output in
// a log file of the run directory.
class HelperStack : public Stack {
 public:
  HelperStack(std::string name, pid_t pid, std::string log, std::string run_dir)
      : name_(std::move(name)), pid_(pid), log_(std::move(log)), run_dir_(std::move(run_dir)) {}
  ~HelperStack() override {
    if (pid_ <= 0) return;
    (void)kill(pid_, SIGTERM);
    int st;
    // It exits at once on SIGTERM; SIGKILL if it does not within a moment.
    for (int i = 0; i < 100; ++i) {
      pid_t r = waitpid(pid_, &st, WNOHANG);
      if (r == pid_ || (r < 0 && errno != EINTR)) return;
      usleep(2000);
    }
    (void)kill(pid_, SIGKILL);
    st = wait_child(pid_).value_or(0);
  }
  pid_t helper_pid() const override { return pid_; }
  void helper_exited(int status) override {
    pid_ = -1;
    auto text = read_file(log_, 1 << 16);
    std::string last = text ? std::string(trim(*text)) : std::string();
    if (auto nl = last.rfind('\n'); nl != std::string::npos) last = last.substr(nl + 1);
    std::string msg = fmt::format("{} exited ({}): the container's network is down{}{}", name_,
                                  exit_code_from_status(status), last.empty() ? "" : ": ", last);
    log::error("{}", msg);
    (void)write_file_atomic(run_dir_ + "/" + kNetErrorFile, msg + "\n", 0644, false);
  }
  UniqueFd exit_pipe;  // slirp4netns --exit-fd: its read end closes when we go

 private:
  std::string name_;
  pid_t pid_;
  std::string log_;
  std::string run_dir_;
};

// Forks and execs `argv` with stdout/stderr to `log`, keeping the `keep` fds (as they are
// numbered), with SIGKILL as its parent-death signal and a clean signal mask.

// In a forked network helper: dies with its parent (or at once if the parent is already gone),
// default signal mask and handlers, stdin from /dev/null, stdout and stderr to `log_fd`.
static void helper_child_setup(pid_t parent, int log_fd) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != parent) _exit(127);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  int null = open("/dev/null", O_RDWR);
  if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) _exit(127);
}

Result<pid_t> spawn(const std::vector<std::string>& argv, const std::string& log, const std::vector<int>& keep) {
  auto lf = TRY_CTX(open_path(log, O_WRONLY | O_CREAT | O_TRUNC, 0600), "open the network helper's log");
  pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    helper_child_setup(parent, lf.get());
    std::vector<int> k = keep;
    close_other_fds(k);
    for (int fd : keep) (void)fcntl(fd, F_SETFD, 0);
    std::vector<char*> av;
    for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    execv(av[0], av.data());
    dprintf(2, "exec %s: %s\n", av[0], strerror(errno));
    _exit(127);
  }
  return pid;
}

// Waits until `fd` is readable (or hung up) or the helper exits; returns what it read.
Result<std::string> wait_ready(const std::string& name, int fd, pid_t pid, const std::string& log) {
  int64_t deadline = now_ns() + int64_t(kReadyTimeoutMs) * 1000000;
  std::string got;
  for (;;) {
    int st;
    pid_t r = waitpid(pid, &st, WNOHANG);
    if (r == pid) {
      auto text = read_file(log, 1 << 16);
      std::string msg = text ? std::string(trim(*text)) : "";
      // Its own last words name the cause (no /dev/net/tun, a bad option, …).
      auto lines = split(msg, '\n');
      std::string why;
      for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        std::string l(trim(*it));
        if (l.empty() || l.find("unknown version") != std::string::npos) continue;
        why = l;
        break;
      }
      return fail(kUnsupported, fmt::format("{} failed to set up the container's network (exit status {}){}{}", name,
                                            exit_code_from_status(st), why.empty() ? "" : ": ", why));
    }
    int64_t left = (deadline - now_ns()) / 1000000;
    if (left <= 0) {
      (void)kill(pid, SIGKILL);
      (void)waitpid(pid, &st, 0);
      return fail(ETIMEDOUT, fmt::format("{} did not set up the container's network within {} s", name,
                                         kReadyTimeoutMs / 1000));
    }
    struct pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, int(std::min<int64_t>(left, 20)));
    if (n > 0) {
      char buf[64];
      ssize_t k = read(fd, buf, sizeof buf);
      if (k > 0) {
        got.append(buf, size_t(k));
        return got;
      }
      if (k == 0) usleep(1000);  // closed: the helper is exiting; reap it above
    }
  }
}

bool has_arg(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  for (auto& a : args)
    for (const char* n : names)
      if (a == n || (a.starts_with(n) && a.size() > strlen(n) && (a[strlen(n)] == '=' || n[1] != '-')))
        return true;
  return false;
}

Result<std::unique_ptr<Stack>> start_pasta(const StackConfig& c, const Namespaces& ns, const std::string& run_dir) {
  std::string prog = c.program.empty() ? find_in_path("pasta") : c.program;
  if (prog.empty()) return fail(kUnsupported, "pasta is not installed (package passt); use --network builtin or slirp4netns");
  // Ready: pasta writes its pid into --pid once the namespace is configured. A FIFO opened
  // here first (read-write, so pasta's open never blocks) tells us without polling a file.
  std::string fifo = run_dir + "/pasta.ready";
  (void)unlink(fifo.c_str());
  if (mkfifo(fifo.c_str(), 0600) < 0) return fail_errno(fmt::format("mkfifo `{}`", fifo));
  auto rd = TRY(open_path(fifo, O_RDWR | O_NONBLOCK));
  std::string log = run_dir + "/pasta.log";
  std::vector<std::string> argv{prog, "--config-net", "--foreground", "--quiet", "--log-file", log, "--pid", fifo,
                                "--dns-forward", c.info.dns.empty() ? "169.254.1.1" : c.info.dns, "--no-netns-quit"};
  // pasta refuses to run as root and becomes nobody, who cannot join the container's
  // namespaces: a rootful container's pasta stays root (rootful Podman does the same).
  if (geteuid() == 0) argv.insert(argv.end(), {"--runas", "0"});
  // Port forwarding: none unless the port publisher asked (its -t/-u specs in extra_args).
  const std::vector<std::string>& x = c.extra_args;
  if (!has_arg(x, {"-t", "--tcp-ports"})) argv.insert(argv.end(), {"-t", "none"});
  if (!has_arg(x, {"-u", "--udp-ports"})) argv.insert(argv.end(), {"-u", "none"});
  if (!has_arg(x, {"-T", "--tcp-ns"})) argv.insert(argv.end(), {"-T", "none"});
  if (!has_arg(x, {"-U", "--udp-ns"})) argv.insert(argv.end(), {"-U", "none"});
  argv.insert(argv.end(), x.begin(), x.end());
  // The namespaces as fds of ours (the container process sent them): pasta could not open a
  // non-dumpable process's namespace files, and drops the capabilities it would need.
  std::vector<int> keep{ns.net};
  if (ns.user >= 0) {
    keep.push_back(ns.user);
    argv.insert(argv.end(), {"--userns", fmt::format("/proc/self/fd/{}", ns.user)});
  }
  argv.insert(argv.end(), {"--netns", fmt::format("/proc/self/fd/{}", ns.net)});
  log::debug("network: {}", join(argv, " "));
  pid_t hp = TRY(spawn(argv, log, keep));
  auto got = wait_ready("pasta", rd.get(), hp, log);  // on failure, the helper is reaped
  (void)unlink(fifo.c_str());
  if (!got) return got.error();
  return std::unique_ptr<Stack>(std::make_unique<HelperStack>("pasta", hp, log, run_dir));
}

Result<std::unique_ptr<Stack>> start_slirp4netns(const StackConfig& c, const Namespaces& ns, const std::string& run_dir) {
  std::string prog = c.program.empty() ? find_in_path("slirp4netns") : c.program;
  if (prog.empty()) return fail(kUnsupported, "slirp4netns is not installed (package slirp4netns)");
  auto ready = TRY(make_pipe());
  auto exitp = TRY(make_pipe());
  std::string log = run_dir + "/slirp4netns.log";
  // The fds it keeps are renumbered to 3 and 4 in the child.
  std::vector<std::string> argv{prog, "--configure", "--ready-fd=3", "--exit-fd=4",
                                fmt::format("--mtu={}", c.info.mtu ? c.info.mtu : 65520)};
  auto opt = [&](const char* k) {
    auto it = c.options.find(k);
    return it == c.options.end() ? std::string() : it->second;
  };
  if (!parse_bool(opt("allow_host_loopback")).value_or(false)) argv.push_back("--disable-host-loopback");
  if (!opt("cidr").empty()) argv.push_back("--cidr=" + opt("cidr"));
  if (parse_bool(opt("enable_ipv6")).value_or(false)) argv.push_back("--enable-ipv6");
  argv.insert(argv.end(), c.extra_args.begin(), c.extra_args.end());
  // The namespaces as paths to the fds the child keeps at 5 and 6.
  if (ns.user >= 0) argv.push_back("--userns-path=/proc/self/fd/6");
  argv.push_back("--netns-type=path");
  argv.push_back("/proc/self/fd/5");
  argv.push_back(c.info.iface.empty() ? "tap0" : c.info.iface);
  log::debug("network: {}", join(argv, " "));
  // Place the two pipe ends at 3 and 4 for the child: dup them above the range first.
  int r = fcntl(ready.write.get(), F_DUPFD_CLOEXEC, 100), e = fcntl(exitp.read.get(), F_DUPFD_CLOEXEC, 100);
  UniqueFd rfd(r), efd(e);
  if (r < 0 || e < 0) return fail_errno("dup");
  pid_t hp;
  {
    // Like spawn(), but the fds slirp4netns is told about are renumbered to 3-6 in the child.
    pid_t parent = getpid();
    auto lf = TRY_CTX(open_path(log, O_WRONLY | O_CREAT | O_TRUNC, 0600), "open the network helper's log");
    hp = fork();
    if (hp < 0) return fail_errno("fork");
    if (hp == 0) {
      helper_child_setup(parent, lf.get());
      int nn = fcntl(ns.net, F_DUPFD, 100), uu = ns.user >= 0 ? fcntl(ns.user, F_DUPFD, 100) : -1;
      if (nn < 0 || dup2(r, 3) < 0 || dup2(e, 4) < 0 || dup2(nn, 5) < 0) _exit(127);
      if (uu >= 0 && dup2(uu, 6) < 0) _exit(127);
      close_other_fds({3, 4, 5, 6});
      std::vector<char*> av;
      for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
      av.push_back(nullptr);
      execv(av[0], av.data());
      dprintf(2, "exec %s: %s\n", av[0], strerror(errno));
      _exit(127);
    }
  }
  rfd.reset();
  efd.reset();
  ready.write.reset();
  exitp.read.reset();
  auto got = wait_ready("slirp4netns", ready.read.get(), hp, log);
  if (!got) return got.error();
  auto st = std::make_unique<HelperStack>("slirp4netns", hp, log, run_dir);
  st->exit_pipe = std::move(exitp.write);
  return std::unique_ptr<Stack>(std::move(st));
}

}  // namespace

Result<std::unique_ptr<Stack>> start_builtin(const StackConfig& c, const Namespaces& ns);

Result<std::unique_ptr<Stack>> start_stack(const StackConfig& c, const Namespaces& ns, const std::string& run_dir) {
  if (ns.net < 0) return fail(EPROTO, "the container process sent no network namespace");
  (void)unlink((run_dir + "/" + kNetErrorFile).c_str());
  const std::string& m = c.info.mode;
  if (m == "pasta") return start_pasta(c, ns, run_dir);
  if (m == "slirp4netns") return start_slirp4netns(c, ns, run_dir);
  if (m == kBuiltin) return start_builtin(c, ns);
  return fail(kInvalid, fmt::format("unknown network stack \"{}\"", m));
}

}  // namespace skiff::network
