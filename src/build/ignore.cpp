// Go's path/filepath.Match and moby/patternmatcher (the .dockerignore rules), rewritten.

#include <fmt/format.h>

#include "skiff/build/context.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::build {
namespace {

// One UTF-8 code point from the front of `s` (Go's utf8.DecodeRuneInString); invalid bytes
// decode as 0xFFFD with length 1.
std::pair<uint32_t, size_t> decode_rune(std::string_view s) {
  if (s.empty()) return {0xFFFD, 0};
  auto c = static_cast<unsigned char>(s[0]);
  if (c < 0x80) return {c, 1};
  size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 0;
  if (n == 0 || n > s.size() || c >= 0xF8) return {0xFFFD, 1};
  uint32_t r = c & (0x7F >> n);
  for (size_t i = 1; i < n; ++i) {
    auto d = static_cast<unsigned char>(s[i]);
    if ((d & 0xC0) != 0x80) return {0xFFFD, 1};
    r = (r << 6) | (d & 0x3F);
  }
  return {r, n};
}

struct BadPattern {};

// getEsc: one (possibly escaped) character of a class.
bool get_esc(std::string_view& chunk, uint32_t& r) {
  if (chunk.empty() || chunk[0] == '-' || chunk[0] == ']') return false;
  if (chunk[0] == '\\') {
    chunk.remove_prefix(1);
    if (chunk.empty()) return false;
  }
  auto [rr, n] = decode_rune(chunk);
  if (rr == 0xFFFD && n == 1 && static_cast<unsigned char>(chunk[0]) >= 0x80) return false;
  r = rr;
  chunk.remove_prefix(n);
  return !chunk.empty();
}

// matchChunk: 1 matched (rest in `rest`), 0 no match, -1 bad pattern.
int match_chunk(std::string_view chunk, std::string_view s, std::string_view& rest) {
  bool failed = false;
  while (!chunk.empty()) {
    if (!failed && s.empty()) failed = true;
    char c = chunk[0];
    if (c == '[') {
      uint32_t r = 0;
      if (!failed) {
        auto [rr, n] = decode_rune(s);
        r = rr;
        s.remove_prefix(n);
      }
      chunk.remove_prefix(1);
      bool negated = false;
      if (!chunk.empty() && chunk[0] == '^') {
        negated = true;
        chunk.remove_prefix(1);
      }
      bool match = false;
      int nrange = 0;
      for (;;) {
        if (!chunk.empty() && chunk[0] == ']' && nrange > 0) {
          chunk.remove_prefix(1);
          break;
        }
        uint32_t lo, hi;
        if (!get_esc(chunk, lo)) return -1;
        hi = lo;
        if (chunk[0] == '-') {
          chunk.remove_prefix(1);
          if (!get_esc(chunk, hi)) return -1;
        }
        if (lo <= r && r <= hi) match = true;
        ++nrange;
      }
      if (match == negated) failed = true;
    } else if (c == '?') {
      if (!failed) {
        if (s[0] == '/') failed = true;
        auto [rr, n] = decode_rune(s);
        (void)rr;
        s.remove_prefix(n);
      }
      chunk.remove_prefix(1);
    } else {
      if (c == '\\') {
        chunk.remove_prefix(1);
        if (chunk.empty()) return -1;
      }
      if (!failed) {
        if (chunk[0] != s[0]) failed = true;
        s.remove_prefix(1);
      }
      chunk.remove_prefix(1);
    }
  }
  if (failed) return 0;
  rest = s;
  return 1;
}

void scan_chunk(std::string_view& pattern, bool& star, std::string_view& chunk) {
  star = false;
  while (!pattern.empty() && pattern[0] == '*') {
    pattern.remove_prefix(1);
    star = true;
  }
  bool inrange = false;
  size_t i = 0;
  for (; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size()) ++i;
    } else if (c == '[') {
      inrange = true;
    } else if (c == ']') {
      inrange = false;
    } else if (c == '*' && !inrange) {
      break;
    }
  }
  chunk = pattern.substr(0, i);
  pattern.remove_prefix(i);
}

}  // namespace

