#define BOOST_TEST_DYN_LINK
// monitor.json and exit.json: the writer's serialiser and the readers' parser agree, and files
// written by earlier versions (the same keys) read back field by field.
#include <boost/test/unit_test.hpp>

#include "skiff/monitor/state_records.hpp"

using namespace skiff;
using namespace skiff::monitor;

BOOST_AUTO_TEST_SUITE(monitor_state_records)

BOOST_AUTO_TEST_CASE(monitor_record_round_trip) {
  MonitorRecord m;
  m.monitor_pid = 4242;
  m.monitor_start = 987654321;
  m.pid = 4243;
  m.pid_start = 987654400;
  m.started_at = 1700000000123456789;
  m.restart_count = 3;
  m.written_at = 1700000000223456789;
  m.boot_id = "0b7f3c1e-1f5a-4e55-9b0e-3a1c2d3e4f50";
  MonitorRecord r = monitor_record_from_json(to_json(m));
  BOOST_TEST(r.monitor_pid == m.monitor_pid);
  BOOST_TEST(r.monitor_start == m.monitor_start);
  BOOST_TEST(r.pid == m.pid);
  BOOST_TEST(r.pid_start == m.pid_start);
  BOOST_TEST(r.started_at == m.started_at);
  BOOST_TEST(r.restart_count == m.restart_count);
  BOOST_TEST(r.written_at == m.written_at);
  BOOST_TEST(r.boot_id == m.boot_id);
}

BOOST_AUTO_TEST_CASE(monitor_record_as_written_before) {
  // A monitor.json as the monitor wrote it before the struct existed (key order and names).
  auto j = parse_json(R"({"monitorPid":12,"monitorStart":3456,"pid":13,"pidStart":3460,"startedAt":0,)"
                      R"("restartCount":0,"writtenAt":1765000000000000000,"bootId":"abc"})");
  BOOST_REQUIRE(j);
  BOOST_TEST(skiff::to_json(to_json(monitor_record_from_json(*j))) == skiff::to_json(*j));
  MonitorRecord m = monitor_record_from_json(*j);
  BOOST_TEST(m.monitor_pid == 12);
  BOOST_TEST(m.pid_start == 3460u);
  BOOST_TEST(m.started_at == 0);  // set up, waiting for "go"
}

BOOST_AUTO_TEST_CASE(exit_record_round_trip_and_old_file) {
  auto j = parse_json(R"({"exitCode":137,"finishedAt":1765000000500000000,"startedAt":1765000000000000000,)"
                      R"("restartCount":2,"error":"","oomKilled":true})");
  BOOST_REQUIRE(j);
  ExitRecord x = exit_record_from_json(*j);
  BOOST_TEST(x.exit_code == 137);
  BOOST_TEST(x.restart_count == 2);
  BOOST_TEST(x.oom_killed);
  BOOST_TEST(x.error.empty());
  BOOST_TEST(skiff::to_json(to_json(x)) == skiff::to_json(*j));
}

BOOST_AUTO_TEST_CASE(missing_keys_read_as_zero) {
  ExitRecord x = exit_record_from_json(Json::object());
  BOOST_TEST(x.exit_code == 0);
  BOOST_TEST(x.finished_at == 0);
  MonitorRecord m = monitor_record_from_json(Json::object());
  BOOST_TEST(m.boot_id.empty());
  BOOST_TEST(m.monitor_pid == 0);
}

BOOST_AUTO_TEST_SUITE_END()
