#pragma once
// Resource limits of a container: the flags of `create`/`run`/`update` (Docker's names, units
// and error texts) → Docker's HostConfig fields → the cgroup the monitor makes
// (runtime/cgroup.hpp). Rootless without a delegated cgroup v2 subtree there is no cgroup: the
// limits are recorded, not applied, and a warning says so once per invocation, as Podman's.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::engine {

class Engine;
struct ContainerRecord;

/// The resource flags as typed, in order: {"memory", "512m"}, {"cpus", "1.5"}, …
using ResourceFlags = std::vector<std::pair<std::string, std::string>>;

/// True for the long names of the flags handled here (memory, cpus, pids-limit, device, …).
bool is_resource_flag(std::string_view name);

/// Docker's HostConfig resource fields with their defaults (create, before the flags).
void resource_defaults(Json& host_config);

/// Parses and checks `flags` and stores them into `host_config` (Docker's texts: "Minimum
/// memory limit allowed is 6MB", "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs
/// available", …). `update`: only the fields named by the flags change, the rest are checked
/// against them. Warnings for the user (ignored flags) are logged.
Status apply_resource_flags(Json& host_config, const ResourceFlags& flags, bool update);

/// The limits the container's cgroup gets: the HostConfig fields that are set (plus the device
/// rules rootful). Empty object: nothing to limit.
Json cgroup_limits(const Json& host_config, bool rootless);

/// True when the HostConfig asks for something only a cgroup can do.
bool has_cgroup_limits(const Json& host_config);

/// How this invocation places containers in cgroups.
struct CgroupPlan {
  bool enabled = false;   ///< a cgroup per container
  std::string path;       ///< its path (runtime/cgroup.hpp)
  std::string reason;     ///< why not, when !enabled
};
/// Decides for a container (--cgroups, rootless, the host's hierarchies, --cgroup-parent).
CgroupPlan cgroup_plan(const Engine& e, const ContainerRecord& r);

/// build_spec: the cgroup (path and limits), --cgroupns, --oom-score-adj, --shm-size and the
/// --device binds of the container's spec.
void apply_resources(const Engine& e, const ContainerRecord& r, oci::Spec& s);

/// The warning for limits that cannot be applied (once per process); `what` names the command.
void warn_limits_ignored(const Engine& e);

/// Checks a --cgroup-manager value (cgroupfs; systemd only where systemd is PID 1).
Status check_cgroup_manager(const std::string& manager);

/// The machine's CPUs usable by us (Docker's runtime.NumCPU).
int host_cpus();

/// create: the defaults, then `flags`, into r.host_config (warns when limits cannot apply).
/// Returns the --cgroups mode (flag, else containers.conf `cgroups`, else "enabled").
Result<std::string> set_resources(const Engine& e, const ResourceFlags& flags, ContainerRecord& r,
                                  const std::string& conf_cgroups);

}  // namespace skiff::engine
