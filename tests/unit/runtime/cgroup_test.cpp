#define BOOST_TEST_DYN_LINK
// The cgroup file writes, against fake v1 and v2 trees (plain directories with the files the
// kernel would have): what goes into which file for each limit.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/runtime/cgroup.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
namespace cg = skiff::runtime::cgroup;

namespace {

struct Tmp {
  std::string dir;
  Tmp() {
    char t[] = "/tmp/cgroup-test-XXXXXX";
    dir = mkdtemp(t);
  }
  ~Tmp() { (void)remove_tree(dir); }
};

void put(const std::string& p, const std::string& v) { BOOST_REQUIRE(write_file_atomic(p, v, 0644, false)); }
std::string get(const std::string& p) { return std::string(trim(read_file(p).value_or("<missing>"))); }

// A fake v1 tree: one directory per controller, with the files create() touches pre-made in the
// container's directory (the kernel makes them; a plain directory does not).
cg::Host fake_v1(const std::string& root, const std::string& path) {
  cg::Host h;
  h.version = cg::Version::V1;
  for (const char* c : {"memory", "cpu", "cpuacct", "cpuset", "pids", "blkio", "devices", "freezer"}) {
    h.v1[c] = root + "/" + c;
    BOOST_REQUIRE(mkdir_p(root + "/" + c + "/" + path));
  }
  put(root + "/cpuset/cpuset.cpus", "0-1");
  put(root + "/cpuset/cpuset.mems", "0");
  for (const std::string& lvl : {std::string("skiff"), path})
    for (const char* f : {"cpuset.cpus", "cpuset.mems"}) put(root + "/cpuset/" + lvl + "/" + f, "");
  std::string m = root + "/memory/" + path;
  for (const char* f : {"memory.limit_in_bytes", "memory.memsw.limit_in_bytes", "memory.soft_limit_in_bytes",
                        "memory.swappiness", "memory.oom_control"})
    put(m + "/" + f, "");
  for (const char* f : {"cpu.shares", "cpu.cfs_period_us", "cpu.cfs_quota_us"}) put(root + "/cpu/" + path + "/" + f, "");
  put(root + "/pids/" + path + "/pids.max", "");
  put(root + "/blkio/" + path + "/blkio.weight", "");
  put(root + "/devices/" + path + "/devices.allow", "");
  put(root + "/devices/" + path + "/devices.deny", "");
  put(root + "/freezer/" + path + "/freezer.state", "THAWED");
  return h;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(runtime_cgroup)

BOOST_AUTO_TEST_CASE(parse_hybrid_mountinfo) {
  std::string mi =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n"
      "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
      "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,name=systemd\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
      "50 31 0:32 /docker/x /sys/fs/cgroup/memory-bind rw - cgroup cgroup rw,memory\n";
  auto h = cg::parse_host(mi);
  BOOST_TEST(cg::version_name(h) == "v1");
  BOOST_TEST(h.v1.at("cpu") == "/sys/fs/cgroup/cpu,cpuacct");
  BOOST_TEST(h.v1.at("cpuacct") == "/sys/fs/cgroup/cpu,cpuacct");
  BOOST_TEST(h.v1.at("memory") == "/sys/fs/cgroup/memory");
  BOOST_TEST(h.v1.count("name=systemd") == 0u);
  BOOST_TEST(h.unified == "/sys/fs/cgroup/unified");
  auto v2 = cg::parse_host("30 23 0:26 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw,nsdelegate\n");
  BOOST_TEST(cg::version_name(v2) == "v2");
  BOOST_TEST(v2.unified == "/sys/fs/cgroup");
  BOOST_TEST(cg::version_name(cg::parse_host("")) == "");
}

BOOST_AUTO_TEST_CASE(v1_limits) {
  Tmp t;
  std::string path = "skiff/abc";
  auto h = fake_v1(t.dir, path);
  Json l = {{"Memory", 33554432}, {"MemorySwap", 67108864}, {"MemoryReservation", 16777216},
            {"NanoCpus", 500000000}, {"CpuShares", 512}, {"PidsLimit", 10}, {"BlkioWeight", 300},
            {"OomKillDisable", true}, {"MemorySwappiness", 10},
            {"DeviceRules", Json::array({"c 1:3 rwm", "c 136:* rwm"})}};
  auto fd = cg::create(h, path, l);
  BOOST_REQUIRE_MESSAGE(bool(fd), (fd ? std::string() : fd.error().msg));
  BOOST_TEST(!*fd);  // v1: no fd, the pid is written afterwards
  std::string m = t.dir + "/memory/" + path;
  BOOST_TEST(get(m + "/memory.limit_in_bytes") == "33554432");
  BOOST_TEST(get(m + "/memory.memsw.limit_in_bytes") == "67108864");
  BOOST_TEST(get(m + "/memory.soft_limit_in_bytes") == "16777216");
  BOOST_TEST(get(m + "/memory.swappiness") == "10");
  BOOST_TEST(get(m + "/memory.oom_control") == "1");
  BOOST_TEST(get(t.dir + "/cpu/" + path + "/cpu.cfs_quota_us") == "50000");
  BOOST_TEST(get(t.dir + "/cpu/" + path + "/cpu.cfs_period_us") == "100000");
  BOOST_TEST(get(t.dir + "/cpu/" + path + "/cpu.shares") == "512");
  BOOST_TEST(get(t.dir + "/pids/" + path + "/pids.max") == "10");
  BOOST_TEST(get(t.dir + "/blkio/" + path + "/blkio.weight") == "300");
  // The last devices.allow write; deny "a" came first.
  BOOST_TEST(get(t.dir + "/devices/" + path + "/devices.deny") == "a");
  BOOST_TEST(get(t.dir + "/devices/" + path + "/devices.allow") == "c 136:* rwm");
  // cpuset levels inherit the parent's cpus and mems.
  BOOST_TEST(get(t.dir + "/cpuset/skiff/cpuset.cpus") == "0-1");
  BOOST_TEST(get(t.dir + "/cpuset/" + path + "/cpuset.mems") == "0");
  // update: unlimited memory, no pids limit, the cpu quota off.
  BOOST_REQUIRE(cg::apply(h, path, Json{{"Memory", 0}, {"PidsLimit", 0}, {"NanoCpus", 0}}));
  BOOST_TEST(get(m + "/memory.limit_in_bytes") == "-1");
  BOOST_TEST(get(m + "/memory.memsw.limit_in_bytes") == "-1");
  BOOST_TEST(get(t.dir + "/pids/" + path + "/pids.max") == "max");
  BOOST_TEST(get(t.dir + "/cpu/" + path + "/cpu.cfs_quota_us") == "-1");
  // Memory without swap: Docker's default of twice the memory.
  BOOST_REQUIRE(cg::apply(h, path, Json{{"Memory", 10485760}}));
  BOOST_TEST(get(m + "/memory.memsw.limit_in_bytes") == "20971520");
}

BOOST_AUTO_TEST_CASE(v1_oom_and_freeze) {
  Tmp t;
  std::string path = "skiff/abc";
  auto h = fake_v1(t.dir, path);
  put(t.dir + "/memory/" + path + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n");
  BOOST_TEST(!cg::oom_killed(h, path));
  put(t.dir + "/memory/" + path + "/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
  BOOST_TEST(cg::oom_killed(h, path));
  BOOST_REQUIRE(cg::freeze(h, path, true));  // a plain file reads back what was written
  BOOST_TEST(cg::frozen(h, path));
  BOOST_REQUIRE(cg::freeze(h, path, false));
  BOOST_TEST(!cg::frozen(h, path));
}

BOOST_AUTO_TEST_CASE(v2_limits) {
  Tmp t;
  cg::Host h;
  h.version = cg::Version::V2;
  h.unified = t.dir;
  put(t.dir + "/cgroup.controllers", "cpuset cpu io memory pids");
  put(t.dir + "/cgroup.subtree_control", "");
  std::string d = t.dir + "/skiff/abc";
  BOOST_REQUIRE(mkdir_p(d));
  put(t.dir + "/skiff/cgroup.subtree_control", "");
  for (const char* f : {"memory.max", "memory.swap.max", "memory.low", "cpu.max", "cpu.weight", "pids.max", "io.weight"})
    put(d + "/" + f, "");
  Json l = {{"Memory", 33554432}, {"MemorySwap", 67108864}, {"MemoryReservation", 16777216},
            {"NanoCpus", 1500000000}, {"CpuShares", 1024}, {"PidsLimit", 10}, {"BlkioWeight", 500}};
  auto fd = cg::create(h, "skiff/abc", l);
  BOOST_REQUIRE_MESSAGE(bool(fd), (fd ? std::string() : fd.error().msg));
  BOOST_TEST(bool(*fd));  // for CLONE_INTO_CGROUP
  BOOST_TEST(get(t.dir + "/cgroup.subtree_control") == "+cpu +cpuset +io +memory +pids");
  BOOST_TEST(get(d + "/memory.max") == "33554432");
  BOOST_TEST(get(d + "/memory.swap.max") == "33554432");
  BOOST_TEST(get(d + "/memory.low") == "16777216");
  BOOST_TEST(get(d + "/cpu.max") == "150000 100000");
  BOOST_TEST(get(d + "/cpu.weight") == "39");
  BOOST_TEST(get(d + "/pids.max") == "10");
  BOOST_TEST(get(d + "/io.weight") == "default 4950");
  BOOST_REQUIRE(cg::apply(h, "skiff/abc", Json{{"Memory", 0}, {"NanoCpus", 0}, {"PidsLimit", -1}}));
  BOOST_TEST(get(d + "/memory.max") == "max");
  BOOST_TEST(get(d + "/memory.swap.max") == "max");
  BOOST_TEST(get(d + "/cpu.max") == "max 100000");
  BOOST_TEST(get(d + "/pids.max") == "max");
  put(d + "/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
  BOOST_TEST(cg::oom_killed(h, "skiff/abc"));
}

BOOST_AUTO_TEST_CASE(conversions) {
  BOOST_TEST(cg::shares_to_weight(2) == 1u);
  BOOST_TEST(cg::shares_to_weight(1024) == 39u);
  BOOST_TEST(cg::shares_to_weight(262144) == 10000u);
  BOOST_TEST(cg::blkio_to_io_weight(10) == 1u);
  BOOST_TEST(cg::blkio_to_io_weight(1000) == 10000u);
  BOOST_TEST(cg::container_path("", "abc") == "skiff/abc");
  BOOST_TEST(cg::container_path("/my/parent/", "abc") == "my/parent/abc");
  BOOST_TEST(!cg::check_parent("a/../b"));
  BOOST_TEST(bool(cg::check_parent("/a/b")));
}

BOOST_AUTO_TEST_SUITE_END()
