#include "skiff/util/stream.hpp"

#include <cstring>
#include <vector>

#include "skiff/util/fd.hpp"

namespace skiff {

Result<size_t> FdSource::read(void* buf, size_t n) { return read_some(fd_, buf, n); }

Status FdSink::write(std::string_view data) { return write_all(fd_, data); }

Result<size_t> StringSource::read(void* buf, size_t n) {
  size_t k = std::min(n, s_.size() - pos_);
  memcpy(buf, s_.data() + pos_, k);
  pos_ += k;
  return k;
}

Status StringSink::write(std::string_view data) {
  if (s_.size() + data.size() > limit_)
    return fail(EFBIG, fmt::format("more than {} bytes", limit_));
  s_.append(data);
  return ok();
}

Result<uint64_t> copy_stream(ByteSource& src, ByteSink& dst) {
  std::vector<char> buf(256 * 1024);
  uint64_t total = 0;
  for (;;) {
    size_t n = TRY(src.read(buf.data(), buf.size()));
    if (n == 0) break;
    TRY(dst.write(std::string_view(buf.data(), n)));
    total += n;
  }
  return total;
}

}  // namespace skiff
