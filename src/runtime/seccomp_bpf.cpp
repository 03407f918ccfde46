// Seccomp compilation (libseccomp → classic BPF), the prelude for what libseccomp cannot
// express, the on-disk cache, and the async-signal-safe load. Profiles are in
// seccomp_profile.cpp, Docker's default in seccomp_default.cpp.
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include <fmt/format.h>

#include "skiff/runtime/seccomp.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"

namespace skiff::runtime {
namespace {

// Bumped whenever the compiled output for the same key text can change (prelude, options).
constexpr int kCompilerVersion = 1;
constexpr uint32_t kX32Bit = 0x40000000;  // __X32_SYSCALL_BIT
constexpr size_t kMaxCacheFile = 1u << 20;

// Syscalls Docker's profile names that a libseccomp older than the kernel may not know, by
// number. Since Linux 5.1 new syscalls get the same number on every arch but alpha and mips
// (x32 adds __X32_SYSCALL_BIT); `generic` false means x86_64 only.
struct FallbackSyscall {
  std::string_view name;
  uint32_t nr;
  bool generic;
};
constexpr FallbackSyscall kFallbackSyscalls[] = {
    {"uretprobe", 335, false},  // Linux 6.11, x86_64 only
    {"statmount", 457, true},   // Linux 6.8
    {"listmount", 458, true},
    {"lsm_get_self_attr", 459, true},
    {"lsm_set_self_attr", 460, true},
    {"lsm_list_modules", 461, true},
    {"mseal", 462, true},        // Linux 6.10
    {"setxattrat", 463, true},   // Linux 6.13
    {"getxattrat", 464, true},
    {"listxattrat", 465, true},
    {"removexattrat", 466, true},
    {"open_tree_attr", 467, true},  // Linux 6.15
    {"file_getattr", 468, true},    // Linux 6.17
    {"file_setattr", 469, true},
};
// Arches where the unified numbering holds (libseccomp names).
constexpr std::string_view kGenericArches[] = {"x86_64", "x86",   "x32",   "aarch64", "arm",
                                               "riscv64", "s390x", "s390", "ppc64le", "ppc64",
                                               "ppc"};

std::optional<uint32_t> fallback_nr(std::string_view arch, std::string_view name) {
  for (const FallbackSyscall& f : kFallbackSyscalls) {
    if (f.name != name) continue;
    if (!f.generic) {
      if (arch == "x86_64") return f.nr;
      return std::nullopt;
    }
    if (std::find(std::begin(kGenericArches), std::end(kGenericArches), arch) ==
        std::end(kGenericArches))
      return std::nullopt;
    return arch == "x32" ? f.nr | kX32Bit : f.nr;
  }
  return std::nullopt;
}

uint32_t scmp_action(SeccompAction a, uint32_t err) {
  switch (a) {
    case SeccompAction::kKillThread: return SCMP_ACT_KILL_THREAD;
    case SeccompAction::kKillProcess: return SCMP_ACT_KILL_PROCESS;
    case SeccompAction::kTrap: return SCMP_ACT_TRAP;
    case SeccompAction::kErrno: return SCMP_ACT_ERRNO(err);
    case SeccompAction::kTrace: return SCMP_ACT_TRACE(err);
    case SeccompAction::kAllow: return SCMP_ACT_ALLOW;
    case SeccompAction::kLog: return SCMP_ACT_LOG;
    case SeccompAction::kNotify: return SCMP_ACT_NOTIFY;
  }
  return SCMP_ACT_KILL_THREAD;
}

scmp_compare scmp_op(SeccompOp o) {
  switch (o) {
    case SeccompOp::kNe: return SCMP_CMP_NE;
    case SeccompOp::kLt: return SCMP_CMP_LT;
    case SeccompOp::kLe: return SCMP_CMP_LE;
    case SeccompOp::kEq: return SCMP_CMP_EQ;
    case SeccompOp::kGe: return SCMP_CMP_GE;
    case SeccompOp::kGt: return SCMP_CMP_GT;
    case SeccompOp::kMaskedEq: return SCMP_CMP_MASKED_EQ;
  }
  return SCMP_CMP_EQ;
}

std::string lib_error(int rc) { return std::strerror(rc < 0 ? -rc : rc); }

// The libseccomp name of the native arch ("x86_64").
std::string native_lib_arch() {
  const char* n = seccomp_arch_resolve_name("x86_64") == seccomp_arch_native() ? "x86_64" : nullptr;
  if (n) return n;
  for (const char* a : {"aarch64", "x86", "arm", "riscv64", "s390x", "ppc64le", "ppc64", "s390",
                        "ppc", "mips64", "mipsel64", "mips", "mipsel"})
    if (seccomp_arch_resolve_name(a) == seccomp_arch_native()) return a;
  return "native";
}

//
// A tiny classic-BPF assembler with forward labels, for the prelude.
//
class Asm {
 public:
  int label() {
    pos_.push_back(-1);
    return static_cast<int>(pos_.size()) - 1;
  }
  void bind(int l) { pos_[l] = static_cast<int>(code_.size()); }
  void ld_abs(uint32_t off) { emit(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, off)); }
  // Conditional jumps: to `t` if true, else to the next instruction.
  void jeq(uint32_t k, int t) { emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0), t); }
  void jgt(uint32_t k, int t) { emit(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, k, 0, 0), t); }
  void jge(uint32_t k, int t) { emit(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, 0, 0), t); }
  // With a false target (true falls through).
  void jne(uint32_t k, int f) { emit(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0), -1, f); }
  void jlt(uint32_t k, int f) { emit(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, 0, 0), -1, f); }
  void ja(int t) { emit(BPF_STMT(BPF_JMP | BPF_JA, 0), t); }
  void ret(uint32_t k) { emit(BPF_STMT(BPF_RET | BPF_K, k)); }
  size_t size() const { return code_.size(); }

  Result<std::vector<sock_filter>> finish() const {
    std::vector<sock_filter> out;
    for (size_t i = 0; i < code_.size(); ++i) {
      sock_filter f = code_[i].f;
      auto offset = [&](int l) -> Result<uint32_t> {
        int target = pos_[l];
        if (target < static_cast<int>(i) + 1) return fail(EINVAL, "seccomp prelude: bad jump");
        return static_cast<uint32_t>(target - static_cast<int>(i) - 1);
      };
      if (BPF_CLASS(f.code) == BPF_JMP && BPF_OP(f.code) == BPF_JA) {
        f.k = TRY(offset(code_[i].t));
      } else if (BPF_CLASS(f.code) == BPF_JMP) {
        for (auto [l, field] : {std::pair{code_[i].t, &f.jt}, std::pair{code_[i].f_label, &f.jf}}) {
          if (l < 0) continue;
          uint32_t off = TRY(offset(l));
          if (off > 255) return fail(E2BIG, "seccomp prelude: jump too long");
          *field = static_cast<uint8_t>(off);
        }
      }
      out.push_back(f);
    }
    return out;
  }

 private:
  struct Ins {
    sock_filter f;
    int t = -1, f_label = -1;
  };
  void emit(sock_filter f, int t = -1, int fl = -1) { code_.push_back({f, t, fl}); }
  std::vector<Ins> code_;
  std::vector<int> pos_;
};

