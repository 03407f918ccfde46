#include "skiff/util/toml.hpp"

#include <sstream>

// toml++ checks its own invariants with assert(), and some malformed documents reach one (the
// single line `[/x]` does): an abort for a user's config file. Compiled out (NDEBUG) they would
// become assumptions on compilers with __builtin_assume. So a failed invariant only sets a flag
// (some are checked in noexcept functions: nothing may throw there), the parser goes on as a
// release build of the library does, and parse_toml reports the document as malformed.
namespace skiff {
static thread_local bool g_toml_invariant_failed = false;
static void toml_invariant_failed() noexcept { g_toml_invariant_failed = true; }
}  // namespace skiff
#define TOML_ASSERT(expr) ((expr) ? void(0) : ::skiff::toml_invariant_failed())
#define TOML_EXCEPTIONS 1
#include <toml++/toml.h>

#include "skiff/util/fs.hpp"

namespace skiff {

static Json convert(const toml::node& n, TomlLines* lines = nullptr, const std::string& path = "") {
  if (lines && !path.empty()) lines->lines[path] = int(n.source().begin.line);
  auto child = [&](std::string_view key) {
    return path.empty() ? std::string(key) : path + '\x1f' + std::string(key);
  };
  if (auto t = n.as_table()) {
    Json o = Json::object();
    for (auto& [k, v] : *t) o[std::string(k.str())] = convert(v, lines, child(k.str()));
    return o;
  }
  if (auto a = n.as_array()) {
    Json arr = Json::array();
    size_t i = 0;
    for (auto& v : *a) arr.push_back(convert(v, lines, child(std::to_string(i++))));
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

int TomlLines::line_of(const std::vector<std::string>& path) const {
  for (size_t n = path.size() + 1; n-- > 0;) {
    std::string key;
    for (size_t i = 0; i < n; ++i) key += (i ? "\x1f" : "") + path[i];
    auto it = lines.find(key);
    if (it != lines.end() && it->second > 0) return it->second;
  }
  return 0;
}

Result<Json> parse_toml(const std::string& text, const std::string& name) {
  return parse_toml(text, name, nullptr);
}

// The first line at which `text` trips one of the parser's invariants: the parser is one pass
// from the start, so a prefix that contains that line trips it too (binary search on prefixes).
static int invariant_line(const std::string& text, const std::string& name) {
  std::vector<size_t> ends;  // end offset of each line
  for (size_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') ends.push_back(i + 1);
  if (ends.empty() || ends.back() != text.size()) ends.push_back(text.size());
  auto trips = [&](size_t lines) {
    g_toml_invariant_failed = false;
    try {
      (void)toml::parse(std::string_view(text).substr(0, ends[lines - 1]), name);
    } catch (...) {
    }
    return g_toml_invariant_failed;
  };
  size_t lo = 1, hi = ends.size();
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (trips(mid)) hi = mid;
    else lo = mid + 1;
  }
  return int(lo);
}

// toml++ 3.3 reaches __builtin_unreachable() (undefined behaviour) when it asks whether some
// non-ASCII characters are whitespace (U+00A1..U+0499 and U+FC36..U+FEFE fall through its
// generated table), which it does wherever it expects whitespace. TOML 1.0 allows non-ASCII
// text only inside strings and comments, so such a character anywhere else (and after a
// multi-line string's line-ending backslash, where whitespace is skipped) is refused here,
// before the parser sees it. Returns the 1-based line of the first one, or 0.
static int non_ascii_outside_strings(std::string_view t) {
  enum { Normal, Comment, Basic, Literal, MlBasic, MlLiteral } st = Normal;
  int line = 1;
  auto at = [&](size_t i, std::string_view w) { return t.compare(i, w.size(), w) == 0; };
  if (t.substr(0, 3) == "\xEF\xBB\xBF") t.remove_prefix(3);  // a UTF-8 byte order mark is allowed
  for (size_t i = 0; i < t.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(t[i]);
    if (c == '\n') {
      ++line;
      if (st == Comment || st == Basic || st == Literal) st = Normal;
      continue;
    }
    switch (st) {
      case Normal: {
        if (c >= 0x80) return line;
        // A quote opens a string only where TOML has one (after `=`, `[`, `{`, `,`, `.` or at
        // the start of a line); elsewhere the parser is still reading the token before it and
        // classifies what follows, so the quote is not a string to this scan either.
        bool opens = true;
        if (c == '"' || c == '\'') {
          size_t k = i;
          while (k > 0 && (t[k - 1] == ' ' || t[k - 1] == '\t')) --k;
          char prev = k > 0 ? t[k - 1] : '\n';
          opens = prev == '=' || prev == '[' || prev == '{' || prev == ',' || prev == '.' || prev == '\n';
        }
        if (!opens) break;
        if (c == '#') st = Comment;
        else if (at(i, "\"\"\"")) st = MlBasic, i += 2;
        else if (c == '"') st = Basic;
        else if (at(i, "'''")) st = MlLiteral, i += 2;
        else if (c == '\'') st = Literal;
        break;
      }
      case Comment: break;
      case Basic:
        // A backslash before a non-ASCII character is no escape TOML has, and the parser asks
        // whether that character is whitespace: refused here, in both kinds of basic string.
        if (c == '\\' && i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) >= 0x80) return line;
        if (c == '\\' && i + 1 < t.size() && t[i + 1] != '\n') ++i;
        else if (c == '"') st = Normal;
        break;
      case Literal:
        if (c == '\'') st = Normal;
        break;
      case MlBasic:
        if (c == '\\') {
          size_t j = i + 1;
          while (j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r')) ++j;
          if (j < t.size() && t[j] == '\n') {  // line-ending backslash: whitespace is skipped
            for (; j < t.size() && (t[j] == ' ' || t[j] == '\t' || t[j] == '\r' || t[j] == '\n'); ++j)
              if (t[j] == '\n') ++line;
            if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80) return line;
            i = j - 1;
          } else if (j < t.size() && static_cast<unsigned char>(t[j]) >= 0x80) {
            return line;
          } else {
            ++i;
          }
        } else if (at(i, "\"\"\"")) {
          while (i + 1 < t.size() && t[i + 1] == '"') ++i;
          st = Normal;
        }
        break;
      case MlLiteral:
        if (at(i, "'''")) {
          while (i + 1 < t.size() && t[i + 1] == '\'') ++i;
          st = Normal;
        }
        break;
    }
  }
  return 0;
}

Result<Json> parse_toml(const std::string& text, const std::string& name, TomlLines* lines) {
  if (int l = non_ascii_outside_strings(text))
    return fail(kInvalid, fmt::format("`{}` line {}: invalid TOML: a non-ASCII character outside a string or comment",
                                      name, l));
  auto invariant_error = [&] {
    return fail(kInvalid, fmt::format("`{}` line {}: invalid TOML (a construct the parser cannot read)", name,
                                      invariant_line(text, name)));
  };
  g_toml_invariant_failed = false;
  try {
    toml::table t = toml::parse(text, name);
    if (g_toml_invariant_failed) return invariant_error();
    return convert(t, lines);
  } catch (const toml::parse_error& e) {
    if (g_toml_invariant_failed) return invariant_error();
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
