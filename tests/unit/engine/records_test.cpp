#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "engine_fixture.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/time.hpp"

// Container records and the state derived from the files of several writers (config.json and
// state.json by the engine; monitor.json, exit.json and the run directory's `exit` by the
// monitor), including files that are missing, torn or garbage.

using namespace skiff;
using namespace skiff::engine;
using namespace skiff::test;

BOOST_AUTO_TEST_SUITE(engine_records)

BOOST_AUTO_TEST_CASE(never_started_is_created) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Created));
  BOOST_TEST(st.exit_code == 0);
  BOOST_TEST(st.pid == 0);
  BOOST_TEST(st.monitor_pid == 0);
  BOOST_TEST(status_text(st, kT0) == "Created");
}

BOOST_AUTO_TEST_CASE(exit_record_of_the_latest_start) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  s.started(r, kT0);
  s.exited(r, 3, kT0, kT0 + 5 * kSecond, "", 2);
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Exited));
  BOOST_TEST(st.exit_code == 3);
  BOOST_TEST(st.restart_count == 2);
  BOOST_TEST(status_text(st, kT0 + 8 * kSecond) == "Exited (3) 3 seconds ago");
  st.finished_at = 0;
  BOOST_TEST(status_text(st, kT0) == "Exited (3)", "no finish time: no age");
}

BOOST_AUTO_TEST_CASE(a_start_that_failed_before_exec_stays_created) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  s.started(r, kT0);
  s.exited(r, 127, 0, kT0 + 1, "exec: \"nope\": executable file not found in $PATH");
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Created), "Docker leaves it Created, with the error");
  BOOST_TEST(st.exit_code == 127);
  BOOST_TEST(st.error.find("executable file not found") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(live_monitor_and_process_is_running) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  s.started(r, kT0);
  s.exited(r, 9, kT0 - 10 * kSecond, kT0 - 5 * kSecond, "old error");  // the previous run's
  s.monitor(r, true, kT0 + 2, true, kT0 + 1, 4);
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Running));
  BOOST_TEST(st.pid == getpid());
  BOOST_TEST(st.monitor_pid == getpid());
  BOOST_TEST(st.started_at == kT0 + 2);
  BOOST_TEST(st.exit_code == 0, "a running container shows no earlier exit");
  BOOST_TEST(st.error.empty());
  BOOST_TEST(st.restart_count == 4, "the monitor's count");
  BOOST_TEST(!st.paused);
  BOOST_TEST(status_text(st, kT0 + 2 + 3 * kSecond) == "Up 3 seconds");

  s.put(s.e->run_dir(r.id) + "/paused", "");
  st = s.state(r);
  BOOST_TEST(st.paused);
  BOOST_TEST(status_text(st, kT0 + 2 + 3 * kSecond) == "Up 3 seconds (Paused)");

  s.started(r, kT0, true);
  BOOST_TEST(int(s.state(r).status) == int(RunState::Removing));
  BOOST_TEST(status_text(s.state(r), kT0) == "Removal In Progress");
}

BOOST_AUTO_TEST_CASE(live_monitor_before_go_is_created) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  s.started(r, kT0);
  s.monitor(r, true, 0, false);
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Created));
  BOOST_TEST(st.monitor_pid == getpid());
}

BOOST_AUTO_TEST_CASE(process_gone_under_a_live_monitor) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1", kT0, "always");
  s.started(r, kT0);
  s.monitor(r, true, kT0 + 2, false, kT0 + 1, 1);
  s.exited(r, 1, kT0 + 2, kT0 + 3 * kSecond, "", 1);
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Restarting));
  BOOST_TEST(status_text(st, kT0 + 5 * kSecond) == "Restarting (1) 2 seconds ago");

  // No restart policy and no exit record yet: it exited this very moment; still Running
  // until the monitor has recorded it (never Exited without an exit code).
  auto n = s.add(id_of('b'), "c2");
  s.started(n, kT0);
  s.monitor(n, true, kT0 + 2, false);
  st = s.state(n);
  BOOST_TEST(int(st.status) == int(RunState::Running));
  BOOST_TEST(st.pid == 0);
}

