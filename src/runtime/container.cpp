// clone, id mapping, the container process's setup sequence, and exec.
//
// The monitor that calls create() is single-threaded, so the cloned child is a consistent copy
// of it and may allocate (malloc's locks are free); it still reports every failure as a value
// over the sync socket and never throws.
#include <fcntl.h>
#include <linux/nsfs.h>
#include <linux/sched.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <grp.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <tuple>
#include <vector>

#include "rootfs.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/container.hpp"
#include "skiff/runtime/cgroup.hpp"
#include "skiff/runtime/cgroup_systemd.hpp"
#include "skiff/runtime/rlimits.hpp"
#include "skiff/runtime/seccomp.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

namespace skiff::runtime {

namespace {

// Sync protocol (SOCK_SEQPACKET, one message per packet, first byte = type):
//   M→C 'M' mapped            C→M 'P'+fd pty master      C→M 'R' ready (waiting for go)
//   M→C 'G' go                C→M 'E'+ipc::encode_error; EOF after 'G' = execve succeeded
constexpr char kMapped = 'M', kPty = 'P', kReady = 'R', kGo = 'G', kErr = 'E', kNetns = 'N', kUserns = 'U';

void send_msg(int fd, char type, std::string_view body = {}) {
  std::string m(1, type);
  m.append(body);
  (void)!send(fd, m.data(), m.size(), MSG_NOSIGNAL);
}

[[noreturn]] void die(int sync, const Error& e) {
  send_msg(sync, kErr, ipc::encode_error(e));
  _exit(125);
}

Error parse_err(std::string_view body) { return ipc::decode_error(body); }

// Everything the child needs that is computed before clone (allocation-free in the child).
struct Prepared {
  int last_cap = 40;
  CapSet available;  ///< the monitor's bounding set (what --privileged can have)
  runtime::SeccompProgram seccomp;
  std::vector<runtime::Rlimit> rlimits;
  CapSet base = default_capability_set();  // containers.conf default_capabilities, if set
  bool creator_unmapped = false;  ///< rootfs.hpp creator_unmapped(), judged before the clone (our real uid)
};

Result<Prepared> prepare(const oci::Spec& spec) {
  Prepared pr;
  pr.creator_unmapped = creator_unmapped(spec);
  pr.last_cap = TRY(read_cap_last_cap());
  pr.available = read_bounding_set(pr.last_cap);
  const oci::Process& p = spec.process;
  for (auto& r : p.rlimits) pr.rlimits.push_back(runtime::Rlimit{r.resource, r.soft, r.hard});
  if (!p.cap_base.empty()) {
    CapSet base;
    for (auto& name : p.cap_base) base.add(TRY_CTX(parse_capability(name), "containers.conf default_capabilities"));
    pr.base = base;
  }
  if (p.seccomp == "unconfined") return pr;
  CapOptions co;
  co.add = p.cap_add;
  co.drop = p.cap_drop;
  co.privileged = spec.privileged;
  co.root_user = true;
  co.last_cap = pr.last_cap;
  co.base = pr.base;
  co.available = pr.available;
  auto caps = TRY(compute_process_caps(co));
  SeccompProfile profile = default_seccomp_profile();
  if (p.seccomp != "default") profile = TRY(parse_seccomp_profile(p.seccomp, "seccomp profile"));
  auto resolved = TRY(resolve_seccomp(profile, caps.bounding, seccomp_host()));
  pr.seccomp = TRY(prepare_seccomp(resolved, p.seccomp_cache_dir));
  return pr;
}

// Identity, capabilities, no_new_privs and seccomp, in the order caps.hpp documents.
Status apply_security(const oci::Spec& spec, const ResolvedUser& u, const Prepared& pr) {
  const oci::Process& p = spec.process;
  CapOptions co;
  co.add = p.cap_add;
  co.drop = p.cap_drop;
  co.privileged = spec.privileged;
  co.root_user = u.uid == 0;
  co.last_cap = pr.last_cap;
  co.base = pr.base;
  co.available = pr.available;
  auto caps = TRY(compute_process_caps(co));
  auto check = [](ChildStatus st) -> Status {
    if (!st.ok()) return to_error(st);
    return ok();
  };
  TRY(check(apply_rlimits(pr.rlimits)));
  TRY(check(caps_apply_before_identity(caps, pr.last_cap)));
  bool setgroups_ok = !(spec.new_userns && spec.idmap.single) && !p.keep_groups;
  if (setgroups_ok) {
    std::vector<gid_t> gs(u.groups.begin(), u.groups.end());
    if (setgroups(gs.size(), gs.data()) < 0) return fail_errno("setgroups");
  }
  if (setresgid(u.gid, u.gid, u.gid) < 0) return fail_errno(fmt::format("setgid {}", u.gid));
  if (setresuid(u.uid, u.uid, u.uid) < 0) return fail_errno(fmt::format("setuid {}", u.uid));
  // Without no_new_privs the kernel only takes a filter while CAP_SYS_ADMIN is in effect (a
  // non-root user lost its effective set at setresuid; keep-caps kept the permitted one).
  if (!p.no_new_privileges) {
    if (u.uid != 0) TRY(check(caps_raise_effective()));
    TRY(check(load_seccomp(pr.seccomp)));
  }
  TRY(check(caps_apply_after_identity(caps)));
  if (p.no_new_privileges) {
    TRY(check(set_no_new_privs()));
    TRY(check(load_seccomp(pr.seccomp)));
  }
  return ok();
}

// Terminal: a PTY from the container's own devpts instance; the master goes to the monitor.
// The container's first process also gets it as /dev/console; an exec'd one does not (it
// would replace the container's console, and leave a dead terminal there when it ends).
Status setup_terminal(int sync, bool console) {
  int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return fail_errno("open /dev/ptmx");
  UniqueFd m(master);
  if (unlockpt(master) < 0) return fail_errno("unlockpt");
  char name[128];
  if (ptsname_r(master, name, sizeof name) != 0) return fail_errno("ptsname");
  int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave < 0) return fail_errno(fmt::format("open {}", name));
  UniqueFd s(slave);
  TRY(send_fd(sync, master, kPty));
  if (console) TRY(bind_console(slave));
  if (ioctl(slave, TIOCSCTTY, 0) < 0) return fail_errno("set the controlling terminal");
  for (int i = 0; i < 3; ++i)
    if (dup2(slave, i) < 0) return fail_errno("dup2 the terminal");
  return ok();
}

Status setup_stdio(const Stdio& io) {
  int fds[3] = {io.in, io.out, io.err};
  // Move the caller's fds above 2 first so dup2 cannot clobber one with another.
  int moved[3];
  for (int i = 0; i < 3; ++i) {
    moved[i] = -1;
    if (fds[i] >= 0) {
      moved[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 10);
      if (moved[i] < 0) return fail_errno("dup stdio");
    }
  }
  for (int i = 0; i < 3; ++i) {
    int src = moved[i];
    if (src < 0) {
      src = open("/dev/null", i == 0 ? O_RDONLY : O_WRONLY | O_CLOEXEC);
      if (src < 0) return fail_errno("open /dev/null");
    }
    if (dup2(src, i) < 0) return fail_errno("dup2 stdio");
    close(src);
  }
  return ok();
}

// A new network namespace starts with its loopback down; Docker's and Podman's "none"
// network have it up (127.0.0.1 works), and the container has no CAP_NET_ADMIN to do it.
Status loopback_up() {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail_errno("socket");
  UniqueFd fd(s);
  struct ifreq ifr{};
  memcpy(ifr.ifr_name, "lo", 3);
  if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0) return fail_errno("read the loopback's flags");
  ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
  if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0) return fail_errno("bring the loopback up");
  return ok();
}

