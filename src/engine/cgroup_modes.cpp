// --cgroups=split's parent cgroup (cgroup_modes.hpp).
#include "skiff/engine/cgroup_modes.hpp"

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

std::string caller_cgroup(const std::string& text, bool v2) {
  std::string systemd, first;
  for (auto& line : split(text, '\n')) {
    auto f1 = line.find(':');
    if (f1 == std::string::npos) continue;
    auto f2 = line.find(':', f1 + 1);
    if (f2 == std::string::npos) continue;
    std::string_view id = std::string_view(line).substr(0, f1);
    std::string_view ctrls = std::string_view(line).substr(f1 + 1, f2 - f1 - 1);
    std::string path(std::string_view(line).substr(f2 + 1));
    while (!path.empty() && path[0] == '/') path.erase(0, 1);
    if (v2) {
      if (id == "0" && ctrls.empty()) return path;
      continue;
    }
    if (ctrls.empty()) continue;  // the v2 line of a hybrid host
    if (ctrls == "name=systemd") systemd = path;
    else if (first.empty() && !path.empty()) first = path;
  }
  return !systemd.empty() ? systemd : first;
}

std::string process_cgroup(pid_t pid, bool v2) {
  auto text = read_file(fmt::format("/proc/{}/cgroup", pid));
  if (!text) return "";
  for (auto& line : split(*text, '\n')) {
    auto parts = split(line, ':');
    if (parts.size() < 3) continue;
    bool want = v2 ? (parts[0] == "0" && parts[1].empty()) : std::string_view(parts[1]) == "memory";
    if (!want) continue;
    std::string path = line.substr(line.find(':', line.find(':') + 1) + 1);
    while (!path.empty() && path[0] == '/') path.erase(0, 1);
    return path;
  }
  return "";
}

Status check_cgroups_mode(const std::string& mode, const std::string& cgroup_parent) {
  if (mode == "split" && !cgroup_parent.empty())
    return fail(kInvalid, "cannot set --cgroup-parent with --cgroups=split: the container's cgroup is made under the caller's");
  return ok();
}

}  // namespace skiff::engine
