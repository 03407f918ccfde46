// Plugin side of util/archive.hpp: tar reading and writing with libarchive.
//
// Only header-only parts of skiff may be used here (the plugin is linked with -z defs against
// the heavy libraries alone): Result/fail from result.hpp, fmt.
#include <archive.h>
#include <archive_entry.h>
#include <sys/mman.h>

#include <algorithm>
#include <cstring>
#include <vector>

#include "skiff/util/archive.hpp"

namespace skiff {
namespace {

constexpr size_t kReadBuffer = 256 * 1024;

Error archive_error(archive* a, std::string_view what) {
  const char* s = archive_error_string(a);
  int code = archive_errno(a);
  // libarchive reports format problems with its own small codes; make them kCorrupt.
  // (ARCHIVE_ERRNO_FILE_FORMAT is EILSEQ, ARCHIVE_ERRNO_MISC is -1: private headers.)
  if (code <= 0 || code == EILSEQ || code == EINVAL) code = kCorrupt;
  return Error{code, fmt::format("{}: {}", what, s ? s : "unknown libarchive error")};
}

TarType type_of(archive_entry* ae) {
  if (archive_entry_hardlink(ae) || archive_entry_hardlink_utf8(ae)) return TarType::Hardlink;
  switch (archive_entry_filetype(ae)) {
    case AE_IFREG: return TarType::File;
    case AE_IFDIR: return TarType::Dir;
    case AE_IFLNK: return TarType::Symlink;
    case AE_IFCHR: return TarType::Char;
    case AE_IFBLK: return TarType::Block;
    case AE_IFIFO: return TarType::Fifo;
    default: return TarType::Other;
  }
}

// libarchive converts PAX (UTF-8) strings to the current locale on request and returns null
// when that fails (the C locale cannot hold non-ASCII); the UTF-8 form is then the raw bytes.
template <class Mbs, class Utf8>
std::string raw_string(archive_entry* ae, Mbs mbs, Utf8 utf8) {
  if (const char* s = mbs(ae)) return s;
  if (const char* s = utf8(ae)) return s;
  return {};
}

class LaReader final : public TarReader {
 public:
  explicit LaReader(ByteSource* src) : src_(src), buf_(kReadBuffer) {}
  ~LaReader() override {
    if (a_) archive_read_free(a_);
  }

  Result<bool> next(TarEntry& e) override {
    if (!a_) {
      if (auto st = open(); !st) return st.error();
    }
    if (done_) return false;
    archive_entry* ae = nullptr;
    int r = archive_read_next_header(a_, &ae);
    if (r == ARCHIVE_EOF) {
      done_ = true;
      return false;
    }
    if (r < ARCHIVE_WARN) return failure("read tar header");
    e = TarEntry{};
    e.path = raw_string(ae, archive_entry_pathname, archive_entry_pathname_utf8);
    e.type = type_of(ae);
    e.mode = uint32_t(archive_entry_perm(ae)) & 07777;
    e.uid = archive_entry_uid(ae);
    e.gid = archive_entry_gid(ae);
    int64_t size = archive_entry_size_is_set(ae) ? archive_entry_size(ae) : 0;
    e.size = e.type == TarType::File && size > 0 ? uint64_t(size) : 0;
    e.mtime = archive_entry_mtime(ae);
    e.mtime_nsec = uint32_t(archive_entry_mtime_nsec(ae));
    if (e.type == TarType::Symlink)
      e.link_target = raw_string(ae, archive_entry_symlink, archive_entry_symlink_utf8);
    else if (e.type == TarType::Hardlink)
      e.link_target = raw_string(ae, archive_entry_hardlink, archive_entry_hardlink_utf8);
    if (e.type == TarType::Char || e.type == TarType::Block) {
      e.dev_major = uint32_t(archive_entry_rdevmajor(ae));
      e.dev_minor = uint32_t(archive_entry_rdevminor(ae));
    }
    if (e.type == TarType::File && archive_entry_sparse_reset(ae) > 0) {
      la_int64_t off, len;
      while (archive_entry_sparse_next(ae, &off, &len) == ARCHIVE_OK)
        if (off >= 0 && len > 0) e.sparse.emplace_back(uint64_t(off), uint64_t(len));
    }
    if (const char* u = archive_entry_uname(ae)) e.uname = u;
    if (const char* g = archive_entry_gname(ae)) e.gname = g;
    if (archive_entry_xattr_reset(ae) > 0) {
      const char* name;
      const void* value;
      size_t len;
      // libarchive's pax writer stores each attribute twice (SCHILY.xattr.* and
      // LIBARCHIVE.xattr.*) and its reader reports both: keep one per name, the last.
      while (archive_entry_xattr_next(ae, &name, &value, &len) == ARCHIVE_OK) {
        std::string v(static_cast<const char*>(value), len);
        bool dup = false;
        for (auto& kv : e.xattrs)
          if (kv.first == name) kv.second = v, dup = true;
        if (!dup) e.xattrs.emplace_back(name, std::move(v));
      }
    }
    return true;
  }

