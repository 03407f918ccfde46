// Layer extraction (see the rules in include/skiff/storage/extract.hpp).
#include "skiff/storage/extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <optional>

#include "skiff/storage/layer_tree.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "spool.hpp"

namespace skiff::storage {

namespace {

constexpr size_t kMaxPath = 4096;
constexpr size_t kMaxComponent = 255;
constexpr std::string_view kWhPrefix = ".wh.";
constexpr std::string_view kWhMetaPrefix = ".wh..wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";


std::string join_comps(const std::vector<std::string>& c, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    if (i) out += '/';
    out += c[i];
  }
  return out;
}

// Entry names in messages: quoted, cut so a 1 MiB name cannot flood a terminal.
std::string shown(std::string_view p) {
  if (p.size() > 200) return fmt::format("\"{}…\"", p.substr(0, 200));
  return fmt::format("\"{}\"", p);
}

// Which extended attributes a layer may set (see the header): the rest would let a layer
// forge overlayfs metadata (trusted.overlay.*, user.overlay.*) or security labels.
bool xattr_allowed(std::string_view name) {
  if (name.starts_with("user.")) return !name.starts_with("user.overlay.");
  return name == "security.capability" || name == "system.posix_acl_access" ||
         name == "system.posix_acl_default";
}

class Extractor {
 public:
  Extractor(int rootfd, TarReader& tar, const ExtractOptions& o)
      : rootfd_(rootfd), tar_(tar), o_(o), spool_(o.spool_fd) {}

  Result<ExtractStats> run() {
    TarEntry e;
    for (;;) {
      bool more = TRY(tar_.next(e));
      if (!more) break;
      ++st_.entries;
      if (auto s = entry(e); !s) return wrap(std::move(s).error(), fmt::format("{} {}", o_.noun, shown(e.path)));
    }
    TRY(spool_.flush());
    return st_;
  }

 private:
  Status entry(const TarEntry& e) {
    if (e.path.size() > kMaxPath) return fail(ENAMETOOLONG, "name longer than 4096 bytes");
    auto comps_r = clean_entry_path(e.path);
    if (!comps_r) return fail(kInvalid, "name escapes the layer root");
    auto comps = std::move(*comps_r);
    bool literal = o_.whiteouts == WhiteoutMode::Literal;
    for (size_t i = 0; i < comps.size(); ++i) {
      const std::string& c = comps[i];
      bool last = i + 1 == comps.size();
      if (c.size() > kMaxComponent) return fail(ENAMETOOLONG, "a name component is longer than 255 bytes");
      if (literal) continue;
      // aufs hard-link and metadata directories (".wh..wh.plnk/…") mean nothing here.
      if (c.starts_with(kWhMetaPrefix) && !(last && c == kOpaque)) {
        ++st_.aufs_skipped;
        return ok();
      }
      if (!last && c.starts_with(kWhPrefix)) return fail(kInvalid, "whiteout name used as a directory");
    }
    if (comps.empty()) return o_.skip_root ? ok() : root_entry(e);
    const std::string& base = comps.back();
    if (!literal && base == kOpaque) return opaque(comps);
    if (!literal && base.starts_with(kWhPrefix)) return whiteout(comps);

    int parent = TRY(parent_dir(comps));
    switch (e.type) {
      case TarType::Dir: return make_dir(parent, comps, e);
      case TarType::File: return make_file(parent, base, e);
      case TarType::Symlink: return make_symlink(parent, comps, e);
      case TarType::Hardlink: return make_hardlink(parent, comps, e);
      case TarType::Char:
      case TarType::Block:
      case TarType::Fifo: return make_node(parent, comps, e);
      case TarType::Other: break;
    }
    return fail(kInvalid, "unsupported entry type");
  }

  // The layer root itself ("./"): only its metadata can change.
  Status root_entry(const TarEntry& e) {
    if (e.type != TarType::Dir) return fail(kInvalid, "cannot replace the layer root with a non-directory");
    TRY(apply_meta_fd(rootfd_, e));
    return spool_.add(SpoolKind::DirTime, "", e.mtime, e.mtime_nsec);
  }

