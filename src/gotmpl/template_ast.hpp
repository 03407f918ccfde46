#pragma once
// Private to the template engine: lexer items, parse-tree nodes and the parsed template set.
// Mirrors Go's text/template/parse so that error texts and positions come out the same.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/json.hpp"

namespace skiff::gotmpl::tmpl {

// ---------------------------------------------------------------------------------------------
// Lexer (template_lex.cpp)

enum class ItemType : uint8_t {
  kError, kBool, kChar, kCharConstant, kComment, kComplex, kAssign, kDeclare, kEOF, kField,
  kIdentifier, kLeftDelim, kLeftParen, kNumber, kPipe, kRawString, kRightDelim, kRightParen,
  kSpace, kString, kText, kVariable,
  kKeyword,  // keywords follow
  kBlock, kBreak, kContinue, kDot, kDefine, kElse, kEnd, kIf, kNil, kRange, kTemplate, kWith,
};

/// One token: `val` points into the template text (or, for kError, into `err`).
struct Item {
  ItemType type = ItemType::kEOF;
  int pos = 0;
  std::string_view val;
  int line = 1;
  std::string err;
};

/// Go's item.String(): EOF, the error text, <keyword>, or the quoted value (cut at 10 runes).
std::string item_string(const Item& it);

/// The state-machine lexer of text/template, producing one item per call.
class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}
  Item next_item();

 private:
  enum class State : uint8_t {
    kText, kLeftDelim, kComment, kRightDelim, kInsideAction, kSpace, kQuote, kRawQuote,
    kVariable, kChar, kNumber, kIdentifier, kField, kDone
  };
  static constexpr uint32_t kEof = 0xFFFFFFFF;

  uint32_t next();
  uint32_t peek();
  void backup();
  void ignore();
  Item this_item(ItemType t);
  State emit(ItemType t);
  State emit_item(Item i);
  State errorf(std::string msg);
  bool accept(std::string_view valid);
  void accept_run(std::string_view valid);
  bool at_terminator();
  bool at_right_delim(bool* trim);
  bool scan_number();
  State lex_field_or_variable(ItemType t);
  State step(State s);

  std::string_view input_;
  size_t pos_ = 0, start_ = 0;
  bool at_eof_ = false;
  bool inside_action_ = false;
  bool failed_ = false;
  int paren_depth_ = 0;
  int line_ = 1, start_line_ = 1;
  Item item_;
};

// ---------------------------------------------------------------------------------------------
// Nodes

enum class NodeType : uint8_t {
  kAction, kBool, kBreak, kChain, kCommand, kComment, kContinue, kDot, kElse, kEnd, kField,
  kIdentifier, kIf, kList, kNil, kNumber, kPipe, kRange, kString, kTemplate, kText, kVariable,
  kWith,
};

/// Functions known to the parser (Go's builtins plus Docker's basicFunctions).
enum class Func : uint8_t {
  kAnd, kCall, kHtml, kIndex, kSlice, kJs, kLen, kNot, kOr, kPrint, kPrintf, kPrintln,
  kUrlquery, kEq, kGe, kGt, kLe, kLt, kNe, kJson, kSplit, kJoin, kTitle, kLower, kUpper, kPad,
  kTruncate,
};
/// The function named `name`, or false.
bool lookup_func(std::string_view name, Func* f);

struct Node {
  Node(NodeType t, int p) : type(t), pos(p) {}
  virtual ~Node() = default;
  NodeType type;
  int pos;  ///< byte offset in the template text
};
using NodePtr = std::unique_ptr<Node>;

