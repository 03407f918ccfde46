#pragma once
// The monitor's service duties (issue 14): systemd notification (--sdnotify), the pid files,
// and the healthcheck timer. Each is a small object the monitor loop calls into.
//
// Notification (NOTIFY_SOCKET, systemd's datagram protocol):
//   conmon     at the first start: MAINPID=<monitor> and READY=1
//   container  MAINPID=<monitor> at the first start; the container gets a socket of its own
//              (<run dir>/notify/notify.sock, bind-mounted at /run/notify), and the monitor
//              relays what it sends (READY=1, STATUS=…), never its MAINPID
//   healthy    MAINPID=<monitor> at the first start; READY=1 after the first passing probe
//   ignore     nothing
// Exec sessions never notify.
//
// Health: a timerfd fires every interval while the container runs; each tick forks
// `skiff … healthcheck run <id>` (unless a probe still runs), which records the result in
// health.json. When the probe ends, the monitor reads the status from there and acts
// (--health-on-failure), and reports READY for --sdnotify=healthy.

#include <sys/types.h>

#include <string>

#include "skiff/monitor/monitor.hpp"
#include "skiff/util/fd.hpp"

namespace skiff::monitor {

/// Sends one message to $NOTIFY_SOCKET (path or @abstract); false if there is none.
bool sd_notify(const std::string& msg);

class Notifier {
 public:
  /// Creates the container's notify socket (container mode) and writes --conmon-pidfile.
  Status setup(const Config& c);
  int fd() const { return sock_.get(); }  ///< container mode's socket, else -1
  /// At each start of the container: --pidfile; the first start's notifications.
  void container_started(pid_t pid, bool initial);
  /// A datagram from the container (container mode).
  void on_readable();
  /// A probe passed (healthy mode's READY).
  void healthy();

 private:
  std::string mode_;  // "" when nothing is sent
  std::string pidfile_;
  UniqueFd sock_;
  bool ready_sent_ = false;
};

class HealthTimer {
 public:
  void setup(const Config& c);
  int fd() const { return timer_.get(); }  ///< -1 without a healthcheck timer
  void container_started();
  void container_stopped();
  /// The timer fired: start a probe unless one runs.
  void on_timer();
  /// A child was reaped: true if it was the probe; then `status` is health.json's Status.
  bool reaped(pid_t pid, std::string& status);
  const std::string& on_failure() const { return on_failure_; }

 private:
  void arm(bool on);
  int64_t interval_ns_ = 0;
  std::string on_failure_ = "none", path_;
  std::vector<std::string> argv_;
  UniqueFd timer_;
  pid_t probe_ = -1;
};

}  // namespace skiff::monitor
