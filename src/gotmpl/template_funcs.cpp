// Template functions: Go's builtins (text/template/funcs.go) and Docker's basicFunctions and
// HeaderFunctions (docker/cli templates/templates.go), with Go's argument checks and errors.
#include <algorithm>

#include "skiff/gotmpl/gofmt.hpp"
#include "template_exec.hpp"

namespace skiff::gotmpl::tmpl {

namespace {

// A Go function signature: fixed parameters, then optionally a variadic one of type `var`.
struct Sig {
  uint8_t nfixed;
  ArgKind fixed[3];
  bool variadic;
  ArgKind var = ArgKind::kAny;
};

constexpr ArgKind A = ArgKind::kAny, S = ArgKind::kString, I = ArgKind::kInt;

Sig signature(Func f, bool header) {
  if (header) {  // HeaderFunctions: the column title passes through unchanged
    switch (f) {
      case Func::kJson: case Func::kTitle: case Func::kLower: case Func::kUpper: return {1, {S}, false};
      case Func::kSplit: case Func::kJoin: return {2, {S, S}, false};
      case Func::kTruncate: return {2, {S, I}, false};
      default: break;
    }
  }
  switch (f) {
    case Func::kAnd: case Func::kOr: case Func::kCall: case Func::kIndex: case Func::kSlice:
    case Func::kEq: return {1, {A}, true};
    case Func::kHtml: case Func::kJs: case Func::kUrlquery: case Func::kPrint: case Func::kPrintln:
      return {0, {}, true};
    case Func::kPrintf: return {1, {S}, true};
    case Func::kLen: case Func::kNot: case Func::kJson: return {1, {A}, false};
    case Func::kNe: case Func::kLt: case Func::kLe: case Func::kGt: case Func::kGe: return {2, {A, A}, false};
    case Func::kSplit: return {2, {S, S}, false};
    case Func::kJoin: return {2, {A, S}, false};
    case Func::kTitle: case Func::kLower: case Func::kUpper: return {1, {S}, false};
    case Func::kPad: return {3, {S, I, I}, false};
    case Func::kTruncate: return {2, {S, I}, false};
  }
  return {0, {}, true};
}

const std::string& str(const Value& v) { return v.json().get_ref<const std::string&>(); }
int64_t int_of(const Value& v) {
  const Json& j = v.json();
  return j.is_number_unsigned() ? int64_t(std::min<uint64_t>(j.get<uint64_t>(), INT64_MAX)) : j.get<int64_t>();
}
bool go_valid(const Value& v) { return v.valid() && !v.json().is_null(); }
std::string_view tname(const Value& v) { return go_valid(v) ? gofmt::type_name(v.json()) : "<nil>"; }
std::string vstr(const Value& v) {
  std::string s;
  gofmt::append_v(s, v.ptr());
  return s;
}

// -- comparisons (funcs.go basicKind, eq, lt) --------------------------------------------------

enum class Kind : uint8_t { kInvalid, kBool, kInt, kFloat, kString };

Kind basic_kind(const Value& v) {
  if (!go_valid(v)) return Kind::kInvalid;
  switch (v.json().type()) {
    case Json::value_t::boolean: return Kind::kBool;
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return Kind::kInt;
    case Json::value_t::number_float: return Kind::kFloat;
    case Json::value_t::string: return Kind::kString;
    default: return Kind::kInvalid;
  }
}

__int128 wide(const Value& v) {
  const Json& j = v.json();
  return j.is_number_unsigned() ? __int128(j.get<uint64_t>()) : __int128(j.get<int64_t>());
}

bool eq(const Value& a, std::span<const Value> rest, std::string* err) {
  if (rest.empty()) {
    *err = "missing argument for comparison";
    return false;
  }
  Kind k1 = basic_kind(a);
  for (auto& b : rest) {
    Kind k2 = basic_kind(b);
    bool t = false;
    if (k1 != k2) {
      if (go_valid(a) && go_valid(b)) {
        *err = fmt::format("incompatible types for comparison: {} and {}", tname(a), tname(b));
        return false;
      }
    } else {
      switch (k1) {
        case Kind::kBool: t = a.json().get<bool>() == b.json().get<bool>(); break;
        case Kind::kInt: t = wide(a) == wide(b); break;
        case Kind::kFloat: t = a.json().get<double>() == b.json().get<double>(); break;
        case Kind::kString: t = str(a) == str(b); break;
        case Kind::kInvalid: {
          // Composites and nil: comparable only against nil.
          bool n1 = !go_valid(a), n2 = !go_valid(b);
          if (!n1 && !n2 && a.json().type() != b.json().type()) {
            *err = fmt::format("non-comparable types {}: {}, {}: {}", vstr(a), tname(a), tname(b), vstr(b));
            return false;
          }
          if (n1 || n2) {
            t = n1 == n2;
          } else {
            *err = fmt::format("non-comparable type {}: {}", vstr(b), tname(b));
            return false;
          }
        }
      }
    }
    if (t) return true;
  }
  return false;
}

bool lt(const Value& a, const Value& b, std::string* err) {
  Kind k1 = basic_kind(a), k2 = basic_kind(b);
  if (k1 == Kind::kInvalid || k2 == Kind::kInvalid) {
    *err = "invalid type for comparison";
    return false;
  }
  if (k1 != k2) {
    *err = fmt::format("incompatible types for comparison: {} and {}", tname(a), tname(b));
    return false;
  }
  switch (k1) {
    case Kind::kInt: return wide(a) < wide(b);
    case Kind::kFloat: return a.json().get<double>() < b.json().get<double>();
    case Kind::kString: return str(a) < str(b);
    default: *err = "invalid type for comparison"; return false;
  }
}

// -- index and slice (funcs.go) -----------------------------------------------------------------

bool index_arg(const Value& idx, size_t cap, int64_t* out, std::string* err) {
  if (!go_valid(idx)) {
    *err = "cannot index slice/array with nil";
    return false;
  }
  if (!idx.json().is_number_integer()) {
    *err = fmt::format("cannot index slice/array with type {}", tname(idx));
    return false;
  }
  int64_t x = int_of(idx);
  if (x < 0 || uint64_t(x) > cap) {
    *err = fmt::format("index out of range: {}", x);
    return false;
  }
  *out = x;
  return true;
}

Value index(const Value& item0, std::span<const Value> idxs, std::string* err) {
  if (!go_valid(item0)) {
    *err = "index of untyped nil";
    return {};
  }
  Value item = item0.concrete();
  for (auto& idx : idxs) {
    if (!item.valid() || item.json().is_null()) {
      *err = "index of nil pointer";
      return {};
    }
    const Json& j = item.json();
    if (j.is_array() || j.is_string()) {
      size_t len = j.is_array() ? j.size() : j.get_ref<const std::string&>().size();
      int64_t x;
      if (!index_arg(idx, len, &x, err)) return {};
      if (size_t(x) == len) {  // reflect's Index panics; Go reports the panic
        *err = j.is_array() ? "reflect: slice index out of range" : "reflect: string index out of range";
        return {};
      }
      if (j.is_array()) item = item.elem(j[size_t(x)]);
      else item = Value::make(int64_t(uint8_t(j.get_ref<const std::string&>()[size_t(x)])));
    } else if (j.is_object()) {
      if (!go_valid(idx)) {
        *err = "value is nil; should be of type string";
        return {};
      }
      if (!idx.json().is_string()) {
        *err = fmt::format("value has type {}; should be string", tname(idx));
        return {};
      }
      auto it = j.find(str(idx));
      // A missing key gives the element type's zero value; Docker's maps (labels) hold strings.
      item = it != j.end() ? item.elem(*it) : Value::make(std::string());
    } else {
      *err = fmt::format("can't index item of type {}", tname(item));
      return {};
    }
  }
  return item;
}

Value slice(const Value& item, std::span<const Value> idxs, std::string* err) {
  if (!go_valid(item)) {
    *err = "slice of untyped nil";
    return {};
  }
  if (idxs.size() > 3) {
    *err = fmt::format("too many slice indexes: {}", idxs.size());
    return {};
  }
  const Json& j = item.json();
  size_t cap;
  if (j.is_string()) {
    if (idxs.size() == 3) {
      *err = "cannot 3-index slice a string";
      return {};
    }
    cap = j.get_ref<const std::string&>().size();
  } else if (j.is_array()) {
    cap = j.size();
  } else {
    *err = fmt::format("can't slice item of type {}", tname(item));
    return {};
  }
  int64_t idx[3] = {0, int64_t(cap), 0};
  for (size_t i = 0; i < idxs.size(); ++i)
    if (!index_arg(idxs[i], cap, &idx[i], err)) return {};
  if (idx[0] > idx[1]) {
    *err = fmt::format("invalid slice index: {} > {}", idx[0], idx[1]);
    return {};
  }
  if (idxs.size() == 3 && idx[1] > idx[2]) {
    *err = fmt::format("invalid slice index: {} > {}", idx[1], idx[2]);
    return {};
  }
  if (j.is_string()) return Value::make(j.get_ref<const std::string&>().substr(size_t(idx[0]), size_t(idx[1] - idx[0])));
  Json a = Json::array();
  for (int64_t i = idx[0]; i < idx[1]; ++i) a.push_back(j[size_t(i)]);
  return Value::make(std::move(a));
}

// -- escapers (funcs.go evalArgs, HTMLEscapeString, JSEscapeString; net/url QueryEscape) ----------

std::string eval_args(std::span<const Value> argv) {
  if (argv.size() == 1 && go_valid(argv[0]) && argv[0].json().is_string()) return str(argv[0]);
  std::vector<Json> tmp(argv.size());
  std::vector<const Json*> ptrs(argv.size());
  for (size_t i = 0; i < argv.size(); ++i) {
    if (go_valid(argv[i])) {
      ptrs[i] = argv[i].ptr();
    } else {
      tmp[i] = "<no value>";
      ptrs[i] = &tmp[i];
    }
  }
  return gofmt::sprint(ptrs);
}

std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\0': out += "\xEF\xBF\xBD"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string js_escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    uint8_t c = uint8_t(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\': out += "\\\\"; break;
        case '\'': out += "\\'"; break;
        case '"': out += "\\\""; break;
        case '<': out += "\\u003C"; break;
        case '>': out += "\\u003E"; break;
        case '&': out += "\\u0026"; break;
        case '=': out += "\\u003D"; break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += char(c);
          }
      }
      continue;
    }
    size_t len;
    uint32_t r = gofmt::decode_rune(s, i, &len);
    if (gofmt::is_print(r)) out.append(s.substr(i, len));
    else out += fmt::format("\\u{:04X}", r);
    i += len - 1;
  }
  return out;
}

