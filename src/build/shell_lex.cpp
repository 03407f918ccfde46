// BuildKit's Dockerfile shell lexer, rewritten (frontend/dockerfile/shell/lex.go): the rules
// for $VAR, ${VAR…} modifiers, quotes and escapes, and the word splitting of ProcessWords.

#include "shell_lex.hpp"

#include <fmt/format.h>

namespace skiff::build::detail {
namespace {

constexpr int kEof = -1;

// Accumulates words as lex.go's wordsStruct: unquoted whitespace ends a word, quoted text and
// escaped characters always belong to one.
struct Words {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;

  void add_char(char c) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
      if (in_word) {
        words.push_back(std::move(cur));
        cur.clear();
        in_word = false;
      }
      return;
    }
    cur.push_back(c);
    in_word = true;
  }
  void add_raw_char(char c) {
    cur.push_back(c);
    in_word = true;
  }
  void add_string(std::string_view s) {
    for (char c : s) add_char(c);
  }
  void add_raw_string(std::string_view s) {
    cur.append(s);
    in_word = true;
  }
  std::vector<std::string> get() {
    if (in_word) {
      words.push_back(std::move(cur));
      cur.clear();
      in_word = false;
    }
    return std::move(words);
  }
};

bool is_name_char(int c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c >= 0x80;  // Go's unicode.IsLetter accepts non-ASCII letters; keep UTF-8 bytes whole
}
bool is_digit(int c) { return c >= '0' && c <= '9'; }
bool is_special_param(int c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' ||
         c == '0';
}

class Lexer {
 public:
  Lexer(std::string_view s, const Vars& vars, const LexOptions& o, std::set<std::string>* used)
      : s_(s), vars_(vars), o_(o), used_(used) {}