// CVE-2024-21626: a directory fd of the host (the exec helper's /proc/<pid>, a monitor's run
// directory, …) left open in a process that then resolves container-controlled paths lets
// `/proc/self/fd/N` reach it, and `..` from there climbs to the host's `/`. Once inside the
// container's namespaces, a process keeps only the sync socket and the stdio it was given.
void drop_host_fds(int sync, const Stdio& io) {
  std::vector<int> keep{sync};
  for (int fd : {io.in, io.out, io.err})
    if (fd >= 0) keep.push_back(fd);
  close_other_fds(std::move(keep));
}

// The working directory, resolved inside the container's root (symlinks followed as if the
// root were "/", magic links refused) once no host fd is left, created if missing (Docker does,
// owned by the container user), entered by fd, and verified to lie under the root.
Status enter_working_dir(const std::string& cwd, const ResolvedUser& user) {
  auto root = TRY_CTX(open_path("/", O_PATH | O_DIRECTORY), "open the container's root");
  auto refused = [&] {
    return fail(EPERM, fmt::format("chdir `{}`: a symlink loop or a /proc magic link (refused: it could lead "
                                   "outside the container)", cwd));
  };
  auto dir = open_in_root(root.get(), cwd, O_PATH | O_DIRECTORY);
  if (!dir && dir.error().code == ENOENT) {
    // Missing (or a link to something missing): created as Docker does, by the same rules.
    auto made = mkdir_p_in_root(root.get(), cwd, 0755);
    if (!made && (made.error().code == ELOOP || made.error().code == EXDEV)) return refused();
    if (!made) return wrap(made.error(), fmt::format("create the working directory `{}`", cwd));
    (void)!fchown(made->get(), user.uid, user.gid);
    dir = std::move(made);
  }
  if (!dir) {
    if (dir.error().code == ELOOP || dir.error().code == EXDEV) return refused();
    return fail(dir.error().code, fmt::format("chdir `{}`: {}", cwd, strerror(dir.error().code)));
  }
  if (fchdir(dir->get()) < 0) return fail_errno(fmt::format("chdir `{}`", cwd));
  // The kernel's getcwd prefixes "(unreachable)" to a directory not under our root.
  char buf[4096];
  long n = syscall(SYS_getcwd, buf, sizeof buf);
  if (n <= 0 || buf[0] != '/')
    return fail(EPERM, fmt::format("working directory `{}` is outside the container", cwd));
  return ok();
}

