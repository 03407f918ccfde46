#define BOOST_TEST_DYN_LINK
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "child_helper.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/defaults.hpp"

using namespace skiff;
using namespace skiff::runtime;
using skiff::test::run_in_child;

namespace {

CapSet caps_of(std::initializer_list<int> l) {
  CapSet s;
  for (int c : l) s.add(c);
  return s;
}

std::string error_of(const Result<CapSet>& r) { return r ? "" : r.error().msg; }

// Podman's 11, as /proc/PID/status shows them.
constexpr uint64_t kDefaultBits = 0x800405fb;

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_caps)

BOOST_AUTO_TEST_CASE(table_covers_every_kernel_capability) {
  BOOST_TEST(capability_table().size() == 41u);
  BOOST_TEST(capability_name(0) == "CAP_CHOWN");
  BOOST_TEST(capability_name(CAP_SYS_ADMIN) == "CAP_SYS_ADMIN");
  BOOST_TEST(capability_name(40) == "CAP_CHECKPOINT_RESTORE");
  BOOST_TEST(capability_name(41) == "");
  BOOST_TEST(capability_name(-1) == "");
}

BOOST_AUTO_TEST_CASE(parse_is_case_insensitive_with_optional_prefix) {
  BOOST_TEST(*parse_capability("chown") == 0);
  BOOST_TEST(*parse_capability("CAP_CHOWN") == 0);
  BOOST_TEST(*parse_capability("Cap_Net_Admin") == CAP_NET_ADMIN);
  BOOST_TEST(*parse_capability("net_raw") == CAP_NET_RAW);
  BOOST_TEST(*parse_capability("checkpoint_restore") == 40);
  auto bad = parse_capability("foo");
  BOOST_REQUIRE(!bad);
  BOOST_TEST(bad.error().msg == "unknown capability: \"CAP_FOO\"");
  BOOST_TEST(bad.error().code == kInvalid);
  BOOST_TEST(parse_capability("cap_foo").error().msg == "unknown capability: \"CAP_FOO\"");
  BOOST_TEST(parse_capability("ALL").error().msg == "unknown capability: \"CAP_ALL\"");
  BOOST_TEST(!parse_capability(""));
}

BOOST_AUTO_TEST_CASE(names_and_hex) {
  BOOST_TEST(default_capability_set().bits() == kDefaultBits);
  BOOST_TEST(capability_hex(default_capability_set()) == "00000000800405fb");
  auto names = capability_names(caps_of({CAP_KILL, CAP_CHOWN, 50}));
  BOOST_REQUIRE(names.size() == 3u);
  BOOST_TEST(names[0] == "CAP_CHOWN");
  BOOST_TEST(names[1] == "CAP_KILL");
  BOOST_TEST(names[2] == "CAP_50");
  BOOST_TEST(CapSet::upto(40).bits() == 0x1ffffffffffull);
  BOOST_TEST(CapSet::upto(63).bits() == ~uint64_t{0});
}

BOOST_AUTO_TEST_CASE(merge_follows_docker_tweak_capabilities) {
  const CapSet base = default_capability_set();
  std::vector<std::string> none;
  // Nothing asked: the base.
  BOOST_TEST(merge_capabilities(base, none, none, 40)->bits() == kDefaultBits);
  // Drop then add.
  std::vector<std::string> add{"NET_ADMIN", "cap_sys_ptrace"}, drop{"chown", "CAP_KILL"};
  CapSet want = base;
  want.remove(CAP_CHOWN);
  want.remove(CAP_KILL);
  want.add(CAP_NET_ADMIN);
  want.add(CAP_SYS_PTRACE);
  BOOST_TEST(merge_capabilities(base, add, drop, 40)->bits() == want.bits());
  // ALL in add: everything but the drops.
  std::vector<std::string> all{"all"}, setuid{"SETUID"};
  CapSet every = CapSet::upto(40);
  every.remove(CAP_SETUID);
  BOOST_TEST(merge_capabilities(base, all, setuid, 40)->bits() == every.bits());
  // ALL in drop: only the adds.
  std::vector<std::string> chown{"CHOWN"};
  BOOST_TEST(merge_capabilities(base, chown, all, 40)->bits() == caps_of({CAP_CHOWN}).bits());
  // ALL in both: add wins, as in Docker.
  BOOST_TEST(merge_capabilities(base, all, all, 40)->bits() == CapSet::upto(40).bits());
  // Unknown names fail, even next to ALL.
  std::vector<std::string> bogus{"ALL", "bogus"};
  BOOST_TEST(error_of(merge_capabilities(base, none, bogus, 40)) ==
             "unknown capability: \"CAP_BOGUS\"");
  // A capability this kernel does not have is unknown too.
  std::vector<std::string> bpf{"BPF"};
  BOOST_TEST(error_of(merge_capabilities(base, bpf, none, 38)) == "unknown capability: \"CAP_BPF\"");
  BOOST_TEST(merge_capabilities(base, bpf, none, 39)->has(CAP_BPF));
  // ALL never reaches past the kernel's last capability.
  BOOST_TEST(merge_capabilities(base, all, none, 37)->bits() == CapSet::upto(37).bits());
}

