// A tap device inside a container's network namespace, made by a short-lived helper that joins
// the container's namespaces; its fd comes back over SCM_RIGHTS.
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "skiff/network/stack.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/process.hpp"

namespace skiff::network {

namespace {

Status set_addr(int s, unsigned long req, const char* ifname, const std::string& addr, const char* what) {
  struct ifreq ifr{};
  strncpy(ifr.ifr_name, ifname, IFNAMSIZ - 1);
  auto* sin = reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr);
  sin->sin_family = AF_INET;
  if (inet_pton(AF_INET, addr.c_str(), &sin->sin_addr) != 1) return fail(kInvalid, fmt::format("bad address {}", addr));
  if (ioctl(s, req, &ifr) < 0) return fail_errno(fmt::format("set the {} of {} to {}", what, ifname, addr));
  return ok();
}

std::string mask_of(int prefix) {
  uint32_t m = prefix ? htonl(~uint32_t(0) << (32 - prefix)) : 0;
  char buf[INET_ADDRSTRLEN];
  struct in_addr a{m};
  return inet_ntop(AF_INET, &a, buf, sizeof buf);
}

// In the helper, inside the namespaces: the tap device, configured.
Result<UniqueFd> make_tap(const NetInfo& info) {
  int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT || e == ENXIO || e == ENODEV)
      return fail(kUnsupported, "the container network needs /dev/net/tun, which this system lacks (load the tun "
                                "module: modprobe tun), or use --network none");
    return fail(e, fmt::format("open /dev/net/tun: {} (the container network needs it readable and writable by "
                               "you: mode 0666, as Debian's udev rules make it; or use --network none)", strerror(e)));
  }
  UniqueFd tap(fd);
  std::string name = info.iface.empty() ? "tap0" : info.iface;
  struct ifreq ifr{};
  strncpy(ifr.ifr_name, name.c_str(), IFNAMSIZ - 1);
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  if (ioctl(fd, TUNSETIFF, &ifr) < 0) return fail_errno(fmt::format("create the tap device {}", name));
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) return fail_errno("socket");
  UniqueFd sock(s);
  struct ifreq m{};
  strncpy(m.ifr_name, name.c_str(), IFNAMSIZ - 1);
  m.ifr_mtu = info.mtu ? info.mtu : 1500;
  if (ioctl(s, SIOCSIFMTU, &m) < 0) return fail_errno(fmt::format("set the MTU of {} to {}", name, m.ifr_mtu));
  TRY(set_addr(s, SIOCSIFADDR, name.c_str(), info.ip, "address"));
  TRY(set_addr(s, SIOCSIFNETMASK, name.c_str(), mask_of(info.prefix), "netmask"));
  struct ifreq f{};
  strncpy(f.ifr_name, name.c_str(), IFNAMSIZ - 1);
  if (ioctl(s, SIOCGIFFLAGS, &f) < 0) return fail_errno("read the tap device's flags");
  f.ifr_flags = short(f.ifr_flags | IFF_UP | IFF_RUNNING);
  if (ioctl(s, SIOCSIFFLAGS, &f) < 0) return fail_errno(fmt::format("bring {} up", name));
  struct rtentry rt{};
  auto* dst = reinterpret_cast<sockaddr_in*>(&rt.rt_dst);
  auto* gw = reinterpret_cast<sockaddr_in*>(&rt.rt_gateway);
  auto* mask = reinterpret_cast<sockaddr_in*>(&rt.rt_genmask);
  dst->sin_family = gw->sin_family = mask->sin_family = AF_INET;
  inet_pton(AF_INET, info.gateway.c_str(), &gw->sin_addr);
  rt.rt_flags = RTF_UP | RTF_GATEWAY;
  rt.rt_dev = const_cast<char*>(name.c_str());
  if (ioctl(s, SIOCADDRT, &rt) < 0) return fail_errno(fmt::format("add the default route via {}", info.gateway));
  return tap;
}

}  // namespace

Result<UniqueFd> open_tap(const Namespaces& ns, const NetInfo& info) {
  auto sp = TRY(make_socketpair(SOCK_SEQPACKET));
  pid_t h = fork();
  if (h < 0) return fail_errno("fork");
  if (h == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    int sock = sp.write.get();
    auto report = [&](const Error& e) {
      std::string m = fmt::format("E{}\n{}", e.code, e.msg);
      (void)!send(sock, m.data(), m.size(), MSG_NOSIGNAL);
      _exit(1);
    };
    if (ns.user >= 0 && setns(ns.user, CLONE_NEWUSER) < 0) report(errno_error("join the container's user namespace"));
    if (setns(ns.net, CLONE_NEWNET) < 0) report(errno_error("join the container's network namespace"));
    auto tap = make_tap(info);
    if (!tap) report(tap.error());
    if (!send_fd(sock, tap->get(), 'T')) _exit(1);
    _exit(0);
  }
  sp.write.reset();
  (void)wait_child(h);
  char buf[4096];
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
  ssize_t n = recvmsg(sp.read.get(), &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  if (n <= 0) return fail(EIO, "the tap helper died");
  if (buf[0] == 'E') {
    auto [code, text] = split_once(std::string_view(buf + 1, size_t(n - 1)), '\n');
    return Error{int(parse_int(code).value_or(EIO)), text.value_or("tap helper error")};
  }
  struct cmsghdr* cm = CMSG_FIRSTHDR(&msg);
  if (!cm || cm->cmsg_type != SCM_RIGHTS) return fail(EPROTO, "the tap helper sent no fd");
  int fd;
  memcpy(&fd, CMSG_DATA(cm), sizeof fd);
  return UniqueFd(fd);
}

}  // namespace skiff::network
