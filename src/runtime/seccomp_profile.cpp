// Seccomp profiles in memory: JSON parsing (Docker and OCI forms), resolution of moby's
// conditional rules, the canonical text used as cache key. Compilation is in seccomp_bpf.cpp.
#include <linux/seccomp.h>
#include <sys/utsname.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "skiff/runtime/seccomp.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"

namespace skiff::runtime {
namespace {

struct ActionName {
  std::string_view name;
  SeccompAction action;
};
constexpr ActionName kActions[] = {
    {"SCMP_ACT_KILL", SeccompAction::kKillThread},
    {"SCMP_ACT_KILL_THREAD", SeccompAction::kKillThread},
    {"SCMP_ACT_KILL_PROCESS", SeccompAction::kKillProcess},
    {"SCMP_ACT_TRAP", SeccompAction::kTrap},
    {"SCMP_ACT_ERRNO", SeccompAction::kErrno},
    {"SCMP_ACT_TRACE", SeccompAction::kTrace},
    {"SCMP_ACT_ALLOW", SeccompAction::kAllow},
    {"SCMP_ACT_LOG", SeccompAction::kLog},
    {"SCMP_ACT_NOTIFY", SeccompAction::kNotify},
};

struct OpName {
  std::string_view name;
  SeccompOp op;
};
constexpr OpName kOps[] = {
    {"SCMP_CMP_NE", SeccompOp::kNe},         {"SCMP_CMP_LT", SeccompOp::kLt},
    {"SCMP_CMP_LE", SeccompOp::kLe},         {"SCMP_CMP_EQ", SeccompOp::kEq},
    {"SCMP_CMP_GE", SeccompOp::kGe},         {"SCMP_CMP_GT", SeccompOp::kGt},
    {"SCMP_CMP_MASKED_EQ", SeccompOp::kMaskedEq},
};

struct FlagName {
  std::string_view name;
  uint32_t flag;
};
// The filter flags runc accepts in a profile's "flags" (runtime-spec config-linux.md).
constexpr FlagName kFlags[] = {
    {"SECCOMP_FILTER_FLAG_TSYNC", 1u << 0},
    {"SECCOMP_FILTER_FLAG_LOG", 1u << 1},
    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", 1u << 2},
    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", 1u << 5},
};

// moby's GOARCH names → the libseccomp arch that is native there (nativeToSeccomp).
struct NativeArch {
  std::string_view moby;
  std::string_view scmp;
};
constexpr NativeArch kNativeArches[] = {
    {"amd64", "SCMP_ARCH_X86_64"},     {"x86", "SCMP_ARCH_X86"},
    {"arm64", "SCMP_ARCH_AARCH64"},    {"arm", "SCMP_ARCH_ARM"},
    {"ppc64le", "SCMP_ARCH_PPC64LE"},  {"ppc64", "SCMP_ARCH_PPC64"},
    {"s390x", "SCMP_ARCH_S390X"},      {"s390", "SCMP_ARCH_S390"},
    {"riscv64", "SCMP_ARCH_RISCV64"},  {"mips64", "SCMP_ARCH_MIPS64"},
    {"mipsel64", "SCMP_ARCH_MIPSEL64"},
};

std::string_view action_name(SeccompAction a) {
  for (const ActionName& n : kActions)
    if (n.action == a) return n.name;
  return "?";
}

std::string_view op_name(SeccompOp o) {
  for (const OpName& n : kOps)
    if (n.op == o) return n.name;
  return "?";
}

// Reads JSON fields with paths in errors. Every accessor returns an Error naming `where`.
class Reader {
 public:
  explicit Reader(std::string_view what) : what_(what) {}

  Error err(std::string_view where, std::string_view msg) const {
    return Error{kInvalid, fmt::format("{}: {}: {}", what_, where, msg)};
  }

  Result<std::string> str(const Json& v, std::string_view where) const {
    if (!v.is_string()) return err(where, "expected a string");
    return v.get<std::string>();
  }

  Result<uint64_t> u64(const Json& v, std::string_view where) const {
    if (v.is_number_unsigned()) return v.get<uint64_t>();
    if (v.is_number_integer()) return err(where, "must not be negative");
    return err(where, "expected an unsigned integer");
  }

  // A list of strings; null or absent is empty (Go's nil slice).
  Result<std::vector<std::string>> strings(const Json& v, std::string_view where) const {
    std::vector<std::string> out;
    if (v.is_null()) return out;
    if (!v.is_array()) return err(where, "expected an array of strings");
    for (size_t i = 0; i < v.size(); ++i)
      out.push_back(TRY(str(v[i], fmt::format("{}[{}]", where, i))));
    return out;
  }

