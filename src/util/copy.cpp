#include "skiff/util/copy.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cstring>
#include <map>
#include <string>

#include "skiff/util/fd.hpp"
#include "skiff/util/sparse.hpp"
#include "skiff/util/dir.hpp"

namespace skiff {

namespace {

struct Ctx {
  const CopyOptions& o;
  // (dev, ino) of multiply-linked files already copied → (dst dir fd path-less key) name in dst
  std::map<std::pair<dev_t, ino_t>, std::pair<int, std::string>> links;
};

Status copy_file_data(int in, int out, off_t size) {
  if (TRY(has_holes(in, uint64_t(size)))) return copy_file_sparse(in, out, uint64_t(size));  // holes stay holes
  off_t left = size;
  while (left > 0) {
    ssize_t n = copy_file_range(in, nullptr, out, nullptr, size_t(left), 0);
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP)) {
      n = sendfile(out, in, nullptr, size_t(left));
    }
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("copy file data");
    }
    if (n == 0) break;
    left -= n;
  }
  return ok();
}

void apply_meta(int dst_dir, const char* name, const struct stat& st, const CopyOptions& o, bool is_link) {
  if (o.preserve_owner) {
    uid_t u = st.st_uid;
    gid_t g = st.st_gid;
    if (o.map_owner) o.map_owner(u, g);
    (void)fchownat(dst_dir, name, u, g, AT_SYMLINK_NOFOLLOW);
  }
  if (!is_link) (void)fchmodat(dst_dir, name, st.st_mode & 07777, 0);
  if (o.preserve_times) {
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    (void)utimensat(dst_dir, name, ts, AT_SYMLINK_NOFOLLOW);
  }
}

Status copy_dir(int src, int dst, Ctx& c, const std::string& path, int depth);

Status copy_entry(int src, int dst, const char* name, Ctx& c, const std::string& path, int depth) {
  struct stat st;
  if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("stat `{}/{}`", path, name));
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
    auto it = c.links.find({st.st_dev, st.st_ino});
    if (it != c.links.end() && linkat(it->second.first, it->second.second.c_str(), dst, name, 0) == 0) return ok();
  }
  if (S_ISDIR(st.st_mode)) {
    if (mkdirat(dst, name, 0700) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}/{}`", path, name));
    auto s2 = TRY(open_at(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    auto d2 = TRY(open_at(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    TRY(copy_dir(s2.get(), d2.get(), c, path + "/" + name, depth + 1));
    apply_meta(dst, name, st, c.o, false);
    return ok();
  }
  if (S_ISREG(st.st_mode)) {
    auto in = TRY(open_at(src, name, O_RDONLY | O_NOFOLLOW));
    auto out = TRY(open_at(dst, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600));
    TRY(copy_file_data(in.get(), out.get(), st.st_size));
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(size_t(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    ssize_t n = readlinkat(src, name, target.data(), target.size());
    if (n < 0) return fail_errno(fmt::format("readlink `{}/{}`", path, name));
    target.resize(size_t(n));
    if (symlinkat(target.c_str(), dst, name) < 0 && errno != EEXIST)
      return fail_errno(fmt::format("symlink `{}/{}`", path, name));
    apply_meta(dst, name, st, c.o, true);
    return ok();
  } else if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
    if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && c.o.skip_devices) return ok();
    if (S_ISSOCK(st.st_mode)) return ok();  // sockets are not copied (tar does not either)
    if (mknodat(dst, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0) {
      if (errno == EPERM && (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) return ok();
      return fail_errno(fmt::format("mknod `{}/{}`", path, name));
    }
  }
  apply_meta(dst, name, st, c.o, false);
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) c.links[{st.st_dev, st.st_ino}] = {dst, name};
  return ok();
}

Status copy_dir(int src, int dst, Ctx& c, const std::string& path, int depth) {
  if (depth > 4096) return fail(ELOOP, fmt::format("copy `{}`: tree too deep", path));
  auto d = Dir::dup_of(src);
  if (!d) return fail_errno(fmt::format("opendir `{}`", path), d.error().code);
  Status st;
  // Hard links recorded against this dst fd must not outlive it.
  auto links_before = c.links;
  while (struct dirent* e = d->next()) {
    st = copy_entry(src, dst, e->d_name, c, path, depth);
    if (!st) break;
  }
  for (auto it = c.links.begin(); it != c.links.end();) {
    if (it->second.first == dst && !links_before.count(it->first)) it = c.links.erase(it);
    else ++it;
  }
  return st;
}

}  // namespace

Status copy_tree_at(int src_dir, int dst_dir, const CopyOptions& o) {
  Ctx c{o, {}};
  return copy_dir(src_dir, dst_dir, c, "", 0);
}

Result<bool> dir_is_empty(int dirfd) {
  auto d = TRY(Dir::open_at(dirfd, "."));
  return d.next() == nullptr;
}

}  // namespace skiff
