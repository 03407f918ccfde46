#pragma once
// --systemd=true|false|always on create/run (src/engine/systemd_mode.cpp), as Podman's: a
// container whose command is systemd or an init (true), or any container (always), runs in
// systemd mode:
//   - tmpfs on /run, /run/lock, /tmp and /var/log/journal (unless the user mounts something
//     there);
//   - /sys/fs/cgroup usable by systemd: on cgroup v1 (and hybrid) hosts a tmpfs there with the
//     container's own cgroup of the name=systemd hierarchy bound writable at
//     /sys/fs/cgroup/systemd (the container needs a cgroup of its own: rootful, or a delegated
//     one); on cgroup v2 the cgroup2 mount is writable (the namespace's root is the container's
//     cgroup);
//   - `container_uuid` (the ID's first 32 characters) in the environment and, when the image
//     has no /etc/machine-id, one with that value in the container's init layer (made at
//     create; a --rootfs directory gets it bound from the run directory instead). systemd
//     would treat a missing file as a first boot (machine-id "uninitialized", firstboot units);
//     Podman's images ship an empty one, which systemd fills from container_uuid;
//   - SIGRTMIN+3 (systemd's "halt") as the stop signal when neither --stop-signal nor the
//     image's STOPSIGNAL names one.
// `container=skiff` is in every container's environment already (runtime/defaults.cpp).

#include <string>
#include <vector>

#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/result.hpp"

namespace skiff::engine {

class Engine;
struct ContainerRecord;

/// Checks --systemd's value ("" means true) and says whether systemd mode applies to a
/// container whose command (entrypoint + cmd) is `argv`: always, or true with argv[0] one of
/// /sbin/init, /usr/sbin/init, /usr/local/sbin/init or a file named systemd.
Result<bool> systemd_mode(const std::string& value, const std::vector<std::string>& argv);

/// The stop signal of a container in systemd mode when nothing else names one.
inline constexpr const char* kSystemdStopSignal = "SIGRTMIN+3";

/// build_spec: when the record says systemd mode (extra.systemd), adds its mounts (before the
/// user's, which start at index `user_mounts_from` of s.mounts), its environment and the
/// name=systemd cgroup to the spec. The cgroup path is the container's (cgroup_plan).
Status systemd_spec(Engine& e, const ContainerRecord& r, oci::Spec& s, size_t user_mounts_from);

/// create, once the container's directory exists: the machine-id of a container in systemd
/// mode whose image has none (overlay: in the init layer; vfs: in its copy of the image).
Status systemd_prepare_rootfs(const Engine& e, const ContainerRecord& r);

}  // namespace skiff::engine
