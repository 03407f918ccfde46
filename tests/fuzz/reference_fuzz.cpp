// Image references: parse, and what a parsed reference prints parses to the same reference.
#include "fuzz.hpp"
#include "skiff/oci/reference.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto r = skiff::oci::Reference::parse(fuzz_text(data, size));
  if (!r) return 0;
  auto again = skiff::oci::Reference::parse(r->str());
  if (!again || again->str() != r->str()) __builtin_trap();
  return 0;
}
