// Docker's environment rules (see env.hpp).
#include "env.hpp"

#include <stdlib.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

std::string host_env(const std::string& name) {
  const char* v = getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

}  // namespace

// Docker: "NAME=value" literally; a bare "NAME" copies the caller's value (omitted if unset).
Status add_env(std::vector<std::string>& env, const std::string& entry, const std::string& origin) {
  auto [k, v] = split_once(entry, '=');
  if (k.empty()) return fail(kInvalid, fmt::format("invalid environment variable: {}", entry));
  if (k.find_first_of(" \t") != std::string::npos)
    return fail(kInvalid, fmt::format("invalid env file ({}): variable '{}' contains whitespaces", origin, k));
  std::string value;
  if (v) {
    value = *v;
  } else {
    if (!getenv(k.c_str())) return ok();
    value = host_env(k);
  }
  std::string kv = k + "=" + value;
  for (auto& e : env)
    if (e.compare(0, k.size() + 1, k + "=") == 0) {
      e = kv;
      return ok();
    }
  env.push_back(kv);
  return ok();
}

Status add_image_env(std::vector<std::string>& env, const std::string& entry) {
  if (entry.find('=') == std::string::npos) return ok();
  return add_env(env, entry, "image");
}

Status add_env_file(std::vector<std::string>& env, const std::string& path) {
  auto text = read_file(path, 16 << 20);
  if (!text) return wrap(text.error(), fmt::format("open env file `{}`", path));
  if (text->rfind("\xEF\xBB\xBF", 0) == 0) text->erase(0, 3);  // a UTF-8 byte order mark (Docker drops it)
  for (auto& raw : split(*text, '\n')) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Leading whitespace is trimmed, trailing kept (Docker).
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (line[0] == '#') continue;
    TRY(add_env(env, line, path));
  }
  return ok();
}

}  // namespace skiff::engine
