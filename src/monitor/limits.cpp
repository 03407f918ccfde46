// The monitor's share of resource limits (limits.hpp).
#include "limits.hpp"

#include "skiff/runtime/cgroup.hpp"
#include "skiff/util/log.hpp"

namespace skiff::monitor {

bool container_oom_killed(const oci::Spec& spec) {
  if (spec.cgroup_path.empty()) return false;
  return runtime::cgroup::oom_killed(runtime::cgroup::host(), spec.cgroup_path);
}

void remove_container_cgroup(const oci::Spec& spec) {
  if (spec.cgroup_path.empty()) return;
  if (auto st = runtime::cgroup::destroy(runtime::cgroup::host(), spec.cgroup_path); !st)
    log::warn("{}", st.error().msg);
}

}  // namespace skiff::monitor
