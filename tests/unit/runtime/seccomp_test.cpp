#define BOOST_TEST_DYN_LINK
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <boost/test/unit_test.hpp>

#include "child_helper.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/seccomp.hpp"

using namespace skiff;
using namespace skiff::runtime;
using skiff::test::run_in_child;

BOOST_TEST_DONT_PRINT_LOG_VALUE(skiff::runtime::SeccompAction)
BOOST_TEST_DONT_PRINT_LOG_VALUE(skiff::runtime::SeccompOp)
BOOST_TEST_DONT_PRINT_LOG_VALUE(skiff::runtime::SeccompProfile)

namespace {

const SeccompHost kAmd64{"amd64", {6, 18}};

ResolvedSeccomp resolve_default(CapSet bounding, const SeccompHost& host = seccomp_host()) {
  auto r = resolve_seccomp(default_seccomp_profile(), bounding, host);
  BOOST_REQUIRE(r);
  return *r;
}

const ResolvedRule* find_rule(const ResolvedSeccomp& r, std::string_view name) {
  for (const ResolvedRule& rule : r.rules)
    if (rule.name == name) return &rule;
  return nullptr;
}

size_t count_rules(const ResolvedSeccomp& r, std::string_view name) {
  return static_cast<size_t>(std::count_if(r.rules.begin(), r.rules.end(),
                                           [&](const ResolvedRule& x) { return x.name == name; }));
}

std::string parse_error(std::string_view json) {
  auto p = parse_seccomp_profile(json, "`p.json`");
  return p ? "(ok)" : p.error().msg;
}

// errno of a raw syscall, or "ok" (a failing call must fail the expected way).
std::string outcome(long rc) { return rc < 0 ? std::string(strerrorname_np(errno)) : "ok"; }

#if defined(__x86_64__)
// An i386 system call from a 64-bit process (needs CONFIG_IA32_EMULATION).
long int80(long nr, long a = 0, long b = 0, long c = 0) {
  long ret;
  asm volatile("int $0x80"
               : "=a"(ret)
               : "a"(nr), "b"(a), "c"(b), "d"(c)
               : "memory", "r8", "r9", "r10", "r11");
  return ret;
}
#endif

// Applies the whole security tail of the start sequence in a child (caps, NNP, filter).
int secure_child(const ProcessCaps& pc, int last, const SeccompProgram& prog) {
  if (!test::become_root_with_all_caps()) return 77;
  if (!caps_apply_before_identity(pc, last).ok()) return 10;
  if (!caps_apply_after_identity(pc).ok()) return 11;
  if (!set_no_new_privs().ok()) return 12;
  if (ChildStatus st = load_seccomp(prog); !st.ok()) return 13;
  return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_seccomp)

BOOST_AUTO_TEST_CASE(default_profile_shape) {
  SeccompProfile p = default_seccomp_profile();
  BOOST_TEST(p.default_action == SeccompAction::kErrno);
  BOOST_TEST(*p.default_errno_ret == 1u);
  BOOST_TEST(p.arch_map.size() == 8u);
  BOOST_TEST(p.arch_map[0].arch == "SCMP_ARCH_X86_64");
  BOOST_TEST(p.arch_map[0].sub_arches.size() == 2u);
  BOOST_TEST(p.syscalls.size() == 31u);
  BOOST_TEST(p.syscalls[0].names.size() == 361u);
  auto& first = p.syscalls[0].names;
  for (auto banned : {"keyctl", "add_key", "request_key", "io_uring_setup", "unshare", "mount",
                      "socket", "clone", "clone3", "personality", "ptrace", "kexec_load"})
    BOOST_TEST((std::find(first.begin(), first.end(), banned) == first.end()), banned);
  std::vector<std::string> sorted = first;  // no name twice
  std::sort(sorted.begin(), sorted.end());
  BOOST_TEST((std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end()));
}

BOOST_AUTO_TEST_CASE(resolve_default_caps_on_amd64) {
  ResolvedSeccomp r = resolve_default(default_capability_set(), kAmd64);
  BOOST_TEST(r.enabled);
  BOOST_TEST(r.default_errno == 1u);
  std::vector<std::string> arches{"x86_64", "x86", "x32"};
  BOOST_TEST(r.arches == arches, boost::test_tools::per_element());
  BOOST_TEST(!find_rule(r, "unshare"));
  BOOST_TEST(!find_rule(r, "mount"));
  BOOST_TEST(!find_rule(r, "setns"));
  BOOST_TEST(find_rule(r, "chroot"));         // CAP_SYS_CHROOT is a default capability
  BOOST_TEST(find_rule(r, "arch_prctl"));     // amd64-only group
  BOOST_TEST(find_rule(r, "modify_ldt"));
  BOOST_TEST(!find_rule(r, "cacheflush"));    // arm-only group
  BOOST_TEST(count_rules(r, "personality") == 5u);
  BOOST_TEST(count_rules(r, "ptrace") == 1u);  // kernel >= 4.8; no CAP_SYS_PTRACE
  const ResolvedRule* clone = find_rule(r, "clone");
  BOOST_REQUIRE(clone);
  BOOST_REQUIRE(clone->args.size() == 1u);
  BOOST_TEST(clone->args[0].index == 0u);  // not the s390 variant
  BOOST_TEST(clone->args[0].value == 0x7E020000u);
  BOOST_TEST(clone->args[0].op == SeccompOp::kMaskedEq);
  const ResolvedRule* clone3 = find_rule(r, "clone3");
  BOOST_REQUIRE(clone3);
  BOOST_TEST(clone3->action == SeccompAction::kErrno);
  BOOST_TEST(clone3->errno_ret == 38u);  // ENOSYS
  const ResolvedRule* sock = find_rule(r, "socket");
  BOOST_REQUIRE(sock);
  BOOST_TEST(sock->args[0].value == 40u);  // AF_VSOCK
  BOOST_TEST(sock->args[0].op == SeccompOp::kNe);
}

BOOST_AUTO_TEST_CASE(resolve_with_capabilities_and_other_hosts) {
  CapSet admin = default_capability_set();
  admin.add(*parse_capability("SYS_ADMIN"));
  ResolvedSeccomp r = resolve_default(admin, kAmd64);
  BOOST_TEST(find_rule(r, "unshare"));
  BOOST_TEST(find_rule(r, "mount"));
  BOOST_TEST(find_rule(r, "clone")->args.empty());  // unconditional with CAP_SYS_ADMIN
  BOOST_TEST((find_rule(r, "clone3")->action == SeccompAction::kAllow));
  BOOST_TEST(count_rules(r, "clone3") == 1u);

  CapSet ptrace = default_capability_set();
  ptrace.add(*parse_capability("SYS_PTRACE"));
  BOOST_TEST(find_rule(resolve_default(ptrace, kAmd64), "kcmp"));

  ResolvedSeccomp old = resolve_default(default_capability_set(), {"amd64", {4, 4}});
  BOOST_TEST(!find_rule(old, "ptrace"));  // minKernel 4.8

  ResolvedSeccomp arm = resolve_default(default_capability_set(), {"arm64", {6, 1}});
  std::vector<std::string> arm_arches{"aarch64", "arm"};
  BOOST_TEST(arm.arches == arm_arches, boost::test_tools::per_element());
  BOOST_TEST(find_rule(arm, "cacheflush"));
  BOOST_TEST(!find_rule(arm, "arch_prctl"));

  ResolvedSeccomp s390 = resolve_default(default_capability_set(), {"s390x", {6, 1}});
  BOOST_REQUIRE(find_rule(s390, "clone"));
  BOOST_TEST(find_rule(s390, "clone")->args[0].index == 1u);
}

BOOST_AUTO_TEST_CASE(canonical_text_depends_on_what_matters) {
  ResolvedSeccomp a = resolve_default(default_capability_set(), kAmd64);
  CapSet more = default_capability_set();
  more.add(*parse_capability("NET_RAW"));  // no rule mentions it
  ResolvedSeccomp b = resolve_default(more, kAmd64);
  BOOST_TEST(a.canonical_text() == b.canonical_text());
  more.add(*parse_capability("SYS_TIME"));
  BOOST_TEST(a.canonical_text() != resolve_default(more, kAmd64).canonical_text());
}

BOOST_AUTO_TEST_CASE(parse_docker_and_oci_profiles) {
  auto p = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]},
                {"architecture": "SCMP_ARCH_RISCV64", "subArchitectures": null}],
    "flags": ["SECCOMP_FILTER_FLAG_LOG"],
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW", "comment": "io"},
      {"name": "personality", "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 4294967295, "op": "SCMP_CMP_EQ"}]},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
       "excludes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["s390", "s390x"]}},
      {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
      {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38, "unknownKey": true}
    ]})",
                                 "`p.json`");
  BOOST_REQUIRE_MESSAGE(p, (p ? "" : p.error().msg));
  BOOST_TEST(p->arch_map.size() == 2u);
  BOOST_TEST(p->arch_map[1].sub_arches.empty());
  BOOST_TEST(p->flags[0] == "SECCOMP_FILTER_FLAG_LOG");
  BOOST_REQUIRE(p->syscalls.size() == 5u);
  BOOST_TEST(p->syscalls[0].comment == "io");
  BOOST_TEST(p->syscalls[1].names[0] == "personality");
  BOOST_TEST(p->syscalls[1].args[0].value == 0xffffffffu);
  BOOST_TEST(p->syscalls[2].excludes.caps[0] == "CAP_SYS_ADMIN");
  BOOST_TEST(p->syscalls[3].includes.min_kernel->minor == 8u);
  BOOST_TEST(*p->syscalls[4].errno_ret == 38u);

  auto r = resolve_seccomp(*p, default_capability_set(), kAmd64);
  BOOST_REQUIRE(r);
  BOOST_TEST(r->flags == 2u);
  BOOST_TEST(r->rules.size() == 6u);

  // The OCI form: "architectures" as is.
  auto oci = parse_seccomp_profile(
      R"({"defaultAction":"SCMP_ACT_KILL_PROCESS","architectures":["SCMP_ARCH_X86_64"],
          "syscalls":[{"names":["getpid"],"action":"SCMP_ACT_TRACE","errnoRet":7}]})",
      "oci");
  BOOST_REQUIRE(oci);
  BOOST_TEST(oci->default_action == SeccompAction::kKillProcess);
  auto ro = resolve_seccomp(*oci, CapSet{}, kAmd64);
  BOOST_TEST(ro->arches.size() == 1u);
  BOOST_TEST(ro->rules[0].errno_ret == 7u);

  // Docker: neither defaultAction nor syscalls means no filter.
  auto off = parse_seccomp_profile("{}", "off");
  BOOST_REQUIRE(off);
  BOOST_TEST(!resolve_seccomp(*off, CapSet{}, kAmd64)->enabled);
}

