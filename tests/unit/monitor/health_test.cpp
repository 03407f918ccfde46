#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "../storage/fixture.hpp"
#include "monitor/health.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"

// The monitor's service duties: what reaches $NOTIFY_SOCKET in each --sdnotify mode, the
// relay of the container's own notifications, and the pid files.

using namespace skiff;
using namespace skiff::monitor;
using skiff::test::TempDir;

namespace {

UniqueFd dgram_bound_to(const std::string& path, bool abstract = false) {
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(s >= 0);
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  memcpy(a.sun_path + (abstract ? 1 : 0), path.c_str(), path.size());
  socklen_t len = socklen_t(offsetof(sockaddr_un, sun_path) + path.size() + (abstract ? 1 : 0));
  BOOST_REQUIRE(bind(s, reinterpret_cast<sockaddr*>(&a), len) == 0);
  return UniqueFd(s);
}

// A fake systemd: the NOTIFY_SOCKET it sets, and the messages it got.
struct FakeSystemd {
  TempDir t;
  UniqueFd fd;
  explicit FakeSystemd(bool abstract = false) {
    std::string name = abstract ? "skiff-test-notify-" + std::to_string(getpid()) : t.sub("notify.sock");
    fd = dgram_bound_to(name, abstract);
    setenv("NOTIFY_SOCKET", ((abstract ? "@" : "") + name).c_str(), 1);
  }
  ~FakeSystemd() { unsetenv("NOTIFY_SOCKET"); }
  std::vector<std::string> got() {
    std::vector<std::string> out;
    char buf[4096];
    for (;;) {
      ssize_t n = recv(fd.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n < 0) break;
      out.emplace_back(buf, size_t(n));
    }
    return out;
  }
};

Config config(const TempDir& run, const std::string& sdnotify) {
  Config c;
  c.run_dir = run.path();
  c.sdnotify = sdnotify;
  return c;
}

const std::string kMain = "MAINPID=" + std::to_string(getpid());

}  // namespace

BOOST_AUTO_TEST_SUITE(monitor_health)

BOOST_AUTO_TEST_CASE(conmon_mode_is_ready_at_the_first_start) {
  FakeSystemd sd;
  TempDir run;
  Config c = config(run, "");  // the default under NOTIFY_SOCKET
  c.pidfile = run.sub("ctr.pid");
  c.conmon_pidfile = run.sub("conmon-flag.pid");
  Notifier n;
  BOOST_REQUIRE(n.setup(c));
  BOOST_TEST(n.fd() == -1, "no socket for the container");
  BOOST_TEST(read_file(run.sub("conmon.pid")).value_or("") == std::to_string(getpid()));
  BOOST_TEST(read_file(run.sub("conmon-flag.pid")).value_or("") == std::to_string(getpid()));
  n.container_started(4242, true);
  BOOST_TEST(sd.got() == (std::vector<std::string>{kMain + "\nREADY=1"}), boost::test_tools::per_element());
  BOOST_TEST(read_file(run.sub("ctr.pid")).value_or("") == "4242");
  n.container_started(4343, false);  // a restart: the pid file follows, systemd hears nothing
  BOOST_TEST(sd.got().empty());
  BOOST_TEST(read_file(run.sub("ctr.pid")).value_or("") == "4343");
}

BOOST_AUTO_TEST_CASE(healthy_mode_is_ready_after_the_first_passing_probe) {
  FakeSystemd sd;
  TempDir run;
  Notifier n;
  BOOST_REQUIRE(n.setup(config(run, "healthy")));
  n.container_started(1, true);
  BOOST_TEST(sd.got() == (std::vector<std::string>{kMain}), boost::test_tools::per_element());
  n.healthy();
  n.healthy();
  BOOST_TEST(sd.got() == (std::vector<std::string>{"READY=1"}), boost::test_tools::per_element());  // once
}

BOOST_AUTO_TEST_CASE(ignore_mode_and_exec_sessions_send_nothing) {
  FakeSystemd sd;
  TempDir run;
  Notifier ignore;
  BOOST_REQUIRE(ignore.setup(config(run, "ignore")));
  ignore.container_started(1, true);
  ignore.healthy();
  BOOST_TEST(sd.got().empty());

  TempDir exec_run;
  Config e = config(exec_run, "");
  e.exec_pid = 77;
  Notifier exec;
  BOOST_REQUIRE(exec.setup(e));
  exec.container_started(1, true);
  BOOST_TEST(sd.got().empty());
  BOOST_TEST(!path_exists(exec_run.sub("conmon.pid")), "an exec monitor is not the unit's main process");
}

BOOST_AUTO_TEST_CASE(container_mode_relays_the_containers_notifications) {
  FakeSystemd sd(true);  // an abstract NOTIFY_SOCKET ("@name") too
  TempDir run;
  Notifier n;
  BOOST_REQUIRE(n.setup(config(run, "container")));
  BOOST_REQUIRE(n.fd() >= 0);
  n.container_started(1, true);
  BOOST_TEST(sd.got() == (std::vector<std::string>{kMain}), boost::test_tools::per_element());  // MAINPID only

  // The container sends on <run dir>/notify/notify.sock (its /run/notify).
  int s = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  BOOST_REQUIRE(s >= 0);
  UniqueFd ctr(s);
  struct sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::string path = run.sub("notify/notify.sock");
  memcpy(a.sun_path, path.c_str(), path.size() + 1);
  auto send_msg = [&](const std::string& m) {
    BOOST_REQUIRE(sendto(s, m.data(), m.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) == ssize_t(m.size()));
  };
  send_msg("MAINPID=1\nSTATUS=starting");
  n.on_readable();
  // Its MAINPID means nothing outside.
  BOOST_TEST(sd.got() == (std::vector<std::string>{"STATUS=starting"}), boost::test_tools::per_element());
  send_msg("READY=1\nSTATUS=up");
  n.on_readable();
  BOOST_TEST(sd.got() == (std::vector<std::string>{kMain + "\nREADY=1\nSTATUS=up"}), boost::test_tools::per_element());
  send_msg("READY=1");
  n.on_readable();
  BOOST_TEST(sd.got().empty(), "READY once");
}

BOOST_AUTO_TEST_CASE(no_notify_socket) {
  unsetenv("NOTIFY_SOCKET");
  BOOST_TEST(!sd_notify("READY=1"));
  TempDir run;
  Notifier n;
  BOOST_REQUIRE(n.setup(config(run, "container")));
  BOOST_TEST(n.fd() == -1, "no systemd: no socket for the container either");
}

BOOST_AUTO_TEST_SUITE_END()