BOOST_AUTO_TEST_CASE(process_caps_for_root) {
  CapOptions o;
  auto pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.bits() == kDefaultBits);
  BOOST_TEST(pc->effective.bits() == kDefaultBits);
  BOOST_TEST(pc->permitted.bits() == kDefaultBits);
  BOOST_TEST(pc->inheritable.empty());
  BOOST_TEST(pc->ambient.empty());
}

BOOST_AUTO_TEST_CASE(process_caps_for_non_root_follow_podman) {
  CapOptions o;
  o.root_user = false;
  auto pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.bits() == kDefaultBits);
  BOOST_TEST(pc->effective.empty());
  BOOST_TEST(pc->permitted.empty());
  BOOST_TEST(pc->inheritable.empty());
  BOOST_TEST(pc->ambient.empty());

  std::vector<std::string> add{"net_raw"};
  o.add = add;
  pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  CapSet raw = caps_of({CAP_NET_RAW});
  BOOST_TEST(pc->bounding.bits() == (kDefaultBits | raw.bits()));
  BOOST_TEST(pc->effective.bits() == raw.bits());
  BOOST_TEST(pc->permitted.bits() == raw.bits());
  BOOST_TEST(pc->inheritable.bits() == raw.bits());
  BOOST_TEST(pc->ambient.bits() == raw.bits());

  // Added and dropped: Docker drops first, then adds, so the add wins.
  std::vector<std::string> drop{"NET_RAW"};
  o.drop = drop;
  pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.has(CAP_NET_RAW));
  BOOST_TEST(pc->ambient.bits() == raw.bits());

  // Dropped from the bounding set by ALL: a non-root user cannot keep it either.
  std::vector<std::string> all{"ALL"}, chown{"CHOWN"};
  o.add = chown;
  o.drop = all;
  pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.bits() == caps_of({CAP_CHOWN}).bits());
  BOOST_TEST(pc->ambient.bits() == caps_of({CAP_CHOWN}).bits());
}

BOOST_AUTO_TEST_CASE(privileged_is_everything_the_kernel_has) {
  CapOptions o;
  o.privileged = true;
  o.last_cap = 40;
  std::vector<std::string> junk{"not-a-cap"};
  o.drop = junk;  // not even parsed, as in Docker
  auto pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.bits() == CapSet::upto(40).bits());
  BOOST_TEST(pc->effective.bits() == CapSet::upto(40).bits());
  // A non-root user still gets only what was added.
  o.drop = {};
  o.root_user = false;
  pc = compute_process_caps(o);
  BOOST_REQUIRE(pc);
  BOOST_TEST(pc->bounding.bits() == CapSet::upto(40).bits());
  BOOST_TEST(pc->effective.empty());
}

BOOST_AUTO_TEST_CASE(last_cap_matches_the_kernel) {
  auto last = read_cap_last_cap();
  BOOST_REQUIRE(last);
  BOOST_TEST(*last >= CAP_SYS_ADMIN);
  BOOST_TEST(prctl(PR_CAPBSET_READ, *last, 0, 0, 0) >= 0);
  BOOST_TEST(prctl(PR_CAPBSET_READ, *last + 1, 0, 0, 0) < 0);
}