  Result<TarBlock> read_block() override {
    if (!a_ || done_) return TarBlock{};
    const void* p = nullptr;
    size_t n = 0;
    la_int64_t off = 0;
    int r = archive_read_data_block(a_, &p, &n, &off);
    if (r == ARCHIVE_EOF) return TarBlock{};
    if (r < ARCHIVE_WARN) return failure("read tar data");
    return TarBlock{static_cast<const char*>(p), n, uint64_t(off)};
  }

  Result<size_t> read_data(void* buf, size_t n) override {
    if (!a_ || done_) return size_t(0);
    la_ssize_t k = archive_read_data(a_, buf, n);
    if (k < 0) return failure("read tar data");
    return size_t(k);
  }

 private:
  Status open() {
    a_ = archive_read_new();
    if (!a_) return fail(ENOMEM, "tar: cannot allocate a reader");
    archive_read_support_format_tar(a_);
    archive_read_support_format_empty(a_);
    if (archive_read_open2(a_, this, nullptr, &LaReader::read_cb, nullptr, nullptr) != ARCHIVE_OK)
      return failure("open tar stream");
    return ok();
  }

  Failure failure(std::string_view what) {
    // A failing source is the real cause (network, decompression): report it, not libarchive's
    // echo of it.
    if (src_failed_) return fail(src_error_);
    return fail(archive_error(a_, fmt::format("tar: {}", what)));
  }

  static la_ssize_t read_cb(archive* a, void* self_v, const void** out) {
    auto* self = static_cast<LaReader*>(self_v);
    auto n = self->src_->read(self->buf_.data(), self->buf_.size());
    if (!n) {
      self->src_failed_ = true;
      self->src_error_ = n.error();
      archive_set_error(a, EIO, "%s", n.error().msg.c_str());
      return -1;
    }
    *out = self->buf_.data();
    return la_ssize_t(*n);
  }

  ByteSource* src_;
  std::vector<char> buf_;
  archive* a_ = nullptr;
  bool done_ = false;
  bool src_failed_ = false;
  Error src_error_;
};

class LaWriter final : public TarWriter {
 public:
  explicit LaWriter(ByteSink* sink) : sink_(sink) {}
  ~LaWriter() override {
    if (a_) archive_write_free(a_);  // without finish(): no trailer, the stream is incomplete
  }

  Status add(const TarEntry& e) override {
    if (!a_) {
      if (auto st = open(); !st) return st;
    }
    if (finished_) return fail(EINVAL, "tar: add after finish");
    archive_entry* ae = archive_entry_new();
    if (!ae) return fail(ENOMEM, "tar: cannot allocate an entry");
    archive_entry_copy_pathname(ae, e.path.c_str());
    switch (e.type) {
      case TarType::File:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, la_int64_t(e.size));
        break;
      case TarType::Dir: archive_entry_set_filetype(ae, AE_IFDIR); break;
      case TarType::Symlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_copy_symlink(ae, e.link_target.c_str());
        break;
      case TarType::Hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_copy_hardlink(ae, e.link_target.c_str());
        archive_entry_set_size(ae, 0);
        break;
      case TarType::Char:
      case TarType::Block:
        archive_entry_set_filetype(ae, e.type == TarType::Char ? AE_IFCHR : AE_IFBLK);
        archive_entry_set_rdevmajor(ae, e.dev_major);
        archive_entry_set_rdevminor(ae, e.dev_minor);
        break;
      case TarType::Fifo: archive_entry_set_filetype(ae, AE_IFIFO); break;
      case TarType::Other:
        archive_entry_free(ae);
        return fail(EINVAL, fmt::format("tar: `{}`: cannot write an entry of unknown type", e.path));
    }
    archive_entry_set_perm(ae, e.mode & 07777);
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    if (!e.uname.empty()) archive_entry_copy_uname(ae, e.uname.c_str());
    if (!e.gname.empty()) archive_entry_copy_gname(ae, e.gname.c_str());
    archive_entry_set_mtime(ae, e.mtime, long(e.mtime_nsec));
    for (auto& [name, value] : e.xattrs)
      archive_entry_xattr_add_entry(ae, name.c_str(), value.data(), value.size());
    TRY(end_sparse());
    if (e.type == TarType::File && !e.sparse.empty()) {
      uint64_t last = 0;
      for (auto& [off, len] : e.sparse) {
        // (A file of zeros only has one empty range at its end.)
        if (off < last || (len == 0 && off != e.size) || off > e.size || len > e.size - off) {
          archive_entry_free(ae);
          return fail(EINVAL, fmt::format("tar: `{}`: invalid sparse map", e.path));
        }
        archive_entry_sparse_add_entry(ae, la_int64_t(off), la_int64_t(len));
        last = off + len;
      }
      map_ = e.sparse;
      map_i_ = 0;
      pos_ = 0;
      size_ = e.size;
    }
    int r = archive_write_header(a_, ae);
    archive_entry_free(ae);
    if (r < ARCHIVE_WARN) return failure(fmt::format("write header of `{}`", e.path));
    return ok();
  }

