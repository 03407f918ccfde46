#include "skiff/network/l2switch.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <net/route.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::network {

std::string mac_hex(std::string_view mac) {
  std::string out;
  for (char c : mac)
    if (c != ':') out.push_back(char(std::tolower((unsigned char)c)));
  return out;
}

namespace {

constexpr int kSwitchMtu = 65520;  // + 14 bytes of Ethernet header fit the 64 KiB buffers below

bool parse_mac(std::string_view mac, unsigned char out[6]) {
  std::string h = mac_hex(mac);
  if (h.size() != 12) return false;
  for (int i = 0; i < 6; ++i) out[i] = (unsigned char)std::stoul(h.substr(size_t(i) * 2, 2), nullptr, 16);
  return true;
}

void set_in(struct sockaddr* sa, const std::string& ip) {
  auto* in = reinterpret_cast<struct sockaddr_in*>(sa);
  in->sin_family = AF_INET;
  inet_pton(AF_INET, ip.c_str(), &in->sin_addr);
}

// In the helper (inside the container's namespaces): one tap, configured. Returns errno or 0.
int make_tap(const TapSpec& s, int* tap_out, const char** step) {
  *step = "open /dev/net/tun";
  int tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
  if (tap < 0) return errno;
  struct ifreq ifr{};
  ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
  strncpy(ifr.ifr_name, s.ifname.c_str(), IFNAMSIZ - 1);
  *step = "create the tap device";
  if (ioctl(tap, TUNSETIFF, &ifr) < 0) return errno;
  int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sk < 0) return errno;
  struct ifreq r{};
  strncpy(r.ifr_name, s.ifname.c_str(), IFNAMSIZ - 1);
  r.ifr_hwaddr.sa_family = ARPHRD_ETHER;
  *step = "set the MAC address";
  if (!parse_mac(s.mac, reinterpret_cast<unsigned char*>(r.ifr_hwaddr.sa_data))) return EINVAL;
  if (ioctl(sk, SIOCSIFHWADDR, &r) < 0) return errno;
  // Every member is ours: a 64 KiB MTU (as pasta's and slirp's) moves a TCP window in a few
  // frames, each one read and one sendto here.
  *step = "set the MTU";
  r.ifr_mtu = kSwitchMtu;
  if (ioctl(sk, SIOCSIFMTU, &r) < 0) return errno;
  *step = "set the address";
  set_in(&r.ifr_addr, s.ip);
  if (ioctl(sk, SIOCSIFADDR, &r) < 0) return errno;
  uint32_t mask = s.prefix == 0 ? 0 : htonl(~uint32_t(0) << (32 - s.prefix));
  auto* m = reinterpret_cast<struct sockaddr_in*>(&r.ifr_netmask);
  m->sin_family = AF_INET;
  m->sin_addr.s_addr = mask;
  *step = "set the netmask";
  if (ioctl(sk, SIOCSIFNETMASK, &r) < 0) return errno;
  *step = "bring the interface up";
  if (ioctl(sk, SIOCGIFFLAGS, &r) < 0) return errno;
  r.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl(sk, SIOCSIFFLAGS, &r) < 0) return errno;
  if (!s.gateway.empty()) {
    struct rtentry rt{};
    set_in(&rt.rt_dst, "0.0.0.0");
    set_in(&rt.rt_genmask, "0.0.0.0");
    set_in(&rt.rt_gateway, s.gateway);
    rt.rt_flags = RTF_UP | RTF_GATEWAY;
    rt.rt_dev = const_cast<char*>(s.ifname.c_str());
    *step = "add the default route";
    if (ioctl(sk, SIOCADDRT, &rt) < 0 && errno != EEXIST) return errno;
  }
  close(sk);
  *tap_out = tap;
  return 0;
}

}  // namespace

