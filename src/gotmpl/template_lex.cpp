// The template lexer: a port of the state machine in Go's text/template/parse/lex.go, so that
// tokens, positions, line numbers and error texts match Go's.
#include <algorithm>

#include "skiff/gotmpl/gofmt.hpp"
#include "skiff/util/strings.hpp"
#include "template_ast.hpp"

namespace skiff::gotmpl::tmpl {

namespace {

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";

bool is_space(uint32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }

bool has_left_trim_marker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && is_space(uint8_t(s[1])); }
bool has_right_trim_marker(std::string_view s) { return s.size() >= 2 && is_space(uint8_t(s[0])) && s[1] == '-'; }

size_t right_trim_length(std::string_view s) {
  size_t n = s.size();
  while (n > 0 && is_space(uint8_t(s[n - 1]))) --n;
  return s.size() - n;
}
size_t left_trim_length(std::string_view s) {
  size_t n = 0;
  while (n < s.size() && is_space(uint8_t(s[n]))) ++n;
  return n;
}
int count_newlines(std::string_view s) { return int(std::count(s.begin(), s.end(), '\n')); }

// s[p:], or "" past the end (string_view::substr would throw).
std::string_view tail(std::string_view s, size_t p) { return p <= s.size() ? s.substr(p) : std::string_view(); }

// fmt's %#U: U+0023 '#'.
std::string unicode_name(uint32_t r) {
  std::string s = fmt::format("U+{:04X}", r);
  if (gofmt::is_print(r)) {
    s += " '";
    gofmt::append_rune(s, r);
    s += '\'';
  }
  return s;
}

struct Keyword {
  std::string_view word;
  ItemType type;
};
constexpr Keyword kKeywords[] = {
    {"block", ItemType::kBlock}, {"break", ItemType::kBreak}, {"continue", ItemType::kContinue},
    {"define", ItemType::kDefine}, {"else", ItemType::kElse}, {"end", ItemType::kEnd},
    {"if", ItemType::kIf}, {"nil", ItemType::kNil}, {"range", ItemType::kRange},
    {"template", ItemType::kTemplate}, {"with", ItemType::kWith},
};

struct FuncName {
  std::string_view name;
  Func func;
};
constexpr FuncName kFuncs[] = {
    {"and", Func::kAnd}, {"call", Func::kCall}, {"eq", Func::kEq}, {"ge", Func::kGe},
    {"gt", Func::kGt}, {"html", Func::kHtml}, {"index", Func::kIndex}, {"join", Func::kJoin},
    {"js", Func::kJs}, {"json", Func::kJson}, {"le", Func::kLe}, {"len", Func::kLen},
    {"lower", Func::kLower}, {"lt", Func::kLt}, {"ne", Func::kNe}, {"not", Func::kNot},
    {"or", Func::kOr}, {"pad", Func::kPad}, {"print", Func::kPrint}, {"printf", Func::kPrintf},
    {"println", Func::kPrintln}, {"slice", Func::kSlice}, {"split", Func::kSplit},
    {"title", Func::kTitle}, {"truncate", Func::kTruncate}, {"upper", Func::kUpper},
    {"urlquery", Func::kUrlquery},
};

}  // namespace

bool lookup_func(std::string_view name, Func* f) {
  for (auto& e : kFuncs) {
    if (e.name == name) {
      *f = e.func;
      return true;
    }
  }
  return false;
}

std::string item_string(const Item& it) {
  switch (it.type) {
    case ItemType::kEOF: return "EOF";
    case ItemType::kError: return it.err;
    default: break;
  }
  if (it.type > ItemType::kKeyword) return "<" + std::string(it.val) + ">";
  if (it.val.size() > 10) {
    // %.10q: the first ten runes, quoted.
    size_t i = 0;
    for (int n = 0; n < 10 && i < it.val.size(); ++n) {
      size_t len;
      gofmt::decode_rune(it.val, i, &len);
      i += len;
    }
    return go_quote(it.val.substr(0, i)) + "...";
  }
  return go_quote(it.val);
}

