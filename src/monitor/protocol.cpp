// The monitor's wire protocols (skiff/monitor/protocol.hpp): encoders, decoders, the ctl client.
#include "skiff/monitor/protocol.hpp"

#include <poll.h>
#include <sys/socket.h>

#include "skiff/util/ipc.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::monitor::proto {

namespace {

template <class... F>
struct Overload : F... {
  using F::operator()...;
};
template <class... F>
Overload(F...) -> Overload<F...>;

Failure bad(std::string_view what, std::string_view packet) {
  return fail(kInvalid, fmt::format("malformed monitor message ({}): {}", what, go_quote(packet.substr(0, 64))));
}

// A decimal int argument, within [lo, hi].
std::optional<int> int_arg(std::string_view s, int64_t lo, int64_t hi) {
  auto v = parse_int(s);
  if (!v || *v < lo || *v > hi) return std::nullopt;
  return int(*v);
}

// "ROWS COLS"
std::optional<Resize> parse_size(std::string_view s) {
  auto sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  auto r = int_arg(s.substr(0, sp), 0, 65535), c = int_arg(s.substr(sp + 1), 0, 65535);
  if (!r || !c) return std::nullopt;
  return Resize{uint16_t(*r), uint16_t(*c)};
}

}  // namespace

// ---- ctl ----

std::string encode_request(const Request& r) {
  return std::visit(Overload{
                        [](const Kill& k) { return fmt::format("kill {}", k.signal); },
                        [](const Stop& s) { return fmt::format("stop {} {}", s.timeout, s.signal); },
                        [](const Wait&) { return std::string("wait"); },
                        [](const SetRestartPolicy& p) { return fmt::format("restart-policy {} {}", p.name, p.max); },
                        [](const Resize& z) { return fmt::format("resize {} {}", z.rows, z.cols); },
                    },
                    r);
}

Result<Request> decode_request(std::string_view packet) {
  if (packet.size() > kMaxCtlPacket) return bad("request too long", packet);
  auto words = split(packet, ' ');
  const std::string& verb = words[0];
  size_t n = words.size();
  if (verb == "kill" && n == 2) {
    if (auto sig = int_arg(words[1], 1, 64)) return Request{Kill{*sig}};
  } else if (verb == "stop" && n == 3) {
    auto t = int_arg(words[1], INT32_MIN, INT32_MAX);
    auto sig = int_arg(words[2], 1, 64);
    if (t && sig) return Request{Stop{*t, *sig}};
  } else if (verb == "wait" && n == 1) {
    return Request{Wait{}};
  } else if (verb == "restart-policy" && n == 3) {
    auto max = int_arg(words[2], 0, INT32_MAX);
    if (!words[1].empty() && max) return Request{SetRestartPolicy{words[1], *max}};
  } else if (verb == "resize" && n == 3) {
    if (auto z = parse_size(packet.substr(7))) return Request{*z};
  } else if (verb != "kill" && verb != "stop" && verb != "wait" && verb != "restart-policy" && verb != "resize") {
    return bad("unknown request", packet);
  }
  return bad("bad arguments", packet);
}

std::string encode_reply(const Reply& r) {
  switch (r.kind) {
    case Reply::Gone: return {};
    case Reply::Ok: return "ok";
    case Reply::Exited: return fmt::format("exited {}", r.exit_code);
    case Reply::Err: return "err " + r.msg;
  }
  return {};
}

Result<Reply> decode_reply(std::string_view packet) {
  if (packet.size() > kMaxCtlPacket) return bad("reply too long", packet);
  if (packet.empty()) return Reply{};
  if (packet == "ok") return reply_ok();
  if (packet.rfind("exited ", 0) == 0) {
    if (auto c = int_arg(packet.substr(7), INT32_MIN, INT32_MAX)) return reply_exited(*c);
    return bad("bad exit code", packet);
  }
  if (packet.rfind("err ", 0) == 0) return reply_err(std::string(packet.substr(4)));
  return bad("unknown reply", packet);
}