Result<bool> path_match(std::string_view pattern, std::string_view name) {
  auto bad = [&]() -> Result<bool> {
    return fail(kInvalid, fmt::format("syntax error in pattern \"{}\"", pattern));
  };
  std::string_view pat = pattern;
  while (!pat.empty()) {
    bool star;
    std::string_view chunk;
    scan_chunk(pat, star, chunk);
    if (star && chunk.empty()) return name.find('/') == std::string_view::npos;
    std::string_view t;
    int m = match_chunk(chunk, name, t);
    if (m == 1 && (t.empty() || !pat.empty())) {
      name = t;
      continue;
    }
    if (m < 0) return bad();
    bool next_pattern = false;
    if (star) {
      for (size_t i = 0; i < name.size() && name[i] != '/'; ++i) {
        int m2 = match_chunk(chunk, name.substr(i + 1), t);
        if (m2 == 1) {
          if (pat.empty() && !t.empty()) continue;
          name = t;
          next_pattern = true;
          break;
        }
        if (m2 < 0) return bad();
      }
    }
    if (next_pattern) continue;
    while (!pat.empty()) {
      scan_chunk(pat, star, chunk);
      std::string_view dummy;
      if (match_chunk(chunk, "", dummy) < 0) return bad();
    }
    return false;
  }
  return name.empty();
}

// ---- patternmatcher ---------------------------------------------------------------------------

namespace {

// Go's filepath.Clean for a relative or absolute '/'-path ("" → ".").
std::string go_clean(std::string_view p) {
  if (p.empty()) return ".";
  bool abs = p[0] == '/';
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view c = p.substr(i, j - i);
    i = j + 1;
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!out.empty() && out.back() != "..")
        out.pop_back();
      else if (!abs)
        out.push_back(c);
      continue;
    }
    out.push_back(c);
  }
  if (out.empty()) return abs ? std::string("/") : std::string(".");
  std::string r;
  for (size_t k = 0; k < out.size(); ++k) {
    if (k || abs) r.push_back('/');
    r.append(out[k]);
  }
  return r;
}

enum class MatchType { Exact, Prefix, Suffix, Regexp };

// A compiled pattern: patternmatcher's regexp as a token list.
enum class Tok { Lit, Star, Quest, Class, DStarSlash, Any };
struct Token {
  Tok t;
  char c = 0;
  std::string cls;  ///< class body, between the brackets
  int branch = -1;  ///< Star, Any, DStarSlash: its row in the matcher's memo
};

}  // namespace

struct CompiledPattern {
  MatchType type = MatchType::Exact;
  std::vector<Token> toks;
  int branches = 0;  ///< tokens that branch (the memo's rows)
};

