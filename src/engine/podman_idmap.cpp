// --uidmap, --gidmap, --subuidname, --subgidname (Podman's): a container in a user namespace
// of its own mapping (include/skiff/engine/podman.hpp). Rootful, the maps give host ids;
// rootless, "intermediate" ids, those of the store's user namespace (0 = the user, 1.. = the
// /etc/subuid ranges), as Podman's; the runtime's map is then the composition of the two.
// The record holds them once, as Podman's inspect shows them: HostConfig.IDMappings.
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "mounts.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/engine/podman.hpp"
#include "skiff/util/copy.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

// "CONTAINER:FROM:AMOUNT" (Podman 4's only form), as Podman's error says otherwise.
Result<IdRange> parse_range(const std::string& v, const char* kind) {
  auto f = split(v, ':');
  IdRange r;
  if (f.size() == 3) {
    auto c = parse_uint(f[0]), h = parse_uint(f[1]), n = parse_uint(f[2]);
    if (c && h && n && *c <= 0xffffffffull && *h <= 0xffffffffull && *n <= 0xffffffffull && *n > 0 &&
        *c + *n <= 0x100000000ull && *h + *n <= 0x100000000ull)
      return IdRange{uint32_t(*c), uint32_t(*h), uint32_t(*n)};
  }
  return fail(kInvalid, fmt::format("initializing ID mappings: {} setting is malformed expected [\"uint32:uint32:uint32\"]: [{}]",
                                    kind, go_quote(v)));
}

std::string range_text(const IdRange& r) { return fmt::format("{}:{}:{}", r.container_id, r.host_id, r.size); }

bool overlap(uint64_t a, uint64_t an, uint64_t b, uint64_t bn) { return a < b + bn && b < a + an; }

// The ranges of `name` in a subordinate id file, numbered from container id 0 on.
Result<std::vector<IdRange>> subid_ranges(const std::string& name, const char* file, const char* kind) {
  auto text = read_file(file, 4 << 20);
  struct passwd* pw = getpwnam(name.c_str());
  std::vector<IdRange> found = text ? parse_subid_file(*text, name, pw ? pw->pw_uid : uid_t(-1)) : std::vector<IdRange>{};
  if (found.empty()) return fail(kInvalid, fmt::format("no {} ranges found for user {} in {}", kind, go_quote(name), file));
  std::vector<IdRange> out;
  uint64_t next = 0;
  for (auto& r : found) {
    if (next + r.size > 0xffffffffull) break;
    out.push_back({uint32_t(next), r.host_id, r.size});
    next += r.size;
  }
  return out;
}

// Checks a mapping as the kernel will (no two ranges overlapping on either side) and, rootless,
// that every intermediate id exists in the store's user namespace.
Status check_ranges(const std::vector<IdRange>& m, const IdMap& store, bool uids) {
  for (size_t i = 0; i < m.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (overlap(m[i].container_id, m[i].size, m[j].container_id, m[j].size) ||
          overlap(m[i].host_id, m[i].size, m[j].host_id, m[j].size))
        return fail(kInvalid, fmt::format("the specified UID and/or GID mapping {} conflicts with other mappings: "
                                          "invalid mappings specified", range_text(m[i])));
  if (m.size() > 340) return fail(kInvalid, "too many id mappings (the kernel takes at most 340)");
  if (!store.userns) return ok();
  uint64_t avail = uids ? store.uid_count() : store.gid_count();
  for (auto& r : m)
    if (uint64_t(r.host_id) + r.size > avail)
      return fail(kInvalid, fmt::format("--{}map {}: intermediate {}s {}-{} are not all in the user namespace "
                                        "(0-{}: your {} and the ranges of {}; see `skiff unshare cat /proc/self/{}_map`)",
                                        uids ? "uid" : "gid", range_text(r), uids ? "uid" : "gid", r.host_id,
                                        uint64_t(r.host_id) + r.size - 1, avail - 1, uids ? "uid" : "gid",
                                        uids ? "/etc/subuid" : "/etc/subgid", uids ? "uid" : "gid"));
  return ok();
}

std::vector<IdRange> ranges_of(const Json& list) {
  std::vector<IdRange> out;
  if (list.is_array())
    for (auto& s : list)
      if (s.is_string())
        if (auto r = parse_range(s.get<std::string>(), "UID")) out.push_back(*r);
  return out;
}

// Container → host through the store's user namespace: each range split where the store's are.
std::vector<IdRange> compose(const std::vector<IdRange>& m, const std::vector<IdRange>& store) {
  std::vector<IdRange> out;
  for (auto& r : m)
    for (auto& s : store) {
      uint64_t lo = std::max<uint64_t>(r.host_id, s.container_id);
      uint64_t hi = std::min<uint64_t>(uint64_t(r.host_id) + r.size, uint64_t(s.container_id) + s.size);
      if (lo >= hi) continue;
      out.push_back({uint32_t(r.container_id + (lo - r.host_id)), uint32_t(s.host_id + (lo - s.container_id)),
                     uint32_t(hi - lo)});
    }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.container_id < b.container_id; });
  return out;
}

