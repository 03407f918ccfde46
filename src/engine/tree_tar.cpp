// Tar streams of directory trees, walked by fd (see tree_tar.hpp).
#include "tree_tar.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <tuple>

#include "skiff/util/sparse.hpp"
#include "skiff/util/dir.hpp"

namespace skiff::engine {

namespace {

constexpr size_t kChunk = 256 * 1024;

bool xattr_travels(std::string_view name) {
  if (name.substr(0, 5) == "user.") return name.substr(0, 13) != "user.overlay.";
  return name == "security.capability" || name == "system.posix_acl_access" || name == "system.posix_acl_default";
}

// Filesystems whose contents are the kernel's, not the container's files.
bool pseudo_fs(int dirfd) {
  struct statfs sf;
  if (fstatfs(dirfd, &sf) < 0) return false;
  switch (static_cast<unsigned long>(sf.f_type)) {
    case PROC_SUPER_MAGIC:
    case SYSFS_MAGIC:
    case DEVPTS_SUPER_MAGIC:
    case 0x19800202:  // mqueue
    case CGROUP_SUPER_MAGIC:
    case CGROUP2_SUPER_MAGIC:
    case SECURITYFS_MAGIC:
    case DEBUGFS_MAGIC:
    case TRACEFS_MAGIC:
    case BPF_FS_MAGIC:
      return true;
    default:
      return false;
  }
}

}  // namespace

Result<std::vector<std::string>> sorted_names(int dirfd) {
  std::vector<std::string> out;
  auto st = for_each_entry(dirfd, [&](int, const struct dirent& de) {
    out.emplace_back(de.d_name);
    return ok();
  });
  if (!st) return fail_errno("read directory", st.error().code);
  std::sort(out.begin(), out.end());
  return out;
}

TarEntry tar_entry_of(const std::string& tar_name, const struct stat& st) {
  TarEntry e;
  e.path = tar_name;
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim.tv_sec;
  e.mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
  switch (st.st_mode & S_IFMT) {
    case S_IFREG:
      e.type = TarType::File;
      e.size = uint64_t(st.st_size);
      break;
    case S_IFDIR: e.type = TarType::Dir; break;
    case S_IFLNK: e.type = TarType::Symlink; break;
    case S_IFCHR:
    case S_IFBLK:
      e.type = S_ISCHR(st.st_mode) ? TarType::Char : TarType::Block;
      e.dev_major = major(st.st_rdev);
      e.dev_minor = minor(st.st_rdev);
      break;
    case S_IFIFO: e.type = TarType::Fifo; break;
    default: e.type = TarType::Other; break;
  }
  return e;
}

void TreeTar::read_xattrs(int fd, TarEntry& e) {
  if (!o_.xattrs) return;
  char names[16384];
  ssize_t n = flistxattr(fd, names, sizeof names);
  if (n <= 0) return;
  for (ssize_t i = 0; i < n;) {
    std::string name(names + i);
    i += ssize_t(name.size()) + 1;
    if (!xattr_travels(name)) continue;
    char value[65536];
    ssize_t v = fgetxattr(fd, name.c_str(), value, sizeof value);
    if (v >= 0) e.xattrs.emplace_back(name, std::string(value, size_t(v)));
  }
  std::sort(e.xattrs.begin(), e.xattrs.end());
}

// A file with holes is written as a sparse entry holding its non-zero chunks (sparse.hpp
// nonzero_map: the same bytes give the same map, whatever the filesystem's holes): a 1 TiB hole
// costs nothing to read or to write. Files without holes are written as before.
Status TreeTar::write_sparse(int fd, TarEntry e) {
  auto map = TRY_CTX(nonzero_map(fd, e.size), "read `{}`", e.path);
  if (map.size() == 1 && map[0].offset == 0 && map[0].length == e.size) return write_dense(fd, e);
  if (map.empty()) map.push_back({e.size, 0});  // all zeros: no data at all
  for (auto& x : map) e.sparse.emplace_back(x.offset, x.length);
  TRY(w_.add(e));
  std::vector<char> buf(kChunk);
  for (auto& x : map) {
    uint64_t off = x.offset, end = x.offset + x.length;
    while (off < end) {
      size_t want = size_t(std::min<uint64_t>(end - off, buf.size()));
      ssize_t n = pread(fd, buf.data(), want, off_t(off));
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail_errno(fmt::format("read `{}`", e.path));
      }
      if (n == 0) {  // the file shrank while we read it: the map promised these bytes
        std::fill(buf.begin(), buf.end(), '\0');
        n = ssize_t(want);
      }
      TRY(w_.write_data(std::string_view(buf.data(), size_t(n))));
      off += uint64_t(n);
    }
  }
  return ok();
}

Status TreeTar::write_file(int fd, const TarEntry& e) {
  if (e.size >= kChunk && TRY_CTX(has_holes(fd, e.size), "read `{}`", e.path)) return write_sparse(fd, e);
  return write_dense(fd, e);
}

Status TreeTar::write_dense(int fd, const TarEntry& e) {
  TRY(w_.add(e));
  std::vector<char> buf(std::min<uint64_t>(kChunk, std::max<uint64_t>(e.size, 1)));
  uint64_t left = e.size;
  while (left > 0) {
    ssize_t n = read(fd, buf.data(), size_t(std::min<uint64_t>(left, buf.size())));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno(fmt::format("read `{}`", e.path));
    }
    if (n == 0) {
      // The file shrank while we read it: the header promised e.size bytes.
      std::fill(buf.begin(), buf.end(), '\0');
      while (left > 0) {
        size_t k = size_t(std::min<uint64_t>(left, buf.size()));
        TRY(w_.write_data(std::string_view(buf.data(), k)));
        left -= k;
      }
      break;
    }
    TRY(w_.write_data(std::string_view(buf.data(), size_t(n))));
    left -= uint64_t(n);
  }
  return ok();
}

