#pragma once
// TOML config files (registries.conf, containers.conf) read with toml++ into our Json tree.

#include <string>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// Parses TOML text. A syntax error is kInvalid: "`<name>` line L, column C: <reason>".
/// Dates/times become strings. Integers stay integers.
Result<Json> parse_toml(const std::string& text, const std::string& name);

/// Reads and parses a TOML file; ENOENT keeps its code so callers can skip missing files.
Result<Json> read_toml_file(const std::string& path);

}  // namespace skiff