std::optional<uint32_t> lookup(const std::vector<IdRange>& m, uint32_t id) {
  for (auto& r : m)
    if (id >= r.container_id && uint64_t(id) < uint64_t(r.container_id) + r.size) return r.host_id + (id - r.container_id);
  return std::nullopt;
}

}  // namespace

Status idmap_record(const Engine& e, const PodmanCreate& p, ContainerRecord& r) {
  // Podman's defaults: one name stands for both, one map for both.
  std::string subu = p.subuidname.empty() ? p.subgidname : p.subuidname;
  std::string subg = p.subgidname.empty() ? p.subuidname : p.subgidname;
  std::vector<std::string> um = p.uidmap.empty() ? p.gidmap : p.uidmap;
  std::vector<std::string> gm = p.gidmap.empty() ? p.uidmap : p.gidmap;
  std::vector<IdRange> uids, gids;
  if (!subu.empty()) {
    uids = TRY(subid_ranges(subu, "/etc/subuid", "subuid"));
    gids = TRY(subid_ranges(subg, "/etc/subgid", "subgid"));
  }
  for (auto& v : um) uids.push_back(TRY(parse_range(v, "UID")));
  for (auto& v : gm) gids.push_back(TRY(parse_range(v, "GID")));
  const IdMap& store = e.idmap();
  if (store.userns && store.single)
    for (auto* m : {&uids, &gids})
      for (auto& x : *m)
        if (x.host_id != 0 || x.size != 1)
          return fail(kInvalid, fmt::format("--uidmap/--gidmap {}: without subordinate ids only intermediate id 0 "
                                            "(your own) can be mapped ({})", range_text(x), store.source));
  TRY(check_ranges(uids, store, true));
  TRY(check_ranges(gids, store, false));
  if (r.driver != storage::Driver::Overlay)
    return fail(kUnsupported, fmt::format("--uidmap/--gidmap need an image on the overlay storage driver (this container: {})",
                                          !r.driver ? "--rootfs" : driver_text(r.driver)));
  Json u = Json::array(), g = Json::array();
  for (auto& x : uids) u.push_back(range_text(x));
  for (auto& x : gids) g.push_back(range_text(x));
  r.host_config["IDMappings"] = Json{{"UidMap", u}, {"GidMap", g}};
  r.host_config["UsernsMode"] = "private";
  return ok();
}

std::optional<IdMap> recorded_idmap(const Engine& e, const ContainerRecord& r) {
  const Json& m = json_get(r.host_config, "IDMappings");
  if (!m.is_object()) return std::nullopt;
  IdMap out;
  out.userns = true;
  out.single = false;
  out.uids = ranges_of(json_get(m, "UidMap"));
  out.gids = ranges_of(json_get(m, "GidMap"));
  out.source = "--uidmap/--gidmap";
  if (e.idmap().userns) {
    out.uids = compose(out.uids, e.idmap().uids);
    out.gids = compose(out.gids, e.idmap().gids);
  }
  return out;
}

Status idmap_prepare_rootfs(const Engine& e, ContainerRecord& r) {
  const Json& m = json_get(r.host_config, "IDMappings");
  std::vector<IdRange> uids = ranges_of(json_get(m, "UidMap")), gids = ranges_of(json_get(m, "GidMap"));
  // Owners the mapping leaves out: the copy fails, as containers/storage's chown does.
  std::optional<std::pair<char, uint32_t>> unmapped;
  OwnerMap map = [&](uid_t& u, gid_t& g) {
    auto hu = lookup(uids, u), hg = lookup(gids, g);
    if (!hu && !unmapped) unmapped = std::pair{'u', uint32_t(u)};
    if (!hg && !unmapped) unmapped = std::pair{'g', uint32_t(g)};
    u = hu.value_or(65534);
    g = hg.value_or(65534);
  };
  std::vector<std::string> volumes;
  for (auto& ms : mounts_from_json(r.extra.mounts))
    if (ms.type == "volume") volumes.push_back(e.graph() + "/volumes/" + ms.name + "/_data");
  auto extra = [&](int) -> Status {
    if (unmapped)
      return fail(kInvalid, fmt::format("container {} {} cannot be mapped to a host ID: the image has files it owns "
                                        "(widen --{}map)", unmapped->first == 'u' ? "UID" : "GID", unmapped->second,
                                        unmapped->first == 'u' ? "uid" : "gid"));
    // A volume used for the first time becomes the container root's (Podman chowns it too).
    uid_t ru = 0;
    gid_t rg = 0;
    map(ru, rg);
    unmapped.reset();
    for (auto& v : volumes) {
      auto fd = open_path(v, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
      if (!fd) continue;
      if (TRY(dir_is_empty(fd->get())) && fchown(fd->get(), ru, rg) < 0)
        return fail_errno(fmt::format("give the volume `{}` to the container's root", v));
    }
    return ok();
  };
  TRY_CTX(copy_image_mapped(e, r, "idmapped", map, extra), "--uidmap: copy the image with the container's ids");
  return ok();
}

}  // namespace skiff::engine