  Result<SeccompAction> action(const Json& v, std::string_view where) const {
    std::string s = TRY(str(v, where));
    for (const ActionName& n : kActions)
      if (n.name == s) return n.action;
    return err(where, fmt::format("unknown action \"{}\"", s));
  }

  Result<SeccompFilter> filter(const Json& v, std::string_view where) const {
    SeccompFilter f;
    if (v.is_null()) return f;
    if (!v.is_object()) return err(where, "expected an object");
    f.caps = TRY(strings(json_get(v, "caps"), fmt::format("{}.caps", where)));
    f.arches = TRY(strings(json_get(v, "arches"), fmt::format("{}.arches", where)));
    const Json& mk = json_get(v, "minKernel");
    if (!mk.is_null()) {
      std::string w = fmt::format("{}.minKernel", where);
      std::string s = TRY(str(mk, w));
      if (!s.empty()) f.min_kernel = TRY(kernel(s, w));
    }
    return f;
  }

  // "<kernel>.<major>", each 0..255, not 0.0 (moby KernelVersion.UnmarshalJSON).
  Result<KernelVersion> kernel(std::string_view s, std::string_view where) const {
    auto bad = [&] {
      return err(where, fmt::format("invalid kernel version: \"{}\", expected \"<kernel>.<major>\"", s));
    };
    size_t dot = s.find('.');
    if (dot == std::string_view::npos || s.find('.', dot + 1) != std::string_view::npos)
      return bad();
    KernelVersion k;
    for (auto [part, out] : {std::pair{s.substr(0, dot), &k.major},
                             std::pair{s.substr(dot + 1), &k.minor}}) {
      if (part.empty() || part.size() > 3) return bad();
      uint32_t v = 0;
      for (char c : part) {
        if (c < '0' || c > '9') return bad();
        v = v * 10 + static_cast<uint32_t>(c - '0');
      }
      if (v > 255) return bad();
      *out = v;
    }
    if (k == KernelVersion{}) return bad();
    return k;
  }

  Result<SeccompArg> arg(const Json& v, std::string_view where) const {
    if (!v.is_object()) return err(where, "expected an object");
    SeccompArg a;
    uint64_t index = TRY(u64(json_get(v, "index"), fmt::format("{}.index", where)));
    if (index > 5) return err(fmt::format("{}.index", where), fmt::format("{} is not 0-5", index));
    a.index = static_cast<uint32_t>(index);
    a.value = TRY(u64(json_get(v, "value"), fmt::format("{}.value", where)));
    const Json& two = json_get(v, "valueTwo");
    if (!two.is_null()) a.value_two = TRY(u64(two, fmt::format("{}.valueTwo", where)));
    std::string w = fmt::format("{}.op", where);
    std::string op = TRY(str(json_get(v, "op"), w));
    bool found = false;
    for (const OpName& n : kOps)
      if (n.name == op) a.op = n.op, found = true;
    if (!found) return err(w, fmt::format("unknown operator \"{}\"", op));
    return a;
  }

  Result<SeccompRule> rule(const Json& v, std::string_view where) const {
    if (!v.is_object()) return err(where, "expected an object");
    SeccompRule r;
    const Json& name = json_get(v, "name");
    r.names = TRY(strings(json_get(v, "names"), fmt::format("{}.names", where)));
    if (!name.is_null()) {
      std::string n = TRY(str(name, fmt::format("{}.name", where)));
      if (!n.empty() && !r.names.empty())
        return err(where, "both 'name' and 'names' are specified, use either 'name' or 'names'");
      if (!n.empty()) r.names.push_back(std::move(n));
    }
    r.action = TRY(action(json_get(v, "action"), fmt::format("{}.action", where)));
    const Json& ret = json_get(v, "errnoRet");
    if (!ret.is_null()) {
      uint64_t e = TRY(u64(ret, fmt::format("{}.errnoRet", where)));
      if (e > 0xffff) return err(fmt::format("{}.errnoRet", where), "out of range");
      r.errno_ret = static_cast<uint32_t>(e);
    }
    const Json& args = json_get(v, "args");
    if (!args.is_null()) {
      if (!args.is_array()) return err(fmt::format("{}.args", where), "expected an array");
      for (size_t i = 0; i < args.size(); ++i)
        r.args.push_back(TRY(arg(args[i], fmt::format("{}.args[{}]", where, i))));
    }
    r.includes = TRY(filter(json_get(v, "includes"), fmt::format("{}.includes", where)));
    r.excludes = TRY(filter(json_get(v, "excludes"), fmt::format("{}.excludes", where)));
    const Json& comment = json_get(v, "comment");
    if (comment.is_string()) r.comment = comment.get<std::string>();
    return r;
  }

