#pragma once
// Container lifecycle operations. Each is one function returning Result; the CLI parses flags
// into the option structs and prints the outcome.

#include "skiff/engine/service.hpp"
#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/podman.hpp"
#include "skiff/monitor/monitor.hpp"
#include "skiff/monitor/protocol.hpp"
#include "skiff/util/json.hpp"

namespace skiff::engine {

/// What an image contributes to a new container (resolved by the caller).
struct ImageDefaults {
  std::string id;          ///< "sha256:…"
  std::string name;        ///< normalised reference
  Json config;             ///< image config's "config" object (Env, Cmd, Entrypoint, …)
  std::vector<std::string> layer_dirs;  ///< overlay lower dirs, topmost first (absolute)
  std::string top_layer;   ///< chain ID of the top layer
  std::string vfs_source;  ///< vfs: the top layer's full snapshot, copied for the container
};

/// Flags of `create`/`run`, as parsed by the CLI.
struct CreateOptions {
  std::string image;        ///< as typed
  std::string rootfs;       ///< --rootfs DIR instead of an image
  std::vector<std::string> command;             ///< after IMAGE
  std::optional<std::string> entrypoint;        ///< --entrypoint ("" clears)
  std::string name;
  bool interactive = false, tty = false, auto_remove = false;
  std::vector<std::string> env, env_files, labels, label_files;
  std::string workdir, user, hostname;
  std::vector<std::string> volumes, mounts, tmpfs;
  bool read_only = false;
  std::string cidfile;
  bool init = false;
  std::string stop_signal;
  std::optional<int> stop_timeout;
  std::vector<std::string> cap_add, cap_drop, security_opt, ulimits, group_add, sysctls;
  bool privileged = false;
  std::string restart = "no";
  std::string log_driver;
  std::vector<std::string> log_opts;
  std::string network;  ///< --network as given ("" = the default: a private network)
  std::vector<std::string> publish, expose;
  bool publish_all = false;       ///< -P
  bool network_explicit = true;   ///< --network was given (else `network` is the default)
  // Names and user networks (engine/netnames.hpp).
  std::vector<std::string> networks;  ///< every --network given (several user networks)
  std::vector<std::string> add_hosts, dns, dns_search, dns_options, network_aliases, links;
  std::string ip, mac_address;
  bool no_hosts = false;
  std::vector<std::string> create_command;  ///< the CLI argv, for inspect Config.CreateCommand
  std::vector<std::pair<std::string, std::string>> resources;  ///< resource flags (resources.hpp)
  PodmanCreate podman;  ///< Podman's options (podman.hpp)
  ServiceOptions service;  ///< --replace, --sdnotify, --pidfile, --health-* … (service.hpp)
  std::string pod;         ///< --pod NAME|ID|new:NAME (pod.hpp); an infra container: its pod's ID
  bool pod_infra = false;  ///< the pod's infra container (pod.hpp)
};

/// Creates a container (does not start it). Returns its record.
Result<ContainerRecord> create_container(Engine& e, const CreateOptions& o, const ImageDefaults* img);

/// A started (or starting) container: the monitor handle, for attaching before go().
struct Starting {
  std::string id;
  monitor::Launch launch;
  bool tty = false, stdin_open = false;
};

/// Prepares and launches the container's monitor; the process waits for Starting::launch.go().
/// Fails with kConflict if it is already running.
Result<Starting> begin_start(Engine& e, const std::string& ref, const std::string& log_level);

/// Starts a container and lets it run (begin_start + go). A running container is left alone.
Status start_container(Engine& e, const std::string& ref, const std::string& log_level);

/// Stops: the stop signal (image StopSignal or --stop-signal), then SIGKILL after `timeout`
/// seconds (nullopt: the container's StopTimeout, default 10). Waits for the exit.
Status stop_container(Engine& e, const std::string& ref, std::optional<int> timeout);

/// Sends `signal` (a number) to the container's process through its monitor.
Status kill_container(Engine& e, const std::string& ref, int signal);

/// Waits for the container to stop; returns its exit code.
Result<int> wait_container(Engine& e, const std::string& ref);

/// Removes a container; `force` stops (kills) a running one first. `volumes`: also its
/// anonymous volumes.
Status remove_container(Engine& e, const std::string& ref, bool force, bool volumes);

/// Deletes what removals killed half-way left (`containers/.removing-<id>`) and, with
/// `incomplete`, container directories whose creation was killed before the config was
/// written. Skips whatever is in progress (its container lock is held).
void sweep_containers(Engine& e, bool incomplete);

/// Renames a container (running ones too).
Status rename_container(Engine& e, const std::string& ref, const std::string& new_name);

/// The `__cleanup` role run by a monitor after its container exited (--rm removal).
int cleanup_main(Engine& e, const std::string& id);

/// Docker's `inspect` JSON for a container.
Json inspect_container(const Engine& e, const Container& c);

/// Parses a signal name or number ("SIGTERM", "TERM", "15", "kill"); nullopt if unknown.
std::optional<int> parse_signal(const std::string& s);

/// Log options for `logs`.
struct LogOptions {
  bool follow = false, timestamps = false;
  int64_t tail = -1;  ///< -1 = all
  int64_t since = 0, until = 0;  ///< ns; 0 = unbounded
};

/// A piece of a log line. A line the container wrote in several writes (a 300 MB line, or
/// one without its newline yet) is stored as several records and comes back as several
/// pieces, so memory stays flat whatever a line's length: `first` on the piece that starts
/// the line (`time` is the line's, for -t), `last` on the one that ends it.
struct LogLine {
  int64_t time = 0;
  bool is_stderr = false;
  bool first = true, last = true;
  std::string text;  ///< includes the trailing '\n' for complete lines (in their last piece)
};

/// Reads the container's log, streaming: calls `sink` per piece of a line, in order; with
/// `follow`, keeps going until the container stops. --tail counts whole lines (a first pass
/// counts them, the second prints the last ones); --since/--until judge a line by its
/// first piece's time. Returns non-OK if the log cannot be read.
Status read_logs(Engine& e, const Container& c, const LogOptions& o,
                 const std::function<void(const LogLine&)>& sink);

/// Flags of `exec`.
struct ExecOptions {
  std::vector<std::string> command;
  bool interactive = false, tty = false, privileged = false;
  std::vector<std::string> env, env_files;
  std::string user, workdir;
};

/// An exec session being started: attach to `run_dir`, then launch.go().
struct ExecStarting {
  std::string session;  ///< session ID (8 hex)
  std::string run_dir;  ///< <run root>/c/<id12>/e-<session>
  monitor::Launch launch;
};

/// Starts a process in a running container under its own small monitor (PTY or pipes, exit
/// code recorded). Errors: the container is not running (naming its state).
Result<ExecStarting> begin_exec(Engine& e, const std::string& ref, const ExecOptions& o, const std::string& log_level);

/// One request on a monitor's control socket at `run_dir`/ctl; Reply::Gone if no monitor listens.
Result<monitor::proto::Reply> monitor_request(const std::string& run_dir, const monitor::proto::Request& req,
                                              int timeout_ms);

/// `top`: the container's processes as `ps -ef` columns (header + rows). With `ps_args`
/// (`aux`, `-o pid,comm`, …), Docker's way: the host's `ps` runs with them (and `-q` with the
/// container's pids when ps accepts it), and of its output the header and the rows of the
/// container's processes are kept (thread rows, PID "-", follow their process). A renamed PID
/// column (`-o user=PID`) is refused, as Docker does; a ps error comes back with ps's message.
Result<std::vector<std::vector<std::string>>> top_container(Engine& e, const std::string& ref,
                                                           const std::vector<std::string>& ps_args = {});

}  // namespace skiff::engine
