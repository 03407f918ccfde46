#pragma once
// Names inside a container: the text of its /etc/hosts and /etc/resolv.conf, and the checks
// of the flags that feed them (--add-host, --dns, --dns-search, --dns-option, --ip,
// --mac-address, --network-alias, --link). Pure functions: the caller reads the host's files
// and writes the results (atomically, in the container's run directory, from where they are
// bind-mounted; never through a path inside the root filesystem).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff::network {

/// One line of /etc/hosts: an address and its names.
struct HostEntry {
  std::string ip;
  std::vector<std::string> names;
};

/// What /etc/hosts is made of.
struct HostsInput {
  /// The base text (containers.conf base_hosts_file: a file's contents, the image's
  /// /etc/hosts); nullopt = Docker's localhost lines.
  std::optional<std::string> base;
  std::vector<HostEntry> extra;   ///< --add-host, in order (host-gateway already resolved)
  std::vector<HostEntry> peers;   ///< --link aliases and user-network members
  std::string host_ip;            ///< host.containers.internal / host.docker.internal ("" = none)
  std::string ip;                 ///< the container's own address ("" = 127.0.1.1)
  std::vector<std::string> self;  ///< its names: hostname, name, short ID, aliases (dups dropped)
};

/// Docker's localhost lines (127.0.0.1 localhost, ::1 …, ff02::2 ip6-allrouters).
std::string default_hosts_base();
/// The /etc/hosts text: base, --add-host entries, peers, the host's names, the container's.
std::string hosts_file(const HostsInput& in);

/// What /etc/resolv.conf is made of.
struct ResolvInput {
  std::string host_text;                 ///< the host's /etc/resolv.conf
  std::vector<std::string> servers;      ///< --dns / dns_servers (replace the host's)
  std::vector<std::string> searches;     ///< --dns-search / dns_searches ("." = none)
  std::vector<std::string> options;      ///< --dns-option / dns_options
  std::string stack_dns;                 ///< the network stack's DNS forwarder ("" = none)
  bool host_network = false;             ///< --network host: the host's servers as they are
};
/// The /etc/resolv.conf text. With a network stack, its DNS forwarder (which asks the host's
/// resolvers) replaces the host's name servers; without one, the host's loopback name servers
/// are dropped (they cannot be reached from a network namespace of the container's own).
std::string resolv_conf(const ResolvInput& in);

/// The special --add-host address meaning "the host, as the container reaches it".
inline constexpr std::string_view kHostGateway = "host-gateway";

/// Parses `--add-host NAME:IP` (also NAME=IP, IPv6 with colons, [IPv6]); the IP may be
/// "host-gateway". kInvalid naming the value otherwise.
Result<HostEntry> parse_add_host(std::string_view spec);
/// True for a dotted IPv4 or an IPv6 address.
bool is_ip(std::string_view s);
bool is_ipv4(std::string_view s);
/// Checks --dns values (addresses), --dns-search values (domains or "."), --mac-address.
Status check_dns_server(std::string_view s);
Status check_dns_search(std::string_view s);
Status check_mac(std::string_view s);
/// A network alias or link alias: a host name label sequence ([A-Za-z0-9_.-], starting alnum).
Status check_hostname(std::string_view what, std::string_view s);

/// `--link NAME[:ALIAS]`: the container named and the alias (the name when none).
struct Link {
  std::string container;
  std::string alias;
};
Result<Link> parse_link(std::string_view spec);

/// Docker's legacy link variables for a linked container: ALIAS_NAME=/self/alias,
/// ALIAS_PORT=tcp://ip:port (lowest port), ALIAS_PORT_<p>_<PROTO>[_ADDR|_PORT|_PROTO], and
/// ALIAS_ENV_<k>=<v> for the linked container's own variables (not HOME/PATH/HOSTNAME).
/// `ports` are "80/tcp" forms (its exposed ports), `env` its Config.Env.
std::vector<std::string> link_env(std::string_view alias, std::string_view self_name, std::string_view ip,
                                  const std::vector<std::string>& ports, const std::vector<std::string>& env);

}  // namespace skiff::network