BOOST_AUTO_TEST_CASE(parse_errors_name_the_field) {
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_FOO"})") ==
             "`p.json`: defaultAction: unknown action \"SCMP_ACT_FOO\"");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"},{"names":["b"],"action":"ALLOW"}]})") ==
             "`p.json`: syscalls[1].action: unknown action \"ALLOW\"");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":1,"op":"SCMP_CMP_EQ"}]}]})") ==
             "`p.json`: syscalls[0].args[0].index: 6 is not 0-5");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"op":"EQ"}]}]})") ==
             "`p.json`: syscalls[0].args[0].op: unknown operator \"EQ\"");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":-1,"op":"SCMP_CMP_EQ"}]}]})") ==
             "`p.json`: syscalls[0].args[0].value: must not be negative");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]})") ==
             "`p.json`: syscalls[0]: both 'name' and 'names' are specified, use either 'name' or 'names'");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86_64"}]})") ==
             "`p.json`: architectures: both 'architectures' and 'archMap' are specified, use either 'architectures' or 'archMap'");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}]})") ==
             "`p.json`: syscalls[0].includes.minKernel: invalid kernel version: \"4\", expected \"<kernel>.<major>\"");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NOPE"]})") ==
             "`p.json`: flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_NOPE\"");
  BOOST_TEST(parse_error(R"({"syscalls":[{"names":["a"],"action":"SCMP_ACT_ALLOW"}]})") ==
             "`p.json`: defaultAction: missing");
  BOOST_TEST(parse_error(R"({"defaultAction":"SCMP_ACT_ERRNO",)") ==
             "`p.json`: invalid JSON at byte 35");
  BOOST_TEST(parse_error("[]") == "`p.json`: profile: expected a JSON object");

  auto missing = read_seccomp_profile("/nonexistent/profile.json");
  BOOST_REQUIRE(!missing);
  BOOST_TEST(missing.error().code == ENOENT);
  BOOST_TEST(missing.error().msg.find("read seccomp profile `/nonexistent/profile.json`") == 0u);
}

