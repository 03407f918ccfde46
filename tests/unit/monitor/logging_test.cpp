#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <sys/stat.h>

#include <string>
#include <vector>

#include "../storage/fixture.hpp"
#include "monitor/logging.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

// The container log writer: k8s-file and json-file lines, partial lines, and size rotation
// (one rotated file, `<path>.1`).

using namespace skiff;
using namespace skiff::monitor;
using skiff::test::TempDir;

namespace {

std::vector<std::string> lines_of(const std::string& path) {
  auto text = read_file(path);
  if (!text) return {};
  auto v = split(*text, '\n');
  if (!v.empty() && v.back().empty()) v.pop_back();
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(monitor_logging)

BOOST_AUTO_TEST_CASE(line_formats) {
  const int64_t t = 1'700'000'000'123'456'789;
  BOOST_TEST(k8s_line(t, "stdout", false, "hello") == format_local_rfc3339nano(t) + " stdout F hello\n");
  BOOST_TEST(k8s_line(t, "stderr", true, "") == format_local_rfc3339nano(t) + " stderr P \n");
  auto j = parse_json(json_line(t, "stderr", "a \"quoted\"\n"), "line");
  BOOST_REQUIRE(j);
  BOOST_TEST(json_str(*j, "log") == "a \"quoted\"\n");
  BOOST_TEST(json_str(*j, "stream") == "stderr");
  BOOST_TEST(json_str(*j, "time") == "2023-11-14T22:13:20.123456789Z", "UTC, nanoseconds");
  BOOST_TEST(json_line(t, "stdout", "x").back() == '\n');
}

BOOST_AUTO_TEST_CASE(chunks_split_into_lines) {
  TempDir d;
  auto w = LogWriter::open(d.sub("k8s.log"), "k8s-file", 0);
  BOOST_REQUIRE(w);
  w->write("stdout", "one\ntwo\npart");
  w->write("stderr", "err\n");
  w->write("stdout", "");  // nothing
  auto l = lines_of(d.sub("k8s.log"));
  BOOST_REQUIRE_EQUAL(l.size(), 4u);
  BOOST_TEST(l[0].substr(l[0].find(' ')) == " stdout F one");
  BOOST_TEST(l[1].substr(l[1].find(' ')) == " stdout F two");
  BOOST_TEST(l[2].substr(l[2].find(' ')) == " stdout P part", "no newline yet: a partial entry");
  BOOST_TEST(l[3].substr(l[3].find(' ')) == " stderr F err");

  auto jw = LogWriter::open(d.sub("json.log"), "json-file", 0);
  BOOST_REQUIRE(jw);
  jw->write("stdout", "a\nb");
  auto jl = lines_of(d.sub("json.log"));
  BOOST_REQUIRE_EQUAL(jl.size(), 2u);
  BOOST_TEST(json_str(*parse_json(jl[0], "l"), "log") == "a\n", "json-file keeps the newline, as Docker");
  BOOST_TEST(json_str(*parse_json(jl[1], "l"), "log") == "b");
}

BOOST_AUTO_TEST_CASE(no_file_for_drivers_without_one) {
  TempDir d;
  for (const char* driver : {"none", "journald", "passthrough"}) {
    auto w = LogWriter::open(d.sub("log"), driver, 0);
    BOOST_REQUIRE(w);
    w->write("stdout", "x\n");
    BOOST_TEST(!path_exists(d.sub("log")), driver);
  }
}

BOOST_AUTO_TEST_CASE(rotation_keeps_one_old_file) {
  TempDir d;
  std::string path = d.sub("ctr.log");
  // Each entry is 211 to 246 bytes (a timestamp of up to 35 bytes, stream, tag, 200 bytes of
  // text): three fit in 800 bytes, four do not.
  const std::string line(200, 'x');
  auto w = LogWriter::open(path, "k8s-file", 800);
  BOOST_REQUIRE(w);
  for (int i = 0; i < 3; ++i) w->write("stdout", line + "\n");
  BOOST_TEST(lines_of(path).size() == 3u);
  BOOST_TEST(!path_exists(path + ".1"));
  w->write("stdout", "fourth" + line.substr(6) + "\n");  // would pass 800 bytes: rotate first
  BOOST_TEST(lines_of(path + ".1").size() == 3u);
  BOOST_REQUIRE_EQUAL(lines_of(path).size(), 1u);
  BOOST_TEST(lines_of(path)[0].find("stdout F fourth") != std::string::npos);
  for (int i = 0; i < 6; ++i) w->write("stdout", line + "\n");
  BOOST_TEST(lines_of(path + ".1").size() == 3u, "only one rotated file, replaced each time");
  BOOST_TEST(!path_exists(path + ".2"));
  struct stat st;
  BOOST_REQUIRE(stat(path.c_str(), &st) == 0);
  BOOST_TEST(st.st_size <= 800);

  // An entry larger than the limit is written whole into an empty file (never dropped).
  TempDir e;
  auto big = LogWriter::open(e.sub("log"), "json-file", 10);
  BOOST_REQUIRE(big);
  big->write("stdout", std::string(100, 'y') + "\n");
  BOOST_TEST(lines_of(e.sub("log")).size() == 1u);
  BOOST_TEST(!path_exists(e.sub("log.1")));

  // Reopened (a restart): the size already written counts.
  TempDir f;
  {
    auto a = LogWriter::open(f.sub("log"), "k8s-file", 800);
    BOOST_REQUIRE(a);
    for (int i = 0; i < 3; ++i) a->write("stdout", line + "\n");
  }
  auto b = LogWriter::open(f.sub("log"), "k8s-file", 800);
  BOOST_REQUIRE(b);
  b->write("stdout", line + "\n");
  BOOST_TEST(path_exists(f.sub("log.1")));
  BOOST_TEST(lines_of(f.sub("log")).size() == 1u);

  // No limit: never rotated.
  TempDir g;
  auto n = LogWriter::open(g.sub("log"), "k8s-file", 0);
  BOOST_REQUIRE(n);
  for (int i = 0; i < 50; ++i) n->write("stdout", line + "\n");
  BOOST_TEST(lines_of(g.sub("log")).size() == 50u);
  BOOST_TEST(!path_exists(g.sub("log.1")));
}

BOOST_AUTO_TEST_SUITE_END()
