#pragma once
// Private to src/engine: tar streams of directory trees (cp, export, commit).
//
// Every entry is reached from its parent directory's fd (fstatat/openat with O_NOFOLLOW):
// nothing is resolved by path, no symlink is followed, so a tree that changes while it is
// read (a symlink swapped in for a directory, a FIFO for a file) can at worst make the copy
// fail or show the new entry itself; it cannot send the walk anywhere else. Children are
// written in byte order of their names, so the same tree gives the same bytes.

#include <sys/stat.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skiff/util/archive.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::engine {

struct TreeTarOptions {
  /// Record security.capability, user.* (except user.overlay.*) and system.posix_acl_*
  /// (the attributes layer extraction applies; overlayfs' own ones never travel).
  bool xattrs = true;
  /// A directory on a pseudo filesystem (proc, sysfs, devpts, mqueue, cgroup…) is written
  /// as an entry but its contents are not (cp from a running container's root).
  bool skip_pseudo_fs = false;
  /// Maps each entry's uid and gid (cp into a container: 0:0 without -a, the host ids
  /// translated into the container's with -a). Unset: the ids as read.
  std::function<std::pair<int64_t, int64_t>(int64_t uid, int64_t gid)> owner;
};

/// The names in directory `dirfd` (without "." and ".."), sorted bytewise.
Result<std::vector<std::string>> sorted_names(int dirfd);

/// True for a character device 0:0, overlayfs' whiteout.
inline bool is_whiteout(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

/// Writes trees into a TarWriter. Hard links within everything one TreeTar writes are kept
/// as hard-link entries to the first name seen.
class TreeTar {
 public:
  TreeTar(TarWriter& w, TreeTarOptions o) : w_(w), o_(std::move(o)) {}

  /// Writes `name` of directory `dirfd` as `tar_name`, and when it is a directory, its
  /// contents below it. Sockets are skipped.
  Status add(int dirfd, const std::string& name, const std::string& tar_name);
  /// Writes only the entry itself (a directory's contents are not written). `st` is its
  /// lstat. Returns the directory's fd (O_RDONLY) when it is one and `open_dir`.
  Result<std::optional<UniqueFd>> add_entry(int dirfd, const std::string& name, const std::string& tar_name,
                                            const struct stat& st, bool open_dir = false);
  /// Writes the contents of the open directory `dirfd` with names under `prefix` ("" for
  /// the top level).
  Status add_children(int dirfd, const std::string& prefix);
  /// Writes what `pathfd` (an O_PATH fd, resolved already: never a symlink followed here)
  /// refers to as `tar_name` and, for a directory, its contents; `contents_only` skips the
  /// directory's own entry (its children are then named `tar_name/x`, or `x` when "").
  Status add_resolved(int pathfd, const std::string& tar_name, bool contents_only = false);
  /// Writes a header that has no file behind it (whiteouts); File entries must have size 0.
  Status add_header(const TarEntry& e) { return w_.add(e); }

 private:
  Status write_file(int fd, const TarEntry& e);
  Status write_dense(int fd, const TarEntry& e);
  Status write_sparse(int fd, TarEntry e);
  void read_xattrs(int fd, TarEntry& e);

  TarWriter& w_;
  TreeTarOptions o_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

/// The tar header for an entry whose lstat is `st` (type, mode, owner, size, times, device
/// numbers); link targets and xattrs are filled by the caller.
TarEntry tar_entry_of(const std::string& tar_name, const struct stat& st);

}  // namespace skiff::engine
