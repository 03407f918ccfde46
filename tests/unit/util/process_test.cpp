#define BOOST_TEST_DYN_LINK
// util/process: wait_child, pidfd_open, ChildProcess.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "skiff/util/process.hpp"

using namespace skiff;

BOOST_AUTO_TEST_SUITE(util_process)

BOOST_AUTO_TEST_CASE(wait_child_returns_the_status) {
  pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) _exit(7);
  auto st = wait_child(pid);
  BOOST_REQUIRE(st);
  BOOST_TEST(WIFEXITED(*st));
  BOOST_TEST(WEXITSTATUS(*st) == 7);
  BOOST_TEST(exit_code_from_status(*st) == 7);
  auto again = wait_child(pid);  // reaped already
  BOOST_TEST(!again);
  BOOST_TEST(again.error().code == ECHILD);
}

BOOST_AUTO_TEST_CASE(pidfd_polls_readable_at_exit) {
  int p[2];
  BOOST_REQUIRE(pipe(p) == 0);
  pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    close(p[1]);
    char c;
    (void)!read(p[0], &c, 1);
    _exit(0);
  }
  close(p[0]);
  auto fd = pidfd_open(pid);
  BOOST_REQUIRE(fd);
  struct pollfd pf{fd->get(), POLLIN, 0};
  BOOST_TEST(poll(&pf, 1, 0) == 0);  // still running
  close(p[1]);                      // let it exit
  BOOST_TEST(poll(&pf, 1, 5000) == 1);
  BOOST_TEST(wait_child(pid).has_value());
  auto gone = pidfd_open(pid);  // reaped: no such process
  BOOST_TEST(!gone);
}

BOOST_AUTO_TEST_CASE(child_process_kills_and_reaps_on_destruction) {
  pid_t pid = fork();
  BOOST_REQUIRE(pid >= 0);
  if (pid == 0) {
    pause();
    _exit(0);
  }
  { ChildProcess c(pid); }
  BOOST_TEST(kill(pid, 0) < 0);  // reaped: no zombie left
  BOOST_TEST(errno == ESRCH);
}

BOOST_AUTO_TEST_SUITE_END()
