#pragma once
// Resource limits of a container: the flags of `create`/`run`/`update` (Docker's names, units
// and error texts) → Docker's HostConfig fields → the cgroup the monitor makes
// (runtime/cgroup.hpp). Rootless without a delegated cgroup v2 subtree there is no cgroup: the
// limits are recorded, not applied, and a warning says so once per invocation, as Podman's.

#include <optional>
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

// ---- operations on containers (src/engine/limits_ops.cpp) ------------------------------------

struct Container;

/// The cgroup path of a running container, empty when it has none (rootless without
/// delegation, --cgroups=disabled, started before it had one).
std::string live_cgroup(const Engine& e, const Container& c);

/// `pause`: freezes the container's cgroup (v1 freezer, v2 cgroup.freeze) and records it
/// (`<run dir>/paused`, so `ps` shows "(Paused)" without reading cgroups). Errors: not running,
/// already paused, no cgroup ("can not pause containers on rootless containers with cgroup V1").
Status pause_container(Engine& e, const std::string& ref);
/// `unpause`: thaws it. Errors: not paused.
Status unpause_container(Engine& e, const std::string& ref);
/// stop/kill/rm of a paused container: thaws it first (a frozen process takes no signal).
void thaw_if_paused(const Engine& e, const Container& c);

/// `update`: changes the recorded limits (and the restart policy when `restart` is set) and,
/// when it runs with a cgroup, the cgroup's. Checks as create; nothing changes on an error.
Status update_container(Engine& e, const std::string& ref, const ResourceFlags& flags,
                        const std::optional<std::string>& restart);

/// One `stats` sample of a container: its cgroup's files, or /proc of its processes when it has
/// no cgroup of its own (rootless here), and its network namespace's counters.
struct StatsSample {
  std::string id, name;
  bool running = false;
  int64_t at = 0;            ///< ns, CLOCK_MONOTONIC
  int64_t started_at = 0;    ///< ns since the epoch
  uint64_t cpu_ns = 0;       ///< cumulative CPU time
  uint64_t mem_usage = 0, mem_limit = 0;
  uint64_t net_rx = 0, net_tx = 0, blk_read = 0, blk_write = 0;
  uint64_t pids = 0;
};
StatsSample container_stats(const Engine& e, const Container& c);

/// Appends a container event (`skiff events`) with Docker's attributes (image, name, extra).
void container_event(const Engine& e, const ContainerRecord& r, const std::string& action,
                     std::vector<std::pair<std::string, std::string>> extra = {});

/// update --restart of a running container: tells its monitor (lifecycle.cpp, over ctl).
Status set_live_restart_policy(const Engine& e, const std::string& id, const std::string& name, int max);

/// rm: a cgroup left by a monitor killed with -9 goes too; the "destroy" event.
void container_removed(const Engine& e, const ContainerRecord& r);

/// The machine's memory (MemTotal), the limit shown for unlimited containers.
uint64_t host_memory();

}  // namespace skiff::engine
