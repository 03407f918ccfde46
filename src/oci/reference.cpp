#include "skiff/oci/reference.hpp"

#include <fmt/format.h>

namespace skiff::oci {

namespace {

constexpr std::string_view kFormat = "invalid reference format";

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool is_alnum(char c) { return is_lower_alnum(c) || (c >= 'A' && c <= 'Z'); }
bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
bool is_word(char c) { return is_alnum(c) || c == '_'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool has_upper(std::string_view s) {
  for (char c : s)
    if (is_upper(c)) return true;
  return false;
}

Failure format_error(std::string_view detail) {
  return fail(kInvalid, fmt::format("{}: {}", kFormat, detail));
}

// Why one path component ("dock..er", "-x") breaks alpha-numeric (separator alpha-numeric)*,
// or nullopt if it is fine.
std::optional<std::string> component_error(std::string_view c, std::string_view whole) {
  if (c.empty()) return fmt::format("repository name \"{}\" has an empty path component", whole);
  for (char ch : c)
    if (!is_lower_alnum(ch) && ch != '.' && ch != '_' && ch != '-')
      return fmt::format("repository name \"{}\" contains the invalid character '{}'", whole, ch);
  if (!is_lower_alnum(c.front()) || !is_lower_alnum(c.back()))
    return fmt::format("repository name component \"{}\" must start and end with a lowercase "
                       "letter or digit",
                       c);
  // Runs of separators between alphanumerics: ".", "_", "__" or any number of "-".
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok)
      return fmt::format("repository name component \"{}\" has the invalid separator \"{}\"", c, sep);
    i = j;
  }
  return std::nullopt;
}

std::optional<std::string> path_error(std::string_view p) {
  if (p.empty()) return std::string("repository name must have at least one component");
  size_t start = 0;
  for (;;) {
    size_t slash = p.find('/', start);
    std::string_view c = p.substr(start, slash == std::string_view::npos ? p.npos : slash - start);
    if (auto e = component_error(c, p)) return e;
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return std::nullopt;
}

bool valid_dns_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (char ch : c)
    if (!is_alnum(ch) && ch != '-') return false;
  return true;
}

bool valid_port(std::string_view p) {
  if (p.empty()) return false;
  for (char c : p)
    if (!is_digit(c)) return false;
  return true;
}

// host [":" port], host = dns-name | "[" ipv6 "]" (no zone, hex digits and colons only).
bool domain_ok(std::string_view d) {
  std::string_view rest;
  if (!d.empty() && d.front() == '[') {
    size_t close = d.find(']');
    if (close == std::string_view::npos || close == 1) return false;
    for (char c : d.substr(1, close - 1))
      if (!(is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':')) return false;
    rest = d.substr(close + 1);
  } else {
    size_t colon = d.find(':');
    std::string_view host = d.substr(0, colon);
    size_t start = 0;
    for (;;) {
      size_t dot = host.find('.', start);
      if (!valid_dns_component(host.substr(start, dot == host.npos ? host.npos : dot - start)))
        return false;
      if (dot == host.npos) break;
      start = dot + 1;
    }
    rest = colon == std::string_view::npos ? std::string_view() : d.substr(colon);
  }
  if (rest.empty()) return true;
  return rest.front() == ':' && valid_port(rest.substr(1));
}

// Splits "path[:tag][@digest]" and validates every part. `domain` is already chosen.
Result<Reference> finish(std::string_view domain, std::string_view remainder) {
  std::string_view left = remainder, digest_str;
  bool has_digest = false;
  if (size_t at = remainder.find('@'); at != std::string_view::npos) {
    left = remainder.substr(0, at);
    digest_str = remainder.substr(at + 1);
    has_digest = true;
  }
  std::string_view path = left, tag;
  bool has_tag = false;
  if (size_t colon = left.rfind(':'); colon != std::string_view::npos &&
                                      left.find('/', colon) == std::string_view::npos) {
    path = left.substr(0, colon);
    tag = left.substr(colon + 1);
    has_tag = true;
  }
  if (!domain_ok(domain)) return format_error(fmt::format("invalid registry \"{}\"", domain));
  if (auto e = path_error(path)) return format_error(*e);
  if (has_tag && !is_valid_tag(tag))
    return format_error(fmt::format(
        "invalid tag \"{}\": a tag is 1 to 128 characters from [A-Za-z0-9_.-], not starting with '.' or '-'",
        tag));
  std::optional<Digest> digest;
  if (has_digest) {
    auto d = Digest::parse(digest_str);
    if (!d) return format_error(d.error().msg);
    digest = std::move(*d);
  }
  if (path.size() > kMaxRepositoryPath)
    return format_error(
        fmt::format("repository name must not be more than {} characters", kMaxRepositoryPath));
  Reference r = Reference::from_parts(domain, path).value_or(Reference());
  if (has_tag) r = r.with_tag(std::string(tag));
  if (digest) r = r.with_digest(*digest);
  return r;
}

}  // namespace

