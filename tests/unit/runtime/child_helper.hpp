#pragma once
// Helpers for runtime tests that must change process-wide security state: the work runs in a
// forked child (so the test runner keeps its capabilities and has no filter), which reports
// back through a pipe.

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <map>
#include <string>
#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"

namespace skiff::test {

/// What a child reported: its output and how it ended.
struct ChildRun {
  std::string out;
  int exit_code = -1;  ///< -1 if it did not exit normally
  int signal = 0;
};

/// Forks; the child runs fn(write_fd) and _exits with its return value. The parent collects
/// everything written to write_fd. fn may exec (stdout can be dup2'ed onto write_fd).
template <class F>
ChildRun run_in_child(F fn) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) < 0) std::abort();
  pid_t pid = fork();
  if (pid < 0) std::abort();
  if (pid == 0) {
    close(p[0]);
    int rc = fn(p[1]);
    _exit(rc);
  }
  close(p[1]);
  ChildRun r;
  char buf[4096];
  for (;;) {
    ssize_t n = read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    r.out.append(buf, static_cast<size_t>(n));
  }
  close(p[0]);
  int st = 0;
  while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st)) r.exit_code = WEXITSTATUS(st);
  if (WIFSIGNALED(st)) r.signal = WTERMSIG(st);
  return r;
}

/// Writes all of `s` to fd (test child helper).
inline void put(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = write(fd, s.data(), s.size());
    if (n <= 0) return;
    s.remove_prefix(static_cast<size_t>(n));
  }
}

/// In a child: makes sure the process holds every capability, entering a new user namespace
/// (mapping the caller to root) when it is not real root. False if that is impossible.
inline bool become_root_with_all_caps() {
  if (geteuid() == 0) return true;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (unshare(CLONE_NEWUSER) < 0) return false;
  auto write_proc = [](const char* path, const std::string& s) {
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size());
    close(fd);
    return ok;
  };
  return write_proc("/proc/self/setgroups", "deny") &&
         write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1\n") &&
         write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1\n");
}

/// The "Key:\tvalue" lines of /proc/self/status (or of `text`) as a map.
inline std::map<std::string, std::string> parse_status(std::string_view text) {
  std::map<std::string, std::string> m;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view v = line.substr(colon + 1);
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
    m[std::string(line.substr(0, colon))] = std::string(v);
  }
  return m;
}

/// A temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/skiff-ut-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    path_ = tmpl;
  }
  ~TempDir() { (void)remove_tree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace skiff::test
