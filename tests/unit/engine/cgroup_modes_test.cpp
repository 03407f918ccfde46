#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "skiff/engine/cgroup_modes.hpp"
#include "skiff/engine/systemd_mode.hpp"

using namespace skiff::engine;

BOOST_AUTO_TEST_SUITE(engine_cgroup_modes)

// A systemd unit on a hybrid host: name=systemd names the unit, controllers may be elsewhere.
BOOST_AUTO_TEST_CASE(caller_cgroup_v1_prefers_name_systemd) {
  std::string t =
      "12:memory:/system.slice/foo.service\n"
      "1:name=systemd:/system.slice/foo.service\n"
      "0::/system.slice/foo.service\n";
  BOOST_TEST(caller_cgroup(t, false) == "system.slice/foo.service");
  // name=systemd at the root: the first controller that is not.
  std::string u = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/6f4d\n0::/\n";
  BOOST_TEST(caller_cgroup(u, false) == "process_api/6f4d");
  BOOST_TEST(caller_cgroup("9:name=systemd:/\n8:pids:/\n0::/\n", false) == "");
}

BOOST_AUTO_TEST_CASE(caller_cgroup_v2) {
  BOOST_TEST(caller_cgroup("0::/user.slice/user-1000.slice/session-2.scope\n", true) ==
             "user.slice/user-1000.slice/session-2.scope");
  BOOST_TEST(caller_cgroup("0::/\n", true) == "");
}

BOOST_AUTO_TEST_CASE(split_refuses_a_parent) {
  BOOST_TEST(!check_cgroups_mode("split", "machine"));
  BOOST_TEST(static_cast<bool>(check_cgroups_mode("split", "")));
  BOOST_TEST(static_cast<bool>(check_cgroups_mode("enabled", "machine")));
}

BOOST_AUTO_TEST_CASE(systemd_mode_commands) {
  using V = std::vector<std::string>;
  BOOST_TEST(*systemd_mode("true", V{"/sbin/init"}));
  BOOST_TEST(*systemd_mode("", V{"/usr/sbin/init"}));
  BOOST_TEST(*systemd_mode("true", V{"/usr/local/sbin/init"}));
  BOOST_TEST(*systemd_mode("true", V{"/lib/systemd/systemd", "--log-level=debug"}));
  BOOST_TEST(*systemd_mode("true", V{"systemd"}));
  BOOST_TEST(!*systemd_mode("true", V{"/bin/sh"}));
  BOOST_TEST(!*systemd_mode("true", V{"/usr/bin/systemd-run"}));
  BOOST_TEST(!*systemd_mode("false", V{"/sbin/init"}));
  BOOST_TEST(*systemd_mode("always", V{"/bin/sh"}));
  BOOST_TEST(!systemd_mode("yes", V{"/bin/sh"}));
}

BOOST_AUTO_TEST_SUITE_END()
