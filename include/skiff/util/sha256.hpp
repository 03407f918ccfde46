#pragma once
// SHA-256 through OpenSSL (in the I/O plugin; SHA-NI accelerated where the CPU has it).

#include <memory>
#include <string>
#include <string_view>

#include "skiff/util/result.hpp"
#include "skiff/util/stream.hpp"

namespace skiff {

/// The plugin's hashing entry points (C ABI table).
struct HashApi {
  int version;                                    ///< 1
  void* (*create)();                              ///< new SHA-256 context
  void (*update)(void* ctx, const void* p, size_t n);
  void (*finish)(void* ctx, unsigned char out[32]);  ///< also frees ctx
  void (*destroy)(void* ctx);                     ///< frees an unfinished ctx
  void* (*copy)(const void* ctx);                 ///< a duplicate of an unfinished ctx
};

/// Incremental SHA-256. Create with Sha256::make() (loads the plugin on first use).
class Sha256 {
 public:
  static Result<Sha256> make();
  Sha256(Sha256&& o) noexcept : api_(o.api_), ctx_(std::exchange(o.ctx_, nullptr)) {}
  Sha256& operator=(Sha256&&) = delete;
  ~Sha256();
  void update(std::string_view data) { api_->update(ctx_, data.data(), data.size()); }
  void update(const void* p, size_t n) { api_->update(ctx_, p, n); }
  /// Lowercase hex of the digest; the object is spent afterwards.
  std::string hex();
  /// The 32 raw digest bytes; the object is spent afterwards.
  void finish(unsigned char out[32]);
  /// An independent copy of the current state. Copying a fresh context made before a fork()
  /// lets the child hash without touching OpenSSL's global (locked) algorithm tables.
  Result<Sha256> clone() const;

 private:
  Sha256(const HashApi* api, void* ctx) : api_(api), ctx_(ctx) {}
  const HashApi* api_;
  void* ctx_;
};

/// "sha256:<hex>" of `data`.
Result<std::string> sha256_digest(std::string_view data);

/// A ByteSource wrapper that hashes everything read through it.
class HashingSource : public ByteSource {
 public:
  HashingSource(ByteSource& inner, Sha256& h) : inner_(inner), h_(h) {}
  Result<size_t> read(void* buf, size_t n) override;
  uint64_t count() const { return count_; }

 private:
  ByteSource& inner_;
  Sha256& h_;
  uint64_t count_ = 0;
};

/// A ByteSink wrapper that hashes everything written through it, then forwards it.
class HashingSink : public ByteSink {
 public:
  HashingSink(ByteSink* inner, Sha256& h) : inner_(inner), h_(h) {}
  Status write(std::string_view data) override;
  Status close() override { return inner_ ? inner_->close() : ok(); }
  uint64_t count() const { return count_; }

 private:
  ByteSink* inner_;
  Sha256& h_;
  uint64_t count_ = 0;
};

}  // namespace skiff
