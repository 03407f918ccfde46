#pragma once
// Directory listings by fd: an owner for DIR* and one loop over a directory's entries.

#include <dirent.h>

#include <functional>
#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// An open directory stream (DIR*), closed on destruction.
class Dir {
 public:
  Dir() = default;
  Dir(Dir&& o) noexcept : d_(std::exchange(o.d_, nullptr)) {}
  Dir& operator=(Dir&& o) noexcept;
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  ~Dir();

  /// Opens `path` under `dirfd` (O_DIRECTORY | `flags`, e.g. O_NOFOLLOW).
  static Result<Dir> open_at(int dirfd, std::string_view path, int flags = 0);
  /// Lists the directory `fd` is open on, from its start, through a duplicate: `fd` stays the
  /// caller's (a duplicate shares its offset: nothing else may read it meanwhile).
  static Result<Dir> dup_of(int fd);
  /// Takes `fd` (a directory) over.
  static Result<Dir> adopt(UniqueFd fd);

  /// The directory's fd (for the *at calls on its entries); owned by the Dir.
  int fd() const;
  /// The next entry other than "." and ".."; nullptr at the end or on a read error (error()).
  struct dirent* next();
  /// The errno of the read that ended next(), 0 at a clean end.
  int error() const { return err_; }

 private:
  DIR* d_ = nullptr;
  int err_ = 0;
};

/// Calls `fn(dir_fd, entry)` for every entry of the directory `fd` is open on but "." and "..",
/// in directory order (through a duplicate, as Dir::dup_of); stops at fn's first error, and a
/// read error is one too.
Status for_each_entry(int fd, const std::function<Status(int dir_fd, const struct dirent& e)>& fn);

/// The same for `path` under `dirfd` (O_DIRECTORY | `flags`).
Status for_each_entry_at(int dirfd, std::string_view path,
                         const std::function<Status(int dir_fd, const struct dirent& e)>& fn, int flags = 0);

}  // namespace skiff
