// netprobe: small network ends for the port tests and the bench, built static (libc only) so
// that it also runs inside a busybox container (bind-mounted there).
//
//   netprobe udp-echo PORT                 echo every datagram on 0.0.0.0:PORT back (forever)
//   netprobe udp-send HOST PORT MSG        send MSG, print the reply (2 s timeout: exit 1)
//   netprobe tcp-source PORT BYTES         serve: each connection gets BYTES zero bytes, then EOF
//   netprobe tcp-sink HOST PORT            read one connection to EOF: "BYTES SECONDS MiB/s"
//   netprobe tcp-connects HOST PORT N      N sequential connect + read-to-EOF: "N SECONDS us/conn"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

static double now() {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

static int die(const char* what) {
  perror(what);
  return 1;
}

// Numeric addresses only (no resolver in a static binary).
static bool resolve(const char* host, const char* port, int, struct sockaddr_storage* ss, socklen_t* len) {
  memset(ss, 0, sizeof *ss);
  auto* a4 = reinterpret_cast<sockaddr_in*>(ss);
  auto* a6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
    a4->sin_family = AF_INET;
    a4->sin_port = htons(uint16_t(atoi(port)));
    *len = sizeof *a4;
    return true;
  }
  if (inet_pton(AF_INET6, host, &a6->sin6_addr) == 1) {
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(uint16_t(atoi(port)));
    *len = sizeof *a6;
    return true;
  }
  return false;
}

static int listen_on(int type, int port) {
  int fd = socket(AF_INET, type, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(uint16_t(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return -1;
  if (type == SOCK_STREAM && listen(fd, 128) < 0) return -1;
  return fd;
}

static int connect_to(const char* host, const char* port) {
  struct sockaddr_storage ss;
  socklen_t len;
  if (!resolve(host, port, SOCK_STREAM, &ss, &len)) return -1;
  int fd = socket(ss.ss_family, SOCK_STREAM, 0);
  if (fd < 0 || connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) return -1;
  return fd;
}

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  if (argc < 2) {
    fprintf(stderr, "usage: netprobe udp-echo|udp-send|tcp-source|tcp-sink|tcp-connects ...\n");
    return 2;
  }
  static char buf[1 << 16];
  const char* mode = argv[1];
  if (!strcmp(mode, "udp-echo") && argc == 3) {
    int fd = listen_on(SOCK_DGRAM, atoi(argv[2]));
    if (fd < 0) return die("bind");
    for (;;) {
      struct sockaddr_storage from;
      socklen_t fl = sizeof from;
      ssize_t n = recvfrom(fd, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &fl);
      if (n >= 0) sendto(fd, buf, size_t(n), 0, reinterpret_cast<sockaddr*>(&from), fl);
    }
  }
  if (!strcmp(mode, "udp-send") && argc == 5) {
    struct sockaddr_storage ss;
    socklen_t len;
    if (!resolve(argv[2], argv[3], SOCK_DGRAM, &ss, &len)) return die("address");
    int fd = socket(ss.ss_family, SOCK_DGRAM, 0);
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) < 0) return die("connect");
    if (send(fd, argv[4], strlen(argv[4]), 0) < 0) return die("send");
    struct pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 2000) <= 0) {
      fprintf(stderr, "no reply\n");
      return 1;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0) return die("recv");
    printf("%.*s\n", int(n), buf);
    return 0;
  }
  if (!strcmp(mode, "tcp-source") && argc == 4) {
    int fd = listen_on(SOCK_STREAM, atoi(argv[2]));
    if (fd < 0) return die("listen");
    long long total = atoll(argv[3]);
    memset(buf, 0, sizeof buf);
    signal(SIGCHLD, SIG_IGN);
    for (;;) {
      int c = accept(fd, nullptr, nullptr);
      if (c < 0) continue;
      if (total <= 0) {  // no bytes: close at once (connect-latency runs)
        close(c);
        continue;
      }
      if (fork() == 0) {
        long long left = total;
        while (left > 0) {
          ssize_t n = write(c, buf, size_t(left < long(sizeof buf) ? left : long(sizeof buf)));
          if (n <= 0) _exit(1);
          left -= n;
        }
        _exit(0);
      }
      close(c);
    }
  }
  if (!strcmp(mode, "tcp-sink") && argc == 4) {
    double t0 = now();
    int fd = connect_to(argv[2], argv[3]);
    if (fd < 0) return die("connect");
    long long total = 0;
    for (;;) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) return die("read");
      if (n == 0) break;
      total += n;
    }
    double dt = now() - t0;
    printf("%lld %.3f %.1f\n", total, dt, double(total) / dt / 1048576.0);
    return 0;
  }
  if (!strcmp(mode, "tcp-connects") && argc == 5) {
    int n = atoi(argv[4]);
    double t0 = now();
    for (int i = 0; i < n; ++i) {
      int fd = connect_to(argv[2], argv[3]);
      if (fd < 0) return die("connect");
      while (read(fd, buf, sizeof buf) > 0) {
      }
      close(fd);
    }
    double dt = now() - t0;
    printf("%d %.3f %.1f\n", n, dt, dt / n * 1e6);
    return 0;
  }
  fprintf(stderr, "netprobe: bad arguments\n");
  return 2;
}