 private:
  std::string what_;
};

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// "SCMP_ARCH_X86_64" → "x86_64" (libseccomp's own name for seccomp_arch_resolve_name).
std::string scmp_arch_to_lib(std::string_view token) {
  std::string s(token);
  if (s.starts_with("SCMP_ARCH_")) s = s.substr(10);
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string_view native_scmp_arch(std::string_view moby_arch) {
  for (const NativeArch& n : kNativeArches)
    if (n.moby == moby_arch) return n.scmp;
  return {};
}

}  // namespace

Result<SeccompProfile> parse_seccomp_profile(std::string_view json, std::string_view what) {
  Json j = TRY(parse_json(json, what));
  Reader rd(what);
  if (!j.is_object()) return rd.err("profile", "expected a JSON object");
  SeccompProfile p;
  const Json& def = json_get(j, "defaultAction");
  const Json& syscalls = json_get(j, "syscalls");
  if (def.is_null()) {
    if (!syscalls.is_null() && !(syscalls.is_array() && syscalls.empty()))
      return rd.err("defaultAction", "missing");
    p.disabled = true;  // Docker: no defaultAction and no syscalls = no filter
    return p;
  }
  p.default_action = TRY(rd.action(def, "defaultAction"));
  const Json& ret = json_get(j, "defaultErrnoRet");
  if (!ret.is_null()) {
    uint64_t e = TRY(rd.u64(ret, "defaultErrnoRet"));
    if (e > 0xffff) return rd.err("defaultErrnoRet", "out of range");
    p.default_errno_ret = static_cast<uint32_t>(e);
  }
  p.architectures = TRY(rd.strings(json_get(j, "architectures"), "architectures"));
  const Json& amap = json_get(j, "archMap");
  if (!amap.is_null()) {
    if (!amap.is_array()) return rd.err("archMap", "expected an array");
    for (size_t i = 0; i < amap.size(); ++i) {
      std::string w = fmt::format("archMap[{}]", i);
      if (!amap[i].is_object()) return rd.err(w, "expected an object");
      SeccompArchMap m;
      m.arch = TRY(rd.str(json_get(amap[i], "architecture"), w + ".architecture"));
      m.sub_arches = TRY(rd.strings(json_get(amap[i], "subArchitectures"), w + ".subArchitectures"));
      p.arch_map.push_back(std::move(m));
    }
  }
  if (!p.architectures.empty() && !p.arch_map.empty())
    return rd.err("architectures", "both 'architectures' and 'archMap' are specified, use "
                                   "either 'architectures' or 'archMap'");
  p.flags = TRY(rd.strings(json_get(j, "flags"), "flags"));
  for (size_t i = 0; i < p.flags.size(); ++i) {
    bool known = std::any_of(std::begin(kFlags), std::end(kFlags),
                             [&](const FlagName& f) { return f.name == p.flags[i]; });
    if (!known) return rd.err(fmt::format("flags[{}]", i), fmt::format("unknown flag \"{}\"", p.flags[i]));
  }
  if (!json_get(j, "listenerPath").is_null() && !json_str(j, "listenerPath").empty())
    return rd.err("listenerPath", "seccomp notification listeners are not supported");
  if (!syscalls.is_null()) {
    if (!syscalls.is_array()) return rd.err("syscalls", "expected an array");
    for (size_t i = 0; i < syscalls.size(); ++i)
      p.syscalls.push_back(TRY(rd.rule(syscalls[i], fmt::format("syscalls[{}]", i))));
  }
  return p;
}

Result<SeccompProfile> read_seccomp_profile(std::string_view path) {
  auto text = read_file(path, 16u << 20);
  if (!text) return wrap(text.error(), fmt::format("read seccomp profile `{}`", path));
  return parse_seccomp_profile(*text, fmt::format("seccomp profile `{}`", path));
}

Result<std::optional<SeccompProfile>> seccomp_profile_for_option(std::string_view value) {
  if (value == "unconfined") return std::optional<SeccompProfile>{};
  if (value.empty() || value == "builtin") return std::optional<SeccompProfile>{default_seccomp_profile()};
  return std::optional<SeccompProfile>{TRY(read_seccomp_profile(value))};
}

SeccompHost seccomp_host() {
  SeccompHost h;
#if defined(__x86_64__)
  h.arch = "amd64";
#elif defined(__aarch64__)
  h.arch = "arm64";
#elif defined(__i386__)
  h.arch = "x86";
#elif defined(__arm__)
  h.arch = "arm";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  h.arch = "ppc64le";
#elif defined(__s390x__)
  h.arch = "s390x";
#elif defined(__riscv) && __riscv_xlen == 64
  h.arch = "riscv64";
#else
  h.arch = "unknown";
#endif
  utsname u{};
  if (uname(&u) == 0) {
    // "6.18.44-fc-v657" → 6.18; moby ignores everything after the second number.
    unsigned major = 0, minor = 0;
    if (sscanf(u.release, "%u.%u", &major, &minor) == 2) h.kernel = {major, minor};
  }
  return h;
}

Result<ResolvedSeccomp> resolve_seccomp(const SeccompProfile& p, CapSet bounding,
                                        const SeccompHost& host) {
  ResolvedSeccomp r;
  if (p.disabled) {
    r.enabled = false;
    return r;
  }
  r.default_action = p.default_action;
  r.default_errno = p.default_errno_ret.value_or(EPERM);
  if (!p.architectures.empty() && !p.arch_map.empty())
    return fail(kInvalid, "both 'architectures' and 'archMap' are specified in the seccomp "
                          "profile, use either 'architectures' or 'archMap'");

  // Architectures: the OCI list as is, or the archMap entry of the native arch.
  std::vector<std::string> tokens = p.architectures;
  std::string_view native = native_scmp_arch(host.arch);
  for (const SeccompArchMap& m : p.arch_map) {
    if (m.arch != native) continue;
    tokens.push_back(m.arch);
    tokens.insert(tokens.end(), m.sub_arches.begin(), m.sub_arches.end());
    break;
  }
  for (const std::string& t : tokens) {
    std::string lib = scmp_arch_to_lib(t);
    if (!contains(r.arches, lib)) r.arches.push_back(lib);
  }

  for (const std::string& f : p.flags) {
    auto it = std::find_if(std::begin(kFlags), std::end(kFlags),
                           [&](const FlagName& n) { return n.name == f; });
    if (it == std::end(kFlags)) return fail(kInvalid, fmt::format("unknown seccomp flag \"{}\"", f));
    r.flags |= it->flag;
  }

  // moby setupSeccomp: excludes first, then includes; caps against the bounding set.
  auto has_cap = [&](const std::string& name) {
    auto n = parse_capability(name);
    return n && bounding.has(*n);
  };
  for (const SeccompRule& rule : p.syscalls) {
    const SeccompFilter& ex = rule.excludes;
    if (contains(ex.arches, host.arch)) continue;
    if (std::any_of(ex.caps.begin(), ex.caps.end(), has_cap)) continue;
    if (ex.min_kernel && host.kernel >= *ex.min_kernel) continue;
    const SeccompFilter& in = rule.includes;
    if (!in.arches.empty() && !contains(in.arches, host.arch)) continue;
    if (!std::all_of(in.caps.begin(), in.caps.end(), has_cap)) continue;
    if (in.min_kernel && host.kernel < *in.min_kernel) continue;
    uint32_t err = rule.errno_ret.value_or(EPERM);
    for (const std::string& name : rule.names) {
      if (name.empty()) continue;
      r.rules.push_back({name, rule.action, err, rule.args});
    }
  }
  return r;
}

std::string ResolvedSeccomp::canonical_text() const {
  std::string s;
  s.reserve(64 + rules.size() * 24);
  s += fmt::format("enabled {}\ndefault {} {}\nflags {}\narches", enabled ? 1 : 0,
                   action_name(default_action), default_errno, flags);
  for (const std::string& a : arches) s += " " + a;
  s += '\n';
  for (const ResolvedRule& r : rules) {
    s += action_name(r.action);
    if (r.action == SeccompAction::kErrno || r.action == SeccompAction::kTrace)
      s += fmt::format("({})", r.errno_ret);
    s += ' ';
    s += r.name;
    for (const SeccompArg& a : r.args)
      s += fmt::format(" {}:{}:{}:{}", a.index, op_name(a.op), a.value, a.value_two);
    s += '\n';
  }
  return s;
}

}  // namespace skiff::runtime
