#include "skiff/network/names.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>

#include "skiff/util/strings.hpp"

namespace skiff::network {

namespace {

void add_unique(std::vector<std::string>& v, const std::string& s) {
  if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

std::string line(const std::string& ip, const std::vector<std::string>& names) {
  std::vector<std::string> n;
  for (auto& x : names) add_unique(n, x);
  return ip + "\t" + join(n, " ") + "\n";
}

bool is_loopback_server(std::string_view ip) {
  if (ip.starts_with("127.")) return true;
  std::string s(ip);
  if (auto pct = s.find('%'); pct != std::string::npos) s.resize(pct);  // fe80::1%eth0
  struct in6_addr a6;
  return inet_pton(AF_INET6, s.c_str(), &a6) == 1 && IN6_IS_ADDR_LOOPBACK(&a6);
}

std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\r') {
      if (!cur.empty()) out.push_back(std::move(cur)), cur.clear();
    } else {
      cur.push_back(c);
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

}  // namespace

std::string default_hosts_base() {
  return "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
         "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";
}

std::string hosts_file(const HostsInput& in) {
  std::string out = in.base ? *in.base : default_hosts_base();
  if (!out.empty() && out.back() != '\n') out.push_back('\n');
  for (auto& e : in.extra) out += line(e.ip, e.names);
  for (auto& e : in.peers) out += line(e.ip, e.names);
  if (!in.host_ip.empty()) out += line(in.host_ip, {"host.containers.internal", "host.docker.internal"});
  if (!in.self.empty()) out += line(in.ip.empty() ? "127.0.1.1" : in.ip, in.self);
  return out;
}

std::string resolv_conf(const ResolvInput& in) {
  if (in.host_network && in.servers.empty() && in.searches.empty() && in.options.empty()) return in.host_text;
  std::vector<std::string> servers, searches, options, other;
  bool dropped_loopback = false;
  for (auto& raw : split(in.host_text, '\n')) {
    auto w = words(raw);
    if (w.empty() || w[0][0] == '#' || w[0][0] == ';') continue;
    if (w[0] == "nameserver" && w.size() >= 2) {
      if (!in.host_network && is_loopback_server(w[1])) {
        dropped_loopback = true;
        continue;
      }
      add_unique(servers, w[1]);
    } else if ((w[0] == "search" || w[0] == "domain") && w.size() >= 2) {
      searches.assign(w.begin() + 1, w.end());  // the last one wins (resolv.conf(5))
    } else if (w[0] == "options") {
      for (size_t i = 1; i < w.size(); ++i) add_unique(options, w[i]);
    } else {
      other.push_back(std::string(trim(raw)));
    }
  }
  // The stack's forwarder answers from the host's own resolvers (loopback ones included, and
  // those reachable only through the host's routes): it replaces them all.
  (void)dropped_loopback;
  if (!in.stack_dns.empty()) servers = {in.stack_dns};
  if (!in.servers.empty()) servers = in.servers;
  if (!in.searches.empty()) {
    searches.clear();
    for (auto& s : in.searches)
      if (s != ".") add_unique(searches, s);
  }
  if (!in.options.empty()) options = in.options;
  std::string out;
  if (!searches.empty()) out += "search " + join(searches, " ") + "\n";
  for (auto& s : servers) out += "nameserver " + s + "\n";
  if (!options.empty()) out += "options " + join(options, " ") + "\n";
  for (auto& o : other) out += o + "\n";
  return out;
}

bool is_ipv4(std::string_view s) {
  struct in_addr a;
  return inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

bool is_ip(std::string_view s) {
  struct in6_addr a6;
  return is_ipv4(s) || inet_pton(AF_INET6, std::string(s).c_str(), &a6) == 1;
}

Status check_hostname(std::string_view what, std::string_view s) {
  bool ok_ = !s.empty() && s.size() <= 253 && std::isalnum((unsigned char)s[0]);
  for (char c : s)
    if (!std::isalnum((unsigned char)c) && c != '-' && c != '.' && c != '_') ok_ = false;
  if (ok_) return ok();
  return fail(kInvalid, fmt::format("invalid {} \"{}\": use letters, digits, '-', '_' and '.', starting with a "
                                    "letter or digit",
                                    what, s));
}

Result<HostEntry> parse_add_host(std::string_view spec) {
  // Docker: NAME:IP (split at the first colon: IPv6 keeps its own), or NAME=IP since 25.
  std::string s(spec);
  size_t cut = s.find('=');
  if (cut == std::string::npos) cut = s.find(':');
  if (cut == std::string::npos || cut == 0 || cut + 1 >= s.size())
    return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--add-host\" flag: bad format for add-host: "
                                      "\"{}\" (want NAME:IP, e.g. db:10.0.0.5 or db:host-gateway)",
                                      s, s));
  HostEntry e;
  std::string name = s.substr(0, cut), ip = s.substr(cut + 1);
  if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
  TRY(check_hostname("host name in --add-host", name));
  if (ip != kHostGateway && !is_ip(ip))
    return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--add-host\" flag: invalid IP address in "
                                      "add-host: \"{}\"",
                                      s, ip));
  e.ip = ip;
  e.names = {name};
  return e;
}

