#pragma once
// Linux capabilities (capabilities(7)): the name table, Docker's --cap-add/--cap-drop rules,
// the five sets the container process ends up with, and the async-signal-safe steps that
// apply them in the container child.
//
// Order in the child (DESIGN.md start sequence step 14, crun set_required_caps), with the
// caller's own identity calls in between:
//
//   caps_drop_bounding(caps, last_cap)   PR_CAPBSET_DROP each capability not in `bounding`
//   caps_keep_on_setuid()                PR_SET_KEEPCAPS 1: permitted survives a uid change
//   -- caller: setgroups (unless denied), setresgid, setresuid --
//   caps_set(caps)                       capset(effective, permitted, inheritable), then
//                                        ambient: CLEAR_ALL and RAISE each
//   set_no_new_privs()                   if requested (--security-opt no-new-privileges or
//                                        containers.conf no_new_privileges; default: no)
//   -- seccomp load_seccomp(), last, right before execve --
//
// caps_apply_before_identity() and caps_apply_after_identity() bundle the two halves. The
// bounding drop needs CAP_SETPCAP, so it runs while the child is still root of its user
// namespace with every capability. Without no_new_privs, seccomp must instead be loaded
// before caps_set() drops CAP_SYS_ADMIN (see seccomp.hpp).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/runtime/child_status.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// Highest capability skiff knows by name: CAP_CHECKPOINT_RESTORE (40, Linux 5.9), the last
/// one in <linux/capability.h> today.
inline constexpr int kCapMaxKnown = 40;

/// A set of capabilities as a bit mask: bit N is capability N, the kernel's own layout (the
/// CapEff/CapBnd… hex in /proc/PID/status).
class CapSet {
 public:
  constexpr CapSet() = default;
  constexpr explicit CapSet(uint64_t bits) : bits_(bits) {}
  /// Capabilities 0..last.
  static constexpr CapSet upto(int last) {
    return CapSet(last >= 63 ? ~uint64_t{0} : (uint64_t{1} << (last + 1)) - 1);
  }
  constexpr bool has(int cap) const { return cap >= 0 && cap < 64 && (bits_ >> cap) & 1; }
  constexpr void add(int cap) { if (cap >= 0 && cap < 64) bits_ |= uint64_t{1} << cap; }
  constexpr void remove(int cap) { if (cap >= 0 && cap < 64) bits_ &= ~(uint64_t{1} << cap); }
  constexpr bool empty() const { return bits_ == 0; }
  constexpr uint64_t bits() const { return bits_; }
  constexpr CapSet operator&(CapSet o) const { return CapSet(bits_ & o.bits_); }
  constexpr CapSet operator|(CapSet o) const { return CapSet(bits_ | o.bits_); }
  constexpr bool operator==(const CapSet&) const = default;

 private:
  uint64_t bits_ = 0;
};

/// One row of the capability table.
struct CapInfo {
  int number;
  std::string_view name;  ///< with the prefix: "CAP_CHOWN"
};

/// Every capability the kernel headers know, 0..kCapMaxKnown, in number order.
std::span<const CapInfo> capability_table();

/// "CAP_CHOWN" for 0; "" for a number outside the table.
std::string_view capability_name(int cap);

/// Parses a capability name as Docker does: case-insensitive, "CAP_" optional ("chown",
/// "CAP_CHOWN", "Cap_Chown"). "ALL" is not a capability here (see merge_capabilities).
/// Error (kInvalid) in Docker's words: `unknown capability: "CAP_FOO"`.
Result<int> parse_capability(std::string_view name);

/// The names of a set, in number order (["CAP_CHOWN", …]); unnamed bits as "CAP_<n>".
std::vector<std::string> capability_names(CapSet s);

/// A set as /proc/PID/status prints it: 16 lowercase hex digits.
std::string capability_hex(CapSet s);

/// The default set (defaults.hpp default_capabilities()).
CapSet default_capability_set();

