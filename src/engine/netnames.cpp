// Names and user networks: create-time checks, the /etc files at start, network operations.
#include "skiff/engine/netnames.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "skiff/engine/config.hpp"
#include "skiff/network/names.hpp"
#include "skiff/network/netinfo.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

Json arr(const std::vector<std::string>& v) { return v.empty() ? Json::array() : Json(v); }

bool running(const ContainerState& s) { return s.status == RunState::Running || s.status == RunState::Restarting; }

// Addresses of every container attached to `net`, from the summaries.
std::vector<uint32_t> used_addresses(const Engine& e, const std::string& net) {
  std::vector<uint32_t> used;
  auto all = list_containers(e);
  if (!all) return used;
  for (auto& c : *all) {
    const Json& n = json_get(c.rec.extra.networks, net);
    if (auto ip = network::parse_ipv4(json_str(n, "ip"))) used.push_back(*ip);
  }
  return used;
}

// A network attachment record for a container.
Result<Json> attachment(const Engine& e, const network::Network& n, const std::string& want_ip,
                        const std::vector<std::string>& aliases, const std::string& mac) {
  auto used = used_addresses(e, n.name);
  uint32_t ip;
  if (!want_ip.empty()) {
    auto p = network::parse_ipv4(want_ip);
    if (!p) return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--ip\" flag: not an IPv4 address", want_ip));
    if (!n.subnet.contains(*p) || *p == n.subnet.addr || *p == (n.subnet.addr | ~n.subnet.mask()) || *p == n.gateway)
      return fail(kInvalid, fmt::format("invalid address {}: it is not a free host address of network {} ({}, gateway {})",
                                        want_ip, n.name, n.subnet.str(), network::ipv4_str(n.gateway)));
    if (std::find(used.begin(), used.end(), *p) != used.end())
      return fail(kConflict, fmt::format("Address already in use: {} is taken on network {}", want_ip, n.name));
    ip = *p;
  } else {
    ip = TRY(network::free_address(n.subnet, n.gateway, used));
  }
  Json a = Json::object();
  a["id"] = n.id;
  a["ip"] = network::ipv4_str(ip);
  a["prefix"] = n.subnet.bits;
  a["gateway"] = network::ipv4_str(n.gateway);
  a["aliases"] = arr(aliases);
  // A stable locally administered MAC from the address (Docker's 02:42:<ip> form) unless given.
  a["mac"] = !mac.empty() ? mac
                          : fmt::format("02:42:{:02x}:{:02x}:{:02x}:{:02x}", ip >> 24, (ip >> 16) & 255,
                                        (ip >> 8) & 255, ip & 255);
  a["internal"] = n.internal;
  return a;
}

// The image's /etc/hosts (containers.conf base_hosts_file = "image"): the first layer from the
// top that has one, resolved inside that layer's directory.
std::optional<std::string> image_hosts(const Engine& e, const ContainerRecord& r) {
  std::vector<std::string> dirs;
  std::string cdir = e.container_dir(r.id);
  if (r.driver == storage::Driver::Overlay) {
    dirs.push_back(cdir + "/upper");
    for (auto& d : r.extra.layer_dirs) {
      if (d.find("/init") != std::string::npos && d.starts_with("containers/")) continue;  // our stubs
      dirs.push_back(d[0] == '/' ? d : e.graph() + "/" + d);
    }
  } else {
    dirs.push_back(cdir + (r.driver == storage::Driver::Vfs ? "/rootfs" : ""));
    if (!r.driver) dirs.back() = r.rootfs;
  }
  for (auto& d : dirs) {
    auto root = open_path(d, O_RDONLY | O_DIRECTORY);
    if (!root) continue;
    auto f = open_in_root(root->get(), "/etc/hosts", O_RDONLY);
    if (!f) continue;
    auto text = read_all(f->get(), 1 << 20);
    if (text) return *text;
  }
  return std::string();
}

