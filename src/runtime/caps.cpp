#include "skiff/runtime/caps.hpp"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "skiff/runtime/defaults.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::runtime {
namespace {

// Every capability of <linux/capability.h>, in number order (the index is the number).
constexpr CapInfo kCaps[] = {
    {0, "CAP_CHOWN"},
    {1, "CAP_DAC_OVERRIDE"},
    {2, "CAP_DAC_READ_SEARCH"},
    {3, "CAP_FOWNER"},
    {4, "CAP_FSETID"},
    {5, "CAP_KILL"},
    {6, "CAP_SETGID"},
    {7, "CAP_SETUID"},
    {8, "CAP_SETPCAP"},
    {9, "CAP_LINUX_IMMUTABLE"},
    {10, "CAP_NET_BIND_SERVICE"},
    {11, "CAP_NET_BROADCAST"},
    {12, "CAP_NET_ADMIN"},
    {13, "CAP_NET_RAW"},
    {14, "CAP_IPC_LOCK"},
    {15, "CAP_IPC_OWNER"},
    {16, "CAP_SYS_MODULE"},
    {17, "CAP_SYS_RAWIO"},
    {18, "CAP_SYS_CHROOT"},
    {19, "CAP_SYS_PTRACE"},
    {20, "CAP_SYS_PACCT"},
    {21, "CAP_SYS_ADMIN"},
    {22, "CAP_SYS_BOOT"},
    {23, "CAP_SYS_NICE"},
    {24, "CAP_SYS_RESOURCE"},
    {25, "CAP_SYS_TIME"},
    {26, "CAP_SYS_TTY_CONFIG"},
    {27, "CAP_MKNOD"},
    {28, "CAP_LEASE"},
    {29, "CAP_AUDIT_WRITE"},
    {30, "CAP_AUDIT_CONTROL"},
    {31, "CAP_SETFCAP"},
    {32, "CAP_MAC_OVERRIDE"},
    {33, "CAP_MAC_ADMIN"},
    {34, "CAP_SYSLOG"},
    {35, "CAP_WAKE_ALARM"},
    {36, "CAP_BLOCK_SUSPEND"},
    {37, "CAP_AUDIT_READ"},
    {38, "CAP_PERFMON"},
    {39, "CAP_BPF"},
    {40, "CAP_CHECKPOINT_RESTORE"},
};
static_assert(std::size(kCaps) == kCapMaxKnown + 1);
static_assert(CAP_LAST_CAP <= kCapMaxKnown, "kernel headers know a capability we do not name");

constexpr bool table_is_indexed() {
  for (size_t i = 0; i < std::size(kCaps); ++i)
    if (kCaps[i].number != static_cast<int>(i)) return false;
  return true;
}
static_assert(table_is_indexed());

bool is_all(std::string_view s) { return s.size() == 3 && to_lower(s) == "all"; }

// Names of `list` → set; `all` is set when "ALL" appears. Docker normalises both lists before
// using either, so an unknown name fails even when ALL would make it moot.
Result<CapSet> parse_list(std::span<const std::string> list, int last_cap, bool& all) {
  CapSet s;
  all = false;
  for (const std::string& name : list) {
    if (is_all(name)) {
      all = true;
      continue;
    }
    auto cap = parse_capability(name);
    if (!cap) return cap.error();
    if (*cap > last_cap)  // named in the headers, but this kernel does not have it
      return fail(kInvalid, fmt::format("unknown capability: \"{}\"", capability_name(*cap)));
    s.add(*cap);
  }
  return s;
}

// Named capabilities up to last_cap: what Docker calls GetAllCapabilities().
CapSet all_named(int last_cap) { return CapSet::upto(std::min(last_cap, kCapMaxKnown)); }

}  // namespace

std::span<const CapInfo> capability_table() { return kCaps; }

std::string_view capability_name(int cap) {
  if (cap < 0 || cap > kCapMaxKnown) return {};
  return kCaps[cap].name;
}

Result<int> parse_capability(std::string_view name) {
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  if (!upper.starts_with("CAP_")) upper = "CAP_" + upper;
  for (const CapInfo& c : kCaps)
    if (c.name == upper) return c.number;
  return fail(kInvalid, fmt::format("unknown capability: \"{}\"", upper));
}

std::vector<std::string> capability_names(CapSet s) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i) {
    if (!s.has(i)) continue;
    std::string_view n = capability_name(i);
    out.push_back(n.empty() ? fmt::format("CAP_{}", i) : std::string(n));
  }
  return out;
}

std::string capability_hex(CapSet s) { return fmt::format("{:016x}", s.bits()); }

CapSet default_capability_set() {
  CapSet s;
  for (int c : default_capabilities()) s.add(c);
  return s;
}

