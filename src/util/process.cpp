#include "skiff/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

extern char** environ;

namespace skiff {

ChildProcess& ChildProcess::operator=(ChildProcess&& o) noexcept {
  if (this != &o) {
    this->~ChildProcess();
    pid_ = o.release();
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    (void)kill(pid_, SIGKILL);
    (void)wait_child(pid_);
  }
}

Result<int> ChildProcess::wait() {
  int st = TRY(wait_child(pid_));
  pid_ = -1;
  return st;
}

Result<int> wait_child(pid_t pid) {
  int st = 0;
  for (;;) {
    if (waitpid(pid, &st, 0) >= 0) return st;
    if (errno != EINTR) return fail_errno(fmt::format("wait for process {}", pid));
  }
}

Result<UniqueFd> pidfd_open(pid_t pid) {
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return fail_errno(fmt::format("pidfd_open {}", pid));
  return UniqueFd(int(fd));
}

bool ProgramResult::ok() const { return WIFEXITED(status) && WEXITSTATUS(status) == 0; }
int ProgramResult::exit_code() const { return exit_code_from_status(status); }

int exit_code_from_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

std::string find_in_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : "";
  const char* path = getenv("PATH");
  std::string p = path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  for (auto& dir : split(p, ':')) {
    std::string cand = (dir.empty() ? "." : dir) + "/" + name;
    struct stat st;
    if (stat(cand.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(cand.c_str(), X_OK) == 0)
      return cand;
  }
  return "";
}

Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::string& input) {
  if (argv.empty()) return fail(EINVAL, "run_program: empty argv");
  std::string exe = find_in_path(argv[0]);
  if (exe.empty()) return fail(ENOENT, fmt::format("`{}` not found in PATH", argv[0]));
  auto in = TRY(make_pipe());
  auto out = TRY(make_pipe());
  auto err = TRY(make_pipe());
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    dup2(in.read.get(), 0);
    dup2(out.write.get(), 1);
    dup2(err.write.get(), 2);
    execve(exe.c_str(), args.data(), environ);
    _exit(127);
  }
  ChildProcess child(pid);
  in.read.reset();
  out.write.reset();
  err.write.reset();
  if (!input.empty()) (void)write_all(in.write.get(), input);
  in.write.reset();
  ProgramResult res;
  struct pollfd fds[2] = {{out.read.get(), POLLIN, 0}, {err.read.get(), POLLIN, 0}};
  int open_fds = 2;
  char buf[4096];
  while (open_fds > 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        if (n < 0 && errno == EINTR) continue;
        fds[i].fd = -1;
        --open_fds;
        continue;
      }
      std::string& dst = i == 0 ? res.out : res.err;
      if (dst.size() < (1u << 20)) dst.append(buf, size_t(n));
    }
  }
  res.status = TRY(child.wait());
  return res;
}

Result<std::vector<ProgramResult>> run_programs(const std::vector<std::vector<std::string>>& argvs) {
  struct Proc {
    pid_t pid = -1;
    Pipe out, err;
    ProgramResult res;
  };
  std::vector<Proc> procs(argvs.size());
  auto reap_all = [&]() {
    for (auto& p : procs)
      if (p.pid > 0) {
        p.res.status = wait_child(p.pid).value_or(0);
        p.pid = -1;
      }
  };
  for (size_t i = 0; i < argvs.size(); ++i) {
    auto& argv = argvs[i];
    std::string exe = find_in_path(argv.at(0));
    if (exe.empty()) {
      reap_all();
      return fail(ENOENT, fmt::format("`{}` not found in PATH", argv[0]));
    }
    procs[i].out = TRY(make_pipe());
    procs[i].err = TRY(make_pipe());
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, procs[i].out.write.get(), 1);
    posix_spawn_file_actions_adddup2(&fa, procs[i].err.write.get(), 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    int rc = posix_spawn(&procs[i].pid, exe.c_str(), &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    procs[i].out.write.reset();
    procs[i].err.write.reset();
    if (rc != 0) {
      procs[i].pid = -1;
      reap_all();
      return fail_errno(fmt::format("run `{}`", argv[0]), rc);
    }
  }
  // Collect output until every pipe is closed, then reap.
  for (;;) {
    std::vector<struct pollfd> fds;
    std::vector<std::pair<size_t, bool>> who;
    for (size_t i = 0; i < procs.size(); ++i) {
      if (procs[i].out.read) {
        fds.push_back({procs[i].out.read.get(), POLLIN, 0});
        who.push_back({i, false});
      }
      if (procs[i].err.read) {
        fds.push_back({procs[i].err.read.get(), POLLIN, 0});
        who.push_back({i, true});
      }
    }
    if (fds.empty()) break;
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t k = 0; k < fds.size(); ++k) {
      if (!fds[k].revents) continue;
      auto [i, is_err] = who[k];
      char buf[4096];
      ssize_t n = read(fds[k].fd, buf, sizeof buf);
      if (n > 0) {
        std::string& dst = is_err ? procs[i].res.err : procs[i].res.out;
        if (dst.size() < (1u << 20)) dst.append(buf, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        (is_err ? procs[i].err.read : procs[i].out.read).reset();
      }
    }
  }
  reap_all();
  std::vector<ProgramResult> out;
  for (auto& p : procs) out.push_back(std::move(p.res));
  return out;
}

int thread_count() {
  auto stat = read_file("/proc/self/stat");
  if (!stat) return -1;
  auto pos = stat->rfind(')');
  if (pos == std::string::npos) return -1;
  auto fields = split(std::string_view(*stat).substr(pos + 2), ' ');
  // after ")": state(3) ppid(4) ... num_threads is field 20 → index 17 here
  if (fields.size() < 18) return -1;
  return int(parse_int(fields[17]).value_or(-1));
}

uint64_t process_start_time(pid_t pid) {
  auto stat = read_file(fmt::format("/proc/{}/stat", pid));
  if (!stat) return 0;
  auto pos = stat->rfind(')');
  if (pos == std::string::npos) return 0;
  auto fields = split(std::string_view(*stat).substr(pos + 2), ' ');
  // state is field 3 → index 0 after ")": a zombie (or dead) process is gone, only not reaped.
  // starttime is field 22 → index 19 after ")"
  if (fields.size() < 20 || fields[0] == "Z" || fields[0] == "X") return 0;
  return parse_uint(fields[19]).value_or(0);
}

}  // namespace skiff