// What the prelude does for one arch.
struct ArchPrelude {
  std::string arch;                                   // libseccomp name
  std::vector<std::pair<uint32_t, uint32_t>> direct;  // syscall nr → return value
  uint32_t max_nr = 0;                                // ENOSYS above (non-x32: all numbers)
  uint32_t max_low = 0, max_high = 0;                 // x32: below 512, and 512 and up
  bool any_known = false;
};

uint32_t audit_arch(std::string_view lib_arch) {
  if (lib_arch == "x32") return AUDIT_ARCH_X86_64;  // x32 syscalls arrive as x86_64 + bit
  std::string n(lib_arch);
  return seccomp_arch_resolve_name(n.c_str());  // SCMP_ARCH_* == AUDIT_ARCH_*
}

// Syscalls matched by number, then on to libseccomp (`end`). `bits` is ORed into the
// lower bound (x32).
template <class RetLabel>
void emit_direct(Asm& as, const std::vector<std::pair<uint32_t, uint32_t>>& direct, uint32_t bits,
                 int end, RetLabel&& ret_label) {
  if (!direct.empty()) {
    uint32_t lowest = ~uint32_t{0};
    for (auto [nr, k] : direct) lowest = std::min(lowest, nr);
    as.jlt(lowest | bits, end);
    for (auto [nr, k] : direct) as.jeq(nr, ret_label(k));
  }
  as.ja(end);
}

