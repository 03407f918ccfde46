#pragma once
// Published ports in the engine: what `create` records, what a start binds and hands to the
// monitor, and what listings show (include/skiff/network/ports.hpp has the formats).

#include <vector>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/network/ports.hpp"

namespace skiff::engine {

/// `create`: parses -p, --expose and -P (Docker's errors) and fills Config.ExposedPorts (the
/// image's, --expose and every -p port) and HostConfig.PortBindings. Publishing needs a
/// network namespace of the container's own: with --network host or none it is refused, with
/// container:<name> Docker's "conflicting options: port publishing and the container type
/// network mode".
Status record_ports(const CreateOptions& o, const Json& image_config, Json& exposed, Json& port_bindings);

/// A start: binds the host sockets of a container's published ports (at once, so a taken
/// port fails the start, naming it) and records what was bound in <run dir>/ports.json
/// (Docker's NetworkSettings.Ports). The sockets stay open in the returned vector until the
/// monitor has them (hand_ports_to_monitor puts them in its config).
Result<std::vector<network::BoundPort>> bind_published_ports(const Engine& e, const ContainerRecord& r);
/// The monitor forwards the bound sockets itself, except behind pasta: pasta forwards with its
/// own -t/-u (and keeps the client's address), so it gets the ports that were bound (the same
/// numbers, random ones included) and the sockets are let go just before it binds them.
void hand_ports_to_monitor(std::vector<network::BoundPort>& bound, monitor::Config& mc);

/// True for the errors of bind_published_ports (a taken port, a bad address): `run` removes
/// the container it created when its start fails so.
bool is_publish_error(const Error& err);

/// Docker's NetworkSettings.Ports: for a running container, every exposed port and what its
/// start bound; {} otherwise.
Json published_ports(const Engine& e, const Container& c);

}  // namespace skiff::engine
