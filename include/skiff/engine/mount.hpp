#pragma once
// `container mount` / `container umount` (Podman's; src/engine/ctr_mount.cpp): a container's
// root filesystem mounted in the caller's mount namespace at containers/<id>/merged (overlay),
// or its directory as it is (vfs, --rootfs), kept with a mount counter
// (containers/<id>/mountcount, under the container lock) as containers/storage does: each
// mount adds one, each umount takes one, the last one unmounts.
//   - a stopped container: its overlay (image layers + its upper directory) is mounted;
//   - a running one: its own root mount is cloned out of its mount namespace (open_tree), so
//     both see the same files; a start while mounted binds the mounted root (rootfs.cpp).
// Rootless this only makes sense inside `skiff unshare` (the mount lives in its namespace),
// as Podman: elsewhere mount_allowed() is false. A counter whose mount is gone (a reboot, an
// unshare session that ended) counts as 0.

#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"

namespace skiff::engine {

/// False when rootless outside `skiff unshare` (Podman refuses there).
bool mount_allowed();

/// Mounts (or counts one more mount of) a container's root filesystem; returns its path.
Result<std::string> mount_container(Engine& e, const std::string& ref);

/// One mount less (all of them with `force`); unmounts at zero. Not mounted: nothing to do.
/// Returns whether it was mounted.
Result<bool> unmount_container(Engine& e, const std::string& ref, bool force);

struct MountedContainer {
  std::string id, name, path;
};
/// The containers whose root filesystem is mounted here, newest first.
Result<std::vector<MountedContainer>> mounted_containers(const Engine& e);

/// Before a removal: unmounts whatever `mount` left (rm's hook; errors ignored).
void drop_container_mounts(const Engine& e, const std::string& id);

}  // namespace skiff::engine
