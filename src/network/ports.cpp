// Published ports: -p/--expose parsing (go-connections/nat's rules and texts), binding the host
// sockets, and Docker's displays of them.
#include "skiff/network/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::network {

namespace {

// Go's strconv.ParseUint(s, 10, 16), with its error text.
Result<uint16_t> parse_u16(const std::string& s) {
  bool digits = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits) return fail(kInvalid, fmt::format("strconv.ParseUint: parsing {}: invalid syntax", go_quote(s)));
  uint64_t v = 0;
  for (char c : s) {
    v = v * 10 + uint64_t(c - '0');
    if (v > 65535) return fail(kInvalid, fmt::format("strconv.ParseUint: parsing {}: value out of range", go_quote(s)));
  }
  return uint16_t(v);
}

// nat.ParsePortRange: "80" or "8000-8010" (only the first two parts of a-b-c count).
Result<std::pair<uint16_t, uint16_t>> parse_range(const std::string& s) {
  if (s.empty()) return fail(kInvalid, "empty string specified for ports");
  if (s.find('-') == std::string::npos) {
    uint16_t p = TRY(parse_u16(s));
    return std::make_pair(p, p);
  }
  auto parts = split(s, '-');
  uint16_t a = TRY(parse_u16(parts[0]));
  uint16_t b = TRY(parse_u16(parts[1]));
  if (b < a) return fail(kInvalid, fmt::format("invalid range specified for port: {}", s));
  return std::make_pair(a, b);
}

// nat.SplitProtoPort: {proto, port}.
std::pair<std::string, std::string> split_proto_port(const std::string& raw) {
  auto parts = split(raw, '/');
  if (raw.empty() || parts.empty() || parts[0].empty()) return {"", ""};
  if (parts.size() == 1) return {"tcp", raw};
  if (parts[1].empty()) return {"tcp", parts[0]};
  return {parts[1], parts[0]};
}

bool valid_ip(const std::string& ip) {
  unsigned char buf[sizeof(struct in6_addr)];
  return inet_pton(AF_INET, ip.c_str(), buf) == 1 || inet_pton(AF_INET6, ip.c_str(), buf) == 1;
}

bool is_v6(const std::string& ip) { return ip.find(':') != std::string::npos; }

// Docker's long form (`published=8080,target=80,protocol=udp`) to the short one.
Result<std::string> standard_notation(const std::string& spec) {
  if (spec.find('=') == std::string::npos) return spec;
  std::map<std::string, std::string> params{{"protocol", "tcp"}};
  for (auto& param : split(spec, ',')) {
    auto [k, v] = split_once(param, '=');
    if (!v || k.empty())
      return fail(kInvalid, fmt::format("invalid publish opts format (should be name=value but got '{}')", param));
    params[k] = *v;
  }
  return fmt::format("{}:{}/{}", params["published"], params["target"], params["protocol"]);
}

}  // namespace

