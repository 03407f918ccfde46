// The monitor's share of resource limits and events (limits.hpp).
#include "limits.hpp"

#include <unistd.h>

#include "skiff/runtime/cgroup.hpp"
#include "skiff/runtime/cgroup_systemd.hpp"
#include "skiff/util/events.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"

namespace skiff::monitor {

namespace {

// <run root>/c/<id12> → <run root>
std::string run_root_of(const std::string& run_dir) {
  std::string r = run_dir;
  for (int i = 0; i < 2; ++i) {
    auto slash = r.rfind('/');
    if (slash == std::string::npos) return "";
    r.resize(slash);
  }
  return r;
}

void emit(const Config& cfg, const char* action, std::vector<std::pair<std::string, std::string>> extra) {
  if (cfg.exec_pid > 0) return;  // exec sessions have their own events (exec_*), not these
  std::string root = run_root_of(cfg.run_dir);
  if (root.empty()) return;
  // The name as it is now (a rename changes it), from the record's summary.
  std::string name, image;
  if (auto s = read_json_file(cfg.state_dir + "/summary.json", 1 << 20)) {
    name = json_str(*s, "Name");
    image = json_str(*s, "Image");
    if (image.empty()) image = json_str(*s, "Rootfs");
  }
  extra.emplace_back("image", image);
  extra.emplace_back("name", name);
  events::emit(root, "container", action, cfg.id, extra);
}

}  // namespace

void container_started(const Config& cfg) { emit(cfg, "start", {}); }

bool container_exited_checks(const Config& cfg, int exit_code) {
  (void)unlink((cfg.run_dir + "/paused").c_str());
  bool oom = !cfg.spec.cgroup_path.empty() && runtime::cgroup::oom_killed(runtime::cgroup::host(), cfg.spec.cgroup_path);
  if (oom) emit(cfg, "oom", {});
  emit(cfg, "die", {{"exitCode", std::to_string(exit_code)}});
  return oom;
}

void remove_container_cgroup(const oci::Spec& spec) {
  if (!spec.systemd_cgroup.empty())
    if (auto st = runtime::cgroup::destroy_systemd(spec.systemd_cgroup); !st) log::warn("{}", st.error().msg);
  if (spec.cgroup_path.empty()) return;
  if (auto st = runtime::cgroup::destroy(runtime::cgroup::host(), spec.cgroup_path); !st)
    log::warn("{}", st.error().msg);
}

}  // namespace skiff::monitor
