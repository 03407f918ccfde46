// Flag values with a grammar: --mount and --tmpfs (never -v: a bind source that is missing is
// created, and a fuzzer must not create host directories), --ulimit, durations, sizes, times.
// The first byte picks the parser; the rest is the value.
#include "fuzz.hpp"
#include "engine/mounts.hpp"
#include "skiff/runtime/rlimits.hpp"
#include "skiff/util/time.hpp"

using namespace skiff;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string v(fuzz_text(data + 1, size - 1));
  switch (data[0] % 6) {
    case 0:
      // Only volume and tmpfs mounts: a bind mount names host paths.
      if (v.find("bind") == std::string::npos && v.find("type") != std::string::npos)
        (void)engine::parse_mount_flags({}, {v}, {});
      break;
    case 1: (void)engine::parse_mount_flags({}, {}, {v}); break;
    case 2: (void)runtime::parse_ulimit(v); break;
    case 3: (void)parse_go_duration(v); break;
    case 4: (void)parse_ram_size(v); break;
    case 5: (void)parse_time_filter(v, now_ns()); break;
  }
  return 0;
}
