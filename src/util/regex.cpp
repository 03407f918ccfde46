#include "skiff/util/regex.hpp"

#include <re2/re2.h>

#include <fmt/format.h>

namespace skiff {

// RE2's default budget is 8 MiB; a filter needs far less, and a hostile pattern
// (`(((a{100}){100}){100})`) is refused instead of compiled.
constexpr int64_t kRegexMemory = 4 << 20;

Regex::Regex(std::unique_ptr<re2::RE2> re) : re_(std::move(re)) {}
Regex::Regex(Regex&&) noexcept = default;
Regex& Regex::operator=(Regex&&) noexcept = default;
Regex::~Regex() = default;

Result<Regex> Regex::compile(std::string_view pattern) {
  RE2::Options opt;
  opt.set_log_errors(false);
  opt.set_max_mem(kRegexMemory);
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), opt);
  if (!re->ok())
    return fail(kInvalid, fmt::format("invalid regular expression \"{}\": {}", pattern, re->error()));
  return Regex(std::move(re));
}

bool Regex::search(std::string_view text) const {
  return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

}  // namespace skiff