// Builds the prelude: for each arch of the filter, the syscalls libseccomp could not add
// (matched by number) and, when the default action denies, ENOSYS for numbers above the
// newest syscall the profile names (runc's -ENOSYS stub). Falls through to the libseccomp
// program otherwise. Empty when there is nothing to do.
Result<std::vector<sock_filter>> build_prelude(std::vector<ArchPrelude> arches, bool enosys) {
  bool needed = false;
  for (const ArchPrelude& a : arches) needed |= !a.direct.empty() || (enosys && a.any_known);
  if (!needed) return std::vector<sock_filter>{};

  Asm as;
  int end = as.label();
  std::map<uint32_t, int> returns;  // return value → label
  auto ret_label = [&](uint32_t k) {
    auto it = returns.find(k);
    if (it != returns.end()) return it->second;
    int l = as.label();
    returns[k] = l;
    return l;
  };
  const uint32_t kEnosys = SECCOMP_RET_ERRNO | ENOSYS;

  // x32 shares x86_64's audit arch: handle both in one block.
  const ArchPrelude* x32 = nullptr;
  for (const ArchPrelude& a : arches)
    if (a.arch == "x32") x32 = &a;

  as.ld_abs(offsetof(seccomp_data, arch));
  for (const ArchPrelude& a : arches) {
    if (a.arch == "x32") continue;
    int next = as.label();
    as.jne(audit_arch(a.arch), next);
    as.ld_abs(offsetof(seccomp_data, nr));
    int x32_block = -1;
    if (a.arch == "x86_64") {
      x32_block = x32 ? as.label() : end;  // without x32 in the filter libseccomp decides
      as.jge(kX32Bit, x32_block);
    }
    // Most syscalls are old and leave after two comparisons: above the newest → ENOSYS,
    // below the oldest matched by number → libseccomp.
    if (enosys && a.any_known) as.jgt(a.max_nr, ret_label(kEnosys));
    emit_direct(as, a.direct, 0, end, ret_label);
    if (x32 && a.arch == "x86_64") {
      as.bind(x32_block);
      if (enosys && x32->any_known) {
        // x32 has the common numbers below 512 and its own compat entries 512-547.
        as.jgt(kX32Bit | x32->max_high, ret_label(kEnosys));
        int low = as.label();
        as.jlt(kX32Bit | 512, low);
        as.ja(end);
        as.bind(low);
        as.jgt(kX32Bit | x32->max_low, ret_label(kEnosys));
      }
      emit_direct(as, x32->direct, kX32Bit, end, ret_label);
    }
    as.bind(next);  // reached before the nr load: the accumulator still holds the arch
  }
  as.ja(end);
  for (auto [k, l] : returns) {
    as.bind(l);
    as.ret(k);
  }
  as.bind(end);
  return as.finish();
}

