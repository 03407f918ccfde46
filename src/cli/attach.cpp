#include "attach.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "output.hpp"
#include "skiff/monitor/protocol.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

Result<std::string> parse_detach_keys(const std::string& spec) {
  std::string out;
  if (spec.empty()) return out;
  for (auto& k : split(spec, ',')) {
    std::string key = to_lower(k);
    if (key.size() == 1) {
      out.push_back(k[0]);
    } else if (key.starts_with("ctrl-") && key.size() == 6) {
      char c = key[5];
      if (c >= 'a' && c <= 'z') out.push_back(char(c - 'a' + 1));
      else if (c == '@') out.push_back(0);
      else if (c == '[') out.push_back(27);
      else if (c == '\\') out.push_back(28);
      else if (c == ']') out.push_back(29);
      else if (c == '^') out.push_back(30);
      else if (c == '_') out.push_back(31);
      else return fail(kInvalid, fmt::format("invalid detach keys \"{}\": unknown character '{}'", spec, k));
    } else if (key == "ctrl-,") {
      out.push_back(',');
    } else {
      return fail(kInvalid, fmt::format("invalid detach keys \"{}\": unknown key '{}'", spec, k));
    }
  }
  return out;
}

namespace {

// Terminal state saved on entry and restored by the destructor (every exit path).
class RawTerminal {
 public:
  bool enter(int fd) {
    if (tcgetattr(fd, &saved_) < 0) return false;
    struct termios raw = saved_;
    cfmakeraw(&raw);
    raw.c_oflag &= ~OPOST;
    if (tcsetattr(fd, TCSADRAIN, &raw) < 0) return false;
    fd_ = fd;
    return true;
  }
  ~RawTerminal() {
    if (fd_ >= 0) tcsetattr(fd_, TCSADRAIN, &saved_);
  }

 private:
  int fd_ = -1;
  struct termios saved_{};
};

namespace proto = monitor::proto;

Result<UniqueFd> connect_attach(const std::string& run_dir) {
  auto s = ipc::connect_unix(SOCK_SEQPACKET, run_dir, "attach");
  if (!s && (s.error().code == ENOENT || s.error().code == ECONNREFUSED))
    return fail(kConflict, "the container is not running");
  if (!s) return fail(s.error().code, "connect to the container: " + s.error().msg);
  return s;
}

void send_pkt(int fd, const proto::ClientPacket& p) { (void)ipc::send_packet(fd, proto::encode_client(p)); }

// Stdin in packets of at most 64 KiB (the monitor's packet size), so nothing is lost.
void send_stdin(int fd, std::string_view data) {
  do {
    std::string_view piece = data.substr(0, proto::kMaxAttachData);
    data.remove_prefix(piece.size());
    send_pkt(fd, proto::StdinData{std::string(piece)});
  } while (!data.empty());
}

void send_winsize(int sock) {
  struct winsize ws{};
  if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) send_pkt(sock, proto::Resize{ws.ws_row, ws.ws_col});
}

}  // namespace

Result<AttachResult> attach_session(const std::string& run_dir, const AttachOptions& o, monitor::Launch* launch,
                                    const std::function<void(int)>& ctl_kill) {
  auto sock = TRY(connect_attach(run_dir));
  bool terminal = o.tty && isatty(0);
  RawTerminal raw;
  if (terminal && o.stdin_open) raw.enter(0);
  if (o.tty) send_winsize(sock.get());
  sigset_t set, old;
  sigemptyset(&set);
  for (int s : {SIGWINCH, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&set, s);
  sigprocmask(SIG_BLOCK, &set, &old);
  UniqueFd sigfd(signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  struct Restore {
    sigset_t* old;
    ~Restore() { sigprocmask(SIG_SETMASK, old, nullptr); }
  } restore{&old};
  if (launch) TRY(launch->go());
  flush_out();

  AttachResult res;
  bool stdin_live = o.stdin_open;
  // Detach keys exist only with a terminal (Docker's escape proxy): without -t, stdin is data
  // and may hold any bytes (\x10\x11 in a binary stream must not end the session).
  const std::string keys = o.tty ? o.detach_keys : std::string();
  std::string held;  // bytes that may be the start of the detach sequence
  size_t match = 0;
  char buf[65537];
  for (;;) {
    struct pollfd fds[3] = {{sock.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {stdin_live ? 0 : -1, POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return fail_errno("poll");
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo si;
      while (read(sigfd.get(), &si, sizeof si) == ssize_t(sizeof si)) {
        if (si.ssi_signo == SIGWINCH) {
          if (o.tty) send_winsize(sock.get());
        } else if (o.sig_proxy && !o.tty) {
          ctl_kill(int(si.ssi_signo));
        } else {
          res.detached = true;  // no proxy: the signal ends our session, not the container
          return res;
        }
      }
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = read(0, buf, sizeof buf - 1);
      if (n <= 0) {
        stdin_live = false;
        if (!held.empty()) send_stdin(sock.get(), held);
        held.clear();
        send_pkt(sock.get(), proto::StdinEof{});
      } else {
        // Detach keys may arrive split across reads; a partial match is held back and sent
        // on as it was typed if the next byte does not continue the sequence.
        std::string outb;
        for (ssize_t i = 0; i < n; ++i) {
          char c = buf[i];
          if (!keys.empty() && c == keys[match]) {
            held.push_back(c);
            if (++match == keys.size()) {
              if (!outb.empty()) send_stdin(sock.get(), outb);
              res.detached = true;
              return res;
            }
            continue;
          }
          if (!held.empty()) {
            outb += held;
            held.clear();
            match = 0;
            if (!keys.empty() && c == keys[0]) {
              held.push_back(c);
              match = 1;
              continue;
            }
          }
          outb.push_back(c);
        }
        if (!outb.empty()) send_stdin(sock.get(), outb);
      }
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      ssize_t n = recv(sock.get(), buf, sizeof buf, 0);
      if (n <= 0) {
        res.exit_code = -1;  // monitor gone without a final message: caller reads the state
        return res;
      }
      auto pkt = proto::decode_monitor_packet(std::string_view(buf, size_t(n)));
      if (!pkt) continue;
      if (auto* x = std::get_if<proto::Exit>(&*pkt)) {
        res.exit_code = x->code;
        return res;
      }
      auto& out = std::get<proto::Output>(*pkt);
      if (out.stream == 2) {
        if (o.out) (void)write_all(1, out.data);
      } else if (out.stream == 3) {
        if (o.err) (void)write_all(2, out.data);
      }
    }
  }
}

}  // namespace skiff::cli
