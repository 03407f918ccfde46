#pragma once
// The container defaults skiff applies when the user asks for nothing else: capabilities,
// masked and read-only paths, environment, resource limits. The tables themselves are
// constexpr data in src/runtime/defaults.cpp (STYLE.md §5 "Policy as data"): review the policy
// there without reading control flow. Docker's default seccomp profile is the same kind of
// table, in src/runtime/seccomp_default.cpp.
//
// Where Docker and Podman differ we follow Podman for what concerns rootless operation and
// systemd (CONVENTIONS.md), and say so next to the entry.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace skiff::runtime {

//
// Capabilities
//

/// Capability numbers a container's root user gets by default: Podman's 11
/// (containers/common containers.conf `default_capabilities`, since Podman 4.0), which is
/// Docker's 14 without AUDIT_WRITE, MKNOD and NET_RAW. In /proc/self/status: 00000000800405fb.
std::span<const int> default_capabilities();

//
// Masked and read-only paths (DESIGN.md start sequence step 11)
//

/// Paths made inaccessible inside the container: a directory gets an empty read-only tmpfs,
/// anything else a bind of /dev/null. Missing paths are skipped. An entry may hold `*`
/// (glob(7) syntax, matched on the host, whose /sys the container sees): pass the list
/// through expand_path_patterns() first.
std::span<const std::string_view> default_masked_paths();

/// Paths bind-mounted read-only onto themselves (keeping the locked nosuid/nodev/noexec).
std::span<const std::string_view> default_readonly_paths();

/// Expands entries containing `*` with glob(3) against the host filesystem (matches sorted,
/// non-matching patterns dropped); other entries are copied unchanged. Not for the child:
/// allocates. Example: "/sys/devices/system/cpu/cpu*/thermal_throttle".
std::vector<std::string> expand_path_patterns(std::span<const std::string_view> paths);

//
// Environment
//

/// When a default environment variable is set.
enum class EnvWhen : uint8_t {
  kAlways,     ///< always (the image or the user may override it)
  kWithTty,    ///< only with -t
  kHostname,   ///< always, value = the container's hostname
};

/// One default environment variable.
struct DefaultEnv {
  std::string_view name;
  std::string_view value;  ///< empty for kHostname
  EnvWhen when;
};

/// The environment every container starts from, before the image's Env and the user's -e
/// (later entries of the same name replace earlier ones, as Docker's ReplaceOrAppendEnvValues).
std::span<const DefaultEnv> default_environment();

/// Builds the process environment: default_environment() for `tty`/`hostname`, then each
/// `NAME=value` of `config_env` (the image's Env followed by the user's) replacing an entry of
/// the same name or appended. Order is Docker's: defaults first, in table order.
std::vector<std::string> container_environment(std::span<const std::string> config_env, bool tty,
                                               std::string_view hostname);

//
// Resource limits
//

/// A default rlimit before clamping; RLIM_INFINITY is spelled as ~0.
struct DefaultRlimit {
  int resource;   ///< RLIMIT_*
  uint64_t soft;
  uint64_t hard;
};

/// Podman's defaults (libpod, `define.RLimitDefaultValue`): nofile and nproc 1048576:1048576.
/// When skiff cannot raise limits (rootless, or no CAP_SYS_RESOURCE) each value is clamped to
/// the engine's own current soft/hard limit, as Podman does; see rlimits.hpp
/// default_rlimits().
std::span<const DefaultRlimit> default_rlimits_table();

}  // namespace skiff::runtime
