#pragma once
// Seccomp: Docker's default profile, Docker/OCI JSON profiles, compilation to BPF through
// libseccomp with an on-disk cache, and the async-signal-safe load.
//
// Pipeline (everything before load runs in the monitor, before clone):
//
//   SeccompProfile            default_seccomp_profile() | read_seccomp_profile(path)
//     → resolve_seccomp()     apply includes/excludes for the capability set, the host
//                             arch and kernel (moby profiles/seccomp setupSeccomp) → a
//                             ResolvedSeccomp: plain rules, plus its canonical text
//     → compile_seccomp()     libseccomp rules for the native arch and its compat ABIs
//                             (x86_64 + x86 + x32; aarch64 + arm) → exported BPF, with a
//                             prelude for what this libseccomp does not know (below)
//   prepare_seccomp() does the last two through a cache: <cache_dir>/<hash>.bpf, keyed by
//   the canonical text + libseccomp version + arch, written atomically, verified on read.
//
//   load_seccomp(program)     in the child, LAST before execve, after set_no_new_privs().
//
// Without no_new_privs the kernel only accepts a filter from a task with CAP_SYS_ADMIN in its
// user namespace: then call load_seccomp() before caps_set() drops it, with a profile that
// allows what the child still does (capset, prctl, setresuid, execve: Docker's does).
//
// Semantics follow runc, which is what `docker run` uses:
// - a syscall name libseccomp cannot resolve is skipped (older libseccomp, other arch);
// - a rule whose action equals the default action is skipped;
// - several conditions on the same argument index make one rule per condition (OR);
// - SCMP_ACT_ERRNO without errnoRet is EPERM;
// - syscalls newer than the newest one the profile names get ENOSYS, not the default
//   errno, when the default action denies (runc's "-ENOSYS stub"), so libcs fall back
//   (faccessat2 → faccessat, clone3 → clone) instead of failing with EPERM.
// And beyond runc: a few syscalls newer than the linked libseccomp (2.5.4 stops at Linux 6.7)
// but named by Docker's profile (mseal, listmount, statmount, *xattrat, lsm_*, uretprobe) are
// matched by number in the prelude, so the filter means on Linux 6.18 what Docker's means
// with a current libseccomp. Only argument-free rules can be matched that way.

#include <linux/filter.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/child_status.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// Rule and default actions (the OCI "SCMP_ACT_*" names).
enum class SeccompAction : uint8_t {
  kKillThread,   ///< SCMP_ACT_KILL, SCMP_ACT_KILL_THREAD
  kKillProcess,  ///< SCMP_ACT_KILL_PROCESS
  kTrap,         ///< SCMP_ACT_TRAP
  kErrno,        ///< SCMP_ACT_ERRNO (errnoRet, default EPERM)
  kTrace,        ///< SCMP_ACT_TRACE (errnoRet is the tracer's message, default EPERM)
  kAllow,        ///< SCMP_ACT_ALLOW
  kLog,          ///< SCMP_ACT_LOG
  kNotify,       ///< SCMP_ACT_NOTIFY: parsed, but refused at compile (no listener support)
};

/// Argument comparisons (the OCI "SCMP_CMP_*" names).
enum class SeccompOp : uint8_t { kNe, kLt, kLe, kEq, kGe, kGt, kMaskedEq };

/// One argument condition. For kMaskedEq, `value` is the mask and `value_two` the datum:
/// (arg & value) == value_two.
struct SeccompArg {
  uint32_t index = 0;  ///< 0..5
  uint64_t value = 0;
  uint64_t value_two = 0;
  SeccompOp op = SeccompOp::kEq;
  bool operator==(const SeccompArg&) const = default;
};

/// "major.minor" of a kernel (moby's KernelVersion: patch level and suffixes ignored).
struct KernelVersion {
  uint32_t major = 0, minor = 0;
  auto operator<=>(const KernelVersion&) const = default;
};

/// A moby `includes`/`excludes` filter. includes: every listed cap must be in the bounding
/// set, the host arch must be listed, the kernel must be >= min_kernel. excludes: the rule is
/// dropped if any listed cap is in the bounding set, or the host arch is listed, or the kernel
/// is >= min_kernel. Arch names are moby's ("amd64", "arm64", "x86", "x32", "s390x", …), and
/// only the host's native arch is ever compared.
struct SeccompFilter {
  std::vector<std::string> caps;
  std::vector<std::string> arches;
  std::optional<KernelVersion> min_kernel;
  bool operator==(const SeccompFilter&) const = default;
};

/// One entry of "syscalls".
struct SeccompRule {
  std::vector<std::string> names;
  SeccompAction action = SeccompAction::kAllow;
  std::optional<uint32_t> errno_ret;
  std::vector<SeccompArg> args;
  SeccompFilter includes, excludes;
  std::string comment;
  bool operator==(const SeccompRule&) const = default;
};

/// One entry of "archMap": an arch (libseccomp/OCI token, "SCMP_ARCH_X86_64") and the compat
/// arches that come with it.
struct SeccompArchMap {
  std::string arch;
  std::vector<std::string> sub_arches;
  bool operator==(const SeccompArchMap&) const = default;
};