Result<Reply> request(const std::string& run_dir, const Request& req, int timeout_ms) {
  auto s = ipc::connect_unix(SOCK_SEQPACKET, run_dir, "ctl");
  if (!s) {
    if (s.error().code == ENOENT || s.error().code == ECONNREFUSED) return Reply{};
    return fail(s.error().code, fmt::format("connect to the container monitor: {}", s.error().msg));
  }
  if (auto st = ipc::send_packet(s->get(), encode_request(req)); !st) {
    // Connected while the monitor was ending: it closed its listener with us in the backlog.
    if (st.error().code == EPIPE || st.error().code == ECONNRESET) return Reply{};
    return fail(st.error().code, "send to the container monitor: " + st.error().msg);
  }
  struct pollfd p{s->get(), POLLIN, 0};
  int r;
  do {
    r = poll(&p, 1, timeout_ms);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return fail(ETIMEDOUT, "the container monitor did not answer");
  auto pkt = ipc::recv_packet(s->get(), kMaxCtlPacket);
  if (!pkt) return Reply{};  // reset by a monitor that ended
  return decode_reply(pkt->data);
}

// ---- attach ----

std::string encode_client(const ClientPacket& p) {
  return std::visit(Overload{
                        [](const StdinData& d) { return "D" + d.data; },
                        [](const StdinEof&) { return std::string("E"); },
                        [](const Resize& z) { return fmt::format("W{} {}", z.rows, z.cols); },
                    },
                    p);
}

Result<ClientPacket> decode_client_packet(std::string_view packet) {
  if (packet.empty()) return bad("empty attach packet", packet);
  if (packet.size() > kMaxAttachPacket) return bad("attach packet too long", packet);
  std::string_view body = packet.substr(1);
  switch (packet[0]) {
    case 'D': return ClientPacket{StdinData{std::string(body)}};
    case 'E':
      if (body.empty()) return ClientPacket{StdinEof{}};
      break;
    case 'W':
      if (auto z = parse_size(body)) return ClientPacket{*z};
      break;
    default: return bad("unknown attach packet", packet);
  }
  return bad("bad attach packet", packet);
}

std::string encode_monitor(const MonitorPacket& p) {
  return std::visit(Overload{
                        [](const Output& o) { return encode_output(o.stream, o.data); },
                        [](const Exit& x) { return fmt::format("X{}", x.code); },
                    },
                    p);
}

std::string encode_output(int stream, std::string_view data) {
  std::string p;
  p.reserve(1 + data.size());
  p.push_back(char(stream));
  p.append(data);
  return p;
}

Result<MonitorPacket> decode_monitor_packet(std::string_view packet) {
  if (packet.empty()) return bad("empty attach packet", packet);
  if (packet.size() > kMaxAttachPacket) return bad("attach packet too long", packet);
  std::string_view body = packet.substr(1);
  if (packet[0] >= 1 && packet[0] <= 3) return MonitorPacket{Output{packet[0], std::string(body)}};
  if (packet[0] == 'X') {
    if (auto c = int_arg(body, INT32_MIN, INT32_MAX)) return MonitorPacket{Exit{*c}};
    return bad("bad exit code", packet);
  }
  return bad("unknown attach packet", packet);
}

// ---- sync ----

std::string encode_sync(const SyncMessage& m) {
  return std::visit(Overload{
                        [](const Created& c) { return fmt::format("created {} {}", c.pid, c.monitor_pid); },
                        [](const Started& s) { return fmt::format("started {}", s.pid); },
                        [](const Error& e) { return "error " + ipc::encode_error(e); },
                    },
                    m);
}

Result<SyncMessage> decode_sync(std::string_view packet) {
  if (packet.size() > kMaxSyncPacket) return bad("sync message too long", packet);
  if (packet.rfind("error ", 0) == 0) return SyncMessage{ipc::decode_error(packet.substr(6))};
  auto words = split(packet, ' ');
  if (words[0] == "created" && (words.size() == 2 || words.size() == 3)) {
    auto pid = int_arg(words[1], 1, INT32_MAX);
    auto mpid = words.size() == 3 ? int_arg(words[2], 1, INT32_MAX) : std::optional<int>(-1);
    if (pid && mpid) return SyncMessage{Created{*pid, *mpid}};
    return bad("bad pid", packet);
  }
  if (words[0] == "started" && words.size() == 2) {
    if (auto pid = int_arg(words[1], 1, INT32_MAX)) return SyncMessage{Started{*pid}};
    return bad("bad pid", packet);
  }
  return bad("unexpected message", packet);
}

}  // namespace skiff::monitor::proto
