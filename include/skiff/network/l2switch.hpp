#pragma once
// User networks on the wire: each member container gets a tap device (eth0, eth1, …) in its own
// network namespace, whose other end is held by the container's monitor; the monitors of one
// network exchange Ethernet frames over unix datagram sockets in a private directory of the
// run root (<run root>/n/<network id12>/<mac hex>), so the network is a switch made of its
// members' monitors: no daemon, no bridge, no privilege (a tap in a namespace the user owns).
// Unicast frames go to the socket named after their destination MAC (members' MACs are
// unique on a network); broadcast and multicast frames (ARP) go to every member's socket.
// Containers on other networks have no socket there, so they cannot be reached.

#include <sys/types.h>

#include <string>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

/// One interface of a container on a user network.
struct TapSpec {
  std::string ifname;    ///< eth0, eth1, …
  std::string mac;       ///< 02:42:0a:59:00:02
  std::string ip;        ///< 10.89.0.2
  int prefix = 24;
  std::string gateway;   ///< default route through it ("" = none)
  std::string sock_dir;  ///< <run root>/n/<network id12>
};

/// Creates and configures the taps inside the network namespace `netns` (joining the user
/// namespace `userns` first, -1 when the container has none of its own) in a forked helper;
/// the fds are the ones the container's process sent (oci::Spec::send_ns_fds). Returns the
/// tap fds, in order.
Result<std::vector<UniqueFd>> make_taps(int netns, int userns, const std::vector<TapSpec>& specs);

/// One member's port on its network's switch.
class SwitchPort {
 public:
  /// Binds <sock_dir>/<mac hex> (removing a stale one) and takes the tap.
  static Result<SwitchPort> open(UniqueFd tap, const std::string& sock_dir, const std::string& mac);
  SwitchPort() = default;
  SwitchPort(SwitchPort&&) = default;
  SwitchPort& operator=(SwitchPort&&) = default;
  ~SwitchPort();
  int tap_fd() const { return tap_.get(); }
  int sock_fd() const { return sock_.get(); }
  /// Frames from the container: to the destination's socket, or every member's.
  void on_tap();
  /// Frames from the other members: into the container.
  void on_sock();

 private:
  void send_to(const std::string& name, const char* buf, size_t n);
  UniqueFd tap_, sock_, dir_;
  std::string dir_path_, self_;
};

/// "02:42:0a:59:00:02" → "02420a590002" (the socket name).
std::string mac_hex(std::string_view mac);

}  // namespace skiff::network
