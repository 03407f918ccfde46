#pragma once
// Private to the template engine: values and the executor state shared by template_exec.cpp
// (walking the tree, fields, variables) and template_funcs.cpp (builtin functions).

#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/gotmpl/template.hpp"
#include "template_ast.hpp"

namespace skiff::gotmpl::tmpl {

/// A template value: Go's reflect.Value over JSON. Invalid (no value) or a JSON value that is
/// either borrowed from the caller's data or owned (shared, so copies are cheap and children
/// of an owned value keep it alive). `iface` marks a value read out of a map or slice, whose
/// static Go type is interface {} (it matters for error texts and nil handling).
class Value {
 public:
  Value() = default;
  static Value borrow(const Json& j) {
    Value v;
    v.p_ = &j;
    return v;
  }
  static Value make(Json j) {
    Value v;
    v.keep_ = std::make_shared<const Json>(std::move(j));
    v.p_ = v.keep_.get();
    return v;
  }
  /// A member or element of this value.
  Value child(const Json& c, bool iface = true) const {
    Value v;
    v.keep_ = keep_;
    v.p_ = &c;
    v.iface_ = iface;
    return v;
  }
  /// This value with a Go type (a node of ExecEnv::schema; see template.hpp).
  Value typed(const Json* type) const {
    Value v = *this;
    v.type_ = type;
    if (type) v.iface_ = false;
    return v;
  }
  /// A member of a typed struct or map: `c` with the member's type `type` (null: untyped). A
  /// JSON null whose type is a map or slice becomes Go's nil map/slice: an empty one that
  /// `json` prints as null.
  Value member(const Json& c, const Json* type) const;
  /// An element of this (array or object) value, typed when this value's type says how.
  Value elem(const Json& c) const;
  bool valid() const { return p_ != nullptr; }
  const Json& json() const { return *p_; }
  const Json* ptr() const { return p_; }
  bool iface() const { return iface_; }
  /// The Go type (schema node), or null for untyped JSON (Go's interface{} data).
  const Json* type() const { return type_; }
  /// Go's nil map or slice (held as an empty JSON container).
  bool go_nil() const { return nil_; }
  /// Invalid, or an interface holding nil.
  bool is_nil() const { return !p_ || p_->is_null(); }
  /// evalPipeline's "dig down one level": an interface's dynamic value (nil → invalid).
  Value concrete() const {
    if (!iface_) return *this;
    if (p_->is_null()) return {};
    Value v = *this;
    v.iface_ = false;
    return v;
  }

 private:
  std::shared_ptr<const Json> keep_;
  const Json* p_ = nullptr;
  const Json* type_ = nullptr;
  bool iface_ = false;
  bool nil_ = false;
};

/// The kind of a schema node (template.hpp, ExecEnv::schema).
enum class TypeKind : uint8_t { kNone, kStruct, kMap, kSlice, kPtr, kString, kInt, kBool };
TypeKind type_kind(const Json* type);
/// Go's zero value of a typed field that the data omits (json:",omitempty").
Value typed_zero(const Json* type);

/// One template execution (Go's exec.go state).
class Exec {
 public:
  Exec(const TemplateSet& set, const ExecEnv& env, std::string& out, const Json* root, bool header,
       const std::map<std::string, std::string>* headers)
      : set_(set), env_(env), out_(out), root_(root), header_(header), headers_(headers) {}

  /// Runs the top-level template with `data` as dot; returns Go's error text or "".
  std::string run(const Value& data);

  // -- used by the builtins (template_funcs.cpp) ----------------------------------------------
  bool failed() const { return !err_.empty(); }
  void at(const Node* n) { node_ = n; }
  void errorf(const std::string& msg);
  Value eval_arg(const Value& dot, ArgKind kind, const Node& n);
  Value validate(const Value& v, ArgKind kind);
  Value call_builtin(const Value& dot, const IdentifierNode& ident, const Node& cmd,
                     std::span<const NodePtr> args, const Value* final);
  const ExecEnv& env() const { return env_; }
  bool header() const { return header_; }
  bool is_root(const Value& v) const { return v.ptr() == root_; }

 private:
  struct Var {
    std::string_view name;
    Value value;
  };
  enum class Flow : uint8_t { kNone, kBreak, kContinue };

  void walk(const Value& dot, const Node& n);
  void walk_branch(const Value& dot, const BranchNode& b);
  void walk_range(const Value& dot, const BranchNode& r);
  void walk_template(const Value& dot, const TemplateNode& t);
  Value eval_pipeline(const Value& dot, const PipeNode* pipe);
  Value eval_command(const Value& dot, const CommandNode& cmd, const Value* final);
  Value eval_field_node(const Value& dot, const FieldNode& f, std::span<const NodePtr> args, const Value* final);
  Value eval_chain_node(const Value& dot, const ChainNode& c, std::span<const NodePtr> args, const Value* final);
  Value eval_variable_node(const Value& dot, const VariableNode& v, std::span<const NodePtr> args, const Value* final);
  Value eval_field_chain(const Value& dot, Value receiver, const Node& node, std::span<const std::string> ident,
                         std::span<const NodePtr> args, const Value* final);
  Value eval_field(const Value& dot, const std::string& name, const Node& node, std::span<const NodePtr> args,
                   const Value* final, const Value& receiver);
  Value call_method(const Value& dot, const TemplateMethod& m, const Node& node, const std::string& name,
                    std::span<const NodePtr> args, const Value* final);
  Value header_field(const Value& dot, std::span<const std::string> ident, std::span<const NodePtr> args,
                     const Value* final);
  Value ideal_constant(const NumberNode& n);
  void not_a_function(std::span<const NodePtr> args, const Value* final);
  Value var_value(std::string_view name);
  void set_var(std::string_view name, const Value& v);
  void print_value(const Node& n, const Value& v);
  void write(std::string_view s);
  std::string_view type_of(const Value& v) const;

  const TemplateSet& set_;
  const ExecEnv& env_;
  std::string& out_;
  const Json* root_;
  bool header_;
  const std::map<std::string, std::string>* headers_;
  std::string_view name_;  // the executing template's name
  const Node* node_ = nullptr;
  std::vector<Var> vars_;
  int depth_ = 0;
  uint64_t steps_ = 0;
  size_t written_ = 0;
  Flow flow_ = Flow::kNone;
  std::string err_;
};

/// Truth as Go's if/with/and/or/not see it (isTrue on the dynamic value).
bool truth(const Value& v);

/// Docker's SubHeaderContext.Label: the part after the last '.', with '-' and '_' as spaces.
std::string header_label(std::string_view name);

inline constexpr int kMaxExecDepth = 1000;  ///< nested {{template}} calls and blocks, together

}  // namespace skiff::gotmpl::tmpl
