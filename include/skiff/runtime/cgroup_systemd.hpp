#pragma once
// The name=systemd cgroup v1 hierarchy, for containers in systemd mode (--systemd): systemd as
// a container's PID 1 on a cgroup v1 (or hybrid) host needs a name=systemd cgroup of its own
// that it can write (it makes init.scope, system.slice, … in it). Podman binds the host's
// /sys/fs/cgroup/systemd; we give the container its own cgroup there ("<path>", as in the
// controllers' hierarchies), made by the monitor before the first process runs, entered by that
// process with the other `tasks` files, bound at /sys/fs/cgroup/systemd, and removed (with the
// sub-cgroups systemd made in it) when the container is gone.

#include <string>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime::cgroup {

/// The mount point of the name=systemd hierarchy ("/sys/fs/cgroup/systemd"), empty when this
/// machine has none (cgroup v2 only, or nothing mounted). Cached per process.
const std::string& systemd_hierarchy();

/// Creates `<hierarchy>/<path>` (and its parents) and opens its `tasks` file for writing.
Result<UniqueFd> create_systemd(const std::string& path);

/// Removes `<hierarchy>/<path>` and every cgroup below it, deepest first (retrying briefly
/// while the last processes exit). A missing cgroup is fine.
Status destroy_systemd(const std::string& path);

}  // namespace skiff::runtime::cgroup