std::string query_escape(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    uint8_t c = uint8_t(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += char(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// -- Docker's string functions ---------------------------------------------------------------

std::string map_ascii(std::string_view s, bool upper) {
  std::string r(s);
  for (auto& c : r) {
    if (upper && c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  }
  return r;
}

// strings.Title: upper-case the first letter of each word (words are separated by anything but
// ASCII letters, digits and '_'; non-ASCII letters and digits are word characters).
std::string title(std::string_view s) {
  std::string out;
  uint32_t prev = ' ';
  for (size_t i = 0; i < s.size();) {
    size_t len;
    uint32_t r = gofmt::decode_rune(s, i, &len);
    bool sep;
    if (prev < 0x80) sep = !((prev >= '0' && prev <= '9') || (prev >= 'a' && prev <= 'z') || (prev >= 'A' && prev <= 'Z') || prev == '_');
    else sep = prev == 0x85 || prev == 0xA0 || prev == 0x1680 || (prev >= 0x2000 && prev <= 0x200A) || prev == 0x2028 ||
               prev == 0x2029 || prev == 0x202F || prev == 0x205F || prev == 0x3000;
    if (sep && r >= 'a' && r <= 'z') out += char(r - 'a' + 'A');
    else out.append(s.substr(i, len));
    prev = r;
    i += len;
  }
  return out;
}

// join: strings.Join, extended as Docker's docs describe: any slice (elements printed as %v),
// or a map (its values, sorted).
bool join(const Value& x, const std::string& sep, std::string* out) {
  if (!go_valid(x)) return true;
  const Json& j = x.json();
  if (!j.is_array() && !j.is_object()) return false;
  std::vector<std::string> parts;
  parts.reserve(j.size());
  for (auto& e : j) {
    if (e.is_string()) {
      parts.push_back(e.get<std::string>());
    } else {
      std::string s;
      gofmt::append_v(s, &e);
      parts.push_back(std::move(s));
    }
  }
  if (j.is_object()) std::sort(parts.begin(), parts.end());
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) *out += sep;
    *out += parts[i];
  }
  return true;
}

constexpr size_t kMaxSplit = 1 << 20;

}  // namespace

Value Exec::call_builtin(const Value& dot, const IdentifierNode& ident, const Node& cmd, std::span<const NodePtr> args,
                         const Value* final) {
  const std::string& name = ident.ident;
  Sig sig = signature(ident.func, header_);
  size_t nargs = args.empty() ? 0 : args.size() - 1;
  size_t num_in = nargs + (final ? 1 : 0);
  if (sig.variadic) {
    if (num_in < sig.nfixed) {
      errorf(fmt::format("wrong number of args for {}: want at least {} got {}", name, sig.nfixed, nargs));
      return {};
    }
  } else if (num_in != sig.nfixed) {
    errorf(fmt::format("wrong number of args for {}: want {} got {}", name, sig.nfixed, num_in));
    return {};
  }
  // and / or evaluate their arguments lazily and return one of them.
  if (ident.func == Func::kAnd || ident.func == Func::kOr) {
    bool want = ident.func == Func::kOr;
    Value v;
    for (size_t i = 0; i < nargs; ++i) {
      v = eval_arg(dot, ArgKind::kAny, *args[i + 1]);
      if (failed()) return {};
      if (truth(v) == want) return v;
    }
    if (final) v = *final;
    return v;
  }
  std::vector<Value> argv;
  argv.reserve(num_in);
  for (size_t i = 0; i < nargs; ++i) {
    ArgKind k = i < sig.nfixed ? sig.fixed[i] : sig.var;
    argv.push_back(eval_arg(dot, k, *args[i + 1]));
    if (failed()) return {};
  }
  if (final) {
    ArgKind k = sig.variadic && num_in - 1 >= sig.nfixed ? sig.var : sig.fixed[num_in - 1];
    argv.push_back(validate(*final, k));
    if (failed()) return {};
  }

  std::string err;
  Value result;
  auto make_str = [&](std::string s) {
    if (s.size() > env_.max_output) err = fmt::format("result exceeds {} bytes", env_.max_output);
    else result = Value::make(std::move(s));
  };
  auto ptrs = [&](size_t from) {
    std::vector<const Json*> p;
    for (size_t i = from; i < argv.size(); ++i) p.push_back(go_valid(argv[i]) ? argv[i].ptr() : nullptr);
    return p;
  };
  if (header_) {
    switch (ident.func) {
      case Func::kJson: case Func::kSplit: case Func::kJoin: case Func::kTitle: case Func::kLower:
      case Func::kUpper: case Func::kTruncate: return argv[0];
      default: break;
    }
  }
  switch (ident.func) {
    case Func::kAnd:
    case Func::kOr: break;
    case Func::kCall: {
      std::string callee = nargs > 0 ? node_string(*args[1]) : "";
      if (!go_valid(argv[0])) err = "call of nil";
      else err = fmt::format("non-function {} of type {}", callee, tname(argv[0]));
      break;
    }
    case Func::kHtml: make_str(html_escape(eval_args(argv))); break;
    case Func::kJs: make_str(js_escape(eval_args(argv))); break;
    case Func::kUrlquery: make_str(query_escape(eval_args(argv))); break;
    case Func::kIndex: result = index(argv[0], std::span<const Value>(argv).subspan(1), &err); break;
    case Func::kSlice: result = slice(argv[0], std::span<const Value>(argv).subspan(1), &err); break;
    case Func::kLen: {
      if (!argv[0].valid()) {
        err = "reflect: call of reflect.Value.Type on zero Value";
        break;
      }
      const Json& j = argv[0].json();
      if (j.is_null()) err = "len of nil pointer";
      else if (j.is_string()) result = Value::make(int64_t(j.get_ref<const std::string&>().size()));
      else if (j.is_array() || j.is_object()) result = Value::make(int64_t(j.size()));
      else err = fmt::format("len of type {}", tname(argv[0]));
      break;
    }
    case Func::kNot: result = Value::make(!truth(argv[0])); break;
    case Func::kPrint: make_str(gofmt::sprint(ptrs(0))); break;
    case Func::kPrintln: make_str(gofmt::sprintln(ptrs(0))); break;
    case Func::kPrintf: make_str(gofmt::sprintf(str(argv[0]), ptrs(1), env_.max_output)); break;
    case Func::kEq: {
      bool t = eq(argv[0], std::span<const Value>(argv).subspan(1), &err);
      result = Value::make(t);
      break;
    }
    case Func::kNe: {
      bool t = eq(argv[0], std::span<const Value>(argv).subspan(1), &err);
      result = Value::make(!t);
      break;
    }
    case Func::kLt: result = Value::make(lt(argv[0], argv[1], &err)); break;
    case Func::kGe: {
      bool t = lt(argv[0], argv[1], &err);
      result = Value::make(!t);
      break;
    }
    case Func::kLe:
    case Func::kGt: {
      bool t = lt(argv[0], argv[1], &err);
      if (err.empty() && !t) t = eq(argv[0], std::span<const Value>(argv).subspan(1), &err);
      result = Value::make(ident.func == Func::kLe ? t : !t);
      break;
    }
    case Func::kJson: {
      std::string s;
      if (!go_valid(argv[0]) || argv[0].go_nil()) {
        s = "null";
      } else {
        bool row = env_.row_json && argv[0].ptr() == root_;
        if (!gofmt::append_json(s, argv[0].json(), row, row)) s.clear();  // Docker ignores Encode errors
      }
      make_str(std::move(s));
      break;
    }
    case Func::kSplit: {
      const std::string& s = str(argv[0]);
      const std::string& sep = str(argv[1]);
      Json a = Json::array();
      if (sep.empty()) {
        for (size_t i = 0; i < s.size() && a.size() < kMaxSplit;) {
          size_t len;
          gofmt::decode_rune(s, i, &len);
          a.push_back(s.substr(i, len));
          i += len;
        }
      } else {
        size_t start = 0;
        for (;;) {
          size_t p = s.find(sep, start);
          a.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
          if (p == std::string::npos || a.size() >= kMaxSplit) break;
          start = p + sep.size();
        }
      }
      if (a.size() >= kMaxSplit) err = fmt::format("result exceeds {} elements", kMaxSplit);
      else result = Value::make(std::move(a));
      break;
    }
    case Func::kJoin: {
      std::string s;
      if (!join(argv[0], str(argv[1]), &s)) {
        if (nargs > 0) at(args[1].get());
        errorf(fmt::format("wrong type for value; expected []string; got {}", tname(argv[0])));
        return {};
      }
      make_str(std::move(s));
      break;
    }
    case Func::kTitle: make_str(title(str(argv[0]))); break;
    case Func::kLower: make_str(map_ascii(str(argv[0]), false)); break;
    case Func::kUpper: make_str(map_ascii(str(argv[0]), true)); break;
    case Func::kPad: {
      const std::string& s = str(argv[0]);
      int64_t pre = int_of(argv[1]), suf = int_of(argv[2]);
      if (s.empty()) {
        result = argv[0];
      } else if (pre < 0 || suf < 0) {
        err = "strings: negative Repeat count";
      } else if (uint64_t(pre) + uint64_t(suf) + s.size() > env_.max_output) {
        err = fmt::format("result exceeds {} bytes", env_.max_output);
      } else {
        make_str(std::string(size_t(pre), ' ') + s + std::string(size_t(suf), ' '));
      }
      break;
    }
    case Func::kTruncate: {
      const std::string& s = str(argv[0]);
      int64_t n = int_of(argv[1]);
      if (n >= 0 && s.size() < uint64_t(n)) result = argv[0];
      else if (n < 0) err = fmt::format("runtime error: slice bounds out of range [:{}]", n);
      else make_str(s.substr(0, size_t(n)));
      break;
    }
  }
  if (!err.empty()) {
    at(&cmd);
    errorf("error calling " + name + ": " + err);
    return {};
  }
  return result;
}

}  // namespace skiff::gotmpl::tmpl
