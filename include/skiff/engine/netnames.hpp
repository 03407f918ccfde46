#pragma once
// Names and user networks, the engine's side: the create-time checks of --add-host, --dns*,
// --ip, --mac-address, --network-alias, --link and --network NAME (recorded in the container's
// record), the start-time files (/etc/hostname, /etc/hosts, /etc/resolv.conf, written
// atomically in the run directory and bind-mounted; never through the root filesystem), and
// the `network` commands' operations over the store (include/skiff/network/netstore.hpp).
//
// Record: HostConfig.{Dns, DnsSearch, DnsOptions, ExtraHosts}, Config.MacAddress, and in the
// record's extra part `networks` ({NAME: {id, ip, prefix, gateway, aliases, mac}}), `links`
// ([{id, name, alias}]) and `noHosts`.

#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/network/l2switch.hpp"
#include "skiff/network/netstore.hpp"
#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/lock.hpp"

namespace skiff::engine {

/// The store of user networks (<graph>/networks).
network::NetStore net_store(const Engine& e);

/// True for a --network value that is a mode (none, host, bridge, slirp4netns:…, container:…),
/// not a user network's name.
bool is_network_mode(std::string_view v);

/// create: checks and records the name and network flags into `r`. The returned lock (the
/// network store's, when an address was allocated) must be held until the record is written.
Result<FileLock> apply_network_options(Engine& e, const CreateOptions& o, ContainerRecord& r);

/// What the container's network stack offers (filled from the stack; empty when none).
struct StackAddrs {
  std::string ip;       ///< the container's address
  std::string host_ip;  ///< the host as the container reaches it
  std::string dns;      ///< the stack's DNS forwarder
};

/// start: writes <rdir>/{hostname,hosts,resolv.conf} and adds the --link variables to the
/// process environment. kConflict when a linked container is not running (Docker's error).
Status prepare_names(Engine& e, const ContainerRecord& r, oci::Spec& spec, const std::string& rdir,
                     const StackAddrs& stack = {});

/// start: the container's interfaces on its user networks (eth0, eth1, … in attachment order),
/// for its monitor.
std::vector<network::TapSpec> network_taps(const Engine& e, const ContainerRecord& r);

/// `network reload`: writes a running container's /etc/hosts and /etc/resolv.conf again
/// (in place: they are bind-mounted), from its record and its networks' members now.
Status reload_names(Engine& e, const std::string& id);

/// Rewrites /etc/hosts of the running members of `network` (a member came or went).
void refresh_network_hosts(Engine& e, const std::string& network);

/// A container attached to a user network.
struct NetMember {
  std::string id, name, ip, mac;
  int prefix = 0;
  std::vector<std::string> aliases;
  bool running = false;
};
/// refresh_network_hosts for each user network of `r` (created or removed).
void refresh_after_membership_change(Engine& e, const ContainerRecord& r);

std::vector<NetMember> network_members(const Engine& e, const std::string& network);

/// inspect: HostConfig.Links ("/db:/app/alias" as Docker), null without links.
Json links_json(const ContainerRecord& r);
/// inspect: NetworkSettings.Networks for a container on user networks (left as it is otherwise).
void user_network_settings(const ContainerRecord& r, Json& settings);

/// Docker's `network inspect` object.
Json network_json(const Engine& e, const network::Network& n);

/// Removes a user network; in use: kConflict (Docker's text) unless `force`, which removes the
/// containers using it first.
Status remove_network(Engine& e, const std::string& ref, bool force);
/// `network connect`: attaches a (stopped or running) container; effective for its namespace
/// at its next start, for names at once.
Status connect_network(Engine& e, const std::string& net, const std::string& ctr, const std::string& ip,
                       const std::vector<std::string>& aliases);
/// `network disconnect`.
Status disconnect_network(Engine& e, const std::string& net, const std::string& ctr, bool force);

}  // namespace skiff::engine