Result<std::vector<UniqueFd>> make_taps(int netns, int userns, const std::vector<TapSpec>& specs) {
  std::vector<UniqueFd> taps;
  if (specs.empty()) return taps;
  if (netns < 0) return fail(EINVAL, "user network interface: the container's network namespace was not sent");
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) return fail_errno("socketpair");
  UniqueFd parent{sv[0]}, child{sv[1]};
  pid_t h = fork();
  if (h < 0) return fail_errno("fork the network helper");
  if (h == 0) {
    parent.reset();
    auto report = [&](const std::string& msg) {
      (void)send(child.get(), msg.data(), msg.size(), MSG_NOSIGNAL);
      _exit(1);
    };
    if (userns >= 0 && setns(userns, CLONE_NEWUSER) < 0)
      report(fmt::format("join the container's user namespace: {}", strerror(errno)));
    if (setns(netns, CLONE_NEWNET) < 0)
      report(fmt::format("join the container's network namespace: {}", strerror(errno)));
    for (auto& s : specs) {
      int tap = -1;
      const char* step = "";
      if (int err = make_tap(s, &tap, &step); err != 0)
        report(fmt::format("{} {}: {}", s.ifname, step, strerror(err)));
      if (!send_fd(child.get(), tap, 'T')) _exit(1);
      close(tap);
    }
    _exit(0);
  }
  child.reset();
  std::string err;
  for (size_t i = 0; i < specs.size(); ++i) {
    // An error text (no fd) or a tap fd.
    char buf[512];
    struct msghdr msg{};
    struct iovec iov{buf, sizeof buf};
    alignas(struct cmsghdr) char ctl[CMSG_SPACE(sizeof(int))];
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = ctl;
    msg.msg_controllen = sizeof ctl;
    ssize_t n;
    do {
      n = recvmsg(parent.get(), &msg, MSG_CMSG_CLOEXEC);
    } while (n < 0 && errno == EINTR);
    if (n <= 0) {
      err = "the network helper ended early";
      break;
    }
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
    if (c && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      taps.emplace_back(fd);
    } else {
      err = std::string(buf, size_t(n));
      break;
    }
  }
  (void)wait_child(h);
  if (!err.empty() || taps.size() != specs.size())
    return fail(EIO, fmt::format("user network interface: {}", err.empty() ? "the helper failed" : err));
  return taps;
}

Result<SwitchPort> SwitchPort::open(UniqueFd tap, const std::string& sock_dir, const std::string& mac) {
  SwitchPort p;
  TRY(mkdir_p(sock_dir, 0700));
  p.dir_ = TRY(open_path(sock_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  p.dir_path_ = fd_path(p.dir_.get());
  p.self_ = mac_hex(mac);
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (s < 0) return fail_errno("network switch socket");
  p.sock_.reset(s);
  (void)unlinkat(p.dir_.get(), p.self_.c_str(), 0);  // a killed monitor's
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string path = p.dir_path_ + "/" + p.self_;
  memcpy(a.sun_path, path.data(), std::min(path.size(), sizeof a.sun_path - 1));
  if (bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) return fail_errno("bind the network switch socket");
  int big = 1 << 20;
  (void)setsockopt(s, SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
  (void)setsockopt(s, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
  int fl = fcntl(tap.get(), F_GETFL);
  (void)fcntl(tap.get(), F_SETFL, fl | O_NONBLOCK);
  p.tap_ = std::move(tap);
  return p;
}

SwitchPort::~SwitchPort() {
  if (dir_.valid() && !self_.empty()) (void)unlinkat(dir_.get(), self_.c_str(), 0);
}

void SwitchPort::send_to(const std::string& name, const char* buf, size_t n) {
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string path = dir_path_ + "/" + name;
  memcpy(a.sun_path, path.data(), std::min(path.size(), sizeof a.sun_path - 1));
  if (sendto(sock_.get(), buf, n, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0 &&
      errno == ECONNREFUSED)
    (void)unlinkat(dir_.get(), name.c_str(), 0);  // nobody bound: a killed member's
}

void SwitchPort::on_tap() {
  char buf[65536];
  for (int i = 0; i < 64; ++i) {
    ssize_t n = read(tap_.get(), buf, sizeof buf);
    if (n < 14) return;  // EAGAIN, or not a frame
    const auto* d = reinterpret_cast<const unsigned char*>(buf);
    if (d[0] & 1) {  // broadcast or multicast: every other member
      (void)for_each_entry(dir_.get(), [&](int, const struct dirent& e) {
        if (e.d_name[0] != '.' && self_ != e.d_name) send_to(e.d_name, buf, size_t(n));
        return ok();
      });
    } else {
      send_to(fmt::format("{:02x}{:02x}{:02x}{:02x}{:02x}{:02x}", d[0], d[1], d[2], d[3], d[4], d[5]), buf, size_t(n));
    }
  }
}

void SwitchPort::on_sock() {
  char buf[65536];
  for (int i = 0; i < 64; ++i) {
    ssize_t n = recv(sock_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return;
    (void)write(tap_.get(), buf, size_t(n));  // a full tap queue drops the frame, as a wire would
  }
}

}  // namespace skiff::network