std::string env_value(const std::vector<std::string>& env, std::string_view key) {
  for (auto& e : env)
    if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
      return e.substr(key.size() + 1);
  return "";
}

// --init: pid 1 of the container as a minimal init (what tini does).
[[noreturn]] void init_loop(pid_t payload, int sync) {
  close(sync);  // the payload's copy tells the monitor whether its execve worked
  sigset_t all;
  sigfillset(&all);
  for (;;) {
    siginfo_t si;
    int sig = sigwaitinfo(&all, &si);
    if (sig < 0) continue;
    if (sig != SIGCHLD) {
      (void)kill(payload, sig);
      continue;
    }
    int status;
    pid_t p;
    while ((p = waitpid(-1, &status, WNOHANG)) > 0)
      if (p == payload) _exit(exit_code_from_status(status));
  }
}

[[noreturn]] void enter_process(const oci::Spec& spec, const Stdio& stdio, int sync, const Prepared& pr,
                                bool is_exec);

// The container process after clone: never returns.
// v1: the container's cgroup `tasks` files, opened by the monitor before the clone; the child
// writes "0" to each first thing (cgroup.hpp open_tasks).
std::vector<UniqueFd> g_cgroup_tasks;

bool joins_namespaces(const oci::Spec& spec);

[[noreturn]] void child_main(const oci::Spec& spec, const Stdio& stdio, int sync, const Prepared& pr) {
  for (auto& fd : g_cgroup_tasks) {
    if (write(fd.get(), "0", 1) != 1) die(sync, errno_error("enter the container's cgroup"));
    fd.reset();
  }
  // Signals: the monitor blocks most and ignores SIGPIPE; the payload starts clean.
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int s = 1; s < NSIG; ++s)
    if (s != SIGKILL && s != SIGSTOP) signal(s, SIG_DFL);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // Non-dumpable while we hold host resources: container processes cannot open our
  // /proc/<pid>/exe or fds (ptrace checks against the init userns, where they have no caps).
  prctl(PR_SET_DUMPABLE, 0);

  auto check = [&](Status st) {
    if (!st) die(sync, st.error());
  };
  // The go-ahead: the id map is written (and, on v2 without clone3, the process is in its cgroup).
  if (spec.new_userns || !spec.cgroup_path.empty()) {
    char c = 0;
    // A container that joined another's namespaces was mapped long ago; one with a cgroup
    // waits until it is in it.
    if ((spec.new_userns && !joins_namespaces(spec)) || !spec.cgroup_path.empty())
      if (recv(sync, &c, 1, 0) != 1 || c != kMapped) _exit(125);
  }
  // --uidmap without our own uid: open what needs our ids first (rootfs.hpp).
  std::optional<oci::Spec> by_fd;
  std::vector<UniqueFd> held;
  if (pr.creator_unmapped) {
    by_fd = spec;
    check(open_by_fd(*by_fd, held));
  }
  if (spec.new_userns) {
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) die(sync, errno_error("become root in the user namespace"));
  }
  if (spec.send_ns_fds) {
    // For the monitor's network stack: it may not open a non-dumpable process's namespaces.
    for (auto [path, tag] : {std::pair{"/proc/self/ns/net", kNetns}, std::pair{"/proc/self/ns/user", kUserns}}) {
      if (tag == kUserns && !spec.new_userns) continue;
      auto fd = open_path(path, O_RDONLY);
      if (!fd) die(sync, wrap(fd.error(), "open the container's namespaces"));
      check(send_fd(sync, fd->get(), tag));
    }
  }
  auto rootfd = mount_rootfs(by_fd ? *by_fd : spec);
  if (!rootfd) die(sync, rootfd.error());
  check(apply_mounts(rootfd->get(), by_fd ? *by_fd : spec));
  held.clear();
  check(setup_dev(rootfd->get()));
  if (spec.cgroupns && unshare(CLONE_NEWCGROUP) < 0) log::debug("no cgroup namespace: {}", strerror(errno));
  for (auto& [k, v] : spec.sysctl) {
    (void)k;
    (void)v;  // applied after pivot below
  }
  if (!spec.hostname.empty() && sethostname(spec.hostname.data(), spec.hostname.size()) < 0)
    die(sync, errno_error("sethostname"));
  if (spec.new_netns) check(loopback_up());
  check(pivot_into(rootfd->get()));
  rootfd->reset();
  drop_host_fds(sync, stdio);  // before anything resolves a path of the container
  for (auto& [k, v] : spec.sysctl) {
    std::string path = "/proc/sys/" + replace_all(k, ".", "/");
    auto fd = open_path(path, O_WRONLY);
    if (!fd || !write_all(fd->get(), v)) die(sync, Error{EPERM, fmt::format("set sysctl {}={}", k, v)});
  }
  check(apply_path_policy(spec));
  enter_process(spec, stdio, sync, pr, false);
}

