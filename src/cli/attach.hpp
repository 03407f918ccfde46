#pragma once
// The client side of an attached session (run, start -a, attach, exec): terminal raw mode,
// detach keys, resize, signal proxying, stdout/stderr demultiplexing, exit code.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/monitor/monitor.hpp"
#include "skiff/util/result.hpp"

namespace skiff::cli {

struct AttachOptions {
  bool tty = false;          ///< the container has a terminal
  bool stdin_open = false;   ///< forward our stdin (-i)
  bool out = true, err = true;  ///< show the container's stdout / stderr (run --attach picks)
  bool sig_proxy = true;     ///< forward signals to the container (non-tty)
  std::string detach_keys = "ctrl-p,ctrl-q";  ///< "" disables detaching; only with `tty`
};

/// Parses Docker's --detach-keys ("ctrl-p,ctrl-q", "a,ctrl-@"); error names the bad element.
Result<std::string> parse_detach_keys(const std::string& spec);

/// Result of a session: the container's exit code, or that the user detached.
struct AttachResult {
  bool detached = false;
  int exit_code = 0;
};

/// Connects to `run_dir`/attach; if `launch` is given, lets the container start once the
/// connection (and terminal size) is in place, so no output is lost. `ctl_kill` sends a signal
/// to the container (for the signal proxy). Restores the terminal on every path.
Result<AttachResult> attach_session(const std::string& run_dir, const AttachOptions& o, monitor::Launch* launch,
                                    const std::function<void(int)>& ctl_kill);

}  // namespace skiff::cli
