#pragma once
// JSON: nlohmann::json (header-only, in Debian as nlohmann-json3-dev).
//
// Chosen over Poco::JSON because (1) it costs nothing at process start-up (Poco Foundation
// alone adds ~2 ms to every `skiff ps`), (2) `ordered_json` keeps insertion order, which
// Docker's `inspect` key order needs, and (3) it parses without exceptions. Our code never lets
// a nlohmann exception escape: parse through parse_json(), read fields with the helpers below.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "skiff/util/result.hpp"

namespace skiff {

/// Ordered JSON value: objects keep the order keys were inserted (Docker's output order).
using Json = nlohmann::ordered_json;

/// Deepest nesting parse_json accepts (arrays and objects).
inline constexpr size_t kJsonMaxDepth = 64;

/// Parses `text`; a syntax error is kCorrupt with "what: invalid JSON at byte N", and so is a
/// document nested deeper than kJsonMaxDepth (refused before anything is built).
Result<Json> parse_json(std::string_view text, std::string_view what = "JSON");

/// Reads and parses a JSON file.
Result<Json> read_json_file(std::string_view path, size_t limit = 64u << 20);

/// Serialises compactly (no spaces, no HTML escaping, UTF-8 kept).
std::string to_json(const Json& j);

/// Serialises with `indent` spaces (Docker's inspect uses 4).
std::string to_json_pretty(const Json& j, int indent = 4);

/// Writes `j` (compact) atomically to `path`.
Status write_json_atomic(std::string_view path, const Json& j, mode_t mode = 0644, bool sync = true);

/// Field getters that never throw: a missing key or a wrong type gives the default.
std::string json_str(const Json& j, std::string_view key, std::string_view dflt = "");
int64_t json_int(const Json& j, std::string_view key, int64_t dflt = 0);
bool json_bool(const Json& j, std::string_view key, bool dflt = false);
/// The member `key` if it exists (any type), else a null value.
const Json& json_get(const Json& j, std::string_view key);
/// The strings of an array (other elements skipped); empty if `j` is not an array.
std::vector<std::string> strings_of(const Json& j);

}  // namespace skiff