  Status write_data(std::string_view data) override {
    if (!a_ || finished_) return fail(EINVAL, "tar: data without an entry");
    if (!map_.empty()) return write_sparse(data);
    while (!data.empty()) {
      la_ssize_t k = archive_write_data(a_, data.data(), data.size());
      if (k <= 0) return failure("write data");
      data.remove_prefix(size_t(k));
    }
    return ok();
  }

  Status finish() override {
    if (finished_) return ok();
    if (!a_) {
      if (auto st = open(); !st) return st;
    }
    TRY(end_sparse());
    finished_ = true;
    if (archive_write_close(a_) != ARCHIVE_OK) return failure("finish archive");
    return sink_->close();
  }

 private:
  Status open() {
    a_ = archive_write_new();
    if (!a_) return fail(ENOMEM, "tar: cannot allocate a writer");
    archive_write_set_format_pax_restricted(a_);
    // Classic 10 KiB blocking for the body, but no padding of the last block: the stream ends
    // right after the two zero records (as Go's archive/tar, hence Docker, writes it).
    archive_write_set_bytes_per_block(a_, 10240);
    archive_write_set_bytes_in_last_block(a_, 1);
    if (archive_write_open2(a_, this, nullptr, &LaWriter::write_cb, nullptr, nullptr) != ARCHIVE_OK)
      return failure("open tar writer");
    return ok();
  }

  // Sparse entries: libarchive's pax writer takes the whole file, holes included, and skips
  // the holes without reading them. We pass each hole as its own calls (never a call across a
  // hole and data, whose bookkeeping some libarchive versions get wrong) pointing at a
  // read-only zero mapping, so no version can read garbage or write zeros it should skip.
  Status feed_hole(uint64_t n) {
    static constexpr size_t kZeros = size_t(1) << 30;
    static const void* zeros = [] {
      void* p = mmap(nullptr, kZeros, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      return p == MAP_FAILED ? nullptr : p;
    }();
    if (!zeros) return fail(ENOMEM, "tar: cannot map zeros for a sparse entry");
    while (n > 0) {
      size_t k = size_t(std::min<uint64_t>(n, kZeros));
      la_ssize_t w = archive_write_data(a_, zeros, k);
      if (w <= 0) return failure("write data");
      n -= uint64_t(w);
      pos_ += uint64_t(w);
    }
    return ok();
  }

  Status write_sparse(std::string_view data) {
    while (!data.empty()) {
      if (map_i_ >= map_.size()) return fail(EINVAL, "tar: more data than the sparse map holds");
      auto [off, len] = map_[map_i_];
      if (len == 0) {
        ++map_i_;
        continue;
      }
      if (pos_ < off) TRY(feed_hole(off - pos_));
      size_t k = size_t(std::min<uint64_t>(data.size(), off + len - pos_));
      std::string_view piece = data.substr(0, k);
      while (!piece.empty()) {
        la_ssize_t w = archive_write_data(a_, piece.data(), piece.size());
        if (w <= 0) return failure("write data");
        piece.remove_prefix(size_t(w));
      }
      pos_ += k;
      data.remove_prefix(k);
      if (pos_ == off + len) ++map_i_;
    }
    return ok();
  }

  // The trailing hole of a sparse entry (its data must all have been written).
  Status end_sparse() {
    if (map_.empty()) return ok();
    while (map_i_ < map_.size() && map_[map_i_].second == 0) ++map_i_;
    bool complete = map_i_ == map_.size();
    map_.clear();
    if (!complete) return fail(EINVAL, "tar: a sparse entry ended before its data");
    return feed_hole(size_ - pos_);
  }

  Failure failure(std::string_view what) {
    if (sink_failed_) return fail(sink_error_);
    return fail(archive_error(a_, fmt::format("tar: {}", what)));
  }

  static la_ssize_t write_cb(archive* a, void* self_v, const void* buf, size_t n) {
    auto* self = static_cast<LaWriter*>(self_v);
    auto st = self->sink_->write(std::string_view(static_cast<const char*>(buf), n));
    if (!st) {
      self->sink_failed_ = true;
      self->sink_error_ = st.error();
      archive_set_error(a, EIO, "%s", st.error().msg.c_str());
      return -1;
    }
    return la_ssize_t(n);
  }

  ByteSink* sink_;
  archive* a_ = nullptr;
  std::vector<std::pair<uint64_t, uint64_t>> map_;  // the current sparse entry's ranges
  size_t map_i_ = 0;
  uint64_t pos_ = 0, size_ = 0;
  bool finished_ = false;
  bool sink_failed_ = false;
  Error sink_error_;
};

}  // namespace
}  // namespace skiff

extern "C" skiff::TarReader* skiff_tar_reader_v1(skiff::ByteSource* src) {
  return new (std::nothrow) skiff::LaReader(src);
}

extern "C" skiff::TarWriter* skiff_tar_writer_v1(skiff::ByteSink* sink) {
  return new (std::nothrow) skiff::LaWriter(sink);
}