  int peek() const { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_]) : kEof; }
  int next() { return pos_ < s_.size() ? static_cast<unsigned char>(s_[pos_++]) : kEof; }
  bool at_end() const { return pos_ >= s_.size(); }

  // processStopOn: until `stop` (consumed) or the end. Returns the result and the words.
  Status stop_on(int stop, bool raw_escapes, std::string& result, Words& words) {
    const char esc = o_.escape;
    while (peek() != kEof) {
      int ch = peek();
      if (stop != kEof && ch == stop) {
        next();
        return ok();
      }
      if (ch == '\'' || ch == '"' || ch == '$') {
        std::string tmp;
        if (ch == '\'') {
          tmp = TRY(single_quote());
        } else if (ch == '"') {
          tmp = TRY(double_quote());
        } else {
          tmp = TRY(dollar());
        }
        result += tmp;
        if (ch == '$')
          words.add_string(tmp);
        else
          words.add_raw_string(tmp);
        continue;
      }
      ch = next();
      if (ch == static_cast<unsigned char>(esc)) {
        if (raw_escapes) {
          words.add_raw_char(static_cast<char>(ch));
          result.push_back(static_cast<char>(ch));
        }
        ch = next();
        if (ch == kEof) break;
        words.add_raw_char(static_cast<char>(ch));
      } else {
        words.add_char(static_cast<char>(ch));
      }
      result.push_back(static_cast<char>(ch));
    }
    if (stop != kEof)
      return fail(kInvalid, fmt::format("unexpected end of statement while looking for matching {}",
                                        static_cast<char>(stop)));
    return ok();
  }

  Result<std::string> single_quote() {
    // All chars between single quotes are taken as-is; no escapes.
    std::string out;
    next();
    if (o_.raw_quotes) out.push_back('\'');
    for (;;) {
      int ch = next();
      if (ch == kEof)
        return fail(kInvalid, "unexpected end of statement while looking for matching single-quote");
      if (ch == '\'') break;
      out.push_back(static_cast<char>(ch));
    }
    if (o_.raw_quotes) out.push_back('\'');
    return out;
  }

  Result<std::string> double_quote() {
    std::string out;
    next();
    if (o_.raw_quotes) out.push_back('"');
    const int esc = static_cast<unsigned char>(o_.escape);
    for (;;) {
      int ch = peek();
      if (ch == kEof)
        return fail(kInvalid, "unexpected end of statement while looking for matching double-quote");
      if (ch == '"') {
        next();
        break;
      }
      if (ch == '$') {
        out += TRY(dollar());
        continue;
      }
      ch = next();
      if (ch == esc) {
        int p = peek();
        if (p == kEof) continue;  // an escape at the end of the word is dropped
        if (p == '"' || p == '$' || p == esc) {
          if (o_.raw_escapes) out.push_back(static_cast<char>(ch));
          ch = next();
        }
      }
      out.push_back(static_cast<char>(ch));
    }
    if (o_.raw_quotes) out.push_back('"');
    return out;
  }

  std::string name() {
    std::string n;
    while (peek() != kEof) {
      int ch = peek();
      if (n.empty() && is_digit(ch)) {
        while (peek() != kEof && is_digit(peek())) n.push_back(static_cast<char>(next()));
        return n;
      }
      if (n.empty() && is_special_param(ch)) {
        n.push_back(static_cast<char>(next()));
        return n;
      }
      if (!is_name_char(ch)) break;
      n.push_back(static_cast<char>(next()));
    }
    return n;
  }

  const std::string* lookup(const std::string& n) {
    if (used_) used_->insert(n);
    auto it = vars_.find(n);
    return it == vars_.end() ? nullptr : &it->second;
  }

  Result<std::string> dollar() {
    next();  // '$'
    if (peek() != '{') {
      std::string n = name();
      if (n.empty()) return std::string("$");
      const std::string* v = lookup(n);
      if (!v && o_.skip_unset) return "$" + n;
      return v ? *v : std::string();
    }
    next();  // '{'
    if (depth_ >= kMaxDepth)
      return fail(kInvalid, fmt::format("substitutions nested more than {} deep", kMaxDepth));
    ++depth_;
    auto r = brace();
    --depth_;
    return r;
  }

  // After "${": the name, an optional modifier and its word, and the '}'.
  Result<std::string> brace() {
    switch (peek()) {
      case kEof:
        return fail(kInvalid, "syntax error: missing '}'");
      case '{':
      case '}':
      case ':':
        return fail(kInvalid, "syntax error: bad substitution");
      default:
        break;
    }
    std::string n = name();
    int ch = next();
    std::string chs = ch == kEof ? std::string() : std::string(1, static_cast<char>(ch));
    bool null_is_unset = false;
    if (ch == '}') {
      const std::string* v = lookup(n);
      if (!v && o_.skip_unset) return fmt::format("${{{}}}", n);
      return v ? *v : std::string();
    }
    if (ch == kEof) return fail(kInvalid, "syntax error: missing '}'");
    if (n.empty()) return fail(kInvalid, "syntax error: bad substitution");
    if (ch == ':') {
      null_is_unset = true;
      ch = next();
      if (ch == kEof) return fail(kInvalid, "syntax error: missing '}'");
      chs.push_back(static_cast<char>(ch));
    }
    if (ch != '+' && ch != '-' && ch != '?' && ch != '#' && ch != '%' && ch != '/')
      return fail(kInvalid, fmt::format("unsupported modifier ({}) in substitution", chs));
    if (ch == '/' && null_is_unset)
      return fail(kInvalid, fmt::format("unsupported modifier ({}) in substitution", chs));
    bool raw = ch == '#' || ch == '%' || ch == '/';
    if (null_is_unset && raw)
      return fail(kInvalid, fmt::format("unsupported modifier ({}) in substitution", chs));
    if (ch == '/') return replace(n);
    if (ch == '#' || ch == '%') {
      // ${VAR#pat} / ${VAR##pat} / ${VAR%pat} / ${VAR%%pat}
      bool longest = false;
      if (peek() == ch) {
        next();
        longest = true;
      }
      std::string pat;
      Words w;
      TRY(stop_or_eof('}', true, pat, w));
      const std::string* v = lookup(n);
      if (!v && o_.skip_unset)
        return fmt::format("${{{}{}{}{}}}", n, chs, longest ? chs : "", pat);
      std::string value = v ? *v : std::string();
      return trim_pattern(value, pat, ch == '#', longest);
    }
    std::string word;
    Words w;
    TRY(stop_or_eof('}', false, word, w));
    const std::string* v = lookup(n);
    if (!v && o_.skip_unset) return fmt::format("${{{}{}{}}}", n, chs, word);
    bool set = v != nullptr;
    std::string value = v ? *v : std::string();
    switch (ch) {
      case '-':
        if (!set || (null_is_unset && value.empty())) return word;
        return value;
      case '+':
        if (!set || (null_is_unset && value.empty())) return std::string();
        return word;
      default: {  // '?'
        if (!set)
          return fail(kInvalid, fmt::format("{}: {}", n, word.empty() ? "is not allowed to be unset" : word));
        if (null_is_unset && value.empty())
          return fail(kInvalid, fmt::format("{}: {}", n, word.empty() ? "is not allowed to be empty" : word));
        return value;
      }
    }
  }

  Status stop_or_eof(int stop, bool raw_escapes, std::string& out, Words& w) {
    auto st = stop_on(stop, raw_escapes, out, w);
    if (!st) {
      if (at_end()) return fail(kInvalid, "syntax error: missing '}'");
      return st;
    }
    return ok();
  }

  // ${VAR/pattern/replacement}, ${VAR//pattern/replacement}
  Result<std::string> replace(const std::string& n) {
    bool all = false;
    if (peek() == '/') {
      next();
      all = true;
    }
    std::string pat, repl;
    Words w1, w2;
    // The pattern ends at an unescaped '/' or '}'.
    std::string_view rest = s_.substr(pos_);
    size_t i = 0;
    for (; i < rest.size(); ++i) {
      if (rest[i] == o_.escape && i + 1 < rest.size()) {
        pat.push_back(rest[i]);
        pat.push_back(rest[++i]);
        continue;
      }
      if (rest[i] == '/' || rest[i] == '}') break;
      pat.push_back(rest[i]);
    }
    if (i >= rest.size()) return fail(kInvalid, "syntax error: missing '}'");
    pos_ += i + 1;
    if (rest[i] == '/') {
      TRY(stop_or_eof('}', true, repl, w2));
    }
    const std::string* v = lookup(n);
    std::string value = v ? *v : std::string();
    if (pat.empty()) return value;
    std::string out;
    size_t p = 0;
    for (;;) {
      // Longest match of the glob `pat` at the first position where it matches.
      bool found = false;
      for (size_t start = p; start < value.size() && !found; ++start) {
        for (size_t end = value.size(); end > start; --end) {
          if (glob_match(pat, std::string_view(value).substr(start, end - start))) {
            out.append(value, p, start - p);
            out += repl;
            p = end;
            found = true;
            break;
          }
        }
      }
      if (!found || !all) break;
    }
    out.append(value, p);
    return out;
  }

  // Shell glob for ${…#…} and friends: * ? [..] and escapes.
  bool glob_match(std::string_view pat, std::string_view str) const {
    size_t p = 0, s = 0, star_p = std::string_view::npos, star_s = 0;
    while (s < str.size()) {
      if (p < pat.size()) {
        char c = pat[p];
        if (c == '*') {
          star_p = p++;
          star_s = s;
          continue;
        }
        if (c == '?') {
          ++p;
          ++s;
          continue;
        }
        if (c == '[') {
          size_t q = p + 1;
          bool neg = false;
          if (q < pat.size() && (pat[q] == '!' || pat[q] == '^')) {
            neg = true;
            ++q;
          }
          bool matched = false, closed = false;
          size_t first = q;
          for (; q < pat.size(); ++q) {
            if (pat[q] == ']' && q > first) {
              closed = true;
              break;
            }
            char lo = pat[q], hi = lo;
            if (q + 2 < pat.size() && pat[q + 1] == '-' && pat[q + 2] != ']') {
              hi = pat[q + 2];
              q += 2;
            }
            if (str[s] >= lo && str[s] <= hi) matched = true;
          }
          if (closed && matched != neg) {
            p = q + 1;
            ++s;
            continue;
          }
          if (!closed && c == str[s]) {
            ++p;
            ++s;
            continue;
          }
        } else {
          if (c == o_.escape && p + 1 < pat.size()) c = pat[++p];
          if (c == str[s]) {
            ++p;
            ++s;
            continue;
          }
        }
      }
      if (star_p == std::string_view::npos) return false;
      p = star_p + 1;
      s = ++star_s;
    }
    while (p < pat.size() && pat[p] == '*') ++p;
    return p == pat.size();
  }

  std::string trim_pattern(const std::string& value, const std::string& pat, bool prefix,
                           bool longest) const {
    const size_t n = value.size();
    std::string_view v(value);
    if (prefix) {
      if (longest) {
        for (size_t k = n + 1; k-- > 0;)
          if (glob_match(pat, v.substr(0, k))) return value.substr(k);
      } else {
        for (size_t k = 0; k <= n; ++k)
          if (glob_match(pat, v.substr(0, k))) return value.substr(k);
      }
    } else {
      if (longest) {
        for (size_t k = 0; k <= n; ++k)
          if (glob_match(pat, v.substr(k))) return value.substr(0, k);
      } else {
        for (size_t k = n + 1; k-- > 0;)
          if (glob_match(pat, v.substr(k))) return value.substr(0, k);
      }
    }
    return value;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
  const Vars& vars_;
  const LexOptions& o_;
  std::set<std::string>* used_;
  static constexpr int kMaxDepth = 100;
  int depth_ = 0;
};

}  // namespace

Result<LexResult> lex_process(std::string_view text, const Vars& vars, const LexOptions& opts,
                              std::set<std::string>* used) {
  Lexer lx(text, vars, opts, used);
  LexResult r;
  Words w;
  TRY(lx.stop_on(kEof, opts.raw_escapes, r.result, w));
  r.words = w.get();
  return r;
}

}  // namespace skiff::build::detail