/// Text, and comment text.
struct TextNode : Node {
  TextNode(NodeType t, int p, std::string_view s) : Node(t, p), text(s) {}
  std::string text;
};
struct ListNode : Node {
  explicit ListNode(int p) : Node(NodeType::kList, p) {}
  std::vector<NodePtr> nodes;
};
/// $x, $x.F.G: ident[0] is the variable name.
struct VariableNode : Node {
  VariableNode(int p, std::vector<std::string> id) : Node(NodeType::kVariable, p), ident(std::move(id)) {}
  std::vector<std::string> ident;
};
/// .F.G: field names without dots.
struct FieldNode : Node {
  FieldNode(int p, std::vector<std::string> id) : Node(NodeType::kField, p), ident(std::move(id)) {}
  std::vector<std::string> ident;
};
/// (pipe).F.G and similar: a term followed by fields.
struct ChainNode : Node {
  ChainNode(int p, NodePtr n) : Node(NodeType::kChain, p), node(std::move(n)) {}
  NodePtr node;
  std::vector<std::string> field;
};
struct IdentifierNode : Node {
  IdentifierNode(int p, std::string_view id, Func f) : Node(NodeType::kIdentifier, p), ident(id), func(f) {}
  std::string ident;
  Func func;
};
struct BoolNode : Node {
  BoolNode(int p, bool v) : Node(NodeType::kBool, p), value(v) {}
  bool value;
};
/// A number literal with every interpretation Go's parser allows (NumberNode).
struct NumberNode : Node {
  NumberNode(int p, std::string_view t) : Node(NodeType::kNumber, p), text(t) {}
  bool is_int = false, is_uint = false, is_float = false;
  int64_t i = 0;
  uint64_t u = 0;
  double f = 0;
  std::string text;
  Json ideal;             ///< the value with no type context (exec's idealConstant)
  bool overflows = false; ///< only a uint: "overflows int" when used without type context
};
struct StringNode : Node {
  StringNode(int p, std::string_view q, std::string t) : Node(NodeType::kString, p), quoted(q), text(std::move(t)) {}
  std::string quoted;  ///< as written, with quotes
  std::string text;    ///< unquoted
  Json json;           ///< text as a JSON string, so evaluation borrows instead of copying
};
struct CommandNode : Node {
  explicit CommandNode(int p) : Node(NodeType::kCommand, p) {}
  std::vector<NodePtr> args;
};
struct PipeNode : Node {
  PipeNode(int p, int l) : Node(NodeType::kPipe, p), line(l) {}
  int line;
  bool is_assign = false;
  std::vector<std::unique_ptr<VariableNode>> decl;
  std::vector<std::unique_ptr<CommandNode>> cmds;
};
struct ActionNode : Node {
  ActionNode(int p, int l, std::unique_ptr<PipeNode> pp) : Node(NodeType::kAction, p), line(l), pipe(std::move(pp)) {}
  int line;
  std::unique_ptr<PipeNode> pipe;
};
/// if, range and with.
struct BranchNode : Node {
  BranchNode(NodeType t, int p) : Node(t, p) {}
  int line = 0;
  std::unique_ptr<PipeNode> pipe;
  std::unique_ptr<ListNode> list, else_list;
};
struct TemplateNode : Node {
  TemplateNode(int p, int l, std::string n, std::unique_ptr<PipeNode> pp)
      : Node(NodeType::kTemplate, p), line(l), name(std::move(n)), pipe(std::move(pp)) {}
  int line;
  std::string name;
  std::unique_ptr<PipeNode> pipe;  ///< may be null
};
// Dot, Nil, Break, Continue, Else and End are plain Nodes.

/// Go's Node.String(): the node as template source (used in error messages).
void append_node_string(std::string& out, const Node& n);
std::string node_string(const Node& n);

// ---------------------------------------------------------------------------------------------
// Parsed template set

/// The parsed template: the text (for error positions) and the named trees ({{define}}).
struct TemplateSet {
  std::string text;
  std::string name;  ///< the top-level template's name ("" for Docker's templates)
  std::map<std::string, std::unique_ptr<ListNode>, std::less<>> trees;
};

/// Parses `text` into `set` (text/template's Parse with Docker's function map). On failure
/// returns false and Go's message ("template: :1: unexpected \"}\" in operand") in *err.
bool parse_template(TemplateSet& set, std::string* err);

/// Caps that keep hostile templates from exhausting the stack.
inline constexpr int kMaxParseDepth = 500;  ///< nested parentheses and control structures

}  // namespace skiff::gotmpl::tmpl
