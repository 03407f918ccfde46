// systemd's notify protocol for tests, without systemd (built static, so it also runs inside
// busybox containers):
//   sdnotify listen SOCKET   binds a datagram socket at SOCKET and prints every message it
//                            receives as lines "<sender pid> <FIELD=VALUE>" and an empty line
//                            (flushed), until killed; also a fake journald socket
//   sdnotify send MESSAGE    sends MESSAGE ("READY=1", "STATUS=x\nREADY=1") to $NOTIFY_SOCKET
//   sdnotify supervise CMD…  as systemd for a unit's processes: a child subreaper that runs CMD
//                            and reaps it and every orphan that ends up with it (a double-forked
//                            monitor), printing "<pid> exited <code>" / "<pid> killed <signal>"
//                            for each, until none is left
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

static int usage() {
  fprintf(stderr, "usage: sdnotify listen SOCKET | sdnotify send MESSAGE\n");
  return 2;
}

static socklen_t make_addr(const char* p, sockaddr_un& a) {
  std::string path = p;
  if (path.empty() || path.size() >= sizeof a.sun_path) exit(2);
  if (path[0] == '@') path[0] = '\0';
  memset(&a, 0, sizeof a);
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path, path.data(), path.size());
  return socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + (p[0] == '@' ? 0 : 1));
}

static int supervise(char** cmd) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) return perror("sdnotify: subreaper"), 1;
  pid_t p = fork();
  if (p < 0) return perror("fork"), 1;
  if (p == 0) {
    execvp(cmd[0], cmd);
    perror("sdnotify: exec");
    _exit(127);
  }
  int st;
  pid_t w;
  while ((w = wait(&st)) > 0) {
    if (WIFEXITED(st)) printf("%d exited %d\n", int(w), WEXITSTATUS(st));
    else printf("%d killed %d\n", int(w), WTERMSIG(st));
    fflush(stdout);
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc >= 3 && std::string(argv[1]) == "supervise") return supervise(argv + 2);
  if (argc != 3) return usage();
  std::string mode = argv[1];
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return perror("socket"), 1;
  sockaddr_un a;
  if (mode == "send") {
    const char* ns = getenv("NOTIFY_SOCKET");
    if (!ns) return fprintf(stderr, "sdnotify: NOTIFY_SOCKET is not set\n"), 1;
    socklen_t len = make_addr(ns, a);
    if (sendto(fd, argv[2], strlen(argv[2]), 0, reinterpret_cast<sockaddr*>(&a), len) < 0)
      return perror("sdnotify: sendto"), 1;
    return 0;
  }
  if (mode != "listen") return usage();
  socklen_t len = make_addr(argv[2], a);
  if (argv[2][0] != '@') unlink(argv[2]);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), len) < 0) return perror("sdnotify: bind"), 1;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
  for (;;) {
    char buf[4096];
    char cbuf[CMSG_SPACE(sizeof(ucred))];
    iovec iov{buf, sizeof buf - 1};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = cbuf;
    m.msg_controllen = sizeof cbuf;
    ssize_t n = recvmsg(fd, &m, 0);
    if (n < 0) continue;
    buf[n] = 0;
    pid_t sender = 0;
    for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c))
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS) {
        ucred u;
        memcpy(&u, CMSG_DATA(c), sizeof u);
        sender = u.pid;
      }
    char* save = nullptr;
    for (char* line = strtok_r(buf, "\n", &save); line; line = strtok_r(nullptr, "\n", &save))
      printf("%d %s\n", int(sender), line);
    printf("\n");  // the end of a datagram (a journal entry)
    fflush(stdout);
  }
}