BOOST_AUTO_TEST_CASE(option_values) {
  BOOST_TEST(!*seccomp_profile_for_option("unconfined"));
  auto builtin = seccomp_profile_for_option("builtin");
  BOOST_REQUIRE(builtin);
  BOOST_TEST(**builtin == default_seccomp_profile());
  test::TempDir t;
  std::string path = t.path() + "/p.json";
  BOOST_REQUIRE(write_file_atomic(path, R"({"defaultAction":"SCMP_ACT_ALLOW"})").has_value());
  auto file = seccomp_profile_for_option(path);
  BOOST_REQUIRE(file);
  BOOST_TEST((*file)->default_action == SeccompAction::kAllow);
  BOOST_REQUIRE(write_file_atomic(path, R"({"defaultAction":1})").has_value());
  BOOST_TEST(seccomp_profile_for_option(path).error().msg ==
             "seccomp profile `" + path + "`: defaultAction: expected a string");
}

BOOST_AUTO_TEST_CASE(default_profile_compiles) {
  for (CapSet caps : {default_capability_set(), CapSet::upto(40), CapSet{}}) {
    auto prog = compile_seccomp(resolve_default(caps));
    BOOST_REQUIRE_MESSAGE(prog, (prog ? "" : prog.error().msg));
    BOOST_TEST(!prog->insns.empty());
    BOOST_TEST(prog->insns.size() < 4096u);
  }
}

