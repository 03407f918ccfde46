// User and executable lookup inside the container (runs in the container process, after
// pivot_root, so plain paths name the container's files).
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/runtime/container.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::runtime {

namespace {
struct PwEntry {
  std::string name;
  uint32_t uid, gid;
  std::string home;
};
struct GrEntry {
  std::string name;
  uint32_t gid;
  std::vector<std::string> members;
};

std::vector<PwEntry> parse_passwd(const std::string& text) {
  std::vector<PwEntry> out;
  for (auto& line : split(text, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 7 || f[0].empty() || f[0][0] == '#') continue;
    auto uid = parse_uint(f[2]), gid = parse_uint(f[3]);
    if (!uid || !gid) continue;
    out.push_back(PwEntry{f[0], uint32_t(*uid), uint32_t(*gid), f[5]});
  }
  return out;
}

std::vector<GrEntry> parse_group(const std::string& text) {
  std::vector<GrEntry> out;
  for (auto& line : split(text, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 4 || f[0].empty() || f[0][0] == '#') continue;
    auto gid = parse_uint(f[2]);
    if (!gid) continue;
    GrEntry g{f[0], uint32_t(*gid), {}};
    if (!f[3].empty()) g.members = split(f[3], ',');
    out.push_back(std::move(g));
  }
  return out;
}

// A number, any size: "99999999999" is a (bad) id, not a name.
bool is_numeric(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

constexpr uint64_t kMaxId = 2147483647;

Status check_id(const std::string& s, std::string_view what) {
  auto v = parse_uint(s);
  if (!v || *v > kMaxId)
    return fail(kInvalid, fmt::format("invalid {} {}: uids and gids must be in range 0-{}", what, s, kMaxId));
  return ok();
}
}  // namespace

Status check_user_ids(const std::string& spec, const std::vector<std::string>& extra) {
  auto [user, grp] = split_once(spec, ':');
  if (is_numeric(user)) TRY(check_id(user, "user"));
  if (grp && is_numeric(*grp)) TRY(check_id(*grp, "group"));
  for (auto& x : extra)
    if (is_numeric(x)) TRY(check_id(x, "group"));
  return ok();
}

Result<ResolvedUser> resolve_user(const std::string& spec, const std::string& passwd,
                                  const std::string& group, const std::vector<std::string>& extra) {
  ResolvedUser r;
  TRY(check_user_ids(spec, extra));
  auto pw = parse_passwd(passwd);
  auto gr = parse_group(group);
  auto [user, grp] = split_once(spec.empty() ? "0" : spec, ':');
  const PwEntry* entry = nullptr;
  if (is_numeric(user)) {
    r.uid = uint32_t(*parse_uint(user));
    for (auto& e : pw)
      if (e.uid == r.uid) {
        entry = &e;
        break;
      }
    r.gid = entry ? entry->gid : 0;
  } else {
    for (auto& e : pw)
      if (e.name == user) {
        entry = &e;
        break;
      }
    if (!entry)
      return fail(kInvalid, fmt::format("unable to find user {}: no matching entries in passwd file", user));
    r.uid = entry->uid;
    r.gid = entry->gid;
  }
  if (entry && !entry->home.empty()) r.home = entry->home;
  if (grp) {
    if (is_numeric(*grp)) {
      r.gid = uint32_t(*parse_uint(*grp));
    } else {
      const GrEntry* g = nullptr;
      for (auto& e : gr)
        if (e.name == *grp) g = &e;
      if (!g) return fail(kInvalid, fmt::format("unable to find group {}: no matching entries in group file", *grp));
      r.gid = g->gid;
    }
  }
  // Supplementary groups: memberships listed in /etc/group (only with a passwd name), as
  // Docker does, plus --group-add.
  if (entry && !grp) {
    for (auto& g : gr)
      for (auto& m : g.members)
        if (m == entry->name && g.gid != r.gid) r.groups.push_back(g.gid);
  }
  for (auto& x : extra) {
    if (is_numeric(x)) {
      r.groups.push_back(uint32_t(*parse_uint(x)));
      continue;
    }
    bool found = false;
    for (auto& g : gr)
      if (g.name == x) {
        r.groups.push_back(g.gid);
        found = true;
      }
    if (!found) return fail(kInvalid, fmt::format("unable to find group {}: no matching entries in group file", x));
  }
  return r;
}

std::string lookup_executable(const std::string& cmd, const std::string& path) {
  auto usable = [](const std::string& p) {
    struct stat st;
    return stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
  };
  if (cmd.find('/') != std::string::npos) return cmd;
  for (auto& dir : split(path, ':')) {
    std::string cand = (dir.empty() ? "." : dir) + "/" + cmd;
    if (usable(cand)) return cand;
  }
  return "";
}

}  // namespace skiff::runtime