// Peers on the container's user networks (every member but itself).
std::vector<network::HostEntry> network_peers(const Engine& e, const ContainerRecord& r) {
  std::vector<network::HostEntry> out;
  const Json& nets = r.extra.networks;
  if (!nets.is_object()) return out;
  for (auto& [net, att] : nets.items()) {
    (void)att;
    for (auto& m : network_members(e, net)) {
      if (m.id == r.id || m.ip.empty()) continue;
      network::HostEntry h{m.ip, {m.name, m.id.substr(0, 12)}};
      h.names.insert(h.names.end(), m.aliases.begin(), m.aliases.end());
      out.push_back(std::move(h));
    }
  }
  return out;
}

// The container's first user-network attachment, or null.
const Json* first_attachment(const ContainerRecord& r) {
  const Json& nets = r.extra.networks;
  if (!nets.is_object() || nets.empty()) return nullptr;
  std::string mode = json_str(r.host_config, "NetworkMode");
  if (nets.contains(mode)) return &nets[mode];
  return &nets.begin().value();
}

Result<std::string> hosts_text(Engine& e, const ContainerRecord& r, const std::string& hostname,
                               const StackAddrs& stack, std::vector<std::string>* link_env) {
  const ContainersConf& cc = *TRY(e.conf());
  network::HostsInput in;
  if (cc.base_hosts_file == "none") in.base = "";
  else if (cc.base_hosts_file == "image") in.base = image_hosts(e, r);
  else if (!cc.base_hosts_file.empty())
    in.base = TRY_CTX(read_file(cc.base_hosts_file, 1 << 20), "containers.conf base_hosts_file");
  std::string mode = json_str(r.host_config, "NetworkMode", "none");
  const Json* att = first_attachment(r);
  // The host, as the container reaches it: the stack's host address, the user network's
  // gateway (the bridge's side), or the host itself when it shares the host's namespace.
  std::string host_ip = stack.host_ip;
  if (host_ip.empty() && att && !json_bool(*att, "internal")) host_ip = json_str(*att, "gateway");
  if (host_ip.empty() && mode == "host") host_ip = "127.0.0.1";
  for (auto& spec : strings_of(json_get(r.host_config, "ExtraHosts"))) {
    auto h = TRY(network::parse_add_host(spec));
    if (h.ip == network::kHostGateway) {
      if (host_ip.empty())
        return fail(kInvalid, fmt::format("--add-host {}: host-gateway has no address: this container's network "
                                          "({}) has no route to the host",
                                          spec, mode));
      h.ip = host_ip;
    }
    in.extra.push_back(std::move(h));
  }
  // --link: the alias (and the linked container's own names) at its address.
  const Json& links = r.extra.links;
  if (links.is_array())
    for (auto& l : links) {
      auto c = find_container(e, json_str(l, "id"));
      std::string alias = json_str(l, "alias");
      if (!c || !running(c->state))
        return fail(kConflict, fmt::format("Cannot link to a non running container: /{} AS /{}/{}",
                                           json_str(l, "name"), r.name, alias));
      const Json* latt = first_attachment(c->rec);
      std::string ip = latt ? json_str(*latt, "ip") : "";
      if (ip.empty())
        return fail(kConflict, fmt::format("cannot link to container {}: it has no address on a network this "
                                           "container shares (run both with --network NAME of a user network)",
                                           c->rec.name));
      in.peers.push_back({ip, {alias, c->rec.config.hostname, c->rec.name}});
      if (link_env) {
        std::vector<std::string> ports;
        const Json& ex = c->rec.config.exposed_ports;
        if (ex.is_object())
          for (auto& [p, unused] : ex.items()) (void)unused, ports.push_back(p);
        auto v = network::link_env(alias, r.name, ip, ports, c->rec.config.env);
        link_env->insert(link_env->end(), v.begin(), v.end());
      }
    }
  for (auto& p : network_peers(e, r)) in.peers.push_back(std::move(p));
  in.host_ip = host_ip;
  in.ip = att ? json_str(*att, "ip") : stack.ip;
  in.self = {hostname, r.name, r.id.substr(0, 12)};
  if (att)
    for (auto& a : strings_of(json_get(*att, "aliases"))) in.self.push_back(a);
  return network::hosts_file(in);
}