BOOST_AUTO_TEST_CASE(default_filter_in_a_child) {
  int last = *read_cap_last_cap();
  ProcessCaps pc = *compute_process_caps(CapOptions{.last_cap = last});
  auto prog = compile_seccomp(resolve_default(pc.bounding));
  BOOST_REQUIRE(prog);

  // Does this kernel run i386 code (int 0x80) at all? Probe without a filter first.
  bool ia32 = false;
#if defined(__x86_64__)
  ia32 = run_in_child([](int) { return int80(20 /*getpid*/) == getpid() ? 0 : 1; }).exit_code == 0;
#endif
  if (!ia32) BOOST_TEST_MESSAGE("i386 ABI not available: its checks are skipped");

  auto r = run_in_child([&](int out) {
    if (int rc = secure_child(pc, last, *prog); rc != 0) return rc;
    std::string s;
    s += "keyctl " + outcome(syscall(SYS_keyctl, 0 /*GET_KEYRING_ID*/, -3, 0)) + "\n";
    s += "add_key " + outcome(syscall(SYS_add_key, "user", "k", "v", 1, -2)) + "\n";
    s += "unshare " + outcome(unshare(CLONE_NEWUSER)) + "\n";
    s += "mount " + outcome(syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, nullptr)) + "\n";
    s += "personality-query " + outcome(personality(0xffffffff)) + "\n";
    s += "personality-norandom " + outcome(personality(ADDR_NO_RANDOMIZE)) + "\n";
    s += "getpid " + outcome(syscall(SYS_getpid)) + "\n";
    clone_args ca{};
    ca.exit_signal = SIGCHLD;
    s += "clone3 " + outcome(syscall(SYS_clone3, &ca, sizeof ca)) + "\n";
    long vs = syscall(SYS_socket, 40 /*AF_VSOCK*/, SOCK_STREAM, 0);
    s += "socket-vsock " + outcome(vs) + "\n";
    s += "socket-unix " + outcome(socket(AF_UNIX, SOCK_STREAM, 0)) + "\n";
    // Newer than anything the profile names: ENOSYS (runc's stub), not EPERM.
    s += "syscall-600 " + outcome(syscall(600)) + "\n";
    s += "open_tree_attr " + outcome(syscall(467, -1, "", 0, nullptr, 0)) + "\n";
    // Named by the profile but unknown to libseccomp 2.5.4: allowed through the prelude.
    long ms = syscall(462 /*mseal*/, 0, 0, 0);
    s += std::string("mseal-not-eperm ") + (ms < 0 && errno == EPERM ? "no" : "yes") + "\n";
#if defined(__x86_64__)
    if (ia32) {
      s += "i386-getpid " + std::string(int80(20) == getpid() ? "ok" : "bad") + "\n";
      s += "i386-keyctl " + std::to_string(int80(288, 0, -3, 0)) + "\n";
      s += "i386-unshare " + std::to_string(int80(310, CLONE_NEWUSER)) + "\n";
    }
#endif
    auto st = read_file("/proc/self/status");
    if (st) {
      auto m = test::parse_status(*st);
      s += "Seccomp " + m["Seccomp"] + "\nNoNewPrivs " + m["NoNewPrivs"] + "\nCapBnd " +
           m["CapBnd"] + "\nCapEff " + m["CapEff"] + "\n";
    }
    test::put(out, s);
    return 0;
  });
  if (r.exit_code == 77) return;
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, "child exit " << r.exit_code << " signal " << r.signal);
  auto has = [&](const std::string& line) {
    bool ok = r.out.find(line + "\n") != std::string::npos;
    BOOST_TEST(ok, line << " (got:\n" << r.out << ")");
  };
  has("keyctl EPERM");
  has("add_key EPERM");
  has("unshare EPERM");
  has("mount EPERM");
  has("personality-query ok");
  has("personality-norandom EPERM");
  has("getpid ok");
  has("clone3 ENOSYS");
  has("socket-vsock EPERM");
  has("socket-unix ok");
  has("syscall-600 ENOSYS");
  has("open_tree_attr ENOSYS");
  has("mseal-not-eperm yes");
  if (ia32) {
    has("i386-getpid ok");
    has("i386-keyctl -1");    // -EPERM
    has("i386-unshare -1");
  }
  has("Seccomp 2");
  has("NoNewPrivs 1");
  has("CapBnd 00000000800405fb");
  has("CapEff 00000000800405fb");
}

