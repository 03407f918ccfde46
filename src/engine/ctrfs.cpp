// Reaching a container's files from a helper process (see ctrfs.hpp).
#include "ctrfs.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "mounts.hpp"
#include "skiff/monitor/state_records.hpp"
#include "skiff/storage/layer_tree.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/plugin.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

// The container's volumes and bind mounts, bound onto their targets inside the private mount
// of a stopped container's root (targets resolved in the root; a missing target is skipped:
// it is created when the container starts).
Status bind_user_mounts(const Engine& e, const ContainerRecord& r, int rootfd) {
  auto mounts = mounts_from_json(r.extra.mounts);
  std::stable_sort(mounts.begin(), mounts.end(), [](auto& a, auto& b) {
    return std::count(a.destination.begin(), a.destination.end(), '/') <
           std::count(b.destination.begin(), b.destination.end(), '/');
  });
  for (auto& m : mounts) {
    std::string src;
    if (m.type == "volume") src = e.graph() + "/volumes/" + m.name + "/_data";
    else if (m.type == "bind") src = m.source;
    else continue;  // tmpfs: empty while the container is stopped
    auto target = open_in_root(rootfd, m.destination, O_PATH);
    if (!target && target.error().code == ENOENT) {
      // Never started yet: make the mount point as the runtime will (Docker does the same
      // for copies into a stopped container), inside the root whatever the links say.
      struct stat st;
      if (stat(src.c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
        if (auto parent = open_parent_in_root(rootfd, m.destination, true)) {
          int fd = openat(parent->first.get(), parent->second.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
          if (fd >= 0) close(fd);
        }
      } else {
        (void)mkdir_p_in_root(rootfd, m.destination, 0755);
      }
      target = open_in_root(rootfd, m.destination, O_PATH);
    }
    if (!target) continue;  // a read-only root: the copy then finds no such path
    std::string tpath = fd_path(target->get());
    if (mount(src.c_str(), tpath.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return fail_errno(fmt::format("bind the mount `{}`", m.destination));
    if (!m.rw) {
      auto fd = TRY(open_in_root(rootfd, m.destination, O_PATH));
      std::string p = fd_path(fd.get());
      if (mount(nullptr, p.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_mount_flags(fd.get()), nullptr) < 0)
        return fail_errno(fmt::format("make the mount `{}` read-only", m.destination));
    }
  }
  return ok();
}

// Runs in the helper (in its own mount namespace): mounts the stopped container's root
// filesystem and returns an fd of it.
Result<UniqueFd> mount_root(const Engine& e, const ContainerRecord& r, FsView view) {
  std::string cdir = e.container_dir(r.id);
  bool ro = view == FsView::RootOnly || json_bool(r.host_config, "ReadonlyRootfs");
  if (r.driver == storage::Driver::Overlay) {
    std::string cwd = r.extra.overlay_cwd.empty() ? e.graph() : r.extra.overlay_cwd;
    if (chdir(cwd.c_str()) < 0) return fail_errno(fmt::format("chdir `{}`", cwd));
    std::vector<std::string> lowers = r.extra.layer_dirs;
    std::string data;
    if (view == FsView::RootOnly) {
      // The upper directory as the topmost lower layer: a read-only view that never touches
      // the container's own (possibly mounted) upper and work directories.
      lowers.insert(lowers.begin(), cdir + "/upper");
      data = "lowerdir=" + join(lowers, ":");
    } else {
      data = "lowerdir=" + join(lowers, ":") + ",upperdir=" + cdir + "/upper,workdir=" + cdir + "/work";
    }
    // --uidmap containers made their layer in a user namespace: user.overlay.* xattrs.
    if (e.idmap().userns || r.host_config.contains("IDMappings")) data += ",userxattr";
    if (mount("overlay", (cdir + "/merged").c_str(), "overlay", ro ? MS_RDONLY : 0, data.c_str()) < 0)
      return fail_errno(fmt::format("mount the root filesystem of container {}", r.id));
    auto fd = TRY(open_path(cdir + "/merged", O_PATH | O_DIRECTORY));
    if (view == FsView::Live) TRY(bind_user_mounts(e, r, fd.get()));
    return fd;
  }
  std::string dir = !r.driver ? r.rootfs : cdir + "/rootfs";
  // A private bind of the directory, so the volumes bound below it stay in this namespace.
  if (mount(dir.c_str(), dir.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
    return fail_errno(fmt::format("bind the root filesystem of container {}", r.id));
  if (ro) {
    auto fd = TRY(open_path(dir, O_PATH | O_DIRECTORY));
    if (mount(nullptr, dir.c_str(), nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | locked_mount_flags(fd.get()), nullptr) < 0)
      return fail_errno(fmt::format("make the root filesystem of container {} read-only", r.id));
  }
  auto fd = TRY(open_path(dir, O_PATH | O_DIRECTORY));
  if (view == FsView::Live) TRY(bind_user_mounts(e, r, fd.get()));
  return fd;
}

// A process started by the container's monitor, pinned: the /proc/<pid> directory fd fails
// lookups once that process is gone, even if the pid is reused.
struct PinnedProcess {
  UniqueFd proc, root, userns;
};

Result<PinnedProcess> pin_container_process(const Engine& e, const Container& c) {
  auto mon = TRY_CTX(monitor::read_monitor_record(e.run_dir(c.rec.id)), "container {}", c.rec.id);
  uint64_t want = mon.pid_start;
  PinnedProcess p;
  auto proc = open_path(fmt::format("/proc/{}", c.state.pid), O_PATH | O_DIRECTORY);
  if (!proc) return fail(kConflict, fmt::format("container {} is not running", c.rec.id));
  p.proc = std::move(*proc);
  p.root = TRY_CTX(open_at(p.proc.get(), "root", O_PATH | O_DIRECTORY), "reach the root of container {}", c.rec.id);
  if (e.idmap().userns) {
    auto ns = TRY_CTX(open_at(p.proc.get(), "ns/user", O_RDONLY), "container {}: its user namespace", c.rec.id);
    struct stat a, b;
    if (fstat(ns.get(), &a) == 0 && stat("/proc/self/ns/user", &b) == 0 && a.st_ino != b.st_ino) p.userns = std::move(ns);
  }
  // Checked after the opens: what they reached belongs to the process we meant.
  auto stat_text = TRY_CTX(read_file_at(p.proc.get(), "stat"), "container {} is not running", c.rec.id);
  auto close_paren = stat_text.rfind(')');
  auto fields = split(std::string_view(stat_text).substr(close_paren == std::string::npos ? 0 : close_paren + 2), ' ');
  if (fields.size() < 20 || (want && parse_uint(fields[19]).value_or(0) != want))
    return fail(kConflict, fmt::format("container {} is not running", c.rec.id));
  return p;
}

Result<UsernsWorker> start_in_running(const Engine& e, const Container& c, std::function<Status(int)> fn,
                                      std::vector<int> keep_fds) {
  auto p = TRY(pin_container_process(e, c));
  auto result = TRY(make_pipe());
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    prctl(PR_SET_DUMPABLE, 0);  // no process of the container may ptrace its way into us
    result.read.reset();
    keep_fds.insert(keep_fds.end(), {p.root.get(), p.userns.get(), result.write.get()});
    close_other_fds(keep_fds);
    if (p.userns) {
      if (setns(p.userns.get(), CLONE_NEWUSER) < 0)
        report_and_exit(result.write.get(), errno_error(fmt::format("join the user namespace of container {}", c.rec.id)));
      if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        report_and_exit(result.write.get(), errno_error("become root in the container's user namespace"));
      p.userns.reset();
    }
    storage::raise_nofile_limit();
    Status st = fn(p.root.get());
    if (!st) report_and_exit(result.write.get(), st.error());
    _exit(0);
  }
  ChildProcess child(pid);
  result.write.reset();
  return UsernsWorker(std::move(child), std::move(result.read));
}

Result<UsernsWorker> start_with_mount(const Engine& e, const ContainerRecord& r, FsView view,
                                      std::function<Status(int)> fn, std::vector<int> keep_fds) {
  bool userns = e.idmap().userns;
  auto work = [&e, r, view, userns, fn = std::move(fn)]() -> Status {
    // Rootful there is no new user namespace, hence no new mount namespace yet either.
    if (!userns && unshare(CLONE_NEWNS) < 0) return fail_errno("unshare a mount namespace");
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0) return fail_errno("make / private");
    storage::raise_nofile_limit();
    auto root = TRY(mount_root(e, r, view));
    return fn(root.get());
  };
  return start_in_userns(e.idmap(), std::move(work), std::move(keep_fds));
}

}  // namespace

bool fs_is_live(const Container& c) { return c.state.status == RunState::Running && c.state.pid > 0; }

Status FsHelper::wait() {
  Status st = worker_.wait();
  lock_.release();
  return st;
}

Result<FsHelper> start_fs_helper(Engine& e, const Container& c_in, FsView view, std::function<Status(int rootfd)> fn,
                                 std::vector<int> keep_fds) {
  // The helper finds the plugin already loaded (tar streams): it never loads code itself.
  (void)plugin_symbol("skiff_tar_writer_v1");
  // Read-only views need no lock: they never touch what the container itself mounts.
  if (view == FsView::RootOnly)
    return FsHelper(TRY(start_with_mount(e, c_in.rec, view, std::move(fn), std::move(keep_fds))), FileLock());
  if (fs_is_live(c_in)) {
    auto w = start_in_running(e, c_in, fn, keep_fds);
    if (w || w.error().code != kConflict) return w ? Result<FsHelper>(FsHelper(std::move(*w), FileLock())) : w.error();
    // It stopped meanwhile: go on as for a stopped container.
  }
  auto lock = TRY(e.lock_container(c_in.rec.id));
  auto c = TRY(find_container(e, c_in.rec.id));
  if (fs_is_live(c)) {
    lock.release();
    return FsHelper(TRY(start_in_running(e, c, std::move(fn), std::move(keep_fds))), FileLock());
  }
  const ContainerState& s = c.state;
  if (s.status == RunState::Removing) return fail(kConflict, fmt::format("container {} is being removed", c.rec.id));
  if (s.status == RunState::Restarting || (s.status == RunState::Created && s.monitor_pid > 0))
    return fail(kConflict, fmt::format("container {} is starting: try again", c.rec.id));
  return FsHelper(TRY(start_with_mount(e, c.rec, view, std::move(fn), std::move(keep_fds))), std::move(lock));
}

Status run_fs_helper(Engine& e, const Container& c, FsView view, const std::function<Status(int rootfd)>& fn) {
  auto h = TRY(start_fs_helper(e, c, view, fn));
  return h.wait();
}

}  // namespace skiff::engine
