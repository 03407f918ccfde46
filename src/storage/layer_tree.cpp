// Tree walks over extracted layers: content digest, vfs snapshot merge, marker removal.
#include "skiff/storage/layer_tree.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sparse.hpp"
#include "skiff/util/dir.hpp"
#include "spool.hpp"

namespace skiff::storage {

// ---- ChunkHasher ------------------------------------------------------------------------

ChunkHasher::ChunkHasher() : buf_(kSparseChunk) {}

void ChunkHasher::reset(Sha256 h) {
  h_.reset();
  h_.emplace(std::move(h));
  if (hi_ > lo_) memset(buf_.data() + lo_, 0, hi_ - lo_);
  lo_ = hi_ = 0;
  cur_ = pos_ = 0;
  have_ = bad_ = false;
}

void ChunkHasher::chunk(uint64_t offset, const char* p, size_t n) {
  if (all_zero(p, n)) return;
  unsigned char le[8];
  for (int i = 0; i < 8; ++i) le[i] = static_cast<unsigned char>(offset >> (8 * i));
  h_->update(le, 8);
  h_->update(p, n);
}

void ChunkHasher::flush(uint64_t len) {
  if (!have_) return;
  if (hi_ > lo_) {
    chunk(cur_, buf_.data(), size_t(len));
    memset(buf_.data() + lo_, 0, hi_ - lo_);
  }
  lo_ = hi_ = 0;
  have_ = false;
}

bool ChunkHasher::feed(uint64_t offset, const char* p, size_t n) {
  if (bad_ || offset < pos_) return !(bad_ = true);
  while (n > 0) {
    uint64_t c = offset / kSparseChunk * kSparseChunk;
    size_t within = size_t(offset - c);
    size_t k = size_t(std::min<uint64_t>(n, kSparseChunk - within));
    if (!have_ || c != cur_) {
      flush(kSparseChunk);  // not the last chunk: data follows it
      cur_ = c;
      if (within == 0 && k == kSparseChunk) {
        chunk(c, p, k);  // a whole chunk: no copy
      } else {
        have_ = true;
      }
    }
    if (have_) {
      memcpy(buf_.data() + within, p, k);
      if (hi_ == lo_) lo_ = within, hi_ = within + k;
      else lo_ = std::min(lo_, within), hi_ = std::max(hi_, within + k);
    }
    offset += k;
    p += k;
    n -= k;
    pos_ = offset;
  }
  return true;
}

void ChunkHasher::finish(uint64_t size, unsigned char out[32]) {
  if (have_) flush(std::min<uint64_t>(kSparseChunk, size - cur_));
  h_->finish(out);
  h_.reset();
}

namespace {

// An open directory stream over a duplicate of `fd` (util/dir.hpp), yielding names.
class DirStream {
 public:
  static Result<DirStream> open(int fd) { return DirStream(TRY(Dir::dup_of(fd))); }
  int fd() const { return d_.fd(); }
  /// The next name (not "." or ".."), or nullptr at the end.
  const char* next() {
    struct dirent* e = d_.next();
    return e ? e->d_name : nullptr;
  }

