// `--network` parsing, the default stack's choice, and the addresses each stack gives.
#include "skiff/network/mode.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "skiff/util/fs.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::network {

Json to_json(const NetInfo& n) {
  Json j = Json::object();
  j["mode"] = n.mode;
  if (!n.container.empty()) j["container"] = n.container;
  if (!n.ns_path.empty()) j["nsPath"] = n.ns_path;
  j["iface"] = n.iface;
  j["ip"] = n.ip;
  j["prefix"] = n.prefix;
  j["gateway"] = n.gateway;
  j["ip6"] = n.ip6;
  j["dns"] = n.dns;
  j["hostIp"] = n.host_ip;
  j["mac"] = n.mac;
  j["mtu"] = n.mtu;
  return j;
}

NetInfo netinfo_from_json(const Json& j) {
  NetInfo n;
  n.mode = json_str(j, "mode", "none");
  n.container = json_str(j, "container");
  n.ns_path = json_str(j, "nsPath");
  n.iface = json_str(j, "iface");
  n.ip = json_str(j, "ip");
  n.prefix = int(json_int(j, "prefix"));
  n.gateway = json_str(j, "gateway");
  n.ip6 = json_str(j, "ip6");
  n.dns = json_str(j, "dns");
  n.host_ip = json_str(j, "hostIp");
  n.mac = json_str(j, "mac");
  n.mtu = int(json_int(j, "mtu"));
  return n;
}

Result<NetInfo> read_netinfo(const std::string& run_dir) {
  auto j = read_json_file(run_dir + "/" + kNetInfoFile);
  if (!j) {
    if (j.error().code == ENOENT) return NetInfo{};
    return j.error();
  }
  return netinfo_from_json(*j);
}

Json to_json(const StackConfig& c) {
  Json j = Json::object();
  j["info"] = to_json(c.info);
  j["program"] = c.program;
  j["rootless"] = c.rootless;
  j["extraArgs"] = c.extra_args;
  Json o = Json::object();
  for (auto& [k, v] : c.options) o[k] = v;
  j["options"] = o;
  return j;
}

StackConfig stack_config_from_json(const Json& j) {
  StackConfig c;
  c.info = netinfo_from_json(json_get(j, "info"));
  c.program = json_str(j, "program");
  c.rootless = json_bool(j, "rootless");
  const Json& a = json_get(j, "extraArgs");
  if (a.is_array())
    for (auto& x : a)
      if (x.is_string()) c.extra_args.push_back(x.get<std::string>());
  const Json& o = json_get(j, "options");
  if (o.is_object())
    for (auto& [k, v] : o.items())
      if (v.is_string()) c.options[k] = v.get<std::string>();
  return c;
}