std::string resolv_text(Engine& e, const ContainerRecord& r, const StackAddrs& stack) {
  network::ResolvInput in;
  in.host_text = read_file("/etc/resolv.conf", 1 << 20).value_or("");
  in.host_network = json_str(r.host_config, "NetworkMode") == "host";
  in.stack_dns = stack.dns;
  in.servers = strings_of(json_get(r.host_config, "Dns"));
  in.searches = strings_of(json_get(r.host_config, "DnsSearch"));
  in.options = strings_of(json_get(r.host_config, "DnsOptions"));
  if (auto cc = e.conf(); cc) {
    if (in.servers.empty()) in.servers = (*cc)->dns_servers;
    if (in.searches.empty()) in.searches = (*cc)->dns_searches;
    if (in.options.empty()) in.options = (*cc)->dns_options;
  }
  return network::resolv_conf(in);
}

// Rewrites a bind-mounted file in place (a rename would leave the container on the old inode):
// one write of the whole text, then the length cut.
Status rewrite_in_place(const std::string& path, const std::string& text) {
  auto fd = TRY(open_path(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC));
  if (pwrite(fd.get(), text.data(), text.size(), 0) != ssize_t(text.size())) return fail_errno("rewrite " + path);
  if (ftruncate(fd.get(), off_t(text.size())) < 0) return fail_errno("truncate " + path);
  return ok();
}

}  // namespace

network::NetStore net_store(const Engine& e) { return network::NetStore(e.graph() + "/networks"); }

bool is_network_mode(std::string_view v) {
  if (v.empty()) return true;  // the default
  static const char* kModes[] = {"none", "host", "bridge", "default", "private", "slirp4netns", "pasta", "builtin"};
  for (auto m : kModes)
    if (v == m) return true;
  return v.find(':') != std::string_view::npos;  // container:X, ns:PATH, slirp4netns:opts, pasta:opts
}

Result<FileLock> apply_network_options(Engine& e, const CreateOptions& o, ContainerRecord& r) {
  Json& h = r.host_config;
  ContainerExtra& x = r.extra;
  std::vector<std::string> nets = o.networks;
  if (nets.empty()) nets = {o.network};
  bool any_user = std::any_of(nets.begin(), nets.end(), [](auto& n) { return !is_network_mode(n); });
  if (nets.size() > 1 && std::any_of(nets.begin(), nets.end(), [](auto& n) { return is_network_mode(n); }))
    return fail(kInvalid, fmt::format("conflicting options: cannot attach both user-defined and non-user-defined "
                                      "network-modes ({})",
                                      join(nets, ", ")));
  if (!any_user && !o.ip.empty())
    return fail(kInvalid, "user specified IP address is supported on user defined networks only");
  if (!any_user && !o.network_aliases.empty())
    return fail(kInvalid, "network-scoped alias is supported only for containers in user defined networks");
  if (!o.ip.empty() && nets.size() > 1)
    return fail(kInvalid, "--ip can be used with one network only (use `network connect --ip` for the others)");
  if (!o.mac_address.empty()) TRY(network::check_mac(o.mac_address));
  for (auto& a : o.network_aliases) TRY(network::check_hostname("network alias", a));
  for (auto& d : o.dns) TRY(network::check_dns_server(d));
  for (auto& d : o.dns_search) TRY(network::check_dns_search(d));
  for (auto& spec : o.add_hosts) {
    auto hst = TRY(network::parse_add_host(spec));
    if (hst.ip == network::kHostGateway && nets[0] == "none")
      return fail(kInvalid, fmt::format("--add-host {}: host-gateway needs a network with a route to the host, "
                                        "not --network none",
                                        spec));
  }
  if (o.no_hosts && !o.add_hosts.empty()) return fail(kInvalid, "--no-hosts and --add-host cannot be set together");
  h["Dns"] = arr(o.dns);
  h["DnsOptions"] = arr(o.dns_options);
  h["DnsSearch"] = arr(o.dns_search);
  h["ExtraHosts"] = o.add_hosts.empty() ? Json(nullptr) : Json(o.add_hosts);
  if (!o.mac_address.empty()) r.config.mac_address = o.mac_address;
  if (o.no_hosts) x.no_hosts = true;

  if (!o.links.empty()) {
    if (nets[0] == "none")
      return fail(kInvalid, "conflicting options: --network=none can't be used with links. This would result in "
                            "undefined behavior");
    if (nets[0] == "host")
      return fail(kInvalid, "conflicting options: host type networking can't be used with links. This would result "
                            "in undefined behavior");
    Json links = Json::array();
    for (auto& spec : o.links) {
      auto l = TRY(network::parse_link(spec));
      auto c = find_container(e, l.container);
      if (!c) return fail(kNotFound, fmt::format("could not get container for {}", l.container));
      Json j = Json::object();
      j["id"] = c->rec.id;
      j["name"] = c->rec.name;
      j["alias"] = l.alias;
      links.push_back(j);
    }
    x.links = links;
  }

  if (!any_user) return FileLock();
  auto store = net_store(e);
  auto lock = TRY(store.lock());  // held by the caller until the record (with the addresses) exists
  Json att = Json::object();
  for (auto& n : nets) {
    auto net = TRY(store.find(n));
    if (net.predefined) return fail(kInvalid, fmt::format("network {} cannot be combined with other networks", n));
    att[net.name] = TRY(attachment(e, net, o.ip, o.network_aliases, o.mac_address));
  }
  x.networks = att;
  h["NetworkMode"] = TRY(store.find(nets[0])).name;
  return lock;
}

