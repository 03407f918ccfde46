// Root filesystem assembly, mounts, /dev, pivot_root, masked and read-only paths.
// Every target inside the rootfs is resolved by fd (util/safe_path.hpp) and mounted onto
// /proc/self/fd/N, so a symlink in an image aimed at /proc, the host, or a bind target never
// redirects a mount (CVE-2021-30465, CVE-2025-31133/52565 class).
#include "rootfs.hpp"

#include <algorithm>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "skiff/util/copy.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::runtime {

MountOptions parse_mount_options(const std::vector<std::string>& opts) {
  struct Flag {
    const char* name;
    bool clear;
    unsigned long flag;
  };
  static const Flag kFlags[] = {
      {"ro", false, MS_RDONLY},       {"rw", true, MS_RDONLY},         {"nosuid", false, MS_NOSUID},
      {"suid", true, MS_NOSUID},      {"nodev", false, MS_NODEV},      {"dev", true, MS_NODEV},
      {"noexec", false, MS_NOEXEC},   {"exec", true, MS_NOEXEC},       {"sync", false, MS_SYNCHRONOUS},
      {"async", true, MS_SYNCHRONOUS}, {"noatime", false, MS_NOATIME}, {"atime", true, MS_NOATIME},
      {"nodiratime", false, MS_NODIRATIME}, {"relatime", false, MS_RELATIME},
      {"strictatime", false, MS_STRICTATIME}, {"dirsync", false, MS_DIRSYNC},
  };
  struct Prop {
    const char* name;
    unsigned long flag;
  };
  static const Prop kProps[] = {
      {"private", MS_PRIVATE}, {"rprivate", MS_PRIVATE | MS_REC}, {"slave", MS_SLAVE},
      {"rslave", MS_SLAVE | MS_REC}, {"shared", MS_SHARED}, {"rshared", MS_SHARED | MS_REC},
      {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
  };
  MountOptions mo;
  std::vector<std::string> data;
  for (auto& o : opts) {
    bool done = false;
    if (o == "bind") {
      mo.bind = true;
      done = true;
    } else if (o == "rbind") {
      mo.bind = mo.recursive = true;
      done = true;
    }
    for (auto& f : kFlags)
      if (!done && o == f.name) {
        if (f.clear) mo.flags &= ~f.flag;
        else mo.flags |= f.flag;
        done = true;
      }
    for (auto& p : kProps)
      if (!done && o == p.name) {
        mo.propagation = p.flag;
        done = true;
      }
    // SELinux relabel and ownership options are accepted and ignored (no SELinux here).
    if (!done && (o == "z" || o == "Z" || o == "U" || o == "O")) done = true;
    if (!done) data.push_back(o);
  }
  mo.data = join(data, ",");
  return mo;
}

static Status do_mount(const char* src, const std::string& target, const char* type, unsigned long flags,
                       const std::string& data, std::string_view what) {
  if (mount(src, target.c_str(), type, flags, data.empty() ? nullptr : data.c_str()) < 0)
    return fail_errno(fmt::format("mount `{}`", what));
  return ok();
}

// Remounts the mount at `fd` (which must reach the mount's root) with `flags` added.
static Status remount_bind(int fd, unsigned long flags, std::string_view what) {
  unsigned long f = MS_REMOUNT | MS_BIND | flags | locked_mount_flags(fd);
  if (mount(nullptr, fd_path(fd).c_str(), nullptr, f, nullptr) < 0)
    return fail_errno(fmt::format("remount `{}` read-only", what));
  return ok();
}

Result<UniqueFd> mount_rootfs(const oci::Spec& spec) {
  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) < 0)
    return fail_errno("make / private");
  const oci::Root& r = spec.root;
  if (r.kind == "overlay") {
    // Short relative lower dirs keep the option string under a page even with many layers.
    if (!r.overlay_cwd.empty() && chdir(r.overlay_cwd.c_str()) < 0)
      return fail_errno(fmt::format("chdir `{}`", r.overlay_cwd));
    if (r.path.starts_with("/proc/self/fd/")) {  // open_by_fd's: the new mount's fd is the root
      UniqueFd fs(fsopen("overlay", FSOPEN_CLOEXEC));
      if (!fs) return fail_errno("fsopen overlay");
      auto set = [&](const char* k, const std::string& v) {
        return fsconfig(fs.get(), FSCONFIG_SET_STRING, k, v.c_str(), 0) == 0;
      };
      if (!set("lowerdir", join(r.lower, ":")) || (!r.upper.empty() && (!set("upperdir", r.upper) || !set("workdir", r.work))) ||
          (r.userxattr && fsconfig(fs.get(), FSCONFIG_SET_FLAG, "userxattr", nullptr, 0) < 0) ||
          fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0)
        return fail_errno("mount the overlay root filesystem");
      UniqueFd m(fsmount(fs.get(), FSMOUNT_CLOEXEC, 0));
      if (!m) return fail_errno("mount the overlay root filesystem");
      if (move_mount(m.get(), "", AT_FDCWD, r.path.c_str(), MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_SYMLINKS) < 0)
        return fail_errno("attach the overlay root filesystem");
      return m;
    }
    std::string data = "lowerdir=" + join(r.lower, ":");
    if (!r.upper.empty()) data += ",upperdir=" + r.upper + ",workdir=" + r.work;
    if (r.userxattr) data += ",userxattr";
    // `skiff mount` left it mounted (engine/mount.hpp): one overlay for both, never two on
    // the same upper directory.
    struct statx sx;
    bool mounted = statx(AT_FDCWD, r.path.c_str(), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx) == 0 &&
                   (sx.stx_attributes_mask & sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
    if (mounted) {
      if (mount(r.path.c_str(), r.path.c_str(), nullptr, MS_BIND, nullptr) < 0)
        return fail_errno("bind the mounted root filesystem");
    } else if (mount("overlay", r.path.c_str(), "overlay", 0, data.c_str()) < 0) {
      return fail_errno("mount the overlay root filesystem");
    }
  } else {
    if (mount(r.path.c_str(), r.path.c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return fail_errno(fmt::format("bind the root filesystem `{}`", r.path));
  }
  return open_path(r.path, O_PATH | O_DIRECTORY);
}

// Opens (creating if needed) the mount target inside the root: a directory, or an empty file
// for file binds. Symlinks along the way are followed inside the root only.
static Result<UniqueFd> open_target(int rootfd, const oci::Mount& m) {
  if (m.file) {
    auto existing = open_in_root(rootfd, m.destination, O_PATH);
    if (existing) return existing;
    auto f = open_in_root(rootfd, m.destination, O_WRONLY | O_CREAT, 0644);
    if (!f && f.error().code == ENOENT) {
      auto parent = TRY(open_parent_in_root(rootfd, m.destination, true));
      f = open_at(parent.first.get(), parent.second, O_WRONLY | O_CREAT | O_NOFOLLOW, 0644);
    }
    if (!f) return f.error();
    return open_in_root(rootfd, m.destination, O_PATH);
  }
  auto d = mkdir_p_in_root(rootfd, m.destination, 0755);
  if (!d) return d.error();
  return open_in_root(rootfd, m.destination, O_PATH | O_DIRECTORY);
}

// Docker's volume behaviour: a new (empty) volume mounted over a directory of the image
// starts with a copy of that directory's content, owners and modes included. apply_mounts()
// copies before it mounts anything, so the copy reads the root filesystem alone (the image's
// layers, never the live /proc, /dev, /sys or another mount). The copy is made in a staging
// directory beside the volume's and moved in only once complete: a failed or killed copy leaves
// the volume empty (the next start copies again), never half-filled.
static Status copy_staged(int src, int vol, const oci::Mount& m);

// The staging directories of copies that were killed (kill -9, a crash): each copy holds a lock
// on its own, so one whose lock can be taken is a leftover.
static void sweep_staging(const oci::Mount& m) {
  auto [parent_path, base] = split_dir_base(m.source);
  auto parent = open_path(parent_path, O_RDONLY | O_DIRECTORY);
  if (!parent) return;
  auto names = list_dir_at(parent->get(), ".");
  if (!names) return;
  std::string stem = "." + base + ".copy-up-";
  for (auto& n : *names) {
    if (!n.starts_with(stem)) continue;
    auto d = open_at(parent->get(), n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    if (d && flock(d->get(), LOCK_EX | LOCK_NB) == 0) (void)remove_tree_at(parent->get(), n);
  }
}

bool creator_unmapped(const oci::Spec& spec) {
  if (!spec.new_userns || spec.idmap.single) return false;
  uint64_t me = geteuid();
  return std::none_of(spec.idmap.uids.begin(), spec.idmap.uids.end(),
                      [&](auto& r) { return me >= r.host_id && me < uint64_t(r.host_id) + r.size; });
}

Status open_by_fd(oci::Spec& spec, std::vector<UniqueFd>& held) {
  auto by_fd = [&](std::string& path, const std::string& what) -> Status {
    auto fd = TRY_CTX(open_path(path, O_PATH), "open {} `{}`", what, path);
    path = fd_path(fd.get());
    held.push_back(std::move(fd));
    return ok();
  };
  oci::Root& r = spec.root;
  if (r.kind == "overlay") {
    if (!r.overlay_cwd.empty() && chdir(r.overlay_cwd.c_str()) < 0)
      return fail_errno(fmt::format("chdir `{}`", r.overlay_cwd));
    r.overlay_cwd.clear();  // out of reach later; the lower dirs are fds now
    for (auto& l : r.lower) TRY(by_fd(l, "the layer"));
    if (!r.upper.empty()) {
      TRY(by_fd(r.upper, "the upper directory"));
      TRY(by_fd(r.work, "the work directory"));
    }
    TRY(by_fd(r.path, "the root filesystem's mount point"));
  }
  for (auto& m : spec.mounts) {
    MountOptions mo = parse_mount_options(m.options);
    if ((m.type != "bind" && !mo.bind) || m.source.empty() || m.source[0] != '/') continue;
    auto fd = TRY_CTX(open_path(m.source, O_PATH), "open the mount source `{}`", m.source);
    m.source = fd_path(fd.get());
    held.push_back(std::move(fd));
  }
  return ok();
}

static Status copy_up(int rootfd, const oci::Mount& m) {
  // A source opened before we became root in the container (open_mount_sources): reached
  // through /proc/self/fd, and copied without a staging directory beside it (out of reach).
  bool by_fd = m.source.starts_with("/proc/self/fd/");
  if (!by_fd) sweep_staging(m);
  auto vol = TRY(open_path(m.source, O_RDONLY | O_DIRECTORY | (by_fd ? 0 : O_NOFOLLOW)));
  if (!TRY(dir_is_empty(vol.get()))) return ok();
  auto src = open_in_root(rootfd, m.destination, O_RDONLY | O_DIRECTORY);
  if (!src) return ok();  // nothing there in the image (or not a directory): nothing to copy
  if (by_fd && !TRY(dir_is_empty(src->get()))) {
    CopyOptions co;
    co.skip_devices = true;
    TRY_CTX(copy_tree_at(src->get(), vol.get(), co), "copy image content into the volume at `{}`", m.destination);
  } else if (!TRY(dir_is_empty(src->get()))) {
    TRY(copy_staged(src->get(), vol.get(), m));
  }
  struct stat st;
  if (fstat(src->get(), &st) == 0) {
    (void)fchown(vol.get(), st.st_uid, st.st_gid);
    (void)fchmod(vol.get(), st.st_mode & 07777);
  }
  return ok();
}

// copy_up's copy of `src` into the empty volume `vol` through a staging directory.
static Status copy_staged(int src, int vol, const oci::Mount& m) {
  auto [parent_path, base] = split_dir_base(m.source);
  auto parent = TRY(open_path(parent_path, O_RDONLY | O_DIRECTORY));
  std::string stage = "." + base + ".copy-up-" + random_hex(6);
  if (mkdirat(parent.get(), stage.c_str(), 0700) < 0)
    return fail_errno(fmt::format("create the copy-up directory beside `{}`", m.source));
  auto discard = [&](Error e) -> Status {
    (void)remove_tree_at(parent.get(), stage);
    return e;
  };
  auto staged = open_at(parent.get(), stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!staged) return discard(staged.error());
  if (flock(staged->get(), LOCK_EX) < 0) return discard(errno_error("lock the copy-up directory"));
  CopyOptions co;
  co.skip_devices = true;
  if (auto st = copy_tree_at(src, staged->get(), co); !st)
    return discard(wrap(st.error(), fmt::format("copy image content into the volume at `{}`", m.destination)));
  auto names = list_dir_at(staged->get(), ".");
  if (!names) return discard(names.error());
  for (auto& n : *names) {
    // RENAME_NOREPLACE: a concurrent start that filled the volume first keeps its copy.
    if (renameat2(staged->get(), n.c_str(), vol, n.c_str(), RENAME_NOREPLACE) < 0 && errno != EEXIST)
      return discard(errno_error(fmt::format("move the copied `{}` into the volume at `{}`", n, m.destination)));
  }
  (void)remove_tree_at(parent.get(), stage);
  return ok();
}

static Status mount_one(int rootfd, const oci::Spec& spec, const oci::Mount& m) {
  MountOptions mo = parse_mount_options(m.options);
  auto target = open_target(rootfd, m);
  if (!target) return wrap(target.error(), fmt::format("mount target `{}`", m.destination));
  std::string tpath = fd_path(target->get());
  if (m.type == "bind" || mo.bind) {
    unsigned long f = MS_BIND | (mo.recursive || m.type == "bind" ? MS_REC : 0);
    TRY(do_mount(m.source.c_str(), tpath, nullptr, f, "", m.destination));
  } else if (m.type == "sysfs" && !spec.new_netns) {
    // sysfs can only be mounted by the owner of the network namespace: share the host's,
    // read-only (as crun does).
    TRY(do_mount("/sys", tpath, nullptr, MS_BIND | MS_REC, "", m.destination));
    mo.flags |= MS_RDONLY;
  } else if (m.type == "cgroup2" || m.type == "cgroup") {
    if (mount("cgroup2", tpath.c_str(), "cgroup2", mo.flags, nullptr) < 0) {
      log::debug("cgroup2 mount at {} not possible here: {}", m.destination, strerror(errno));
      return ok();
    }
    return ok();
  } else {
    const char* src = m.source.empty() ? m.type.c_str() : m.source.c_str();
    auto st = do_mount(src, tpath, m.type.c_str(), mo.flags, mo.data, m.destination);
    if (!st && m.type == "mqueue") {
      log::debug("mqueue mount skipped: {}", st.error().msg);
      return ok();
    }
    if (!st && m.type == "sysfs" && (st.error().code == EPERM || st.error().code == EACCES)) {
      TRY(do_mount("/sys", tpath, nullptr, MS_BIND | MS_REC, "", m.destination));
      mo.flags |= MS_RDONLY;
    } else {
      TRY(st);
      return ok();
    }
  }
  // Bind mounts: flags other than propagation need a remount on the new mount (reached by
  // reopening the destination: the old fd still names the covered directory).
  if (mo.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)) {
    auto fresh = TRY(open_in_root(rootfd, m.destination, O_PATH));
    TRY(remount_bind(fresh.get(), mo.flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC), m.destination));
  }
  if (mo.propagation) {
    auto fresh = TRY(open_in_root(rootfd, m.destination, O_PATH));
    if (mount(nullptr, fd_path(fresh.get()).c_str(), nullptr, mo.propagation, nullptr) < 0)
      return fail_errno(fmt::format("set propagation of `{}`", m.destination));
  }
  return ok();
}

Status apply_mounts(int rootfd, const oci::Spec& spec) {
  // Copy-up first, from the bare root filesystem (see copy_up).
  for (auto& m : spec.mounts)
    if (m.copy_up) TRY(copy_up(rootfd, m));
  for (auto& m : spec.mounts) TRY(mount_one(rootfd, spec, m));
  return ok();
}

Status setup_dev(int rootfd) {
  auto dev = TRY_CTX(open_in_root(rootfd, "/dev", O_RDONLY | O_DIRECTORY), "open /dev in the container");
  for (const char* name : {"null", "zero", "full", "random", "urandom", "tty"}) {
    // An empty regular file as the mount point; no mknod (impossible rootless, unneeded rootful).
    int fd = openat(dev.get(), name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) return fail_errno(fmt::format("create /dev/{}", name));
    if (fd >= 0) close(fd);
    auto target = TRY(open_at(dev.get(), name, O_PATH | O_NOFOLLOW));
    std::string src = std::string("/dev/") + name;
    if (mount(src.c_str(), fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
      return fail_errno(fmt::format("bind {}", src));
  }
  struct Link {
    const char* name;
    const char* target;
  };
  static const Link kLinks[] = {{"fd", "/proc/self/fd"},       {"stdin", "/proc/self/fd/0"},
                                {"stdout", "/proc/self/fd/1"}, {"stderr", "/proc/self/fd/2"},
                                {"ptmx", "pts/ptmx"},          {"core", "/proc/kcore"}};
  for (auto& l : kLinks)
    if (symlinkat(l.target, dev.get(), l.name) < 0 && errno != EEXIST)
      return fail_errno(fmt::format("symlink /dev/{}", l.name));
  return ok();
}

Status pivot_into(int rootfd) {
  if (fchdir(rootfd) < 0) return fail_errno("chdir into the root filesystem");
  if (syscall(SYS_pivot_root, ".", ".") < 0) return fail_errno("pivot_root");
  // The old root is now stacked on "."; detach it so nothing of the host stays reachable.
  if (mount(nullptr, ".", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) return fail_errno("make the old root a slave");
  if (umount2(".", MNT_DETACH) < 0) return fail_errno("detach the old root");
  if (chdir("/") < 0) return fail_errno("chdir /");
  return ok();
}

static Status mask_path(const std::string& p, int nullfd) {
  int fd = open(p.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return ok();
    return fail_errno(fmt::format("mask `{}`", p));
  }
  UniqueFd target(fd);
  struct stat st;
  if (fstat(fd, &st) < 0) return fail_errno(fmt::format("stat `{}`", p));
  if (S_ISLNK(st.st_mode)) return ok();  // nothing to hide behind a link we will not follow
  if (S_ISDIR(st.st_mode)) {
    if (mount("tmpfs", fd_path(fd).c_str(), "tmpfs", MS_RDONLY, "size=0k,nr_inodes=1") < 0)
      return fail_errno(fmt::format("mask `{}`", p));
    return ok();
  }
  if (mount(fd_path(nullfd).c_str(), fd_path(fd).c_str(), nullptr, MS_BIND, nullptr) < 0)
    return fail_errno(fmt::format("mask `{}`", p));
  return ok();
}

Status apply_path_policy(const oci::Spec& spec) {
  if (!spec.masked_paths.empty()) {
    // The container's /dev/null is a bind of the host's; check it really is the null device
    // before using it to hide files (CVE-2025-31133: it could have been swapped for a link).
    auto nullfd = TRY(open_path("/dev/null", O_PATH | O_NOFOLLOW));
    struct stat st;
    if (fstat(nullfd.get(), &st) < 0 || !S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3))
      return fail(EPERM, "/dev/null in the container is not the null device");
    for (auto& p : spec.masked_paths) TRY(mask_path(p, nullfd.get()));
  }
  for (auto& p : spec.readonly_paths) {
    int fd = open(p.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
      if (errno == ENOENT) continue;
      return fail_errno(fmt::format("read-only path `{}`", p));
    }
    UniqueFd target(fd);
    if (mount(fd_path(fd).c_str(), fd_path(fd).c_str(), nullptr, MS_BIND | MS_REC, nullptr) < 0)
      return fail_errno(fmt::format("bind read-only path `{}`", p));
    auto fresh = TRY(open_path(p, O_PATH | O_NOFOLLOW));
    TRY(remount_bind(fresh.get(), MS_RDONLY, p));
  }
  if (spec.root.readonly) {
    auto root = TRY(open_path("/", O_PATH | O_DIRECTORY));
    TRY(remount_bind(root.get(), MS_RDONLY, "/"));
  }
  return ok();
}

Status bind_console(int slave_fd) {
  int fd = open("/dev/console", O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) return fail_errno("create /dev/console");
  close(fd);
  auto target = TRY(open_path("/dev/console", O_PATH | O_NOFOLLOW));
  if (mount(fd_path(slave_fd).c_str(), fd_path(target.get()).c_str(), nullptr, MS_BIND, nullptr) < 0)
    return fail_errno("bind /dev/console");
  return ok();
}

}  // namespace skiff::runtime