namespace {

Status check_slirp_option(const std::string& k, const std::string& v, const std::string& value) {
  auto bad = [&](const std::string& why) {
    return fail(kInvalid, fmt::format("invalid --network \"{}\": slirp4netns option {}={}: {}", value, k, v, why));
  };
  if (k == "allow_host_loopback" || k == "enable_ipv6") {
    if (!parse_bool(v)) return bad("want true or false");
  } else if (k == "port_handler") {
    if (v != "rootlesskit" && v != "slirp4netns") return bad("want rootlesskit or slirp4netns");
  } else if (k == "mtu") {
    auto n = parse_int(v);
    if (!n || *n < 68 || *n > 65521) return bad("want a number from 68 to 65521");
  } else if (k == "cidr") {
    auto [addr, len] = split_once(v, '/');
    struct in_addr a{};
    auto l = len ? parse_int(*len) : std::nullopt;
    if (inet_pton(AF_INET, addr.c_str(), &a) != 1 || !l || *l < 1 || *l > 25)
      return bad("want an IPv4 network such as 10.0.2.0/24 (prefix 1 to 25)");
  } else {
    return fail(kInvalid, fmt::format("invalid --network \"{}\": unknown slirp4netns option \"{}\" (allow_host_loopback, "
                                      "port_handler, mtu, cidr, enable_ipv6)", value, k));
  }
  return ok();
}

// The host's IPv4 default route: interface and gateway (from /proc/net/route).
struct HostRoute {
  std::string iface, gateway;
};
HostRoute host_default_route() {
  HostRoute r;
  auto text = read_file("/proc/net/route", 1 << 20);
  if (!text) return r;
  for (auto& line : split(*text, '\n')) {
    auto f = split(line, '\t');
    if (f.size() < 3 || trim(f[1]) != "00000000") continue;
    uint32_t gw = uint32_t(std::stoul(std::string(trim(f[2])), nullptr, 16));
    char buf[INET_ADDRSTRLEN];
    struct in_addr a{gw};
    r.iface = std::string(trim(f[0]));
    r.gateway = inet_ntop(AF_INET, &a, buf, sizeof buf) ? buf : "";
    break;
  }
  return r;
}

// The IPv4 address (ioctls: no netlink round trip in the CLI) and the first global IPv6
// address (/proc/net/if_inet6) of `iface`.
void iface_addresses(const std::string& iface, NetInfo& n) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s >= 0) {
    struct ifreq ifr{};
    memcpy(ifr.ifr_name, iface.data(), std::min(iface.size(), size_t(IFNAMSIZ - 1)));
    char buf[INET_ADDRSTRLEN];
    if (ioctl(s, SIOCGIFADDR, &ifr) == 0 &&
        inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&ifr.ifr_addr)->sin_addr, buf, sizeof buf)) {
      n.ip = buf;
      n.prefix = 24;
      if (ioctl(s, SIOCGIFNETMASK, &ifr) == 0)
        n.prefix = __builtin_popcount(reinterpret_cast<sockaddr_in*>(&ifr.ifr_netmask)->sin_addr.s_addr);
    }
    close(s);
  }
  auto v6 = read_file("/proc/net/if_inet6", 1 << 20);
  if (!v6) return;
  for (auto& line : split(*v6, '\n')) {
    // address index prefix scope flags name; scope 00 = global
    auto f = split(std::string(trim(line)), ' ');
    std::vector<std::string> w;
    for (auto& x : f)
      if (!x.empty()) w.push_back(x);
    if (w.size() < 6 || w[5] != iface || w[3] != "00" || w[0].size() != 32) continue;
    std::string a;
    for (size_t k = 0; k < 32; k += 4) a += (k ? ":" : "") + w[0].substr(k, 4);
    struct in6_addr x{};
    char buf[INET6_ADDRSTRLEN];
    if (inet_pton(AF_INET6, a.c_str(), &x) == 1 && inet_ntop(AF_INET6, &x, buf, sizeof buf)) n.ip6 = buf;
    break;
  }
}

// slirp's addresses in a /24 (or larger) network: .100 for the container, .2 the gateway
// (and the host), .3 the DNS forwarder.
Status slirp_addresses(const std::string& cidr, NetInfo& n) {
  auto [addr, len] = split_once(cidr, '/');
  struct in_addr a{};
  if (inet_pton(AF_INET, addr.c_str(), &a) != 1) return fail(kInvalid, fmt::format("invalid cidr {}", cidr));
  int prefix = int(parse_int(len.value_or("24")).value_or(24));
  uint32_t net = ntohl(a.s_addr) & (prefix ? ~uint32_t(0) << (32 - prefix) : 0);
  auto at = [&](uint32_t host) {
    struct in_addr x{htonl(net | host)};
    char buf[INET_ADDRSTRLEN];
    return std::string(inet_ntop(AF_INET, &x, buf, sizeof buf));
  };
  n.ip = at(100);
  n.prefix = prefix;
  n.gateway = at(2);
  n.dns = at(3);
  return ok();
}

}  // namespace

