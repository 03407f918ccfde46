#pragma once
// cgroupfs, directly (no systemd): one cgroup per container, created by its monitor before the
// container's first process runs, removed once it is gone for good.
//
//   v1 / hybrid: <mount of each controller>/<path>   (memory, cpu, cpuacct, cpuset, pids,
//                blkio, devices, freezer; the monitor writes the child's pid to every
//                cgroup.procs while the child waits for its go-ahead)
//   v2:          <unified mount>/<path>, entered with CLONE_INTO_CGROUP; the controllers are
//                enabled in every parent's cgroup.subtree_control first
//
// <path> is "<parent>/<container id>", parent "skiff" unless --cgroup-parent names another
// (relative to the hierarchy's root, as Docker's cgroupfs driver). The limits are a JSON object
// with Docker's HostConfig names (Memory, MemorySwap, NanoCpus, CpuShares, PidsLimit,
// BlkioWeight, BlkioDeviceReadBps, …) plus "DeviceRules" (v1 devices.allow lines; absent = no
// device cgroup). Every file write goes through a `Host`, whose directories a unit test can
// point at a fake tree.

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime::cgroup {

enum class Version { None, V1, V2 };

struct Host {
  Version version = Version::None;
  /// v1: controller → its hierarchy's mount point ("memory" → /sys/fs/cgroup/memory; the
  /// "cpu,cpuacct" co-mounts give both names the same mount).
  std::map<std::string, std::string> v1;
  /// The cgroup2 mount (v2: the only hierarchy; hybrid: /sys/fs/cgroup/unified).
  std::string unified;
  /// Controllers usable for containers: v1 the mounted ones, v2 the root's cgroup.controllers.
  std::vector<std::string> controllers;
};

/// The hierarchies of this machine, from /proc/self/mountinfo (cached per process).
const Host& host();
/// Parses mountinfo text (and, for v2, reads `<unified>/cgroup.controllers`). Unit tests.
Host parse_host(const std::string& mountinfo);

/// "v1", "v2" or "" (none mounted).
std::string version_name(const Host& h);

/// True when this process can make container cgroups here: rootful on v1 or v2 (a rootless
/// user needs a delegated v2 subtree; see `delegated_parent`).
bool usable(const Host& h, bool rootless);

/// Rootless on v2: the cgroup of ours that is writable (delegated: its cgroup.procs and
/// cgroup.subtree_control are ours) and offers the memory/pids/cpu controllers, relative to
/// the unified root; empty if none.
std::string delegated_parent(const Host& h);

/// A container's cgroup path: "<parent or 'skiff'>/<id>", without a leading '/'.
std::string container_path(const std::string& parent, const std::string& id);

/// Checks a --cgroup-parent value (no "..", not empty components). Empty is fine.
Status check_parent(const std::string& parent);

/// Creates the container's cgroup and writes its limits. v2: returns an O_DIRECTORY fd of it
/// for CLONE_INTO_CGROUP; v1: an invalid fd (call `enter` with the child's pid).
Result<UniqueFd> create(const Host& h, const std::string& path, const Json& limits);

/// v1: moves `pid` into the container's cgroup of every controller.
Status enter(const Host& h, const std::string& path, pid_t pid);

/// v1: the `tasks` files of the container's cgroup, opened for writing. A process that writes
/// "0" to each moves itself in without the kernel's global threadgroup lock (a write of another
/// pid to cgroup.procs takes it, and with it an RCU grace period per hierarchy: ~1 ms each
/// on a loaded VM). The container's first process does that before anything else.
Result<std::vector<UniqueFd>> open_tasks(const Host& h, const std::string& path);

/// Writes (changed) limits into an existing cgroup (`update`).
Status apply(const Host& h, const std::string& path, const Json& limits);

/// Removes the container's cgroup (retries briefly while its last processes exit). A missing
/// cgroup is fine.
Status destroy(const Host& h, const std::string& path);

/// Removes the container cgroups under `parent` (64-hex names) that hold no process and were
/// made more than `min_age_s` seconds ago: those of monitors killed with -9 whose store is gone
/// (nothing else would ever remove them; a live container's cgroup is never empty, and one
/// being set up is younger than that). Returns how many went.
int sweep_stale(const Host& h, const std::string& parent, int min_age_s = 60);

/// Whether the kernel's OOM killer killed a process in the cgroup (memory.oom_control
/// `oom_kill`, v2 memory.events `oom_kill`).
bool oom_killed(const Host& h, const std::string& path);

/// True when the cgroup exists (its memory or unified directory).
bool exists(const Host& h, const std::string& path);

/// Freezes (true) or thaws the cgroup and waits until the kernel reports it done.
Status freeze(const Host& h, const std::string& path, bool frozen);
/// Whether the cgroup is frozen (v1 freezer.state FROZEN/FREEZING, v2 cgroup.freeze 1).
bool frozen(const Host& h, const std::string& path);

/// One sample for `stats`.
struct Sample {
  uint64_t cpu_ns = 0;          ///< cumulative CPU time of the cgroup
  uint64_t mem_usage = 0;       ///< bytes, page cache excluded as Docker's CLI does
  uint64_t mem_limit = 0;       ///< bytes; 0 = none
  uint64_t pids = 0;
  uint64_t blk_read = 0, blk_write = 0;
};
Result<Sample> sample(const Host& h, const std::string& path);

/// The processes of the cgroup (cgroup.procs; v1: of the pids or memory hierarchy).
std::vector<pid_t> procs(const Host& h, const std::string& path);

/// Docker's conversion of --cpu-shares (2–262144) to cgroup v2 cpu.weight (1–10000).
uint64_t shares_to_weight(uint64_t shares);
/// --blkio-weight (10–1000) to io.weight (1–10000).
uint64_t blkio_to_io_weight(uint64_t w);

/// "maj:min" of a device node on the host (a block or character device); error if it is not one.
Result<std::string> device_number(const std::string& path, char* type = nullptr);

}  // namespace skiff::runtime::cgroup
