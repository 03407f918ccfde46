#pragma once
// run --timeout SECS (Podman's): the container is killed (SIGKILL) that long after each start;
// its exit is then recorded as -1 (`run` exits 255), as conmon's --timeout. Private to
// src/monitor; Monitor holds one and calls these hooks.

#include <signal.h>
#include <sys/timerfd.h>

#include "skiff/util/fd.hpp"

namespace skiff::monitor {

class RunTimeout {
 public:
  /// `secs` 0: no timer (fd() is -1).
  void setup(int64_t secs) {
    secs_ = secs;
    if (secs > 0) fd_.reset(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  }
  int fd() const { return fd_.get(); }
  void container_started() {
    fired_ = false;
    set(secs_);
  }
  void container_stopped() { set(0); }
  /// The timer went off: kill `pid` if it still runs. True when it did.
  bool on_timer(bool running, pid_t pid) {
    uint64_t n;
    (void)!read(fd_.get(), &n, sizeof n);
    if (!running) return false;
    fired_ = true;
    (void)kill(pid, SIGKILL);
    return true;
  }
  /// The exit code to record: -1 after a timeout.
  int exit_code(int code) const { return fired_ ? -1 : code; }
  bool fired() const { return fired_; }

 private:
  void set(int64_t secs) {
    if (!fd_) return;
    struct itimerspec t{};
    t.it_value.tv_sec = secs;
    timerfd_settime(fd_.get(), 0, &t, nullptr);
  }
  UniqueFd fd_;
  int64_t secs_ = 0;
  bool fired_ = false;
};

}  // namespace skiff::monitor
