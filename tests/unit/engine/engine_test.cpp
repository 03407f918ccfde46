#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "../storage/fixture.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using skiff::test::TempDir;

namespace {

std::string boot_id() { return std::string(trim(read_file("/proc/sys/kernel/random/boot_id").value_or(""))); }

Paths paths(const TempDir& t, const std::string& run_root, bool explicit_rr) {
  Paths p;
  p.uid = geteuid();
  p.gid = getegid();
  p.rootless = p.uid != 0;
  p.graph_root = t.sub("graph");
  p.run_root = run_root;
  p.run_root_explicit = explicit_rr;
  return p;
}

std::string recorded(const TempDir& t) {
  auto j = read_json_file(t.sub("graph/runroot.json"));
  return j ? json_str(*j, "runRoot") : std::string();
}

// A run root of this boot, recorded in the store.
void record(const TempDir& t, const std::string& rr, const std::string& boot) {
  BOOST_REQUIRE(mkdir_p(rr, 0700));
  BOOST_REQUIRE(write_file_atomic(rr + "/boot_id", boot_id() + "\n", 0600, false));
  BOOST_REQUIRE(mkdir_p(t.sub("graph"), 0700));
  Json j = Json::object();
  j["runRoot"] = rr;
  j["bootId"] = boot;
  BOOST_REQUIRE(write_json_atomic(t.sub("graph/runroot.json"), j, 0600, false));
}

// A live monitor's start lock (held by this process through its own open file description)
// naming a run directory under `rr`.
UniqueFd hold_start_lock(const TempDir& t, const std::string& rr) {
  std::string dir = t.sub("graph/containers/" + std::string(64, 'a'));
  BOOST_REQUIRE(mkdir_p(dir, 0700));
  BOOST_REQUIRE(write_file_atomic(dir + "/monitor.lock", rr + "/c/aaaaaaaaaaaa\n", 0600, false));
  auto fd = open_path(dir + "/monitor.lock", O_RDWR | O_CLOEXEC);
  BOOST_REQUIRE(fd);
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  BOOST_REQUIRE(fcntl(fd->get(), F_OFD_SETLK, &fl) == 0);
  return std::move(*fd);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_runroot)

BOOST_AUTO_TEST_CASE(first_writer_records_its_run_root) {
  TempDir t;
  Paths p = paths(t, t.sub("ours"), false);
  BOOST_REQUIRE(engine::settle_run_root(p, false));
  BOOST_TEST(p.run_root == t.sub("ours"));
  BOOST_TEST(!path_exists(t.sub("graph/runroot.json")), "a read-only command records nothing");
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(recorded(t) == t.sub("ours"));
  BOOST_TEST(std::string(trim(read_file(t.sub("ours/boot_id")).value_or(""))) == boot_id());
}

BOOST_AUTO_TEST_CASE(a_default_run_root_follows_a_live_record) {
  TempDir t;
  record(t, t.sub("login"), boot_id());
  auto held = hold_start_lock(t, t.sub("login"));
  Paths p = paths(t, t.sub("cron"), false);
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(p.run_root == t.sub("login"));
  BOOST_TEST(recorded(t) == t.sub("login"));
  BOOST_TEST(!path_exists(t.sub("cron")));
}

BOOST_AUTO_TEST_CASE(an_explicit_run_root_is_refused_while_monitors_run_in_the_recorded_one) {
  TempDir t;
  record(t, t.sub("login"), boot_id());
  {
    auto held = hold_start_lock(t, t.sub("login"));
    Paths p = paths(t, t.sub("other"), true);
    auto st = engine::settle_run_root(p, false);
    BOOST_REQUIRE(!st);
    BOOST_TEST(st.error().code == kConflict);
    BOOST_TEST(st.error().msg.find(t.sub("login")) != std::string::npos);
    BOOST_TEST(st.error().msg.find(t.sub("other")) != std::string::npos);
    BOOST_TEST(!engine::settle_run_root(p, true));
    BOOST_TEST(recorded(t) == t.sub("login"));
  }
  // Nothing runs there any more: the explicit one takes over.
  Paths p = paths(t, t.sub("other"), true);
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(p.run_root == t.sub("other"));
  BOOST_TEST(recorded(t) == t.sub("other"));
}

BOOST_AUTO_TEST_CASE(a_monitor_elsewhere_does_not_block_a_take_over) {
  TempDir t;
  record(t, t.sub("login"), boot_id());
  auto held = hold_start_lock(t, t.sub("third"));
  Paths p = paths(t, t.sub("other"), true);
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(recorded(t) == t.sub("other"));
}

BOOST_AUTO_TEST_CASE(a_stale_record_is_taken_over) {
  TempDir t;
  // Recorded in another boot (the monitors died with it).
  record(t, t.sub("login"), "00000000-0000-4000-8000-000000000000");
  auto held = hold_start_lock(t, t.sub("login"));
  Paths p = paths(t, t.sub("cron"), false);
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(p.run_root == t.sub("cron"));
  BOOST_TEST(recorded(t) == t.sub("cron"));
  // The recorded run root gone (a tmpfs lost).
  record(t, t.sub("login"), boot_id());
  BOOST_REQUIRE(remove_tree(t.sub("login")));
  Paths q = paths(t, t.sub("cron2"), true);
  BOOST_REQUIRE(engine::settle_run_root(q, true));
  BOOST_TEST(recorded(t) == t.sub("cron2"));
}

BOOST_AUTO_TEST_CASE(a_recorded_run_root_we_cannot_use_is_refused_while_monitors_run_there) {
  TempDir t;
  record(t, t.sub("login"), boot_id());
  BOOST_REQUIRE(chmod(t.sub("login").c_str(), 0755) == 0);  // not private: not used
  {
    auto held = hold_start_lock(t, t.sub("login"));
    Paths p = paths(t, t.sub("cron"), false);
    auto st = engine::settle_run_root(p, true);
    BOOST_REQUIRE(!st);
    BOOST_TEST(st.error().msg.find("cannot use it (mode 755, not private)") != std::string::npos, st.error().msg);
  }
  Paths p = paths(t, t.sub("cron"), false);
  BOOST_REQUIRE(engine::settle_run_root(p, true));
  BOOST_TEST(p.run_root == t.sub("cron"));
}

BOOST_AUTO_TEST_SUITE_END()