/// A Docker/OCI seccomp profile in memory.
struct SeccompProfile {
  bool disabled = false;  ///< neither defaultAction nor syscalls: Docker installs no filter
  SeccompAction default_action = SeccompAction::kErrno;
  std::optional<uint32_t> default_errno_ret;
  std::vector<std::string> architectures;  ///< OCI form: used as is
  std::vector<SeccompArchMap> arch_map;    ///< Docker form: the native entry is picked
  std::vector<std::string> flags;          ///< "SECCOMP_FILTER_FLAG_*"
  std::vector<SeccompRule> syscalls;
  bool operator==(const SeccompProfile&) const = default;
};

/// Docker's default profile (the table in src/runtime/seccomp_default.cpp).
SeccompProfile default_seccomp_profile();

/// Parses a Docker or OCI JSON profile (the `linux.seccomp` object of an OCI config, or
/// Docker's file with archMap/includes/excludes). Unknown keys are ignored, as Go's decoder
/// does. Errors (kInvalid) name `what` and the field: "`/p.json`: syscalls[2].action:
/// unknown action "SCMP_ACT_FOO"". A profile with neither defaultAction nor syscalls means
/// "no filter" to Docker: it parses with `disabled` set, and resolve_seccomp() gives
/// `enabled == false`.
Result<SeccompProfile> parse_seccomp_profile(std::string_view json, std::string_view what);

/// Reads and parses a profile file (at most 16 MiB).
Result<SeccompProfile> read_seccomp_profile(std::string_view path);

/// `--security-opt seccomp=VALUE`: "unconfined" → nullopt (no filter); "builtin" or "" →
/// the default profile; anything else is a file path.
Result<std::optional<SeccompProfile>> seccomp_profile_for_option(std::string_view value);

/// What the resolution depends on besides the profile.
struct SeccompHost {
  std::string arch;      ///< native arch, moby's name: "amd64", "arm64", …
  KernelVersion kernel;  ///< running kernel
};

/// The running host (compile-time arch, uname(2) kernel).
SeccompHost seccomp_host();

/// A rule after resolution: one syscall name, nothing conditional left.
struct ResolvedRule {
  std::string name;
  SeccompAction action = SeccompAction::kAllow;
  uint32_t errno_ret = 0;  ///< for kErrno/kTrace
  std::vector<SeccompArg> args;
};

/// A profile resolved for one capability set on one host: what gets compiled.
struct ResolvedSeccomp {
  bool enabled = true;  ///< false: the profile asks for no filter
  SeccompAction default_action = SeccompAction::kErrno;
  uint32_t default_errno = 1;      ///< EPERM unless defaultErrnoRet
  std::vector<std::string> arches; ///< libseccomp names: "x86_64", "x86", "x32"
  uint32_t flags = 0;              ///< SECCOMP_FILTER_FLAG_* from the profile
  std::vector<ResolvedRule> rules;

  /// Deterministic text of everything above: the cache key's main part. Two profiles that
  /// resolve alike (e.g. the default profile for two capability sets that differ only in
  /// capabilities no rule mentions) share one cache entry.
  std::string canonical_text() const;
};

/// Resolves `profile` for a container whose bounding set is `bounding` on `host` (moby
/// setupSeccomp). Errors: both "architectures" and "archMap"; unknown flag.
Result<ResolvedSeccomp> resolve_seccomp(const SeccompProfile& profile, CapSet bounding,
                                        const SeccompHost& host);

/// A BPF program ready for load_seccomp().
struct SeccompProgram {
  std::vector<sock_filter> insns;
  uint32_t flags = 0;  ///< SECCOMP_FILTER_FLAG_* to pass (SPEC_ALLOW is added at load)
};

/// Compiles with libseccomp (no cache). Errors name the syscall whose rule failed.
Result<SeccompProgram> compile_seccomp(const ResolvedSeccomp& resolved);

/// Where prepare_seccomp() got the program from.
struct SeccompPrepareInfo {
  bool cache_hit = false;       ///< read from the cache
  bool cache_corrupt = false;   ///< a cache file existed but was unusable (and was replaced)
  bool cache_written = false;   ///< a fresh compile was stored
  std::string cache_file;       ///< "<cache_dir>/<16 hex>.bpf", empty without a cache
};

/// resolve + cache lookup + compile + cache store. `cache_dir` is created (0700) if needed;
/// empty means no cache. A cache problem is never fatal: the program is compiled and, if the
/// directory is writable, stored. `resolved.enabled == false` gives an empty program.
Result<SeccompProgram> prepare_seccomp(const ResolvedSeccomp& resolved, std::string_view cache_dir,
                                       SeccompPrepareInfo* info = nullptr);

/// The cache key text for `resolved` (also stored in the cache file and compared on a hit).
std::string seccomp_cache_key(const ResolvedSeccomp& resolved);

/// Installs `program` on the calling thread: seccomp(SECCOMP_SET_MODE_FILTER,
/// flags | SECCOMP_FILTER_FLAG_SPEC_ALLOW) — SPEC_ALLOW keeps the kernel from forcing the
/// speculative-store-bypass mitigation on every container process — retried without
/// SPEC_ALLOW on EINVAL (kernel < 4.17), and prctl(PR_SET_SECCOMP) when seccomp(2) is ENOSYS
/// and no flag is needed. Async-signal-safe. An empty program is a no-op. Call last before
/// execve; the caller must hold no_new_privs or CAP_SYS_ADMIN.
ChildStatus load_seccomp(const SeccompProgram& program) noexcept;

/// "2.5.4": the libseccomp linked in.
std::string libseccomp_version();

}  // namespace skiff::runtime