Result<CapSet> merge_capabilities(CapSet base, std::span<const std::string> add,
                                  std::span<const std::string> drop, int last_cap) {
  bool drop_all = false, add_all = false;
  CapSet dropped = TRY(parse_list(drop, last_cap, drop_all));
  CapSet added = TRY(parse_list(add, last_cap, add_all));
  CapSet all = all_named(last_cap);
  if (add_all) return CapSet(all.bits() & ~dropped.bits());
  if (drop_all) return added;
  return CapSet((base.bits() & ~dropped.bits()) | added.bits()) & all;
}

Result<ProcessCaps> compute_process_caps(const CapOptions& o) {
  ProcessCaps pc;
  if (o.privileged) {
    // Everything the kernel has, named or not: --privileged drops nothing.
    // --cap-add/--cap-drop are not even parsed (Docker's TweakCapabilities returns first).
    // A host (or an outer container) may itself run without some: those cannot be had.
    pc.bounding = CapSet::upto(o.last_cap) & o.available;
  } else {
    pc.bounding = TRY(merge_capabilities(o.base, o.add, o.drop, o.last_cap));
  }
  if (o.root_user) {
    pc.effective = pc.permitted = pc.bounding;
    return pc;
  }
  bool add_all = false;
  CapSet user = TRY(parse_list(o.add, o.last_cap, add_all));
  if (add_all) user = all_named(o.last_cap);
  user = user & pc.bounding;
  pc.effective = pc.permitted = pc.inheritable = pc.ambient = user;
  return pc;
}

Result<int> read_cap_last_cap() {
  auto text = read_file("/proc/sys/kernel/cap_last_cap", 64);
  if (text) {
    if (auto v = parse_int(trim(*text)); v && *v >= 0 && *v < 64) return static_cast<int>(*v);
  }
  // No /proc (or a strange value): the highest capability PR_CAPBSET_READ accepts.
  int last = -1;
  while (last < 63 && prctl(PR_CAPBSET_READ, last + 1, 0, 0, 0) >= 0) ++last;
  if (last < 0) return fail_errno("read /proc/sys/kernel/cap_last_cap");
  return last;
}

CapSet read_bounding_set(int last_cap) {
  CapSet s;
  for (int cap = 0; cap <= last_cap && cap < 64; ++cap)
    if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1) s.add(cap);
  return s;
}

//
// Child side. Only raw system calls below: no allocation, no exceptions, no logging.
//

ChildStatus caps_drop_bounding(CapSet bounding, int last_cap) noexcept {
  for (int cap = 0; cap <= last_cap && cap < 64; ++cap) {
    if (bounding.has(cap)) continue;
    int in_set = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
    if (in_set == 0) continue;  // already gone: no CAP_SETPCAP needed
    if (in_set < 0) {
      if (errno == EINVAL) continue;  // the kernel does not know this capability
      return child_fail(errno, "prctl(PR_CAPBSET_READ)", cap);
    }
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
      return child_fail(errno, "prctl(PR_CAPBSET_DROP)", cap);
  }
  return kChildOk;
}

ChildStatus caps_keep_on_setuid() noexcept {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) return child_fail(errno, "prctl(PR_SET_KEEPCAPS)");
  return kChildOk;
}

ChildStatus caps_set(const ProcessCaps& caps) noexcept {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  auto lo = [](CapSet s) { return static_cast<uint32_t>(s.bits()); };
  auto hi = [](CapSet s) { return static_cast<uint32_t>(s.bits() >> 32); };
  data[0] = {lo(caps.effective), lo(caps.permitted), lo(caps.inheritable)};
  data[1] = {hi(caps.effective), hi(caps.permitted), hi(caps.inheritable)};
  if (syscall(SYS_capset, &hdr, data) < 0) return child_fail(errno, "capset");

  // Ambient capabilities exist since Linux 4.3; clearing is harmless when there are none.
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0) {
    if (!(errno == EINVAL && caps.ambient.empty()))
      return child_fail(errno, "prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
  }
  for (int cap = 0; cap < 64; ++cap) {
    if (!caps.ambient.has(cap)) continue;
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return child_fail(errno, "prctl(PR_CAP_AMBIENT_RAISE)", cap);
  }
  return kChildOk;
}

ChildStatus caps_raise_effective() noexcept {
  __user_cap_header_struct hdr{};
  hdr.version = _LINUX_CAPABILITY_VERSION_3;
  hdr.pid = 0;
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (syscall(SYS_capget, &hdr, data) < 0) return child_fail(errno, "capget");
  for (auto& d : data) d.effective = d.permitted;
  if (syscall(SYS_capset, &hdr, data) < 0) return child_fail(errno, "capset");
  return kChildOk;
}

ChildStatus caps_apply_before_identity(const ProcessCaps& caps, int last_cap) noexcept {
  if (ChildStatus st = caps_drop_bounding(caps.bounding, last_cap); !st.ok()) return st;
  return caps_keep_on_setuid();
}

ChildStatus caps_apply_after_identity(const ProcessCaps& caps) noexcept { return caps_set(caps); }

ChildStatus set_no_new_privs() noexcept {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return child_fail(errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  return kChildOk;
}

}  // namespace skiff::runtime