BOOST_AUTO_TEST_CASE(apply_default_set_as_root) {
  int last = *read_cap_last_cap();
  ProcessCaps pc = *compute_process_caps(CapOptions{.last_cap = last});
  auto r = run_in_child([&](int out) {
    if (!test::become_root_with_all_caps()) return 77;
    if (auto st = caps_apply_before_identity(pc, last); !st.ok()) return 10;
    if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) return 11;
    if (auto st = caps_apply_after_identity(pc); !st.ok()) return 12;
    if (auto st = set_no_new_privs(); !st.ok()) return 13;
    auto text = read_file("/proc/self/status");
    if (!text) return 14;
    test::put(out, *text);
    return 0;
  });
  if (r.exit_code == 77) {
    BOOST_TEST_MESSAGE("skipped: cannot get a full capability set (no user namespaces)");
    return;
  }
  BOOST_REQUIRE(r.exit_code == 0);
  auto st = test::parse_status(r.out);
  BOOST_TEST(st["CapBnd"] == "00000000800405fb");
  BOOST_TEST(st["CapEff"] == "00000000800405fb");
  BOOST_TEST(st["CapPrm"] == "00000000800405fb");
  BOOST_TEST(st["CapInh"] == "0000000000000000");
  BOOST_TEST(st["CapAmb"] == "0000000000000000");
  BOOST_TEST(st["NoNewPrivs"] == "1");
}

BOOST_AUTO_TEST_CASE(non_root_user_keeps_added_caps_across_execve) {
  if (geteuid() != 0) {
    BOOST_TEST_MESSAGE("skipped: needs real root to switch to uid 1000");
    return;
  }
  int last = *read_cap_last_cap();
  std::vector<std::string> add{"NET_RAW"};
  CapOptions o{.add = add, .root_user = false, .last_cap = last};
  ProcessCaps pc = *compute_process_caps(o);
  auto r = run_in_child([&](int out) {
    if (auto st = caps_apply_before_identity(pc, last); !st.ok()) return 10;
    gid_t groups[] = {1000};
    if (setgroups(1, groups) < 0 || setresgid(1000, 1000, 1000) < 0 ||
        setresuid(1000, 1000, 1000) < 0)
      return 11;
    if (auto st = caps_apply_after_identity(pc); !st.ok()) return 12;
    if (auto st = set_no_new_privs(); !st.ok()) return 13;
    // The ambient set is what survives execve for a non-root user.
    if (dup2(out, 1) < 0) return 14;
    execl("/bin/cat", "cat", "/proc/self/status", static_cast<char*>(nullptr));
    return 15;
  });
  BOOST_REQUIRE(r.exit_code == 0);
  auto st = test::parse_status(r.out);
  BOOST_TEST(st["Uid"].substr(0, 4) == "1000");
  BOOST_TEST(st["CapBnd"] == "00000000800425fb");
  BOOST_TEST(st["CapEff"] == "0000000000002000");
  BOOST_TEST(st["CapPrm"] == "0000000000002000");
  BOOST_TEST(st["CapInh"] == "0000000000002000");
  BOOST_TEST(st["CapAmb"] == "0000000000002000");
  BOOST_TEST(st["NoNewPrivs"] == "1");
}

BOOST_AUTO_TEST_CASE(child_errors_carry_errno_and_step) {
  int last = *read_cap_last_cap();
  auto r = run_in_child([&](int out) {
    if (!test::become_root_with_all_caps()) return 77;
    // Without CAP_SETPCAP in the effective set the bounding set cannot shrink.
    ProcessCaps none;
    none.bounding = CapSet::upto(last);
    if (auto st = caps_set(none); !st.ok()) return 10;
    ChildStatus st = caps_drop_bounding(caps_of({CAP_CHOWN}), last);
    test::put(out, to_error(st).msg);
    return st.err == EPERM ? 0 : 1;
  });
  if (r.exit_code == 77) return;
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out == "prctl(PR_CAPBSET_DROP) (1): Operation not permitted");
}

BOOST_AUTO_TEST_SUITE_END()