Result<std::optional<UniqueFd>> TreeTar::add_entry(int dirfd, const std::string& name, const std::string& tar_name,
                                                   const struct stat& lst, bool open_dir) {
  struct stat st = lst;
  UniqueFd fd;
  if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
    // O_NONBLOCK: if a FIFO was swapped in meanwhile, opening it must not hang.
    int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0);
    int raw = openat(dirfd, name.c_str(), flags);
    if (raw < 0) {
      if (errno == ELOOP || errno == ENOTDIR || errno == ENXIO)
        return fail(EAGAIN, fmt::format("`{}` changed while it was being copied", tar_name));
      return fail_errno(fmt::format("open `{}`", tar_name));
    }
    fd.reset(raw);
    if (fstat(fd.get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", tar_name));
  }
  TarEntry e = tar_entry_of(tar_name, st);
  if (e.type == TarType::Other) return std::optional<UniqueFd>();  // sockets: tar cannot hold them
  if (o_.owner) std::tie(e.uid, e.gid) = o_.owner(e.uid, e.gid);
  if (e.type == TarType::Symlink) {
    char buf[4096];
    ssize_t n = readlinkat(dirfd, name.c_str(), buf, sizeof buf);
    if (n < 0) return fail_errno(fmt::format("readlink `{}`", tar_name));
    e.link_target.assign(buf, size_t(n));
    e.size = 0;
  }
  if (fd) read_xattrs(fd.get(), e);
  if (e.type == TarType::File && st.st_nlink > 1) {
    auto key = std::make_pair(st.st_dev, st.st_ino);
    auto it = links_.find(key);
    if (it != links_.end()) {
      e.type = TarType::Hardlink;
      e.link_target = it->second;
      e.size = 0;
      e.xattrs.clear();
      TRY(w_.add(e));
      return std::optional<UniqueFd>();
    }
    links_.emplace(key, tar_name);
  }
  if (e.type == TarType::File) {
    TRY(write_file(fd.get(), e));
    return std::optional<UniqueFd>();
  }
  TRY(w_.add(e));
  if (e.type == TarType::Dir && open_dir) return std::optional<UniqueFd>(std::move(fd));
  return std::optional<UniqueFd>();
}

Status TreeTar::add(int dirfd, const std::string& name, const std::string& tar_name) {
  struct stat st;
  if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("stat `{}`", tar_name));
  auto dir = TRY(add_entry(dirfd, name, tar_name, st, /*open_dir=*/true));
  if (dir && dir->valid()) {
    if (o_.skip_pseudo_fs && pseudo_fs(dir->get())) return ok();
    TRY(add_children(dir->get(), tar_name));
  }
  return ok();
}

Status TreeTar::add_resolved(int pathfd, const std::string& tar_name, bool contents_only) {
  struct stat st;
  if (fstat(pathfd, &st) < 0) return fail_errno(fmt::format("stat `{}`", tar_name));
  if (S_ISDIR(st.st_mode)) {
    auto dir = TRY(open_at(pathfd, ".", O_RDONLY | O_DIRECTORY));
    if (!contents_only) {
      if (fstat(dir.get(), &st) < 0) return fail_errno(fmt::format("stat `{}`", tar_name));
      TarEntry e = tar_entry_of(tar_name, st);
      if (o_.owner) std::tie(e.uid, e.gid) = o_.owner(e.uid, e.gid);
      read_xattrs(dir.get(), e);
      TRY(w_.add(e));
      if (o_.skip_pseudo_fs && pseudo_fs(dir.get())) return ok();
    }
    return add_children(dir.get(), tar_name);
  }
  if (contents_only) return fail(ENOTDIR, fmt::format("`{}`: not a directory", tar_name));
  if (S_ISREG(st.st_mode)) {
    // Reopening an O_PATH fd for reading goes through its /proc/self/fd entry (our own fd).
    auto fd = TRY(open_path(fd_path(pathfd), O_RDONLY | O_NONBLOCK));
    struct stat now;
    if (fstat(fd.get(), &now) < 0) return fail_errno(fmt::format("stat `{}`", tar_name));
    if (now.st_ino != st.st_ino || now.st_dev != st.st_dev)
      return fail(EAGAIN, fmt::format("`{}` changed while it was being copied", tar_name));
    TarEntry e = tar_entry_of(tar_name, now);
    if (o_.owner) std::tie(e.uid, e.gid) = o_.owner(e.uid, e.gid);
    read_xattrs(fd.get(), e);
    return write_file(fd.get(), e);
  }
  if (S_ISLNK(st.st_mode) || S_ISSOCK(st.st_mode))
    return fail(kInvalid, fmt::format("`{}`: cannot copy this kind of file", tar_name));
  TarEntry e = tar_entry_of(tar_name, st);  // devices, FIFOs: the header is all there is
  if (o_.owner) std::tie(e.uid, e.gid) = o_.owner(e.uid, e.gid);
  return w_.add(e);
}

Status TreeTar::add_children(int dirfd, const std::string& prefix) {
  auto names = TRY_CTX(sorted_names(dirfd), "`{}`", prefix.empty() ? "." : prefix);
  for (auto& n : names) TRY(add(dirfd, n, prefix.empty() ? n : prefix + "/" + n));
  return ok();
}

}  // namespace skiff::engine
