// Plugin side of util/compress.hpp: gzip with zlib, zstd with libzstd. Streaming both ways,
// fixed buffers, no allocation proportional to the data.
#include <zlib.h>
#include <zstd.h>

#include <vector>

#include "skiff/util/compress.hpp"

namespace skiff {
namespace {

constexpr size_t kInBuffer = 128 * 1024;
constexpr size_t kOutBuffer = 128 * 1024;

class GzipSource final : public ByteSource {
 public:
  explicit GzipSource(ByteSource* in) : in_(in), ibuf_(kInBuffer) {
    zs_ = z_stream{};
    ok_ = inflateInit2(&zs_, 16 + MAX_WBITS) == Z_OK;  // gzip wrapper only
  }
  ~GzipSource() override {
    if (ok_) inflateEnd(&zs_);
  }

  Result<size_t> read(void* buf, size_t n) override {
    if (!ok_) return fail(ENOMEM, "gzip: cannot initialise zlib");
    if (done_ || n == 0) return size_t(0);
    zs_.next_out = static_cast<Bytef*>(buf);
    zs_.avail_out = uInt(std::min<size_t>(n, 1u << 30));
    const uInt want = zs_.avail_out;
    while (zs_.avail_out == want) {
      if (zs_.avail_in == 0 && !in_eof_) {
        size_t k = TRY(in_->read(ibuf_.data(), ibuf_.size()));
        if (k == 0) in_eof_ = true;
        zs_.next_in = ibuf_.data();
        zs_.avail_in = uInt(k);
      }
      if (member_done_) {
        // Between members: the stream may end here, or another member must start (Go's
        // multistream reader, hence Docker, accepts concatenated members).
        if (zs_.avail_in == 0) {
          if (in_eof_) {
            done_ = true;
            break;
          }
          continue;
        }
        if (zs_.next_in[0] != 0x1f)
          return fail(kCorrupt, "gzip: unexpected data after the end of the stream");
        if (inflateReset(&zs_) != Z_OK) return fail(kCorrupt, "gzip: cannot reset the stream");
        member_done_ = false;
      }
      int r = inflate(&zs_, Z_NO_FLUSH);
      if (r == Z_STREAM_END) {
        member_done_ = true;
      } else if (r == Z_BUF_ERROR || (r == Z_OK && zs_.avail_in == 0)) {
        if (zs_.avail_in == 0 && in_eof_) return fail(kCorrupt, "gzip: unexpected end of stream");
      } else if (r != Z_OK) {
        return fail(kCorrupt, fmt::format("gzip: {}", zs_.msg ? zs_.msg : "invalid data"));
      }
    }
    return size_t(want - zs_.avail_out);
  }

 private:
  ByteSource* in_;
  std::vector<Bytef> ibuf_;
  z_stream zs_;
  bool ok_ = false, in_eof_ = false, member_done_ = false, done_ = false;
};

class ZstdSource final : public ByteSource {
 public:
  explicit ZstdSource(ByteSource* src) : src_(src), ibuf_(ZSTD_DStreamInSize()) {
    ds_ = ZSTD_createDStream();
    if (ds_) ZSTD_initDStream(ds_);
  }
  ~ZstdSource() override {
    if (ds_) ZSTD_freeDStream(ds_);
  }

  Result<size_t> read(void* buf, size_t n) override {
    if (!ds_) return fail(ENOMEM, "zstd: cannot create a decompression stream");
    if (done_ || n == 0) return size_t(0);
    ZSTD_outBuffer out{buf, n, 0};
    while (out.pos == 0) {
      if (zin_.pos == zin_.size && !in_eof_) {
        size_t k = TRY(src_->read(ibuf_.data(), ibuf_.size()));
        if (k == 0) in_eof_ = true;
        zin_ = ZSTD_inBuffer{ibuf_.data(), k, 0};
      }
      if (zin_.pos == zin_.size && in_eof_) {
        if (!frame_done_) return fail(kCorrupt, "zstd: unexpected end of stream");
        done_ = true;
        break;
      }
      size_t r = ZSTD_decompressStream(ds_, &out, &zin_);
      if (ZSTD_isError(r)) return fail(kCorrupt, fmt::format("zstd: {}", ZSTD_getErrorName(r)));
      frame_done_ = r == 0;
    }
    return out.pos;
  }