struct CtxDeleter {
  void operator()(void* c) const { seccomp_release(c); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

// A fast non-cryptographic 64-bit hash, 8 bytes per step (multiply-xorshift, Murmur3's
// finaliser). Used for the cache file name and checksum: a collision can only cost a miss
// (the full key is compared on every hit), so speed is all that matters here.
uint64_t hash64(std::string_view d) {
  constexpr uint64_t k1 = 0xff51afd7ed558ccdull, k2 = 0xc4ceb9fe1a85ec53ull;
  uint64_t h = 0x9e3779b97f4a7c15ull ^ d.size();
  size_t i = 0;
  for (; i + 8 <= d.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, d.data() + i, 8);
    h = (h ^ w) * k1;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, d.data() + i, d.size() - i);
  h = (h ^ tail) * k2;
  h ^= h >> 33;
  h *= k1;
  h ^= h >> 33;
  h *= k2;
  h ^= h >> 33;
  return h;
}

//
// Cache file: "SKIFFBPF" u32 version u32 flags u32 key_len u32 n_insns, key, insns,
// u64 hash64 of everything before. Host byte order: the cache never leaves the machine.
//
constexpr char kMagic[8] = {'S', 'K', 'I', 'F', 'F', 'B', 'P', 'F'};
constexpr uint32_t kFileVersion = 1;

template <class T>
void put(std::string& s, T v) {
  s.append(reinterpret_cast<const char*>(&v), sizeof v);
}

std::string encode_cache(std::string_view key, const SeccompProgram& p) {
  std::string s(kMagic, sizeof kMagic);
  put(s, kFileVersion);
  put(s, p.flags);
  put(s, static_cast<uint32_t>(key.size()));
  put(s, static_cast<uint32_t>(p.insns.size()));
  s.append(key);
  s.append(reinterpret_cast<const char*>(p.insns.data()), p.insns.size() * sizeof(sock_filter));
  put(s, hash64(s));
  return s;
}

// The program if `data` is a well-formed cache file for `key`; nullopt for a key mismatch
// (a hash collision, treated as a miss); an Error if the file is corrupt.
Result<std::optional<SeccompProgram>> decode_cache(std::string_view data, std::string_view key) {
  constexpr size_t kHeader = sizeof kMagic + 4 * sizeof(uint32_t);
  auto corrupt = [](std::string_view why) { return fail(kCorrupt, std::string(why)); };
  if (data.size() < kHeader + sizeof(uint64_t)) return corrupt("truncated");
  if (std::memcmp(data.data(), kMagic, sizeof kMagic) != 0) return corrupt("bad magic");
  uint32_t hdr[4];
  std::memcpy(hdr, data.data() + sizeof kMagic, sizeof hdr);
  if (hdr[0] != kFileVersion) return corrupt("unknown version");
  uint64_t body = kHeader + uint64_t{hdr[2]} + uint64_t{hdr[3]} * sizeof(sock_filter);
  if (body + sizeof(uint64_t) != data.size()) return corrupt("bad length");
  uint64_t sum;
  std::memcpy(&sum, data.data() + body, sizeof sum);
  if (sum != hash64(data.substr(0, body))) return corrupt("bad checksum");
  if (data.substr(kHeader, hdr[2]) != key) return std::optional<SeccompProgram>{};
  if (hdr[3] == 0 || hdr[3] > BPF_MAXINSNS) return corrupt("bad program size");
  SeccompProgram p;
  p.flags = hdr[1];
  p.insns.resize(hdr[3]);
  std::memcpy(p.insns.data(), data.data() + kHeader + hdr[2], hdr[3] * sizeof(sock_filter));
  return std::optional<SeccompProgram>{std::move(p)};
}

}  // namespace

std::string libseccomp_version() {
  const scmp_version* v = seccomp_version();
  return fmt::format("{}.{}.{}", v->major, v->minor, v->micro);
}

