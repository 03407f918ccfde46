#pragma once
// What a container's network offers, as recorded in its run directory (`network.json`, written
// by the engine at every start, before the monitor starts the stack that provides it). The
// writers of /etc/hosts and /etc/resolv.conf and `inspect` read it from here: the container's
// address, its gateway, the DNS address to put in resolv.conf, and the address at which the
// host is reachable (host.containers.internal, host.docker.internal).

#include <string>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

struct NetInfo {
  /// How the container is networked: "pasta", "builtin", "slirp4netns" (a user-mode stack in
  /// a namespace of its own), "none" (loopback only), "host", "container" (another container's
  /// namespace: `container` names it), "ns" (a namespace file: `ns_path`).
  std::string mode = "none";
  std::string container;  ///< mode "container": the other container's ID
  std::string ns_path;    ///< mode "ns": the namespace file
  std::string iface;      ///< interface inside the container ("eth0", "tap0"); "" without one
  std::string ip;         ///< the container's IPv4 address ("" without one)
  int prefix = 0;         ///< its prefix length
  std::string gateway;    ///< IPv4 default gateway
  std::string ip6;        ///< IPv6 address, when the stack gives one
  std::string dns;        ///< the nameserver to put in resolv.conf ("" = the host's, for host mode)
  std::string host_ip;    ///< where the container reaches the host (host.containers.internal)
  std::string mac;        ///< MAC address of `iface`, when known
  int mtu = 0;            ///< 0 = the stack's default

  /// A user-mode stack runs for it (the monitor starts and owns it).
  bool has_stack() const { return mode == "pasta" || mode == "builtin" || mode == "slirp4netns"; }
};

Json to_json(const NetInfo& n);
NetInfo netinfo_from_json(const Json& j);

/// <run dir>/network.json; a missing file reads as mode "none".
inline constexpr const char* kNetInfoFile = "network.json";
Result<NetInfo> read_netinfo(const std::string& run_dir);

}  // namespace skiff::network
