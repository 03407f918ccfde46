#pragma once
// Byte streams: the one shape every producer and consumer of bulk data speaks (HTTP bodies,
// decompressors, hashers, tar readers/writers). Interfaces cross the plugin boundary, so they
// use std types only and never throw.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "skiff/util/result.hpp"

namespace skiff {

/// Something bytes are read from. read() returns 0 only at the end of the stream.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  virtual Result<size_t> read(void* buf, size_t n) = 0;
};

/// Something bytes are written to. write() consumes all of `data` or fails.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view data) = 0;
  /// Flushes buffered data (a compressor writes its trailer here). Idempotent.
  virtual Status close() { return ok(); }
};

/// Reads from an fd (not owned).
class FdSource : public ByteSource {
 public:
  explicit FdSource(int fd) : fd_(fd) {}
  Result<size_t> read(void* buf, size_t n) override;

 private:
  int fd_;
};

/// Writes to an fd (not owned).
class FdSink : public ByteSink {
 public:
  explicit FdSink(int fd) : fd_(fd) {}
  Status write(std::string_view data) override;

 private:
  int fd_;
};

/// Reads from a string held by the source.
class StringSource : public ByteSource {
 public:
  explicit StringSource(std::string s) : s_(std::move(s)) {}
  Result<size_t> read(void* buf, size_t n) override;

 private:
  std::string s_;
  size_t pos_ = 0;
};

/// Appends to a string (bounded: more than `limit` bytes is an EFBIG error).
class StringSink : public ByteSink {
 public:
  explicit StringSink(size_t limit = 64u << 20) : limit_(limit) {}
  Status write(std::string_view data) override;
  std::string& str() { return s_; }

 private:
  std::string s_;
  size_t limit_;
};

/// Copies `src` to `dst` until EOF; returns the byte count.
Result<uint64_t> copy_stream(ByteSource& src, ByteSink& dst);

}  // namespace skiff