Result<SeccompProgram> compile_seccomp(const ResolvedSeccomp& r) {
  SeccompProgram prog;
  if (!r.enabled) return prog;
  prog.flags = r.flags;
  if (r.default_action == SeccompAction::kNotify)
    return fail(kUnsupported, "seccomp: SCMP_ACT_NOTIFY is not supported");
  const uint32_t def = scmp_action(r.default_action, r.default_errno);
  Ctx ctx(seccomp_init(def));
  if (!ctx) return fail(EINVAL, "seccomp_init failed");
  // We load the program ourselves; libseccomp must not set no_new_privs on our behalf.
  if (int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_NNP, 0); rc < 0)
    return fail(-rc, "seccomp: set SCMP_FLTATR_CTL_NNP: " + lib_error(rc));

  // Arches: the native one is always in the filter; the profile adds its compat ABIs.
  std::vector<std::string> arches{native_lib_arch()};
  for (const std::string& a : r.arches) {
    if (std::find(arches.begin(), arches.end(), a) != arches.end()) continue;
    uint32_t token = seccomp_arch_resolve_name(a.c_str());
    if (token == 0) return fail(kInvalid, fmt::format("seccomp: unknown architecture \"{}\"", a));
    if (int rc = seccomp_arch_add(ctx.get(), token); rc < 0 && rc != -EEXIST)
      return fail(-rc, fmt::format("seccomp: add architecture {}: {}", a, lib_error(rc)));
    arches.push_back(a);
  }
  // libseccomp's binary-tree layout pays off for long rule sets (runc uses it above 32 rules;
  // 2.5.x misbehaves with it on an empty filter).
  if (r.rules.size() > 32) (void)seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);

  std::vector<ArchPrelude> prelude(arches.size());
  for (size_t i = 0; i < arches.size(); ++i) prelude[i].arch = arches[i];
  auto note_known = [](ArchPrelude& p, uint32_t nr) {
    p.any_known = true;
    if (p.arch == "x32") {
      uint32_t low = nr & ~kX32Bit;
      if (low < 512) p.max_low = std::max(p.max_low, low);
      else p.max_high = std::max(p.max_high, low);
    } else {
      p.max_nr = std::max(p.max_nr, nr);
    }
  };

  for (const ResolvedRule& rule : r.rules) {
    if (rule.action == SeccompAction::kNotify)
      return fail(kUnsupported, fmt::format("seccomp: syscall {}: SCMP_ACT_NOTIFY is not supported", rule.name));
    const uint32_t act = scmp_action(rule.action, rule.errno_ret);
    const int nr = seccomp_syscall_resolve_name(rule.name.c_str());

    // The newest syscall the profile names, per arch, whatever the rule's action.
    for (ArchPrelude& p : prelude) {
      int n = seccomp_syscall_resolve_name_arch(seccomp_arch_resolve_name(p.arch.c_str()),
                                                rule.name.c_str());
      if (n >= 0) note_known(p, static_cast<uint32_t>(n));
      else if (nr == __NR_SCMP_ERROR)
        if (auto f = fallback_nr(p.arch, rule.name)) note_known(p, *f);
    }
    if (act == def) continue;  // runc: a rule that does what the default does is skipped

    if (nr == __NR_SCMP_ERROR) {
      // Unknown to this libseccomp: match by number in the prelude when that is exact.
      if (!rule.args.empty()) continue;
      for (ArchPrelude& p : prelude)
        if (auto f = fallback_nr(p.arch, rule.name)) p.direct.emplace_back(*f, act);
      continue;
    }

    std::vector<scmp_arg_cmp> conds;
    bool repeated_index = false;
    for (const SeccompArg& a : rule.args) {
      for (const scmp_arg_cmp& c : conds) repeated_index |= c.arg == a.index;
      scmp_arg_cmp c{a.index, scmp_op(a.op), a.value, a.value_two};
      if (a.op != SeccompOp::kMaskedEq) c.datum_b = 0;
      conds.push_back(c);
    }
    auto add = [&](unsigned n, const scmp_arg_cmp* c) -> Status {
      int rc = seccomp_rule_add_array(ctx.get(), act, nr, n, c);
      if (rc < 0) return fail(-rc, fmt::format("seccomp: add rule for syscall {}: {}", rule.name, lib_error(rc)));
      return ok();
    };
    if (repeated_index) {
      // Several conditions on one argument cannot share a libseccomp rule: runc adds one
      // rule per condition, which ORs them.
      for (const scmp_arg_cmp& c : conds) TRY(add(1, &c));
    } else {
      TRY(add(static_cast<unsigned>(conds.size()), conds.data()));
    }
  }

  // Export through a memfd (libseccomp 2.5 has no in-memory export).
  UniqueFd mem(static_cast<int>(syscall(SYS_memfd_create, "skiff-seccomp", MFD_CLOEXEC)));
  if (!mem) return fail_errno("seccomp: memfd_create");
  if (int rc = seccomp_export_bpf(ctx.get(), mem.get()); rc < 0)
    return fail(-rc, "seccomp: export BPF: " + lib_error(rc));
  if (lseek(mem.get(), 0, SEEK_SET) < 0) return fail_errno("seccomp: lseek");
  std::string bpf = TRY(read_all(mem.get(), BPF_MAXINSNS * sizeof(sock_filter) + 1));
  if (bpf.empty() || bpf.size() % sizeof(sock_filter) != 0)
    return fail(EINVAL, "seccomp: libseccomp exported a malformed program");

  const bool enosys = r.default_action != SeccompAction::kAllow &&
                      r.default_action != SeccompAction::kLog &&
                      !(r.default_action == SeccompAction::kErrno && r.default_errno == ENOSYS);
  prog.insns = TRY(build_prelude(std::move(prelude), enosys));
  size_t n = bpf.size() / sizeof(sock_filter);
  size_t at = prog.insns.size();
  prog.insns.resize(at + n);
  std::memcpy(prog.insns.data() + at, bpf.data(), bpf.size());
  if (prog.insns.size() > BPF_MAXINSNS)
    return fail(E2BIG, fmt::format("seccomp: program has {} instructions, the kernel takes {}",
                                   prog.insns.size(), BPF_MAXINSNS));
  return prog;
}

