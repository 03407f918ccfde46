#pragma once
// Pods: what pod.cpp, pod_ops.cpp and pod_infra.cpp share (include/skiff/engine/pod.hpp).

#include <string>
#include <utility>
#include <vector>

#include "skiff/engine/pod.hpp"
#include "skiff/util/lock.hpp"

namespace skiff::engine {

/// What the infra container bind-mounts read-only: the skiff binary and the shared libraries
/// and program interpreter it was linked with (host path, path inside).
struct InfraFiles {
  std::string exe;
  std::vector<std::pair<std::string, std::string>> binds;
  std::vector<std::string> lib_dirs;
};
Result<InfraFiles> infra_files();

/// Where the skiff binary appears in an infra container.
inline constexpr const char* kInfraExe = "/.skiff/skiff";

/// `<graph>/pods.lock`, held by every pod writer.
Result<FileLock> lock_pods(const Engine& e);
std::string pods_dir(const Engine& e);

}  // namespace skiff::engine
