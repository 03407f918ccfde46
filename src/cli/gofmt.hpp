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

namespace skiff::cli::gofmt {

/// Decodes the UTF-8 rune at s[i] (i < s.size()); an invalid or truncated sequence yields
/// U+FFFD with *len = 1, as Go's utf8.DecodeRuneInString does.
uint32_t decode_rune(std::string_view s, size_t i, size_t* len);
/// Appends the UTF-8 encoding of `r` (invalid runes become U+FFFD).
void append_rune(std::string& out, uint32_t r);
/// utf8.RuneCountInString: every invalid byte counts as one rune.
size_t rune_count(std::string_view s);
/// unicode.IsPrint, approximated: ASCII exactly; beyond ASCII every rune except C1 controls,
/// non-ASCII spaces, format characters, line/paragraph separators and surrogates.
bool is_print(uint32_t r);
/// unicode.IsLetter || unicode.IsDigit, approximated: ASCII exactly; every printable rune
/// beyond ASCII counts as a letter except U+FFFD.
bool is_alnum(uint32_t r);

/// strconv.Quote: "…" with Go escapes (\a \b \f \n \r \t \v \\ \", \xNN, \uNNNN, \UNNNNNNNN).
std::string quote(std::string_view s);
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

}  // namespace skiff::cli::gofmt
