// `container mount` / `container umount` (include/skiff/engine/mount.hpp).
#include "skiff/engine/mount.hpp"
#include "skiff/storage/store.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

namespace {

std::string root_path(const Engine& e, const ContainerRecord& r) {
  if (!r.driver) return r.rootfs;
  return e.container_dir(r.id) + (r.driver == storage::Driver::Overlay ? "/merged" : "/rootfs");
}

bool is_mount_root(const std::string& path) {
  struct statx st;
  if (statx(AT_FDCWD, path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &st) < 0) return false;
  return (st.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (st.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

// Inside a user namespace (`skiff unshare`): the layers' overlay xattrs are user.overlay.*.
bool in_userns() {
  auto m = read_file("/proc/self/uid_map", 4096);
  if (!m) return false;
  auto f = split(std::string(trim(*m)), ' ');
  std::vector<std::string> w;
  for (auto& x : f)
    if (!x.empty()) w.push_back(x);
  return !(w.size() == 3 && w[0] == "0" && w[1] == "0" && w[2] == "4294967295");
}

std::string count_file(const Engine& e, const std::string& id) { return e.container_dir(id) + "/mountcount"; }

// The recorded count, or 0 when the mount it counts is gone (a reboot, an ended unshare).
int64_t mount_count(const Engine& e, const ContainerRecord& r) {
  auto t = read_file(count_file(e, r.id), 64);
  if (!t) return 0;
  int64_t n = parse_int(trim(*t)).value_or(0);
  if (n > 0 && r.driver == storage::Driver::Overlay && !is_mount_root(root_path(e, r))) return 0;
  return n < 0 ? 0 : n;
}

Status write_count(const Engine& e, const std::string& id, int64_t n) {
  if (n == 0) {
    if (unlink(count_file(e, id).c_str()) < 0 && errno != ENOENT) return fail_errno("remove the mount counter");
    return ok();
  }
  return write_file_atomic(count_file(e, id), std::to_string(n) + "\n", 0600, false);
}

// Runs `fn` in a forked child of ours (same namespaces): chdir and setns stay there.
Status in_child(const std::function<Status()>& fn) {
  IdMap none;
  none.userns = false;
  return run_in_userns(none, fn);
}

// The overlay of a stopped container: its layers and its upper directory, writable.
Status mount_overlay(const Engine& e, const ContainerRecord& r, const std::string& at) {
  std::string cdir = e.container_dir(r.id);
  std::string cwd = r.extra.overlay_cwd.empty() ? e.graph() : r.extra.overlay_cwd;
  const std::vector<std::string>& lowers = r.extra.layer_dirs;
  std::string data = "lowerdir=" + join(lowers, ":") + ",upperdir=" + cdir + "/upper,workdir=" + cdir + "/work";
  if (in_userns() || r.host_config.contains("IDMappings")) data += ",userxattr";
  return in_child([&]() -> Status {
    if (chdir(cwd.c_str()) < 0) return fail_errno(fmt::format("chdir `{}`", cwd));
    if (mount("overlay", at.c_str(), "overlay", 0, data.c_str()) < 0)
      return fail_errno(fmt::format("mount the root filesystem of container {}", r.id));
    return ok();
  });
}

// A running container's own root mount, cloned out of its mount namespace and attached at `at`:
// one file system, seen alike from both sides.
Status clone_running_root(const Container& c, const std::string& at) {
  return in_child([&]() -> Status {
    auto host = TRY(open_path("/proc/self/ns/mnt", O_RDONLY));
    auto theirs = TRY_CTX(open_path(fmt::format("/proc/{}/ns/mnt", c.state.pid), O_RDONLY),
                          "reach the mount namespace of container {}", c.rec.id);
    if (setns(theirs.get(), CLONE_NEWNS) < 0)
      return fail_errno(fmt::format("enter the mount namespace of container {}", c.rec.id));
    UniqueFd tree(open_tree(AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    int err = errno;
    if (setns(host.get(), CLONE_NEWNS) < 0) return fail_errno("return to our mount namespace");
    if (!tree) return Error{err, fmt::format("clone the root mount of container {}: {}", c.rec.id, strerror(err))};
    if (move_mount(tree.get(), "", AT_FDCWD, at.c_str(), MOVE_MOUNT_F_EMPTY_PATH) < 0)
      return fail_errno(fmt::format("attach the root filesystem of container {} at `{}`", c.rec.id, at));
    return ok();
  });
}

}  // namespace

bool mount_allowed() { return geteuid() == 0; }

Result<std::string> mount_container(Engine& e, const std::string& ref) {
  auto c = TRY(find_container(e, ref));
  auto lock = TRY(e.lock_container(c.rec.id));
  c = TRY(find_container(e, c.rec.id));
  std::string path = root_path(e, c.rec);
  int64_t n = mount_count(e, c.rec);
  if (n == 0 && c.rec.driver == storage::Driver::Overlay) {
    if (c.state.status == RunState::Running && c.state.pid > 0) TRY(clone_running_root(c, path));
    else TRY(mount_overlay(e, c.rec, path));
  }
  if (auto st = write_count(e, c.rec.id, n + 1); !st) {
    if (n == 0 && c.rec.driver == storage::Driver::Overlay) (void)umount2(path.c_str(), MNT_DETACH);
    return st.error();
  }
  return path;
}

Result<bool> unmount_container(Engine& e, const std::string& ref, bool force) {
  auto c = TRY(find_container(e, ref));
  auto lock = TRY(e.lock_container(c.rec.id));
  int64_t n = mount_count(e, c.rec);
  if (n == 0) {
    (void)write_count(e, c.rec.id, 0);  // a stale counter goes
    return false;
  }
  n = force ? 0 : n - 1;
  std::string path = root_path(e, c.rec);
  if (n == 0 && c.rec.driver == storage::Driver::Overlay && umount2(path.c_str(), MNT_DETACH) < 0)
    return fail_errno(fmt::format("unmount the root filesystem of container {}", c.rec.id));
  TRY(write_count(e, c.rec.id, n));
  return true;
}

Result<std::vector<MountedContainer>> mounted_containers(const Engine& e) {
  std::vector<MountedContainer> out;
  for (auto& s : TRY(list_containers(e))) {
    if (!path_exists(count_file(e, s.rec.id))) continue;
    auto c = find_container(e, s.rec.id);
    if (!c || mount_count(e, c->rec) == 0) continue;
    out.push_back({c->rec.id, c->rec.name, root_path(e, c->rec)});
  }
  return out;
}

void drop_container_mounts(const Engine& e, const std::string& id) {
  if (!path_exists(count_file(e, id))) return;
  std::string merged = e.container_dir(id) + "/merged";
  if (is_mount_root(merged)) (void)umount2(merged.c_str(), MNT_DETACH);
  (void)unlink(count_file(e, id).c_str());
}

}  // namespace skiff::engine