// ---------------------------------------------------------------------------------------------
// Lexer primitives (lex.go: next, peek, backup, thisItem, emit, ignore, accept, errorf)

uint32_t Lexer::next() {
  if (pos_ >= input_.size()) {
    at_eof_ = true;
    return kEof;
  }
  size_t len;
  uint32_t r = gofmt::decode_rune(input_, pos_, &len);
  pos_ += len;
  if (r == '\n') ++line_;
  return r;
}

uint32_t Lexer::peek() {
  uint32_t r = next();
  backup();
  return r;
}

void Lexer::backup() {
  if (at_eof_ || pos_ == 0) return;
  // Step back over the rune before pos_ (utf8.DecodeLastRuneInString).
  size_t start = pos_ - 1;
  while (start > 0 && pos_ - start < 4 && (uint8_t(input_[start]) & 0xC0) == 0x80) --start;
  size_t len;
  gofmt::decode_rune(input_, start, &len);
  size_t w = start + len == pos_ ? len : 1;
  pos_ -= w;
  if (w == 1 && input_[pos_] == '\n') --line_;
}

void Lexer::ignore() {
  line_ += count_newlines(input_.substr(start_, pos_ - start_));
  start_ = pos_;
  start_line_ = line_;
}

Item Lexer::this_item(ItemType t) {
  Item i;
  i.type = t;
  i.pos = int(start_);
  i.val = input_.substr(start_, pos_ - start_);
  i.line = start_line_;
  start_ = pos_;
  start_line_ = line_;
  return i;
}

Lexer::State Lexer::emit(ItemType t) { return emit_item(this_item(t)); }

Lexer::State Lexer::emit_item(Item i) {
  item_ = std::move(i);
  return State::kDone;
}

Lexer::State Lexer::errorf(std::string msg) {
  item_ = Item{ItemType::kError, int(start_), {}, start_line_, std::move(msg)};
  failed_ = true;
  input_ = input_.substr(0, 0);
  start_ = pos_ = 0;
  return State::kDone;
}

bool Lexer::accept(std::string_view valid) {
  uint32_t r = next();
  if (r < 0x80 && valid.find(char(r)) != std::string_view::npos) return true;
  backup();
  return false;
}

void Lexer::accept_run(std::string_view valid) {
  for (;;) {
    uint32_t r = next();
    if (r >= 0x80 || valid.find(char(r)) == std::string_view::npos) break;
  }
  backup();
}

bool Lexer::at_terminator() {
  uint32_t r = peek();
  if (is_space(r)) return true;
  switch (r) {
    case kEof:
    case '.':
    case ',':
    case '|':
    case ':':
    case ')':
    case '(': return true;
    default: return tail(input_, pos_).starts_with(kRightDelim);
  }
}

bool Lexer::at_right_delim(bool* trim) {
  std::string_view rest = tail(input_, pos_);
  if (has_right_trim_marker(rest) && rest.substr(2).starts_with(kRightDelim)) {
    *trim = true;
    return true;
  }
  *trim = false;
  return rest.starts_with(kRightDelim);
}

bool Lexer::scan_number() {
  accept("+-");
  std::string_view digits = "0123456789_";
  if (accept("0")) {
    if (accept("xX")) digits = "0123456789abcdefABCDEF_";
    else if (accept("oO")) digits = "01234567_";
    else if (accept("bB")) digits = "01_";
  }
  accept_run(digits);
  if (accept(".")) accept_run(digits);
  if (digits.size() == 11 && accept("eE")) {
    accept("+-");
    accept_run("0123456789_");
  }
  if (digits.size() == 23 && accept("pP")) {
    accept("+-");
    accept_run("0123456789_");
  }
  accept("i");
  uint32_t r = peek();
  if (r != kEof && (r == '_' || gofmt::is_alnum(r))) {
    next();
    return false;
  }
  return true;
}

