#pragma once
// `--network` values (Docker's and Podman's spellings) and the user-mode stack a container
// gets. Pure parsing and choosing: nothing here starts anything (stack.hpp does, in the monitor).

#include <map>
#include <string>
#include <vector>

#include "skiff/network/netinfo.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

/// A parsed `--network` value.
struct Mode {
  /// "default" (unset, bridge, private, default: a user-mode stack of the engine's choice),
  /// "pasta", "builtin", "slirp4netns" (a stack named explicitly), "none", "host",
  /// "container" (arg = name or ID), "ns" (arg = path).
  std::string kind = "default";
  std::string arg;
  /// slirp4netns:k=v,… (allow_host_loopback, port_handler, mtu, cidr, enable_ipv6) and
  /// pasta:arg,arg,… (extra pasta arguments, kept in order as "args").
  std::map<std::string, std::string> options;
  std::vector<std::string> pasta_args;
};

/// Parses a `--network` value. Unknown modes and bad options are kInvalid errors naming the
/// value and what is accepted. A user network name (anything else) is refused here.
Result<Mode> parse_mode(const std::string& value);

/// The name of the built-in stack (`--network builtin`, containers.conf
/// default_rootless_network_cmd = "builtin").
inline constexpr const char* kBuiltin = "builtin";

/// The stack for the default mode: `configured` (containers.conf [network]
/// default_rootless_network_cmd: "pasta", "slirp4netns" or "builtin"; "" = unset), else pasta
/// when it is in PATH, else the built-in stack. An unknown name is an error.
Result<std::string> default_stack(const std::string& configured);

/// What the stack of `kind` ("pasta", "builtin", "slirp4netns") will give the container, for
/// the record: addresses chosen up front (pasta copies the host's, read here).
Result<NetInfo> plan(const std::string& kind, const std::map<std::string, std::string>& options);

/// Everything the monitor needs to start a stack (serialised into the monitor's config).
struct StackConfig {
  NetInfo info;
  std::string program;  ///< pasta / slirp4netns, resolved in PATH when the container starts
  bool rootless = false;  ///< the container has its own user namespace: join it first
  /// Extra arguments for the helper, after skiff's own: containers.conf pasta_options,
  /// pasta:… options, and port specs (`-t 8080:80`, `-u 5353:53`) from the port publisher.
  /// A `-t`/`-u`/`-T`/`-U` given here replaces skiff's default "none" for that direction.
  std::vector<std::string> extra_args;
  std::map<std::string, std::string> options;  ///< slirp4netns's options as given
};

Json to_json(const StackConfig& c);
StackConfig stack_config_from_json(const Json& j);

}  // namespace skiff::network