Status check_dns_server(std::string_view s) {
  if (is_ip(s)) return ok();
  return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--dns\" flag: {} is not an ip address", s, s));
}

Status check_dns_search(std::string_view s) {
  if (s == ".") return ok();
  std::string_view d = s;
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  bool good = !d.empty() && d.size() <= 255 && d.front() != '-' && d.front() != '.';
  for (char c : d)
    if (!std::isalnum((unsigned char)c) && c != '-' && c != '.' && c != '_') good = false;
  if (good) return ok();
  return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--dns-search\" flag: {} is not a valid domain", s, s));
}

Status check_mac(std::string_view s) {
  bool good = s.size() == 17;
  for (size_t i = 0; good && i < s.size(); ++i)
    good = (i % 3 == 2) ? s[i] == ':' : std::isxdigit((unsigned char)s[i]) != 0;
  if (good) return ok();
  return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--mac-address\" flag: {} is not a valid mac "
                                    "address (want six hex pairs, e.g. 92:d0:c6:0a:29:33)",
                                    s, s));
}

Result<Link> parse_link(std::string_view spec) {
  auto [name, alias] = split_once(spec, ':');
  if (!name.empty() && name[0] == '/') name = name.substr(1);
  if (name.empty() || (alias && alias->empty()))
    return fail(kInvalid, fmt::format("invalid argument \"{}\" for \"--link\" flag: want NAME[:ALIAS]", spec));
  Link l;
  l.container = name;
  l.alias = alias ? *alias : name;
  if (!l.alias.empty() && l.alias[0] == '/') l.alias = l.alias.substr(1);
  TRY(check_hostname("link alias", l.alias));
  return l;
}

namespace {
struct Port {
  int num;
  std::string proto;
};
}  // namespace

std::vector<std::string> link_env(std::string_view alias_in, std::string_view self_name, std::string_view ip,
                                  const std::vector<std::string>& port_specs, const std::vector<std::string>& env) {
  std::string alias;
  for (char c : alias_in) alias.push_back(c == '-' ? '_' : char(std::toupper((unsigned char)c)));
  std::vector<Port> ports;
  for (auto& p : port_specs) {
    auto [n, proto] = split_once(p, '/');
    auto num = parse_int(n);
    if (!num) continue;
    ports.push_back({int(*num), proto ? to_lower(*proto) : "tcp"});
  }
  // moby's nat.Sort: by number, tcp first for the same number.
  std::stable_sort(ports.begin(), ports.end(), [](const Port& a, const Port& b) {
    return a.num < b.num || (a.num == b.num && a.proto == "tcp" && b.proto != "tcp");
  });
  std::vector<std::string> out;
  std::string ips(ip);
  auto up = [](std::string s) {
    for (auto& c : s) c = char(std::toupper((unsigned char)c));
    return s;
  };
  if (!ports.empty())
    out.push_back(fmt::format("{}_PORT={}://{}:{}", alias, ports[0].proto, ips, ports[0].num));
  // Runs of three or more contiguous ports get _START/_END variables too (moby links.go).
  for (size_t i = 0; i < ports.size();) {
    size_t j = i;
    while (j + 1 < ports.size() && ports[j + 1].num == ports[j].num + 1 && ports[j + 1].proto == ports[i].proto) ++j;
    if (j > i + 1) {
      auto& p = ports[i];
      auto& q = ports[j];
      std::string P = up(p.proto);
      out.push_back(fmt::format("{}_PORT_{}_{}_START={}://{}:{}", alias, p.num, P, p.proto, ips, p.num));
      out.push_back(fmt::format("{}_PORT_{}_{}_ADDR={}", alias, p.num, P, ips));
      out.push_back(fmt::format("{}_PORT_{}_{}_PROTO={}", alias, p.num, P, p.proto));
      out.push_back(fmt::format("{}_PORT_{}_{}_PORT_START={}", alias, p.num, P, p.num));
      out.push_back(fmt::format("{}_PORT_{}_{}_END={}://{}:{}", alias, p.num, up(q.proto), q.proto, ips, q.num));
      out.push_back(fmt::format("{}_PORT_{}_{}_PORT_END={}", alias, p.num, up(q.proto), q.num));
      i = j + 1;
      continue;
    }
    ++i;
  }
  for (auto& p : ports) {
    std::string P = up(p.proto);
    out.push_back(fmt::format("{}_PORT_{}_{}={}://{}:{}", alias, p.num, P, p.proto, ips, p.num));
    out.push_back(fmt::format("{}_PORT_{}_{}_ADDR={}", alias, p.num, P, ips));
    out.push_back(fmt::format("{}_PORT_{}_{}_PORT={}", alias, p.num, P, p.num));
    out.push_back(fmt::format("{}_PORT_{}_{}_PROTO={}", alias, p.num, P, p.proto));
  }
  out.push_back(fmt::format("{}_NAME=/{}/{}", alias, self_name, alias_in));
  for (auto& kv : env) {
    auto [k, v] = split_once(kv, '=');
    if (!v || k == "HOME" || k == "PATH") continue;
    out.push_back(fmt::format("{}_ENV_{}={}", alias, k, *v));
  }
  return out;
}

}  // namespace skiff::network
