#pragma once
// --cgroups=split (src/engine/cgroup_modes.cpp), as Podman's: the container's cgroup is made
// under the cgroup of the process that starts it (a systemd unit's, for a unit's ExecStart),
// instead of under --cgroup-parent/"skiff"; the monitor stays where it was started, in the
// caller's cgroup. (skiff never moves a monitor into a cgroup of its own in any mode, so
// `no-conmon` — Podman's "the monitor is not put in a cgroup" — is what every mode does for the
// monitor: it places the container as `enabled` does.)

#include <sys/types.h>

#include <string>

#include "skiff/util/result.hpp"

namespace skiff::engine {

/// The cgroup of the calling process, relative to the hierarchy's root and without a leading
/// '/', from /proc/self/cgroup: on cgroup v2 the unified one; on v1 the name=systemd one (where
/// systemd puts units) unless it is the root, else the first controller's that is not the root.
/// Empty: the root.
std::string caller_cgroup(const std::string& proc_self_cgroup, bool v2);

/// The cgroup a process is in (host view, no leading '/'): v2 the unified one, v1 the memory
/// controller's (a container's cgroup has the same path in every hierarchy). Empty if unknown.
std::string process_cgroup(pid_t pid, bool v2);

/// create: --cgroups=split cannot be combined with --cgroup-parent (Podman's rule).
Status check_cgroups_mode(const std::string& mode, const std::string& cgroup_parent);

}  // namespace skiff::engine
