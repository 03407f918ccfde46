// A container's own layer as changes or as a layer tar (see changes.hpp).
#include "changes.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "skiff/util/fd.hpp"
#include "skiff/util/safe_path.hpp"
#include "tree_tar.hpp"

namespace skiff::engine {

namespace {

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaqueMarker = ".wh..wh..opq";

std::string child_path(const std::string& dir, const std::string& name) {
  return dir == "/" ? "/" + name : dir + "/" + name;
}

bool xattr_is_y(int fd, const char* name) {
  char v[4];
  ssize_t n = fgetxattr(fd, name, v, sizeof v);
  return n == 1 && v[0] == 'y';
}

bool is_opaque(int dirfd) {
  return xattr_is_y(dirfd, "trusted.overlay.opaque") || xattr_is_y(dirfd, "user.overlay.opaque");
}

Result<UniqueFd> open_dir_at(int dirfd, const std::string& name) {
  return open_at(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
}

// What the lower layers have at one name of a directory (whose lower copies are `stack`).
struct LowerLookup {
  bool exists = false;
  std::vector<UniqueFd> dirs;  ///< the name's own directories, topmost first (if a directory)
};

Result<LowerLookup> lookup_lower(const std::vector<int>& stack, const std::string& name) {
  LowerLookup r;
  for (int fd : stack) {
    struct stat st;
    if (fstatat(fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      return fail_errno(fmt::format("stat `{}` in a lower layer", name));
    }
    if (is_whiteout(st)) break;
    if (!S_ISDIR(st.st_mode)) {
      // A non-directory is visible only if nothing above it was a directory.
      if (r.dirs.empty()) r.exists = true;
      break;
    }
    auto d = TRY(open_dir_at(fd, name));
    bool opaque = is_opaque(d.get());
    r.exists = true;
    r.dirs.push_back(std::move(d));
    if (opaque) break;
  }
  return r;
}

std::vector<int> raw(const std::vector<UniqueFd>& v) {
  std::vector<int> out;
  for (auto& f : v) out.push_back(f.get());
  return out;
}

// The names the lower layers show in a directory (merged, whiteouts applied).
Result<std::set<std::string>> merged_lower_names(const std::vector<int>& stack) {
  std::set<std::string> seen, visible;
  for (int fd : stack) {
    for (auto& n : TRY(sorted_names(fd))) {
      if (!seen.insert(n).second) continue;
      struct stat st;
      if (fstatat(fd, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && is_whiteout(st)) continue;
      visible.insert(n);
    }
  }
  return visible;
}

Status walk_overlay(int upper, const std::string& path, const std::vector<int>& stack, std::vector<Change>& out) {
  auto names = TRY_CTX(sorted_names(upper), "read `{}`", path);
  for (auto& n : names) {
    std::string p = child_path(path, n);
    struct stat st;
    if (fstatat(upper, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;  // removed while we read (a running container)
      return fail_errno(fmt::format("stat `{}`", p));
    }
    if (is_whiteout(st)) {
      out.push_back({Change::Deleted, p});
      continue;
    }
    auto lower = TRY(lookup_lower(stack, n));
    out.push_back({lower.exists ? Change::Modified : Change::Added, p});
    if (!S_ISDIR(st.st_mode)) continue;
    auto d = open_dir_at(upper, n);
    if (!d) continue;  // replaced meanwhile
    std::vector<int> below = raw(lower.dirs);
    if (is_opaque(d->get())) {
      // Everything the lower layers had here is gone, except what the upper has again.
      auto here = TRY(sorted_names(d->get()));
      std::set<std::string> upper_names(here.begin(), here.end());
      for (auto& ln : TRY(merged_lower_names(below)))
        if (!upper_names.count(ln)) out.push_back({Change::Deleted, child_path(p, ln)});
      below.clear();
    }
    TRY(walk_overlay(d->get(), p, below, out));
  }
  return ok();
}

// ---- vfs ----------------------------------------------------------------------------------------

// A mount point the runtime made in a vfs root: an empty file or a directory holding only
// such stubs (an image without /etc gets /etc with the three files).
bool is_runtime_stub(const std::string& path, const struct stat& st, int parent, const std::string& name) {
  static const std::set<std::string> kStubs = {"/proc", "/sys", "/dev", "/etc", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf"};
  if (!kStubs.count(path)) return false;
  if (S_ISREG(st.st_mode)) return st.st_size == 0;
  if (!S_ISDIR(st.st_mode)) return false;
  auto d = open_dir_at(parent, name);
  if (!d) return false;
  auto names = sorted_names(d->get());
  if (!names) return false;
  for (auto& n : *names) {
    struct stat cst;
    if (fstatat(d->get(), n.c_str(), &cst, AT_SYMLINK_NOFOLLOW) < 0 || !is_runtime_stub(path + "/" + n, cst, d->get(), n))
      return false;
  }
  return true;
}

bool differs(const struct stat& a, const struct stat& b) {
  if (a.st_mode != b.st_mode || a.st_uid != b.st_uid || a.st_gid != b.st_gid || a.st_rdev != b.st_rdev) return true;
  if (S_ISDIR(a.st_mode)) return false;  // Docker: a directory's size and times are no measure of change
  return a.st_size != b.st_size || a.st_mtim.tv_sec != b.st_mtim.tv_sec || a.st_mtim.tv_nsec != b.st_mtim.tv_nsec;
}

Status all_added(int dir, const std::string& path, std::vector<Change>& out) {
  for (auto& n : TRY(sorted_names(dir))) {
    std::string p = child_path(path, n);
    out.push_back({Change::Added, p});
    struct stat st;
    if (fstatat(dir, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
      if (auto d = open_dir_at(dir, n)) TRY(all_added(d->get(), p, out));
  }
  return ok();
}

Status walk_vfs(int root, int image, const std::string& path, std::vector<Change>& out) {
  auto rn = TRY_CTX(sorted_names(root), "read `{}`", path);
  auto in = TRY_CTX(sorted_names(image), "read `{}` in the image", path);
  std::vector<std::string> all;
  std::set_union(rn.begin(), rn.end(), in.begin(), in.end(), std::back_inserter(all));
  std::set<std::string> in_root(rn.begin(), rn.end()), in_image(in.begin(), in.end());
  for (auto& n : all) {
    std::string p = child_path(path, n);
    struct stat rs, is;
    bool r = in_root.count(n) && fstatat(root, n.c_str(), &rs, AT_SYMLINK_NOFOLLOW) == 0;
    bool i = in_image.count(n) && fstatat(image, n.c_str(), &is, AT_SYMLINK_NOFOLLOW) == 0;
    if (!r && !i) continue;
    if (!r) {
      out.push_back({Change::Deleted, p});
      continue;
    }
    if (!i) {
      if (is_runtime_stub(p, rs, root, n)) continue;
      out.push_back({Change::Added, p});
      if (S_ISDIR(rs.st_mode))
        if (auto d = open_dir_at(root, n)) TRY(all_added(d->get(), p, out));
      continue;
    }
    bool changed = differs(rs, is);
    if (S_ISDIR(rs.st_mode) && S_ISDIR(is.st_mode)) {
      size_t mark = out.size();
      out.push_back({Change::Modified, p});  // dropped below unless needed
      auto rd = open_dir_at(root, n);
      auto id = open_dir_at(image, n);
      if (rd && id) TRY(walk_vfs(rd->get(), id->get(), p, out));
      if (!changed && out.size() == mark + 1) out.pop_back();
      continue;
    }
    if (!changed) continue;
    out.push_back({Change::Modified, p});
    if (S_ISDIR(rs.st_mode))  // a directory where the image had something else
      if (auto d = open_dir_at(root, n)) TRY(all_added(d->get(), p, out));
  }
  return ok();
}

// ---- layer tars -----------------------------------------------------------------------------------

TarEntry marker(const std::string& tar_name, const struct stat& st, uint32_t mode) {
  TarEntry e;
  e.path = tar_name;
  e.type = TarType::File;
  e.mode = mode;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime = st.st_mtim.tv_sec;
  e.mtime_nsec = uint32_t(st.st_mtim.tv_nsec);
  return e;
}

std::string tar_child(const std::string& prefix, const std::string& name) {
  return prefix.empty() ? name : prefix + "/" + name;
}

Status overlay_tar(TreeTar& tt, int upper, const std::string& prefix) {
  for (auto& n : TRY_CTX(sorted_names(upper), "read `/{}`", prefix)) {
    std::string tn = tar_child(prefix, n);
    struct stat st;
    if (fstatat(upper, n.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;
      return fail_errno(fmt::format("stat `/{}`", tn));
    }
    if (is_whiteout(st)) {
      // Docker's converter: a regular empty file, mode 0600, the device's owner and time.
      TRY(tt.add_header(marker(tar_child(prefix, std::string(kWhiteoutPrefix) + n), st, 0600)));
      continue;
    }
    auto dir = TRY(tt.add_entry(upper, n, tn, st, /*open_dir=*/true));
    if (!dir || !dir->valid()) continue;
    if (is_opaque(dir->get())) TRY(tt.add_header(marker(tn + "/" + std::string(kOpaqueMarker), st, st.st_mode & 0777)));
    TRY(overlay_tar(tt, dir->get(), tn));
  }
  return ok();
}

}  // namespace

void sort_changes(std::vector<Change>& changes) {
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
}

Result<std::vector<Change>> overlay_changes(int upperfd, const std::vector<int>& lowers) {
  std::vector<Change> out;
  TRY(walk_overlay(upperfd, "/", lowers, out));
  sort_changes(out);
  return out;
}

Result<std::vector<Change>> vfs_changes(int rootfd, int imagefd) {
  std::vector<Change> out;
  TRY(walk_vfs(rootfd, imagefd, "/", out));
  sort_changes(out);
  return out;
}

Status write_overlay_layer(int upperfd, TarWriter& w) {
  TreeTar tt(w, TreeTarOptions{});
  return overlay_tar(tt, upperfd, "");
}

Status write_vfs_layer(int rootfd, const std::vector<Change>& changes, TarWriter& w) {
  TreeTar tt(w, TreeTarOptions{});
  for (auto& c : changes) {
    std::string rel = c.path.substr(1);
    auto [parent, base] = TRY_CTX(open_parent_in_root(rootfd, c.path), "`{}`", c.path);
    if (c.kind == Change::Deleted) {
      struct stat st{};
      auto slash = rel.rfind('/');
      std::string wh = (slash == std::string::npos ? "" : rel.substr(0, slash + 1)) + std::string(kWhiteoutPrefix) + base;
      TRY(tt.add_header(marker(wh, st, 0600)));
      continue;
    }
    struct stat st;
    if (fstatat(parent.get(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) continue;  // gone meanwhile (a running container)
      return fail_errno(fmt::format("stat `{}`", c.path));
    }
    TRY(tt.add_entry(parent.get(), base, rel, st));
  }
  return ok();
}

}  // namespace skiff::engine
