#pragma once
// The engine's side of container networking (issue 11's default network): the --network value
// at create, and at every start what the container's network will be (network.json in the run
// directory, resolv.conf and hosts, the spec's namespace choice, the monitor's stack).

#include <string>

#include "skiff/engine/config.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/network/mode.hpp"
#include "skiff/oci/runtime_spec.hpp"

namespace skiff::engine {

/// create: `value` (--network; "" = the default) → HostConfig.NetworkMode ("bridge", "none",
/// "host", "container:<id>", "ns:<path>", "pasta", "slirp4netns", "builtin") and the record's
/// Skiff.network object (the stack chosen for the default, options). Errors name the value.
Status resolve_network_mode(Engine& e, const std::string& value, const ContainersConf& cc, Json& host_config,
                            ContainerExtra& extra);

/// start: sets the spec's namespace fields, writes <run dir>/network.json, resolv.conf and
/// hosts (after begin_start's defaults), and returns the stack for the monitor (mode "none"
/// when there is none to run). `rdir` is the container's run directory.
Result<network::StackConfig> prepare_network(Engine& e, const ContainerRecord& r, oci::Spec& spec,
                                             const std::string& rdir);

/// inspect: the addresses of a running container's network (network.json) in Docker's
/// NetworkSettings (IPAddress, IPPrefixLen, Gateway, GlobalIPv6Address and the same in its
/// Networks entry).
void add_network_addresses(const Engine& e, const Container& c, Json& settings);

/// inspect: a running container whose network stack died (the monitor's `network-error` in
/// the run directory) shows it in State.Error.
void add_network_error(const Engine& e, const Container& c, Json& state);

}  // namespace skiff::engine
