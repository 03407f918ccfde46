// The storage driver probe: native overlay if a real mount of a tiny overlay behaves, else vfs.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/userns.hpp"
#include "store_impl.hpp"

namespace skiff::storage::detail {

namespace {

Status make_file_at(int dirfd, const char* name) {
  int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return fail_errno(fmt::format("create `{}`", name));
  close(fd);
  return ok();
}

// In the worker: lower has a, d/x; upper has a whiteout for a and an opaque d. Mounted, the
// overlay must hide both. Rootful this checks trusted.* xattrs and mknod; rootless, that the
// kernel allows overlay in a user namespace with userxattr (5.11+) and 0:0 whiteouts (5.8+).
// `dir` is a path, not an fd: overlayfs refuses layers reached through a mount of another
// mount namespace ("failed to clone upperpath"), and an fd opened before unshare() is one.
Status probe_in_worker(const std::string& dir, bool rootless) {
  if (!rootless && unshare(CLONE_NEWNS) < 0) return fail_errno("unshare a mount namespace");
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return fail_errno("make mounts private");
  if (chdir(dir.c_str()) < 0) return fail_errno(fmt::format("chdir `{}`", dir));
  for (const char* d : {"lower", "lower/d", "upper", "upper/d", "work", "merged"})
    if (mkdir(d, 0755) < 0) return fail_errno(fmt::format("mkdir `{}`", d));
  TRY(make_file_at(AT_FDCWD, "lower/a"));
  TRY(make_file_at(AT_FDCWD, "lower/d/x"));
  if (mknod("upper/a", S_IFCHR, makedev(0, 0)) < 0) return fail_errno("create a whiteout device");
  const char* opq = rootless ? "user.overlay.opaque" : "trusted.overlay.opaque";
  if (setxattr("upper/d", opq, "y", 1, 0) < 0) return fail_errno(fmt::format("set {}", opq));
  std::string data = "lowerdir=lower,upperdir=upper,workdir=work";
  if (rootless) data += ",userxattr";
  if (mount("overlay", "merged", "overlay", 0, data.c_str()) < 0) return fail_errno("mount overlay");
  struct stat st;
  bool a_hidden = lstat("merged/a", &st) < 0 && errno == ENOENT;
  bool x_hidden = lstat("merged/d/x", &st) < 0 && errno == ENOENT;
  (void)umount2("merged", MNT_DETACH);
  if (!a_hidden) return fail(kUnsupported, "whiteouts are not honoured");
  if (!x_hidden) return fail(kUnsupported, "opaque directories are not honoured");
  return ok();
}

}  // namespace

Driver probe_driver(int rootfd, const std::string& graph_root, const IdMap& map, std::string& why) {
  auto slot = new_slot(rootfd, "probe-", true);
  if (!slot) {
    why = slot.error().msg;
    return Driver::Vfs;
  }
  std::string dir = graph_root + "/" + slot->name;
  Status st = run_in_userns(map, [&] { return probe_in_worker(dir, map.userns); });
  std::vector<StagingSlot> slots;
  slots.push_back(std::move(*slot));
  (void)discard_slots(rootfd, map, slots);
  if (!st) {
    why = st.error().msg;
    return Driver::Vfs;
  }
  return Driver::Overlay;
}

}  // namespace skiff::storage::detail
