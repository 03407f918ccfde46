#include "skiff/util/json.hpp"

#include "skiff/util/fs.hpp"

namespace skiff {

Result<Json> parse_json(std::string_view text, std::string_view what) {
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

std::string json_str(const Json& j, std::string_view key, std::string_view dflt) {
  const Json& v = json_get(j, key);
  if (v.is_string()) return v.get<std::string>();
  return std::string(dflt);
}

int64_t json_int(const Json& j, std::string_view key, int64_t dflt) {
  const Json& v = json_get(j, key);
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_number_unsigned()) return int64_t(v.get<uint64_t>());
  if (v.is_number_float()) return int64_t(v.get<double>());
  return dflt;
}

bool json_bool(const Json& j, std::string_view key, bool dflt) {
  const Json& v = json_get(j, key);
  if (v.is_boolean()) return v.get<bool>();
  return dflt;
}

}  // namespace skiff
