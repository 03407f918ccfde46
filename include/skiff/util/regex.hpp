#pragma once
// Regular expressions from users (`--filter name=…`): RE2, whose syntax is Go's (Docker's
// filters are Go regexps) and whose matching is linear in the input with bounded memory, so
// no pattern can make skiff backtrack for ever or overflow its stack (std::regex does both).

#include <memory>
#include <string_view>

#include "skiff/util/result.hpp"

namespace re2 {
class RE2;
}

namespace skiff {

class Regex {
 public:
  /// Compiles `pattern` (Go/RE2 syntax). kInvalid naming the pattern and the reason when it
  /// is malformed or needs more than the memory budget (a few MiB).
  static Result<Regex> compile(std::string_view pattern);

  /// True when the expression matches anywhere in `text` (Go's MatchString).
  bool search(std::string_view text) const;

  Regex(Regex&&) noexcept;
  Regex& operator=(Regex&&) noexcept;
  ~Regex();

 private:
  explicit Regex(std::unique_ptr<re2::RE2> re);
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace skiff
