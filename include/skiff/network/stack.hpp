#pragma once
// The user-mode network stack of one container, started and owned by its monitor once the
// container's namespaces exist (the process waits for "go"), stopped when it exits:
//   pasta        pasta -f --config-net … <pid> as the monitor's child (parent-death signal:
//                SIGKILL, so a kill -9 of the monitor takes it along); ready when it writes
//                its pid into a FIFO given as --pid.
//   slirp4netns  slirp4netns --configure --ready-fd --exit-fd <pid> tap0 (exits when the
//                monitor's end of the exit pipe closes, and by parent-death signal).
//   builtin      libslirp, dlopen()ed only by the monitors that use it, on a tap device made
//                inside the container's namespaces by a short-lived helper (its fd comes back
//                over SCM_RIGHTS); driven from the monitor's own loop (pollfds + timeout).
// The monitor must be single-threaded (the helpers fork).

#include <poll.h>
#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "skiff/network/mode.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::network {

class Stack {
 public:
  virtual ~Stack() = default;  ///< stops the stack (kills and reaps its helper)
  /// The helper process (pasta, slirp4netns), or -1 when the stack lives in this process.
  virtual pid_t helper_pid() const { return -1; }
  /// The monitor reaped the helper (its wait status): the container's network is down.
  virtual void helper_exited(int status) { (void)status; }
  /// In-process stacks: fds to poll (appended) and the longest wait before poll_done is due
  /// (ms; lowered, never raised; -1 = no limit).
  virtual void fill(std::vector<struct pollfd>& fds, int& timeout_ms) { (void)fds, (void)timeout_ms; }
  /// After poll: `fds` from the index fill() started at.
  virtual void poll_done(const struct pollfd* fds, size_t n) { (void)fds, (void)n; }
};

/// The container's namespaces, as fds the container process sent (oci::Spec::send_ns_fds).
struct Namespaces {
  int net = -1;
  int user = -1;  ///< -1 when the container has no user namespace of its own (rootful)
};

/// Starts the stack for the container in `ns`. Logs and helper files go to `run_dir`. Errors
/// name the stack and what failed (its own message when it printed one).
Result<std::unique_ptr<Stack>> start_stack(const StackConfig& c, const Namespaces& ns, const std::string& run_dir);

/// Opens the container's tap device `info.iface` inside `ns` (a forked helper joins them),
/// configures the address, MTU and default route from `info`, and returns the tap fd
/// (non-blocking).
Result<UniqueFd> open_tap(const Namespaces& ns, const NetInfo& info);

}  // namespace skiff::network