namespace {

CompiledPattern compile(const std::string& pattern) {
  CompiledPattern cp;
  std::string_view p = pattern;
  size_t i = 0;
  for (size_t idx = 0; i < p.size(); ++idx) {
    char ch = p[i++];
    if (ch == '*') {
      if (i < p.size() && p[i] == '*') {
        ++i;
        if (i < p.size() && p[i] == '/') ++i;
        if (i >= p.size()) {
          if (cp.type == MatchType::Exact) {
            cp.type = MatchType::Prefix;
          } else {
            cp.toks.push_back({Tok::Any});
            cp.type = MatchType::Regexp;
          }
        } else {
          cp.toks.push_back({Tok::DStarSlash});
          cp.type = MatchType::Regexp;
        }
        if (idx == 0) cp.type = MatchType::Suffix;
      } else {
        cp.toks.push_back({Tok::Star});
        cp.type = MatchType::Regexp;
      }
    } else if (ch == '?') {
      cp.toks.push_back({Tok::Quest});
      cp.type = MatchType::Regexp;
    } else if (ch == '\\') {
      if (i < p.size()) {
        cp.toks.push_back({Tok::Lit, p[i++]});
        cp.type = MatchType::Regexp;
      } else {
        cp.toks.push_back({Tok::Lit, '\\'});
      }
    } else if (ch == '[') {
      // A class (filepath.Match validated it): up to the closing ']'.
      Token t{Tok::Class};
      size_t j = i;
      if (j < p.size() && p[j] == '^') ++j;
      if (j < p.size() && p[j] == ']') ++j;
      while (j < p.size() && p[j] != ']') {
        if (p[j] == '\\' && j + 1 < p.size()) ++j;
        ++j;
      }
      t.cls = std::string(p.substr(i, j - i));
      i = j < p.size() ? j + 1 : j;
      cp.toks.push_back(std::move(t));
      cp.type = MatchType::Regexp;
    } else {
      cp.toks.push_back({Tok::Lit, ch});
    }
  }
  for (auto& t : cp.toks)
    if (t.t == Tok::Star || t.t == Tok::Any || t.t == Tok::DStarSlash) t.branch = cp.branches++;
  return cp;
}

bool class_match(const std::string& cls, std::string_view s, size_t& n) {
  std::string_view c = cls;
  bool neg = false;
  if (!c.empty() && c[0] == '^') {
    neg = true;
    c.remove_prefix(1);
  }
  auto [r, len] = decode_rune(s);
  n = len;
  bool match = false;
  while (!c.empty()) {
    uint32_t lo;
    if (c[0] == '\\' && c.size() > 1) c.remove_prefix(1);
    auto [l, ln] = decode_rune(c);
    lo = l;
    c.remove_prefix(ln);
    uint32_t hi = lo;
    if (c.size() >= 2 && c[0] == '-') {
      c.remove_prefix(1);
      if (c[0] == '\\' && c.size() > 1) c.remove_prefix(1);
      auto [h, hn] = decode_rune(c);
      hi = h;
      c.remove_prefix(hn);
    }
    if (lo <= r && r <= hi) match = true;
  }
  // A negated class in a regexp matches '/' too; filepath.Match semantics keep it per name,
  // but patternmatcher's regexp is what Docker runs.
  return match != neg;
}

// The pattern's regexp semantics by backtracking, memoised on (token, offset) at the
// branching tokens, so `**/**/**/…` against a deep path stays polynomial.
class TokMatcher {
 public:
  TokMatcher(const CompiledPattern& cp, std::string_view s)
      : toks_(cp.toks), s_(s), memo_(size_t(cp.branches) * (s.size() + 1), -1) {}
  bool run() { return at(0, 0); }

 private:
  bool at(size_t ti, size_t pos) {
    while (ti < toks_.size()) {
      const Token& t = toks_[ti];
      std::string_view s = s_.substr(pos);
      switch (t.t) {
        case Tok::Lit:
          if (s.empty() || s[0] != t.c) return false;
          ++pos;
          ++ti;
          continue;
        case Tok::Quest: {
          if (s.empty() || s[0] == '/') return false;
          pos += decode_rune(s).second;
          ++ti;
          continue;
        }
        case Tok::Class: {
          size_t n = 0;
          if (s.empty() || !class_match(t.cls, s, n)) return false;
          pos += n;
          ++ti;
          continue;
        }
        default:
          return branch(ti, pos);
      }
    }
    return pos == s_.size();
  }

  bool branch(size_t ti, size_t pos) {
    int8_t& m = memo_[size_t(toks_[ti].branch) * (s_.size() + 1) + pos];
    if (m >= 0) return m;
    bool r = false;
    const size_t n = s_.size();
    switch (toks_[ti].t) {
      case Tok::Star:  // [^/]*
        for (size_t k = pos;; ++k) {
          if (at(ti + 1, k)) {
            r = true;
            break;
          }
          if (k >= n || s_[k] == '/') break;
        }
        break;
      case Tok::Any:  // .*
        for (size_t k = pos; k <= n && !r; ++k) r = at(ti + 1, k);
        break;
      default:  // (.*/)? : nothing, or anything ending in '/'
        r = at(ti + 1, pos);
        for (size_t k = pos; k < n && !r; ++k)
          if (s_[k] == '/') r = at(ti + 1, k + 1);
        break;
    }
    m = r ? 1 : 0;
    return r;
  }