BOOST_AUTO_TEST_CASE(exit_file_means_exited_for_good) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1", kT0, "always");
  s.started(r, kT0);
  s.monitor(r, true, kT0 + 2, false);
  s.put(s.e->run_dir(r.id) + "/exit", "7\n");  // exit.json not written yet
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Exited));
  BOOST_TEST(st.exit_code == 7);
  BOOST_TEST(st.started_at == kT0 + 2);
  BOOST_TEST(st.finished_at > 0, "the exit file's time");
  BOOST_TEST(st.monitor_pid == 0);
  BOOST_TEST(st.finishing_pid == getpid(), "the monitor is finishing (records, --rm): rm waits for it");

  s.put(s.e->run_dir(r.id) + "/exit", "garbage");
  BOOST_TEST(s.state(r).exit_code == 255, "an unreadable exit code is 255");
}

BOOST_AUTO_TEST_CASE(monitor_killed_is_exited_with_an_error) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  s.started(r, kT0);
  s.monitor(r, false, kT0 + 2, false);  // its pid lives on, but it is not the monitor's process
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Exited));
  BOOST_TEST(st.exit_code == 255);
  BOOST_TEST(st.error == "the container monitor exited unexpectedly");
  BOOST_TEST(st.monitor_pid == 0);
  BOOST_TEST(st.finishing_pid == 0);
  BOOST_TEST(status_text(st, kT0) == "Exited (255)");

  // Killed during setup (before the process ran): still Created.
  auto c = s.add(id_of('b'), "c2");
  s.started(c, kT0);
  s.monitor(c, false, 0, false);
  BOOST_TEST(int(s.state(c).status) == int(RunState::Created));
}

BOOST_AUTO_TEST_CASE(records_of_an_earlier_start_are_not_current) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  // The previous run: exited 2; then a new start whose monitor has not written anything yet.
  s.exited(r, 2, kT0 - 20 * kSecond, kT0 - 10 * kSecond);
  s.monitor(r, false, kT0 - 20 * kSecond, false, kT0 - 20 * kSecond);
  s.put(s.e->run_dir(r.id) + "/exit", "2");
  s.started(r, kT0);
  auto st = s.state(r);
  BOOST_TEST(st.error.empty(), "an old monitor.json is not this start's");
  BOOST_TEST(int(st.status) == int(RunState::Exited), "the last known exit");
  BOOST_TEST(st.exit_code == 2);
}

BOOST_AUTO_TEST_CASE(missing_torn_or_garbage_state_files) {
  EngineStore s;
  auto r = s.add(id_of('a'), "c1");
  const std::string cdir = s.e->container_dir(r.id), rdir = s.e->run_dir(r.id);
  // Garbage everywhere: as if never started, never a crash.
  s.put(cdir + "/state.json", "{\"startedAt\": 17");
  s.put(cdir + "/exit.json", "\x01\x02garbage");
  s.put(rdir + "/monitor.json", "[1, 2");
  auto st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Created));
  BOOST_TEST(st.exit_code == 0);

  // JSON of the wrong shape reads as missing fields. (exit.json of the wrong shape is not
  // covered: it reads as an exit record of code 0 today.)
  s.put(cdir + "/state.json", "[]");
  s.put(rdir + "/monitor.json", "42");
  BOOST_TEST(int(s.state(r).status) == int(RunState::Created));

  // A torn state.json with a good exit record: the exit stands.
  s.exited(r, 4, kT0, kT0 + kSecond);
  st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Exited));
  BOOST_TEST(st.exit_code == 4);

  // A torn exit.json after a start whose monitor died: exited unexpectedly, not Created.
  s.put(cdir + "/exit.json", "{\"exitCode\":");
  s.started(r, kT0);
  s.monitor(r, false, kT0 + 2, false);
  st = s.state(r);
  BOOST_TEST(int(st.status) == int(RunState::Exited));
  BOOST_TEST(st.exit_code == 255);
}

