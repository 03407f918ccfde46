#include "skiff/util/safe_path.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff {

std::string clean_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    auto comp = path.substr(i, j - i);
    if (comp.empty() || comp == ".") {
    } else if (comp == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(comp);
    }
    i = j + 1;
  }
  std::string out;
  for (auto p : parts) {
    out += '/';
    out += p;
  }
  return out.empty() ? "/" : out;
}

static long sys_openat2(int dirfd, const char* path, struct open_how* how) {
  return syscall(SYS_openat2, dirfd, path, how, sizeof(*how));
}

// Fallback for kernels without openat2 (< 5.6): walk component by component with O_NOFOLLOW,
// expanding symlinks ourselves against the root, at most 40 of them.
static Result<UniqueFd> resolve_manual(int rootfd, std::string_view path, int flags, mode_t mode,
                                       bool follow_last) {
  std::string rest = clean_path(path).substr(1);
  int links = 0;
  for (;;) {
    auto cur = TRY(open_at(rootfd, ".", O_PATH | O_DIRECTORY));
    std::vector<std::string> comps;
    if (!rest.empty()) comps = split(rest, '/');
    bool restarted = false;
    for (size_t k = 0; k < comps.size(); ++k) {
      bool last = k + 1 == comps.size();
      const std::string& c = comps[k];
      if (c == "..") {
        // Lexically cleaned paths only keep ".." produced by symlink expansion; go to root.
        cur = TRY(open_at(rootfd, ".", O_PATH | O_DIRECTORY));
        continue;
      }
      if (last) {
        int fl = flags | O_NOFOLLOW;
        int fd = openat(cur.get(), c.c_str(), fl | O_CLOEXEC, mode);
        if (fd >= 0) return UniqueFd(fd);
        if (errno != ELOOP && errno != EMLINK && errno != ENOTDIR)
          return fail_errno(fmt::format("open `{}`", path));
        if (!follow_last) return fail_errno(fmt::format("open `{}`", path));
      }
      struct stat st;
      if (fstatat(cur.get(), c.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
        return fail_errno(fmt::format("open `{}`", path));
      if (S_ISLNK(st.st_mode)) {
        if (++links > 40) return fail(ELOOP, fmt::format("open `{}`: too many symlinks", path));
        char buf[4096];
        ssize_t n = readlinkat(cur.get(), c.c_str(), buf, sizeof buf - 1);
        if (n < 0) return fail_errno(fmt::format("readlink in `{}`", path));
        std::string target(buf, size_t(n));
        std::string prefix;
        if (target[0] != '/') {
          for (size_t q = 0; q < k; ++q) prefix += "/" + comps[q];
        }
        std::string tail;
        for (size_t q = k + 1; q < comps.size(); ++q) tail += "/" + comps[q];
        rest = clean_path(prefix + "/" + target + tail).substr(1);
        restarted = true;
        break;
      }
      if (last) break;
      cur = TRY(open_at(cur.get(), c, O_PATH | O_DIRECTORY | O_NOFOLLOW));
    }
    if (restarted) continue;
    if (comps.empty()) return open_at(rootfd, ".", flags, mode);
    return fail(ENOENT, fmt::format("open `{}`", path));
  }
}

// Why resolving `p` (cleaned, absolute) inside the root failed with `err`, when a symlink on
// the way is the reason: "`/esc` is a symbolic link to `../x`, which does not exist inside the
// root". Empty when no symlink is to blame (the plain message then says it all). Runs only on
// the error path; every step is resolved inside the root, as the failed open was.
static std::string symlink_blame(int rootfd, const std::string& p, int err, bool follow_last) {
  if (err != ENOENT && err != ENOTDIR && err != ELOOP) return {};
  std::vector<std::string> comps = split(p.substr(1), '/');
  std::string prefix;
  for (size_t k = 0; k < comps.size(); ++k) {
    std::string parent = prefix.empty() ? std::string("/") : prefix;
    prefix += '/';
    prefix += comps[k];
    struct open_how how{};
    how.flags = uint64_t(O_PATH | O_DIRECTORY | O_CLOEXEC);
    how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
    long dfd = sys_openat2(rootfd, parent == "/" ? "." : parent.c_str() + 1, &how);
    if (dfd < 0) return {};
    UniqueFd dir{int(dfd)};
    struct stat st;
    if (fstatat(dir.get(), comps[k].c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return {};
    bool last = k + 1 == comps.size();
    if (!S_ISLNK(st.st_mode)) {
      if (!last && !S_ISDIR(st.st_mode)) return {};
      continue;
    }
    char buf[4096];
    ssize_t n = readlinkat(dir.get(), comps[k].c_str(), buf, sizeof buf);
    if (n < 0) return {};
    std::string target(buf, size_t(n));
    if (last && !follow_last) return fmt::format("`{}` is a symbolic link (to `{}`), which is not followed here", prefix, target);
    how.flags = uint64_t(O_PATH | O_CLOEXEC);
    long fd = sys_openat2(rootfd, prefix.c_str() + 1, &how);
    if (fd >= 0) {
      struct stat tst;
      bool isdir = fstat(int(fd), &tst) == 0 && S_ISDIR(tst.st_mode);
      close(int(fd));
      if (last || isdir) continue;
      return fmt::format("`{}` is a symbolic link to `{}`, which is not a directory", prefix, target);
    }
    int e = errno;
    if (e == ELOOP)
      return fmt::format("`{}` is a symbolic link to `{}`: too many levels of symbolic links", prefix, target);
    if (e != ENOENT && e != ENOTDIR) return {};
    std::string where = target;
    if (target[0] != '/') where.insert(0, parent + "/");
    where = clean_path(where);
    return fmt::format("`{}` is a symbolic link to `{}`, which does not exist (symbolic links are resolved "
                       "inside the root: it leads to `{}`)",
                       prefix, target, where);
  }
  return {};
}

static Failure resolve_error(int rootfd, const std::string& p, int err, bool follow_last) {
  std::string why = symlink_blame(rootfd, p, err, follow_last);
  if (why.empty()) return fail_errno(fmt::format("open `{}`", p), err);
  return fail(err, fmt::format("open `{}`: {}", p, why));
}

static Result<UniqueFd> open_in_root_impl(int rootfd, std::string_view path, int flags, mode_t mode,
                                          bool follow_last) {
  std::string p = clean_path(path);
  struct open_how how{};
  how.flags = uint64_t(flags | O_CLOEXEC | (follow_last ? 0 : O_NOFOLLOW));
  how.mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  const char* rel = p == "/" ? "." : p.c_str() + 1;
  for (;;) {
    long fd = sys_openat2(rootfd, rel, &how);
    if (fd >= 0) return UniqueFd(int(fd));
    if (errno == EINTR || errno == EAGAIN) continue;  // EAGAIN: a concurrent rename; retry
    if (errno == ENOSYS) return resolve_manual(rootfd, p, flags, mode, follow_last);
    return resolve_error(rootfd, p, errno, follow_last);
  }
}

Result<UniqueFd> open_in_root(int rootfd, std::string_view path, int flags, mode_t mode) {
  return open_in_root_impl(rootfd, path, flags, mode, true);
}

Result<UniqueFd> open_in_root_nofollow(int rootfd, std::string_view path, int flags, mode_t mode) {
  return open_in_root_impl(rootfd, path, flags, mode, false);
}

Result<UniqueFd> mkdir_p_in_root(int rootfd, std::string_view path, mode_t mode) {
  std::string p = clean_path(path);
  auto existing = open_in_root(rootfd, p, O_RDONLY | O_DIRECTORY);
  if (existing) return existing;
  if (existing.error().code != ENOENT) return existing.error();
  auto [dir, base] = split_dir_base(p);
  auto parent = TRY(mkdir_p_in_root(rootfd, dir.empty() ? "/" : dir, mode));
  if (mkdirat(parent.get(), base.c_str(), mode) < 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir `{}`", p));
  // Re-resolve from the root: whatever is there now (even a racing symlink) stays inside.
  return open_in_root(rootfd, p, O_RDONLY | O_DIRECTORY);
}

Result<std::pair<UniqueFd, std::string>> open_parent_in_root(int rootfd, std::string_view path,
                                                             bool create, mode_t mode) {
  std::string p = clean_path(path);
  if (p == "/") return fail(EINVAL, "the root has no parent directory");
  auto [dir, base] = split_dir_base(p);
  if (dir.empty()) dir = "/";
  if (create) {
    auto fd = TRY(mkdir_p_in_root(rootfd, dir, mode));
    return std::make_pair(std::move(fd), base);
  }
  auto fd = TRY(open_in_root(rootfd, dir, O_RDONLY | O_DIRECTORY));
  return std::make_pair(std::move(fd), base);
}

}  // namespace skiff