Status prepare_names(Engine& e, const ContainerRecord& r, oci::Spec& spec, const std::string& rdir,
                     const StackAddrs& stack) {
  std::vector<std::string> env;
  TRY(write_file_atomic(rdir + "/hostname", spec.hostname + "\n", 0644, false));
  // container:X shares X's files (prepare_network copied them), as Docker.
  if (json_str(r.host_config, "NetworkMode").starts_with("container:")) return ok();
  std::string hosts = TRY(hosts_text(e, r, spec.hostname, stack, &env));
  TRY(write_file_atomic(rdir + "/hosts", hosts, 0644, false));
  TRY(write_file_atomic(rdir + "/resolv.conf", resolv_text(e, r, stack), 0644, false));
  // Link variables go under the container's own (-e wins, as Docker's).
  for (auto& kv : env) {
    std::string k = kv.substr(0, kv.find('='));
    bool set = std::any_of(spec.process.env.begin(), spec.process.env.end(),
                           [&](const std::string& s) { return s.compare(0, k.size() + 1, k + "=") == 0; });
    if (!set) spec.process.env.push_back(kv);
  }
  return ok();
}

std::vector<NetMember> network_members(const Engine& e, const std::string& network) {
  std::vector<NetMember> out;
  auto all = list_containers(e);
  if (!all) return out;
  for (auto& c : *all) {
    const Json& n = json_get(c.rec.extra.networks, network);
    if (!n.is_object()) continue;
    NetMember m;
    m.id = c.rec.id;
    m.name = c.rec.name;
    m.ip = json_str(n, "ip");
    m.mac = json_str(n, "mac");
    m.prefix = int(json_int(n, "prefix"));
    m.aliases = strings_of(json_get(n, "aliases"));
    m.running = running(c.state);
    out.push_back(std::move(m));
  }
  return out;
}

Status reload_names(Engine& e, const std::string& id) {
  auto c = TRY(find_container(e, id));
  if (!running(c.state)) return fail(kConflict, fmt::format("container {} is not running", c.rec.id));
  std::string rdir = e.run_dir(c.rec.id);
  std::string hostname = read_file(rdir + "/hostname", 4096).value_or("");
  while (!hostname.empty() && hostname.back() == '\n') hostname.pop_back();
  if (hostname.empty()) hostname = c.rec.config.hostname;
  // The stack's addresses as recorded at start (network.json) are kept: only the names change.
  StackAddrs keep;
  if (auto ni = network::read_netinfo(rdir); ni) keep = {ni->ip, ni->host_ip, ni->dns};
  if (!c.rec.extra.no_hosts) {
    auto text = TRY(hosts_text(e, c.rec, hostname, keep, nullptr));
    TRY(rewrite_in_place(rdir + "/hosts", text));
  }
  return rewrite_in_place(rdir + "/resolv.conf", resolv_text(e, c.rec, keep));
}

void refresh_network_hosts(Engine& e, const std::string& network) {
  for (auto& m : network_members(e, network)) {
    if (!m.running) continue;
    if (auto st = reload_names(e, m.id); !st) log::debug("names of {}: {}", m.id, st.error().msg);
  }
}