BOOST_AUTO_TEST_CASE(listing_uses_the_summary_only_when_it_matches_the_config) {
  EngineStore s;
  auto a = s.add(id_of('a'), "older", kT0);
  auto b = s.add(id_of('b'), "newer", kT0 + kSecond);
  auto c = s.add(id_of('c'), "same-time", kT0);
  // A rename killed between config.json and summary.json: the summary names the old config.
  auto sum = read_json_file(s.e->container_dir(a.id) + "/summary.json");
  BOOST_REQUIRE(sum);
  auto cfg = read_json_file(s.e->container_dir(a.id) + "/config.json");
  BOOST_REQUIRE(cfg);
  (*cfg)["Name"] = "renamed";
  BOOST_REQUIRE(write_json_atomic(s.e->container_dir(a.id) + "/config.json", *cfg, 0600, false));
  BOOST_REQUIRE(write_json_atomic(s.e->container_dir(a.id) + "/summary.json", *sum, 0600, false));
  // A garbage summary: the config is read instead.
  s.put(s.e->container_dir(b.id) + "/summary.json", "garbage");
  // Not containers: a torn config, a directory without one, a removal in progress.
  BOOST_REQUIRE(mkdir_p(s.e->container_dir(id_of('d')), 0700));
  s.put(s.e->container_dir(id_of('d')) + "/config.json", "{\"Id\":\"ddd");
  BOOST_REQUIRE(mkdir_p(s.e->container_dir(id_of('e')), 0700));
  BOOST_REQUIRE(mkdir_p(s.e->graph() + "/containers/.removing-" + id_of('f'), 0700));
  // A config without a valid ID.
  BOOST_REQUIRE(mkdir_p(s.e->container_dir(id_of('9')), 0700));
  s.put(s.e->container_dir(id_of('9')) + "/config.json", "{\"Id\":\"short\"}");

  auto l = list_containers(*s.e);
  BOOST_REQUIRE(l);
  BOOST_REQUIRE_EQUAL(l->size(), 3u);
  BOOST_TEST((*l)[0].rec.name == "newer", "newest first");
  BOOST_TEST((*l)[1].rec.id == a.id, "same creation time: by ID");
  BOOST_TEST((*l)[1].rec.name == "renamed", "the config's name, not the stale summary's");
  BOOST_TEST((*l)[2].rec.id == c.id);
}

BOOST_AUTO_TEST_CASE(find_by_id_name_or_prefix) {
  EngineStore s;
  std::string ida = "abc1" + std::string(60, '0'), idb = "abc2" + std::string(60, '0');
  s.add(ida, "web");
  s.add(idb, "db");
  auto found = [&](const std::string& ref) {
    auto c = find_container(*s.e, ref);
    return c ? c->rec.id : "error: " + c.error().msg;
  };
  BOOST_TEST(found(ida) == ida);
  BOOST_TEST(found("web") == ida);
  BOOST_TEST(found("/web") == ida, "Docker's leading slash");
  BOOST_TEST(found("abc2") == idb);
  BOOST_TEST(found("abc") == "error: multiple IDs found with provided prefix: abc");
  BOOST_TEST(found("web2") == "error: No such container: web2");
  BOOST_TEST(found("") == "error: No such container: ");
  BOOST_TEST(found("../web") == "error: No such container: ../web");
  auto err = find_container(*s.e, "abc");
  BOOST_TEST(err.error().code == kConflict);
  BOOST_TEST(find_container(*s.e, "nope").error().code == kNotFound);

  // A name link left by a killed rename (it points at a container that has another name now).
  BOOST_REQUIRE(symlink(("../../containers/" + idb).c_str(), (s.e->graph() + "/names/containers/stale").c_str()) == 0);
  BOOST_TEST(found("stale") == "error: No such container: stale");
}

BOOST_AUTO_TEST_CASE(container_names) {
  for (const char* good : {"ab", "web-1", "a.b_c", "0x", "Web"}) BOOST_TEST(bool(validate_name(good)), good);
  for (const char* bad : {"", "a", "-ab", "_ab", ".ab", "a/b", "a b", "ab:1", "a\nb"})
    BOOST_TEST(!validate_name(bad), bad);
  BOOST_TEST(!validate_name(std::string(254, 'a')));
  BOOST_TEST(bool(validate_name(std::string(253, 'a'))));
  BOOST_TEST(validate_name("-x").error().msg == "Invalid container name (-x), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
}

BOOST_AUTO_TEST_SUITE_END()
