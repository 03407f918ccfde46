// Template execution: walking the tree, evaluating pipelines, fields, variables and methods.
// Follows Go's text/template/exec.go step by step (the same `at` bookkeeping, so errors name
// the same node and position); builtin functions live in template_funcs.cpp.
#include <algorithm>

#include "skiff/gotmpl/gofmt.hpp"
#include "skiff/util/strings.hpp"
#include "template_exec.hpp"

namespace skiff::gotmpl {

using tmpl::Exec;
using tmpl::Value;

namespace tmpl {

namespace {

const Json kTrue = true;
const Json kFalse = false;
const Json kNull;

std::string upper_ascii(std::string_view s) {
  std::string r(s);
  for (auto& c : r)
    if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  return r;
}

}  // namespace

TypeKind type_kind(const Json* t) {
  if (!t) return TypeKind::kNone;
  if (t->is_string()) {
    const std::string& k = t->get_ref<const std::string&>();
    if (k == "map") return TypeKind::kMap;
    if (k == "slice") return TypeKind::kSlice;
    if (k == "ptr") return TypeKind::kPtr;
    if (k == "string") return TypeKind::kString;
    if (k == "int") return TypeKind::kInt;
    if (k == "bool") return TypeKind::kBool;
    return TypeKind::kNone;
  }
  if (!t->is_object()) return TypeKind::kNone;
  if (t->contains("map")) return TypeKind::kMap;
  if (t->contains("slice")) return TypeKind::kSlice;
  return TypeKind::kStruct;
}

namespace {

// The element type of a typed map or slice ({"map": T} / {"slice": T}), or null.
const Json* elem_type(const Json* t) {
  if (!t || !t->is_object()) return nullptr;
  for (const char* k : {"map", "slice"}) {
    auto it = t->find(k);
    if (it != t->end()) return &*it;
  }
  return nullptr;
}

std::string struct_name(const Json* t) {
  if (t && t->is_object()) {
    auto it = t->find("_type");
    if (it != t->end() && it->is_string()) return it->get<std::string>();
  }
  return "struct";
}

const Json kEmptyObject = Json::object();
const Json kEmptyArray = Json::array();

}  // namespace

Value Value::member(const Json& c, const Json* type) const {
  if (!type) return child(c, false);
  TypeKind k = type_kind(type);
  if (c.is_null() && (k == TypeKind::kMap || k == TypeKind::kSlice)) {
    Value v = borrow(k == TypeKind::kMap ? kEmptyObject : kEmptyArray).typed(type);
    v.nil_ = true;
    return v;
  }
  return child(c, false).typed(type);
}

Value Value::elem(const Json& c) const {
  const Json* t = elem_type(type_);
  return t ? member(c, t) : child(c);
}

Value typed_zero(const Json* type) {
  switch (type_kind(type)) {
    case TypeKind::kString: return Value::make(std::string());
    case TypeKind::kInt: return Value::make(int64_t(0));
    case TypeKind::kBool: return Value::make(false);
    case TypeKind::kMap:
    case TypeKind::kSlice: return Value::borrow(kNull).member(kNull, type);
    default: return Value::make(Json()).typed(type);
  }
}

bool truth(const Value& v) {
  if (!v.valid()) return false;
  const Json& j = v.json();
  switch (j.type()) {
    case Json::value_t::boolean: return j.get<bool>();
    case Json::value_t::number_integer: return j.get<int64_t>() != 0;
    case Json::value_t::number_unsigned: return j.get<uint64_t>() != 0;
    case Json::value_t::number_float: return j.get<double>() != 0;
    case Json::value_t::string: return !j.get_ref<const std::string&>().empty();
    case Json::value_t::array:
    case Json::value_t::object: return !j.empty();
    default: return false;
  }
}

std::string header_label(std::string_view name) {
  size_t dot = name.rfind('.');
  std::string h(dot == std::string_view::npos ? name : name.substr(dot + 1));
  for (auto& c : h)
    if (c == '-' || c == '_') c = ' ';
  return h;
}

// ---------------------------------------------------------------------------------------------
// Errors and output

void Exec::errorf(const std::string& msg) {
  if (failed()) return;
  if (!node_) {
    err_ = fmt::format("template: {}: {}", name_, msg);
    return;
  }
  // Tree.ErrorContext: line and byte column of the node, and the node's source form.
  std::string_view text(set_.text);
  size_t pos = std::min(size_t(node_->pos), text.size());
  std::string_view before = text.substr(0, pos);
  size_t nl = before.rfind('\n');
  size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
  size_t line = 1 + size_t(std::count(before.begin(), before.end(), '\n'));
  err_ = fmt::format("template: {}:{}:{}: executing {} at <{}>: {}", set_.name, line, col, go_quote(name_),
                     node_string(*node_), msg);
}

void Exec::write(std::string_view s) {
  if (written_ + s.size() > env_.max_output) {
    node_ = nullptr;
    return errorf(fmt::format("output exceeds {} bytes", env_.max_output));
  }
  written_ += s.size();
  out_ += s;
}

std::string_view Exec::type_of(const Value& v) const {
  if (v.iface()) return "interface {}";
  if (v.ptr() == root_ && !env_.type_name.empty()) return env_.type_name;
  return gofmt::type_name(v.json());
}

std::string Exec::run(const Value& data) {
  auto it = set_.trees.find(set_.name);
  if (it == set_.trees.end()) return fmt::format("template: {}: {} is an incomplete or empty template", set_.name, go_quote(set_.name));
  name_ = set_.name;
  vars_.reserve(16);
  vars_.push_back({"$", data});
  walk(data, *it->second);
  return std::move(err_);
}

// ---------------------------------------------------------------------------------------------
// Walking

void Exec::walk(const Value& dot, const Node& n) {
  if (failed() || flow_ != Flow::kNone) return;
  if (++steps_ > env_.max_steps) {
    at(&n);
    return errorf(fmt::format("execution exceeds {} steps", env_.max_steps));
  }
  at(&n);
  switch (n.type) {
    case NodeType::kAction: {
      auto& a = static_cast<const ActionNode&>(n);
      Value val = eval_pipeline(dot, a.pipe.get());
      if (!failed() && a.pipe->decl.empty()) print_value(n, val);
      break;
    }
    case NodeType::kBreak: flow_ = Flow::kBreak; break;
    case NodeType::kContinue: flow_ = Flow::kContinue; break;
    case NodeType::kComment: break;
    case NodeType::kIf:
    case NodeType::kWith:
    case NodeType::kRange: {
      // Blocks nest on the stack as {{template}} calls do: one budget for both (a recursive
      // template whose body nests blocks recursed 40 times deeper than the calls counted).
      if (depth_ >= kMaxExecDepth) return errorf(fmt::format("exceeded maximum template depth ({})", kMaxExecDepth));
      ++depth_;
      if (n.type == NodeType::kRange) walk_range(dot, static_cast<const BranchNode&>(n));
      else walk_branch(dot, static_cast<const BranchNode&>(n));
      --depth_;
      break;
    }
    case NodeType::kList:
      for (auto& c : static_cast<const ListNode&>(n).nodes) {
        walk(dot, *c);
        if (failed() || flow_ != Flow::kNone) return;
      }
      break;
    case NodeType::kTemplate: walk_template(dot, static_cast<const TemplateNode&>(n)); break;
    case NodeType::kText: write(static_cast<const TextNode&>(n).text); break;
    default: errorf("unknown node: " + node_string(n));
  }
}

void Exec::walk_branch(const Value& dot, const BranchNode& b) {
  size_t mark = vars_.size();
  Value val = eval_pipeline(dot, b.pipe.get());
  if (!failed()) {
    if (truth(val)) walk(b.type == NodeType::kWith ? val : dot, *b.list);
    else if (b.else_list) walk(dot, *b.else_list);
  }
  vars_.resize(mark, Var{});
}

void Exec::walk_range(const Value& dot, const BranchNode& r) {
  at(&r);
  size_t mark0 = vars_.size();
  Value val = eval_pipeline(dot, r.pipe.get());
  if (failed()) return;
  size_t mark = vars_.size();
  auto& decl = r.pipe->decl;
  // One iteration; false stops the loop ({{break}} or an error).
  auto one = [&](const Value& index, const Value& elem) {
    if (!decl.empty()) {
      if (r.pipe->is_assign) set_var(decl[0]->ident[0], decl.size() > 1 ? index : elem);
      else vars_[vars_.size() - 1].value = elem;
    }
    if (decl.size() > 1) {
      if (r.pipe->is_assign) set_var(decl[1]->ident[0], elem);
      else vars_[vars_.size() - 2].value = index;
    }
    walk(elem, *r.list);
    vars_.resize(mark, Var{});
    if (flow_ == Flow::kContinue) flow_ = Flow::kNone;
    if (flow_ == Flow::kBreak) {
      flow_ = Flow::kNone;
      return false;
    }
    return !failed();
  };
  bool iterated = false;
  if (val.valid()) {
    const Json& j = val.json();
    switch (j.type()) {
      case Json::value_t::array:
        if (j.empty()) break;
        iterated = true;
        for (size_t i = 0; i < j.size(); ++i)
          if (!one(decl.size() > 1 ? Value::make(int64_t(i)) : Value(), val.elem(j[i]))) break;
        break;
      case Json::value_t::object: {
        if (j.empty()) break;
        iterated = true;
        std::vector<std::pair<const std::string*, const Json*>> m;
        m.reserve(j.size());
        for (auto it = j.begin(); it != j.end(); ++it) m.emplace_back(&it.key(), &it.value());
        std::sort(m.begin(), m.end(), [](auto& a, auto& b) { return *a.first < *b.first; });
        for (auto& [k, v] : m)
          if (!one(decl.size() > 1 ? Value::make(*k) : Value(), val.elem(*v))) break;
        break;
      }
      case Json::value_t::number_integer:
      case Json::value_t::number_unsigned: {
        // Go 1.22: range over an integer n yields 0 … n-1.
        if (decl.size() > 1) {
          std::string s;
          gofmt::append_v(s, &j);
          errorf("can't use " + s + " to iterate over more than one variable");
          break;
        }
        int64_t n = j.is_number_unsigned() ? int64_t(std::min<uint64_t>(j.get<uint64_t>(), INT64_MAX)) : j.get<int64_t>();
        if (n <= 0) break;
        iterated = true;
        for (int64_t i = 0; i < n; ++i) {
          Value v = Value::make(i);
          if (!one(v, v)) break;
        }
        break;
      }
      case Json::value_t::null: break;
      default: {
        std::string s;
        gofmt::append_v(s, &j);
        errorf("range can't iterate over " + s);
      }
    }
  }
  if (!iterated && !failed() && r.else_list) walk(dot, *r.else_list);
  vars_.resize(mark0, Var{});
}

void Exec::walk_template(const Value& dot, const TemplateNode& t) {
  at(&t);
  auto it = set_.trees.find(t.name);
  if (it == set_.trees.end()) return errorf("template " + go_quote(t.name) + " not defined");
  if (depth_ >= kMaxExecDepth) return errorf(fmt::format("exceeded maximum template depth ({})", kMaxExecDepth));
  Value newdot = eval_pipeline(dot, t.pipe.get());
  if (failed()) return;
  std::vector<Var> saved;
  saved.swap(vars_);
  vars_.push_back({"$", newdot});
  std::string_view saved_name = name_;
  name_ = it->first;
  ++depth_;
  walk(newdot, *it->second);
  --depth_;
  name_ = saved_name;
  vars_.swap(saved);
}

// ---------------------------------------------------------------------------------------------
// Evaluation

Value Exec::eval_pipeline(const Value& dot, const PipeNode* pipe) {
  if (!pipe) return {};
  at(pipe);
  Value value;
  bool have = false;
  for (auto& cmd : pipe->cmds) {
    value = eval_command(dot, *cmd, have ? &value : nullptr).concrete();
    if (failed()) return {};
    have = true;
  }
  for (auto& v : pipe->decl) {
    if (pipe->is_assign) set_var(v->ident[0], value);
    else vars_.push_back({v->ident[0], value});
  }
  return value;
}

void Exec::not_a_function(std::span<const NodePtr> args, const Value* final) {
  if (args.size() > 1 || final) errorf("can't give argument to non-function " + node_string(*args[0]));
}

Value Exec::eval_command(const Value& dot, const CommandNode& cmd, const Value* final) {
  const Node& first = *cmd.args[0];
  std::span<const NodePtr> args(cmd.args);
  switch (first.type) {
    case NodeType::kField: return eval_field_node(dot, static_cast<const FieldNode&>(first), args, final);
    case NodeType::kChain: return eval_chain_node(dot, static_cast<const ChainNode&>(first), args, final);
    case NodeType::kIdentifier:
      at(&first);
      return call_builtin(dot, static_cast<const IdentifierNode&>(first), cmd, args, final);
    case NodeType::kPipe:
      not_a_function(args, final);
      if (failed()) return {};
      return eval_pipeline(dot, static_cast<const PipeNode*>(&first));
    case NodeType::kVariable: return eval_variable_node(dot, static_cast<const VariableNode&>(first), args, final);
    default: break;
  }
  at(&first);
  not_a_function(args, final);
  if (failed()) return {};
  switch (first.type) {
    case NodeType::kBool: return Value::borrow(static_cast<const BoolNode&>(first).value ? kTrue : kFalse);
    case NodeType::kDot: return dot;
    case NodeType::kNil: errorf("nil is not a command"); return {};
    case NodeType::kNumber: return ideal_constant(static_cast<const NumberNode&>(first));
    case NodeType::kString: return Value::borrow(static_cast<const StringNode&>(first).json);
    default: errorf("can't evaluate command " + go_quote(node_string(first))); return {};
  }
}

Value Exec::ideal_constant(const NumberNode& n) {
  at(&n);
  if (n.overflows) {
    errorf(n.text + " overflows int");
    return {};
  }
  return Value::borrow(n.ideal);
}

Value Exec::eval_field_node(const Value& dot, const FieldNode& f, std::span<const NodePtr> args, const Value* final) {
  at(&f);
  return eval_field_chain(dot, dot, f, f.ident, args, final);
}

Value Exec::eval_chain_node(const Value& dot, const ChainNode& c, std::span<const NodePtr> args, const Value* final) {
  at(&c);
  if (c.node->type == NodeType::kNil) {
    errorf("indirection through explicit nil in " + node_string(c));
    return {};
  }
  Value pipe = eval_arg(dot, ArgKind::kAny, *c.node);
  if (failed()) return {};
  return eval_field_chain(dot, pipe, c, c.field, args, final);
}

Value Exec::eval_variable_node(const Value& dot, const VariableNode& v, std::span<const NodePtr> args,
                               const Value* final) {
  at(&v);
  Value value = var_value(v.ident[0]);
  if (failed()) return {};
  if (v.ident.size() == 1) {
    not_a_function(args, final);
    return value;
  }
  return eval_field_chain(dot, value, v, std::span<const std::string>(v.ident).subspan(1), args, final);
}

Value Exec::eval_field_chain(const Value& dot, Value receiver, const Node& node, std::span<const std::string> ident,
                             std::span<const NodePtr> args, const Value* final) {
  for (size_t i = 0; i + 1 < ident.size(); ++i) {
    if (header_ && receiver.ptr() == root_) return header_field(dot, ident.subspan(i), args, final);
    receiver = eval_field(dot, ident[i], node, {}, nullptr, receiver);
    if (failed()) return {};
  }
  if (header_ && receiver.ptr() == root_) return header_field(dot, ident.subspan(ident.size() - 1), args, final);
  return eval_field(dot, ident.back(), node, args, final, receiver);
}

Value Exec::eval_field(const Value& dot, const std::string& name, const Node& node, std::span<const NodePtr> args,
                       const Value* final, const Value& receiver) {
  if (!receiver.valid()) {
    if (env_.missing_key_error) errorf("nil data; no entry for key " + go_quote(name));
    return {};
  }
  bool with_args = args.size() > 1 || final;
  switch (type_kind(receiver.type())) {
    case TypeKind::kPtr:
      if (receiver.json().is_null()) {
        errorf(fmt::format("nil pointer evaluating {}.{}", "*struct", name));
        return {};
      }
      break;  // a pointer to something the schema does not describe: untyped below
    case TypeKind::kStruct: {
      // A Go struct (or pointer to one): its fields, their zero values when the JSON omits
      // them (omitempty), an error for any other name.
      const Json& j = receiver.json();
      const Json* t = receiver.type();
      if (j.is_null()) {
        errorf(fmt::format("nil pointer evaluating *{}.{}", struct_name(t), name));
        return {};
      }
      const Json* ft = nullptr;
      if (t->is_object())
        if (auto f = t->find(name); f != t->end()) ft = &*f;
      auto it = j.is_object() ? j.find(name) : j.end();
      if ((!j.is_object() || it == j.end()) && !ft) {
        errorf(fmt::format("can't evaluate field {} in type {}", name, struct_name(t)));
        return {};
      }
      if (with_args) {
        errorf(name + " has arguments but cannot be invoked as function");
        return {};
      }
      return j.is_object() && it != j.end() ? receiver.member(*it, ft) : typed_zero(ft);
    }
    case TypeKind::kMap: {
      // A Go map: a missing key (or a nil map) is <no value>, not an error.
      if (with_args) {
        errorf(name + " is not a method but has arguments");
        return {};
      }
      const Json& j = receiver.json();
      if (j.is_object())
        if (auto it = j.find(name); it != j.end()) return receiver.elem(*it);
      if (env_.missing_key_error) errorf("map has no entry for key " + go_quote(name));
      return {};
    }
    default: break;
  }
  std::string_view typ = type_of(receiver);
  const Json& j = receiver.json();
  if (j.is_null()) {
    errorf(fmt::format("nil pointer evaluating {}.{}", typ, name));
    return {};
  }
  bool root = receiver.ptr() == root_;
  if (root && env_.methods) {
    auto m = env_.methods->find(name);
    if (m != env_.methods->end()) return call_method(dot, m->second, node, name, args, final);
  }
  bool has_args = args.size() > 1 || final;
  if (j.is_object()) {
    auto it = j.find(name);
    if (root && !env_.type_name.empty()) {
      // A typed row behaves like a Go struct: its fields have concrete types.
      if (it != j.end()) {
        if (has_args) {
          errorf(name + " has arguments but cannot be invoked as function");
          return {};
        }
        return receiver.child(*it, false);
      }
    } else {
      if (has_args) {
        errorf(name + " is not a method but has arguments");
        return {};
      }
      if (it != j.end()) return receiver.child(*it);
      if (env_.missing_key_error) errorf("map has no entry for key " + go_quote(name));
      return {};
    }
  }
  errorf(fmt::format("can't evaluate field {} in type {}", name, typ));
  return {};
}

Value Exec::call_method(const Value& dot, const TemplateMethod& m, const Node& node, const std::string& name,
                        std::span<const NodePtr> args, const Value* final) {
  size_t nargs = args.empty() ? 0 : args.size() - 1;
  size_t num_in = nargs + (final ? 1 : 0);
  if (num_in != m.params.size()) {
    errorf(fmt::format("wrong number of args for {}: want {} got {}", name, m.params.size(), num_in));
    return {};
  }
  std::vector<Json> argv;
  argv.reserve(num_in);
  for (size_t i = 0; i < nargs; ++i) {
    Value v = eval_arg(dot, m.params[i], *args[i + 1]);
    if (failed()) return {};
    argv.push_back(v.valid() ? v.json() : Json());
  }
  if (final) {
    Value v = validate(*final, m.params.back());
    if (failed()) return {};
    argv.push_back(v.valid() ? v.json() : Json());
  }
  if (!m.fn) return {};
  Result<Json> r = m.fn(*root_, argv);
  if (!r) {
    at(&node);
    errorf("error calling " + name + ": " + r.error().msg);
    return {};
  }
  return Value::make(std::move(*r));
}

// Header mode: every field of the header row is a column title.
Value Exec::header_field(const Value& dot, std::span<const std::string> ident, std::span<const NodePtr> args,
                         const Value* final) {
  if (args.size() > 1 || final) {
    // A method call such as {{.Label "com.example.x"}}: SubHeaderContext.Label of its argument.
    Value first;
    if (args.size() > 1) first = eval_arg(dot, ArgKind::kAny, *args[1]);
    else first = *final;
    if (failed()) return {};
    if (first.valid() && first.json().is_string()) return Value::make(header_label(first.json().get_ref<const std::string&>()));
    return Value::make(upper_ascii(ident.back()));
  }
  std::string path;
  for (auto& id : ident) path += (path.empty() ? "" : ".") + id;
  for (const std::string* key : {static_cast<const std::string*>(&path), &ident.back()}) {
    auto it = headers_->find(*key);
    if (it != headers_->end()) return Value::make(it->second);
  }
  return Value::make(upper_ascii(ident.back()));
}

Value Exec::eval_arg(const Value& dot, ArgKind kind, const Node& n) {
  at(&n);
  switch (n.type) {
    case NodeType::kDot: return validate(dot, kind);
    case NodeType::kNil:
      if (kind == ArgKind::kAny) return Value::borrow(kNull);
      errorf(fmt::format("cannot assign nil to {}", kind == ArgKind::kString ? "string" : kind == ArgKind::kInt ? "int" : "bool"));
      return {};
    case NodeType::kField: {
      std::span<const NodePtr> none;
      Value v = eval_field_node(dot, static_cast<const FieldNode&>(n), none, nullptr);
      return failed() ? Value() : validate(v, kind);
    }
    case NodeType::kVariable: {
      Value v = eval_variable_node(dot, static_cast<const VariableNode&>(n), {}, nullptr);
      return failed() ? Value() : validate(v, kind);
    }
    case NodeType::kPipe: {
      Value v = eval_pipeline(dot, static_cast<const PipeNode*>(&n));
      return failed() ? Value() : validate(v, kind);
    }
    case NodeType::kIdentifier: {
      Value v = call_builtin(dot, static_cast<const IdentifierNode&>(n), n, {}, nullptr);
      return failed() ? Value() : validate(v, kind);
    }
    case NodeType::kChain: {
      Value v = eval_chain_node(dot, static_cast<const ChainNode&>(n), {}, nullptr);
      return failed() ? Value() : validate(v, kind);
    }
    default: break;
  }
  switch (kind) {
    case ArgKind::kBool:
      if (n.type == NodeType::kBool) return Value::borrow(static_cast<const BoolNode&>(n).value ? kTrue : kFalse);
      errorf("expected bool; found " + node_string(n));
      return {};
    case ArgKind::kInt:
      if (n.type == NodeType::kNumber && static_cast<const NumberNode&>(n).is_int)
        return Value::make(static_cast<const NumberNode&>(n).i);
      errorf("expected integer; found " + node_string(n));
      return {};
    case ArgKind::kString:
      if (n.type == NodeType::kString) return Value::borrow(static_cast<const StringNode&>(n).json);
      errorf("expected string; found " + node_string(n));
      return {};
    case ArgKind::kAny:
      switch (n.type) {
        case NodeType::kBool: return Value::borrow(static_cast<const BoolNode&>(n).value ? kTrue : kFalse);
        case NodeType::kNumber: return ideal_constant(static_cast<const NumberNode&>(n));
        case NodeType::kString: return Value::borrow(static_cast<const StringNode&>(n).json);
        default: break;
      }
  }
  errorf("can't handle " + node_string(n) + " for arg");
  return {};
}

// validateType: a value passed where a string, int or bool is expected.
Value Exec::validate(const Value& v, ArgKind kind) {
  if (kind == ArgKind::kAny) return v;
  std::string_view want = kind == ArgKind::kString ? "string" : kind == ArgKind::kInt ? "int" : "bool";
  if (!v.valid()) {
    errorf(fmt::format("invalid value; expected {}", want));
    return {};
  }
  const Json& j = v.json();
  bool ok = kind == ArgKind::kString ? j.is_string() : kind == ArgKind::kInt ? j.is_number_integer() : j.is_boolean();
  if (!ok) {
    std::string_view got = j.is_null() ? std::string_view("interface {}")
                           : v.ptr() == root_ && !env_.type_name.empty() ? env_.type_name
                                                                         : gofmt::type_name(j);
    errorf(fmt::format("wrong type for value; expected {}; got {}", want, got));
    return {};
  }
  return v.concrete();
}

Value Exec::var_value(std::string_view name) {
  for (size_t i = vars_.size(); i-- > 0;)
    if (vars_[i].name == name) return vars_[i].value;
  errorf(fmt::format("undefined variable: {}", name));
  return {};
}

void Exec::set_var(std::string_view name, const Value& v) {
  for (size_t i = vars_.size(); i-- > 0;) {
    if (vars_[i].name == name) {
      vars_[i].value = v;
      return;
    }
  }
  errorf(fmt::format("undefined variable: {}", name));
}

void Exec::print_value(const Node& n, const Value& v) {
  at(&n);
  if (v.valid() && v.json().is_null() && v.type()) return write("<nil>");  // a nil pointer
  if (!v.valid() || v.json().is_null()) return write("<no value>");
  const Json& j = v.json();
  if (j.is_string()) return write(j.get_ref<const std::string&>());
  std::string s;
  gofmt::append_v(s, &j);
  write(s);
}

}  // namespace tmpl

// ---------------------------------------------------------------------------------------------
// Template

Template::Template() = default;
Template::Template(Template&&) noexcept = default;
Template& Template::operator=(Template&&) noexcept = default;
Template::~Template() = default;

Result<Template> Template::parse(std::string_view text, std::string_view name) {
  Template t;
  t.set_ = std::make_unique<tmpl::TemplateSet>();
  t.set_->text = std::string(text);
  t.set_->name = std::string(name);
  std::string err;
  if (!tmpl::parse_template(*t.set_, &err)) return fail(kInvalid, std::move(err));
  return t;
}

Status Template::execute(std::string& out, const Json& data, const ExecEnv& env) const {
  if (!set_) return fail(kInvalid, "template: empty template");
  Exec ex(*set_, env, out, &data, false, nullptr);
  std::string err = ex.run(data.is_null() ? Value() : Value::borrow(data).typed(env.schema));
  if (!err.empty()) return fail(kInvalid, std::move(err));
  return ok();
}

Status Template::execute_header(std::string& out, const std::map<std::string, std::string>& headers,
                                const ExecEnv& env) const {
  if (!set_) return fail(kInvalid, "template: empty template");
  Json root = Json::object();
  for (auto& [k, v] : headers) root[k] = v;
  ExecEnv henv = env;
  henv.type_name = {};
  henv.methods = nullptr;
  henv.missing_key_error = false;
  Exec ex(*set_, henv, out, &root, true, &headers);
  std::string err = ex.run(Value::borrow(root));
  if (!err.empty()) return fail(kInvalid, std::move(err));
  return ok();
}

}  // namespace skiff::gotmpl