  // The fd of the directory that holds comps.back(), created 0755 root:root if missing. The
  // fd stays cached for the next entry of the same directory unless invalidate() was called.
  Result<int> parent_dir(const std::vector<std::string>& comps) {
    if (comps.size() == 1) return rootfd_;
    std::string key = join_comps(comps, comps.size() - 1);
    if (cache_fd_.valid() && !cache_stale_ && key == cache_key_) return cache_fd_.get();
    auto fd = TRY(mkdir_p_in_root(rootfd_, "/" + key, 0755));
    cache_fd_ = std::move(fd);
    cache_key_ = std::move(key);
    cache_stale_ = false;
    return cache_fd_.get();
  }

  // Something was removed or a symlink appeared: a cached directory fd may no longer be what
  // its path resolves to. Dropped at the next parent_dir() (the current entry still uses it).
  void invalidate() { cache_stale_ = true; }

  // Removes whatever is at parent/base unless it is a directory and `keep_dir`. Returns true
  // if a directory is (still) there.
  Result<bool> clear_slot(int parent, const std::string& base, bool keep_dir) {
    struct stat st;
    if (fstatat(parent, base.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) return false;
      return fail_errno("stat");
    }
    if (o_.keep_types && S_ISDIR(st.st_mode) != keep_dir)
      return fail(EEXIST, keep_dir ? "cannot overwrite non-directory with directory"
                                   : "cannot overwrite directory with non-directory");
    if (S_ISDIR(st.st_mode)) {
      if (keep_dir) return true;
      invalidate();
      TRY(remove_tree_at(parent, base));
      // Files inside are gone without a FileGone record each: spooled hashes are void.
      if (o_.fresh) TRY(spool_.add(SpoolKind::FileGone, "", -1));
      return false;
    }
    invalidate();
    if (unlinkat(parent, base.c_str(), 0) < 0 && errno != ENOENT) return fail_errno("remove the existing entry");
    // The inode may be reused by a later file: its spooled hash must not apply to that one.
    if (S_ISREG(st.st_mode) && st.st_nlink == 1 && o_.fresh) TRY(spool_.add(SpoolKind::FileGone, "", int64_t(st.st_ino)));
    return false;
  }

  Result<std::pair<uid_t, gid_t>> owner(const TarEntry& e) {
    if (e.uid < 0 || e.gid < 0 || e.uid >= 0xffffffffll || e.gid >= 0xffffffffll)
      return fail(kInvalid, fmt::format("invalid owner {}:{}", e.uid, e.gid));
    if (o_.single_id) {
      if (e.uid != 0 || e.gid != 0) ++st_.owners_squashed;
      return std::make_pair(uid_t(0), gid_t(0));
    }
    if (uint64_t(e.uid) >= o_.uid_count || uint64_t(e.gid) >= o_.gid_count) return mapping_error(e);
    return std::make_pair(uid_t(e.uid), gid_t(e.gid));
  }

  Failure mapping_error(const TarEntry& e) {
    return fail(kInvalid, fmt::format("owner {}:{} is outside the user namespace mapping ({} uids, {} gids): "
                                      "add a larger range for this user to /etc/subuid and /etc/subgid, "
                                      "then run `skiff system migrate`",
                                      e.uid, e.gid, o_.uid_count, o_.gid_count));
  }

  Status chown_error(const TarEntry& e) {
    if (errno == EINVAL) return mapping_error(e);  // the kernel's word for "id not mapped"
    return fail_errno("chown");
  }

  void set_xattrs(int fd, const TarEntry& e) {
    for (auto& [name, value] : e.xattrs) {
      if (xattr_allowed(name) && fsetxattr(fd, name.c_str(), value.data(), value.size(), 0) == 0) continue;
      // Not allowed, or the filesystem refused (ENOTSUP, EPERM): Docker ignores those too.
      if (st_.xattrs_skipped++ == 0) st_.first_xattr = name;
    }
  }

  // Owner, xattrs, mode (in that order: chown clears setuid bits and file capabilities).
  Status apply_meta_fd(int fd, const TarEntry& e) {
    auto [uid, gid] = TRY(owner(e));
    if (o_.chown && fchown(fd, uid, gid) < 0) return chown_error(e);
    set_xattrs(fd, e);
    if (fchmod(fd, e.mode & 07777) < 0) return fail_errno("chmod");
    return ok();
  }

