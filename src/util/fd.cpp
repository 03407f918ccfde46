#include "skiff/util/fd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace skiff {

Error errno_error(std::string_view context, int err) {
  return Error{err, fmt::format("{}: {}", context, strerror(err))};
}

void UniqueFd::reset(int fd) noexcept {
  if (fd_ >= 0) (void)::close(fd_);  // never retry close(2) on EINTR: the fd is gone already
  fd_ = fd;
}

Result<Pipe> make_pipe(int extra_flags) {
  int p[2];
  if (pipe2(p, O_CLOEXEC | extra_flags) < 0) return fail_errno("pipe");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

Result<Pipe> make_socketpair(int type) {
  int p[2];
  if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, p) < 0) return fail_errno("socketpair");
  return Pipe{UniqueFd(p[0]), UniqueFd(p[1])};
}

Result<UniqueFd> open_at(int dirfd, std::string_view path, int flags, mode_t mode) {
  std::string p(path);
  int fd;
  do {
    fd = ::openat(dirfd, p.c_str(), flags | O_CLOEXEC, mode);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) return fail_errno(fmt::format("open `{}`", p));
  return UniqueFd(fd);
}

Status write_all(int fd, std::string_view data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("write");
    }
    p += n;
    left -= size_t(n);
  }
  return ok();
}

Result<std::string> read_all(int fd, size_t limit) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (n == 0) break;
    if (out.size() + size_t(n) > limit)
      return fail(EFBIG, fmt::format("read: more than {} bytes", limit));
    out.append(buf, size_t(n));
  }
  return out;
}

Result<size_t> read_some(int fd, void* buf, size_t n) {
  for (;;) {
    ssize_t r = ::read(fd, buf, n);
    if (r >= 0) return size_t(r);
    if (errno != EINTR) return fail_errno("read");
  }
}

Status send_fd(int sock, int fd, char tag) {
  struct msghdr msg{};
  struct iovec iov{&tag, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  for (;;) {
    if (sendmsg(sock, &msg, MSG_NOSIGNAL) >= 0) return ok();
    if (errno != EINTR) return fail_errno("sendmsg");
  }
}

Result<UniqueFd> recv_fd(int sock) {
  struct msghdr msg{};
  char tag;
  struct iovec iov{&tag, 1};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.buf;
  msg.msg_controllen = sizeof u.buf;
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("recvmsg");
  if (n == 0) return fail(EPIPE, "recvmsg: peer closed the socket");
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return fail(EPROTO, "recvmsg: no file descriptor received");
  int fd;
  memcpy(&fd, CMSG_DATA(c), sizeof(int));
  return UniqueFd(fd);
}

std::string fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

void close_other_fds(std::vector<int> keep) {
  std::sort(keep.begin(), keep.end());
  int lo = 3;
  for (int fd : keep) {
    if (fd < lo) continue;
    if (fd > lo && syscall(SYS_close_range, unsigned(lo), unsigned(fd - 1), 0) < 0)
      for (int i = lo; i < fd; ++i) (void)close(i);
    lo = fd + 1;
  }
  if (syscall(SYS_close_range, unsigned(lo), ~0u, 0) < 0) {
    long max = sysconf(_SC_OPEN_MAX);
    for (long i = lo; i < max; ++i) (void)close(int(i));
  }
}

}  // namespace skiff
