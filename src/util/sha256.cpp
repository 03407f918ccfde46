#include "skiff/util/sha256.hpp"

#include "skiff/util/plugin.hpp"

namespace skiff {

static Result<const HashApi*> hash_api() {
  static const HashApi* api = nullptr;
  if (api) return api;
  auto fn = TRY(plugin_fn<const HashApi* (*)()>("skiff_hash_api_v1"));
  api = fn();
  return api;
}

Result<Sha256> Sha256::make() {
  const HashApi* api = TRY(hash_api());
  void* ctx = api->create();
  if (!ctx) return fail(ENOMEM, "sha256: cannot create a context");
  return Sha256(api, ctx);
}

Sha256::~Sha256() {
  if (ctx_) api_->destroy(ctx_);
}

void Sha256::finish(unsigned char out[32]) {
  api_->finish(ctx_, out);
  ctx_ = nullptr;
}

Result<Sha256> Sha256::clone() const {
  void* c = api_->copy(ctx_);
  if (!c) return fail(ENOMEM, "sha256: cannot copy a context");
  return Sha256(api_, c);
}

std::string Sha256::hex() {
  unsigned char out[32];
  finish(out);
  static const char* hexd = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (unsigned char c : out) {
    s.push_back(hexd[c >> 4]);
    s.push_back(hexd[c & 15]);
  }
  return s;
}

Result<std::string> sha256_digest(std::string_view data) {
  auto h = TRY(Sha256::make());
  h.update(data);
  return "sha256:" + h.hex();
}

Result<size_t> HashingSource::read(void* buf, size_t n) {
  size_t k = TRY(inner_.read(buf, n));
  h_.update(buf, k);
  count_ += k;
  return k;
}

Status HashingSink::write(std::string_view data) {
  h_.update(data);
  count_ += data.size();
  if (inner_) return inner_->write(data);
  return ok();
}

}  // namespace skiff
