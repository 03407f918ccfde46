#pragma once
// The monitor's port forwarder: the host sockets the CLI bound for `-p` (inherited by the
// monitor) forwarded into the container's network namespace, from the monitor's own event
// loop (its epoll fd is one fd in the monitor's loop).
//
// TCP: accept on the host socket; the inner socket comes from a small pool of sockets made
// inside the container's namespaces by a short-lived child (it joins the container's user
// namespace when we are not root, then its network namespace, makes a batch of sockets and
// passes them back over SCM_RIGHTS); it connects to 127.0.0.1:<container port> there (a server
// bound to 0.0.0.0 or 127.0.0.1 in the container answers). Bytes move with splice(2) through
// a pipe per direction; a FIN is passed on as shutdown(SHUT_WR) once its direction is drained;
// a reset resets the other side. Level-triggered epoll, interest only in what can progress.
// UDP: one inner socket per client address (a flow), dropped after 90 s without traffic.
// The peer the container sees is 127.0.0.1: the client's address is not kept.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::monitor {

struct FwdPort {
  std::string proto;  ///< tcp | udp
  uint16_t container_port = 0;
  std::string host;   ///< "0.0.0.0:8080", for the log
  int fd = -1;        ///< the bound host socket (owned by the forwarder after init)
};

class PortForwarder {
 public:
  PortForwarder() = default;
  ~PortForwarder();
  PortForwarder(const PortForwarder&) = delete;
  PortForwarder& operator=(const PortForwarder&) = delete;

  /// Takes the host sockets. The returned fd (an epoll fd) is readable when there is work.
  Status init(std::vector<FwdPort> ports);
  int fd() const { return ep_.get(); }
  bool active() const { return ep_.valid(); }
  /// The container process `pid` (our child) runs: forward into its namespaces.
  void attach(pid_t pid);
  /// The container exited: drop every connection and flow (they hold its network namespace),
  /// leave new connections waiting in the host sockets' backlog.
  void detach();
  /// Handles whatever is ready (never blocks).
  void on_ready();

 private:
  struct Listener {
    FwdPort port;
    bool polled = false;
  };
  struct Conn {
    UniqueFd out, in;          // host side (accepted), container side
    UniqueFd p1r, p1w, p2r, p2w;  // pipes: out→in, in→out
    size_t q1 = 0, q2 = 0;     // bytes in each pipe
    size_t cap1 = 65536, cap2 = 65536;  // each pipe's size (grown for a busy direction)
    bool eof1 = false, eof2 = false, shut1 = false, shut2 = false;
    bool connecting = true;
    uint32_t ev_out = 0, ev_in = 0;
  };
  struct Flow {
    UniqueFd in;
    size_t listener = 0;
    std::string peer;  // the client's sockaddr bytes
    int64_t last = 0;
  };

  void add(int fd, uint64_t tag, uint32_t ev);
  void mod(int fd, uint64_t tag, uint32_t ev);
  void accept_tcp(size_t li);
  void recv_udp(size_t li);
  void flow_reply(uint64_t id);
  void pump(uint64_t id);
  void close_conn(uint64_t id, bool reset);
  void sweep_flows();
  void resume_listeners();
  int take_socket(bool udp);
  bool refill(bool udp);

  UniqueFd ep_, timer_, userns_, netns_;
  bool timer_armed_ = false;
  std::vector<Listener> listeners_;
  std::map<uint64_t, Conn> conns_;
  std::map<uint64_t, Flow> flows_;
  std::map<std::string, uint64_t> flow_by_peer_;  // listener index + peer bytes → flow id
  std::vector<int> pool_tcp_, pool_udp_;
  uint64_t next_id_ = 1;
};

}  // namespace skiff::monitor
