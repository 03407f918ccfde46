#pragma once
// Content digests ("sha256:<64 hex>") as the OCI image spec defines them.

#include <string>
#include <string_view>

#include "skiff/util/result.hpp"

namespace skiff::oci {

struct Digest {
  std::string algorithm;  ///< "sha256" (the only one we verify; "sha512" parses)
  std::string hex;        ///< lowercase hex

  /// Parses "algo:hex", checking the hex length for sha256/sha512.
  static Result<Digest> parse(std::string_view s);
  std::string str() const { return algorithm + ":" + hex; }
  /// First 12 hex digits (Docker's short ID).
  std::string short_hex() const { return hex.substr(0, 12); }
  bool empty() const { return hex.empty(); }
  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;
};

/// Strips "sha256:" and returns the first 12 characters (Docker's TruncateID).
std::string truncate_id(std::string_view id);

}  // namespace skiff::oci
