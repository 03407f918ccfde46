#include "spool.hpp"

#include <unistd.h>

#include <cstring>

#include "skiff/util/fd.hpp"

namespace skiff::storage {

namespace {
constexpr size_t kHeader = 1 + 4 + 8 + 4;
constexpr size_t kFlushAt = 64 * 1024;
}  // namespace

Status SpoolWriter::add(SpoolKind kind, std::string_view path, int64_t sec, uint32_t nsec) {
  if (fd_ < 0) return ok();
  char h[kHeader];
  h[0] = char(kind);
  uint32_t len = uint32_t(path.size());
  memcpy(h + 1, &len, 4);
  memcpy(h + 5, &sec, 8);
  memcpy(h + 13, &nsec, 4);
  buf_.append(h, kHeader);
  buf_.append(path);
  if (buf_.size() >= kFlushAt) return flush();
  return ok();
}

Status SpoolWriter::flush() {
  if (fd_ < 0 || buf_.empty()) return ok();
  auto st = write_all(fd_, buf_);
  buf_.clear();
  if (!st) return wrap(st.error(), "write the extraction spool");
  return ok();
}

Status SpoolReader::fill(size_t need) {
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  while (buf_.size() < need && !eof_) {
    char tmp[64 * 1024];
    ssize_t n = pread(fd_, tmp, sizeof tmp, off_t(off_));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read the extraction spool");
    }
    if (n == 0) {
      eof_ = true;
      break;
    }
    off_ += uint64_t(n);
    buf_.append(tmp, size_t(n));
  }
  return ok();
}

Result<bool> SpoolReader::next(SpoolRecord& r) {
  if (buf_.size() - pos_ < kHeader) TRY(fill(kHeader));
  if (buf_.size() - pos_ == 0) return false;
  if (buf_.size() - pos_ < kHeader) return fail(kCorrupt, "extraction spool: torn record");
  const char* h = buf_.data() + pos_;
  uint32_t len;
  r.kind = SpoolKind(h[0]);
  memcpy(&len, h + 1, 4);
  memcpy(&r.sec, h + 5, 8);
  memcpy(&r.nsec, h + 13, 4);
  if (buf_.size() - pos_ < kHeader + len) {
    TRY(fill(kHeader + len));
    if (buf_.size() - pos_ < kHeader + len) return fail(kCorrupt, "extraction spool: torn record");
  }
  r.path.assign(buf_.data() + pos_ + kHeader, len);
  pos_ += kHeader + len;
  return true;
}

}  // namespace skiff::storage
