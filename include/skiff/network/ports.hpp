#pragma once
// Published ports: Docker's `-p`/`--expose` syntax (go-connections/nat's rules and error
// texts), the host sockets a start binds, and Docker's ways of showing them (inspect's
// NetworkSettings.Ports map, `ps`'s PORTS column, `port`'s lines).
//
// Records (Docker's shapes, in the container's config.json):
//   Config.ExposedPorts       {"80/tcp": {}, ...}: the image's, --expose and every -p port
//   HostConfig.PortBindings   {"80/tcp": [{"HostIp": "", "HostPort": "8080"}], ...}: as typed
//                             (HostPort "" = a random free port, "8000-8010" = one of those)
//   HostConfig.PublishAllPorts  -P: every exposed port without a binding gets a random one
// A start binds the host sockets in the CLI (so a taken port fails the start at once) and
// hands them to the container's monitor, which forwards (src/monitor/portfwd.cpp). What was
// bound is written to <run dir>/ports.json as Docker's NetworkSettings.Ports map.

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

/// One container port of a `-p` spec and its binding (Docker's nat.PortMapping).
struct PortMapping {
  uint16_t container_port = 0;
  std::string proto = "tcp";  ///< tcp | udp
  std::string host_ip;        ///< "" = every address (IPv4 and IPv6)
  std::string host_port;      ///< "" = random, "8080", or "8000-8010" (pick one free)
};

/// Parses one `-p` value: `[ip:][hostPort:]containerPort[/proto]` with ranges, IPv6 host
/// addresses in brackets, or Docker's long form `published=8080,target=80,protocol=udp`.
/// A container range expands to one mapping per port. Errors are Docker's texts
/// ("invalid containerPort: 70000", "invalid proto: x", ...), code kInvalid.
Result<std::vector<PortMapping>> parse_publish(const std::string& spec);

/// Parses one `--expose` value (`80`, `80/udp`, `8000-8010/tcp`) into keys ("80/udp").
Result<std::vector<std::string>> parse_expose(const std::string& spec);

/// "80/tcp".
std::string port_key(uint16_t port, const std::string& proto);
/// Splits "80/tcp" (proto defaults to tcp); false if it is not a port key.
bool split_port_key(const std::string& key, uint16_t& port, std::string& proto);

/// Adds `-p` mappings to Docker's PortBindings map and ExposedPorts set.
void add_bindings(Json& port_bindings, Json& exposed, const std::vector<PortMapping>& mappings);

/// A host socket bound for one published port, ready for the monitor.
struct BoundPort {
  std::string proto;  ///< tcp | udp
  uint16_t container_port = 0;
  std::string host_ip;  ///< the address bound ("0.0.0.0", "::", "127.0.0.1", "::1")
  uint16_t host_port = 0;
  bool dual = false;  ///< an IPv6 socket on "::" that takes IPv4 too (shown as 0.0.0.0 and ::)
  UniqueFd fd;        ///< listening (tcp) or bound (udp), non-blocking, close-on-exec
};

/// Binds the host side of every binding in `port_bindings` and, with `publish_all`, a random
/// port for each key of `exposed` without one. A binding without an address takes every
/// address: one dual-stack socket on "::" (IPv4 "0.0.0.0" alone where IPv6 is off). Errors
/// name the address and port: "failed to bind port 0.0.0.0:8080/tcp: … address already in
/// use" (code EADDRINUSE), a privileged port rootless (EACCES) says how to allow it.
Result<std::vector<BoundPort>> bind_ports(const Json& port_bindings, const Json& exposed, bool publish_all);

/// Docker's NetworkSettings.Ports for a running container: every exposed port (null when it
/// has no binding) and every bound one, [{"HostIp", "HostPort"}] each.
Json ports_map(const std::vector<BoundPort>& bound, const Json& exposed);

/// docker ps's PORTS text from a NetworkSettings.Ports map (docker/cli DisplayablePorts:
/// "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp", same-numbered runs grouped: "8000-8002/tcp").
std::string displayable_ports(const Json& ports);

/// docker port's lines, naturally sorted: every binding as "80/tcp -> 0.0.0.0:8080", or with
/// `key` ("80/tcp") that port's addresses alone ("0.0.0.0:8080").
std::vector<std::string> port_lines(const Json& ports, const std::string& key = "");

/// Go's net.JoinHostPort: "[::1]:80" for IPv6 hosts.
std::string join_host_port(const std::string& host, const std::string& port);

}  // namespace skiff::network