std::vector<network::TapSpec> network_taps(const Engine& e, const ContainerRecord& r) {
  std::vector<network::TapSpec> out;
  const Json& nets = r.extra.networks;
  if (!nets.is_object()) return out;
  // The NetworkMode network first: it is eth0, and its gateway the default route.
  std::vector<std::string> order;
  std::string mode = json_str(r.host_config, "NetworkMode");
  if (nets.contains(mode)) order.push_back(mode);
  for (auto& [name, unused] : nets.items())
    if ((void)unused, name != mode) order.push_back(name);
  for (auto& name : order) {
    const Json& a = nets[name];
    network::TapSpec t;
    t.ifname = fmt::format("eth{}", out.size());
    t.mac = json_str(a, "mac");
    t.ip = json_str(a, "ip");
    t.prefix = int(json_int(a, "prefix", 24));
    // No default route here: an --internal network has no way out, and the others go out
    // through the stack's interface (engine/network.cpp).
    t.sock_dir = e.run() + "/n/" + json_str(a, "id").substr(0, 12);
    out.push_back(std::move(t));
  }
  return out;
}

void refresh_after_membership_change(Engine& e, const ContainerRecord& r) {
  const Json& nets = r.extra.networks;
  if (!nets.is_object()) return;
  for (auto& [net, unused] : nets.items()) {
    (void)unused;
    refresh_network_hosts(e, net);
  }
}

Json links_json(const ContainerRecord& r) {
  const Json& links = r.extra.links;
  if (!links.is_array() || links.empty()) return nullptr;
  Json out = Json::array();
  for (auto& l : links) out.push_back(fmt::format("/{}:/{}/{}", json_str(l, "name"), r.name, json_str(l, "alias")));
  return out;
}

void user_network_settings(const ContainerRecord& r, Json& settings) {
  const Json& nets = r.extra.networks;
  if (!nets.is_object() || nets.empty()) return;
  Json out = Json::object();
  for (auto& [name, a] : nets.items()) {
    Json n = Json::object();
    Json ipam = Json::object();
    ipam["IPv4Address"] = json_str(a, "ip");
    n["IPAMConfig"] = ipam;
    n["Links"] = links_json(r);
    std::vector<std::string> aliases = strings_of(json_get(a, "aliases"));
    n["Aliases"] = aliases.empty() ? Json(nullptr) : Json(aliases);
    n["MacAddress"] = json_str(a, "mac");
    n["DriverOpts"] = nullptr;
    n["NetworkID"] = json_str(a, "id");
    n["EndpointID"] = r.id;
    n["Gateway"] = json_str(a, "gateway");
    n["IPAddress"] = json_str(a, "ip");
    n["IPPrefixLen"] = json_int(a, "prefix");
    n["IPv6Gateway"] = "";
    n["GlobalIPv6Address"] = "";
    n["GlobalIPv6PrefixLen"] = 0;
    std::vector<std::string> dns{r.name, r.id.substr(0, 12)};
    dns.insert(dns.end(), aliases.begin(), aliases.end());
    n["DNSNames"] = dns;
    out[name] = n;
  }
  settings["Networks"] = out;
}

Json network_json(const Engine& e, const network::Network& n) {
  Json j = Json::object();
  j["Name"] = n.name;
  j["Id"] = n.id;
  j["Created"] = format_rfc3339nano(n.created);
  j["Scope"] = "local";
  j["Driver"] = n.driver;
  j["EnableIPv6"] = false;
  Json ipam = Json::object();
  ipam["Driver"] = "default";
  ipam["Options"] = n.predefined ? Json(nullptr) : Json::object();
  Json cfg = Json::array();
  if (!n.predefined) {
    Json c = Json::object();
    c["Subnet"] = n.subnet.str();
    c["Gateway"] = network::ipv4_str(n.gateway);
    cfg.push_back(c);
  }
  ipam["Config"] = cfg;
  j["IPAM"] = ipam;
  j["Internal"] = n.internal;
  j["Attachable"] = false;
  j["Ingress"] = false;
  Json cf = Json::object();
  cf["Network"] = "";
  j["ConfigFrom"] = cf;
  j["ConfigOnly"] = false;
  Json ctrs = Json::object();
  for (auto& m : network_members(e, n.name)) {
    if (!m.running) continue;  // Docker lists the containers connected now
    Json c = Json::object();
    c["Name"] = m.name;
    c["EndpointID"] = m.id;
    c["MacAddress"] = m.mac;
    c["IPv4Address"] = fmt::format("{}/{}", m.ip, m.prefix);
    c["IPv6Address"] = "";
    ctrs[m.id] = c;
  }
  j["Containers"] = ctrs;
  j["Options"] = n.options;
  j["Labels"] = n.labels;
  return j;
}