// The common tail of a container's first process and of an exec'd one: session, stdio,
// fd hygiene, user, environment, working directory, security, then execve on "go".
[[noreturn]] void enter_process(const oci::Spec& spec, const Stdio& stdio, int sync, const Prepared& pr,
                                bool is_exec) {
  sigset_t none;
  sigemptyset(&none);
  auto check = [&](Status st) {
    if (!st) die(sync, st.error());
  };
  drop_host_fds(sync, stdio);
  if (setsid() < 0) die(sync, errno_error("setsid"));
  if (spec.process.terminal) check(setup_terminal(sync, !is_exec));
  else check(setup_stdio(stdio));
  // No fd of ours may reach the payload or the path lookups below (CVE-2024-21626): only the
  // sync socket (close-on-exec) is left above 2.
  close_other_fds({sync});
  if (fcntl(sync, F_SETFD, FD_CLOEXEC) < 0) die(sync, errno_error("fcntl FD_CLOEXEC"));
  const oci::Process& p = spec.process;
  auto passwd = read_file("/etc/passwd", 4 << 20);
  auto group = read_file("/etc/group", 4 << 20);
  auto user = resolve_user(p.user, passwd ? *passwd : "", group ? *group : "", p.additional_groups);
  if (!user) die(sync, user.error());
  std::vector<std::string> env = p.env;
  if (env_value(env, "HOME").empty()) env.push_back("HOME=" + user->home);
  if (env_value(env, "PATH").empty())
    env.push_back("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  check(enter_working_dir(p.cwd, *user));
  std::string exe = lookup_executable(p.args[0], env_value(env, "PATH"));
  if (exe.empty())
    die(sync, Error{kCommandNotFound, fmt::format("exec: \"{}\": executable file not found in $PATH", p.args[0])});
  check(apply_security(spec, *user, pr));
  send_msg(sync, kReady);
  char go = 0;
  if (recv(sync, &go, 1, 0) != 1 || go != kGo) _exit(125);
  if (p.init) {
    // --init: this process stays pid 1, reaping zombies and forwarding signals; the payload
    // is its child. Signals are blocked before the fork so none is lost in between.
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, nullptr);
    pid_t payload = fork();
    if (payload < 0) die(sync, errno_error("fork the payload"));
    if (payload > 0) init_loop(payload, sync);
    setpgid(0, 0);
    if (p.terminal) (void)tcsetpgrp(0, getpid());
    sigprocmask(SIG_SETMASK, &none, nullptr);
  }
  std::vector<char*> argv, envp;
  for (auto& a : p.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (auto& e : env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  execve(exe.c_str(), argv.data(), envp.data());
  int e = errno;
  // Go's (and so Docker's) texts are lowercase: `exec: "/etc/passwd": permission denied`.
  auto why = [](int err) {
    std::string t = strerror(err);
    if (!t.empty()) t[0] = char(tolower((unsigned char)t[0]));
    return t;
  };
  if (e == ENOENT)
    die(sync, Error{kCommandNotFound, fmt::format("exec: \"{}\": no such file or directory", p.args[0])});
  if (e == EACCES || e == ENOEXEC || e == EISDIR || e == EPERM)
    die(sync, Error{kCannotInvoke, fmt::format("exec: \"{}\": {}", p.args[0], why(e == EISDIR ? EACCES : e))});
  die(sync, Error{e, fmt::format("exec: \"{}\": {}", p.args[0], why(e))});
}

pid_t do_clone(uint64_t flags, int* pidfd_out, int cgroup_fd = -1, bool* into_cgroup = nullptr) {
  struct clone_args args{};
  args.flags = flags | CLONE_PIDFD;
  args.pidfd = uint64_t(uintptr_t(pidfd_out));
  args.exit_signal = SIGCHLD;
  if (cgroup_fd >= 0) {
    // cgroup v2: born in the container's cgroup (no window where it runs outside it).
    args.flags |= CLONE_INTO_CGROUP;
    args.cgroup = uint64_t(cgroup_fd);
  }
  long pid = syscall(SYS_clone3, &args, sizeof args);
  if (pid >= 0 && into_cgroup) *into_cgroup = cgroup_fd >= 0;
  if (pid >= 0 || (errno != ENOSYS && errno != E2BIG)) return pid_t(pid);
  *pidfd_out = -1;
  return pid_t(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, 0));
}

bool joins_namespaces(const oci::Spec& spec) {
  return !spec.join_netns.empty() || !spec.join_ipcns.empty() || !spec.join_utsns.empty() || !spec.join_pidns.empty();
}

// --network container:X / ns:PATH: a helper joins the namespace (rootless, first the user
// namespace that owns it: the container shares it, the only way to be allowed in) and clones
// the container process with CLONE_PARENT, so it is the monitor's child. The process waits for
// the helper's exit before it goes on, so the helper's 'I'<pid> comes first on the socket.
Result<pid_t> clone_joined(const oci::Spec& spec, uint64_t flags, const Stdio& stdio, Pipe& sp, const Prepared& pr) {
  // A pod member may share the infra's IPC or UTS namespace without its network: then the
  // first namespace joined names the user namespace that owns them.
  const std::string& first = !spec.join_netns.empty() ? spec.join_netns
                             : !spec.join_ipcns.empty() ? spec.join_ipcns
                             : !spec.join_utsns.empty() ? spec.join_utsns : spec.join_pidns;
  auto netns = open_path(first, O_RDONLY);
  if (!netns) return wrap(netns.error(), fmt::format("open the namespace `{}`", first));
  UniqueFd userns;
  if (spec.new_userns) {
    int u = ioctl(netns->get(), NS_GET_USERNS);
    if (u < 0) return fail_errno(fmt::format("find the user namespace of `{}`", first));
    userns.reset(u);
  }
  // A pod's shared IPC and UTS namespaces, opened before the user namespace is joined.
  std::vector<std::tuple<UniqueFd, int, const std::string*>> more;
  for (auto [path, type] : {std::pair{&spec.join_ipcns, CLONE_NEWIPC}, std::pair{&spec.join_utsns, CLONE_NEWUTS},
                            std::pair{&spec.join_pidns, CLONE_NEWPID}}) {
    if (path->empty()) continue;
    auto fd = open_path(*path, O_RDONLY);
    if (!fd) return wrap(fd.error(), fmt::format("open the namespace `{}`", *path));
    more.emplace_back(std::move(*fd), type, path);
  }
  pid_t h = fork();
  if (h < 0) return fail_errno("fork");
  if (h == 0) {
    sp.read.reset();
    int sync = sp.write.get();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (userns && setns(userns.get(), CLONE_NEWUSER) < 0)
      die(sync, errno_error(fmt::format("join the user namespace of `{}`", first)));
    if (!spec.join_netns.empty() && setns(netns->get(), CLONE_NEWNET) < 0)
      die(sync, errno_error(fmt::format("join the network namespace `{}`", spec.join_netns)));
    for (auto& [fd, type, path] : more)
      if (setns(fd.get(), type) < 0) die(sync, errno_error(fmt::format("join the namespace `{}`", *path)));
    int gone[2];
    if (pipe2(gone, O_CLOEXEC) < 0) die(sync, errno_error("pipe"));
    // clone3 refuses CLONE_PARENT with an exit signal; the legacy call takes the parent's.
    pid_t inner = pid_t(syscall(SYS_clone, flags | CLONE_PARENT, nullptr, nullptr, nullptr, 0));
    if (inner < 0) die(sync, errno_error("clone the container process"));
    if (inner == 0) {
      close(gone[1]);
      char b;
      while (read(gone[0], &b, 1) < 0 && errno == EINTR) {
      }
      close(gone[0]);
      netns->reset();
      userns.reset();
      more.clear();
      child_main(spec, stdio, sync, pr);
    }
    send_msg(sync, 'I', std::to_string(inner));
    _exit(0);
  }
  (void)wait_child(h);
  char buf[8192];
  ssize_t n = recv(sp.read.get(), buf, sizeof buf, 0);
  if (n <= 0) return fail(EIO, "the namespace helper died");
  if (buf[0] == kErr) return parse_err(std::string_view(buf + 1, size_t(n - 1)));
  if (buf[0] != 'I') return fail(EPROTO, "unexpected message from the namespace helper");
  return pid_t(parse_int(std::string_view(buf + 1, size_t(n - 1))).value_or(-1));
}

}  // namespace

