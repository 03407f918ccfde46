// Published ports in the engine (see include/skiff/engine/ports.hpp).
#include "skiff/engine/ports.hpp"

#include <unistd.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

// A network mode in which the container has no namespace of its own to forward into.
bool shares_or_lacks_network(const std::string& mode) { return mode == "host" || mode == "none"; }

}  // namespace

Status record_ports(const CreateOptions& o, const Json& image_config, Json& exposed, Json& port_bindings) {
  exposed = Json::object();
  port_bindings = Json::object();
  const Json& ie = json_get(image_config, "ExposedPorts");
  if (ie.is_object())
    for (auto& [k, v] : ie.items()) {
      (void)v;
      uint16_t p;
      std::string proto;
      if (network::split_port_key(k, p, proto)) exposed[network::port_key(p, proto)] = Json::object();
    }
  for (auto& x : o.expose)
    for (auto& k : TRY(network::parse_expose(x))) exposed[k] = Json::object();
  for (auto& spec : o.publish) network::add_bindings(port_bindings, exposed, TRY(network::parse_publish(spec)));
  bool publishing = !o.publish.empty() || o.publish_all;
  const std::string& mode = o.network;
  if (mode.starts_with("container:")) {
    if (publishing) return fail(kInvalid, "conflicting options: port publishing and the container type network mode");
    if (!o.expose.empty()) return fail(kInvalid, "conflicting options: port exposing and the container type network mode");
  }
  // A namespace made elsewhere (Podman refuses port bindings there too).
  if (mode.starts_with("ns:") && publishing)
    return fail(kInvalid, "conflicting options: port publishing and the ns network mode (ports are published into a "
                          "network namespace of the container's own)");
  // The default network (today a namespace of the container's own with loopback; recorded as
  // "none" until the user-mode network lands) is where ports are forwarded to; only an
  // explicit --network none or host has no place for them.
  if (publishing && shares_or_lacks_network(mode) && (mode == "host" || o.network_explicit)) {
    if (mode == "host")
      return fail(kInvalid, "conflicting options: port publishing and the host network mode (a container on the host's "
                            "network listens on the host's ports itself: drop -p/-P)");
    return fail(kInvalid, "conflicting options: port publishing and the none network mode (a container on --network "
                          "none has no network to publish: drop -p/-P or --network none)");
  }
  return ok();
}

Result<std::vector<network::BoundPort>> bind_published_ports(const Engine& e, const ContainerRecord& r) {
  std::string path = e.run_dir(r.id) + "/ports.json";
  std::vector<network::BoundPort> bound;
  const Json& exposed = r.config.exposed_ports;
  std::string mode = json_str(r.host_config, "NetworkMode", "none");
  if (mode == "host" || mode.starts_with("container:") || mode.starts_with("ns:")) {
    (void)unlink(path.c_str());
    return bound;
  }
  bound = TRY(network::bind_ports(json_get(r.host_config, "PortBindings"), exposed,
                                  json_bool(r.host_config, "PublishAllPorts")));
  TRY(write_json_atomic(path, network::ports_map(bound, exposed), 0600, false));
  return bound;
}

void hand_ports_to_monitor(std::vector<network::BoundPort>& bound, monitor::Config& mc) {
  bool pasta = mc.network.info.mode == "pasta";
  for (auto& b : bound) {
    // TCP behind pasta: pasta's own forwarding, spec [ADDRESS/]HOST_PORT:CONTAINER_PORT (no
    // address = every address). UDP stays with the monitor: the pasta of Debian 12
    // (2023_03_09) answered no datagram through -u to a client on the host's loopback.
    if (pasta && b.proto == "tcp") {
      std::string addr = b.dual ? "" : b.host_ip + "/";
      mc.network.extra_args.push_back("-t");
      mc.network.extra_args.push_back(fmt::format("{}{}:{}", addr, b.host_port, b.container_port));
      b.fd.reset();
      continue;
    }
    mc.ports.push_back({b.proto, b.container_port, network::join_host_port(b.host_ip, std::to_string(b.host_port))});
    mc.port_fds.push_back(b.fd.get());
  }
}

bool is_publish_error(const Error& err) {
  return err.msg.starts_with("failed to bind port") || err.msg.starts_with("invalid port specification") ||
         err.msg.starts_with("invalid proto");
}

Json published_ports(const Engine& e, const Container& c) {
  if (c.state.status != RunState::Running && c.state.status != RunState::Restarting) return Json::object();
  if (!c.state.elsewhere.empty()) return Json::object();
  auto j = read_json_file(e.run_dir(c.rec.id) + "/ports.json", 4 << 20);
  if (!j || !j->is_object()) return Json::object();
  return *j;
}

}  // namespace skiff::engine
