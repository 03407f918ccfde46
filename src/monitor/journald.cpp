// --log-driver journald (journald.hpp).
#include "journald.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "skiff/util/log.hpp"

namespace skiff::monitor {

std::string journal_socket_path() {
  if (const char* p = getenv("SKIFF_JOURNAL_SOCKET"); p && *p) return p;
  return "/run/systemd/journal/socket";
}

std::string journal_field(std::string_view key, std::string_view value) {
  std::string out(key);
  if (value.find('\n') == std::string_view::npos) {
    out += "=";
    out += value;
    out += "\n";
    return out;
  }
  out += "\n";
  uint64_t n = value.size();
  for (int i = 0; i < 8; ++i) out.push_back(char((n >> (8 * i)) & 0xff));  // little endian
  out += value;
  out += "\n";
  return out;
}

Status JournalWriter::open(const std::string& id, const std::string& name, const std::string& tag) {
  std::string path = journal_socket_path();
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return fail_errno("socket");
  sock_.reset(fd);
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) return fail(kInvalid, fmt::format("journal socket path too long: {}", path));
  memcpy(a.sun_path, path.c_str(), path.size() + 1);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0)
    return fail_errno(fmt::format("log driver journald: connect to the journal at {}", path));
  common_ = journal_field("CONTAINER_ID", id.substr(0, 12)) + journal_field("CONTAINER_ID_FULL", id) +
            journal_field("CONTAINER_NAME", name) + journal_field("CONTAINER_TAG", tag) +
            journal_field("SYSLOG_IDENTIFIER", tag);
  return ok();
}

void JournalWriter::send_entry(std::string_view message, int priority, bool partial) {
  std::string d = journal_field("MESSAGE", message) + journal_field("PRIORITY", std::to_string(priority)) + common_;
  if (partial) d += journal_field("CONTAINER_PARTIAL_MESSAGE", "true");
  // Entries larger than the socket's buffer would need a memfd (journald accepts one): the
  // output comes in reads of at most 8 KiB, so a datagram stays small.
  if (send(sock_.get(), d.data(), d.size(), MSG_NOSIGNAL) < 0 && errno != EAGAIN)
    log::warn("journald: {}", strerror(errno));
}

void JournalWriter::write(std::string_view stream, std::string_view data) {
  if (!sock_) return;
  int prio = stream == "stderr" ? 3 : 6;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) {
      send_entry(data.substr(start), prio, true);
      break;
    }
    send_entry(data.substr(start, nl - start), prio, false);
    start = nl + 1;
  }
}

}  // namespace skiff::monitor
