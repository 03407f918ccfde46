#include "skiff/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
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
    int st;
    while (waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
    }
  }
}

Result<int> ChildProcess::wait() {
  int st = 0;
  for (;;) {
    if (waitpid(pid_, &st, 0) >= 0) break;
    if (errno != EINTR) return fail_errno("waitpid");
  }
  pid_ = -1;
  return st;
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
  // starttime is field 22 → index 19 after ")"
  if (fields.size() < 20) return 0;
  return parse_uint(fields[19]).value_or(0);
}

}  // namespace skiff
