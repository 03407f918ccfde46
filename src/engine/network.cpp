// --network at create and at start: see network.hpp.
#include "network.hpp"

#include "skiff/engine/netnames.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

}  // namespace

Status resolve_network_mode(Engine& e, const std::string& value, const ContainersConf& cc, Json& h, ContainerExtra& x) {
  auto m = TRY(network::parse_mode(value));
  Json net = Json::object();
  if (m.kind == "default") {
    h["NetworkMode"] = "bridge";
    net["stack"] = TRY(network::default_stack(cc.default_rootless_network_cmd));
  } else if (m.kind == "container") {
    auto other = find_container(e, m.arg);
    if (!other) return fail(kNotFound, fmt::format("no such container: {} (--network container:{})", m.arg, m.arg));
    h["NetworkMode"] = "container:" + other->rec.id;
  } else if (m.kind == "ns") {
    h["NetworkMode"] = "ns:" + m.arg;
  } else {
    h["NetworkMode"] = m.kind;
    if (m.kind == "pasta" || m.kind == "slirp4netns" || m.kind == network::kBuiltin) net["stack"] = m.kind;
  }
  if (!m.options.empty()) {
    Json o = Json::object();
    for (auto& [k, v] : m.options) o[k] = v;
    net["options"] = o;
  }
  std::vector<std::string> pasta_args = cc.pasta_options;
  pasta_args.insert(pasta_args.end(), m.pasta_args.begin(), m.pasta_args.end());
  if (net.contains("stack") && net["stack"] == "pasta" && !pasta_args.empty()) net["pastaArgs"] = pasta_args;
  if (!net.empty()) x.network = net;
  return ok();
}

void add_network_addresses(const Engine& e, const Container& c, Json& n) {
  if (c.state.pid <= 0) return;
  if (c.rec.extra.networks.is_object()) return;  // user networks: their own addresses
  auto info = network::read_netinfo(e.run_dir(c.rec.id));
  if (!info || info->ip.empty()) return;
  auto fill = [&](Json& o) {
    o["IPAddress"] = info->ip;
    o["IPPrefixLen"] = info->prefix;
    o["Gateway"] = info->gateway;
    o["GlobalIPv6Address"] = info->ip6;
  };
  fill(n);
  if (n.contains("Networks") && n["Networks"].is_object())
    for (auto& [k, v] : n["Networks"].items()) {
      (void)k;
      if (v.is_object()) fill(v);
    }
}

void add_network_error(const Engine& e, const Container& c, Json& state) {
  if (c.state.pid <= 0 || !state.is_object()) return;
  auto text = read_file(e.run_dir(c.rec.id) + "/" + network::kNetErrorFile, 1 << 16);
  if (text && !text->empty()) state["Error"] = std::string(trim(*text));
}

