#include "skiff/util/ipc.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "skiff/util/strings.hpp"

namespace skiff::ipc {

namespace {

// The address of dir/name; `dirfd` keeps the directory open while a long path goes through it.
Result<sockaddr_un> address(std::string_view dir, std::string_view name, UniqueFd& dirfd) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string path = fmt::format("{}/{}", dir, name);
  if (path.size() >= sizeof addr.sun_path) {
    dirfd = TRY(open_path(dir, O_PATH | O_DIRECTORY));
    path = fmt::format("{}/{}", fd_path(dirfd.get()), name);
    if (path.size() >= sizeof addr.sun_path) return fail(ENAMETOOLONG, fmt::format("socket name too long: `{}`", name));
  }
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

}  // namespace

Result<UniqueFd> connect_unix(int type, std::string_view dir, std::string_view name) {
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("socket");
  UniqueFd s(fd);
  UniqueFd dirfd;
  auto addr = TRY(address(dir, name, dirfd));
  int r;
  do {
    r = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } while (r < 0 && errno == EINTR);
  if (r < 0) return fail_errno(fmt::format("connect to `{}/{}`", dir, name));
  return s;
}

Result<UniqueFd> listen_unix(int type, std::string_view dir, std::string_view name, int backlog) {
  int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("socket");
  UniqueFd s(fd);
  UniqueFd dirfd;
  auto addr = TRY(address(dir, name, dirfd));
  (void)unlink(addr.sun_path);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0)
    return fail_errno(fmt::format("bind `{}`", addr.sun_path));
  if (listen(fd, backlog) < 0) return fail_errno("listen");
  return s;
}

Status send_packet(int sock, std::string_view data, int flags) {
  for (;;) {
    if (send(sock, data.data(), data.size(), MSG_NOSIGNAL | flags) >= 0) return ok();
    if (errno != EINTR) return fail_errno("send");
  }
}

Result<Packet> recv_packet(int sock, size_t max, int flags) {
  Packet p;
  p.data.resize(max + 1);  // one byte more: a packet that fills it was longer than max
  struct msghdr msg{};
  struct iovec iov{p.data.data(), p.data.size()};
  union {
    char b[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } u{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = u.b;
  msg.msg_controllen = sizeof u.b;
  ssize_t n;
  do {
    n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC | flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail_errno("recv");
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c))
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      p.fd.reset(fd);
    }
  if (size_t(n) > max || (msg.msg_flags & MSG_TRUNC))
    return fail(EMSGSIZE, fmt::format("received a packet of more than {} bytes", max));
  p.data.resize(size_t(n));
  return p;
}

std::string encode_error(const Error& e) { return fmt::format("{}\n{}", e.code, e.msg); }

Error decode_error(std::string_view body) {
  auto nl = body.find('\n');
  if (nl != std::string_view::npos)
    if (auto code = parse_int(body.substr(0, nl)); code && *code > 0 && *code <= INT32_MAX)
      return Error{int(*code), std::string(body.substr(nl + 1))};
  return Error{EIO, std::string(body)};
}

}  // namespace skiff::ipc