Status remove_network(Engine& e, const std::string& ref, bool force) {
  auto store = net_store(e);
  auto n = TRY(store.find(ref));
  if (n.predefined)
    return fail(kInvalid, fmt::format("{} is a pre-defined network and cannot be removed", n.name));
  auto members = network_members(e, n.name);
  if (!members.empty() && !force) {
    std::vector<std::string> names;
    for (auto& m : members) names.push_back(m.name);
    return fail(kConflict, fmt::format("error while removing network: network {} id {} has active endpoints "
                                       "(name:{}): remove the containers or use `network rm -f`",
                                       n.name, n.id, join(names, ",")));
  }
  for (auto& m : members) TRY(remove_container(e, m.id, true, false));
  auto lock = TRY(store.lock());
  if (!network_members(e, n.name).empty())  // a create raced us
    return fail(kConflict, fmt::format("network {} has active endpoints", n.name));
  TRY(store.remove(n.name));
  (void)remove_tree(e.run() + "/n/" + n.id.substr(0, 12));  // its switch directory (sockets of killed monitors)
  return ok();
}

Status connect_network(Engine& e, const std::string& net, const std::string& ctr, const std::string& ip,
                       const std::vector<std::string>& aliases) {
  auto store = net_store(e);
  auto n = TRY(store.find(net));
  auto c = TRY(find_container(e, ctr));
  if (n.predefined)
    return fail(kInvalid, fmt::format("container cannot be disconnected from host network or connected to host "
                                      "network: {} is a pre-defined network mode",
                                      n.name));
  for (auto& a : aliases) TRY(network::check_hostname("network alias", a));
  auto clock = TRY(e.lock_container(c.rec.id));
  auto lock = TRY(store.lock());
  c = TRY(find_container(e, c.rec.id));
  std::string mode = json_str(c.rec.host_config, "NetworkMode", "none");
  if (is_network_mode(mode))
    return fail(kInvalid, fmt::format("container {} uses network mode {}: only containers on user networks can be "
                                      "connected to another one",
                                      c.rec.name, mode));
  Json& nets = c.rec.extra.networks;
  if (!nets.is_object()) nets = Json::object();
  if (nets.contains(n.name))
    return fail(kConflict, fmt::format("endpoint with name {} already exists in network {}", c.rec.name, n.name));
  nets[n.name] = TRY(attachment(e, n, ip, aliases, ""));
  TRY(write_record(e, c.rec, true));
  lock.release();
  refresh_network_hosts(e, n.name);
  return ok();
}

Status disconnect_network(Engine& e, const std::string& net, const std::string& ctr, bool force) {
  auto store = net_store(e);
  auto n = TRY(store.find(net));
  auto c = TRY(find_container(e, ctr));
  auto clock = TRY(e.lock_container(c.rec.id));
  c = TRY(find_container(e, c.rec.id));
  Json& nets = c.rec.extra.networks;
  if (!nets.is_object() || !nets.contains(n.name)) {
    if (force) return ok();
    return fail(kInvalid, fmt::format("container {} is not connected to network {}", c.rec.id, n.name));
  }
  if (nets.size() == 1)
    return fail(kInvalid, fmt::format("container {} would have no network left: connect it to another one first, or "
                                      "remove it",
                                      c.rec.name));
  nets.erase(n.name);
  if (json_str(c.rec.host_config, "NetworkMode") == n.name) c.rec.host_config["NetworkMode"] = nets.begin().key();
  TRY(write_record(e, c.rec, true));
  refresh_network_hosts(e, n.name);
  return ok();
}

}  // namespace skiff::engine
