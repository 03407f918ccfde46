#include "skiff/util/toml.hpp"

#include <sstream>

#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "skiff/util/fs.hpp"

namespace skiff {

static Json convert(const toml::node& n) {
  if (auto t = n.as_table()) {
    Json o = Json::object();
    for (auto& [k, v] : *t) o[std::string(k.str())] = convert(v);
    return o;
  }
  if (auto a = n.as_array()) {
    Json arr = Json::array();
    for (auto& v : *a) arr.push_back(convert(v));
    return arr;
  }
  if (auto s = n.as_string()) return Json(s->get());
  if (auto i = n.as_integer()) return Json(i->get());
  if (auto f = n.as_floating_point()) return Json(f->get());
  if (auto b = n.as_boolean()) return Json(b->get());
  std::ostringstream os;
  if (auto d = n.as_date()) os << d->get();
  else if (auto tm = n.as_time()) os << tm->get();
  else if (auto dt = n.as_date_time()) os << dt->get();
  return Json(os.str());
}

Result<Json> parse_toml(const std::string& text, const std::string& name) {
  try {
    toml::table t = toml::parse(text, name);
    return convert(t);
  } catch (const toml::parse_error& e) {
    return fail(kInvalid, fmt::format("`{}` line {}, column {}: {}", name, e.source().begin.line,
                                      e.source().begin.column, std::string(e.description())));
  } catch (const std::exception& e) {
    return fail(kInvalid, fmt::format("`{}`: {}", name, e.what()));
  }
}

Result<Json> read_toml_file(const std::string& path) {
  auto text = read_file(path, 4u << 20);
  if (!text) return text.error();
  return parse_toml(*text, path);
}

}  // namespace skiff
