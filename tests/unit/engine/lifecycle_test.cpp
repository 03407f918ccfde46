#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <signal.h>

#include "skiff/engine/lifecycle.hpp"

using namespace skiff::engine;

BOOST_AUTO_TEST_SUITE(engine_lifecycle)

BOOST_AUTO_TEST_CASE(stop_signal_names_and_numbers) {
  // Docker's ParseSignal: a number, or a name with or without SIG, in any case.
  BOOST_TEST(parse_signal("SIGTERM").value_or(-1) == SIGTERM);
  BOOST_TEST(parse_signal("term").value_or(-1) == SIGTERM);
  BOOST_TEST(parse_signal("SigKill").value_or(-1) == SIGKILL);
  BOOST_TEST(parse_signal("sigusr1").value_or(-1) == SIGUSR1);
  BOOST_TEST(parse_signal("WINCH").value_or(-1) == SIGWINCH);
  BOOST_TEST(parse_signal("IOT").value_or(-1) == SIGABRT);
  BOOST_TEST(parse_signal("POLL").value_or(-1) == SIGIO);
  BOOST_TEST(parse_signal("9").value_or(-1) == 9);
  BOOST_TEST(parse_signal("1").value_or(-1) == 1);
  BOOST_TEST(parse_signal(std::to_string(NSIG - 1)).value_or(-1) == NSIG - 1);
}

BOOST_AUTO_TEST_CASE(realtime_signals) {
  BOOST_TEST(parse_signal("SIGRTMIN").value_or(-1) == SIGRTMIN);
  BOOST_TEST(parse_signal("RTMIN+3").value_or(-1) == SIGRTMIN + 3);
  BOOST_TEST(parse_signal("rtmax").value_or(-1) == SIGRTMAX);
  BOOST_TEST(parse_signal("SIGRTMAX-2").value_or(-1) == SIGRTMAX - 2);
  BOOST_TEST(!parse_signal("RTMIN-1"), "below the real-time range");
  BOOST_TEST(!parse_signal("RTMAX+1"), "above it");
  BOOST_TEST(!parse_signal("RTMIN+x"));
}

BOOST_AUTO_TEST_CASE(invalid_signals) {
  for (const char* bad : {"", "0", "-1", "SIG", "SIGNOPE", "TERM ", " 9", "9x", "KILL9", "SIGSIGTERM"})
    BOOST_TEST(!parse_signal(bad), bad);
  BOOST_TEST(!parse_signal(std::to_string(NSIG)));
}

BOOST_AUTO_TEST_SUITE_END()
