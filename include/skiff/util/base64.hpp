#pragma once
// Base64 (RFC 4648 §4, standard alphabet, '=' padding): HTTP Basic credentials, auth.json.

#include <optional>
#include <string>
#include <string_view>

namespace skiff {

/// Encodes `data` with padding.
std::string base64_encode(std::string_view data);

/// Decodes standard base64; padding is optional, ASCII whitespace is skipped. nullopt on any
/// other character or a truncated final group.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace skiff
