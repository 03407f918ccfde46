#pragma once
// Containers as services (issue 14): what `run`/`create` take for systemd units and
// healthchecks, and how it reaches the container record and its monitor.
//
// Record fields (all written at create):
//   Config.Healthcheck   Docker's {Test, Interval, Timeout, StartPeriod, Retries} (ns), from
//                        --health-* or the image's HEALTHCHECK; Test ["NONE"] when disabled
//   extra.sdNotify       conmon | container | healthy | ignore ("" = conmon under NOTIFY_SOCKET)
//   extra.pidFile        --pidfile (the container's pid, written by the monitor at each start)
//   extra.conmonPidFile  --conmon-pidfile (the monitor's pid)
//   extra.healthOnFailure none | kill | restart | stop
// Health state: <graph>/containers/<id>/health.json, Docker's State.Health
// {Status, FailingStreak, Log[≤5]}, written by `healthcheck run` under health.lock.

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/monitor/monitor.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::engine {

struct ContainerRecord;
struct ImageDefaults;

/// The service flags of `create`/`run`.
struct ServiceOptions {
  bool replace = false;            ///< --replace
  std::string sdnotify;            ///< --sdnotify ("" = default)
  std::string pidfile, conmon_pidfile;
  std::optional<std::string> health_cmd;  ///< --health-cmd ("none" disables)
  std::optional<std::string> health_interval;  ///< Go duration or "disable"
  std::optional<int64_t> health_timeout, health_start_period;  ///< ns
  std::optional<int> health_retries;
  std::string health_on_failure;   ///< "" = none
  bool no_healthcheck = false;
};

/// Validates the options and writes them into a new container's record (Config.Healthcheck
/// from the flags over the image's config `image_config`; extra.*).
Status apply_service_options(const ServiceOptions& o, const Json* image_config, ContainerConfig& config,
                             ContainerExtra& extra);

/// --log-driver journald needs the journal's socket, passthrough a container without -t:
/// refused with the reason otherwise (never replaced by another driver).
Status check_log_driver(const std::string& driver, bool tty);
/// Whether containers.conf's default log_driver can be used here (else skiff's default).
bool conf_log_driver_usable(const std::string& driver);
/// `logs` of a journald container: its entries read back with journalctl.
struct LogOptions;
struct LogLine;
Status read_journal_logs(Engine& e, const Container& c, const LogOptions& o,
                         const std::function<void(const LogLine&)>& sink);

/// --replace: removes (forcibly) the container named `name`, if any, so that the create can
/// claim the name. Not an error when there is none.
Status replace_container(Engine& e, const std::string& name);

/// Fills the monitor's service settings (notify mode, pid files, health timer) from a record.
void service_monitor_config(const Engine& e, const ContainerRecord& r, monitor::Config& mc);

/// The container's mounts and environment for --sdnotify=container (the notify socket the
/// monitor listens on, bind-mounted at /run/notify/notify.sock).
Status service_spec(const Engine& e, const ContainerRecord& r, oci::Spec& spec);

/// Docker's Config.Healthcheck of a record (null when none), and whether it is active.
const Json& healthcheck_config(const ContainerRecord& r);
bool healthcheck_enabled(const ContainerRecord& r);

/// State.Health of a container (null when it has no healthcheck).
Json health_state(const Engine& e, const Container& c);

/// Docker's rules for one probe's result, applied to the health state `h` (Status,
/// FailingStreak) of a container started at `started_at` with healthcheck `hc`: a pass makes it
/// healthy; a failure counts towards Retries and then makes it unhealthy, except while it is
/// still starting within StartPeriod.
void apply_probe_result(Json& h, const Json& hc, int exit_code, int64_t probe_start, int64_t started_at);

/// `healthcheck run`: runs the check once in the running container, records the result and
/// returns the new status ("healthy", "unhealthy", "starting").
Result<std::string> run_healthcheck(Engine& e, const std::string& ref, const std::string& log_level);

}  // namespace skiff::engine
