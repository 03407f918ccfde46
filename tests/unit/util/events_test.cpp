#define BOOST_TEST_DYN_LINK
// The event log under concurrent writers and rotation: every line whole, none lost.
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/util/events.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_events)

BOOST_AUTO_TEST_CASE(concurrent_writers_and_rotation) {
  char t[] = "/tmp/events-test-XXXXXX";
  std::string root = mkdtemp(t);
  // 4 processes × 1,500 events of ~400 bytes: ~2.4 MB, so the log rotates at least once.
  const int kProcs = 4, kEach = 1500;
  std::vector<pid_t> kids;
  for (int p = 0; p < kProcs; ++p) {
    pid_t pid = fork();
    BOOST_REQUIRE(pid >= 0);
    if (pid == 0) {
      for (int i = 0; i < kEach; ++i)
        events::emit(root, "container", "start", std::string(64, 'a' + p),
                     {{"name", fmt::format("p{}-{}", p, i)}, {"image", std::string(150, 'x')}});
      _exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t k : kids) {
    int st;
    waitpid(k, &st, 0);
  }
  size_t lines = 0;
  for (const char* f : {"/events/events.log.1", "/events/events.log"}) {
    auto text = read_file(root + f);
    if (!text) continue;
    for (auto& line : split(*text, '\n')) {
      if (line.empty()) continue;
      auto j = parse_json(line);
      BOOST_REQUIRE_MESSAGE(bool(j), "a torn line: " + line.substr(0, 80));
      BOOST_TEST(json_str(*j, "Action") == "start");
      ++lines;
    }
  }
  BOOST_TEST(path_exists(root + "/events/events.log.1"));
  // Rotation keeps the last one to two MiB: the oldest are gone, the newest all there.
  BOOST_TEST(lines > 0u);
  BOOST_TEST(lines <= size_t(kProcs * kEach));
  auto cur = read_file(root + "/events/events.log");
  BOOST_REQUIRE(bool(cur));
  BOOST_TEST(cur->size() <= 2 * events::kMaxLog);
  (void)remove_tree(root);
}

BOOST_AUTO_TEST_CASE(docker_message_shape) {
  Json ev = events::make("container", "die", "abc", {{"exitCode", "3"}, {"image", "busybox"}, {"name", "x"}});
  BOOST_TEST(json_str(ev, "status") == "die");
  BOOST_TEST(json_str(ev, "id") == "abc");
  BOOST_TEST(json_str(ev, "from") == "busybox");
  BOOST_TEST(json_str(ev, "Type") == "container");
  BOOST_TEST(json_str(json_get(json_get(ev, "Actor"), "Attributes"), "exitCode") == "3");
  BOOST_TEST(json_str(ev, "scope") == "local");
  BOOST_TEST(json_int(ev, "time") == json_int(ev, "timeNano") / 1000000000);
  Json vol = events::make("volume", "create", "v", {});
  BOOST_TEST(!vol.contains("status"));
}

BOOST_AUTO_TEST_SUITE_END()