BOOST_AUTO_TEST_CASE(without_no_new_privs_load_while_holding_sys_admin) {
  int last = *read_cap_last_cap();
  ProcessCaps pc = *compute_process_caps(CapOptions{.last_cap = last});
  auto prog = compile_seccomp(resolve_default(pc.bounding));
  BOOST_REQUIRE(prog);
  // --security-opt no-new-privileges=false: load first (CAP_SYS_ADMIN still held), then
  // drop the capabilities; the default profile allows capset and prctl for that.
  auto r = run_in_child([&](int out) {
    if (!test::become_root_with_all_caps()) return 77;
    if (!caps_apply_before_identity(pc, last).ok()) return 10;
    if (ChildStatus st = load_seccomp(*prog); !st.ok()) return 11;
    if (!caps_apply_after_identity(pc).ok()) return 12;
    auto m = test::parse_status(*read_file("/proc/self/status"));
    test::put(out, m["Seccomp"] + " " + m["NoNewPrivs"] + " " + m["CapEff"]);
    return 0;
  });
  if (r.exit_code == 77) return;
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out == "2 0 00000000800405fb");

  // The other order fails: no NNP and no CAP_SYS_ADMIN left.
  r = run_in_child([&](int out) {
    if (!test::become_root_with_all_caps()) return 77;
    if (!caps_apply_before_identity(pc, last).ok() || !caps_apply_after_identity(pc).ok()) return 10;
    test::put(out, to_error(load_seccomp(*prog)).msg);
    return 0;
  });
  if (r.exit_code == 77) return;
  BOOST_TEST(r.out == "seccomp(SECCOMP_SET_MODE_FILTER): Permission denied");
}

