#define BOOST_TEST_DYN_LINK
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <algorithm>

#include <boost/test/unit_test.hpp>

#include "child_helper.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/defaults.hpp"

using namespace skiff;
using namespace skiff::runtime;

namespace {

bool has(std::span<const std::string_view> list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_defaults)

BOOST_AUTO_TEST_CASE(capabilities_are_podmans_eleven) {
  auto caps = default_capabilities();
  BOOST_TEST(caps.size() == 11u);
  std::vector<std::string> names;
  for (int c : caps) names.emplace_back(capability_name(c));
  std::sort(names.begin(), names.end());
  std::vector<std::string> want{"CAP_CHOWN",       "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                "CAP_FSETID",      "CAP_KILL",         "CAP_NET_BIND_SERVICE",
                                "CAP_SETFCAP",     "CAP_SETGID",       "CAP_SETPCAP",
                                "CAP_SETUID",      "CAP_SYS_CHROOT"};
  BOOST_TEST(names == want, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(masked_and_readonly_paths) {
  auto masked = default_masked_paths();
  for (auto p : {"/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys",
                 "/proc/latency_stats", "/proc/sched_debug", "/proc/scsi", "/proc/timer_list",
                 "/proc/timer_stats", "/sys/devices/virtual/powercap", "/sys/firmware",
                 "/sys/fs/selinux", "/sys/devices/system/cpu/cpu*/thermal_throttle"})
    BOOST_TEST(has(masked, p), p);
  auto ro = default_readonly_paths();
  std::vector<std::string_view> want{"/proc/asound", "/proc/bus", "/proc/fs",
                                     "/proc/irq",    "/proc/sys", "/proc/sysrq-trigger"};
  BOOST_TEST(std::vector<std::string_view>(ro.begin(), ro.end()) == want,
             boost::test_tools::per_element());
  // No path is both.
  for (auto p : ro) BOOST_TEST(!has(masked, p), p);
}

BOOST_AUTO_TEST_CASE(patterns_expand_on_the_host) {
  test::TempDir t;
  BOOST_REQUIRE(mkdir((t.path() + "/cpu0").c_str(), 0755) == 0);
  BOOST_REQUIRE(mkdir((t.path() + "/cpu1").c_str(), 0755) == 0);
  BOOST_REQUIRE(mkdir((t.path() + "/cpu1/thermal_throttle").c_str(), 0755) == 0);
  BOOST_REQUIRE(mkdir((t.path() + "/cpu0/thermal_throttle").c_str(), 0755) == 0);
  std::string pattern = t.path() + "/cpu*/thermal_throttle";
  std::string none = t.path() + "/gpu*/x";
  std::string_view in[] = {"/proc/kcore", pattern, none};
  auto out = expand_path_patterns(in);
  BOOST_REQUIRE(out.size() == 3u);
  BOOST_TEST(out[0] == "/proc/kcore");
  BOOST_TEST(out[1] == t.path() + "/cpu0/thermal_throttle");
  BOOST_TEST(out[2] == t.path() + "/cpu1/thermal_throttle");
}

BOOST_AUTO_TEST_CASE(environment_like_docker) {
  std::vector<std::string> none;
  auto env = container_environment(none, /*tty=*/false, "abc123");
  std::vector<std::string> want{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                                "HOSTNAME=abc123", "container=skiff"};
  BOOST_TEST(env == want, boost::test_tools::per_element());

  std::vector<std::string> image{"PATH=/opt/bin:/bin", "LANG=C.UTF-8", "HOSTNAME=mine"};
  env = container_environment(image, /*tty=*/true, "abc123");
  std::vector<std::string> want2{"PATH=/opt/bin:/bin", "HOSTNAME=mine", "TERM=xterm",
                                 "container=skiff", "LANG=C.UTF-8"};
  BOOST_TEST(env == want2, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(rlimit_defaults_are_podmans) {
  auto t = default_rlimits_table();
  BOOST_REQUIRE(t.size() == 2u);
  BOOST_TEST(t[0].resource == RLIMIT_NOFILE);
  BOOST_TEST(t[0].soft == 1048576u);
  BOOST_TEST(t[1].resource == RLIMIT_NPROC);
  BOOST_TEST(t[1].hard == 1048576u);
}

BOOST_AUTO_TEST_SUITE_END()