std::string join_host_port(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

std::string port_key(uint16_t port, const std::string& proto) { return fmt::format("{}/{}", port, proto); }

bool split_port_key(const std::string& key, uint16_t& port, std::string& proto) {
  auto [pr, p] = split_proto_port(key);
  auto v = parse_u16(p);
  if (!v) return false;
  port = *v;
  proto = pr;
  return true;
}

Result<std::vector<PortMapping>> parse_publish(const std::string& spec_in) {
  std::string raw = TRY(standard_notation(spec_in));
  // splitParts: the last part is the container port, the one before it the host port, and
  // everything before that the address (IPv6 addresses have colons).
  auto parts = split(raw, ':');
  size_t n = parts.size();
  std::string ip, host_port, ctr = parts[n - 1];
  if (n == 2) {
    host_port = parts[0];
  } else if (n >= 3) {
    host_port = parts[n - 2];
    ip = join(std::vector<std::string>(parts.begin(), parts.end() - 2), ":");
  }
  auto [proto, ctr_port] = split_proto_port(ctr);
  if (!ip.empty() && ip[0] == '[') {
    if (ip.back() != ']') return fail(kInvalid, fmt::format("invalid IP address {}: missing ']' in address", ip));
    ip = ip.substr(1, ip.size() - 2);
  }
  if (!ip.empty() && !valid_ip(ip)) return fail(kInvalid, fmt::format("invalid IP address: {}", ip));
  if (ctr_port.empty()) return fail(kInvalid, fmt::format("no port specified: {}<empty>", raw));
  auto cr = parse_range(ctr_port);
  if (!cr || cr->first == 0) return fail(kInvalid, fmt::format("invalid containerPort: {}", ctr_port));
  std::pair<uint16_t, uint16_t> hr{0, 0};
  if (!host_port.empty()) {
    auto h = parse_range(host_port);
    if (!h) return fail(kInvalid, fmt::format("invalid hostPort: {}", host_port));
    hr = *h;
  }
  if (!host_port.empty() && (cr->second - cr->first) != (hr.second - hr.first) && cr->second != cr->first)
    return fail(kInvalid, fmt::format("invalid ranges specified for container and host Ports: {} and {}", ctr_port, host_port));
  proto = to_lower(proto);
  if (proto == "sctp")
    return fail(kInvalid, fmt::format("invalid proto: {} (skiff publishes tcp and udp ports)", proto));
  if (proto != "tcp" && proto != "udp") return fail(kInvalid, fmt::format("invalid proto: {}", proto));
  std::vector<PortMapping> out;
  for (uint32_t i = 0; i <= uint32_t(cr->second - cr->first); ++i) {
    PortMapping m;
    m.container_port = uint16_t(cr->first + i);
    m.proto = proto;
    m.host_ip = ip;
    if (!host_port.empty()) {
      m.host_port = std::to_string(hr.first + i);
      // One container port and a host range: the range is where a free port is picked.
      if (cr->first == cr->second && hr.first != hr.second) m.host_port = fmt::format("{}-{}", hr.first, hr.second);
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<std::string>> parse_expose(const std::string& spec) {
  if (spec.find(':') != std::string::npos) return fail(kInvalid, fmt::format("invalid port format for --expose: {}", spec));
  auto [proto, port] = split_proto_port(spec);
  auto r = parse_range(port);
  if (!r) return fail(kInvalid, fmt::format("invalid range format for --expose: {}, error: {}", spec, r.error().msg));
  proto = to_lower(proto);
  if (proto != "tcp" && proto != "udp" && proto != "sctp") return fail(kInvalid, fmt::format("invalid proto: {}", proto));
  std::vector<std::string> out;
  for (uint32_t p = r->first; p <= r->second; ++p) out.push_back(port_key(uint16_t(p), proto));
  return out;
}

void add_bindings(Json& port_bindings, Json& exposed, const std::vector<PortMapping>& mappings) {
  if (!port_bindings.is_object()) port_bindings = Json::object();
  if (!exposed.is_object()) exposed = Json::object();
  for (auto& m : mappings) {
    std::string key = port_key(m.container_port, m.proto);
    Json b = Json::object();
    b["HostIp"] = m.host_ip;
    b["HostPort"] = m.host_port;
    if (!port_bindings.contains(key)) port_bindings[key] = Json::array();
    port_bindings[key].push_back(b);
    exposed[key] = Json::object();
  }
}

namespace {

struct Addr {
  sockaddr_storage ss{};
  socklen_t len = 0;
};

Addr make_addr(const std::string& ip, uint16_t port) {
  Addr a;
  if (is_v6(ip)) {
    auto* s = reinterpret_cast<sockaddr_in6*>(&a.ss);
    s->sin6_family = AF_INET6;
    s->sin6_port = htons(port);
    inet_pton(AF_INET6, ip.c_str(), &s->sin6_addr);
    a.len = sizeof *s;
  } else {
    auto* s = reinterpret_cast<sockaddr_in*>(&a.ss);
    s->sin_family = AF_INET;
    s->sin_port = htons(port);
    inet_pton(AF_INET, ip.c_str(), &s->sin_addr);
    a.len = sizeof *s;
  }
  return a;
}

// One socket on ip:port (port 0: the kernel picks a free one). `dual`: an IPv6 socket that
// takes IPv4 too. Returns the errno on failure.
Result<UniqueFd> bind_socket(const std::string& ip, uint16_t port, bool udp, bool dual) {
  int fam = is_v6(ip) ? AF_INET6 : AF_INET;
  int fd = socket(fam, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return errno_error("socket");
  UniqueFd s(fd);
  int one = 1, zero = 0;
  // TCP: as every server (and Docker's proxy) does, so that a port whose last connections are
  // in TIME_WAIT can be bound again at once. Never for UDP: there it would share the port.
  if (!udp) (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (fam == AF_INET6) (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof one);
  Addr a = make_addr(ip, port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&a.ss), a.len) < 0) return errno_error("bind");
  if (!udp && listen(fd, SOMAXCONN) < 0) return errno_error("listen");
  return s;
}

uint16_t local_port(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) < 0) return 0;
  if (ss.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
}

std::string errno_text(int code) {
  switch (code) {
    case EADDRINUSE: return "address already in use";
    case EACCES: return "permission denied";
    case EADDRNOTAVAIL: return "cannot assign requested address";
    default: return strerror(code);
  }
}

Result<BoundPort> bind_one(const std::string& proto, uint16_t ctr_port, const std::string& host_ip_in,
                           const std::string& host_port) {
  std::pair<uint16_t, uint16_t> range{0, 0};
  if (!host_port.empty()) {
    auto r = parse_range(host_port);
    if (!r) return fail(kInvalid, fmt::format("invalid port specification: {}", go_quote(host_port)));
    range = *r;
  }
  bool udp = proto == "udp";
  bool any = host_ip_in.empty();
  std::string shown_ip = any ? "0.0.0.0" : host_ip_in;
  int last_err = 0;
  for (uint32_t p = range.first; p <= range.second; ++p) {
    BoundPort b;
    b.proto = proto;
    b.container_port = ctr_port;
    Result<UniqueFd> s = fail(EAFNOSUPPORT, "");
    if (any) {
      // Every address: one dual-stack socket, or IPv4 alone where the host has no IPv6.
      s = bind_socket("::", uint16_t(p), udp, true);
      if (s) {
        b.host_ip = "::";
        b.dual = true;
      } else if (s.error().code == EAFNOSUPPORT || s.error().code == EADDRNOTAVAIL) {
        s = bind_socket("0.0.0.0", uint16_t(p), udp, false);
        b.host_ip = "0.0.0.0";
      }
    } else {
      s = bind_socket(host_ip_in, uint16_t(p), udp, false);
      b.host_ip = host_ip_in;
    }
    if (s) {
      b.fd = std::move(*s);
      b.host_port = local_port(b.fd.get());
      return b;
    }
    last_err = s.error().code;
    if (last_err != EADDRINUSE) break;  // only a taken port moves on in a range
  }
  std::string what = join_host_port(shown_ip, host_port.empty() ? "0" : host_port);
  std::string net = udp ? "udp" : "tcp";
  if (!any) net += is_v6(host_ip_in) ? "6" : "4";
  std::string msg = fmt::format("failed to bind port {}/{}: listen {} {}: bind: {}", what, proto, net, what, errno_text(last_err));
  if (last_err == EACCES && range.first < 1024) {
    auto start = read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start", 64);
    msg += fmt::format(" (ports below {} need root: choose a port of {} or more, or lower the sysctl "
                       "net.ipv4.ip_unprivileged_port_start)",
                       start ? std::string(trim(*start)) : "1024", start ? std::string(trim(*start)) : "1024");
  } else if (last_err == EADDRNOTAVAIL) {
    msg += fmt::format(" (is {} an address of this host?)", shown_ip);
  }
  return fail(last_err ? last_err : EIO, msg);
}

}  // namespace

Result<std::vector<BoundPort>> bind_ports(const Json& port_bindings, const Json& exposed, bool publish_all) {
  // Key order as Docker's maps (sorted), bindings in the order given.
  std::map<std::string, std::vector<std::pair<std::string, std::string>>> want;
  if (port_bindings.is_object())
    for (auto& [key, list] : port_bindings.items()) {
      if (!list.is_array()) continue;
      for (auto& b : list) want[key].emplace_back(json_str(b, "HostIp"), json_str(b, "HostPort"));
    }
  if (publish_all && exposed.is_object())
    for (auto& [key, unused] : exposed.items()) {
      (void)unused;
      if (want[key].empty()) want[key].emplace_back("", "");
    }
  size_t count = 0;
  for (auto& [k, v] : want) count += v.size();
  // Many ports need many descriptors here and in the monitor: raise the soft limit.
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < count + 256 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = std::min<rlim_t>(rl.rlim_max, count + 1024);
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
  std::vector<BoundPort> out;
  for (auto& [key, list] : want) {
    uint16_t port;
    std::string proto;
    if (!split_port_key(key, port, proto) || port == 0)
      return fail(kInvalid, fmt::format("invalid port specification: {}", go_quote(key)));
    if (proto != "tcp" && proto != "udp") {
      if (list.size() == 1 && list[0].first.empty() && list[0].second.empty()) continue;  // -P of an sctp EXPOSE
      return fail(kInvalid, fmt::format("invalid proto: {} (skiff publishes tcp and udp ports)", proto));
    }
    for (auto& [ip, hp] : list) out.push_back(TRY(bind_one(proto, port, ip, hp)));
  }
  return out;
}

Json ports_map(const std::vector<BoundPort>& bound, const Json& exposed) {
  std::map<std::string, Json> m;
  if (exposed.is_object())
    for (auto& [key, unused] : exposed.items()) {
      (void)unused;
      m[key] = nullptr;
    }
  for (auto& b : bound) {
    Json& list = m[port_key(b.container_port, b.proto)];
    if (!list.is_array()) list = Json::array();
    auto add = [&](const std::string& ip) {
      Json e = Json::object();
      e["HostIp"] = ip;
      e["HostPort"] = std::to_string(b.host_port);
      list.push_back(e);
    };
    if (b.dual) {
      add("0.0.0.0");
      add("::");
    } else {
      add(b.host_ip);
    }
  }
  Json out = Json::object();
  for (auto& [k, v] : m) out[k] = v;
  return out;
}

std::string displayable_ports(const Json& ports) {
  struct Port {
    std::string ip;
    uint16_t priv = 0, pub = 0;
    std::string type;
  };
  std::vector<Port> list;
  if (!ports.is_object()) return "";
  for (auto& [key, bindings] : ports.items()) {
    uint16_t p;
    std::string proto;
    if (!split_port_key(key, p, proto)) continue;
    if (!bindings.is_array() || bindings.empty()) {
      list.push_back({"", p, 0, proto});
      continue;
    }
    for (auto& b : bindings) {
      auto h = parse_u16(json_str(b, "HostPort"));
      list.push_back({json_str(b, "HostIp"), p, h ? *h : uint16_t(0), proto});
    }
  }
  std::sort(list.begin(), list.end(), [](const Port& a, const Port& b) {
    if (a.priv != b.priv) return a.priv < b.priv;
    if (a.ip != b.ip) return a.ip < b.ip;
    if (a.pub != b.pub) return a.pub < b.pub;
    return a.type < b.type;
  });
  struct Group {
    uint16_t first, last;
  };
  auto form = [](const std::string& key, uint16_t first, uint16_t last) {
    auto slash = key.rfind('/');
    std::string ip = slash == std::string::npos ? "" : key.substr(0, slash);
    std::string type = slash == std::string::npos ? key : key.substr(slash + 1);
    std::string g = std::to_string(first);
    if (first != last) g += fmt::format("-{}", last);
    if (!ip.empty()) g = join_host_port(ip, g) + "->" + g;
    return g + "/" + type;
  };
  std::map<std::string, Group> groups;
  std::vector<std::string> order, result, host_mappings;
  for (auto& p : list) {
    std::string key = p.type;
    if (!p.ip.empty()) {
      if (p.pub != p.priv) {
        host_mappings.push_back(fmt::format("{}->{}/{}", join_host_port(p.ip, std::to_string(p.pub)), p.priv, p.type));
        continue;
      }
      key = p.ip + "/" + p.type;
    }
    auto it = groups.find(key);
    if (it == groups.end()) {
      groups[key] = {p.priv, p.priv};
      order.push_back(key);
      continue;
    }
    if (p.priv == uint16_t(it->second.last + 1)) {
      it->second.last = p.priv;
      continue;
    }
    result.push_back(form(key, it->second.first, it->second.last));
    it->second = {p.priv, p.priv};
  }
  for (auto& k : order) result.push_back(form(k, groups[k].first, groups[k].last));
  result.insert(result.end(), host_mappings.begin(), host_mappings.end());
  return join(result, ", ");
}

namespace {

// fvbommel/sortorder.NaturalLess, which docker port sorts its lines with.
bool natural_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  auto dig = [](char c) { return c >= '0' && c <= '9'; };
  while (i < a.size() && j < b.size()) {
    bool d1 = dig(a[i]), d2 = dig(b[j]);
    if (d1 != d2) return d1;
    if (!d1) {
      if (a[i] != b[j]) return (unsigned char)a[i] < (unsigned char)b[j];
      ++i, ++j;
      continue;
    }
    while (i < a.size() && a[i] == '0') ++i;
    while (j < b.size() && b[j] == '0') ++j;
    size_t n1 = i, n2 = j;
    while (i < a.size() && dig(a[i])) ++i;
    while (j < b.size() && dig(b[j])) ++j;
    if (i - n1 != j - n2) return i - n1 < j - n2;
    std::string_view x(a.data() + n1, i - n1), y(b.data() + n2, j - n2);
    if (x != y) return x < y;
    if (n1 != n2) return n1 < n2;
  }
  return a.size() < b.size();
}

}  // namespace

std::vector<std::string> port_lines(const Json& ports, const std::string& key) {
  std::vector<std::string> out;
  if (!ports.is_object()) return out;
  for (auto& [from, frontends] : ports.items()) {
    if (!key.empty() && from != key) continue;
    if (!frontends.is_array()) continue;
    for (auto& f : frontends) {
      std::string hp = join_host_port(json_str(f, "HostIp"), json_str(f, "HostPort"));
      out.push_back(key.empty() ? from + " -> " + hp : hp);
    }
  }
  std::sort(out.begin(), out.end(), natural_less);
  return out;
}

}  // namespace skiff::network
