#pragma once
// BuildKit's Dockerfile shell lexer (frontend/dockerfile/shell/lex.go): variable substitution,
// quotes and escapes for one word or a list of words. Private to the build module.

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/build/dockerfile.hpp"
#include "skiff/util/result.hpp"

namespace skiff::build::detail {

struct LexOptions {
  char escape = '\\';
  bool raw_quotes = false;     ///< keep quote characters in the result
  bool raw_escapes = false;    ///< keep escape characters in the result
  bool skip_unset = false;     ///< leave ${UNSET} as written (heredoc word parsing)
};

struct LexResult {
  std::string result;               ///< the whole text processed (whitespace kept)
  std::vector<std::string> words;   ///< split at unquoted whitespace
};

/// Processes `text` with `vars`; `used` collects referenced names.
Result<LexResult> lex_process(std::string_view text, const Vars& vars, const LexOptions& opts,
                              std::set<std::string>* used = nullptr);

}  // namespace skiff::build::detail
