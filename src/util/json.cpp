#include "skiff/util/json.hpp"

#include <algorithm>
#include <cstdint>

#include "skiff/util/fs.hpp"

namespace skiff {

// Nesting depth of a JSON text (arrays and objects, outside strings), stopping past `limit`:
// one linear pass, so a hostile document is refused before any value is built. No OCI, Docker
// or registry document nests more than a handful of levels; a deep one would make recursive
// code (copies, comparisons, our own walkers) overflow the stack.
static size_t json_depth_exceeds(std::string_view text, size_t limit) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return i;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return std::string_view::npos;
}

Result<Json> parse_json(std::string_view text, std::string_view what) {
  if (size_t at = json_depth_exceeds(text, kJsonMaxDepth); at != std::string_view::npos)
    return fail(kCorrupt, fmt::format("{}: JSON nested more than {} levels deep (at byte {})", what, kJsonMaxDepth, at));
  // The callback-less, non-throwing parse returns a discarded value on error; re-run the
  // throwing form only to learn the byte position for the message.
  Json j = Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (!j.is_discarded()) return j;
  try {
    Json discard = Json::parse(text.begin(), text.end());
    (void)discard;
  } catch (const nlohmann::json::parse_error& e) {
    return fail(kCorrupt, fmt::format("{}: invalid JSON at byte {}", what, e.byte));
  } catch (...) {
  }
  return fail(kCorrupt, fmt::format("{}: invalid JSON", what));
}

Result<Json> read_json_file(std::string_view path, size_t limit) {
  auto text = read_file(path, limit);
  if (!text) return text.error();
  return parse_json(*text, fmt::format("`{}`", path));
}

std::string to_json(const Json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string to_json_pretty(const Json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::json::error_handler_t::replace);
}

Status write_json_atomic(std::string_view path, const Json& j, mode_t mode, bool sync) {
  return write_file_atomic(path, to_json(j), mode, sync);
}

static const Json& null_json() {
  static const Json n;
  return n;
}

const Json& json_get(const Json& j, std::string_view key) {
  if (!j.is_object()) return null_json();
  auto it = j.find(key);
  if (it == j.end()) return null_json();
  return *it;
}

std::vector<std::string> strings_of(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

std::string json_str(const Json& j, std::string_view key, std::string_view dflt) {
  const Json& v = json_get(j, key);
  if (v.is_string()) return v.get<std::string>();
  return std::string(dflt);
}

int64_t json_int(const Json& j, std::string_view key, int64_t dflt) {
  const Json& v = json_get(j, key);
  if (v.is_number_unsigned()) return int64_t(std::min<uint64_t>(v.get<uint64_t>(), INT64_MAX));
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_float()) {  // saturated: converting an out-of-range double is undefined
    double d = v.get<double>();
    if (d != d) return dflt;
    if (d >= 9223372036854775807.0) return INT64_MAX;
    if (d <= -9223372036854775808.0) return INT64_MIN;
    return int64_t(d);
  }
  return dflt;
}

bool json_bool(const Json& j, std::string_view key, bool dflt) {
  const Json& v = json_get(j, key);
  if (v.is_boolean()) return v.get<bool>();
  return dflt;
}

}  // namespace skiff
