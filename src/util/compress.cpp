#include "skiff/util/compress.hpp"

#include <cstring>
#include <string>

#include "skiff/util/plugin.hpp"

namespace skiff {

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::Gzip: return "gzip";
    case Compression::Zstd: return "zstd";
    case Compression::None: break;
  }
  return "none";
}

Compression detect_compression(std::string_view head) {
  auto b = [&](size_t i) { return static_cast<unsigned char>(head[i]); };
  if (head.size() >= 2 && b(0) == 0x1f && b(1) == 0x8b) return Compression::Gzip;
  if (head.size() >= 4 && b(0) == 0x28 && b(1) == 0xb5 && b(2) == 0x2f && b(3) == 0xfd)
    return Compression::Zstd;
  return Compression::None;
}

namespace {

// Replays the bytes peeked for detection, then reads on from the inner source.
class PrefixSource final : public ByteSource {
 public:
  PrefixSource(std::string prefix, ByteSource& inner) : prefix_(std::move(prefix)), inner_(inner) {}
  Result<size_t> read(void* buf, size_t n) override {
    if (pos_ < prefix_.size()) {
      size_t k = std::min(n, prefix_.size() - pos_);
      memcpy(buf, prefix_.data() + pos_, k);
      pos_ += k;
      return k;
    }
    return inner_.read(buf, n);
  }

 private:
  std::string prefix_;
  size_t pos_ = 0;
  ByteSource& inner_;
};

// Owns the prefix replayer and the decompressor stacked on it.
class AutoSource final : public ByteSource {
 public:
  AutoSource(std::unique_ptr<PrefixSource> prefix, std::unique_ptr<ByteSource> top)
      : prefix_(std::move(prefix)), top_(std::move(top)) {}
  Result<size_t> read(void* buf, size_t n) override { return top_ ? top_->read(buf, n) : prefix_->read(buf, n); }

 private:
  std::unique_ptr<PrefixSource> prefix_;
  std::unique_ptr<ByteSource> top_;  // null: no compression, read the prefix source directly
};

}  // namespace

Result<std::unique_ptr<ByteSource>> make_decompressor(ByteSource& inner, Compression c) {
  if (c == Compression::None) return fail(EINVAL, "make_decompressor: no compression to undo");
  auto make = TRY(plugin_fn<DecompressorFactory>("skiff_decompressor_v1"));
  std::unique_ptr<ByteSource> s(make(&inner, int(c)));
  if (!s) return fail(ENOMEM, fmt::format("{}: cannot create a decompressor", compression_name(c)));
  return s;
}

Result<std::unique_ptr<ByteSource>> make_auto_decompressor(ByteSource& inner, Compression* detected) {
  std::string head(4, '\0');
  size_t got = 0;
  while (got < head.size()) {
    size_t k = TRY(inner.read(head.data() + got, head.size() - got));
    if (k == 0) break;
    got += k;
  }
  head.resize(got);
  Compression c = detect_compression(head);
  if (detected) *detected = c;
  auto prefix = std::make_unique<PrefixSource>(std::move(head), inner);
  std::unique_ptr<ByteSource> top;
  if (c != Compression::None) top = TRY(make_decompressor(*prefix, c));
  return std::unique_ptr<ByteSource>(new AutoSource(std::move(prefix), std::move(top)));
}

Result<std::unique_ptr<ByteSink>> make_compressor(ByteSink& inner, Compression c, int level) {
  if (c == Compression::None) return fail(EINVAL, "make_compressor: no compression requested");
  auto make = TRY(plugin_fn<CompressorFactory>("skiff_compressor_v1"));
  std::unique_ptr<ByteSink> s(make(&inner, int(c), level));
  if (!s) return fail(ENOMEM, fmt::format("{}: cannot create a compressor", compression_name(c)));
  return s;
}

}  // namespace skiff