 private:
  ByteSource* src_;
  std::vector<char> ibuf_;
  ZSTD_inBuffer zin_{nullptr, 0, 0};
  ZSTD_DStream* ds_ = nullptr;
  // An empty input is not a zstd stream, but detection never picks zstd for it.
  bool in_eof_ = false, frame_done_ = true, done_ = false;
};

class GzipSink final : public ByteSink {
 public:
  GzipSink(ByteSink* out, int level) : out_(out), obuf_(kOutBuffer) {
    zs_ = z_stream{};
    ok_ = deflateInit2(&zs_, level < 0 ? 6 : std::min(level, 9), Z_DEFLATED, 16 + MAX_WBITS, 8,
                       Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~GzipSink() override {
    if (ok_) deflateEnd(&zs_);
  }
  Status write(std::string_view data) override {
    if (!ok_) return fail(ENOMEM, "gzip: cannot initialise zlib");
    if (closed_) return fail(EINVAL, "gzip: write after close");
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
    zs_.avail_in = uInt(data.size());
    while (zs_.avail_in > 0) TRY(pump(Z_NO_FLUSH));
    return ok();
  }
  Status close() override {
    if (!ok_) return fail(ENOMEM, "gzip: cannot initialise zlib");
    if (closed_) return ok();
    closed_ = true;
    zs_.avail_in = 0;
    for (;;) {
      int r = TRY(pump(Z_FINISH));
      if (r == Z_STREAM_END) break;
    }
    return out_->close();
  }

 private:
  Result<int> pump(int flush) {
    zs_.next_out = obuf_.data();
    zs_.avail_out = uInt(obuf_.size());
    int r = deflate(&zs_, flush);
    if (r == Z_STREAM_ERROR) return fail(EIO, "gzip: deflate failed");
    size_t have = obuf_.size() - zs_.avail_out;
    if (have) TRY(out_->write(std::string_view(reinterpret_cast<char*>(obuf_.data()), have)));
    return r;
  }
  ByteSink* out_;
  std::vector<Bytef> obuf_;
  z_stream zs_;
  bool ok_ = false, closed_ = false;
};

class ZstdSink final : public ByteSink {
 public:
  ZstdSink(ByteSink* out, int level) : out_(out), obuf_(ZSTD_CStreamOutSize()) {
    cs_ = ZSTD_createCCtx();
    if (cs_) {
      ZSTD_CCtx_setParameter(cs_, ZSTD_c_compressionLevel, level < 0 ? 3 : level);
      ZSTD_CCtx_setParameter(cs_, ZSTD_c_checksumFlag, 1);
    }
  }
  ~ZstdSink() override {
    if (cs_) ZSTD_freeCCtx(cs_);
  }
  Status write(std::string_view data) override {
    if (!cs_) return fail(ENOMEM, "zstd: cannot create a compression context");
    if (closed_) return fail(EINVAL, "zstd: write after close");
    ZSTD_inBuffer in{data.data(), data.size(), 0};
    while (in.pos < in.size) TRY(pump(in, ZSTD_e_continue));
    return ok();
  }
  Status close() override {
    if (!cs_) return fail(ENOMEM, "zstd: cannot create a compression context");
    if (closed_) return ok();
    closed_ = true;
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      size_t left = TRY(pump(in, ZSTD_e_end));
      if (left == 0) break;
    }
    return out_->close();
  }

 private:
  Result<size_t> pump(ZSTD_inBuffer& in, ZSTD_EndDirective mode) {
    ZSTD_outBuffer out{obuf_.data(), obuf_.size(), 0};
    size_t r = ZSTD_compressStream2(cs_, &out, &in, mode);
    if (ZSTD_isError(r)) return fail(EIO, fmt::format("zstd: {}", ZSTD_getErrorName(r)));
    if (out.pos) TRY(out_->write(std::string_view(obuf_.data(), out.pos)));
    return r;
  }
  ByteSink* out_;
  std::vector<char> obuf_;
  ZSTD_CCtx* cs_ = nullptr;
  bool closed_ = false;
};

}  // namespace
}  // namespace skiff

extern "C" skiff::ByteSource* skiff_decompressor_v1(skiff::ByteSource* inner, int c) {
  switch (skiff::Compression(c)) {
    case skiff::Compression::Gzip: return new (std::nothrow) skiff::GzipSource(inner);
    case skiff::Compression::Zstd: return new (std::nothrow) skiff::ZstdSource(inner);
    default: return nullptr;
  }
}

extern "C" skiff::ByteSink* skiff_compressor_v1(skiff::ByteSink* inner, int c, int level) {
  switch (skiff::Compression(c)) {
    case skiff::Compression::Gzip: return new (std::nothrow) skiff::GzipSink(inner, level);
    case skiff::Compression::Zstd: return new (std::nothrow) skiff::ZstdSink(inner, level);
    default: return nullptr;
  }
}
