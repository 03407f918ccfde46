#pragma once
// Private to src/runtime: the filesystem half of the start sequence (runs in the container
// process C, in its own mount namespace, before pivot_root and just after).

#include <string>
#include <vector>

#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// Mount flags and fs data parsed from OCI-style option strings.
struct MountOptions {
  unsigned long flags = 0;        ///< MS_RDONLY, MS_NOSUID, … (not propagation)
  unsigned long propagation = 0;  ///< MS_PRIVATE/MS_SLAVE/MS_SHARED (| MS_REC)
  bool bind = false, recursive = false;
  std::string data;               ///< comma-joined fs-specific options
};
MountOptions parse_mount_options(const std::vector<std::string>& opts);

/// Makes "/" private, mounts the rootfs at spec.root.path and returns an O_PATH fd of it.
Result<UniqueFd> mount_rootfs(const oci::Spec& spec);

/// True when the container's user namespace does not map our own uid (--uidmap without it):
/// once root in it, the store's directories (ours, 0700) are out of reach, so the root
/// filesystem's directories and the bind sources are opened before (child_main). Judged in
/// the parent, before the clone: our uid there is the real one.
bool creator_unmapped(const oci::Spec& spec);
/// Opens those (O_PATH, held in `held`) and names them /proc/self/fd/N in `spec`; mount_rootfs
/// then mounts the overlay with fsmount (its fd is the root: the old one names the covered
/// directory).
Status open_by_fd(oci::Spec& spec, std::vector<UniqueFd>& held);

/// Applies spec.mounts in order, every target resolved inside `rootfd`.
Status apply_mounts(int rootfd, const oci::Spec& spec);

/// Bind-mounts the host's null, zero, full, random, urandom, tty onto empty files in the
/// container's /dev and creates the standard symlinks (fd, stdin, stdout, stderr, ptmx).
Status setup_dev(int rootfd);

/// pivot_root into `rootfd` and detach the old root.
Status pivot_into(int rootfd);

/// After pivot_root: masked paths, read-only paths, read-only root.
Status apply_path_policy(const oci::Spec& spec);

/// After pivot_root: binds the PTY slave (an open fd) onto /dev/console.
Status bind_console(int slave_fd);

}  // namespace skiff::runtime
