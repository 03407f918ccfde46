#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "engine/mounts.hpp"
#include "skiff/engine/lifecycle.hpp"

// create's checks of --cap-add/--cap-drop, --security-opt and --ulimit (validate_security in
// engine/spec.cpp): refused at create, never at start.

using namespace skiff;
using namespace skiff::engine;

namespace {

std::string check(std::vector<std::string> cap_add, std::vector<std::string> security_opt = {},
                  std::vector<std::string> ulimits = {}, std::vector<std::string> cap_drop = {}) {
  CreateOptions o;
  o.cap_add = std::move(cap_add);
  o.cap_drop = std::move(cap_drop);
  o.security_opt = std::move(security_opt);
  o.ulimits = std::move(ulimits);
  auto st = validate_security(o);
  return st ? std::string() : st.error().msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_spec)

BOOST_AUTO_TEST_CASE(capabilities) {
  BOOST_TEST(check({"NET_ADMIN", "cap_sys_admin", "CAP_CHOWN", "ALL", "all"}) == "");
  BOOST_TEST(check({}, {}, {}, {"ALL", "MKNOD"}) == "");
  BOOST_TEST(!check({"NOT_A_CAP"}).empty());
  BOOST_TEST(!check({}, {}, {}, {"CAP_BOGUS"}).empty(), "--cap-drop is checked too");
}

BOOST_AUTO_TEST_CASE(security_options) {
  for (const char* ok : {"no-new-privileges", "no-new-privileges=true", "no-new-privileges:false", "seccomp=unconfined",
                         "label=disable", "label:type:svirt_t", "apparmor=unconfined", "mask=/proc/x", "unmask=ALL"})
    BOOST_TEST(check({}, {ok}) == "", ok);
  BOOST_TEST(check({}, {"no-new-privileges=maybe"}) == "invalid --security-opt: no-new-privileges=maybe");
  BOOST_TEST(check({}, {"seccomp"}) == "invalid --security-opt: seccomp");
  BOOST_TEST(!check({}, {"seccomp=/nonexistent/profile.json"}).empty());
  BOOST_TEST(check({}, {"privileged"}) == "invalid --security-opt 1: \"privileged\"", "Docker's text");
  BOOST_TEST(check({}, {"selinux=x"}) == "invalid --security-opt 1: \"selinux=x\"");
}

BOOST_AUTO_TEST_CASE(ulimits) {
  BOOST_TEST(check({}, {}, {"nofile=1024:2048", "nproc=512", "core=-1"}) == "");
  BOOST_TEST(!check({}, {}, {"nofile"}).empty());
  BOOST_TEST(!check({}, {}, {"nofile=lots"}).empty());
  BOOST_TEST(!check({}, {}, {"nosuch=1"}).empty());
  BOOST_TEST(!check({}, {}, {"nofile=2048:1024"}).empty(), "soft above hard");
}

BOOST_AUTO_TEST_SUITE_END()
