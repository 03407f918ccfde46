// The template parser: a port of Go's text/template/parse/parse.go (recursive descent with a
// three-token look-ahead), so that the tree and every error message match Go's. Errors do not
// unwind by panic as in Go: the first one is recorded and every step returns early.
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "skiff/gotmpl/gofmt.hpp"
#include "skiff/util/strings.hpp"
#include "template_ast.hpp"

namespace skiff::gotmpl::tmpl {

// ---------------------------------------------------------------------------------------------
// Node.String()

void append_node_string(std::string& out, const Node& n) {
  switch (n.type) {
    case NodeType::kText: out += static_cast<const TextNode&>(n).text; break;
    case NodeType::kComment: out += "{{" + static_cast<const TextNode&>(n).text + "}}"; break;
    case NodeType::kList:
      for (auto& c : static_cast<const ListNode&>(n).nodes) append_node_string(out, *c);
      break;
    case NodeType::kAction:
      out += "{{";
      append_node_string(out, *static_cast<const ActionNode&>(n).pipe);
      out += "}}";
      break;
    case NodeType::kPipe: {
      auto& p = static_cast<const PipeNode&>(n);
      for (size_t i = 0; i < p.decl.size(); ++i) {
        if (i) out += ", ";
        append_node_string(out, *p.decl[i]);
      }
      if (!p.decl.empty()) out += p.is_assign ? " = " : " := ";
      for (size_t i = 0; i < p.cmds.size(); ++i) {
        if (i) out += " | ";
        append_node_string(out, *p.cmds[i]);
      }
      break;
    }
    case NodeType::kCommand: {
      auto& c = static_cast<const CommandNode&>(n);
      for (size_t i = 0; i < c.args.size(); ++i) {
        if (i) out += ' ';
        if (c.args[i]->type == NodeType::kPipe) {
          out += '(';
          append_node_string(out, *c.args[i]);
          out += ')';
        } else {
          append_node_string(out, *c.args[i]);
        }
      }
      break;
    }
    case NodeType::kIdentifier: out += static_cast<const IdentifierNode&>(n).ident; break;
    case NodeType::kVariable: {
      auto& v = static_cast<const VariableNode&>(n);
      for (size_t i = 0; i < v.ident.size(); ++i) {
        if (i) out += '.';
        out += v.ident[i];
      }
      break;
    }
    case NodeType::kField:
      for (auto& id : static_cast<const FieldNode&>(n).ident) out += "." + id;
      break;
    case NodeType::kChain: {
      auto& c = static_cast<const ChainNode&>(n);
      if (c.node->type == NodeType::kPipe) {
        out += '(';
        append_node_string(out, *c.node);
        out += ')';
      } else {
        append_node_string(out, *c.node);
      }
      for (auto& f : c.field) out += "." + f;
      break;
    }
    case NodeType::kBool: out += static_cast<const BoolNode&>(n).value ? "true" : "false"; break;
    case NodeType::kNumber: out += static_cast<const NumberNode&>(n).text; break;
    case NodeType::kString: out += static_cast<const StringNode&>(n).quoted; break;
    case NodeType::kDot: out += '.'; break;
    case NodeType::kNil: out += "nil"; break;
    case NodeType::kIf:
    case NodeType::kRange:
    case NodeType::kWith: {
      auto& b = static_cast<const BranchNode&>(n);
      out += n.type == NodeType::kIf ? "{{if " : n.type == NodeType::kRange ? "{{range " : "{{with ";
      append_node_string(out, *b.pipe);
      out += "}}";
      append_node_string(out, *b.list);
      if (b.else_list) {
        out += "{{else}}";
        append_node_string(out, *b.else_list);
      }
      out += "{{end}}";
      break;
    }
    case NodeType::kBreak: out += "{{break}}"; break;
    case NodeType::kContinue: out += "{{continue}}"; break;
    case NodeType::kElse: out += "{{else}}"; break;
    case NodeType::kEnd: out += "{{end}}"; break;
    case NodeType::kTemplate: {
      auto& t = static_cast<const TemplateNode&>(n);
      out += "{{template " + go_quote(t.name);
      if (t.pipe) {
        out += ' ';
        append_node_string(out, *t.pipe);
      }
      out += "}}";
      break;
    }
  }
}

std::string node_string(const Node& n) {
  std::string s;
  append_node_string(s, n);
  return s;
}

namespace {

// ---------------------------------------------------------------------------------------------
// strconv: Unquote, UnquoteChar, ParseInt/ParseUint (base 0), ParseFloat

int hex_val(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// strconv.UnquoteChar: decodes one character of a quoted literal from s[i…].
bool unquote_char(std::string_view s, size_t& i, char quote, uint32_t* value, bool* multibyte) {
  unsigned char c = uint8_t(s[i]);
  *multibyte = false;
  if (c == uint8_t(quote) && (quote == '\'' || quote == '"')) return false;
  if (c >= 0x80) {
    size_t len;
    *value = gofmt::decode_rune(s, i, &len);
    i += len;
    *multibyte = true;
    return true;
  }
  if (c != '\\') {
    *value = c;
    ++i;
    return true;
  }
  if (i + 1 >= s.size()) return false;
  c = uint8_t(s[i + 1]);
  i += 2;
  switch (c) {
    case 'a': *value = '\a'; return true;
    case 'b': *value = '\b'; return true;
    case 'f': *value = '\f'; return true;
    case 'n': *value = '\n'; return true;
    case 'r': *value = '\r'; return true;
    case 't': *value = '\t'; return true;
    case 'v': *value = '\v'; return true;
    case 'x':
    case 'u':
    case 'U': {
      size_t n = c == 'x' ? 2 : c == 'u' ? 4 : 8;
      if (s.size() - i < n) return false;
      uint32_t v = 0;
      for (size_t j = 0; j < n; ++j) {
        int d = hex_val(s[i + j]);
        if (d < 0) return false;
        v = v << 4 | uint32_t(d);
      }
      i += n;
      if (c == 'x') {
        *value = v;
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      *value = v;
      *multibyte = true;
      return true;
    }
    case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
      uint32_t v = c - '0';
      if (s.size() - i < 2) return false;
      for (size_t j = 0; j < 2; ++j) {
        int x = s[i + j] - '0';
        if (x < 0 || x > 7) return false;
        v = v << 3 | uint32_t(x);
      }
      i += 2;
      if (v > 255) return false;
      *value = v;
      return true;
    }
    case '\\': *value = '\\'; return true;
    case '\'':
    case '"':
      if (c != uint8_t(quote)) return false;
      *value = c;
      return true;
    default: return false;
  }
}

// strconv.Unquote for "…" and `…` literals (the lexer guarantees the delimiters).
bool unquote(std::string_view lit, std::string* out) {
  out->clear();
  if (lit.size() < 2 || lit.front() != lit.back()) return false;
  std::string_view in = lit.substr(1, lit.size() - 2);
  if (lit.front() == '`') {
    if (in.find('`') != std::string_view::npos) return false;
    for (char c : in)
      if (c != '\r') out->push_back(c);
    return true;
  }
  if (lit.front() != '"') return false;
  for (size_t i = 0; i < in.size();) {
    if (in[i] == '\n') return false;
    uint32_t v;
    bool mb;
    if (!unquote_char(in, i, '"', &v, &mb)) return false;
    if (v < 0x80 || !mb) out->push_back(char(v));
    else gofmt::append_rune(*out, v);
  }
  return true;
}

bool underscore_ok(std::string_view s) {
  char saw = '^';
  size_t i = 0;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  bool hex = false;
  if (s.size() >= 2 && s[0] == '0') {
    char l = char(s[1] | 0x20);
    if (l == 'b' || l == 'o' || l == 'x') {
      i = 2;
      saw = '0';
      hex = l == 'x';
    }
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

// strconv.ParseUint(s, 0, 64).
bool parse_uint0(std::string_view s0, uint64_t* out) {
  if (s0.empty()) return false;
  std::string_view s = s0;
  unsigned base = 10;
  if (s[0] == '0') {
    char l = s.size() >= 3 ? char(s[1] | 0x20) : 0;
    if (l == 'b') base = 2, s.remove_prefix(2);
    else if (l == 'o') base = 8, s.remove_prefix(2);
    else if (l == 'x') base = 16, s.remove_prefix(2);
    else base = 8, s.remove_prefix(1);
  }
  bool underscores = false;
  uint64_t n = 0;
  for (char c : s) {
    unsigned d;
    if (c == '_') {
      underscores = true;
      continue;
    }
    if (c >= '0' && c <= '9') d = unsigned(c - '0');
    else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') d = unsigned((c | 0x20) - 'a' + 10);
    else return false;
    if (d >= base) return false;
    if (n > (UINT64_MAX - d) / base) return false;
    n = n * base + d;
  }
  if (underscores && !underscore_ok(s0)) return false;
  *out = n;
  return true;
}

// strconv.ParseInt(s, 0, 64).
bool parse_int0(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  bool neg = false;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t u;
  if (!parse_uint0(s, &u)) return false;
  if (!neg && u > uint64_t(INT64_MAX)) return false;
  if (neg && u > uint64_t(INT64_MAX) + 1) return false;
  *out = neg ? int64_t(0 - u) : int64_t(u);
  return true;
}

// strconv.ParseFloat(s, 64) for the shapes the lexer produces.
bool parse_float(std::string_view s, double* out) {
  if (s.find('_') != std::string_view::npos && !underscore_ok(s)) return false;
  std::string t;
  for (char c : s)
    if (c != '_') t.push_back(c);
  std::string_view body = t;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) body.remove_prefix(1);
  if (body.size() >= 2 && body[0] == '0' && (body[1] | 0x20) == 'x') {
    if (body.find_first_of("pP") == std::string_view::npos) return false;  // Go requires p
  } else if (body.size() >= 2 && body[0] == '0' && ((body[1] | 0x20) == 'b' || (body[1] | 0x20) == 'o')) {
    return false;
  }
  if (body.empty() || body.find_first_of("0123456789") == std::string_view::npos) return false;
  errno = 0;
  char* end = nullptr;
  double d = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) return false;
  if (errno == ERANGE && std::isinf(d)) return false;
  *out = d;
  return true;
}

// ---------------------------------------------------------------------------------------------
// The parser for one tree (Go's parse.Tree); {{define}} and {{block}} use a child parser that
// shares the lexer, the template set and the error.

struct Shared {
  Lexer lex;
  TemplateSet& set;
  std::string err;
  int depth = 0;
};

bool is_empty_tree(const Node* n) {
  if (!n) return true;
  switch (n->type) {
    case NodeType::kComment: return true;
    case NodeType::kList:
      for (auto& c : static_cast<const ListNode*>(n)->nodes)
        if (!is_empty_tree(c.get())) return false;
      return true;
    case NodeType::kText: {
      auto& t = static_cast<const TextNode*>(n)->text;
      return t.find_first_not_of(" \t\r\n\v\f") == std::string::npos;
    }
    default: return false;
  }
}

class TreeParser {
 public:
  TreeParser(Shared& sh, std::string name) : sh_(sh), name_(std::move(name)) { vars_.push_back("$"); }

  // parse(): the top level, with {{define}}s.
  void parse_top() {
    auto root = std::make_unique<ListNode>(peek().pos);
    while (!failed() && peek().type != ItemType::kEOF) {
      if (peek().type == ItemType::kLeftDelim) {
        Item delim = next();
        if (next_non_space().type == ItemType::kDefine) {
          TreeParser sub(sh_, "definition");
          sub.parse_definition();
          continue;
        }
        backup2(std::move(delim));
      }
      NodePtr n = text_or_action();
      if (failed()) return;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) return errorf("unexpected " + node_string(*n));
      root->nodes.push_back(std::move(n));
    }
    if (!failed()) add(std::move(root));
  }

 private:
  Shared& sh_;
  std::string name_;
  Item token_[3];
  int peek_count_ = 0;
  std::vector<std::string> vars_;
  int action_line_ = 0;
  int range_depth_ = 0;

  bool failed() const { return !sh_.err.empty(); }

  // -- token stream ----------------------------------------------------------------------------
  Item& next() {
    if (peek_count_ > 0) --peek_count_;
    else token_[0] = sh_.lex.next_item();
    return token_[peek_count_];
  }
  void backup() { ++peek_count_; }
  void backup2(Item t1) {
    token_[1] = std::move(t1);
    peek_count_ = 2;
  }
  void backup3(Item t2, Item t1) {
    token_[1] = std::move(t1);
    token_[2] = std::move(t2);
    peek_count_ = 3;
  }
  Item& peek() {
    if (peek_count_ > 0) return token_[peek_count_ - 1];
    peek_count_ = 1;
    token_[0] = sh_.lex.next_item();
    return token_[0];
  }
  Item next_non_space() {
    for (;;) {
      Item& t = next();
      if (t.type != ItemType::kSpace) return t;
    }
  }
  Item peek_non_space() {
    Item t = next_non_space();
    backup();
    return t;
  }

  // -- errors ----------------------------------------------------------------------------------
  void errorf(const std::string& msg) {
    if (failed()) return;
    sh_.err = fmt::format("template: {}:{}: {}", sh_.set.name, token_[0].line, msg);
  }
  void unexpected(const Item& tok, std::string_view context) {
    if (tok.type == ItemType::kError) {
      std::string extra;
      if (action_line_ != 0 && action_line_ != tok.line) {
        extra = fmt::format(" in action started at {}:{}", sh_.set.name, action_line_);
        if (tok.err.ends_with(" action")) extra = extra.substr(std::string_view(" in action").size());
      }
      return errorf(tok.err + extra);
    }
    errorf(fmt::format("unexpected {} in {}", item_string(tok), context));
  }
  Item expect(ItemType t, std::string_view context) {
    Item tok = next_non_space();
    if (tok.type != t) unexpected(tok, context);
    return tok;
  }

  void add(std::unique_ptr<ListNode> root) {
    auto it = sh_.set.trees.find(name_);
    if (it == sh_.set.trees.end() || is_empty_tree(it->second.get())) {
      sh_.set.trees[name_] = std::move(root);
      return;
    }
    if (!is_empty_tree(root.get())) errorf("template: multiple definition of template " + go_quote(name_));
  }

  // -- grammar ---------------------------------------------------------------------------------
  void parse_definition() {
    Item name = next_non_space();
    if (name.type != ItemType::kString && name.type != ItemType::kRawString) return unexpected(name, "define clause");
    if (!unquote(name.val, &name_)) return errorf("invalid syntax");
    expect(ItemType::kRightDelim, "define clause");
    if (failed()) return;
    NodePtr end;
    auto root = item_list(&end);
    if (failed()) return;
    if (end->type != NodeType::kEnd) return errorf("unexpected " + node_string(*end) + " in define clause");
    add(std::move(root));
  }

  std::unique_ptr<ListNode> item_list(NodePtr* next_node) {
    auto list = std::make_unique<ListNode>(peek_non_space().pos);
    while (!failed() && peek_non_space().type != ItemType::kEOF) {
      NodePtr n = text_or_action();
      if (failed()) return nullptr;
      if (n->type == NodeType::kEnd || n->type == NodeType::kElse) {
        *next_node = std::move(n);
        return list;
      }
      list->nodes.push_back(std::move(n));
    }
    errorf("unexpected EOF");
    return nullptr;
  }

  NodePtr text_or_action() {
    Item tok = next_non_space();
    switch (tok.type) {
      case ItemType::kText: return std::make_unique<TextNode>(NodeType::kText, tok.pos, tok.val);
      case ItemType::kLeftDelim: {
        action_line_ = tok.line;
        NodePtr n = action();
        action_line_ = 0;
        return n;
      }
      default: unexpected(tok, "input"); return nullptr;
    }
  }

  NodePtr action() {
    Item tok = next_non_space();
    switch (tok.type) {
      case ItemType::kBlock: return block_control();
      case ItemType::kBreak:
      case ItemType::kContinue: {
        bool brk = tok.type == ItemType::kBreak;
        Item t = next_non_space();
        if (t.type != ItemType::kRightDelim) {
          unexpected(t, brk ? "{{break}}" : "{{continue}}");
          return nullptr;
        }
        if (range_depth_ == 0) {
          errorf(brk ? "{{break}} outside {{range}}" : "{{continue}} outside {{range}}");
          return nullptr;
        }
        return std::make_unique<Node>(brk ? NodeType::kBreak : NodeType::kContinue, tok.pos);
      }
      case ItemType::kElse: {
        Item p = peek_non_space();
        if (p.type == ItemType::kIf || p.type == ItemType::kWith) return std::make_unique<Node>(NodeType::kElse, p.pos);
        Item t = expect(ItemType::kRightDelim, "else");
        return failed() ? nullptr : std::make_unique<Node>(NodeType::kElse, t.pos);
      }
      case ItemType::kEnd: {
        Item t = expect(ItemType::kRightDelim, "end");
        return failed() ? nullptr : std::make_unique<Node>(NodeType::kEnd, t.pos);
      }
      case ItemType::kIf: return control(NodeType::kIf, "if");
      case ItemType::kRange: return control(NodeType::kRange, "range");
      case ItemType::kWith: return control(NodeType::kWith, "with");
      case ItemType::kTemplate: return template_control();
      default: break;
    }
    backup();
    Item t = peek();
    auto pipe = pipeline("command", ItemType::kRightDelim);
    if (failed()) return nullptr;
    return std::make_unique<ActionNode>(t.pos, t.line, std::move(pipe));
  }

  // parseControl + ifControl / rangeControl / withControl.
  NodePtr control(NodeType type, std::string_view context) {
    if (++sh_.depth > kMaxParseDepth) {
      errorf("max expression depth exceeded");
      return nullptr;
    }
    size_t nvars = vars_.size();
    auto b = std::make_unique<BranchNode>(type, 0);
    b->pipe = pipeline(context, ItemType::kRightDelim);
    if (failed()) return nullptr;
    b->pos = b->pipe->pos;
    b->line = b->pipe->line;
    if (type == NodeType::kRange) ++range_depth_;
    NodePtr next_node;
    b->list = item_list(&next_node);
    if (type == NodeType::kRange) --range_depth_;
    if (failed()) return nullptr;
    if (next_node->type == NodeType::kElse) {
      if ((type == NodeType::kIf && peek().type == ItemType::kIf) ||
          (type == NodeType::kWith && peek().type == ItemType::kWith)) {
        next();
        b->else_list = std::make_unique<ListNode>(next_node->pos);
        NodePtr inner = control(type, context);
        if (failed()) return nullptr;
        b->else_list->nodes.push_back(std::move(inner));
      } else {
        NodePtr end;
        b->else_list = item_list(&end);
        if (failed()) return nullptr;
        if (end->type != NodeType::kEnd) {
          errorf("expected end; found " + node_string(*end));
          return nullptr;
        }
      }
    }
    vars_.resize(nvars);
    --sh_.depth;
    return b;
  }

  bool template_name(const Item& tok, std::string_view context, std::string* name) {
    if (tok.type != ItemType::kString && tok.type != ItemType::kRawString) {
      unexpected(tok, context);
      return false;
    }
    if (!unquote(tok.val, name)) {
      errorf("invalid syntax");
      return false;
    }
    return true;
  }

  NodePtr template_control() {
    Item tok = next_non_space();
    std::string name;
    if (!template_name(tok, "template clause", &name)) return nullptr;
    std::unique_ptr<PipeNode> pipe;
    if (next_non_space().type != ItemType::kRightDelim) {
      backup();
      pipe = pipeline("template clause", ItemType::kRightDelim);
      if (failed()) return nullptr;
    }
    return std::make_unique<TemplateNode>(tok.pos, tok.line, std::move(name), std::move(pipe));
  }

  NodePtr block_control() {
    Item tok = next_non_space();
    std::string name;
    if (!template_name(tok, "block clause", &name)) return nullptr;
    auto pipe = pipeline("block clause", ItemType::kRightDelim);
    if (failed()) return nullptr;
    if (++sh_.depth > kMaxParseDepth) {
      errorf("max expression depth exceeded");
      return nullptr;
    }
    TreeParser block(sh_, name);
    NodePtr end;
    auto root = block.item_list(&end);
    if (failed()) return nullptr;
    if (end->type != NodeType::kEnd) {
      errorf("unexpected " + node_string(*end) + " in block clause");
      return nullptr;
    }
    block.add(std::move(root));
    --sh_.depth;
    if (failed()) return nullptr;
    return std::make_unique<TemplateNode>(tok.pos, tok.line, std::move(name), std::move(pipe));
  }

  std::unique_ptr<PipeNode> pipeline(std::string_view context, ItemType end) {
    Item token = peek_non_space();
    auto pipe = std::make_unique<PipeNode>(token.pos, token.line);
  decls:
    if (Item v = peek_non_space(); v.type == ItemType::kVariable) {
      next();
      Item after = peek();
      Item nx = peek_non_space();
      if (nx.type == ItemType::kAssign || nx.type == ItemType::kDeclare) {
        pipe->is_assign = nx.type == ItemType::kAssign;
        next_non_space();
        pipe->decl.push_back(make_variable(v.pos, v.val));
        vars_.emplace_back(v.val);
      } else if (nx.type == ItemType::kChar && nx.val == ",") {
        next_non_space();
        pipe->decl.push_back(make_variable(v.pos, v.val));
        vars_.emplace_back(v.val);
        if (context == "range" && pipe->decl.size() < 2) {
          ItemType t = peek_non_space().type;
          if (t == ItemType::kVariable || t == ItemType::kRightDelim || t == ItemType::kRightParen) goto decls;
          errorf("range can only initialize variables");
          return nullptr;
        }
        errorf(fmt::format("too many declarations in {}", context));
        return nullptr;
      } else if (after.type == ItemType::kSpace) {
        backup3(std::move(v), std::move(after));
      } else {
        backup2(std::move(v));
      }
    }
    for (;;) {
      if (failed()) return nullptr;
      Item tok = next_non_space();
      if (tok.type == end) {
        check_pipeline(*pipe, context);
        return failed() ? nullptr : std::move(pipe);
      }
      switch (tok.type) {
        case ItemType::kBool: case ItemType::kCharConstant: case ItemType::kComplex:
        case ItemType::kDot: case ItemType::kField: case ItemType::kIdentifier:
        case ItemType::kNumber: case ItemType::kNil: case ItemType::kRawString:
        case ItemType::kString: case ItemType::kVariable: case ItemType::kLeftParen: {
          backup();
          auto cmd = command();
          if (failed()) return nullptr;
          pipe->cmds.push_back(std::move(cmd));
          break;
        }
        default: unexpected(tok, context); return nullptr;
      }
    }
  }

  void check_pipeline(const PipeNode& pipe, std::string_view context) {
    if (pipe.cmds.empty()) return errorf(fmt::format("missing value for {}", context));
    for (size_t i = 1; i < pipe.cmds.size(); ++i) {
      switch (pipe.cmds[i]->args[0]->type) {
        case NodeType::kBool: case NodeType::kDot: case NodeType::kNil: case NodeType::kNumber:
        case NodeType::kString:
          return errorf(fmt::format("non executable command in pipeline stage {}", i + 1));
        default: break;
      }
    }
  }

  std::unique_ptr<CommandNode> command() {
    auto cmd = std::make_unique<CommandNode>(peek_non_space().pos);
    for (;;) {
      peek_non_space();
      NodePtr op = operand();
      if (failed()) return nullptr;
      if (op) cmd->args.push_back(std::move(op));
      Item& tok = next();
      switch (tok.type) {
        case ItemType::kSpace: continue;
        case ItemType::kRightDelim:
        case ItemType::kRightParen: backup(); break;
        case ItemType::kPipe: break;
        default: unexpected(tok, "operand"); return nullptr;
      }
      break;
    }
    if (cmd->args.empty()) {
      errorf("empty command");
      return nullptr;
    }
    return cmd;
  }

  static std::vector<std::string> split_dots(std::string_view s) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
      size_t d = s.find('.', start);
      parts.emplace_back(s.substr(start, d == std::string_view::npos ? std::string_view::npos : d - start));
      if (d == std::string_view::npos) break;
      start = d + 1;
    }
    return parts;
  }
  static std::unique_ptr<VariableNode> make_variable(int pos, std::string_view name) {
    return std::make_unique<VariableNode>(pos, split_dots(name));
  }
  static std::unique_ptr<FieldNode> make_field(int pos, std::string_view ident) {
    return std::make_unique<FieldNode>(pos, split_dots(ident.substr(1)));  // drop the leading '.'
  }

