#pragma once
// Private to src/engine: reaching a container's files (cp, export, diff, commit).
//
// The work runs in a forked helper, never in the CLI process: the helper is where the ids are
// the container's (rootless: a user namespace with the store's mapping, so files owned by
// subordinate ids are readable and new files get container owners) and where private mounts
// live. It gets `rootfd`, a directory fd that is the container's "/", and must resolve every
// path through util/safe_path.hpp (openat2 RESOLVE_IN_ROOT) from it: a symlink in the
// container, whatever it says and whenever it is swapped in, then resolves as the container
// would see it and never reaches a host file.
//
//   running container: rootfd is /proc/<pid>/root of its process (pinned by its start time),
//     so the helper sees exactly the container's mount tree, volumes included, and writes land
//     in the container's overlay mount (not the image); rootless the helper joins the
//     container's user namespace (it stays in the host's mount namespace: no library or NSS
//     module of the container can ever be loaded into it).
//   stopped container: the helper takes the container lock (start waits), unshares a mount
//     namespace (private: nothing propagates to the host) and mounts the rootfs there:
//     overlay with the container's upper layer (writable) and its volumes and bind mounts;
//     vfs and --rootfs directories as they are.
//   FsView::RootOnly (export): the root filesystem alone, read-only, running or not: an
//     overlay whose top lower layer is the container's upper directory.
// The helper is not dumpable (a process of the container cannot ptrace it) and holds no fd
// but rootfd, its protocol pipes and `keep_fds`.

#include <functional>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

enum class FsView {
  Live,      ///< what the container's processes see (running), or its mounted rootfs + volumes
  RootOnly,  ///< the root filesystem alone, read-only
};

/// A started helper; wait() returns the status of its function. Destroying it kills it.
class FsHelper {
 public:
  FsHelper(UsernsWorker w, FileLock lock) : worker_(std::move(w)), lock_(std::move(lock)) {}
  Status wait();

 private:
  UsernsWorker worker_;
  FileLock lock_;  ///< the container lock, held while a stopped container's rootfs is mounted
};

/// Starts `fn(rootfd)` in a helper for container `c` (see above). `fn` runs in a forked,
/// single-threaded process: it may block on the fds it was given.
/// Errors: a container being started or removed is kConflict.
Result<FsHelper> start_fs_helper(Engine& e, const Container& c, FsView view, std::function<Status(int rootfd)> fn,
                                 std::vector<int> keep_fds = {});

/// start_fs_helper + wait.
Status run_fs_helper(Engine& e, const Container& c, FsView view, const std::function<Status(int rootfd)>& fn);

/// True when the container's process is running (its root is reached through /proc).
bool fs_is_live(const Container& c);

}  // namespace skiff::engine
