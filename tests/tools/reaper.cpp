// reaper: runs a test as a child subreaper, so nothing it starts can outlive it.
//
//   reaper [--timeout SECS] [--grace SECS] -- CMD [ARG...]
//       Runs CMD with PR_SET_CHILD_SUBREAPER set: every process CMD starts, even after a double
//       fork and setsid (container monitors do both), stays a descendant of the reaper. When CMD
//       exits, or the timeout expires, or the reaper gets SIGINT/SIGTERM/SIGHUP, every remaining
//       descendant gets SIGTERM, then SIGKILL after the grace period (default 2 s). Exits with
//       CMD's status (128+N for a signal), 124 on timeout. CMD sees SKIFF_REAPER_PID.
//
//   reaper --kill-tree PID [--grace SECS]
//       Kills the descendants of PID except the caller and its ancestors (lib.sh uses it in its
//       exit trap, before removing the test's directory).
//
// Processes in other PID namespaces appear with their host PIDs in /proc, so containers whose
// monitor died are found too (they were reparented to us).
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

struct Proc {
  pid_t ppid = 0;
  std::string comm;
};

std::map<pid_t, Proc> scan_procs() {
  std::map<pid_t, Proc> procs;
  DIR* d = opendir("/proc");
  if (!d) return procs;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE* f = fopen(path, "re");
    if (!f) continue;
    char buf[1024];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses; the last ')' ends it.
    char* open = strchr(buf, '(');
    char* close = strrchr(buf, ')');
    if (!open || !close || close < open) continue;
    Proc p;
    p.comm.assign(open + 1, close);
    char state = 0;
    int ppid = 0;
    if (sscanf(close + 1, " %c %d", &state, &ppid) != 2) continue;
    if (state == 'Z' || state == 'X') continue;  // zombies need reaping, not killing
    p.ppid = ppid;
    procs[static_cast<pid_t>(pid)] = p;
  }
  closedir(d);
  return procs;
}

// Descendants of root (not root itself), minus `except`.
std::vector<std::pair<pid_t, std::string>> descendants(pid_t root, const std::set<pid_t>& except) {
  auto procs = scan_procs();
  std::multimap<pid_t, pid_t> children;
  for (auto& [pid, p] : procs) children.emplace(p.ppid, pid);
  std::vector<std::pair<pid_t, std::string>> out;
  std::vector<pid_t> todo{root};
  while (!todo.empty()) {
    pid_t cur = todo.back();
    todo.pop_back();
    auto [b, e] = children.equal_range(cur);
    for (auto it = b; it != e; ++it) {
      todo.push_back(it->second);
      if (!except.count(it->second)) out.emplace_back(it->second, procs[it->second].comm);
    }
  }
  return out;
}

std::set<pid_t> self_and_ancestors() {
  std::set<pid_t> s;
  auto procs = scan_procs();
  pid_t cur = getpid();
  while (cur > 0 && !s.count(cur)) {
    s.insert(cur);
    auto it = procs.find(cur);
    if (it == procs.end()) break;
    cur = it->second.ppid;
  }
  return s;
}

double now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

void reap_all() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// SIGTERM every descendant, wait up to `grace` seconds for them to go, SIGKILL the rest, repeat
// until none is left (a dying process may still fork). Returns how many were signalled.
int kill_tree(pid_t root, const std::set<pid_t>& except, double grace, bool report) {
  auto left = descendants(root, except);
  if (left.empty()) return 0;
  if (report) {
    std::string names;
    for (auto& [pid, comm] : left) names += " " + std::to_string(pid) + "(" + comm + ")";
    fprintf(stderr, "reaper: killing %zu leftover process(es):%s\n", left.size(), names.c_str());
  }
  int count = static_cast<int>(left.size());
  for (auto& [pid, comm] : left) kill(pid, SIGTERM);
  double deadline = now() + grace;
  while (now() < deadline) {
    reap_all();
    if (descendants(root, except).empty()) return count;
    usleep(20000);
  }
  for (int round = 0; round < 50; ++round) {
    auto rest = descendants(root, except);
    if (rest.empty()) break;
    for (auto& [pid, comm] : rest) kill(pid, SIGKILL);
    usleep(20000);
    reap_all();
  }
  return count;
}

[[noreturn]] void usage() {
  fprintf(stderr,
          "usage: reaper [--timeout SECS] [--grace SECS] -- CMD [ARG...]\n"
          "       reaper --kill-tree PID [--grace SECS]\n");
  exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  double timeout = 0, grace = 2;
  pid_t kill_root = 0;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") { ++i; break; }
    if (i + 1 >= argc) usage();
    if (a == "--timeout") timeout = atof(argv[++i]);
    else if (a == "--grace") grace = atof(argv[++i]);
    else if (a == "--kill-tree") kill_root = static_cast<pid_t>(atoi(argv[++i]));
    else usage();
  }
  if (kill_root > 0) {
    kill_tree(kill_root, self_and_ancestors(), grace, false);
    return 0;
  }
  if (i >= argc) usage();

  if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
    perror("reaper: PR_SET_CHILD_SUBREAPER");
    return 125;
  }
  sigset_t set, old;
  sigemptyset(&set);
  for (int s : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &old);

  std::string self = std::to_string(getpid());
  setenv("SKIFF_REAPER_PID", self.c_str(), 1);
  pid_t child = fork();
  if (child < 0) {
    perror("reaper: fork");
    return 125;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &old, nullptr);
    execvp(argv[i], argv + i);
    fprintf(stderr, "reaper: cannot run %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }

  int status = 0;
  bool done = false, timed_out = false;
  double deadline = timeout > 0 ? now() + timeout : 0;
  while (!done) {
    timespec wait{1, 0};
    if (deadline > 0) {
      double left = deadline - now();
      if (left <= 0) {
        timed_out = true;
        fprintf(stderr, "reaper: timed out after %g s: killing %s and everything it started\n", timeout,
                argv[i]);
        kill_tree(getpid(), {}, grace, false);
        break;
      }
      if (left < 1) wait = {0, static_cast<long>(left * 1e9)};
    }
    int sig = sigtimedwait(&set, nullptr, &wait);
    if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
      kill(child, sig);
      // Give the test its grace period to clean up, then take everything down.
      double until = now() + grace;
      bool exited = false;
      while (now() < until && !exited) {
        exited = waitpid(child, nullptr, WNOHANG) == child;
        if (!exited) usleep(20000);
      }
      kill_tree(getpid(), {}, grace, false);
      reap_all();
      return 128 + sig;
    }
    // SIGCHLD or a timeout tick: reap whatever exited; note when it is the test itself.
    for (;;) {
      int st = 0;
      pid_t r = waitpid(-1, &st, WNOHANG);
      if (r <= 0) break;
      if (r == child) { status = st; done = true; }
    }
  }
  kill_tree(getpid(), {}, grace, true);
  reap_all();
  if (timed_out) return 124;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return status >> 8;
}
