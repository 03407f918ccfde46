#pragma once
// The per-container monitor (conmon's role): the container's direct parent for its whole life.
// It holds the PTY master or the stdio pipes, writes the log, serves the attach and control
// sockets, relays resizes, forwards signals, restarts per policy, records the exit code and
// finish time atomically (before any cleanup), and finally hands over to `skiff __cleanup`
// (exec of the same binary) for store work such as --rm removal.
//
// Process model: the CLI calls launch(); that forks, the child double-forks with setsid and
// re-execs the skiff binary as `skiff __monitor <config>` (a fresh, single-threaded, small
// process that never loads the I/O plugin). The CLI and the monitor talk over a SOCK_SEQPACKET
// sync socket: M→CLI created | error; CLI→M go (after attaching); M→CLI started | error. If the
// CLI goes away before go, the container starts. Every message on it and on the two sockets
// below is typed in skiff/monitor/protocol.hpp (with its bytes).
//
// Files in the container's run directory (<run root>/c/<id12>/):
//   monitor.json  pid and start time of the monitor and of the container process (atomic)
//   attach        SOCK_SEQPACKET: output and the exit code to clients, stdin and resizes from them
//   ctl           SOCK_SEQPACKET requests (kill, stop, wait, restart-policy, resize), one per
//                 connection: proto::request()
//   exit          the exit code as text, written atomically; its mtime is the finish time

#include <sys/types.h>

#include <string>
#include <vector>

#include "skiff/network/l2switch.hpp"
#include "skiff/network/mode.hpp"
#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::monitor {

inline constexpr int kProtocolVersion = 1;

struct Config {
  std::string id;
  std::string run_dir;      ///< <run root>/c/<id12>
  std::string state_dir;    ///< <graph root>/containers/<id> (exit.json is written here too)
  std::string log_path;     ///< container log file
  std::string log_driver = "k8s-file";  ///< k8s-file | json-file | none
  int64_t log_max_size = 0;             ///< bytes; 0 = unlimited
  std::string restart_policy = "no";    ///< no | on-failure | always | unless-stopped
  int restart_max = 0;                  ///< on-failure:N (0 = unlimited)
  bool auto_remove = false;             ///< --rm
  int stop_signal = 15;
  int stop_timeout = 10;
  int64_t timeout_s = 0;                ///< run --timeout: SIGKILL after that many seconds (0: none)
  std::string log_level = "warn";
  std::vector<std::string> cleanup_argv;  ///< argv of `skiff … __cleanup <id>` (after exit)
  /// Exec sessions: the running container's first process (pid and start time) to join;
  /// 0 = this monitor runs the container itself.
  pid_t exec_pid = 0;
  uint64_t exec_pid_start = 0;
  /// The container's start lock (engine: an OFD lock in the store), held by the caller; the
  /// monitor inherits it as fd 4 and holds it for its whole life (until its --rm removal).
  /// -1: none (exec sessions). Not serialised: the config says only whether fd 4 is it.
  int start_lock_fd = -1;
  bool start_lock = false;
  /// Service settings (engine/service.hpp): --sdnotify ("" = conmon under NOTIFY_SOCKET; exec
  /// sessions never notify), --pidfile, --conmon-pidfile, and the healthcheck timer (health.hpp).
  std::string sdnotify, pidfile, conmon_pidfile;
  int64_t health_interval_ns = 0;       ///< 0: no timer
  std::string health_on_failure = "none";
  std::string health_path;              ///< health.json, read after each probe
  std::vector<std::string> health_argv;  ///< `skiff … healthcheck run <id>`
  /// Published ports to forward (src/monitor/portfwd.hpp). Their host sockets, bound by the
  /// caller (`port_fds`, same order, not serialised), reach the monitor as fds 5, 6, ….
  struct Port {
    std::string proto;  ///< tcp | udp
    uint16_t container_port = 0;
    std::string host;   ///< "0.0.0.0:8080" (for the log)
  };
  std::vector<Port> ports;
  std::vector<int> port_fds;
  std::string name, log_tag;            ///< journald's CONTAINER_NAME and CONTAINER_TAG
  /// passthrough: the caller's stderr, kept by monitor_main before its own goes to
  /// monitor.log (not serialised).
  int passthrough_err_fd = -1;
  oci::Spec spec;
  /// User networks: one tap each in the container's namespace, switched by this monitor.
  std::vector<network::TapSpec> taps;
  /// The user-mode network stack the monitor starts for each run of the container (after
  /// the process is created, before "created" is answered) and stops at its exit; mode
  /// "none" = no stack (none, host, container:, ns:).
  network::StackConfig network;
};

Json to_json(const Config& c);
Result<Config> config_from_json(const Json& j);

/// The CLI's handle on a monitor it launched.
class Launch {
 public:
  pid_t monitor_pid() const { return monitor_pid_; }
  pid_t container_pid() const { return container_pid_; }
  /// Lets the container exec and waits for the outcome (the container's exec error comes back
  /// with kCommandNotFound/kCannotInvoke codes).
  Status go();

 private:
  friend Result<Launch> launch(const Config& cfg);
  UniqueFd sync_;
  pid_t monitor_pid_ = -1;
  pid_t container_pid_ = -1;
};

/// Writes the config to <run_dir>/monitor-config.json, starts the monitor detached, and waits
/// until the container process is set up (or failed). Call Launch::go() to let it run.
Result<Launch> launch(const Config& cfg);

/// What a monitor runs, in its own process, once its container is gone for good and its
/// sockets are closed: the `__cleanup` role (the --rm removal), given Config::cleanup_argv. The
/// engine lives above this module, so the caller passes it in.
using CleanupFn = int (*)(const std::vector<std::string>& argv);

/// Entry point of the `__monitor` role: argv = {config path}; the sync socket is fd 3.
/// With --rm, ends by calling `cleanup` (null: exec'ing cleanup_argv, a fresh skiff process).
/// Returns the process exit status.
int monitor_main(const std::vector<std::string>& args, CleanupFn cleanup = nullptr);

/// Entry point of the hidden `__init` role is not needed: --init runs in the container process.

}  // namespace skiff::monitor
