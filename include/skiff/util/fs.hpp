#pragma once
// Host filesystem helpers. Paths here are host paths the engine owns (the store, the run
// root). Anything inside a container or layer rootfs goes through safe_path.hpp instead.

#include <sys/stat.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// Reads a whole file relative to `dirfd` (AT_FDCWD for host paths). ENOENT keeps its code.
Result<std::string> read_file_at(int dirfd, std::string_view path, size_t limit = 64u << 20);
inline Result<std::string> read_file(std::string_view path, size_t limit = 64u << 20) {
  return read_file_at(-100, path, limit);
}

/// Writes `data` to `dirfd/name` atomically: a temp file in the same directory, fsync (unless
/// `sync` is false), rename over the target, fsync of the directory. Readers see the old or
/// the new content, never a torn file, whatever happens (kill -9, power loss with sync).
Status write_file_atomic_at(int dirfd, std::string_view name, std::string_view data,
                            mode_t mode = 0644, bool sync = true);
Status write_file_atomic(std::string_view path, std::string_view data, mode_t mode = 0644,
                         bool sync = true);

/// mkdir -p with `mode` for the directories it creates. Existing directories are fine.
Status mkdir_p(std::string_view path, mode_t mode = 0755);

/// Creates `dirfd/name` as a directory unless it exists; returns an O_DIRECTORY fd to it.
Result<UniqueFd> ensure_dir_at(int dirfd, std::string_view name, mode_t mode = 0755);

/// rm -rf relative to a directory fd, never following symlinks. Missing is not an error.
/// Files owned by other ids in a user namespace need to be removed from inside that namespace.
Status remove_tree_at(int dirfd, std::string_view name);
inline Status remove_tree(std::string_view path) { return remove_tree_at(-100, path); }

/// Lists the names in a directory (no "." or ".."), unsorted. ENOENT keeps its code.
Result<std::vector<std::string>> list_dir_at(int dirfd, std::string_view path);
inline Result<std::vector<std::string>> list_dir(std::string_view path) {
  return list_dir_at(-100, path);
}

/// fsync a directory (after renames in it).
Status fsync_dir_at(int dirfd, std::string_view path = ".");

/// True if `path` exists (lstat succeeds).
bool path_exists(std::string_view path);

/// Total bytes of regular files (st_blocks * 512 is not used: apparent size, as Docker) under
/// dirfd/name, hard links counted once. Does not follow symlinks.
Result<uint64_t> tree_size_at(int dirfd, std::string_view name);

/// A fresh random hex string of `bytes` random bytes (from getrandom(2)).
std::string random_hex(size_t bytes);

/// The mount flags (MS_NOSUID, MS_NODEV, MS_NOEXEC, atime flags, MS_RDONLY) in effect on the
/// mount that `fd` is on. A bind remount in a user namespace must repeat them: the kernel locks
/// the flags of mounts inherited from a more privileged mount namespace (EPERM otherwise).
unsigned long locked_mount_flags(int fd);

/// The directory part and the last component of a '/'-separated path ("a/b/c" -> "a/b","c").
std::pair<std::string, std::string> split_dir_base(std::string_view path);

}  // namespace skiff