std::string seccomp_cache_key(const ResolvedSeccomp& r) {
  return fmt::format("skiff-seccomp {}\nlibseccomp {}\nnative {}\n{}", kCompilerVersion,
                     libseccomp_version(), native_lib_arch(), r.canonical_text());
}

Result<SeccompProgram> prepare_seccomp(const ResolvedSeccomp& r, std::string_view cache_dir,
                                       SeccompPrepareInfo* info) {
  SeccompPrepareInfo local;
  SeccompPrepareInfo& in = info ? *info : local;
  in = {};
  if (!r.enabled) return SeccompProgram{};
  if (cache_dir.empty()) return compile_seccomp(r);

  const std::string key = seccomp_cache_key(r);
  const std::string name = fmt::format("{:016x}.bpf", hash64(key));
  in.cache_file = fmt::format("{}/{}", cache_dir, name);

  // Lookup. Any failure here is a miss: the cache is an optimisation, never a dependency.
  UniqueFd dir;
  if (auto d = open_path(cache_dir, O_RDONLY | O_DIRECTORY); d) {
    dir = std::move(*d);
  } else if (mkdir_p(cache_dir, 0700)) {
    if (auto d2 = open_path(cache_dir, O_RDONLY | O_DIRECTORY); d2) dir = std::move(*d2);
  }
  if (dir) {
    if (auto fd = open_at(dir.get(), name, O_RDONLY | O_NOFOLLOW); fd) {
      auto data = read_all(fd->get(), kMaxCacheFile);
      if (!data) {
        in.cache_corrupt = true;
      } else if (auto prog = decode_cache(*data, key); !prog) {
        in.cache_corrupt = true;
      } else if (*prog) {
        in.cache_hit = true;
        return std::move(**prog);
      }
    }
  }

  SeccompProgram prog = TRY(compile_seccomp(r));
  if (dir) {
    // Atomic (temp file + rename), no fsync: a torn file after a crash fails the checksum.
    in.cache_written = write_file_atomic_at(dir.get(), name, encode_cache(key, prog), 0600,
                                            /*sync=*/false)
                           .has_value();
  }
  return prog;
}

ChildStatus load_seccomp(const SeccompProgram& p) noexcept {
  if (p.insns.empty()) return kChildOk;
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(p.insns.size());
  prog.filter = const_cast<sock_filter*>(p.insns.data());
  long rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                    p.flags | SECCOMP_FILTER_FLAG_SPEC_ALLOW, &prog);
  if (rc < 0 && errno == EINVAL && !(p.flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW))
    rc = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p.flags, &prog);  // before Linux 4.17
  if (rc < 0 && errno == ENOSYS && p.flags == 0)
    rc = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);  // before Linux 3.17
  if (rc < 0) return child_fail(errno, "seccomp(SECCOMP_SET_MODE_FILTER)");
  return kChildOk;
}

}  // namespace skiff::runtime