  Status make_dir(int parent, const std::vector<std::string>& comps, const TarEntry& e) {
    const std::string& base = comps.back();
    bool is_dir = TRY(clear_slot(parent, base, /*keep_dir=*/true));
    if (!is_dir && mkdirat(parent, base.c_str(), 0700) < 0) return fail_errno("mkdir");
    auto fd = TRY(open_at(parent, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
    TRY(apply_meta_fd(fd.get(), e));
    return spool_.add(SpoolKind::DirTime, join_comps(comps, comps.size()), e.mtime, e.mtime_nsec);
  }

  Status make_file(int parent, const std::string& base, const TarEntry& e) {
    TRY(clear_slot(parent, base, false));
    int raw = openat(parent, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (raw < 0) return fail_errno("create");
    UniqueFd fd(raw);
    // What the entry will write (its data, not its holes) must fit: fail now, with figures,
    // rather than after filling the disk.
    uint64_t data = e.size;
    if (!e.sparse.empty()) {
      data = 0;
      for (auto& [off, len] : e.sparse) {
        data += std::min<uint64_t>(len, e.size);
        if (data >= e.size) {
          data = e.size;
          break;
        }
      }
    }
    if (data >= (1u << 20)) {
      struct statvfs sv;
      if (fstatvfs(fd.get(), &sv) == 0 && data > uint64_t(sv.f_bavail) * sv.f_frsize)
        return fail(ENOSPC, fmt::format("the entry holds {} bytes of data and its filesystem has {} bytes free: {}", data,
                                        uint64_t(sv.f_bavail) * sv.f_frsize, strerror(ENOSPC)));
    }
    // Hash while writing (the content digest then needs no second read). Sparse entries come
    // as blocks at their offsets: holes are never written (nor read back: layer_tree.hpp), so
    // an entry costs what its data costs, whatever size it claims.
    bool hashing = o_.fresh && spool_.enabled();
    if (hashing) hasher_.reset(TRY(o_.fresh->clone()));
    bool in_order = true;
    for (;;) {
      TarBlock b = TRY(tar_.read_block());
      if (b.size == 0) break;
      if (b.offset > e.size || b.size > e.size - b.offset)
        return fail(kInvalid, fmt::format("data at offset {} lies beyond the entry's size ({} bytes)", b.offset, e.size));
      if (hashing && in_order) in_order = hasher_.feed(b.offset, b.data, b.size);
      size_t done = 0;
      while (done < b.size) {
        ssize_t n = pwrite(fd.get(), b.data + done, b.size - done, off_t(b.offset + done));
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EFBIG) return too_big(e);
          return fail_errno("write");
        }
        done += size_t(n);
      }
    }
    // The size, with a trailing hole if the data ends before it (sparse entries).
    struct stat st;
    if (fstat(fd.get(), &st) < 0) return fail_errno("stat");
    if (uint64_t(st.st_size) < e.size && ftruncate(fd.get(), off_t(e.size)) < 0) {
      if (errno == EFBIG || errno == EINVAL) return too_big(e);
      return fail_errno("truncate");
    }
    st_.file_bytes += e.size;
    TRY(apply_meta_fd(fd.get(), e));
    struct timespec ts[2] = {{e.mtime, long(e.mtime_nsec)}, {e.mtime, long(e.mtime_nsec)}};
    if (futimens(fd.get(), ts) < 0) return fail_errno("set times");
    if (hashing && in_order) {
      std::string rec(40, '\0');
      hasher_.finish(e.size, reinterpret_cast<unsigned char*>(rec.data()));
      uint64_t size = e.size;
      memcpy(rec.data() + 32, &size, 8);
      TRY(spool_.add(SpoolKind::FileHash, rec, int64_t(st.st_ino)));
    }
    return ok();
  }

  Failure too_big(const TarEntry& e) {
    return fail(EFBIG, fmt::format("the entry claims a size of {} bytes, more than a file on this filesystem can have",
                                   e.size));
  }

  Status make_symlink(int parent, const std::vector<std::string>& comps, const TarEntry& e) {
    const std::string& t = e.link_target;
    if (t.empty()) return fail(kInvalid, "empty symlink target");
    if (t.size() >= kMaxPath) return fail(ENAMETOOLONG, "symlink target longer than 4095 bytes");
    if (t.find('\0') != std::string::npos) return fail(kInvalid, "symlink target contains a NUL byte");
    // The target may say anything ("../../../../etc" included, as real images do): it is text,
    // never followed here, and whoever follows it later (the kernel inside the container, skiff
    // with RESOLVE_IN_ROOT) stops at the container's root.
    const std::string& base = comps.back();
    TRY(clear_slot(parent, base, false));
    invalidate();
    if (symlinkat(t.c_str(), parent, base.c_str()) < 0) return fail_errno("symlink");
    auto [uid, gid] = TRY(owner(e));
    if (o_.chown && fchownat(parent, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return chown_error(e);
    if (!e.xattrs.empty() && st_.xattrs_skipped++ == 0) st_.first_xattr = e.xattrs[0].first;
    struct timespec ts[2] = {{e.mtime, long(e.mtime_nsec)}, {e.mtime, long(e.mtime_nsec)}};
    if (utimensat(parent, base.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno("set times");
    return ok();
  }

  Status make_hardlink(int parent, const std::vector<std::string>& comps, const TarEntry& e) {
    auto tcomps_r = clean_entry_path(e.link_target);
    if (!tcomps_r) return fail(kInvalid, fmt::format("hard link target {} points outside the layer", shown(e.link_target)));
    auto tcomps = std::move(*tcomps_r);
    if (tcomps.empty()) return fail(kInvalid, "hard link to the layer root");
    for (auto& c : tcomps)
      if (c.starts_with(kWhPrefix)) return fail(kInvalid, "hard link to a whiteout");
    if (tcomps == comps) return ok();  // a link to itself: already there
    auto [tdir, tbase] = TRY_CTX(open_parent_in_root(rootfd_, "/" + join_comps(tcomps, tcomps.size())),
                                 "hard link target {}", shown(e.link_target));
    struct stat st;
    if (fstatat(tdir.get(), tbase.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      return fail_errno(fmt::format("hard link target {}", shown(e.link_target)));
    if (S_ISDIR(st.st_mode)) return fail(kInvalid, "hard link to a directory");
    const std::string& base = comps.back();
    TRY(clear_slot(parent, base, false));
    // linkat without AT_SYMLINK_FOLLOW links the target entry itself, never what it points to.
    if (linkat(tdir.get(), tbase.c_str(), parent, base.c_str(), 0) < 0) return fail_errno("link");
    return ok();
  }

  Status make_node(int parent, const std::vector<std::string>& comps, const TarEntry& e) {
    const std::string& base = comps.back();
    mode_t type = S_IFIFO;
    if (e.type != TarType::Fifo) {
      if (o_.rootless) {
        if (st_.devices_skipped++ == 0) st_.first_device = join_comps(comps, comps.size());
        if (st_.devices.size() < 100) st_.devices.push_back(join_comps(comps, comps.size()));
        return ok();
      }
      type = e.type == TarType::Char ? S_IFCHR : S_IFBLK;
    }
    TRY(clear_slot(parent, base, false));
    if (mknodat(parent, base.c_str(), type | 0600, makedev(e.dev_major, e.dev_minor)) < 0) return fail_errno("mknod");
    auto [uid, gid] = TRY(owner(e));
    if (o_.chown && fchownat(parent, base.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW) < 0) return chown_error(e);
    if (fchmodat(parent, base.c_str(), e.mode & 07777, 0) < 0) return fail_errno("chmod");
    struct timespec ts[2] = {{e.mtime, long(e.mtime_nsec)}, {e.mtime, long(e.mtime_nsec)}};
    if (utimensat(parent, base.c_str(), ts, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno("set times");
    return ok();
  }

  Status opaque(const std::vector<std::string>& comps) {
    ++st_.whiteouts;
    if (o_.whiteouts == WhiteoutMode::Ignore) return ok();
    std::string dir = join_comps(comps, comps.size() - 1);
    auto dfd = TRY(mkdir_p_in_root(rootfd_, "/" + dir, 0755));
    if (o_.whiteouts == WhiteoutMode::VfsMarkers) {
      TRY(make_marker(dfd.get(), std::string(kOpaque)));
      return spool_.add(SpoolKind::OpaqueMarker, dir.empty() ? std::string(kOpaque) : dir + "/" + std::string(kOpaque));
    }
    const char* name = o_.whiteouts == WhiteoutMode::OverlayUser ? "user.overlay.opaque" : "trusted.overlay.opaque";
    if (fsetxattr(dfd.get(), name, "y", 1, 0) < 0) return fail_errno(fmt::format("set {}", name));
    return ok();
  }

  Status whiteout(const std::vector<std::string>& comps) {
    ++st_.whiteouts;
    std::string name = comps.back().substr(kWhPrefix.size());
    if (name.empty() || name == "." || name == "..") return fail(kInvalid, "whiteout without a name");
    if (o_.whiteouts == WhiteoutMode::Ignore) return ok();
    int parent = TRY(parent_dir(comps));
    if (o_.whiteouts == WhiteoutMode::VfsMarkers) {
      TRY(make_marker(parent, comps.back()));
      return spool_.add(SpoolKind::WhiteoutMarker, join_comps(comps, comps.size()));
    }
    // The layer's own entry of that name already hides the lower one; it must stay visible.
    struct stat st;
    if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return ok();
    if (mknodat(parent, name.c_str(), S_IFCHR, makedev(0, 0)) < 0) return fail_errno("create the whiteout device");
    return ok();
  }

  Status make_marker(int dirfd, const std::string& name) {
    int fd = openat(dirfd, name.c_str(), O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0);
    if (fd < 0) return fail_errno("create the whiteout marker");
    close(fd);
    return ok();
  }

  int rootfd_;
  TarReader& tar_;
  const ExtractOptions& o_;
  SpoolWriter spool_;
  ExtractStats st_;
  ChunkHasher hasher_;
  UniqueFd cache_fd_;
  std::string cache_key_;
  bool cache_stale_ = false;
};

}  // namespace

Result<std::vector<std::string>> clean_entry_path(std::string_view name) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i <= name.size()) {
    size_t j = name.find('/', i);
    if (j == std::string_view::npos) j = name.size();
    std::string_view c = name.substr(i, j - i);
    if (c.empty() || c == ".") {
    } else if (c == "..") {
      if (out.empty()) return fail(kInvalid, fmt::format("path {} escapes the layer root", shown(name)));
      out.pop_back();
    } else {
      out.emplace_back(c);
    }
    i = j + 1;
  }
  return out;
}

std::vector<std::string> ExtractStats::warnings() const {
  std::vector<std::string> w;
  if (devices_skipped)
    w.push_back(fmt::format("skipped {} device node(s) that cannot be created without root, e.g. `/{}`",
                            devices_skipped, first_device));
  if (owners_squashed)
    w.push_back(fmt::format("{} file(s) owned by other users now belong to root: only one id is mapped "
                            "(no range for this user in /etc/subuid and /etc/subgid)",
                            owners_squashed));
  if (xattrs_skipped)
    w.push_back(fmt::format("skipped {} extended attribute(s), e.g. `{}`", xattrs_skipped, first_xattr));
  return w;
}

Result<ExtractStats> extract_layer_tar(int rootfd, TarReader& tar, const ExtractOptions& opts) {
  Extractor x(rootfd, tar, opts);
  return x.run();
}

Status apply_spooled_dir_times(int rootfd, int spool_fd) {
  if (spool_fd < 0) return ok();
  SpoolReader r(spool_fd);
  SpoolRecord rec;
  for (;;) {
    bool more = TRY(r.next(rec));
    if (!more) break;
    if (rec.kind != SpoolKind::DirTime) continue;
    struct timespec ts[2] = {{rec.sec, long(rec.nsec)}, {rec.sec, long(rec.nsec)}};
    if (rec.path.empty()) {
      if (futimens(rootfd, ts) < 0) return fail_errno("set the times of the layer root");
      continue;
    }
    // The directory may have been replaced by a later entry: then there is nothing to do.
    auto fd = open_in_root_nofollow(rootfd, "/" + rec.path, O_RDONLY | O_DIRECTORY);
    if (!fd) continue;
    if (futimens(fd->get(), ts) < 0) return fail_errno(fmt::format("set the times of `{}`", rec.path));
  }
  return ok();
}

}  // namespace skiff::storage
