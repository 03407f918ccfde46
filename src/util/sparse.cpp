// Files with holes (see sparse.hpp).
#include "skiff/util/sparse.hpp"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "skiff/util/fd.hpp"

namespace skiff {

Result<std::vector<Extent>> data_extents(int fd, uint64_t size) {
  std::vector<Extent> out;
  uint64_t pos = 0;
  while (pos < size) {
    off_t d = lseek(fd, off_t(pos), SEEK_DATA);
    if (d < 0) {
      if (errno == ENXIO) break;  // only a hole from here to the end
      if (errno == EINVAL || errno == EOPNOTSUPP) {  // no SEEK_DATA here: all of it may be data
        out.clear();
        out.push_back({0, size});
        return out;
      }
      return fail_errno("seek to data");
    }
    if (uint64_t(d) >= size) break;
    off_t h = lseek(fd, d, SEEK_HOLE);
    if (h < 0) return fail_errno("seek to a hole");
    uint64_t end = std::min<uint64_t>(uint64_t(h), size);
    if (end <= uint64_t(d)) break;
    out.push_back({uint64_t(d), end - uint64_t(d)});
    pos = end;
  }
  if (lseek(fd, 0, SEEK_SET) < 0) return fail_errno("seek");
  return out;
}

Result<bool> has_holes(int fd, uint64_t size) {
  if (size == 0) return false;
  off_t h = lseek(fd, 0, SEEK_HOLE);
  if (h < 0) {
    if (errno == EINVAL || errno == EOPNOTSUPP || errno == ENXIO) return false;
    return fail_errno("seek to a hole");
  }
  if (lseek(fd, 0, SEEK_SET) < 0) return fail_errno("seek");
  return uint64_t(h) < size;
}

namespace {

Status copy_range(int in, int out, uint64_t off, uint64_t len, bool& cfr) {
  uint64_t done = 0;
  std::vector<char> buf;
  while (done < len) {
    if (cfr) {
      loff_t ioff = loff_t(off + done), ooff = loff_t(off + done);
      ssize_t n = copy_file_range(in, &ioff, out, &ooff, size_t(std::min<uint64_t>(len - done, 1u << 30)), 0);
      if (n > 0) {
        done += uint64_t(n);
        continue;
      }
      if (n == 0) return ok();  // the source shrank
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != ENOSYS && errno != EINVAL && errno != EOPNOTSUPP)
        return fail_errno("copy file data");
      cfr = false;
    }
    if (buf.empty()) buf.resize(256 * 1024);
    ssize_t n = pread(in, buf.data(), size_t(std::min<uint64_t>(len - done, buf.size())), off_t(off + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read file data");
    }
    if (n == 0) return ok();
    size_t w = 0;
    while (w < size_t(n)) {
      ssize_t k = pwrite(out, buf.data() + w, size_t(n) - w, off_t(off + done + w));
      if (k < 0) {
        if (errno == EINTR) continue;
        return fail_errno("write file data");
      }
      w += size_t(k);
    }
    done += uint64_t(n);
  }
  return ok();
}

}  // namespace

Status copy_file_sparse(int in, int out, uint64_t size) {
  if (size == 0) return ok();
  auto extents = TRY(data_extents(in, size));
  bool cfr = true;
  for (auto& e : extents) TRY(copy_range(in, out, e.offset, e.length, cfr));
  if (ftruncate(out, off_t(size)) < 0) return fail_errno("set the file size");
  return ok();
}

bool all_zero(const void* p, size_t n) {
  auto* b = static_cast<const unsigned char*>(p);
  size_t i = 0;
  for (; i < n && (reinterpret_cast<uintptr_t>(b + i) & 7); ++i)
    if (b[i]) return false;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    memcpy(w, b + i, 32);
    if (w[0] | w[1] | w[2] | w[3]) return false;
  }
  for (; i < n; ++i)
    if (b[i]) return false;
  return true;
}

Result<std::vector<Extent>> nonzero_map(int fd, uint64_t size) {
  std::vector<Extent> out;
  auto extents = TRY(data_extents(fd, size));
  std::vector<char> buf(kSparseChunk);
  auto add = [&](uint64_t start) {  // chunk at `start` holds data
    uint64_t len = std::min(kSparseChunk, size - start);
    if (!out.empty() && out.back().offset + out.back().length == start)
      out.back().length += len;
    else
      out.push_back({start, len});
  };
  uint64_t next = 0;  // the first chunk not judged yet
  for (auto& e : extents) {
    uint64_t c = std::max(next, e.offset / kSparseChunk * kSparseChunk);
    uint64_t end = e.offset + e.length;
    for (; c < end; c += kSparseChunk) {
      // Only the part of the chunk inside data ranges can be non-zero; reading the whole
      // chunk is simplest (holes read as zeros) and costs at most one chunk per range end.
      size_t want = size_t(std::min(kSparseChunk, size - c));
      size_t got = 0;
      while (got < want) {
        ssize_t n = pread(fd, buf.data() + got, want - got, off_t(c + got));
        if (n < 0) {
          if (errno == EINTR) continue;
          return fail_errno("read file data");
        }
        if (n == 0) break;
        got += size_t(n);
      }
      if (!all_zero(buf.data(), got)) add(c);
    }
    next = std::max(next, c);
  }
  return out;
}

}  // namespace skiff
