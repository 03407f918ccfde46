#pragma once
// --log-driver journald: each line of the container's output becomes a journal entry, sent
// over journald's native datagram protocol (no libsystemd): MESSAGE, PRIORITY (6 stdout,
// 3 stderr), CONTAINER_ID (12 hex), CONTAINER_ID_FULL, CONTAINER_NAME, CONTAINER_TAG,
// SYSLOG_IDENTIFIER (the tag), CONTAINER_PARTIAL_MESSAGE=true on a piece of a longer line.
// The socket is /run/systemd/journal/socket ($SKIFF_JOURNAL_SOCKET for tests).

#include <string>
#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::monitor {

/// The journal socket path (the environment's override, else systemd's).
std::string journal_socket_path();

class JournalWriter {
 public:
  /// Connects to the journal socket; fails when there is none.
  Status open(const std::string& id, const std::string& name, const std::string& tag);
  void write(std::string_view stream, std::string_view data);

 private:
  void send_entry(std::string_view message, int priority, bool partial);
  UniqueFd sock_;
  std::string common_;  // the fields every entry carries
};

/// One native-protocol field: KEY=value\n, or the binary form when value has a newline.
std::string journal_field(std::string_view key, std::string_view value);

}  // namespace skiff::monitor