 private:
  explicit DirStream(Dir d) : d_(std::move(d)) {}
  Dir d_;
};

char type_letter(mode_t m) {
  if (S_ISDIR(m)) return 'd';
  if (S_ISREG(m)) return 'f';
  if (S_ISLNK(m)) return 'l';
  if (S_ISCHR(m)) return 'c';
  if (S_ISBLK(m)) return 'b';
  if (S_ISFIFO(m)) return 'p';
  return 's';
}

std::string to_hex(std::string_view raw) {
  static const char* h = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char c : raw) {
    out.push_back(h[c >> 4]);
    out.push_back(h[c & 15]);
  }
  return out;
}

// "name=hexvalue,…" sorted, for an fd of a file or directory.
Result<std::string> xattr_text(int fd) {
  ssize_t n = flistxattr(fd, nullptr, 0);
  if (n < 0) {
    if (errno == ENOTSUP) return std::string();
    return fail_errno("list xattrs");
  }
  if (n == 0) return std::string();
  std::string names(size_t(n), '\0');
  n = flistxattr(fd, names.data(), names.size());
  if (n < 0) return fail_errno("list xattrs");
  std::vector<std::string> items;
  for (size_t i = 0; i < size_t(n);) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    if (name.empty() || name == "security.selinux") continue;
    ssize_t vn = fgetxattr(fd, name.c_str(), nullptr, 0);
    if (vn < 0) return fail_errno(fmt::format("read xattr `{}`", name));
    std::string v(size_t(vn), '\0');
    vn = fgetxattr(fd, name.c_str(), v.data(), v.size());
    if (vn < 0) return fail_errno(fmt::format("read xattr `{}`", name));
    v.resize(size_t(vn));
    items.push_back(name + "=" + to_hex(v));
  }
  std::sort(items.begin(), items.end());
  std::string out;
  for (auto& s : items) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out;
}

// Content hashes spooled during extraction, by inode (see SpoolKind::FileHash).
class HashCache {
 public:
  static constexpr size_t kCap = 262144;  // 48 bytes each: at most 12 MiB

  Status load(int spool_fd) {
    SpoolReader r(spool_fd);
    SpoolRecord rec;
    std::map<uint64_t, Item> m;
    for (;;) {
      bool more = TRY(r.next(rec));
      if (!more) break;
      if (rec.kind == SpoolKind::FileGone) {
        if (rec.sec < 0) return ok();  // a tree was removed: trust nothing (map left empty)
        m.erase(uint64_t(rec.sec));
      } else if (rec.kind == SpoolKind::FileHash && rec.path.size() == 40 && m.size() < kCap) {
        Item it;
        memcpy(it.hash, rec.path.data(), 32);
        memcpy(&it.size, rec.path.data() + 32, 8);
        m[uint64_t(rec.sec)] = it;
      }
    }
    items_.reserve(m.size());
    for (auto& [ino, it] : m) items_.push_back({ino, it});
    return ok();
  }
  /// The spooled hash of inode `ino` if its size still matches.
  const unsigned char* find(uint64_t ino, uint64_t size) const {
    auto it = std::lower_bound(items_.begin(), items_.end(), ino,
                               [](const std::pair<uint64_t, Item>& a, uint64_t b) { return a.first < b; });
    if (it == items_.end() || it->first != ino || it->second.size != size) return nullptr;
    return it->second.hash;
  }

 private:
  struct Item {
    unsigned char hash[32];
    uint64_t size;
  };
  std::vector<std::pair<uint64_t, Item>> items_;  // sorted by inode
};

class DigestWalker {
 public:
  DigestWalker(const Sha256& fresh, const HashCache& cache, int format)
      : fresh_(fresh), cache_(cache), format_(format), buf_(256 * 1024) {}

  Result<std::string> run(int rootfd) {
    struct stat st;
    if (fstat(rootfd, &st) < 0) return fail_errno("stat the layer root");
    std::string path = "/";
    TRY(add_entry(rootfd, path, st, rootfd));
    TRY(walk(rootfd, path));
    auto h = TRY(fresh_.clone());
    h.update(fmt::format("{}\n{}", count_, to_hex(std::string_view(reinterpret_cast<char*>(sum_), 32))));
    return "sha256:" + h.hex();
  }

 private:
  Status walk(int dirfd, std::string& path) {
    auto ds = TRY(DirStream::open(dirfd));
    size_t base_len = path.size();
    while (const char* name = ds.next()) {
      path.resize(base_len);
      if (path.size() > 1) path += '/';
      path += name;
      struct stat st;
      if (fstatat(ds.fd(), name, &st, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("stat `{}`", path));
      if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
        int fl = (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0) | O_RDONLY | O_NOFOLLOW;
        auto fd = TRY_CTX(open_at(ds.fd(), name, fl), "content digest");
        TRY(add_entry(ds.fd(), path, st, fd.get()));
        if (S_ISDIR(st.st_mode)) TRY(walk(fd.get(), path));
      } else {
        TRY(add_entry(ds.fd(), path, st, -1, name));
      }
    }
    path.resize(base_len);
    return ok();
  }

