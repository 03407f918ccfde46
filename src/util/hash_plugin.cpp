// Plugin side of util/sha256.hpp: OpenSSL EVP SHA-256.
#include <openssl/evp.h>

#include "skiff/util/sha256.hpp"

namespace {

void* create() {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  if (!c) return nullptr;
  if (EVP_DigestInit_ex(c, EVP_sha256(), nullptr) != 1) {
    EVP_MD_CTX_free(c);
    return nullptr;
  }
  return c;
}
void update(void* ctx, const void* p, size_t n) { EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx), p, n); }
void finish(void* ctx, unsigned char out[32]) {
  unsigned int len = 32;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx), out, &len);
  EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx));
}
void destroy(void* ctx) { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx)); }
void* copy(const void* ctx) {
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  if (!c) return nullptr;
  if (EVP_MD_CTX_copy_ex(c, static_cast<const EVP_MD_CTX*>(ctx)) != 1) {
    EVP_MD_CTX_free(c);
    return nullptr;
  }
  return c;
}

const skiff::HashApi kApi{1, create, update, finish, destroy, copy};

}  // namespace

extern "C" const skiff::HashApi* skiff_hash_api_v1() { return &kApi; }