  const std::vector<Token>& toks_;
  std::string_view s_;
  std::vector<int8_t> memo_;
};

bool rule_match(const IgnoreMatcher::Rule& r, std::string_view path) {
  const CompiledPattern& cp = *r.compiled;
  const std::string& p = r.pattern;
  switch (cp.type) {
    case MatchType::Exact:
      return path == p;
    case MatchType::Prefix:
      return path.substr(0, p.size() - 2) == std::string_view(p).substr(0, p.size() - 2) &&
             path.size() >= p.size() - 2;
    case MatchType::Suffix: {
      std::string_view suffix = std::string_view(p).substr(2);
      if (path.size() >= suffix.size() && path.substr(path.size() - suffix.size()) == suffix) return true;
      return !suffix.empty() && suffix[0] == '/' && path == suffix.substr(1);
    }
    case MatchType::Regexp:
      return TokMatcher(cp, path).run();
  }
  return false;
}

}  // namespace

Result<IgnoreMatcher> IgnoreMatcher::from_patterns(const std::vector<std::string>& patterns) {
  IgnoreMatcher m;
  for (const auto& raw : patterns) {
    std::string p(trim(raw));
    if (p.empty()) continue;
    Rule r;
    if (p[0] == '!') {
      if (p.size() == 1) return fail(kInvalid, "illegal exclusion pattern: \"!\"");
      r.exception = true;
      p = std::string(trim(std::string_view(p).substr(1)));
      if (p.empty()) return fail(kInvalid, "illegal exclusion pattern: \"!\"");
    }
    if (p.size() > 4096)
      return fail(kInvalid, fmt::format("pattern \"{}…\" is longer than 4096 bytes (no path is)", p.substr(0, 40)));
    p = go_clean(p);
    if (p.size() > 1 && p[0] == '/') p.erase(0, 1);
    auto chk = path_match(p, ".");
    if (!chk) return fail(kInvalid, fmt::format("invalid pattern \"{}\": {}", raw, chk.error().msg));
    r.pattern = p;
    r.parts = split(p, '/');
    r.compiled = std::make_shared<const CompiledPattern>(compile(p));
    m.rules_.push_back(std::move(r));
  }
  return m;
}

Result<IgnoreMatcher> IgnoreMatcher::parse(std::string_view text) {
  std::vector<std::string> pats;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  size_t i = 0;
  int line = 0;
  IgnoreMatcher m;
  while (i < text.size()) {
    size_t j = text.find('\n', i);
    if (j == std::string_view::npos) j = text.size();
    std::string_view l = text.substr(i, j - i);
    i = j + 1;
    ++line;
    if (!l.empty() && l[0] == '#') continue;
    l = trim(l);
    if (l.empty()) continue;
    auto one = from_patterns({std::string(l)});
    if (!one) return fail(kInvalid, fmt::format(".dockerignore line {}: {}", line, one.error().msg));
    for (auto& r : one->rules_) m.rules_.push_back(std::move(r));
  }
  return m;
}

bool IgnoreMatcher::excluded(std::string_view file) const {
  if (rules_.empty()) return false;
  bool matched = false;
  std::string_view parent;
  if (auto s = file.rfind('/'); s != std::string_view::npos) parent = file.substr(0, s);
  for (const auto& r : rules_) {
    if (r.exception != matched) continue;
    bool match = rule_match(r, file);
    if (!match && !parent.empty()) {
      for (size_t k = 0; k <= parent.size(); ++k) {
        if (k == parent.size() || parent[k] == '/') {
          if (rule_match(r, parent.substr(0, k))) {
            match = true;
            break;
          }
        }
      }
    }
    if (match) matched = !r.exception;
  }
  return matched;
}

bool IgnoreMatcher::may_include_below(std::string_view rel) const {
  std::vector<std::string> comps = split(rel, '/');
  for (const auto& r : rules_) {
    if (!r.exception) continue;
    bool possible = true;
    for (size_t i = 0; i < comps.size(); ++i) {
      if (i >= r.parts.size()) {
        possible = false;  // it names rel or a parent: excluded() already applied it
        break;
      }
      if (r.parts[i].find("**") != std::string::npos) break;
      auto m = path_match(r.parts[i], comps[i]);
      if (!m || !*m) {
        possible = false;
        break;
      }
    }
    if (possible) return true;
  }
  return false;
}

std::vector<std::string> IgnoreMatcher::patterns() const {
  std::vector<std::string> out;
  for (const auto& r : rules_) out.push_back((r.exception ? "!" : "") + r.pattern);
  return out;
}

}  // namespace skiff::build
