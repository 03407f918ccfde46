#pragma once
// Resource limits: `--ulimit name=soft[:hard]` parsed as Docker does (docker/go-units
// ParseUlimit), Podman's nofile/nproc defaults with its rootless clamping, and an
// async-signal-safe apply.
//
// Rlimits are not namespaced: raising a hard limit needs CAP_SYS_RESOURCE in the initial user
// namespace, so rootless a container can only get limits at or below the engine's own.
// Lowering works anywhere; DESIGN.md step 1 applies them in the monitor before clone, but
// apply_rlimits() is equally valid in the child.

#include <sys/resource.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/runtime/child_status.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// One limit; RLIM_INFINITY (~0) means unlimited.
struct Rlimit {
  int resource = 0;  ///< RLIMIT_*
  uint64_t soft = 0;
  uint64_t hard = 0;
  bool operator==(const Rlimit&) const = default;
};

/// A --ulimit name and its resource.
struct RlimitName {
  std::string_view name;  ///< Docker's name: "nofile"
  int resource;           ///< RLIMIT_NOFILE
};

/// Docker's 15 names (go-units ulimitNameMapping; "as" is deliberately absent there too):
/// core cpu data fsize locks memlock msgqueue nice nofile nproc rss rtprio rttime sigpending
/// stack.
std::span<const RlimitName> rlimit_names();

/// Docker's name of a resource ("nofile"), or "" if it has none.
std::string_view rlimit_name(int resource);

/// Parses `name=soft[:hard]` (hard defaults to soft). Values are decimal integers; -1,
/// "unlimited" and "infinity" mean unlimited. Names are case-sensitive, as Docker's. Errors
/// (kInvalid) in go-units' words:
///   invalid ulimit argument: X
///   invalid ulimit type: X
///   strconv.ParseInt: parsing "X": invalid syntax   (or: value out of range)
///   too many limit value arguments - X, can only have up to two, `soft[:hard]`
///   ulimit soft limit must be less than or equal to hard limit: S > H
///   ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: H
/// Any other negative number is taken as Docker does: converted to an unsigned 64-bit value.
Result<Rlimit> parse_ulimit(std::string_view value);

/// Docker's Ulimit.String(): "nofile=1024:2048", unlimited as -1.
std::string format_ulimit(const Rlimit& r);

/// The defaults of defaults.hpp (nofile and nproc 1048576:1048576). If `can_raise` is false
/// (rootless, or no CAP_SYS_RESOURCE) each is clamped to the calling process's current limit:
/// soft to its soft, hard to its hard (Podman's rule).
std::vector<Rlimit> default_rlimits(bool can_raise);

/// `defaults` with each resource that `user` sets replaced by the user's value, user-only
/// resources appended (in the order given; a later --ulimit for the same name wins).
std::vector<Rlimit> merge_rlimits(std::span<const Rlimit> defaults, std::span<const Rlimit> user);

/// setrlimit(2) for each entry, in order. Async-signal-safe. On failure `detail` is the
/// resource number.
ChildStatus apply_rlimits(std::span<const Rlimit> limits) noexcept;

}  // namespace skiff::runtime
