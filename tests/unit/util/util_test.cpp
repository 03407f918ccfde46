#define BOOST_TEST_DYN_LINK
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/util/fs.hpp"
#include "skiff/util/safe_path.hpp"
#include "skiff/util/sha256.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util)

BOOST_AUTO_TEST_CASE(human_size_matches_docker) {
  BOOST_TEST(human_size(1982451) == "1.98MB");
  BOOST_TEST(human_size(2) == "2B");
  BOOST_TEST(human_size(16) == "16B");
  BOOST_TEST(human_size(69100000) == "69.1MB");
  BOOST_TEST(human_size(1200000000) == "1.2GB");
}

BOOST_AUTO_TEST_CASE(ram_size_never_wraps) {
  BOOST_TEST(*parse_ram_size("64m") == 64 * 1024 * 1024);
  BOOST_TEST(*parse_ram_size("8191p") == int64_t(8191) << 50);
  BOOST_TEST(!parse_ram_size("8192p").has_value());  // 2^63: does not fit
  BOOST_TEST(!parse_ram_size("100000p").has_value());
  BOOST_TEST(!parse_ram_size("99999999999999999999").has_value());
}

BOOST_AUTO_TEST_CASE(human_duration_matches_go_units) {
  const int64_t s = 1000000000;
  BOOST_TEST(human_duration(0) == "Less than a second");
  BOOST_TEST(human_duration(1 * s) == "1 second");
  BOOST_TEST(human_duration(59 * s) == "59 seconds");
  BOOST_TEST(human_duration(60 * s) == "About a minute");
  BOOST_TEST(human_duration(3 * 60 * s) == "3 minutes");
  BOOST_TEST(human_duration(3600 * s) == "About an hour");
  BOOST_TEST(human_duration(5 * 3600 * s) == "5 hours");
  BOOST_TEST(human_duration(3 * 86400 * s) == "3 days");
  BOOST_TEST(human_duration(20 * 86400 * s) == "2 weeks");
  BOOST_TEST(human_duration(100 * 86400 * s) == "3 months");
  BOOST_TEST(human_duration(800 * 86400 * s) == "2 years");
}

BOOST_AUTO_TEST_CASE(rfc3339_round_trip) {
  auto t = parse_rfc3339("2026-11-22T08:17:07.454605633Z");
  BOOST_REQUIRE(t);
  BOOST_TEST(format_rfc3339nano(*t) == "2026-11-22T08:17:07.454605633Z");
  BOOST_TEST(format_rfc3339nano(0) == "0001-01-01T00:00:00Z");
  BOOST_TEST(format_go_time(*t) == "2026-11-22 08:17:07 +0000 UTC");
  BOOST_TEST(*parse_rfc3339("2024-01-01T01:00:00+01:00") == *parse_rfc3339("2024-01-01T00:00:00Z"));
}

BOOST_AUTO_TEST_CASE(go_quote_and_ellipsis) {
  BOOST_TEST(go_quote("sh -c 'exit 3'") == "\"sh -c 'exit 3'\"");
  BOOST_TEST(ellipsis("sh -c 'while true; do sleep 1; done'", 20) == "sh -c 'while true; \xE2\x80\xA6");
  BOOST_TEST(ellipsis("short", 20) == "short");
}

BOOST_AUTO_TEST_CASE(sha256_through_plugin) {
  auto d = sha256_digest("abc");
  BOOST_REQUIRE(d);
  BOOST_TEST(*d == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(clean_path_never_climbs_above_root) {
  BOOST_TEST(clean_path("../../etc//passwd") == "/etc/passwd");
  BOOST_TEST(clean_path("/a/./b/../c/") == "/a/c");
  BOOST_TEST(clean_path("") == "/");
}

BOOST_AUTO_TEST_CASE(open_in_root_keeps_symlinks_inside) {
  char tmpl[] = "/tmp/skiff-ut-XXXXXX";
  BOOST_REQUIRE(mkdtemp(tmpl));
  std::string root = tmpl;
  BOOST_REQUIRE(mkdir((root + "/r").c_str(), 0755) == 0);
  BOOST_REQUIRE(write_file_atomic(root + "/outside", "host").has_value());
  BOOST_REQUIRE(write_file_atomic(root + "/r/inside", "container").has_value());
  BOOST_REQUIRE(symlink("/outside", (root + "/r/abs").c_str()) == 0);
  BOOST_REQUIRE(symlink("../../../outside", (root + "/r/rel").c_str()) == 0);
  auto rfd = open_path(root + "/r", O_RDONLY | O_DIRECTORY);
  BOOST_REQUIRE(rfd);
  // Both links resolve to /outside *inside* the root, which does not exist.
  BOOST_TEST(!open_in_root(rfd->get(), "abs", O_RDONLY));
  BOOST_TEST(!open_in_root(rfd->get(), "/rel", O_RDONLY));
  BOOST_REQUIRE(symlink("/inside", (root + "/r/ok").c_str()) == 0);
  auto fd = open_in_root(rfd->get(), "ok", O_RDONLY);
  BOOST_REQUIRE(fd);
  BOOST_TEST(*read_all(fd->get()) == "container");
  auto made = mkdir_p_in_root(rfd->get(), "/abs/x/y");  // "abs" dangles: created inside
  BOOST_TEST(!made);  // ENOENT/EEXIST style failure: never a directory outside
  struct stat st;
  BOOST_TEST(stat((root + "/outside/x").c_str(), &st) != 0);
  (void)remove_tree(root);
}

BOOST_AUTO_TEST_SUITE_END()
