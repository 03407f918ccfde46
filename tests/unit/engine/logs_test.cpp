#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include "engine_fixture.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/time.hpp"

// `logs` reading the monitor's files back: the rotated file first, pieces of a line joined,
// --tail by whole lines, --since/--until by a line's first piece, both drivers' formats.

using namespace skiff;
using namespace skiff::engine;
using namespace skiff::test;

namespace {

// A container whose log driver is `driver`; its log files are written by the test.
Container with_log(EngineStore& s, const std::string& driver) {
  auto r = s.add(id_of('a'), "logger");
  auto cfg = read_json_file(s.e->container_dir(r.id) + "/config.json");
  BOOST_REQUIRE(cfg);
  (*cfg)["HostConfig"]["LogConfig"] = Json::object();
  (*cfg)["HostConfig"]["LogConfig"]["Type"] = driver;
  BOOST_REQUIRE(write_json_atomic(s.e->container_dir(r.id) + "/config.json", *cfg, 0600, false));
  auto c = find_container(*s.e, r.id);
  BOOST_REQUIRE(c);
  return *c;
}

std::string k8s(int sec, const std::string& stream, char tag, const std::string& text) {
  return format_rfc3339nano(kT0 + sec * kSecond) + " " + stream + " " + tag + " " + text + "\n";
}

std::string json(int sec, const std::string& stream, const std::string& log) {
  Json j = Json::object();
  j["log"] = log;
  j["stream"] = stream;
  j["time"] = format_rfc3339nano(kT0 + sec * kSecond);
  return to_json(j) + "\n";
}

// The lines as `logs` prints them ("E:" for stderr), pieces joined.
std::string read(EngineStore& s, const Container& c, LogOptions o = {}) {
  std::string out;
  auto st = read_logs(*s.e, c, o, [&](const LogLine& l) {
    if (l.first) out += l.is_stderr ? "E:" : "";
    out += l.text;
  });
  BOOST_REQUIRE_MESSAGE(st, test::why(st));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(engine_logs)

BOOST_AUTO_TEST_CASE(k8s_file_pieces_rotation_and_streams) {
  EngineStore s;
  auto c = with_log(s, "k8s-file");
  std::string dir = s.e->container_dir(c.rec.id);
  s.put(dir + "/ctr.log.1", k8s(1, "stdout", 'F', "one") + k8s(2, "stdout", 'P', "tw"));
  s.put(dir + "/ctr.log", k8s(3, "stdout", 'F', "o") + "garbage line\n" + k8s(4, "stderr", 'F', "err") +
                              k8s(5, "stdout", 'F', "") + k8s(6, "stdout", 'P', "unfinished"));
  BOOST_TEST(read(s, c) == "one\ntwo\nE:err\n\nunfinished");

  LogOptions tail;
  tail.tail = 2;
  BOOST_TEST(read(s, c, tail) == "\nunfinished", "whole lines; an unfinished last one counts when not following");
  tail.tail = 0;
  BOOST_TEST(read(s, c, tail) == "");
  tail.tail = 100;
  BOOST_TEST(read(s, c, tail) == "one\ntwo\nE:err\n\nunfinished");

  LogOptions since;
  since.since = kT0 + 2 * kSecond;
  since.until = kT0 + 4 * kSecond;
  BOOST_TEST(read(s, c, since) == "two\nE:err\n", "a line is judged by its first piece's time");
}

BOOST_AUTO_TEST_CASE(json_file) {
  EngineStore s;
  auto c = with_log(s, "json-file");
  std::string dir = s.e->container_dir(c.rec.id);
  s.put(dir + "/ctr.log", json(1, "stdout", "a \"quoted\" line\n") + json(2, "stderr", "par") +
                              json(3, "stderr", "tial\n") + "{not json\n" + json(4, "stdout", "tab\there\n"));
  BOOST_TEST(read(s, c) == "a \"quoted\" line\nE:partial\ntab\there\n");
  LogOptions tail;
  tail.tail = 1;
  BOOST_TEST(read(s, c, tail) == "tab\there\n");
}

BOOST_AUTO_TEST_CASE(drivers_without_a_log) {
  EngineStore s;
  auto none = with_log(s, "none");
  auto st = read_logs(*s.e, none, {}, [](const LogLine&) {});
  BOOST_REQUIRE(!st);
  BOOST_TEST(st.error().msg == "configured logging driver does not support reading");
  EngineStore p;
  auto pass = with_log(p, "passthrough");
  BOOST_TEST(!read_logs(*p.e, pass, {}, [](const LogLine&) {}));
  EngineStore m;
  auto missing = with_log(m, "k8s-file");
  BOOST_TEST(read(m, missing) == "", "no log written yet: nothing, no error");
}

BOOST_AUTO_TEST_SUITE_END()
