// Registry documents: manifests, indexes and image configs as a registry may send them (any
// content type), and platform selection on what parses.
#include "fuzz.hpp"
#include "skiff/oci/image.hpp"

using namespace skiff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto text = fuzz_text(data, size);
  static const char* kTypes[] = {"", "application/vnd.oci.image.manifest.v1+json",
                                 "application/vnd.oci.image.index.v1+json",
                                 "application/vnd.docker.distribution.manifest.v2+json",
                                 "application/vnd.docker.distribution.manifest.list.v2+json"};
  for (const char* ct : kTypes) {
    (void)oci::classify_manifest(text, ct, "fuzz");
    (void)oci::parse_manifest(text, ct, "fuzz");
    if (auto idx = oci::parse_index(text, ct, "fuzz")) {
      auto p = oci::Platform::parse("linux/amd64");
      if (p) (void)oci::select_platform(*idx, *p);
    }
  }
  (void)oci::parse_image_config(text);
  return 0;
}
