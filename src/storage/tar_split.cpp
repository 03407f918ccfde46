// The tar layout of a layer: recorded while it is extracted, replayed for save and push.
#include "tar_split.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/safe_path.hpp"

namespace skiff::storage {

namespace {

constexpr std::string_view kMagic = "skiff-tar-split 1\n";
constexpr size_t kMaxLiteral = 1u << 20;
constexpr size_t kMaxCollect = 1u << 20;

template <typename T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

// A numeric header field: octal (NUL/space padded) or base-256 (high bit of the first byte).
bool parse_number(const char* f, size_t n, uint64_t& v) {
  v = 0;
  if (static_cast<unsigned char>(f[0]) & 0x80) {
    if (static_cast<unsigned char>(f[0]) & 0x40) return false;  // negative
    v = static_cast<unsigned char>(f[0]) & 0x3f;
    for (size_t i = 1; i < n; ++i) {
      if (v >> 55) return false;
      v = (v << 8) | static_cast<unsigned char>(f[i]);
    }
    return true;
  }
  size_t i = 0;
  while (i < n && (f[i] == ' ' || f[i] == '\0')) ++i;
  bool any = false;
  for (; i < n && f[i] >= '0' && f[i] <= '7'; ++i) {
    if (v >> 60) return false;
    v = v * 8 + uint64_t(f[i] - '0');
    any = true;
  }
  for (; i < n; ++i)
    if (f[i] != ' ' && f[i] != '\0') return false;
  (void)any;
  return true;
}

std::string field(const char* f, size_t n) { return std::string(f, strnlen(f, n)); }

uint64_t padding_of(uint64_t size) { return (512 - size % 512) % 512; }

}  // namespace

TarSplitRecorder::TarSplitRecorder(int fd) : fd_(fd) { out_.append(kMagic); }

Status TarSplitRecorder::flush(bool force) {
  if (out_.size() < (256u << 10) && !force) return ok();
  if (fd_ >= 0) TRY(write_all(fd_, out_));
  out_.clear();
  return ok();
}

Status TarSplitRecorder::literal(const char* p, size_t n) {
  while (n > 0) {
    size_t k = std::min(n, kMaxLiteral);
    out_ += 'L';
    put(out_, uint32_t(k));
    out_.append(p, k);
    p += k;
    n -= k;
    TRY(flush(false));
  }
  return ok();
}

Status TarSplitRecorder::file_ref(uint64_t size, const std::string& path) {
  out_ += 'F';
  put(out_, size);
  put(out_, uint32_t(path.size()));
  out_ += path;
  return flush(false);
}

void TarSplitRecorder::parse_pax() {
  std::string_view s = collected_;
  while (!s.empty()) {
    size_t sp = s.find(' ');
    if (sp == std::string_view::npos) return;
    uint64_t len = 0;
    for (size_t i = 0; i < sp; ++i) {
      if (s[i] < '0' || s[i] > '9') return;
      len = len * 10 + uint64_t(s[i] - '0');
      if (len > s.size()) return;
    }
    if (len <= sp + 1 || len > s.size()) return;
    std::string_view rec = s.substr(sp + 1, len - sp - 1);
    if (!rec.empty() && rec.back() == '\n') rec.remove_suffix(1);
    size_t eq = rec.find('=');
    if (eq != std::string_view::npos) {
      std::string_view key = rec.substr(0, eq), val = rec.substr(eq + 1);
      if (key == "path") {
        pax_path_ = std::string(val);
      } else if (key == "size") {
        uint64_t v = 0;
        bool good = !val.empty();
        for (char c : val) {
          if (c < '0' || c > '9' || (v >> 59)) good = false;
          else v = v * 10 + uint64_t(c - '0');
        }
        if (good) {
          pax_size_ = v;
          pax_size_set_ = true;
        } else {
          pax_sparse_ = true;  // unreadable: keep the data verbatim
        }
      } else if (key.starts_with("GNU.sparse.")) {
        pax_sparse_ = true;
      }
    }
    s.remove_prefix(len);
  }
}

void TarSplitRecorder::on_header() {
  bool zero = true;
  for (char c : hdr_)
    if (c) {
      zero = false;
      break;
    }
  if (zero) {  // end of archive: the rest (second zero block, padding) is kept as is
    state_ = State::Trailer;
    return;
  }
  char type = hdr_[156];
  uint64_t size = 0;
  if (!parse_number(hdr_ + 124, 12, size)) {
    state_ = State::Trailer;  // cannot follow the stream: keep everything verbatim
    return;
  }
  if (type == 'x' || type == 'L' || type == 'g' || type == 'K') {
    collect_ = (type == 'x' || type == 'L') && size <= kMaxCollect;
    collect_type_ = type;
    collected_.clear();
    if (type == 'x' && size > kMaxCollect) pax_sparse_ = true;
    if (type == 'L' && size > kMaxCollect) long_name_ = std::string(1, '\0');  // unusable name
    remaining_ = size;
    padding_ = padding_of(size);
    state_ = size ? State::Literal : State::Padding;
    return;
  }
  // An entry: extended headers collected so far apply to it, then reset.
  if (pax_size_set_) size = pax_size_;
  std::string path;
  if (!pax_path_.empty()) {
    path = pax_path_;
  } else if (!long_name_.empty()) {
    path = long_name_;
  } else {
    path = field(hdr_, 100);
    if (memcmp(hdr_ + 257, "ustar\0", 6) == 0) {
      std::string prefix = field(hdr_ + 345, 155);
      if (!prefix.empty()) path = prefix + "/" + path;
    }
  }
  bool regular = type == '0' || type == '\0' || type == '7';
  bool usable = regular && !pax_sparse_ && size > 0 && !path.empty() && path.find('\0') == std::string::npos;
  pax_path_.clear();
  long_name_.clear();
  pax_size_set_ = false;
  pax_sparse_ = false;
  collect_ = false;
  remaining_ = size;
  padding_ = padding_of(size);
  if (usable) {
    state_ = State::FileData;
    pending_path_ = std::move(path);
  } else {
    state_ = size ? State::Literal : State::Padding;
  }
}

Status TarSplitRecorder::feed(const char* p, size_t n) {
  total_ += n;
  while (n > 0) {
    switch (state_) {
      case State::Header: {
        size_t k = std::min(n, sizeof hdr_ - hdr_len_);
        memcpy(hdr_ + hdr_len_, p, k);
        hdr_len_ += k;
        TRY(literal(p, k));
        p += k;
        n -= k;
        if (hdr_len_ == sizeof hdr_) {
          hdr_len_ = 0;
          on_header();
          if (state_ == State::FileData) {
            TRY(file_ref(remaining_, pending_path_));
            pending_path_.clear();
          }
          if (state_ == State::Padding && padding_ == 0) state_ = State::Header;
        }
        break;
      }
      case State::Literal: {
        size_t k = size_t(std::min<uint64_t>(n, remaining_));
        TRY(literal(p, k));
        if (collect_) collected_.append(p, k);
        p += k;
        n -= k;
        remaining_ -= k;
        if (remaining_ == 0) {
          if (collect_) {
            if (collect_type_ == 'x') {
              parse_pax();
            } else if (collect_type_ == 'L') {
              long_name_ = field(collected_.data(), collected_.size());
              if (long_name_.empty()) long_name_ = std::string(1, '\0');
            }
            collect_ = false;
            collected_.clear();
          }
          state_ = padding_ ? State::Padding : State::Header;
        }
        break;
      }
      case State::FileData: {
        size_t k = size_t(std::min<uint64_t>(n, remaining_));
        p += k;
        n -= k;
        remaining_ -= k;
        if (remaining_ == 0) state_ = padding_ ? State::Padding : State::Header;
        break;
      }
      case State::Padding: {
        size_t k = size_t(std::min<uint64_t>(n, padding_));
        TRY(literal(p, k));
        p += k;
        n -= k;
        padding_ -= k;
        if (padding_ == 0) state_ = State::Header;
        break;
      }
      case State::Trailer:
        TRY(literal(p, n));
        n = 0;
        break;
    }
  }
  return ok();
}

Status TarSplitRecorder::finish() {
  out_ += 'E';
  put(out_, total_);
  return flush(true);
}

namespace {

class SplitReader {
 public:
  explicit SplitReader(int fd) : fd_(fd) {}
  Status need(size_t n) {
    while (buf_.size() - pos_ < n) {
      if (pos_ > 0) {
        buf_.erase(0, pos_);
        pos_ = 0;
      }
      size_t old = buf_.size();
      buf_.resize(old + std::max<size_t>(n, 256u << 10));
      auto k = read_some(fd_, buf_.data() + old, buf_.size() - old);
      if (!k) {
        buf_.resize(old);
        return k.error();
      }
      buf_.resize(old + *k);
      if (*k == 0) return fail(kCorrupt, "tar-split record is truncated");
    }
    return ok();
  }
  template <typename T>
  Result<T> get() {
    TRY(need(sizeof(T)));
    T v;
    memcpy(&v, buf_.data() + pos_, sizeof v);
    pos_ += sizeof v;
    return v;
  }
  Result<std::string_view> bytes(size_t n) {
    TRY(need(n));
    std::string_view s(buf_.data() + pos_, n);
    pos_ += n;
    return s;
  }