bool is_valid_tag(std::string_view s) {
  if (s.empty() || s.size() > 128 || !is_word(s.front())) return false;
  for (char c : s)
    if (!is_word(c) && c != '.' && c != '-') return false;
  return true;
}

bool is_valid_repository_path(std::string_view s) { return !path_error(s).has_value(); }

bool is_valid_domain(std::string_view s) { return domain_ok(s); }

bool is_identifier(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!(is_digit(c) || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

Result<Reference> Reference::parse(std::string_view s) {
  if (is_identifier(s))
    return fail(kInvalid,
                fmt::format("invalid repository name ({}), cannot specify 64-byte hexadecimal strings", s));
  if (s.empty()) return format_error("repository name must have at least one component");

  // splitDockerDomain: is the first component a registry?
  std::string domain, remainder;
  bool is_short = false;
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) {
    domain = kDockerHubDomain;
    remainder = s;
    is_short = true;
  } else {
    std::string_view first = s.substr(0, slash);
    if (first == "localhost" || first.find_first_of(".:") != std::string_view::npos ||
        has_upper(first)) {
      domain = first == "index.docker.io" ? std::string(kDockerHubDomain) : std::string(first);
      remainder = s.substr(slash + 1);
    } else {
      domain = kDockerHubDomain;
      remainder = s;
      is_short = true;
    }
  }
  if (domain == kDockerHubDomain) {
    std::string_view name_part = std::string_view(remainder).substr(0, remainder.find('@'));
    if (name_part.find('/') == std::string_view::npos) remainder = "library/" + remainder;
  }

  // Uppercase in the repository (up to the first ':') is its own error, as in Docker.
  std::string_view remote = std::string_view(remainder).substr(0, remainder.find(':'));
  if (has_upper(remote)) return format_error("repository name must be lowercase");

  Reference r = TRY(finish(domain, remainder));
  if (is_short) {
    r.short_ = true;
    std::string_view typed = s.substr(0, s.find('@'));
    if (size_t colon = typed.rfind(':');
        colon != std::string_view::npos && typed.find('/', colon) == std::string_view::npos)
      typed = typed.substr(0, colon);
    r.short_name_ = std::string(typed);
  }
  return r;
}

Result<Reference> Reference::from_parts(std::string_view domain, std::string_view path) {
  if (!domain_ok(domain)) return format_error(fmt::format("invalid registry \"{}\"", domain));
  Reference r;
  r.domain_ = domain == "index.docker.io" ? std::string(kDockerHubDomain) : std::string(domain);
  r.path_ = path;
  if (r.domain_ == kDockerHubDomain && r.path_.find('/') == std::string::npos)
    r.path_ = "library/" + r.path_;
  if (has_upper(r.path_)) return format_error("repository name must be lowercase");
  if (auto e = path_error(r.path_)) return format_error(*e);
  if (r.path_.size() > kMaxRepositoryPath)
    return format_error(
        fmt::format("repository name must not be more than {} characters", kMaxRepositoryPath));
  return r;
}

std::string Reference::tag_or_default() const {
  if (!tag_.empty()) return tag_;
  return digest_ ? std::string() : std::string(kDefaultTag);
}

std::string Reference::name() const { return domain_ + "/" + path_; }

static std::string with_suffix(std::string base, const std::string& tag,
                               const std::optional<Digest>& digest) {
  if (!tag.empty()) base += ":" + tag;
  if (digest) base += "@" + digest->str();
  return base;
}

std::string Reference::str() const { return with_suffix(name(), tag_, digest_); }

std::string Reference::str_with_default_tag() const {
  return with_suffix(name(), tag_or_default(), digest_);
}

std::string familiar(std::string_view s) {
  if (s.starts_with("docker.io/")) {
    s.remove_prefix(10);
    size_t end = s.find_first_of(":@");
    if (s.starts_with("library/") && s.substr(8, end == std::string_view::npos ? end : end - 8).find('/') ==
                                         std::string_view::npos)
      s.remove_prefix(8);
  }
  return std::string(s);
}

std::string Reference::familiar_name() const { return oci::familiar(name()); }

std::string Reference::familiar() const { return with_suffix(familiar_name(), tag_, digest_); }

std::string Reference::tag_or_digest() const {
  if (digest_) return digest_->str();
  return tag_or_default();
}

Reference Reference::with_tag(std::string tag) const {
  Reference r = *this;
  r.tag_ = std::move(tag);
  return r;
}

Result<Reference> Reference::with_tag_checked(std::string_view tag) const {
  if (!is_valid_tag(tag)) return format_error(fmt::format("invalid tag \"{}\"", tag));
  return with_tag(std::string(tag));
}

Reference Reference::with_digest(Digest d) const {
  Reference r = *this;
  r.digest_ = std::move(d);
  return r;
}

Reference Reference::repository() const {
  Reference r = *this;
  r.tag_.clear();
  r.digest_.reset();
  return r;
}

Reference Reference::with_default_tag() const {
  if (!tag_.empty() || digest_) return *this;
  return with_tag(std::string(kDefaultTag));
}

}  // namespace skiff::oci