  // "size sha256hex" of a regular file: from the extraction's hash cache, else read.
  Result<std::string> file_detail(int fd, const struct stat& st, const std::string& path) {
    if (const unsigned char* known = cache_.find(uint64_t(st.st_ino), uint64_t(st.st_size)))
      return fmt::format("{} z{}", st.st_size, to_hex(std::string_view(reinterpret_cast<const char*>(known), 32)));
    if (format_ >= 2) return chunk_detail(fd, st, path);
    auto h = TRY(fresh_.clone());
    uint64_t total = 0;
    for (;;) {
      ssize_t n = read(fd, buf_.data(), buf_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail_errno(fmt::format("read `{}`", path));
      }
      if (n == 0) break;
      h.update(buf_.data(), size_t(n));
      total += uint64_t(n);
    }
    return fmt::format("{} {}", total, h.hex());
  }

  // Format 2: only the ranges that may hold data are read; zero chunks are skipped.
  Result<std::string> chunk_detail(int fd, const struct stat& st, const std::string& path) {
    uint64_t size = uint64_t(st.st_size);
    hasher_.reset(TRY(fresh_.clone()));
    auto extents = TRY_CTX(data_extents(fd, size), "`{}`", path);
    for (auto& e : extents) {
      uint64_t off = e.offset, end = e.offset + e.length;
      while (off < end) {
        ssize_t n = pread(fd, buf_.data(), size_t(std::min<uint64_t>(end - off, buf_.size())), off_t(off));
        if (n < 0) {
          if (errno == EINTR) continue;
          return fail_errno(fmt::format("read `{}`", path));
        }
        if (n == 0) break;  // shorter than its size said: what is missing reads as zeros
        hasher_.feed(off, buf_.data(), size_t(n));
        off += uint64_t(n);
      }
    }
    unsigned char d[32];
    hasher_.finish(size, d);
    return fmt::format("{} z{}", size, to_hex(std::string_view(reinterpret_cast<char*>(d), 32)));
  }

  // One canonical line for the entry; `fd` is open for files and directories.
  Status add_entry(int dirfd, const std::string& path, const struct stat& st, int fd, const char* name = nullptr) {
    std::string line = path;
    line += '\0';
    line += fmt::format("{}{:o}", type_letter(st.st_mode), st.st_mode & 07777);
    line += '\0';
    line += fmt::format("{}:{}", st.st_uid, st.st_gid);
    line += '\0';
    if (S_ISREG(st.st_mode)) {
      line += TRY(file_detail(fd, st, path));
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(dirfd, name, target, sizeof target);
      if (n < 0) return fail_errno(fmt::format("readlink `{}`", path));
      line.append(target, size_t(n));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      line += fmt::format("{}:{}", major(st.st_rdev), minor(st.st_rdev));
    }
    line += '\0';
    if (fd >= 0) line += TRY_CTX(xattr_text(fd), "`{}`", path);
    auto h = TRY(fresh_.clone());
    h.update(line);
    unsigned char d[32];
    h.finish(d);
    unsigned carry = 0;
    for (int i = 31; i >= 0; --i) {  // big-endian add, mod 2^256
      unsigned s = unsigned(sum_[i]) + d[i] + carry;
      sum_[i] = static_cast<unsigned char>(s & 0xff);
      carry = s >> 8;
    }
    ++count_;
    return ok();
  }

  const Sha256& fresh_;
  const HashCache& cache_;
  int format_;
  std::vector<char> buf_;
  ChunkHasher hasher_;
  unsigned char sum_[32] = {};
  uint64_t count_ = 0;
};

// ---- vfs merge --------------------------------------------------------------------------

