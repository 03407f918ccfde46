#include "skiff/util/fs.hpp"
#include "skiff/util/dir.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cstring>
#include <set>

namespace skiff {

Result<std::string> read_file_at(int dirfd, std::string_view path, size_t limit) {
  auto fd = open_at(dirfd, path, O_RDONLY | O_NOCTTY);
  if (!fd) return fd.error();
  auto data = read_all(fd->get(), limit);
  if (!data) return wrap(data.error(), fmt::format("read `{}`", path));
  return data;
}

Status write_file_atomic_at(int dirfd, std::string_view name, std::string_view data, mode_t mode,
                            bool sync) {
  auto [dir, base] = split_dir_base(name);
  std::string tmp = fmt::format("{}{}.tmp-{}", dir.empty() ? "" : dir + "/", "." + base,
                                random_hex(6));
  auto fd = open_at(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL, mode);
  if (!fd) return fd.error();
  auto cleanup_fail = [&](Error e) {
    (void)unlinkat(dirfd, tmp.c_str(), 0);
    return fail(std::move(e));
  };
  if (fchmod(fd->get(), mode) < 0) return cleanup_fail(errno_error(fmt::format("chmod `{}`", tmp)));
  if (auto w = write_all(fd->get(), data); !w)
    return cleanup_fail(wrap(w.error(), fmt::format("write `{}`", tmp)));
  if (sync && fsync(fd->get()) < 0) return cleanup_fail(errno_error(fmt::format("fsync `{}`", tmp)));
  fd->reset();
  std::string target(name);
  if (renameat(dirfd, tmp.c_str(), dirfd, target.c_str()) < 0)
    return cleanup_fail(errno_error(fmt::format("rename `{}`", target)));
  if (sync) return fsync_dir_at(dirfd, dir.empty() ? "." : dir);
  return ok();
}

Status write_file_atomic(std::string_view path, std::string_view data, mode_t mode, bool sync) {
  return write_file_atomic_at(AT_FDCWD, path, data, mode, sync);
}

Status mkdir_p(std::string_view path, mode_t mode) {
  std::string p(path);
  if (p.empty()) return ok();
  for (size_t i = 1; i <= p.size(); ++i) {
    if (i == p.size() || p[i] == '/') {
      std::string part = p.substr(0, i);
      if (mkdir(part.c_str(), mode) < 0 && errno != EEXIST)
        return fail_errno(fmt::format("mkdir `{}`", part));
    }
  }
  struct stat st;
  if (stat(p.c_str(), &st) < 0) return fail_errno(fmt::format("stat `{}`", p));
  if (!S_ISDIR(st.st_mode)) return fail(ENOTDIR, fmt::format("`{}` is not a directory", p));
  return ok();
}

Result<UniqueFd> ensure_dir_at(int dirfd, std::string_view name, mode_t mode) {
  std::string n(name);
  if (mkdirat(dirfd, n.c_str(), mode) < 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir `{}`", n));
  return open_at(dirfd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

static Status remove_children(int dfd, const std::string& what) {
  auto dir = Dir::adopt(UniqueFd(dfd));
  if (!dir) return fail_errno(fmt::format("opendir `{}`", what), dir.error().code);
  const int d = dir->fd();
  Status st;
  while (struct dirent* ent = dir->next()) {
    if (unlinkat(d, ent->d_name, 0) == 0) continue;
    if (errno == EISDIR || errno == EPERM) {
      int sub = openat(d, ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0 && errno == EACCES) {
        // Our own directory without read/search bits (overlay's work/work is mode 000).
        (void)fchmodat(d, ent->d_name, 0700, 0);
        sub = openat(d, ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (sub < 0) {
        st = fail_errno(fmt::format("open `{}/{}`", what, ent->d_name));
        break;
      }
      // A directory we cannot list may just lack the x/r bits (layers keep image modes).
      (void)fchmod(sub, 0700);
      auto r = remove_children(sub, what + "/" + ent->d_name);
      if (!r) {
        st = r;
        break;
      }
      if (unlinkat(d, ent->d_name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
        st = fail_errno(fmt::format("rmdir `{}/{}`", what, ent->d_name));
        break;
      }
    } else if (errno != ENOENT) {
      st = fail_errno(fmt::format("unlink `{}/{}`", what, ent->d_name));
      break;
    }
  }
  return st;
}

Status remove_tree_at(int dirfd, std::string_view name) {
  std::string n(name);
  if (unlinkat(dirfd, n.c_str(), 0) == 0 || errno == ENOENT) return ok();
  if (errno != EISDIR && errno != EPERM) return fail_errno(fmt::format("unlink `{}`", n));
  int sub = openat(dirfd, n.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0) {
    if (errno == ENOENT) return ok();
    return fail_errno(fmt::format("open `{}`", n));
  }
  (void)fchmod(sub, 0700);
  if (auto r = remove_children(sub, n); !r) return r;
  if (unlinkat(dirfd, n.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    return fail_errno(fmt::format("rmdir `{}`", n));
  return ok();
}

Result<std::vector<std::string>> list_dir_at(int dirfd, std::string_view path) {
  std::vector<std::string> out;
  TRY(for_each_entry_at(dirfd, path, [&](int, const struct dirent& e) {
    out.emplace_back(e.d_name);
    return ok();
  }));
  return out;
}

Status fsync_dir_at(int dirfd, std::string_view path) {
  auto fd = open_at(dirfd, path, O_RDONLY | O_DIRECTORY);
  if (!fd) return fd.error();
  if (fsync(fd->get()) < 0 && errno != EINVAL) return fail_errno(fmt::format("fsync `{}`", path));
  return ok();
}

bool path_exists(std::string_view path) {
  struct stat st;
  return lstat(std::string(path).c_str(), &st) == 0;
}

static Status tree_size_rec(int dfd, std::set<std::pair<dev_t, ino_t>>& seen, uint64_t& total) {
  auto d = TRY(Dir::adopt(UniqueFd(dfd)));
  while (struct dirent* ent = d.next()) {
    struct stat st;
    if (fstatat(d.fd(), ent->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
    if (S_ISDIR(st.st_mode)) {
      int sub = openat(d.fd(), ent->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub >= 0) (void)tree_size_rec(sub, seen, total);
    } else if (S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) {
      if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
      total += uint64_t(st.st_size);
    }
  }
  return ok();
}

Result<uint64_t> tree_size_at(int dirfd, std::string_view name) {
  auto fd = open_at(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  if (!fd) return fd.error();
  std::set<std::pair<dev_t, ino_t>> seen;
  uint64_t total = 0;
  TRY(tree_size_rec(fd.value().release(), seen, total));
  return total;
}

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  size_t got = 0;
  while (got < bytes) {
    ssize_t n = getrandom(raw.data() + got, bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      abort();  // getrandom cannot fail on a supported kernel once the pool is ready
    }
    got += size_t(n);
  }
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : raw) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

std::pair<std::string, std::string> split_dir_base(std::string_view path) {
  auto pos = path.rfind('/');
  if (pos == std::string_view::npos) return {"", std::string(path)};
  if (pos == 0) return {"/", std::string(path.substr(1))};
  return {std::string(path.substr(0, pos)), std::string(path.substr(pos + 1))};
}

unsigned long locked_mount_flags(int fd) {
  struct statvfs sv;
  if (fstatvfs(fd, &sv) < 0) return 0;
  unsigned long f = 0;
  if (sv.f_flag & ST_NOSUID) f |= MS_NOSUID;
  if (sv.f_flag & ST_NODEV) f |= MS_NODEV;
  if (sv.f_flag & ST_NOEXEC) f |= MS_NOEXEC;
  if (sv.f_flag & ST_NOATIME) f |= MS_NOATIME;
  if (sv.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
  if (sv.f_flag & ST_RELATIME) f |= MS_RELATIME;
  if (sv.f_flag & ST_RDONLY) f |= MS_RDONLY;
  return f;
}

}  // namespace skiff