Container::~Container() { kill_and_reap(); }

// Reads the child's setup messages until it is ready to exec (or failed).
Status await_ready(Container& c) {
  for (;;) {
    char buf[8192];
    struct msghdr msg{};
    struct iovec iov{buf, sizeof buf};
    union {
      char b[CMSG_SPACE(sizeof(int))];
      struct cmsghdr align;
    } u{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = u.b;
    msg.msg_controllen = sizeof u.b;
    ssize_t n = recvmsg(c.sync_.get(), &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read from the container process");
    }
    if (n == 0) {
      int st = 0;
      (void)waitpid(c.pid_, &st, 0);
      c.pid_ = -1;
      return fail(EIO, fmt::format("the container process died during setup ({})", exit_code_from_status(st)));
    }
    if (buf[0] == kPty || buf[0] == kNetns || buf[0] == kUserns) {
      struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
      if (!cm || cm->cmsg_type != SCM_RIGHTS) return fail(EPROTO, "container process sent no fd");
      int fd;
      memcpy(&fd, CMSG_DATA(cm), sizeof fd);
      (buf[0] == kPty ? c.pty_master_ : buf[0] == kNetns ? c.netns_ : c.userns_).reset(fd);
      continue;
    }
    if (buf[0] == kErr) return parse_err(std::string_view(buf + 1, size_t(n - 1)));
    if (buf[0] == kReady) return ok();
    return fail(EPROTO, "unexpected message from the container process");
  }
}

void Container::kill_and_reap() {
  if (pid_ > 0) {
    (void)kill(pid_, SIGKILL);
    (void)wait_child(pid_);
    pid_ = -1;
  }
}

Result<Container> create(const oci::Spec& spec, const Stdio& stdio) {
  if (spec.process.args.empty()) return fail(kInvalid, "no command specified");
  auto pr = TRY(prepare(spec));
  log::debug("runtime: prepared");
  auto sp = TRY(make_socketpair(SOCK_SEQPACKET));
  uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (spec.new_userns) flags |= CLONE_NEWUSER;
  if (spec.new_netns) flags |= CLONE_NEWNET;
  if (spec.process.oom_score_adj != 0) {
    auto fd = open_path("/proc/self/oom_score_adj", O_WRONLY);
    if (fd) (void)write_all(fd->get(), std::to_string(spec.process.oom_score_adj));
  }
  // The container's cgroup, made before the clone (v2: entered by the clone itself).
  UniqueFd cgfd;
  g_cgroup_tasks.clear();
  if (!spec.cgroup_path.empty()) {
    cgfd = TRY(cgroup::create(cgroup::host(), spec.cgroup_path, spec.cgroup_limits));
    if (!cgfd) g_cgroup_tasks = TRY(cgroup::open_tasks(cgroup::host(), spec.cgroup_path));
  }
  if (!spec.systemd_cgroup.empty()) g_cgroup_tasks.push_back(TRY(cgroup::create_systemd(spec.systemd_cgroup)));
  int pidfd = -1;
  bool in_cgroup = false;
  pid_t pid;
  if (joins_namespaces(spec)) {
    uint64_t joined = CLONE_NEWUSER | (spec.join_ipcns.empty() ? 0 : CLONE_NEWIPC) |
                      (spec.join_utsns.empty() ? 0 : CLONE_NEWUTS) | (spec.join_pidns.empty() ? 0 : CLONE_NEWPID);
    pid = TRY(clone_joined(spec, flags & ~joined, stdio, sp, pr));
  } else {
    pid = do_clone(flags, &pidfd, cgfd ? cgfd.get() : -1, &in_cgroup);
    if (pid < 0) return fail_errno("clone the container process");
    if (pid == 0) {
      sp.read.reset();
      child_main(spec, stdio, sp.write.get(), pr);
    }
  }
  if (!g_cgroup_tasks.empty()) in_cgroup = true;  // the child moves itself in (v1)
  g_cgroup_tasks.clear();
  Container c;
  c.pid_ = pid;
  c.pidfd_.reset(pidfd);
  if (!c.pidfd_)
    if (auto p = pidfd_open(pid)) c.pidfd_ = std::move(*p);
  sp.write.reset();
  c.sync_ = std::move(sp.read);
  log::debug("runtime: cloned");
  if (!spec.cgroup_path.empty() && !in_cgroup)
    TRY_CTX(cgroup::enter(cgroup::host(), spec.cgroup_path, pid), "move the container into its cgroup");
  bool map_here = spec.new_userns && !joins_namespaces(spec);
  if (map_here) {
    TRY_CTX(apply_idmap(pid, spec.idmap), "set up the user namespace");
    log::debug("runtime: id map written");
  }
  if (map_here || !spec.cgroup_path.empty()) send_msg(c.sync_.get(), kMapped);
  TRY(await_ready(c));
  return c;
}

Result<Container> exec(const oci::Spec& spec, pid_t target, uint64_t target_start, const Stdio& stdio) {
  if (spec.process.args.empty()) return fail(kInvalid, "no command specified");
  auto pr = TRY(prepare(spec));
  // /proc/<pid> as a directory fd pins *that* process: if it exits and the pid is reused,
  // lookups through the fd fail instead of reaching the new process.
  auto proc = TRY_CTX(open_path(fmt::format("/proc/{}", target), O_PATH | O_DIRECTORY), "find the container process");
  auto stat = TRY_CTX(read_file_at(proc.get(), "stat"), "find the container process");
  auto close_paren = stat.rfind(')');
  auto fields = split(std::string_view(stat).substr(close_paren + 2), ' ');
  if (fields.size() < 20 || parse_uint(fields[19]).value_or(0) != target_start)
    return fail(ESRCH, "the container process is gone");
  // skiff's --init (pid 1) is not dumpable, so its namespace files are out of reach for a
  // rootless user (ptrace rules): join those of its child, the payload, in the same namespaces.
  if (auto probe = open_at(proc.get(), "ns/mnt", O_RDONLY); !probe && probe.error().code == EACCES) {
    auto kids = read_file_at(proc.get(), fmt::format("task/{}/children", target));
    bool found = false;
    for (auto& k : split(kids ? std::string(trim(*kids)) : std::string(), ' ')) {
      auto kid = open_path(fmt::format("/proc/{}", k), O_PATH | O_DIRECTORY);
      if (!kid) continue;
      auto kstat = read_file_at(kid->get(), "stat");
      if (!kstat) continue;
      auto kf = split(std::string_view(*kstat).substr(kstat->rfind(')') + 2), ' ');
      if (kf.size() < 2 || parse_int(kf[1]).value_or(0) != target) continue;  // pid reused
      proc = std::move(*kid);
      found = true;
      break;
    }
    if (!found) return wrap(probe.error(), "open the container's namespaces");
  }
  struct Ns {
    const char* name;
    int flag;
    bool wanted;
  };
  // The user namespace first: it gives us the capabilities to join the others.
  const Ns kNs[] = {{"user", CLONE_NEWUSER, spec.new_userns}, {"ipc", CLONE_NEWIPC, true},
                    {"uts", CLONE_NEWUTS, true},
                    {"net", CLONE_NEWNET, spec.new_netns || !spec.join_netns.empty()},
                    {"cgroup", CLONE_NEWCGROUP, true},        {"pid", CLONE_NEWPID, true},
                    {"mnt", CLONE_NEWNS, true}};
  std::vector<std::pair<UniqueFd, int>> fds;
  for (auto& ns : kNs) {
    if (!ns.wanted) continue;
    auto fd = open_at(proc.get(), std::string("ns/") + ns.name, O_RDONLY);
    if (!fd) {
      if (ns.flag == CLONE_NEWCGROUP) continue;
      return wrap(fd.error(), fmt::format("open the container's {} namespace", ns.name));
    }
    // Skip namespaces we already share (e.g. the cgroup namespace when it was not unshared).
    struct stat a, b;
    std::string self = std::string("/proc/self/ns/") + ns.name;
    if (fstat(fd->get(), &a) == 0 && ::stat(self.c_str(), &b) == 0 && a.st_ino == b.st_ino) continue;
    fds.emplace_back(std::move(*fd), ns.flag);
  }
  auto sp = TRY(make_socketpair(SOCK_SEQPACKET));
  pid_t mid = fork();
  if (mid < 0) return fail_errno("fork");
  if (mid == 0) {
    sp.read.reset();
    int sync = sp.write.get();
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_DUMPABLE, 0);  // see child_main: our /proc/<pid>/exe stays out of reach
    for (auto& [fd, flag] : fds)
      if (setns(fd.get(), flag) < 0) die(sync, errno_error("join the container's namespaces"));
    if (spec.new_userns && (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0))
      die(sync, errno_error("become root in the container's user namespace"));
    // setns(CLONE_NEWPID) only applies to children. The process proper is cloned with
    // CLONE_PARENT: a sibling of this helper, the monitor's own child, so its parent-death
    // signal refers to the monitor (a grandchild re-parented at our exit would have received
    // it at that exit: "died during setup (137)"). It waits for EOF on `gone` (our exit) so
    // that its messages come after our 'I'.
    int gone[2];
    if (pipe2(gone, O_CLOEXEC) < 0) die(sync, errno_error("pipe"));
    pid_t inner = pid_t(syscall(SYS_clone, CLONE_PARENT, nullptr, nullptr, nullptr, 0));
    if (inner < 0) die(sync, errno_error("fork into the container"));
    if (inner == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      close(gone[1]);
      char b;
      while (read(gone[0], &b, 1) < 0 && errno == EINTR) {
      }
      close(gone[0]);
      // The namespace fds and /proc/<pid> of the host go before any path of the container is
      // looked up (they would be reachable as /proc/self/fd/N).
      drop_host_fds(sync, stdio);
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      for (int sg = 1; sg < NSIG; ++sg)
        if (sg != SIGKILL && sg != SIGSTOP) signal(sg, SIG_DFL);
      if (chdir("/") < 0) die(sync, errno_error("chdir /"));
      enter_process(spec, stdio, sync, pr, true);
    }
    close(gone[0]);
    send_msg(sync, 'I', std::to_string(inner));
    _exit(0);
  }
  sp.write.reset();
  (void)wait_child(mid);
  Container c;
  c.sync_ = std::move(sp.read);
  char buf[8192];
  ssize_t n = recv(c.sync_.get(), buf, sizeof buf, 0);
  if (n <= 0) return fail(EIO, "the exec helper died");
  if (buf[0] == kErr) return parse_err(std::string_view(buf + 1, size_t(n - 1)));
  if (buf[0] != 'I') return fail(EPROTO, "unexpected message from the exec helper");
  c.pid_ = pid_t(parse_int(std::string_view(buf + 1, size_t(n - 1))).value_or(-1));
  if (auto p = pidfd_open(c.pid_)) c.pidfd_ = std::move(*p);
  // Into the container's cgroup before it runs anything of the container (it waits for "go").
  if (!spec.cgroup_path.empty() && cgroup::exists(cgroup::host(), spec.cgroup_path))
    TRY_CTX(cgroup::enter(cgroup::host(), spec.cgroup_path, c.pid_), "move the exec'd process into the container's cgroup");
  TRY(await_ready(c));
  return c;
}

Status Container::start() {
  send_msg(sync_.get(), kGo);
  char buf[8192];
  for (;;) {
    ssize_t n = recv(sync_.get(), buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    sync_.reset();
    if (n <= 0) return ok();  // EOF: the sync socket closed on execve
    if (buf[0] == kErr) return parse_err(std::string_view(buf + 1, size_t(n - 1)));
    return fail(EPROTO, "unexpected message from the container process");
  }
}

}  // namespace skiff::runtime
