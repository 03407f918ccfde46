#pragma once
// Go's printing rules over skiff::Json, for the --format template engine: fmt's %v and printf
// verbs, strconv's quoting and float formatting, and encoding/json's compact encoding.
//
// A JSON value stands for what Go's encoding/json decodes into an interface{}: objects are
// map[string]interface {}, arrays []interface {}, integers int, other numbers float64. A null
// pointer stands for Go's nil interface.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "skiff/util/json.hpp"
#include "skiff/util/utf8.hpp"

namespace skiff::gotmpl::gofmt {

// The rune functions are util's (one implementation with go_quote); strconv.Quote is
// skiff::go_quote (skiff/util/strings.hpp).
using utf8::append_rune;
using utf8::decode_rune;
using utf8::is_alnum;
using utf8::is_print;
using utf8::rune_count;

/// strconv.FormatFloat(f, fmt, prec, 64) for fmt in e E f F g G; prec -1 = shortest.
std::string format_float(double f, char fmt, int prec);

/// The Go type name of a value held in an interface{}: string, bool, int, float64,
/// []interface {}, map[string]interface {}; "<nil>" for null.
std::string_view type_name(const Json& v);

/// Appends fmt's %v rendering of `v` (nullptr = nil interface → "<nil>"): maps as
/// map[k:v …] with sorted keys, arrays as [a b …], nil elements as <nil>.
void append_v(std::string& out, const Json* v);

/// Arguments of the print family; nullptr stands for nil.
using Args = std::span<const Json* const>;
/// fmt.Sprintf with Go's verbs, flags, widths, precisions, argument indexes and error
/// annotations (%!d(string=x), %!d(MISSING), %!(EXTRA …), %!(NOVERB), %!(BADWIDTH)…).
/// Stops once the result is longer than `max` bytes (the caller's output cap: each verb is at
/// most ~1e6 bytes, as Go bounds widths, so memory stays near `max`).
std::string sprintf(std::string_view format, Args args, size_t max = SIZE_MAX);
/// fmt.Sprint: operands in %v, a space between two operands when neither is a string.
std::string sprint(Args args);
/// fmt.Sprintln: operands in %v separated by spaces, then "\n".
std::string sprintln(Args args);

/// encoding/json, compact: Go's string escaping (\u00XX for controls, \u2028/\u2029, invalid
/// UTF-8 as \ufffd), `escape_html` turns < > & into \u003c \u003e \u0026 (json.Marshal's
/// default; Docker's `json` template function turns it off), `sort_keys` sorts object keys
/// (Go maps; structs keep their field order, which is our insertion order). Floats as Go
/// prints them (1e+21, 1e-7). NaN and infinities cannot be encoded: returns false.
bool append_json(std::string& out, const Json& v, bool escape_html, bool sort_keys = false);

}  // namespace skiff::gotmpl::gofmt
