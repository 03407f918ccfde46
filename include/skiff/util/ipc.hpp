#pragma once
// Unix-socket plumbing shared by every inter-process protocol (monitor/protocol.hpp, the
// runtime's sync socket, user-namespace workers): one connect/listen with the long-path
// fallback, one packet send/receive (optionally carrying an fd), one error encoding.

#include <optional>
#include <string>
#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::ipc {

/// Connects a unix socket of `type` (SOCK_SEQPACKET, SOCK_STREAM, …; SOCK_CLOEXEC is added) to
/// `dir`/`name`. A path longer than sun_path is reached through /proc/self/fd/N of the
/// directory. The error keeps connect's errno: ENOENT or ECONNREFUSED mean nobody listens.
Result<UniqueFd> connect_unix(int type, std::string_view dir, std::string_view name);

/// Binds `dir`/`name` (a stale socket file there is replaced) and listens; same fallback for
/// long paths. `type` may carry SOCK_NONBLOCK; SOCK_CLOEXEC is added.
Result<UniqueFd> listen_unix(int type, std::string_view dir, std::string_view name, int backlog = 64);

/// Sends one packet (MSG_NOSIGNAL, retried on EINTR). `flags` adds e.g. MSG_DONTWAIT.
Status send_packet(int sock, std::string_view data, int flags = 0);

/// A received packet and the fd it carried (SCM_RIGHTS), if any.
struct Packet {
  std::string data;  ///< empty at EOF (our protocols never send an empty packet)
  UniqueFd fd;
};

/// Receives one packet of at most `max` bytes (retried on EINTR); a longer one is an error
/// (EMSGSIZE), never silently cut. EOF gives an empty packet. A received fd is close-on-exec.
Result<Packet> recv_packet(int sock, size_t max, int flags = 0);

/// The one encoding of an Error between processes: "<code>\n<msg>".
std::string encode_error(const Error& e);

/// Decodes encode_error's text; a body without a numeric code becomes EIO with the whole
/// body as its message.
Error decode_error(std::string_view body);

}  // namespace skiff::ipc
