// Config files: TOML parsing, then registries.conf's validation of what parsed.
#include "fuzz.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/util/toml.hpp"

using namespace skiff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(fuzz_text(data, size));
  TomlLines lines;
  (void)parse_toml(text, "fuzz.conf", &lines);
  registry::RegistriesConf conf;
  if (registry::merge_registries_conf(conf, text, "registries.conf", false))
    (void)registry::validate_registries_conf(conf);
  return 0;
}
