#pragma once
// Shell completion over the command table, speaking cobra's `__complete` protocol
// (conventions-research.md §3.1), so docker's and podman's completion scripts can drive skiff
// too. The shell runs `skiff __complete ARG… PARTIAL` (PARTIAL is '' after a space); stdout is
// one `value\tdescription` line per candidate, then `:<directive>`.

#include <functional>
#include <memory>

#include "command.hpp"
#include "complete_sources.hpp"

namespace skiff::cli {

/// cobra's ShellCompDirective bits.
enum CompDirective : int {
  kCompDefault = 0,         ///< the shell may fall back to file names
  kCompError = 1,           ///< completion failed: offer nothing
  kCompNoSpace = 2,         ///< no space after the (single) candidate
  kCompNoFileComp = 4,      ///< no file names when there are no candidates
  kCompFilterFileExt = 8,   ///< candidates are file extensions to filter on
  kCompFilterDirs = 16,     ///< directories only (a candidate, if any, is the directory to look in)
  kCompKeepOrder = 32,      ///< keep the candidates' order
};

struct CompResult {
  std::vector<std::string> candidates;  ///< "value" or "value\tdescription"
  int directive = kCompDefault;
  std::string error;  ///< why nothing was found (stderr only)
};

/// Makes the source of dynamic candidates when one is first needed; the global options typed
/// on the line (--root, --runroot) say which store. May return nullptr (no candidates).
using SourceFactory = std::function<std::unique_ptr<CompSource>(const GlobalOptions&)>;

/// Completes `args`: the words after the program name, the last one being the partial word.
CompResult complete(const Table& t, std::span<const std::string> args, const SourceFactory& make_source);

/// `__complete`'s stdout: the candidates (descriptions dropped unless `descriptions`; each cut
/// at its first newline and trimmed), then ":<directive>\n".
std::string render_candidates(const CompResult& r, bool descriptions);
/// "ShellCompDirectiveNoFileComp", "ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp", …
std::string directive_names(int d);

/// The completion script for "bash", "zsh" or "fish" ("" for another shell); it calls
/// `skiff __complete` (`__completeNoDesc` when `descriptions` is false).
std::string completion_script(std::string_view shell, bool descriptions);

}  // namespace skiff::cli
