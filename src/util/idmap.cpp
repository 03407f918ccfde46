#include "skiff/util/idmap.hpp"

#include <fcntl.h>
#include <unistd.h>

#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff {

static std::string ranges_text(const std::vector<IdRange>& r) {
  std::vector<std::string> parts;
  for (auto& x : r) parts.push_back(fmt::format("{}:{}:{}", x.container_id, x.host_id, x.size));
  return join(parts, ",");
}

std::string IdMap::fingerprint() const {
  if (!userns) return "none";
  return fmt::format("uid={};gid={}", ranges_text(uids), ranges_text(gids));
}

static int64_t map_id(const std::vector<IdRange>& r, uint32_t id) {
  for (auto& x : r)
    if (id >= x.container_id && uint64_t(id) < uint64_t(x.container_id) + x.size)
      return int64_t(x.host_id) + (id - x.container_id);
  return -1;
}

int64_t IdMap::host_uid(uint32_t id) const { return userns ? map_id(uids, id) : int64_t(id); }
int64_t IdMap::host_gid(uint32_t id) const { return userns ? map_id(gids, id) : int64_t(id); }

static uint64_t top(const std::vector<IdRange>& r) {
  uint64_t t = 0;
  for (auto& x : r) t = std::max<uint64_t>(t, uint64_t(x.container_id) + x.size);
  return t;
}
uint64_t IdMap::uid_count() const { return userns ? top(uids) : (1ull << 32) - 1; }
uint64_t IdMap::gid_count() const { return userns ? top(gids) : (1ull << 32) - 1; }

std::vector<IdRange> parse_subid_file(const std::string& text, const std::string& user, uid_t uid) {
  std::vector<IdRange> out;
  for (auto& raw : split(text, '\n')) {
    auto line = trim(raw);
    if (line.empty() || line[0] == '#') continue;
    auto f = split(line, ':');
    if (f.size() != 3) continue;
    if (f[0] != user && f[0] != std::to_string(uid)) continue;
    auto start = parse_uint(f[1]), count = parse_uint(f[2]);
    if (!start || !count || *count == 0 || *start > 0xffffffffull || *count > 0xffffffffull) continue;
    out.push_back(IdRange{0, uint32_t(*start), uint32_t(*count)});
  }
  return out;
}

// Subordinate ranges are placed after container id 0 in file order; a range that contains our
// own id is refused (it would map one host id twice), as Podman does.
static std::vector<IdRange> build_ranges(uint32_t self, const std::vector<IdRange>& sub) {
  std::vector<IdRange> out{IdRange{0, self, 1}};
  uint32_t next = 1;
  for (auto& r : sub) {
    if (self >= r.host_id && uint64_t(self) < uint64_t(r.host_id) + r.size) continue;
    out.push_back(IdRange{next, r.host_id, r.size});
    next += r.size;
  }
  return out;
}

Result<IdMap> idmap_for_current_user() {
  IdMap m;
  uid_t uid = geteuid();
  gid_t gid = getegid();
  if (uid == 0) {
    m.userns = false;
    m.source = "none (rootful: host ids)";
    return m;
  }
  std::string name, home;
  if (!lookup_user(uid, name, home)) name = std::to_string(uid);
  auto subuid = read_file("/etc/subuid");
  auto subgid = read_file("/etc/subgid");
  std::vector<IdRange> su = subuid ? parse_subid_file(*subuid, name, uid) : std::vector<IdRange>{};
  std::vector<IdRange> sg = subgid ? parse_subid_file(*subgid, name, uid) : std::vector<IdRange>{};
  bool helpers = !find_in_path("newuidmap").empty() && !find_in_path("newgidmap").empty();
  if (su.empty() || sg.empty() || !helpers) {
    m.single = true;
    m.uids = {IdRange{0, uid, 1}};
    m.gids = {IdRange{0, gid, 1}};
    if (!helpers)
      m.source = "single id: newuidmap/newgidmap not found (install the uidmap package)";
    else
      m.source = fmt::format("single id: no range for `{}` in /etc/subuid or /etc/subgid", name);
    return m;
  }
  m.uids = build_ranges(uid, su);
  m.gids = build_ranges(gid, sg);
  m.source = "/etc/subuid, /etc/subgid";
  return m;
}

static Status write_proc(pid_t pid, const char* file, const std::string& data) {
  auto fd = TRY(open_path(fmt::format("/proc/{}/{}", pid, file), O_WRONLY));
  if (::write(fd.get(), data.data(), data.size()) != ssize_t(data.size()))
    return fail_errno(fmt::format("write /proc/{}/{}", pid, file));
  return ok();
}

static std::vector<std::string> map_tool_argv(const char* tool, pid_t pid, const std::vector<IdRange>& r) {
  std::vector<std::string> argv{tool, std::to_string(pid)};
  for (auto& x : r) {
    argv.push_back(std::to_string(x.container_id));
    argv.push_back(std::to_string(x.host_id));
    argv.push_back(std::to_string(x.size));
  }
  return argv;
}

Status apply_idmap(pid_t pid, const IdMap& map) {
  if (!map.userns) {
    // Rootful callers asking for a userns get the identity map (split: 4294967295 is special).
    TRY(write_proc(pid, "uid_map", "0 0 4294967295\n"));
    TRY(write_proc(pid, "gid_map", "0 0 4294967295\n"));
    return ok();
  }
  if (map.single) {
    TRY(write_proc(pid, "setgroups", "deny"));
    TRY(write_proc(pid, "uid_map", fmt::format("0 {} 1\n", map.uids[0].host_id)));
    TRY(write_proc(pid, "gid_map", fmt::format("0 {} 1\n", map.gids[0].host_id)));
    return ok();
  }
  if (geteuid() == 0) {  // root (--uidmap as root): any mapping, written directly
    auto lines = [](const std::vector<IdRange>& r) {
      std::string t;
      for (auto& x : r) t += fmt::format("{} {} {}\n", x.container_id, x.host_id, x.size);
      return t;
    };
    TRY(write_proc(pid, "uid_map", lines(map.uids)));
    TRY(write_proc(pid, "gid_map", lines(map.gids)));
    return ok();
  }
  // The two setuid helpers are independent: run them at once (~3 ms each here).
  auto res = TRY(run_programs({map_tool_argv("newuidmap", pid, map.uids), map_tool_argv("newgidmap", pid, map.gids)}));
  const char* tools[] = {"newuidmap", "newgidmap"};
  for (size_t i = 0; i < res.size(); ++i)
    if (!res[i].ok())
      return fail(EPERM, fmt::format("{} failed: {} (check /etc/subuid and /etc/subgid)", tools[i],
                                     std::string(trim(res[i].err))));
  return ok();
}

}  // namespace skiff
