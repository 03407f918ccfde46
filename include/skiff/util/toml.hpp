#pragma once
// TOML config files (registries.conf, containers.conf) read with toml++ into our Json tree.

#include <map>
#include <string>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// Parses TOML text. A syntax error is kInvalid: "`<name>` line L, column C: <reason>".
/// Dates/times become strings. Integers stay integers.
Result<Json> parse_toml(const std::string& text, const std::string& name);

/// Where each value of a parsed TOML document starts, so that errors found after parsing
/// (a wrong type, a bad value) can name the line.
struct TomlLines {
  std::map<std::string, int> lines;  ///< path (keys/indices joined by '\x1f') → 1-based line
  /// The line of the value at `path` ({"registry", "0", "insecure"}), or of its nearest
  /// recorded ancestor; 0 if unknown.
  int line_of(const std::vector<std::string>& path) const;
};

/// Like parse_toml, also recording the line of every value into `lines`.
Result<Json> parse_toml(const std::string& text, const std::string& name, TomlLines* lines);

/// Reads and parses a TOML file; ENOENT keeps its code so callers can skip missing files.
Result<Json> read_toml_file(const std::string& path);

}  // namespace skiff
