#pragma once
// Small string helpers shared by every module.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skiff {

/// Splits on every `sep` (empty fields kept): split("a,,b", ',') = {"a","","b"}.
std::vector<std::string> split(std::string_view s, char sep);
/// Splits at the first `sep`: {"k","v=w"} for "k=v=w"; second is nullopt if absent.
std::pair<std::string, std::optional<std::string>> split_once(std::string_view s, char sep);
/// Joins with `sep`.
std::string join(const std::vector<std::string>& v, std::string_view sep);
/// Strips ASCII whitespace at both ends.
std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
bool is_hex(std::string_view s);
/// Parses a decimal integer that must fill the whole string.
std::optional<int64_t> parse_int(std::string_view s);
std::optional<uint64_t> parse_uint(std::string_view s);
/// Go strconv.ParseBool: 1 t T TRUE true True 0 f F FALSE false False.
std::optional<bool> parse_bool(std::string_view s);
/// Go's strconv.Quote (invalid bytes \xNN, unprintable runes \u…); error messages, `ps` COMMAND, templates.
std::string go_quote(std::string_view s);
/// Shell-like split of a command line (Dockerfile/commit --change shell form is not this).
/// Handles '…', "…" and backslash escapes; false on an unterminated quote.
bool shell_split(std::string_view s, std::vector<std::string>& out);
/// Truncates to `n` display columns counting UTF-8 code points, appending "…" when cut
/// (Docker's Ellipsis: n-1 columns + "…").
std::string ellipsis(std::string_view s, size_t n);
/// Number of UTF-8 code points (display width for our purposes).
size_t utf8_width(std::string_view s);
/// Replaces every occurrence of `from` by `to`.
std::string replace_all(std::string_view s, std::string_view from, std::string_view to);

}  // namespace skiff