  NodePtr operand() {
    NodePtr node = term();
    if (!node || failed()) return nullptr;
    if (peek().type == ItemType::kField) {
      auto chain = std::make_unique<ChainNode>(peek().pos, std::move(node));
      while (peek().type == ItemType::kField) chain->field.emplace_back(next().val.substr(1));
      switch (chain->node->type) {
        case NodeType::kField:
          return make_field(chain->pos, node_string(*chain));
        case NodeType::kVariable:
          return make_variable(chain->pos, node_string(*chain));
        case NodeType::kBool: case NodeType::kString: case NodeType::kNumber: case NodeType::kNil:
        case NodeType::kDot:
          errorf("unexpected . after term " + go_quote(node_string(*chain->node)));
          return nullptr;
        default: return chain;
      }
    }
    return node;
  }

  NodePtr term() {
    Item tok = next_non_space();
    switch (tok.type) {
      case ItemType::kIdentifier: {
        Func f;
        if (!lookup_func(tok.val, &f)) {
          errorf("function " + go_quote(tok.val) + " not defined");
          return nullptr;
        }
        return std::make_unique<IdentifierNode>(tok.pos, tok.val, f);
      }
      case ItemType::kDot: return std::make_unique<Node>(NodeType::kDot, tok.pos);
      case ItemType::kNil: return std::make_unique<Node>(NodeType::kNil, tok.pos);
      case ItemType::kVariable: {
        auto v = make_variable(tok.pos, tok.val);
        for (auto& name : vars_)
          if (name == v->ident[0]) return v;
        errorf("undefined variable " + go_quote(v->ident[0]));
        return nullptr;
      }
      case ItemType::kField: return make_field(tok.pos, tok.val);
      case ItemType::kBool: return std::make_unique<BoolNode>(tok.pos, tok.val == "true");
      case ItemType::kCharConstant:
      case ItemType::kComplex:
      case ItemType::kNumber: return number(tok);
      case ItemType::kLeftParen: {
        if (++sh_.depth > kMaxParseDepth) {
          errorf("max expression depth exceeded");
          return nullptr;
        }
        auto p = pipeline("parenthesized pipeline", ItemType::kRightParen);
        --sh_.depth;
        return p;
      }
      case ItemType::kString:
      case ItemType::kRawString: {
        std::string s;
        if (!unquote(tok.val, &s)) {
          errorf("invalid syntax");
          return nullptr;
        }
        auto n = std::make_unique<StringNode>(tok.pos, tok.val, std::move(s));
        n->json = n->text;
        return n;
      }
      default: backup(); return nullptr;
    }
  }

