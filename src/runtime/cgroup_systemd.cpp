// The name=systemd v1 hierarchy for containers in systemd mode (cgroup_systemd.hpp).
#include "skiff/runtime/cgroup_systemd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <vector>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::runtime::cgroup {

namespace {

std::string find_hierarchy() {
  auto info = read_file("/proc/self/mountinfo", 4 << 20);
  if (!info) return "";
  for (auto& line : split(*info, '\n')) {
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    auto left = split(line.substr(0, sep), ' ');
    auto right = split(line.substr(sep + 3), ' ');
    if (left.size() < 5 || right.size() < 3 || right[0] != "cgroup" || left[3] != "/") continue;
    for (auto& opt : split(right[2], ','))
      if (opt == "name=systemd") return std::string(left[4]);
  }
  return "";
}

bool valid_path(const std::string& path) {
  if (path.empty()) return false;
  for (auto& part : split(path, '/'))
    if (part == ".." || part == ".") return false;
  return true;
}

// rmdir of `dir` after its sub-cgroups (a cgroup directory holds only control files, which
// rmdir takes along).
Status remove_cgroup_tree(const std::string& dir) {
  if (DIR* d = opendir(dir.c_str())) {
    std::vector<std::string> kids;
    while (dirent* e = readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      if (e->d_type == DT_DIR) kids.push_back(n);
    }
    closedir(d);
    for (auto& k : kids) TRY(remove_cgroup_tree(dir + "/" + k));
  } else if (errno == ENOENT) {
    return ok();
  }
  for (int i = 0;; ++i) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return ok();
    if (errno != EBUSY || i >= 200) return fail_errno(fmt::format("remove the cgroup `{}`", dir));
    struct timespec ts{0, 5'000'000};
    nanosleep(&ts, nullptr);
  }
}

}  // namespace

const std::string& systemd_hierarchy() {
  static const std::string h = find_hierarchy();
  return h;
}

Result<UniqueFd> create_systemd(const std::string& path) {
  const std::string& root = systemd_hierarchy();
  if (root.empty()) return fail(kUnsupported, "this machine has no name=systemd cgroup hierarchy");
  if (!valid_path(path)) return fail(kInvalid, fmt::format("invalid cgroup path `{}`", path));
  std::string cur = root;
  for (auto& part : split(path, '/')) {
    if (part.empty()) continue;
    cur += "/" + std::string(part);
    if (mkdir(cur.c_str(), 0755) < 0 && errno != EEXIST)
      return fail_errno(fmt::format("create the cgroup `{}`", cur));
  }
  return TRY_CTX(open_path(cur + "/tasks", O_WRONLY), "open the container's name=systemd cgroup");
}

Status destroy_systemd(const std::string& path) {
  const std::string& root = systemd_hierarchy();
  if (root.empty() || !valid_path(path)) return ok();
  return remove_cgroup_tree(root + "/" + path);
}

}  // namespace skiff::runtime::cgroup