Lexer::State Lexer::lex_field_or_variable(ItemType t) {
  if (at_terminator()) return emit(t == ItemType::kVariable ? ItemType::kVariable : ItemType::kDot);
  uint32_t r;
  for (;;) {
    r = next();
    if (r == kEof || !(r == '_' || gofmt::is_alnum(r))) {
      backup();
      break;
    }
  }
  if (!at_terminator()) return errorf("bad character " + unicode_name(r));
  return emit(t);
}

Item Lexer::next_item() {
  item_ = Item{ItemType::kEOF, int(pos_), "EOF", start_line_, {}};
  State s = inside_action_ && !failed_ ? State::kInsideAction : State::kText;
  while (s != State::kDone) s = step(s);
  return std::move(item_);
}

// ---------------------------------------------------------------------------------------------
// State functions (lexText, lexLeftDelim, lexComment, lexRightDelim, lexInsideAction, …)

Lexer::State Lexer::step(State s) {
  switch (s) {
    case State::kText: {
      size_t x = input_.find(kLeftDelim, pos_);
      if (x != std::string_view::npos) {
        if (x > pos_) {
          pos_ = x;
          size_t trim = 0;
          if (has_left_trim_marker(tail(input_, pos_ + kLeftDelim.size())))
            trim = right_trim_length(input_.substr(start_, pos_ - start_));
          pos_ -= trim;
          line_ += count_newlines(input_.substr(start_, pos_ - start_));
          Item i = this_item(ItemType::kText);
          pos_ += trim;
          ignore();
          if (!i.val.empty()) return emit_item(std::move(i));
        }
        return State::kLeftDelim;
      }
      pos_ = input_.size();
      if (pos_ > start_) {
        line_ += count_newlines(input_.substr(start_, pos_ - start_));
        return emit(ItemType::kText);
      }
      return emit(ItemType::kEOF);
    }
    case State::kLeftDelim: {
      pos_ += kLeftDelim.size();
      bool trim = has_left_trim_marker(tail(input_, pos_));
      size_t after = trim ? 2 : 0;
      if (tail(input_, pos_ + after).starts_with("/*")) {
        pos_ += after;
        ignore();
        return State::kComment;
      }
      Item i = this_item(ItemType::kLeftDelim);
      inside_action_ = true;
      pos_ += after;
      ignore();
      paren_depth_ = 0;
      return emit_item(std::move(i));
    }
    case State::kComment: {
      pos_ += 2;
      size_t x = input_.find("*/", pos_);
      if (x == std::string_view::npos) return errorf("unclosed comment");
      pos_ = x + 2;
      bool trim;
      if (!at_right_delim(&trim)) return errorf("comment ends before closing delimiter");
      line_ += count_newlines(input_.substr(start_, pos_ - start_));
      this_item(ItemType::kComment);  // comments are not emitted (no ParseComments mode)
      if (trim) pos_ += 2;
      pos_ += kRightDelim.size();
      if (trim) pos_ += left_trim_length(tail(input_, pos_));
      ignore();
      return State::kText;
    }
    case State::kRightDelim: {
      bool trim;
      at_right_delim(&trim);
      if (trim) {
        pos_ += 2;
        ignore();
      }
      pos_ += kRightDelim.size();
      Item i = this_item(ItemType::kRightDelim);
      if (trim) {
        pos_ += left_trim_length(tail(input_, pos_));
        ignore();
      }
      inside_action_ = false;
      return emit_item(std::move(i));
    }
    case State::kInsideAction: {
      bool trim;
      if (at_right_delim(&trim)) {
        if (paren_depth_ == 0) return State::kRightDelim;
        return errorf("unclosed left paren");
      }
      uint32_t r = next();
      if (r == kEof) return errorf("unclosed action");
      if (is_space(r)) {
        backup();
        return State::kSpace;
      }
      switch (r) {
        case '=': return emit(ItemType::kAssign);
        case ':':
          if (next() != '=') return errorf("expected :=");
          return emit(ItemType::kDeclare);
        case '|': return emit(ItemType::kPipe);
        case '"': return State::kQuote;
        case '`': return State::kRawQuote;
        case '$': return State::kVariable;
        case '\'': return State::kChar;
        case '(':
          ++paren_depth_;
          return emit(ItemType::kLeftParen);
        case ')':
          if (--paren_depth_ < 0) return errorf("unexpected right paren");
          return emit(ItemType::kRightParen);
        default: break;
      }
      if (r == '.' && pos_ < input_.size() && (input_[pos_] < '0' || input_[pos_] > '9')) return State::kField;
      if (r == '.' || r == '+' || r == '-' || (r >= '0' && r <= '9')) {
        backup();
        return State::kNumber;
      }
      if (r == '_' || gofmt::is_alnum(r)) {
        backup();
        return State::kIdentifier;
      }
      if (r < 0x80 && gofmt::is_print(r)) return emit(ItemType::kChar);
      return errorf("unrecognized character in action: " + unicode_name(r));
    }
    case State::kSpace: {
      int n = 0;
      while (is_space(peek())) {
        next();
        ++n;
      }
      if (pos_ > 0 && has_right_trim_marker(tail(input_, pos_ - 1)) &&
          tail(input_, pos_ + 1).starts_with(kRightDelim)) {
        backup();
        if (n == 1) return State::kRightDelim;
      }
      return emit(ItemType::kSpace);
    }
    case State::kQuote:
      for (;;) {
        uint32_t r = next();
        if (r == '\\') {
          r = next();
          if (r != kEof && r != '\n') continue;
          return errorf("unterminated quoted string");
        }
        if (r == kEof || r == '\n') return errorf("unterminated quoted string");
        if (r == '"') break;
      }
      return emit(ItemType::kString);
    case State::kRawQuote:
      for (;;) {
        uint32_t r = next();
        if (r == kEof) return errorf("unterminated raw quoted string");
        if (r == '`') break;
      }
      return emit(ItemType::kRawString);
    case State::kChar:
      for (;;) {
        uint32_t r = next();
        if (r == '\\') {
          r = next();
          if (r != kEof && r != '\n') continue;
          return errorf("unterminated character constant");
        }
        if (r == kEof || r == '\n') return errorf("unterminated character constant");
        if (r == '\'') break;
      }
      return emit(ItemType::kCharConstant);
    case State::kNumber: {
      if (!scan_number()) return errorf("bad number syntax: " + go_quote(input_.substr(start_, pos_ - start_)));
      uint32_t sign = peek();
      if (sign == '+' || sign == '-') {
        if (!scan_number() || input_[pos_ - 1] != 'i')
          return errorf("bad number syntax: " + go_quote(input_.substr(start_, pos_ - start_)));
        return emit(ItemType::kComplex);
      }
      return emit(ItemType::kNumber);
    }
    case State::kIdentifier:
      for (;;) {
        uint32_t r = next();
        if (r != kEof && (r == '_' || gofmt::is_alnum(r))) continue;
        backup();
        std::string_view word = input_.substr(start_, pos_ - start_);
        if (!at_terminator()) return errorf("bad character " + unicode_name(r));
        for (auto& k : kKeywords)
          if (k.word == word) return emit(k.type);
        if (word == "true" || word == "false") return emit(ItemType::kBool);
        return emit(ItemType::kIdentifier);
      }
    case State::kVariable:
      if (at_terminator()) return emit(ItemType::kVariable);
      return lex_field_or_variable(ItemType::kVariable);
    case State::kField: return lex_field_or_variable(ItemType::kField);
    case State::kDone: break;
  }
  return State::kDone;
}

}  // namespace skiff::gotmpl::tmpl