 private:
  int fd_;
  std::string buf_;
  size_t pos_ = 0;
};

}  // namespace

Status reassemble_tar(int rootfd, int split_fd, ByteSink& out) {
  SplitReader r(split_fd);
  auto magic = TRY(r.bytes(kMagic.size()));
  if (magic != kMagic) return fail(kCorrupt, "tar-split record: unknown format");
  uint64_t total = 0;
  std::vector<char> buf(256u << 10);
  for (;;) {
    char kind = TRY(r.get<char>());
    if (kind == 'L') {
      uint32_t n = TRY(r.get<uint32_t>());
      if (n > kMaxLiteral) return fail(kCorrupt, "tar-split record: oversized literal");
      auto s = TRY(r.bytes(n));
      TRY(out.write(s));
      total += n;
    } else if (kind == 'F') {
      uint64_t size = TRY(r.get<uint64_t>());
      uint32_t plen = TRY(r.get<uint32_t>());
      if (plen > 65536) return fail(kCorrupt, "tar-split record: oversized path");
      std::string path(TRY(r.bytes(plen)));
      auto fd = TRY_CTX(open_in_root_nofollow(rootfd, "/" + path, O_RDONLY | O_NOCTTY | O_NONBLOCK),
                        "layer file `{}`", path);
      struct stat st;
      if (fstat(fd.get(), &st) < 0) return fail_errno(fmt::format("stat layer file `{}`", path));
      if (!S_ISREG(st.st_mode) || uint64_t(st.st_size) != size)
        return fail(kCorrupt, fmt::format("layer file `{}` changed since the layer was stored", path));
      uint64_t left = size;
      while (left > 0) {
        auto k = TRY(read_some(fd.get(), buf.data(), size_t(std::min<uint64_t>(left, buf.size()))));
        if (k == 0) return fail(kCorrupt, fmt::format("layer file `{}` is shorter than recorded", path));
        TRY(out.write(std::string_view(buf.data(), k)));
        left -= k;
      }
      total += size;
    } else if (kind == 'E') {
      uint64_t want = TRY(r.get<uint64_t>());
      if (want != total) return fail(kCorrupt, "tar-split record: size mismatch");
      return ok();
    } else {
      return fail(kCorrupt, "tar-split record: unknown record");
    }
  }
}

}  // namespace skiff::storage