  // parse.newNumber
  NodePtr number(const Item& tok) {
    std::string_view text = tok.val;
    auto n = std::make_unique<NumberNode>(tok.pos, text);
    if (tok.type == ItemType::kCharConstant) {
      size_t i = 1;
      uint32_t r;
      bool mb;
      if (text.size() < 2 || !unquote_char(text, i, '\'', &r, &mb)) {
        errorf("invalid syntax");
        return nullptr;
      }
      if (text.substr(i) != "'") {
        errorf(fmt::format("malformed character constant: {}", text));
        return nullptr;
      }
      n->is_int = n->is_uint = n->is_float = true;
      n->i = r;
      n->u = r;
      n->f = r;
      n->ideal = int64_t(r);
      return n;
    }
    if (tok.type == ItemType::kComplex || (!text.empty() && text.back() == 'i')) {
      errorf(fmt::format("complex constant {} is not supported", text));
      return nullptr;
    }
    uint64_t u;
    if (parse_uint0(text, &u)) {
      n->is_uint = true;
      n->u = u;
    }
    int64_t i;
    if (parse_int0(text, &i)) {
      n->is_int = true;
      n->i = i;
      if (i == 0) {
        n->is_uint = true;
        n->u = 0;
      }
    }
    if (n->is_int) {
      n->is_float = true;
      n->f = double(n->i);
    } else if (n->is_uint) {
      n->is_float = true;
      n->f = double(n->u);
    } else {
      double f;
      if (parse_float(text, &f)) {
        if (text.find_first_of(".eEpP") == std::string_view::npos) {
          errorf(fmt::format("integer overflow: {}", text));
          return nullptr;
        }
        n->is_float = true;
        n->f = f;
        if (f >= -9223372036854775808.0 && f < 9223372036854775808.0 && double(int64_t(f)) == f) {
          n->is_int = true;
          n->i = int64_t(f);
        }
        if (f >= 0 && f < 18446744073709551616.0 && double(uint64_t(f)) == f) {
          n->is_uint = true;
          n->u = uint64_t(f);
        }
      }
    }
    if (!n->is_int && !n->is_uint && !n->is_float) {
      errorf("illegal number syntax: " + go_quote(text));
      return nullptr;
    }
    // exec.idealConstant: a float if it is written like one (not hex, not a rune), else an int.
    bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] | 0x20) == 'x' &&
                   text.find_first_of("pP") == std::string_view::npos;
    if (n->is_float && !hex_int && text.find_first_of(".eEpP") != std::string_view::npos) n->ideal = n->f;
    else if (n->is_int) n->ideal = n->i;
    else n->overflows = true;
    return n;
  }
};

}  // namespace

bool parse_template(TemplateSet& set, std::string* err) {
  Shared sh{Lexer(set.text), set, {}, 0};
  TreeParser top(sh, set.name);
  top.parse_top();
  if (!sh.err.empty()) {
    *err = std::move(sh.err);
    set.trees.clear();
    return false;
  }
  return true;
}

}  // namespace skiff::gotmpl::tmpl
