#pragma once
// Copying directory trees between directory fds (vfs container layers, volume copy-up).
// Nothing is followed: symlinks are copied as links, every path is opened relative to its
// parent's fd with O_NOFOLLOW, so links inside the source cannot redirect the copy.

#include <sys/types.h>

#include <functional>

#include "skiff/util/result.hpp"

namespace skiff {

struct CopyOptions {
  bool preserve_owner = true;   ///< lchown to the source's uid/gid (needs privilege over them)
  bool preserve_times = true;   ///< mtime/atime
  bool skip_devices = false;    ///< device nodes are skipped (rootless cannot mknod them)
  /// With preserve_owner: maps the source's uid/gid before the lchown (--userns=keep-id's copy).
  std::function<void(uid_t&, gid_t&)> map_owner;
};

/// Copies the contents of `src_dir` into `dst_dir` (both O_DIRECTORY fds): regular files,
/// directories, symlinks, FIFOs, device nodes (unless skipped), hard links within the tree
/// kept as hard links, modes including setuid/sticky bits.
Status copy_tree_at(int src_dir, int dst_dir, const CopyOptions& o = {});

/// True if the directory has no entries besides "." and "..".
Result<bool> dir_is_empty(int dirfd);

}  // namespace skiff
