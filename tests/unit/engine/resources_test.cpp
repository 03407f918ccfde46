#define BOOST_TEST_DYN_LINK
// Resource flags → HostConfig: Docker's units, defaults and error texts.
#include <boost/test/unit_test.hpp>

#include "skiff/engine/resources.hpp"

using namespace skiff;
using namespace skiff::engine;

namespace {

Json hc_of(const ResourceFlags& f) {
  Json h = Json::object();
  resource_defaults(h);
  auto st = apply_resource_flags(h, f, false);
  BOOST_REQUIRE_MESSAGE(bool(st), (st ? std::string() : st.error().msg));
  return h;
}

std::string err_of(const ResourceFlags& f) {
  Json h = Json::object();
  resource_defaults(h);
  auto st = apply_resource_flags(h, f, false);
  return st ? "" : st.error().msg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_resources)

BOOST_AUTO_TEST_CASE(units_and_defaults) {
  auto h = hc_of({{"memory", "512m"}, {"cpus", "1.5"}, {"pids-limit", "10"}, {"shm-size", "1g"}});
  BOOST_TEST(h["Memory"].get<int64_t>() == 536870912);
  BOOST_TEST(h["MemorySwap"].get<int64_t>() == 2 * 536870912LL);  // Docker's default
  BOOST_TEST(h["NanoCpus"].get<int64_t>() == 1500000000);
  BOOST_TEST(h["PidsLimit"].get<int64_t>() == 10);
  BOOST_TEST(h["ShmSize"].get<int64_t>() == 1073741824);
  BOOST_TEST(hc_of({{"cpus", "3/4"}})["NanoCpus"].get<int64_t>() == 750000000);
  BOOST_TEST(hc_of({{"memory", "0"}})["Memory"].get<int64_t>() == 0);
  BOOST_TEST(hc_of({{"memory", "64m"}, {"memory-swap", "-1"}})["MemorySwap"].get<int64_t>() == -1);
  BOOST_TEST(hc_of({{"pids-limit", "0"}})["PidsLimit"].is_null());
  BOOST_TEST(hc_of({{"pids-limit", "-5"}})["PidsLimit"].get<int64_t>() == -1);
  BOOST_TEST(hc_of({{"cpu-shares", "1"}})["CpuShares"].get<int64_t>() == 2);
  BOOST_TEST(hc_of({{"memory-swappiness", "-1"}})["MemorySwappiness"].is_null());
  BOOST_TEST(hc_of({{"cgroupns", "host"}})["CgroupnsMode"] == "host");
  BOOST_TEST(hc_of({{"device-cgroup-rule", "c 1:3 rwm"}})["DeviceCgroupRules"][0] == "c 1:3 rwm");
  auto d = hc_of({{"device", "/dev/null:/dev/x:r"}})["Devices"][0];
  BOOST_TEST(d["PathOnHost"] == "/dev/null");
  BOOST_TEST(d["PathInContainer"] == "/dev/x");
  BOOST_TEST(d["CgroupPermissions"] == "r");
  BOOST_TEST(hc_of({{"device", "/dev/null:rw"}})["Devices"][0]["PathInContainer"] == "/dev/null");
}

BOOST_AUTO_TEST_CASE(errors) {
  BOOST_TEST(err_of({{"memory", "abc"}}) == "invalid argument \"abc\" for \"-m, --memory\" flag: invalid size: 'abc'");
  BOOST_TEST(err_of({{"memory", "1m"}}) == "Minimum memory limit allowed is 6MB");
  BOOST_TEST(err_of({{"cpus", "x"}}) == "invalid argument \"x\" for \"--cpus\" flag: failed to parse x as a rational number");
  BOOST_TEST(err_of({{"cpus", "0.0000000001"}}) == "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise");
  BOOST_TEST(err_of({{"cpus", "1000"}}).find("Range of CPUs is from 0.01 to") == 0u);
  BOOST_TEST(err_of({{"memory-swap", "10m"}}) == "You should always set the Memory limit when using Memoryswap limit, see usage");
  BOOST_TEST(err_of({{"memory", "20m"}, {"memory-swap", "10m"}}) ==
             "Minimum memoryswap limit should be larger than memory limit, see usage");
  BOOST_TEST(err_of({{"blkio-weight", "5"}}) == "Range of blkio weight is from 10 to 1000");
  BOOST_TEST(err_of({{"device-cgroup-rule", "x 1:3 rwm"}}) == "invalid device cgroup format 'x 1:3 rwm'");
  BOOST_TEST(err_of({{"device", "/dev/nope"}}) ==
             "error gathering device information while adding custom device \"/dev/nope\": no such file or directory");
  BOOST_TEST(err_of({{"cpuset-cpus", "0-"}}) == "Invalid value 0- for cpuset cpus");
  BOOST_TEST(err_of({{"device-read-bps", "/dev/null:abc"}}).find("invalid rate for device: /dev/null:abc.") == 0u);
}

BOOST_AUTO_TEST_CASE(limits_for_the_cgroup) {
  auto h = hc_of({{"memory", "64m"}, {"pids-limit", "-1"}});
  auto l = cgroup_limits(h, true);
  BOOST_TEST(l["Memory"].get<int64_t>() == 67108864);
  BOOST_TEST(l["MemorySwap"].get<int64_t>() == 134217728);
  BOOST_TEST(!l.contains("PidsLimit"));   // unlimited: nothing to write
  BOOST_TEST(!l.contains("DeviceRules"));  // rootless: no device cgroup
  BOOST_TEST(has_cgroup_limits(h));
  BOOST_TEST(!has_cgroup_limits(hc_of({{"shm-size", "1g"}, {"oom-score-adj", "10"}})));
  auto root = cgroup_limits(hc_of({}), false);
  BOOST_TEST(root["DeviceRules"][0] == "c *:* m");
  Json priv = hc_of({});
  priv["Privileged"] = true;
  BOOST_TEST(cgroup_limits(priv, false)["DeviceRules"][0] == "a");
}

BOOST_AUTO_TEST_SUITE_END()