Result<Mode> parse_mode(const std::string& value) {
  Mode m;
  auto [name, rest] = split_once(value, ':');
  if (value.empty() || value == "default" || value == "bridge" || value == "private") return m;
  if (value == "none" || value == "host") {
    m.kind = value;
    return m;
  }
  if (name == "container") {
    if (!rest || rest->empty())
      return fail(kInvalid, fmt::format("invalid --network \"{}\": want container:NAME or container:ID", value));
    m.kind = "container";
    m.arg = *rest;
    return m;
  }
  if (name == "ns") {
    if (!rest || rest->empty() || (*rest)[0] != '/')
      return fail(kInvalid, fmt::format("invalid --network \"{}\": want ns:PATH with an absolute path "
                                        "(a network namespace file such as /run/netns/NAME)", value));
    m.kind = "ns";
    m.arg = *rest;
    return m;
  }
  if (name == "slirp4netns") {
    m.kind = "slirp4netns";
    if (rest)
      for (auto& o : split(*rest, ',')) {
        if (o.empty()) continue;
        auto [k, v] = split_once(o, '=');
        if (!v) return fail(kInvalid, fmt::format("invalid --network \"{}\": slirp4netns option \"{}\" needs a value "
                                                  "(KEY=VALUE)", value, o));
        TRY(check_slirp_option(k, *v, value));
        m.options[k] = *v;
      }
    return m;
  }
  if (name == "pasta") {
    m.kind = "pasta";
    if (rest)
      for (auto& o : split(*rest, ','))
        if (!o.empty()) m.pasta_args.push_back(o);
    return m;
  }
  if (value == kBuiltin) {
    m.kind = kBuiltin;
    return m;
  }
  return fail(kInvalid, fmt::format("network mode \"{}\" is not available: use bridge (the default: a private "
                                    "network with outbound access), none, host, container:NAME|ID, ns:PATH, "
                                    "pasta[:OPTIONS], slirp4netns[:OPTIONS] or builtin", value));
}

Result<std::string> default_stack(const std::string& configured) {
  if (configured == "pasta" || configured == "slirp4netns" || configured == kBuiltin) return configured;
  if (!configured.empty())
    return fail(kInvalid, fmt::format("containers.conf [network] default_rootless_network_cmd = \"{}\" is not "
                                      "known: use pasta, slirp4netns or {}", configured, kBuiltin));
  return find_in_path("pasta").empty() ? std::string(kBuiltin) : std::string("pasta");
}

Result<NetInfo> plan(const std::string& kind, const std::map<std::string, std::string>& options) {
  NetInfo n;
  n.mode = kind;
  HostRoute hr = host_default_route();
  if (kind == "pasta") {
    // pasta copies the host's address and routes onto an interface of the same name, maps its
    // gateway address to the host, and forwards DNS sent to 169.254.1.1 (--dns-forward) to
    // the host's first resolver.
    if (hr.iface.empty())
      return fail(kUnsupported, "pasta needs a host interface with an IPv4 default route; there is none "
                                "(use --network slirp4netns or --network builtin)");
    n.iface = hr.iface;
    iface_addresses(hr.iface, n);
    n.gateway = hr.gateway;
    n.dns = "169.254.1.1";
    n.host_ip = hr.gateway;
    n.mtu = 65520;
    return n;
  }
  auto it = options.find("cidr");
  TRY(slirp_addresses(it == options.end() ? "10.0.2.0/24" : it->second, n));
  n.iface = "tap0";
  n.mtu = 65520;
  if (auto m = options.find("mtu"); m != options.end()) n.mtu = int(parse_int(m->second).value_or(65520));
  // The host is reached at the gateway address only when its loopback is allowed
  // (slirp4netns's allow_host_loopback); otherwise at its own address, through the NAT.
  bool loopback = options.count("allow_host_loopback") && parse_bool(options.at("allow_host_loopback")).value_or(false);
  if (loopback || hr.iface.empty()) {
    n.host_ip = n.gateway;
  } else {
    NetInfo h;
    iface_addresses(hr.iface, h);
    n.host_ip = h.ip.empty() ? n.gateway : h.ip;
  }
  return n;
}

}  // namespace skiff::network
