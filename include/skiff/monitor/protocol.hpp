#pragma once
// The monitor's wire protocols, typed: every message the CLI/engine and a monitor exchange is
// built and parsed here, on both sides. The bytes are those of the first release (monitors of
// running containers outlive an upgrade of the binary), so each encoding below is frozen:
//
//   sync socket (SOCK_SEQPACKET, launch ↔ new monitor)
//     M→CLI  "created <pid> <monitor pid>"   the container process waits for go
//            "started <pid>"                 it runs
//            "error <code>\n<msg>"           ipc::encode_error after "error "
//     CLI→M  "go" (or EOF: the container starts either way)
//   ctl (<run dir>/ctl, SOCK_SEQPACKET, one request per connection)
//     "kill SIG" | "stop TIMEOUT SIG" | "wait" | "restart-policy NAME MAX" | "resize ROWS COLS"
//     replies "ok" | "exited CODE" | "err MSG"; no reply (EOF, or no listener): not running
//   attach (<run dir>/attach, SOCK_SEQPACKET)
//     client→M  'D'+bytes stdin | 'E' stdin EOF | 'W'+"ROWS COLS" resize
//     M→client  '\1'|'\2'|'\3'+bytes (stdin echo, stdout, stderr) | 'X'+"CODE" the session's end

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "skiff/util/result.hpp"

namespace skiff::monitor::proto {

inline constexpr size_t kMaxCtlPacket = 256;         ///< a ctl request or reply
inline constexpr size_t kMaxAttachData = 65536;      ///< stdin/output bytes per attach packet
inline constexpr size_t kMaxAttachPacket = kMaxAttachData + 1;
inline constexpr size_t kMaxSyncPacket = 16384;      ///< a sync message (an error's text)

// ---- ctl requests and replies ----

struct Kill {
  int signal = 0;
};
struct Stop {
  int timeout = 10;  ///< seconds before SIGKILL; < 0: at once
  int signal = 15;
};
struct Wait {};
struct SetRestartPolicy {
  std::string name;  ///< no | on-failure | always | unless-stopped
  int max = 0;
};
struct Resize {
  uint16_t rows = 0, cols = 0;
};
using Request = std::variant<Kill, Stop, Wait, SetRestartPolicy, Resize>;

std::string encode_request(const Request& r);
/// Errors (kInvalid) name what is wrong: unknown verb, missing or bad argument, too long.
Result<Request> decode_request(std::string_view packet);

struct Reply {
  enum Kind { Gone, Ok, Exited, Err };
  Kind kind = Gone;   ///< Gone: no monitor answered (not running)
  int exit_code = 0;  ///< Exited
  std::string msg;    ///< Err
};
inline Reply reply_ok() { return Reply{Reply::Ok, 0, {}}; }
inline Reply reply_exited(int code) { return Reply{Reply::Exited, code, {}}; }
inline Reply reply_err(std::string msg) { return Reply{Reply::Err, 0, std::move(msg)}; }

/// Gone encodes as nothing (""), as a monitor that closes the connection.
std::string encode_reply(const Reply& r);
/// "" decodes as Gone; anything unknown is an error.
Result<Reply> decode_reply(std::string_view packet);

/// Sends `req` to the monitor of `run_dir` and waits for its reply (timeout_ms < 0: forever).
/// No monitor listening, or one that ends without answering: Reply::Gone.
Result<Reply> request(const std::string& run_dir, const Request& req, int timeout_ms);

// ---- attach packets ----

struct StdinData {
  std::string data;
};
struct StdinEof {};
using ClientPacket = std::variant<StdinData, StdinEof, Resize>;

struct Output {
  int stream = 2;  ///< 1 stdin, 2 stdout, 3 stderr
  std::string data;
};
struct Exit {
  int code = 0;
};
using MonitorPacket = std::variant<Output, Exit>;

/// StdinData longer than kMaxAttachData is refused by the decoder: senders split it.
std::string encode_client(const ClientPacket& p);
Result<ClientPacket> decode_client_packet(std::string_view packet);
std::string encode_monitor(const MonitorPacket& p);
/// An Output packet straight from the bytes read (the monitor's hot path: one copy).
std::string encode_output(int stream, std::string_view data);
Result<MonitorPacket> decode_monitor_packet(std::string_view packet);

// ---- the sync socket of a launch ----

struct Created {
  pid_t pid = -1;
  pid_t monitor_pid = -1;  ///< -1 when an old monitor did not say
};
struct Started {
  pid_t pid = -1;
};
using SyncMessage = std::variant<Created, Started, Error>;

std::string encode_sync(const SyncMessage& m);
Result<SyncMessage> decode_sync(std::string_view packet);
/// CLI→M: let the container run.
inline constexpr std::string_view kGo = "go";

}  // namespace skiff::monitor::proto