Status copy_xattrs(int src, int dst) {
  ssize_t n = flistxattr(src, nullptr, 0);
  if (n <= 0) return ok();
  std::string names(size_t(n), '\0');
  n = flistxattr(src, names.data(), names.size());
  if (n <= 0) return ok();
  for (size_t i = 0; i < size_t(n);) {
    const char* name = names.c_str() + i;
    i += strlen(name) + 1;
    ssize_t vn = fgetxattr(src, name, nullptr, 0);
    if (vn < 0) continue;
    std::string v(size_t(vn), '\0');
    vn = fgetxattr(src, name, v.data(), v.size());
    if (vn < 0) continue;
    (void)fsetxattr(dst, name, v.data(), size_t(vn), 0);  // as extraction: unsupported ones are dropped
  }
  return ok();
}

Status copy_data(int src, int dst, uint64_t size) {
  if (size == 0) return ok();
  if (ioctl(dst, FICLONE, src) == 0) return ok();  // reflink (btrfs, xfs): no data copied
  if (TRY(has_holes(src, size))) return copy_file_sparse(src, dst, size);  // holes stay holes
  uint64_t done = 0;
  bool cfr = true;
  std::vector<char> buf;
  while (done < size) {
    if (cfr) {
      ssize_t n = copy_file_range(src, nullptr, dst, nullptr, size - done, 0);
      if (n > 0) {
        done += uint64_t(n);
        continue;
      }
      if (n == 0) break;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP) return fail_errno("copy_file_range");
      cfr = false;
      buf.resize(256 * 1024);
      if (lseek(src, off_t(done), SEEK_SET) < 0 || lseek(dst, off_t(done), SEEK_SET) < 0) return fail_errno("seek");
    }
    ssize_t n = read(src, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read");
    }
    if (n == 0) break;
    TRY(write_all(dst, std::string_view(buf.data(), size_t(n))));
    done += uint64_t(n);
  }
  return ok();
}

class Merger {
 public:
  explicit Merger(int rootfd) : rootfd_(rootfd) {}