/// Docker's TweakCapabilities (moby oci/caps): every name of `add` and `drop` must parse
/// (or be "ALL", any case) and exist on this kernel (number <= last_cap), else
/// `unknown capability: "CAP_X"`. Then: "ALL" in add → every capability but those dropped;
/// else "ALL" in drop → only the added ones; else `base` minus drops plus adds.
Result<CapSet> merge_capabilities(CapSet base, std::span<const std::string> add,
                                  std::span<const std::string> drop, int last_cap);

/// What the user asked for, and what the host allows.
struct CapOptions {
  std::span<const std::string> add;   ///< --cap-add values
  std::span<const std::string> drop;  ///< --cap-drop values
  bool privileged = false;            ///< --privileged
  bool root_user = true;  ///< the process runs as uid 0 of the container (-u "", root, 0)
  int last_cap = kCapMaxKnown;        ///< /proc/sys/kernel/cap_last_cap (read_cap_last_cap())
  CapSet base = default_capability_set();
  /// The caller's own bounding set (read_bounding_set()): --privileged cannot grant more than
  /// it (Podman's capabilities.BoundingSet()); capset would fail with EPERM.
  CapSet available = CapSet::upto(63);
};

/// The five capability sets of the container process.
struct ProcessCaps {
  CapSet bounding, effective, permitted, inheritable, ambient;
  bool operator==(const ProcessCaps&) const = default;
};

/// Computes the sets as Podman does (pkg/specgen/generate/security_linux.go):
/// - bounding: --privileged → every capability up to last_cap that `available` holds (rootless
///   that is everything the user namespace holds, which is all it can mean); else
///   merge_capabilities(base, …).
/// - uid 0: effective = permitted = bounding; inheritable = ambient = empty.
/// - any other uid: effective = permitted = inheritable = ambient = the --cap-add list
///   (ALL = every capability) ∩ bounding, so `-u 1000 --cap-add NET_ADMIN` keeps NET_ADMIN
///   across execve through the ambient set; without --cap-add the process has none.
Result<ProcessCaps> compute_process_caps(const CapOptions& opts);

/// Reads /proc/sys/kernel/cap_last_cap; if unreadable, probes PR_CAPBSET_READ. Call before
/// clone and pass the value to the child.
Result<int> read_cap_last_cap();

/// The calling thread's bounding set, capabilities 0..last_cap (PR_CAPBSET_READ).
CapSet read_bounding_set(int last_cap);

//
// Child side: async-signal-safe, no allocation, no exceptions (STYLE.md §3.5).
//

/// PR_CAPBSET_DROP for every capability 0..last_cap that is in the current bounding set but
/// not in `bounding` (capabilities above last_cap do not exist here and are skipped). Needs
/// CAP_SETPCAP when something is dropped.
ChildStatus caps_drop_bounding(CapSet bounding, int last_cap) noexcept;

/// PR_SET_KEEPCAPS 1, so the permitted set survives setresuid() to a non-zero uid (the kernel
/// still clears the effective set; caps_set() restores it). Reset by execve.
ChildStatus caps_keep_on_setuid() noexcept;

/// capset(2) (version 3, 64 bits) with effective, permitted and inheritable; then
/// PR_CAP_AMBIENT_CLEAR_ALL and PR_CAP_AMBIENT_RAISE for each ambient capability (an ambient
/// capability must be permitted and inheritable). Call after setresuid/setresgid.
ChildStatus caps_set(const ProcessCaps& caps) noexcept;

/// capset(2) raising the effective set to the permitted one. A uid change away from 0 clears
/// the effective set (keep-caps keeps only the permitted one): without no_new_privs, a
/// non-root container user needs CAP_SYS_ADMIN back in effect to load its seccomp filter
/// before caps_set() gives it its own capabilities.
ChildStatus caps_raise_effective() noexcept;

/// caps_drop_bounding() then caps_keep_on_setuid().
ChildStatus caps_apply_before_identity(const ProcessCaps& caps, int last_cap) noexcept;

/// caps_set().
ChildStatus caps_apply_after_identity(const ProcessCaps& caps) noexcept;

/// prctl(PR_SET_NO_NEW_PRIVS, 1): execve can no longer grant privileges (set-user-ID bits,
/// file capabilities). Required for loading seccomp without CAP_SYS_ADMIN.
ChildStatus set_no_new_privs() noexcept;

}  // namespace skiff::runtime
