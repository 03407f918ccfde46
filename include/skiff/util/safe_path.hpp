#pragma once
// Path resolution inside a rootfs (container root, layer directory, volume), relative to a
// directory fd, with every symlink resolved as if that directory were "/". Nothing resolved
// here can name a file outside the root, whatever the symlinks say or however they change
// concurrently (openat2 RESOLVE_IN_ROOT; the kernel does the walk atomically per component).
// Never build such paths by joining strings.

#include <string>
#include <string_view>
#include <utility>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// Opens `path` (absolute or relative; both mean "from the root") inside `rootfd`.
/// Magic links (/proc/self/fd/…) are refused. `flags` gets O_CLOEXEC added.
Result<UniqueFd> open_in_root(int rootfd, std::string_view path, int flags, mode_t mode = 0);

/// Like open_in_root but does not follow a symlink in the last component (O_NOFOLLOW
/// semantics; with O_PATH it returns an fd to the link itself).
Result<UniqueFd> open_in_root_nofollow(int rootfd, std::string_view path, int flags, mode_t mode = 0);

/// Opens the directory that contains `path` inside the root (symlinks resolved in the root)
/// and returns it with the last component, which is not resolved. "/" has no parent: EINVAL.
/// With `create`, missing directories on the way are created with `mode`.
Result<std::pair<UniqueFd, std::string>> open_parent_in_root(int rootfd, std::string_view path,
                                                             bool create = false, mode_t mode = 0755);

/// mkdir -p inside the root; returns an O_DIRECTORY fd of the final directory.
Result<UniqueFd> mkdir_p_in_root(int rootfd, std::string_view path, mode_t mode = 0755);

/// Cleans a path lexically: collapses "//", ".", and ".." (never above "/"). Always absolute.
std::string clean_path(std::string_view path);

}  // namespace skiff
