#pragma once
// Shared by the libFuzzer targets (tests/fuzz/<target>_fuzz.cpp, `make fuzz`): each defines
// LLVMFuzzerTestOneInput; every input must end in a value or an error, never a crash, a hang
// or a sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

inline std::string_view fuzz_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// Splits the input at the first NUL: a target taking two strings (a template and a value, a
// flag name and its value) reads both from one input.
inline std::pair<std::string_view, std::string_view> fuzz_split(std::string_view s) {
  size_t nul = s.find('\0');
  if (nul == std::string_view::npos) return {s, {}};
  return {s.substr(0, nul), s.substr(nul + 1)};
}
