#pragma once
// Image references ("busybox", "127.0.0.1:5000/app:1.0", "quay.io/x/y@sha256:…"), parsed and
// normalised exactly as Docker does (the distribution/reference grammar and its
// ParseNormalizedNamed):
//
//   reference := name [":" tag] ["@" digest]
//   name      := [domain "/"] path
//   domain    := host [":" port]      host := dns-name | IPv4 | "[" IPv6 "]"
//   path      := component ("/" component)*
//   component := [a-z0-9]+ (separator [a-z0-9]+)*   separator := "." | "_" | "__" | "-"+
//   tag       := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//
// Normalisation: the first "/"-separated part is a registry only if it is "localhost",
// contains "." or ":", or has an uppercase letter; otherwise the registry is docker.io.
// "index.docker.io" becomes "docker.io", and one-component Docker Hub paths get "library/".
// The path may be at most 255 characters.

#include <optional>
#include <string>
#include <string_view>

#include "skiff/oci/digest.hpp"
#include "skiff/util/result.hpp"

namespace skiff::oci {

/// Docker Hub's canonical domain, and the one Docker's familiar names imply.
inline constexpr std::string_view kDockerHubDomain = "docker.io";
/// The tag a reference without tag or digest means.
inline constexpr std::string_view kDefaultTag = "latest";
/// Longest repository path Docker accepts.
inline constexpr size_t kMaxRepositoryPath = 255;

/// Docker's familiar form of a normalised name, with or without ":tag"/"@digest" (as the store
/// holds them: "docker.io/library/busybox:1"): "docker.io/" dropped, then "library/" when one
/// path component remains ("busybox:1", "team/app", "127.0.0.1:5000/x@sha256:…"). No parse:
/// listings call it for every name. Reference::familiar_name() is this rule.
std::string familiar(std::string_view normalized);

/// A normalised image reference. Always has a domain and a path; tag and digest are optional
/// (both may be present: Docker keeps the tag for display and pulls by the digest).
class Reference {
 public:
  Reference() = default;

  /// Parses and normalises `s` as `docker pull s` would. Errors are kInvalid and start with
  /// Docker's "invalid reference format" (e.g. "invalid reference format: repository name
  /// must be lowercase"), followed by what is wrong; a bare 64-hex string is refused with
  /// Docker's "invalid repository name (…), cannot specify 64-byte hexadecimal strings".
  static Result<Reference> parse(std::string_view s);

  /// Builds a reference from a registry domain ("quay.io", "localhost:5000") and a path,
  /// validating both; Docker Hub one-component paths get "library/". No tag or digest.
  static Result<Reference> from_parts(std::string_view domain, std::string_view path);

  /// The registry part: "docker.io", "127.0.0.1:5000", "[::1]:5000", "localhost".
  const std::string& domain() const { return domain_; }
  /// The repository path inside the registry: "library/busybox", "team/app".
  const std::string& path() const { return path_; }
  /// The tag as given ("" when none was given; see tag_or_default()).
  const std::string& tag() const { return tag_; }
  /// The digest, if one was given.
  const std::optional<Digest>& digest() const { return digest_; }
  /// The tag, or "latest" when neither a tag nor a digest was given, or "" for digest-only.
  std::string tag_or_default() const;

  /// True when the input named no registry ("busybox", "team/app", "busybox:1"): such names
  /// go through short-name resolution (registries.conf aliases, unqualified-search registries).
  bool is_short() const { return short_; }
  /// For a short name: the repository as typed, without tag or digest ("busybox",
  /// "opensuse/leap"): the key for registries.conf [aliases]. Empty otherwise.
  const std::string& short_name() const { return short_name_; }

  /// "domain/path": "docker.io/library/busybox".
  std::string name() const;
  /// The full normalised form with what was given: "docker.io/library/busybox:1@sha256:…".
  std::string str() const;
  /// Like str(), with ":latest" added when neither tag nor digest was given (TagNameOnly).
  std::string str_with_default_tag() const;
  /// Docker's familiar name for display: docker.io and "library/" dropped: "busybox",
  /// "team/app", "127.0.0.1:5000/busybox".
  std::string familiar_name() const;
  /// familiar_name() plus ":tag" and/or "@digest" as given: "busybox:latest".
  std::string familiar() const;
  /// What to ask the registry for: the digest if there is one, else the tag (or "latest").
  std::string tag_or_digest() const;

  /// Copies with the tag / digest replaced (no validation of the tag: use with_tag_checked).
  Reference with_tag(std::string tag) const;
  /// Like with_tag, but checks the tag grammar first.
  Result<Reference> with_tag_checked(std::string_view tag) const;
  Reference with_digest(Digest d) const;
  /// The repository only: tag and digest dropped.
  Reference repository() const;
  /// Adds ":latest" when neither a tag nor a digest is present.
  Reference with_default_tag() const;

  bool operator==(const Reference& o) const {
    return domain_ == o.domain_ && path_ == o.path_ && tag_ == o.tag_ && digest_ == o.digest_;
  }

 private:
  std::string domain_, path_, tag_;
  std::optional<Digest> digest_;
  bool short_ = false;
  std::string short_name_;
};

/// True if `s` is a valid tag: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool is_valid_tag(std::string_view s);
/// True if `s` is a valid repository path (lowercase components, separators, '/').
bool is_valid_repository_path(std::string_view s);
/// True if `s` is a valid registry domain: host[:port] (DNS name, IPv4, or [IPv6]).
bool is_valid_domain(std::string_view s);
/// True if `s` is 64 lowercase hex digits (an image ID without "sha256:").
bool is_identifier(std::string_view s);

}  // namespace skiff::oci
