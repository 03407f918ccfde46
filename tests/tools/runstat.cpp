// runstat: runs a command once and prints "WALL_US MAXRSS_KIB STATUS" (bench/run.sh).
//
//   runstat [--uid UID --gid GID] [--quiet] -- CMD [ARG...]
//
// WALL_US is fork-to-reap wall time in microseconds (CLOCK_MONOTONIC); MAXRSS_KIB is the peak
// resident set of the command and of the descendants it waited for (wait4's ru_maxrss); STATUS
// is the exit status (128+N for a signal). --uid/--gid switch to that user (with its
// supplementary groups) in the child before exec, so no extra process sits in the measurement.
// --quiet sends the command's stdout and stderr to /dev/null.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  long uid = -1, gid = -1;
  bool quiet = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") { ++i; break; }
    if (a == "--quiet") { quiet = true; continue; }
    if (i + 1 >= argc) break;
    if (a == "--uid") uid = atol(argv[++i]);
    else if (a == "--gid") gid = atol(argv[++i]);
    else { fprintf(stderr, "runstat: unknown option %s\n", a.c_str()); return 2; }
  }
  if (i >= argc) {
    fprintf(stderr, "usage: runstat [--uid UID --gid GID] [--quiet] -- CMD [ARG...]\n");
    return 2;
  }
  timespec t0{}, t1{};
  clock_gettime(CLOCK_MONOTONIC, &t0);
  pid_t pid = fork();
  if (pid < 0) { perror("runstat: fork"); return 2; }
  if (pid == 0) {
    if (quiet) {
      int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
      if (fd >= 0) { dup2(fd, 1); dup2(fd, 2); }
    }
    if (gid >= 0 && uid >= 0) {
      const passwd* pw = getpwuid(static_cast<uid_t>(uid));
      if ((pw ? initgroups(pw->pw_name, static_cast<gid_t>(gid)) : setgroups(0, nullptr)) != 0 ||
          setresgid(gid, gid, gid) != 0 || setresuid(uid, uid, uid) != 0) {
        fprintf(stderr, "runstat: cannot become %ld:%ld: %s\n", uid, gid, strerror(errno));
        _exit(126);
      }
    }
    execvp(argv[i], argv + i);
    fprintf(stderr, "runstat: cannot run %s: %s\n", argv[i], strerror(errno));
    _exit(127);
  }
  int status = 0;
  rusage ru{};
  if (wait4(pid, &status, 0, &ru) < 0) { perror("runstat: wait4"); return 2; }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  long long us = (t1.tv_sec - t0.tv_sec) * 1000000LL + (t1.tv_nsec - t0.tv_nsec) / 1000;
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  printf("%lld %ld %d\n", us, ru.ru_maxrss, code);
  return 0;
}
