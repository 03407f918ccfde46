#include "skiff/network/netstore.hpp"

#include <fcntl.h>
#include <arpa/inet.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::network {

std::optional<uint32_t> parse_ipv4(std::string_view s) {
  struct in_addr a;
  if (inet_pton(AF_INET, std::string(s).c_str(), &a) != 1) return std::nullopt;
  return ntohl(a.s_addr);
}

std::string ipv4_str(uint32_t ip) {
  return fmt::format("{}.{}.{}.{}", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

std::string Subnet::str() const { return fmt::format("{}/{}", ipv4_str(addr), bits); }

Result<Subnet> parse_subnet(std::string_view s) {
  auto [a, b] = split_once(s, '/');
  auto ip = parse_ipv4(a);
  auto bits = b ? parse_int(*b) : std::nullopt;
  if (!ip || !bits)
    return fail(kInvalid, fmt::format("invalid subnet \"{}\": want an IPv4 CIDR such as 10.90.0.0/24", s));
  if (*bits < 8 || *bits > 30)
    return fail(kInvalid, fmt::format("invalid subnet \"{}\": the prefix length must be between 8 and 30", s));
  Subnet n{*ip, int(*bits)};
  if ((n.addr & n.mask()) != n.addr)
    return fail(kInvalid, fmt::format("invalid subnet \"{}\": host bits are set (did you mean {}?)", s,
                                      Subnet{n.addr & n.mask(), n.bits}.str()));
  return n;
}

bool overlaps(const Subnet& a, const Subnet& b) {
  uint32_t m = a.bits < b.bits ? a.mask() : b.mask();
  return (a.addr & m) == (b.addr & m);
}

Result<Subnet> free_subnet(const std::vector<Subnet>& used) {
  for (uint32_t second = 89; second <= 255; ++second)
    for (uint32_t third = 0; third <= 255; ++third) {
      Subnet s{(10u << 24) | (second << 16) | (third << 8), 24};
      if (std::none_of(used.begin(), used.end(), [&](const Subnet& u) { return overlaps(s, u); })) return s;
    }
  return fail(kConflict, "no free subnet left in 10.89.0.0-10.255.255.0: give one with --subnet");
}

Result<uint32_t> free_address(const Subnet& s, uint32_t gateway, const std::vector<uint32_t>& used) {
  uint32_t first = s.addr + 1, last = s.addr + ~s.mask() - 1;
  for (uint32_t ip = first; ip <= last; ++ip)
    if (ip != gateway && std::find(used.begin(), used.end(), ip) == used.end()) return ip;
  return fail(kConflict, fmt::format("no free address left in subnet {}", s.str()));
}

bool is_predefined(std::string_view name) { return name == "bridge" || name == "host" || name == "none"; }

Status validate_network_name(std::string_view n) {
  bool good = !n.empty() && n.size() <= 128 && std::isalnum((unsigned char)n[0]);
  for (char c : n)
    if (!std::isalnum((unsigned char)c) && c != '_' && c != '.' && c != '-') good = false;
  if (good) return ok();
  return fail(kInvalid, fmt::format("invalid network name \"{}\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", n));
}

Json network_to_record(const Network& n) {
  Json j = Json::object();
  j["name"] = n.name;
  j["id"] = n.id;
  j["driver"] = n.driver;
  j["subnet"] = n.subnet.str();
  j["gateway"] = ipv4_str(n.gateway);
  j["internal"] = n.internal;
  j["created"] = n.created;
  j["labels"] = n.labels;
  j["options"] = n.options;
  return j;
}

Result<Network> network_from_record(const Json& j) {
  Network n;
  n.name = json_str(j, "name");
  n.id = json_str(j, "id");
  n.driver = json_str(j, "driver", "bridge");
  n.subnet = TRY(parse_subnet(json_str(j, "subnet")));
  n.gateway = parse_ipv4(json_str(j, "gateway")).value_or(n.subnet.addr + 1);
  n.internal = json_bool(j, "internal");
  n.created = json_int(j, "created");
  if (json_get(j, "labels").is_object()) n.labels = j["labels"];
  if (json_get(j, "options").is_object()) n.options = j["options"];
  if (n.name.empty() || n.id.size() != 64) return fail(kInvalid, "network record without a name or an id");
  return n;
}

std::vector<Network> predefined_networks() {
  std::vector<Network> v(3);
  v[0].name = "bridge";
  v[0].id = "461b8b5a15d0c046ab1a0e55d408bfc33476ecf205507aee8862ecd948c748cf";
  v[1].name = "host";
  v[1].id = "638154848d0bd3879be71477f15a6edbcea4847274ec387c2c0e2dedad0ce96f";
  v[1].driver = "host";
  v[2].name = "none";
  v[2].id = "6c6c540fc575e1be9bcd06e97a3f10f4a10bd50e991bd85c5267faf3a623106a";
  v[2].driver = "null";
  for (auto& n : v) n.predefined = true;
  return v;
}

Result<FileLock> NetStore::lock() const {
  TRY(mkdir_p(dir_, 0700));
  return lock_file(dir_ + "/.lock", LockMode::Exclusive);
}

Result<std::vector<Network>> NetStore::list() const {
  std::vector<Network> out = predefined_networks();
  auto names = list_dir(dir_);
  if (!names) {
    if (names.error().code == ENOENT) return out;
    return names.error();
  }
  std::vector<Network> user;
  for (auto& f : *names) {
    if (f.size() <= 5 || f.substr(f.size() - 5) != ".json" || f[0] == '.') continue;
    auto text = read_file(dir_ + "/" + f, 1 << 20);
    if (!text) continue;  // removed meanwhile
    auto j = parse_json(*text, f);
    if (!j) continue;
    auto n = network_from_record(*j);
    if (n) user.push_back(std::move(*n));
  }
  std::sort(user.begin(), user.end(), [](auto& a, auto& b) { return a.name < b.name; });
  out.insert(out.end(), user.begin(), user.end());
  return out;
}

Result<Network> NetStore::find(std::string_view ref) const {
  auto all = TRY(list());
  for (auto& n : all)
    if (n.name == ref || n.id == ref) return n;
  std::vector<Network> hits;
  if (!ref.empty() && is_hex(ref))
    for (auto& n : all)
      if (n.id.starts_with(ref)) hits.push_back(n);
  if (hits.size() == 1) return hits[0];
  if (hits.size() > 1)
    return fail(kConflict, fmt::format("network {} is ambiguous ({} matches found based on ID prefix)", ref, hits.size()));
  return fail(kNotFound, fmt::format("network {} not found", ref));
}

Result<Network> NetStore::create(const CreateRequest& req) {
  TRY(validate_network_name(req.name));
  if (req.driver != "bridge")
    return fail(kInvalid, fmt::format("network driver \"{}\" is not available (bridge)", req.driver));
  auto lk = TRY(lock());
  auto all = TRY(list());
  for (auto& n : all)
    if (n.name == req.name) return fail(kConflict, fmt::format("network with name {} already exists", req.name));
  std::vector<Subnet> used;
  for (auto& n : all)
    if (!n.predefined) used.push_back(n.subnet);
  Network n;
  n.name = req.name;
  n.driver = req.driver;
  n.internal = req.internal;
  n.labels = req.labels;
  n.options = req.options;
  if (!req.subnet.empty()) {
    n.subnet = TRY(parse_subnet(req.subnet));
    for (auto& o : all)
      if (!o.predefined && overlaps(o.subnet, n.subnet))
        return fail(kConflict, fmt::format("invalid pool request: Pool overlaps with other one on this address space: "
                                           "subnet {} overlaps with {} of network {}",
                                           n.subnet.str(), o.subnet.str(), o.name));
  } else {
    if (!req.gateway.empty())
      return fail(kInvalid, "a gateway needs a subnet: give --subnet with --gateway");
    n.subnet = TRY(free_subnet(used));
  }
  if (!req.gateway.empty()) {
    auto g = parse_ipv4(req.gateway);
    if (!g) return fail(kInvalid, fmt::format("invalid gateway \"{}\": not an IPv4 address", req.gateway));
    if (!n.subnet.contains(*g) || *g == n.subnet.addr || *g == (n.subnet.addr | ~n.subnet.mask()))
      return fail(kInvalid, fmt::format("gateway {} is not a host address of subnet {}", req.gateway, n.subnet.str()));
    n.gateway = *g;
  } else {
    n.gateway = n.subnet.addr + 1;
  }
  for (;;) {
    n.id = random_hex(32);
    if (std::none_of(all.begin(), all.end(), [&](auto& o) { return o.id.substr(0, 12) == n.id.substr(0, 12); })) break;
  }
  n.created = now_ns();
  TRY(write_json_atomic(dir_ + "/" + n.name + ".json", network_to_record(n), 0600, true));
  return n;
}

Status NetStore::remove(const std::string& name) {
  std::string p = dir_ + "/" + name + ".json";
  if (unlink(p.c_str()) < 0) {
    if (errno == ENOENT) return fail(kNotFound, fmt::format("network {} not found", name));
    return fail_errno(fmt::format("remove `{}`", p));
  }
  return fsync_dir_at(AT_FDCWD, dir_);
}

}  // namespace skiff::network
