#pragma once
// `generate systemd`: systemd unit text in Podman's shapes (pure: unit-tested in
// tests/unit/cli/systemd_unit_test.cpp).
//
//   default  Type=forking: ExecStart=skiff start C, ExecStop/ExecStopPost=skiff stop -t N C,
//            PIDFile=<run root>/c/<id12>/conmon.pid (the monitor's pid, written at each start)
//   --new    Type=notify, NotifyAccess=all: ExecStartPre=/bin/rm -f %t/%n.ctr-id, ExecStart=
//            the container's create command made a `run --cidfile=%t/%n.ctr-id
//            --cgroups=no-conmon --rm --sdnotify=conmon -d --replace …`, ExecStop=stop --ignore
//            -t N --cidfile=…, ExecStopPost=rm -f --ignore -t N --cidfile=…

#include <optional>
#include <string>
#include <vector>

#include "command.hpp"
#include "skiff/util/result.hpp"

namespace skiff::cli {

struct UnitOptions {
  bool is_new = false, use_name = false, no_header = false, is_template = false;
  std::string restart_policy;           ///< "" = on-failure, or the container's own policy
  std::optional<int> restart_sec, stop_time, start_timeout;
  std::string container_prefix = "container", separator = "-";
  std::vector<std::string> after, wants, requires_, env;  ///< env: NAME=VALUE
  std::string exe = "/usr/bin/skiff";   ///< the binary the unit runs
  std::vector<std::string> global_args; ///< global options for the default shape (--root …)
  std::string header_time;              ///< "Mon Dec  7 20:58:03 UTC 2026"
  std::string version = "0.1.0";
};

/// What a unit needs to know of the container.
struct UnitContainer {
  std::string id, name;
  std::string run_root;                       ///< for PIDFile= and RequiresMountsFor=
  std::vector<std::string> create_command;    ///< Config.CreateCommand ("skiff" first)
  int stop_timeout = 10;
  std::string restart_policy;                 ///< HostConfig.RestartPolicy.Name
  std::string sdnotify;                       ///< the container's --sdnotify
};

struct Unit {
  std::string name;  ///< "container-web.service" (template: "container-web@.service")
  std::string text;
};

/// systemd's restart policies Podman accepts.
bool valid_systemd_restart_policy(const std::string& p);

/// The unit of a container. Errors: --template without a create command, a create command
/// that is not a `create`/`run`.
Result<Unit> container_unit(const UnitContainer& c, const UnitOptions& o);

/// The --new ExecStart's arguments (after the binary, quoted for systemd) from a create
/// command: its global options, then `run` with Podman's service flags, then its own options
/// (minus the ones the unit sets) and its image and command. `name_suffix` ("-%i" for
/// templates) goes after the name. `image_at`: the index of the image (lines break before
/// options only up to there).
struct RunArgs {
  std::vector<std::string> words;
  size_t image_at = 0;
};
Result<RunArgs> new_run_args(const Table& t, const std::vector<std::string>& create_command, const std::string& name,
                             const std::string& sdnotify, const std::string& name_suffix);

/// One word of an Exec line as systemd parses it back: quoted when needed, `%` and `$` doubled.
std::string systemd_quote(const std::string& word);

}  // namespace skiff::cli