  // Copies the parent's children of a directory present in both trees into the new layer.
  Status merge_dir(int pdir, int udir, std::string& rel) {
    struct stat st;
    if (fstatat(udir, ".wh..wh..opq", &st, AT_SYMLINK_NOFOLLOW) == 0) return ok();  // opaque
    auto ds = TRY(DirStream::open(pdir));
    size_t base_len = rel.size();
    while (const char* name = ds.next()) {
      rel.resize(base_len);
      if (!rel.empty()) rel += '/';
      rel += name;
      std::string marker = std::string(".wh.") + name;
      if (marker.size() <= 255 && fstatat(udir, marker.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) continue;
      struct stat pst, ust;
      if (fstatat(pdir, name, &pst, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("stat parent `{}`", rel));
      if (fstatat(udir, name, &ust, AT_SYMLINK_NOFOLLOW) == 0) {
        if (S_ISDIR(pst.st_mode) && S_ISDIR(ust.st_mode)) {
          auto p = TRY(open_at(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
          auto u = TRY(open_at(udir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
          TRY(merge_dir(p.get(), u.get(), rel));
        }
        continue;  // the new layer's entry wins
      }
      TRY(copy_entry(pdir, name, pst, udir, rel));
    }
    rel.resize(base_len);
    return ok();
  }

 private:
  Status copy_entry(int pdir, const char* name, const struct stat& st, int udir, std::string& rel) {
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(udir, name, 0700) < 0) return fail_errno(fmt::format("mkdir `{}`", rel));
      auto p = TRY(open_at(pdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      auto u = TRY(open_at(udir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW));
      auto ds = TRY(DirStream::open(p.get()));
      size_t base_len = rel.size();
      while (const char* child = ds.next()) {
        rel.resize(base_len);
        rel += '/';
        rel += child;
        struct stat cst;
        if (fstatat(ds.fd(), child, &cst, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("stat parent `{}`", rel));
        TRY(copy_entry(p.get(), child, cst, u.get(), rel));
      }
      rel.resize(base_len);
      return finish_fd(p.get(), u.get(), st, ts, rel);
    }
    if (S_ISREG(st.st_mode)) {
      if (st.st_nlink > 1) {
        auto it = links_.find({st.st_dev, st.st_ino});
        if (it != links_.end()) {
          auto [tdir, tbase] = TRY(open_parent_in_root(rootfd_, "/" + it->second));
          if (linkat(tdir.get(), tbase.c_str(), udir, name, 0) < 0) return fail_errno(fmt::format("link `{}`", rel));
          return ok();
        }
        links_.emplace(std::make_pair(st.st_dev, st.st_ino), rel);
      }
      auto src = TRY(open_at(pdir, name, O_RDONLY | O_NOFOLLOW));
      int raw = openat(udir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (raw < 0) return fail_errno(fmt::format("create `{}`", rel));
      UniqueFd dst(raw);
      TRY_CTX(copy_data(src.get(), dst.get(), uint64_t(st.st_size)), "copy `{}`", rel);
      return finish_fd(src.get(), dst.get(), st, ts, rel);
    }
    if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlinkat(pdir, name, target, sizeof target - 1);
      if (n < 0) return fail_errno(fmt::format("readlink `{}`", rel));
      target[n] = '\0';
      if (symlinkat(target, udir, name) < 0) return fail_errno(fmt::format("symlink `{}`", rel));
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      if (mknodat(udir, name, (st.st_mode & S_IFMT) | 0600, st.st_rdev) < 0) return fail_errno(fmt::format("mknod `{}`", rel));
      if (fchmodat(udir, name, st.st_mode & 07777, 0) < 0) return fail_errno(fmt::format("chmod `{}`", rel));
    } else {
      return ok();  // sockets cannot come from a tar
    }
    if (fchownat(udir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("chown `{}`", rel));
    if (utimensat(udir, name, ts, AT_SYMLINK_NOFOLLOW) < 0) return fail_errno(fmt::format("set times of `{}`", rel));
    return ok();
  }

  Status finish_fd(int src, int dst, const struct stat& st, const struct timespec ts[2], const std::string& rel) {
    if (fchown(dst, st.st_uid, st.st_gid) < 0) return fail_errno(fmt::format("chown `{}`", rel));
    TRY(copy_xattrs(src, dst));
    if (fchmod(dst, st.st_mode & 07777) < 0) return fail_errno(fmt::format("chmod `{}`", rel));
    if (futimens(dst, ts) < 0) return fail_errno(fmt::format("set times of `{}`", rel));
    return ok();
  }

  int rootfd_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;  // only inodes with several links
};

}  // namespace

Result<std::string> layer_content_digest(int rootfd, const Sha256& fresh, int spool_fd, int format) {
  HashCache cache;
  if (spool_fd >= 0 && format >= 2) TRY(cache.load(spool_fd));  // spooled hashes are format 2
  DigestWalker w(fresh, cache, format);
  return w.run(rootfd);
}

Status remove_spooled_markers(int rootfd, int spool_fd) {
  if (spool_fd < 0) return ok();
  SpoolReader r(spool_fd);
  SpoolRecord rec;
  for (;;) {
    bool more = TRY(r.next(rec));
    if (!more) break;
    if (rec.kind != SpoolKind::WhiteoutMarker && rec.kind != SpoolKind::OpaqueMarker) continue;
    auto parent = open_parent_in_root(rootfd, "/" + rec.path);
    if (!parent) continue;  // its directory was replaced later in the archive
    auto& [dfd, base] = *parent;
    if (unlinkat(dfd.get(), base.c_str(), 0) < 0 && errno != ENOENT && errno != EISDIR)
      return fail_errno(fmt::format("remove whiteout marker `{}`", rec.path));
  }
  return ok();
}

Status merge_parent_snapshot(int parent_rootfd, int rootfd, int spool_fd) {
  Merger m(rootfd);
  std::string rel;
  TRY_CTX(m.merge_dir(parent_rootfd, rootfd, rel), "copy the parent layer");
  return remove_spooled_markers(rootfd, spool_fd);
}

void raise_nofile_limit() {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    (void)setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace skiff::storage