BOOST_AUTO_TEST_CASE(capability_groups_open_syscalls) {
  int last = *read_cap_last_cap();
  std::vector<std::string> add{"SYS_ADMIN"};
  ProcessCaps pc = *compute_process_caps(CapOptions{.add = add, .last_cap = last});
  auto prog = compile_seccomp(resolve_default(pc.bounding));
  BOOST_REQUIRE(prog);
  auto r = run_in_child([&](int out) {
    if (int rc = secure_child(pc, last, *prog); rc != 0) return rc;
    test::put(out, "unshare-uts " + outcome(unshare(CLONE_NEWUTS)) + "\n");
    return 0;
  });
  if (r.exit_code == 77) return;
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out == "unshare-uts ok\n");
}

BOOST_AUTO_TEST_CASE(custom_profile_denies_mkdir) {
  test::TempDir t;
  auto profile = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO"}]})",
                                       "deny-mkdir");
  BOOST_REQUIRE(profile);
  auto prog = compile_seccomp(*resolve_seccomp(*profile, CapSet{}, seccomp_host()));
  BOOST_REQUIRE(prog);
  auto r = run_in_child([&](int out) {
    if (!set_no_new_privs().ok() || !load_seccomp(*prog).ok()) return 10;
    std::string s = "mkdir " + outcome(mkdir((t.path() + "/a").c_str(), 0755)) + "\n";
    s += "mkdirat " + outcome(mkdirat(AT_FDCWD, (t.path() + "/b").c_str(), 0755)) + "\n";
    s += "creat " + outcome(open((t.path() + "/f").c_str(), O_CREAT | O_WRONLY, 0644)) + "\n";
    test::put(out, s);
    return 0;
  });
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out == "mkdir EPERM\nmkdirat EPERM\ncreat ok\n");
  struct stat st;
  BOOST_TEST(stat((t.path() + "/a").c_str(), &st) != 0);
}

BOOST_AUTO_TEST_CASE(repeated_argument_conditions_are_ored) {
  // runc's rule: two conditions on arg 0 become two rules, so either value passes.
  auto profile = parse_seccomp_profile(R"({
    "defaultAction": "SCMP_ACT_ALLOW",
    "syscalls": [{"names": ["personality"], "action": "SCMP_ACT_ERRNO", "errnoRet": 22,
                  "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"},
                           {"index": 0, "value": 131072, "op": "SCMP_CMP_EQ"}]}]})",
                                       "or");
  BOOST_REQUIRE(profile);
  auto prog = compile_seccomp(*resolve_seccomp(*profile, CapSet{}, seccomp_host()));
  BOOST_REQUIRE_MESSAGE(prog, (prog ? "" : prog.error().msg));
  auto r = run_in_child([&](int out) {
    if (!set_no_new_privs().ok() || !load_seccomp(*prog).ok()) return 10;
    test::put(out, outcome(personality(8)) + " " + outcome(personality(0x20000)) + " " +
                       outcome(personality(0xffffffff)));
    return 0;
  });
  BOOST_REQUIRE(r.exit_code == 0);
  BOOST_TEST(r.out == "EINVAL EINVAL ok");
}

