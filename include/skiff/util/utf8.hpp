#pragma once
// UTF-8 runes as Go's unicode/utf8 sees them, and Go's strconv quoting: the one implementation
// behind go_quote (error messages) and the template engine's printing (module gotmpl).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace skiff::utf8 {

/// Decodes the UTF-8 rune at s[i] (i < s.size()); an invalid or truncated sequence yields
/// U+FFFD with *len = 1, as Go's utf8.DecodeRuneInString does.
uint32_t decode_rune(std::string_view s, size_t i, size_t* len);
/// Appends the UTF-8 encoding of `r` (invalid runes become U+FFFD).
void append_rune(std::string& out, uint32_t r);
/// utf8.RuneCountInString: every invalid byte counts as one rune.
size_t rune_count(std::string_view s);
/// unicode.IsPrint, approximated: ASCII exactly; beyond ASCII every rune except C1 controls,
/// non-ASCII spaces, format characters, line/paragraph separators, surrogates, private use,
/// noncharacters and the unassigned planes 4-14 (bar variation selectors).
bool is_print(uint32_t r);
/// unicode.IsLetter || unicode.IsDigit, approximated: ASCII exactly; every printable rune
/// beyond ASCII counts as a letter except U+FFFD.
bool is_alnum(uint32_t r);
/// strconv.appendQuotedWith: `s` between `q` quotes with Go's escapes (\a \b \f \n \r \t \v \\,
/// the quote, \xNN for invalid bytes and controls, \uNNNN / \UNNNNNNNN for other unprintable
/// runes, or every non-ASCII rune when `ascii_only`, as QuoteToASCII).
void append_quoted(std::string& out, std::string_view s, char q, bool ascii_only);

}  // namespace skiff::utf8
