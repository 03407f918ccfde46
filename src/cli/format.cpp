// Interim: field paths and `json` only. Replaced by the Go template engine (template.cpp).
#include "format.hpp"

#include "skiff/util/strings.hpp"

namespace skiff::cli {

static Result<std::string> render(std::string_view f, const Json& obj) {
  std::string out;
  size_t i = 0;
  while (i < f.size()) {
    size_t b = f.find("{{", i);
    if (b == std::string_view::npos) {
      out.append(f.substr(i));
      break;
    }
    out.append(f.substr(i, b - i));
    size_t e = f.find("}}", b);
    if (e == std::string_view::npos) return fail(kInvalid, "template: unclosed action");
    std::string act(trim(f.substr(b + 2, e - b - 2)));
    bool as_json = false;
    if (act.rfind("json ", 0) == 0) {
      as_json = true;
      act = std::string(trim(act.substr(5)));
    }
    const Json* cur = &obj;
    if (act != ".") {
      for (auto& part : split(act.substr(1), '.')) {
        if (!cur->is_object() || !cur->contains(part)) return fail(kInvalid, fmt::format("template: can't evaluate field {}", part));
        cur = &(*cur)[part];
      }
    }
    if (as_json || !cur->is_string()) out += to_json(*cur);
    else out += cur->get<std::string>();
    i = e + 2;
  }
  return out;
}

Result<std::string> format_list(std::string_view user_format, std::string_view default_format,
                                const std::vector<Json>& rows,
                                const std::map<std::string, std::string>&) {
  std::string_view f = user_format.empty() ? default_format : user_format;
  std::string out;
  if (f == "json") {
    for (auto& r : rows) out += to_json(r) + "\n";
    return out;
  }
  if (f.rfind("table", 0) == 0) f = trim(f.substr(5));
  std::string ff = replace_all(f, "\\t", "\t");
  for (auto& r : rows) out += TRY(render(ff, r)) + "\n";
  return out;
}

Result<std::string> format_object(std::string_view user_format, const Json& obj) {
  if (user_format == "json") return to_json(obj) + "\n";
  return TRY(render(user_format, obj)) + "\n";
}

}  // namespace skiff::cli
