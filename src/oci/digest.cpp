#include "skiff/oci/digest.hpp"

#include "skiff/util/strings.hpp"

namespace skiff::oci {

Result<Digest> Digest::parse(std::string_view s) {
  auto pos = s.find(':');
  if (pos == std::string_view::npos || pos == 0)
    return fail(kInvalid, fmt::format("invalid digest `{}`: missing algorithm", s));
  Digest d{std::string(s.substr(0, pos)), std::string(s.substr(pos + 1))};
  for (char c : d.algorithm)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '.' || c == '_' || c == '-'))
      return fail(kInvalid, fmt::format("invalid digest `{}`: bad algorithm", s));
  size_t want = d.algorithm == "sha256" ? 64 : d.algorithm == "sha512" ? 128 : 0;
  if (want == 0) return fail(kUnsupported, fmt::format("unsupported digest algorithm `{}`", d.algorithm));
  if (d.hex.size() != want || !is_hex(d.hex))
    return fail(kInvalid, fmt::format("invalid digest `{}`: want {} lowercase hex digits", s, want));
  return d;
}

std::string truncate_id(std::string_view id) {
  auto pos = id.find(':');
  if (pos != std::string_view::npos) id = id.substr(pos + 1);
  return std::string(id.substr(0, 12));
}

}  // namespace skiff::oci