Result<network::StackConfig> prepare_network(Engine& e, const ContainerRecord& r, oci::Spec& spec,
                                             const std::string& rdir) {
  std::string mode = json_str(r.host_config, "NetworkMode", "none");
  const Json& net = r.extra.network;
  network::StackConfig sc;
  network::NetInfo& n = sc.info;
  spec.join_netns.clear();
  if (mode.starts_with("container:")) {
    std::string id = mode.substr(10);
    auto other = find_container(e, id);
    if (!other) return fail(kNotFound, fmt::format("cannot join the network of container {}: no such container", id));
    if (other->state.pid <= 0)
      return fail(kConflict, fmt::format("cannot join network of a non running container: {}", id));
    // Its namespace, its addresses, its /etc/resolv.conf and /etc/hosts (as Docker shares them).
    auto theirs = network::read_netinfo(e.run_dir(id));
    if (theirs) n = *theirs;
    n.mode = "container";
    n.container = id;
    spec.new_netns = false;
    spec.join_netns = fmt::format("/proc/{}/ns/net", other->state.pid);
    for (const char* f : {"resolv.conf", "hosts"})
      if (auto text = read_file(e.run_dir(id) + "/" + f, 1 << 20))
        TRY(write_file_atomic(rdir + "/" + f, *text, 0644, false));
  } else if (mode.starts_with("ns:")) {
    n.mode = "ns";
    n.ns_path = mode.substr(3);
    spec.new_netns = false;
    spec.join_netns = n.ns_path;
    if (!path_exists(n.ns_path))
      return fail(kNotFound, fmt::format("network namespace `{}` (--network ns:{}) does not exist", n.ns_path, n.ns_path));
  } else if (mode == "none" || mode == "host") {
    n.mode = mode;
  } else if (!is_network_mode(mode)) {
    // A user network (netnames.cpp): its interfaces are made by the monitor from the record;
    // the container's namespace fds go to the monitor for that. Outbound (not --internal): the
    // built-in stack on its own tap0 (10.0.2.0/24) holds the default route; the members reach
    // each other over their network's interfaces.
    const Json& nets = r.extra.networks;
    bool internal = true;
    if (nets.is_object())
      for (auto& [k, a] : nets.items()) (void)k, internal = internal && json_bool(a, "internal");
    if (internal) {
      n.mode = "network";
    } else {
      n = TRY(network::plan(network::kBuiltin, {}));
      sc.rootless = e.idmap().userns;
      if (access("/dev/net/tun", F_OK) != 0)
        return fail(kUnsupported, "the container network needs /dev/net/tun, which this system lacks (load the tun "
                                  "module: modprobe tun), or use --network none");
    }
    spec.send_ns_fds = true;
    bool has_ping = false;
    for (auto& [k, v] : spec.sysctl) has_ping |= k == "net.ipv4.ping_group_range";
    if (!has_ping) spec.sysctl.emplace_back("net.ipv4.ping_group_range", "0 0");
  } else {
    std::string stack = json_str(net, "stack");
    if (stack.empty()) stack = TRY(network::default_stack(TRY(e.conf())->default_rootless_network_cmd));
    std::map<std::string, std::string> opts;
    const Json& o = json_get(net, "options");
    if (o.is_object())
      for (auto& [k, v] : o.items())
        if (v.is_string()) opts[k] = v.get<std::string>();
    n = TRY(network::plan(stack, opts));
    sc.options = opts;
    sc.rootless = e.idmap().userns;
    if (stack == "pasta" || stack == "slirp4netns") {
      sc.program = find_in_path(stack);
      if (sc.program.empty())
        return fail(kUnsupported, fmt::format("the container's network needs {}, which is not installed (package {}); "
                                              "use --network {} or --network none", stack,
                                              stack == "pasta" ? "passt" : "slirp4netns", network::kBuiltin));
    }
    // Every stack opens it inside the container's namespace: say so before any of them fails.
    if (access("/dev/net/tun", F_OK) != 0)
      return fail(kUnsupported, "the container network needs /dev/net/tun, which this system lacks (load the tun "
                                "module: modprobe tun), or use --network none");
    if (access("/dev/net/tun", R_OK | W_OK) != 0)
      return fail(kUnsupported, "the container network needs /dev/net/tun readable and writable by you, and it is "
                                "not (Debian's udev makes it mode 0666: `chmod 0666 /dev/net/tun` as root), or use "
                                "--network none");
    const Json& pa = json_get(net, "pastaArgs");
    if (pa.is_array())
      for (auto& a : pa)
        if (a.is_string()) sc.extra_args.push_back(a.get<std::string>());
    spec.send_ns_fds = true;
    // Unprivileged ping (ICMP datagram sockets) for the container's root, as Podman's default
    // containers.conf and Docker do, unless the container sets it.
    bool has_ping = false;
    for (auto& [k, v] : spec.sysctl) has_ping |= k == "net.ipv4.ping_group_range";
    if (!has_ping) spec.sysctl.emplace_back("net.ipv4.ping_group_range", "0 0");
    // /etc/hosts and /etc/resolv.conf: prepare_names (netnames.cpp), from what `n` offers.
  }
  TRY(write_json_atomic(rdir + "/" + network::kNetInfoFile, network::to_json(n), 0644, false));
  return sc;
}

}  // namespace skiff::engine
