#pragma once
// A Go text/template engine over skiff::Json, with Docker's template functions: the engine
// behind every `--format` (see format.hpp for Docker's list/inspect rules on top of it).
//
// Supported: text and {{ }} actions, {{- / -}} trim markers, {{/* comments */}}; fields .A.B,
// ., $, $x; variables := and =; pipelines a | f b; (sub expressions).F; if / else if / else,
// range (arrays, maps in sorted key order, integers; $i, $v :=; else; break; continue), with
// / else with, define / template / block; string, raw string, char, int, float, bool and nil
// literals; Go's builtins and, or, not, len, index, slice, print, printf, println, eq, ne, lt,
// le, gt, ge, html, js, urlquery, call; Docker's json, join, split, lower, upper, title, pad,
// truncate. Printing follows Go's fmt (maps as map[k:v], arrays as [a b], <no value>).
//
// The data model is Go's encoding/json decoding into interface{}: objects are maps, arrays
// slices, integers int, other numbers float64. Two extensions let a row behave like Docker's
// typed formatter contexts:
//  - a root type name (ExecEnv::type_name): an unknown field on the root is an error, as on a Go
//    struct ("can't evaluate field Nope in type *formatter.ContainerContext");
//  - methods (ExecEnv::methods): callable fields of the root, with arguments, such as ps's
//    {{.Label "com.example.x"}}. A method shadows a member of the same name, as in Go.
//
// Deliberate differences from Go, each small: `index` of a missing map key yields "" (what
// Docker prints for its map[string]string labels) rather than <no value>; complex numbers are
// rejected; Unicode letter/print classes are approximated beyond ASCII; lower/upper/title map
// ASCII only. Nothing here throws or aborts; parse and execution errors come back with Go's text.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::gotmpl {

namespace tmpl {
struct TemplateSet;
}

/// The Go type a method parameter must have; the engine checks arguments as Go does
/// ("wrong type for value; expected string; got int") before calling the method.
enum class ArgKind : uint8_t { kAny, kString, kInt, kBool };

/// A method callable on the root value: `{{.Name arg…}}`. `fn` receives the root and the
/// arguments (nil as null) and returns the value, or an Error whose message is reported as
/// "error calling Name: <msg>".
struct TemplateMethod {
  std::vector<ArgKind> params;
  std::function<Result<Json>(const Json& self, std::span<const Json> args)> fn;
};
using TemplateMethods = std::map<std::string, TemplateMethod, std::less<>>;

/// How one execution sees its data.
struct ExecEnv {
  /// Non-empty: the root behaves like a Go struct of this type (unknown fields are errors).
  std::string_view type_name;
  /// Methods of the root, or null.
  const TemplateMethods* methods = nullptr;
  /// `json` of the root prints Docker's MarshalJSON of a formatter row: keys sorted and HTML
  /// characters escaped (\u003c…), unlike `json` of anything else.
  bool row_json = false;
  /// Go's Option("missingkey=error"): a missing map key is an error, not <no value>.
  bool missing_key_error = false;
  /// The Go type of the data (Docker's API structs), or null: the data is then what Go's
  /// encoding/json decodes into interface{}. A schema node is
  ///  - an object: a struct. Its members name the fields the data may omit (omitempty) or hold
  ///    null, and nested structs; "_type" names it in errors ("types.ContainerJSON"). A field
  ///    in neither the data nor the schema is an error ("can't evaluate field Foo in type …");
  ///  - {"map": T} / {"slice": T}: a map or slice of T; "map" / "slice" of untyped values. A
  ///    missing map key is <no value>; null is Go's nil map / slice (prints map[] / [],
  ///    `json` prints null, len 0);
  ///  - "ptr": a pointer (null prints <nil>); "string", "int", "bool": an omitted field reads
  ///    as "", 0, false.
  /// Fields the schema does not mention behave as the JSON values they hold.
  const Json* schema = nullptr;
  /// Caps: output bytes (and the size of any string a function builds), and evaluation steps.
  size_t max_output = size_t(16) << 20;
  uint64_t max_steps = 50'000'000;
};

/// A parsed template. Cheap to move; execute it as many times as needed (not concurrently
/// from several threads with the same output string, obviously).
class Template {
 public:
  /// Parses `text` (Docker: name ""). Errors read like Go's:
  /// `template: :1: unexpected "}" in operand`, `template: :1: function "foo" not defined`.
  static Result<Template> parse(std::string_view text, std::string_view name = "");

  /// Executes with `data` as dot and $, appending to `out` (output written before an error
  /// stays, as in Go). Errors read like Go's: `template: :1:2: executing "" at <.Nope>: …`.
  Status execute(std::string& out, const Json& data, const ExecEnv& env = {}) const;

  /// Executes in Docker's header mode for `table` formats: the root becomes the header row,
  /// where a field yields headers[name] (the name upper-cased when absent), a method with a
  /// string argument yields Docker's SubHeaderContext.Label of it (the part after the last '.',
  /// '-' and '_' as spaces), and json, split, join, title, lower, upper and truncate return
  /// their first argument unchanged.
  Status execute_header(std::string& out, const std::map<std::string, std::string>& headers,
                        const ExecEnv& env = {}) const;

  Template(Template&&) noexcept;
  Template& operator=(Template&&) noexcept;
  ~Template();

 private:
  Template();
  std::unique_ptr<tmpl::TemplateSet> set_;
};

}  // namespace skiff::gotmpl
