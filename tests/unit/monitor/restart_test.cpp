#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <vector>

#include "monitor/restart.hpp"

using namespace skiff::monitor;

namespace {
constexpr int64_t kSecond = 1'000'000'000;
}

BOOST_AUTO_TEST_SUITE(monitor_restart)

BOOST_AUTO_TEST_CASE(policies) {
  for (int code : {0, 1, 137}) {
    BOOST_TEST(!should_restart("no", 0, code, 0, false));
    BOOST_TEST(!should_restart("", 0, code, 0, false));
    BOOST_TEST(!should_restart("sometimes", 0, code, 0, false));
    BOOST_TEST(should_restart("always", 0, code, 0, false));
    BOOST_TEST(should_restart("always", 3, code, 100, false), "a maximum applies to on-failure only");
    BOOST_TEST(should_restart("unless-stopped", 0, code, 7, false));
  }
}

BOOST_AUTO_TEST_CASE(on_failure_and_its_maximum) {
  BOOST_TEST(!should_restart("on-failure", 0, 0, 0, false), "a clean exit ends it");
  BOOST_TEST(should_restart("on-failure", 0, 1, 0, false));
  BOOST_TEST(should_restart("on-failure", 0, 1, 1000, false), "0 = no maximum");
  BOOST_TEST(should_restart("on-failure", 3, 2, 0, false));
  BOOST_TEST(should_restart("on-failure", 3, 2, 2, false));
  BOOST_TEST(!should_restart("on-failure", 3, 2, 3, false), "on-failure:3 runs at most 1 + 3 times");
  BOOST_TEST(!should_restart("on-failure", 1, 255, 1, false));
}

BOOST_AUTO_TEST_CASE(never_after_a_stop) {
  for (const char* p : {"no", "on-failure", "always", "unless-stopped"}) BOOST_TEST(!should_restart(p, 0, 1, 0, true), p);
}

BOOST_AUTO_TEST_CASE(back_off_doubles_up_to_a_minute) {
  // Docker's restart manager: 100 ms before the first restart ("starting at 100mS"), then doubling.
  int64_t d = 0;
  std::vector<int64_t> seen;
  for (int i = 0; i < 12; ++i) seen.push_back(d = next_restart_delay_ms(d, 1 * kSecond));
  BOOST_TEST(seen == (std::vector<int64_t>{100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 60000, 60000}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(back_off_resets_after_a_run_of_ten_seconds) {
  BOOST_TEST(next_restart_delay_ms(60000, 10 * kSecond) == 100);
  BOOST_TEST(next_restart_delay_ms(60000, 3600 * kSecond) == 100);
  BOOST_TEST(next_restart_delay_ms(800, 10 * kSecond - 1) == 1600, "9.99 s is a short run");
}

BOOST_AUTO_TEST_SUITE_END()