BOOST_AUTO_TEST_CASE(notify_is_refused) {
  auto profile = parse_seccomp_profile(
      R"({"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_NOTIFY"}]})",
      "n");
  BOOST_REQUIRE(profile);
  auto prog = compile_seccomp(*resolve_seccomp(*profile, CapSet{}, seccomp_host()));
  BOOST_REQUIRE(!prog);
  BOOST_TEST(prog.error().msg == "seccomp: syscall read: SCMP_ACT_NOTIFY is not supported");
}

BOOST_AUTO_TEST_CASE(cache_hit_miss_and_corruption) {
  test::TempDir t;
  const std::string dir = t.path() + "/run/seccomp";
  ResolvedSeccomp r = resolve_default(default_capability_set());

  SeccompPrepareInfo info;
  auto first = prepare_seccomp(r, dir, &info);
  BOOST_REQUIRE(first);
  BOOST_TEST(!info.cache_hit);
  BOOST_TEST(!info.cache_corrupt);
  BOOST_TEST(info.cache_written);
  struct stat st;
  BOOST_REQUIRE(stat(dir.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0700u);
  const std::string file = info.cache_file;
  BOOST_TEST(file.starts_with(dir + "/"));
  BOOST_TEST(file.size() == dir.size() + 1 + 16 + 4);  // <16 hex>.bpf

  auto second = prepare_seccomp(r, dir, &info);
  BOOST_REQUIRE(second);
  BOOST_TEST(info.cache_hit);
  BOOST_TEST(!info.cache_written);
  BOOST_REQUIRE(second->insns.size() == first->insns.size());
  BOOST_TEST(std::memcmp(second->insns.data(), first->insns.data(),
                         first->insns.size() * sizeof(sock_filter)) == 0);

  // Another capability set that changes the rules: another entry.
  CapSet admin = default_capability_set();
  admin.add(*parse_capability("SYS_ADMIN"));
  auto other = prepare_seccomp(resolve_default(admin), dir, &info);
  BOOST_REQUIRE(other);
  BOOST_TEST(!info.cache_hit);
  BOOST_TEST(info.cache_file != file);

  // Corruption: a flipped byte in the program, then a truncated file. Both are detected,
  // recompiled and rewritten.
  std::string data = *read_file(file);
  data[data.size() / 2] ^= 0x5a;
  BOOST_REQUIRE(write_file_atomic(file, data).has_value());
  auto fixed = prepare_seccomp(r, dir, &info);
  BOOST_REQUIRE(fixed);
  BOOST_TEST(info.cache_corrupt);
  BOOST_TEST(info.cache_written);
  BOOST_TEST(fixed->insns.size() == first->insns.size());
  BOOST_TEST(*read_file(file) != data);
  BOOST_REQUIRE(write_file_atomic(file, data.substr(0, 20)).has_value());
  BOOST_TEST(prepare_seccomp(r, dir, &info).has_value());
  BOOST_TEST(info.cache_corrupt);
  BOOST_TEST(prepare_seccomp(r, dir, &info).has_value());
  BOOST_TEST(info.cache_hit);

  // A valid file for another key under this name (a hash collision) is a plain miss.
  (void)prepare_seccomp(resolve_default(admin), dir, &info);
  std::string admin_file = *read_file(info.cache_file);
  BOOST_REQUIRE(write_file_atomic(file, admin_file).has_value());
  auto miss = prepare_seccomp(r, dir, &info);
  BOOST_REQUIRE(miss);
  BOOST_TEST(!info.cache_hit);
  BOOST_TEST(!info.cache_corrupt);
  BOOST_TEST(info.cache_written);
  BOOST_TEST(miss->insns.size() == first->insns.size());

  // The key names what it depends on.
  std::string key = seccomp_cache_key(r);
  BOOST_TEST(key.find("libseccomp " + libseccomp_version() + "\n") != std::string::npos);
  BOOST_TEST(key.find("native x86_64\n") != std::string::npos);

  // No cache directory: compile every time, no file.
  BOOST_TEST(prepare_seccomp(r, "", &info).has_value());
  BOOST_TEST(info.cache_file.empty());

  // An unusable cache directory is not an error either.
  BOOST_REQUIRE(write_file_atomic(t.path() + "/notadir", "x").has_value());
  BOOST_TEST(prepare_seccomp(r, t.path() + "/notadir/sub", &info).has_value());
  BOOST_TEST(!info.cache_written);
}

BOOST_AUTO_TEST_CASE(disabled_profile_gives_no_program) {
  ResolvedSeccomp off;
  off.enabled = false;
  auto p = prepare_seccomp(off, "");
  BOOST_REQUIRE(p);
  BOOST_TEST(p->insns.empty());
  BOOST_TEST(load_seccomp(*p).ok());  // a no-op, even here in the test runner
}

BOOST_AUTO_TEST_SUITE_END()

// Timings (not run by default): out/unit_tests --run_test=runtime_seccomp_bench
BOOST_AUTO_TEST_SUITE(runtime_seccomp_bench, *boost::unit_test::disabled())

BOOST_AUTO_TEST_CASE(timings) {
  using Clock = std::chrono::steady_clock;
  auto us = [](Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); };
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  constexpr int kRuns = 101;
  const CapSet caps = default_capability_set();
  const SeccompHost host = seccomp_host();

  std::vector<double> compile, resolve, hit, load, total;
  for (int i = 0; i < kRuns; ++i) {
    auto t0 = Clock::now();
    auto p = compile_seccomp(*resolve_seccomp(default_seccomp_profile(), caps, host));
    compile.push_back(us(Clock::now() - t0));
    BOOST_REQUIRE(p);
  }
  test::TempDir t;
  SeccompPrepareInfo info;
  (void)prepare_seccomp(*resolve_seccomp(default_seccomp_profile(), caps, host), t.path(), &info);
  for (int i = 0; i < kRuns; ++i) {
    auto t0 = Clock::now();
    auto r = resolve_seccomp(default_seccomp_profile(), caps, host);
    auto t1 = Clock::now();
    auto p = prepare_seccomp(*r, t.path(), &info);
    auto t2 = Clock::now();
    BOOST_REQUIRE(p && info.cache_hit);
    resolve.push_back(us(t1 - t0));
    hit.push_back(us(t2 - t1));
    // The load happens once per process: time it in a child, which reports it back.
    auto c = run_in_child([&](int out) {
      auto l0 = Clock::now();
      if (!set_no_new_privs().ok() || !load_seccomp(*p).ok()) return 1;
      double d = us(Clock::now() - l0);
      test::put(out, std::to_string(d));
      return 0;
    });
    BOOST_REQUIRE(c.exit_code == 0);
    load.push_back(std::stod(c.out));
    total.push_back(us(t2 - t0) + load.back());
  }
  BOOST_TEST_MESSAGE(fmt::format(
      "default profile, {} runs, median µs: compile (resolve+libseccomp+export) {:.0f}; "
      "cached: profile+resolve {:.1f}, cache read {:.1f}, load (NNP+seccomp) {:.1f}, "
      "prepare+load {:.1f}; program {} instructions",
      kRuns, median(compile), median(resolve), median(hit), median(load), median(total),
      compile_seccomp(*resolve_seccomp(default_seccomp_profile(), caps, host))->insns.size()));
}

BOOST_AUTO_TEST_SUITE_END()
