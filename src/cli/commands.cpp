// THE command table. Everything about a command's interface is declared here once:
// parsing, --help, man pages (tests/gen-docs.sh) and completion are derived from it.
// Keep kCommands sorted by path (tests/unit/cli/commands_test.cpp checks).
#include "command.hpp"
#include "handlers.hpp"

namespace skiff::cli {

namespace {

constexpr OptSpec kGlobalOpts[] = {
    {"log-level", 0, OptType::String, "Log messages above specified level (trace, debug, info, warn, error, off)",
     "warn", Comp::Enum, "trace debug info warn error off"},
    {"root", 0, OptType::String, "Path to the persistent store (images, containers, volumes)", {}, Comp::Dirs},
    {"runroot", 0, OptType::String, "Path to the volatile state directory", {}, Comp::Dirs},
    {"storage-driver", 0, OptType::String, "Storage driver for a new store (overlay, vfs)", {}, Comp::Enum,
     "overlay vfs"},
    {"version", 'v', OptType::Bool, "Print version information and quit"},
};

constexpr OptSpec kFormatOnly[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
};

constexpr OptSpec kNoOpts[] = {{"help", 0, OptType::Bool, "Print usage", {}, Comp::None, {}, true}};

// Options shared by `create` and `run` (Docker's names, types and help).
#define SKIFF_CREATE_OPTS                                                                                      \
  {"cap-add", 0, OptType::List, "Add Linux capabilities"},                                                     \
      {"cap-drop", 0, OptType::List, "Drop Linux capabilities"},                                               \
      {"cidfile", 0, OptType::String, "Write the container ID to the file", {}, Comp::Files},                 \
      {"entrypoint", 0, OptType::String, "Overwrite the default ENTRYPOINT of the image"},                      \
      {"env", 'e', OptType::List, "Set environment variables"},                                                \
      {"env-file", 0, OptType::List, "Read in a file of environment variables", {}, Comp::Files},              \
      {"expose", 0, OptType::List, "Expose a port or a range of ports"},                                       \
      {"group-add", 0, OptType::List, "Add additional groups to join"},                                        \
      {"hostname", 'h', OptType::String, "Container host name"},                                               \
      {"init", 0, OptType::Bool, "Run an init inside the container that forwards signals and reaps processes"}, \
      {"interactive", 'i', OptType::Bool, "Keep STDIN open even if not attached"},                             \
      {"label", 'l', OptType::List, "Set meta data on a container"},                                           \
      {"label-file", 0, OptType::List, "Read in a line delimited file of labels", {}, Comp::Files},            \
      {"log-driver", 0, OptType::String, "Logging driver for the container (json-file, k8s-file, none)", {},   \
       Comp::Enum, "json-file k8s-file none"},                                                                 \
      {"log-opt", 0, OptType::List, "Log driver options (max-size=SIZE)"},                                     \
      {"mount", 0, OptType::List, "Attach a filesystem mount to the container"},                               \
      {"name", 0, OptType::String, "Assign a name to the container"},                                          \
      {"net", 0, OptType::String, "Connect a container to a network", {}, Comp::Enum, "none host", true},      \
      {"network", 0, OptType::String, "Connect a container to a network (none, host)", "none", Comp::Enum,     \
       "none host"},                                                                                           \
      {"platform", 0, OptType::String, "Set platform if server is multi-platform capable"},                    \
      {"privileged", 0, OptType::Bool, "Give extended privileges to this container"},                          \
      {"publish", 'p', OptType::List, "Publish a container's port(s) to the host"},                            \
      {"pull", 0, OptType::String, "Pull image before running (always, missing, never, newer)", "missing",     \
       Comp::Enum, "always missing never newer"},                                                              \
      {"quiet", 'q', OptType::Bool, "Suppress the pull output"},                                               \
      {"read-only", 0, OptType::Bool, "Mount the container's root filesystem as read only"},                   \
      {"restart", 0, OptType::String, "Restart policy to apply when a container exits", "no", Comp::Enum,      \
       "no always on-failure unless-stopped"},                                                                 \
      {"rm", 0, OptType::Bool, "Automatically remove the container when it exits"},                            \
      {"rootfs", 0, OptType::Bool, "The first argument is an exploded root filesystem directory, not an image"}, \
      {"security-opt", 0, OptType::List, "Security Options (seccomp=unconfined|FILE, no-new-privileges)"},     \
      {"stop-signal", 0, OptType::String, "Signal to stop the container", {}, Comp::Signals},                  \
      {"stop-timeout", 0, OptType::Int, "Timeout (in seconds) to stop a container"},                           \
      {"sysctl", 0, OptType::List, "Sysctl options"},                                                          \
      {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates when pulling", "true"},          \
      {"tmpfs", 0, OptType::List, "Mount a tmpfs directory"},                                                  \
      {"tty", 't', OptType::Bool, "Allocate a pseudo-TTY"},                                                    \
      {"ulimit", 0, OptType::List, "Ulimit options"},                                                          \
      {"user", 'u', OptType::String, "Username or UID (format: <name|uid>[:<group|gid>])"},                    \
      {"volume", 'v', OptType::List, "Bind mount a volume", {}, Comp::Files},                                  \
      {"workdir", 'w', OptType::String, "Working directory inside the container"}

constexpr OptSpec kCreateOpts[] = {SKIFF_CREATE_OPTS};
constexpr OptSpec kRunOpts[] = {
    SKIFF_CREATE_OPTS,
    {"detach", 'd', OptType::Bool, "Run container in background and print container ID"},
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"sig-proxy", 0, OptType::Bool, "Proxy received signals to the process", "true"},
};
constexpr OptSpec kStartOpts[] = {
    {"attach", 'a', OptType::Bool, "Attach STDOUT/STDERR and forward signals"},
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"interactive", 'i', OptType::Bool, "Attach container's STDIN"},
};
constexpr OptSpec kAttachOpts[] = {
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"no-stdin", 0, OptType::Bool, "Do not attach STDIN"},
    {"sig-proxy", 0, OptType::Bool, "Proxy all received signals to the process", "true"},
};
constexpr OptSpec kExecOpts[] = {
    {"detach", 'd', OptType::Bool, "Detached mode: run command in the background"},
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"env", 'e', OptType::List, "Set environment variables"},
    {"env-file", 0, OptType::List, "Read in a file of environment variables", {}, Comp::Files},
    {"interactive", 'i', OptType::Bool, "Keep STDIN open even if not attached"},
    {"privileged", 0, OptType::Bool, "Give extended privileges to the command"},
    {"tty", 't', OptType::Bool, "Allocate a pseudo-TTY"},
    {"user", 'u', OptType::String, "Username or UID (format: \"<name|uid>[:<group|gid>]\")"},
    {"workdir", 'w', OptType::String, "Working directory inside the container"},
};
constexpr OptSpec kPsOpts[] = {
    {"all", 'a', OptType::Bool, "Show all containers (default shows just running)"},
    {"filter", 'f', OptType::List, "Filter output based on conditions provided"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"last", 'n', OptType::Int, "Show n last created containers (includes all states)", "-1"},
    {"latest", 'l', OptType::Bool, "Show the latest created container (includes all states)"},
    {"no-trunc", 0, OptType::Bool, "Don't truncate output"},
    {"quiet", 'q', OptType::Bool, "Only display container IDs"},
    {"size", 's', OptType::Bool, "Display total file sizes"},
};
constexpr OptSpec kStopOpts[] = {
    {"time", 't', OptType::Int, "Seconds to wait before killing the container"},
    {"timeout", 0, OptType::Int, "Seconds to wait before killing the container", {}, Comp::None, {}, true},
};
constexpr OptSpec kKillOpts[] = {
    {"signal", 's', OptType::String, "Signal to send to the container", "KILL", Comp::Signals},
};
constexpr OptSpec kRmOpts[] = {
    {"force", 'f', OptType::Bool, "Force the removal of a running container (uses SIGKILL)"},
    {"volumes", 'v', OptType::Bool, "Remove anonymous volumes associated with the container"},
};
constexpr OptSpec kPruneOpts[] = {
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"until=<timestamp>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kLogsOpts[] = {
    {"follow", 'f', OptType::Bool, "Follow log output"},
    {"since", 0, OptType::String, "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"},
    {"tail", 'n', OptType::String, "Number of lines to show from the end of the logs", "all"},
    {"timestamps", 't', OptType::Bool, "Show timestamps"},
    {"until", 0, OptType::String, "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"},
};
constexpr OptSpec kInspectOpts[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
    {"size", 's', OptType::Bool, "Display total file sizes"},
};

constexpr OptSpec kVolumeCreateOpts[] = {
    {"driver", 'd', OptType::String, "Specify volume driver name", "local"},
    {"label", 0, OptType::List, "Set metadata for a volume"},
    {"name", 0, OptType::String, "Specify volume name", {}, Comp::None, {}, true},
    {"opt", 'o', OptType::Map, "Set driver specific options"},
};
constexpr OptSpec kVolumeLsOpts[] = {
    {"filter", 'f', OptType::List, "Provide filter values (e.g. \"dangling=true\")"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"quiet", 'q', OptType::Bool, "Only display volume names"},
};
constexpr OptSpec kVolumeRmOpts[] = {
    {"force", 'f', OptType::Bool, "Force the removal of one or more volumes"},
};
constexpr OptSpec kVolumePruneOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all unused volumes, not just anonymous ones"},
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"label=<label>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};

constexpr GroupSpec kGroups[] = {
    {"container", "Manage containers"},
    {"system", "Manage skiff"},
    {"volume", "Manage volumes"},
};

constexpr CmdSpec kCommands[] = {
    {"container attach", "attach", "[OPTIONS] CONTAINER", "Attach local standard input, output, and error streams to a running container",
     kAttachOpts, cmd_attach, 1, 1, Comp::RunningContainers},
    {"container create", "create", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create a new container", kCreateOpts,
     cmd_create, 1, -1, Comp::Images, false},
    {"container exec", "exec", "[OPTIONS] CONTAINER COMMAND [ARG...]", "Execute a command in a running container",
     kExecOpts, cmd_exec, 2, -1, Comp::RunningContainers, false},
    {"container inspect", "", "[OPTIONS] CONTAINER [CONTAINER...]", "Display detailed information on one or more containers",
     kInspectOpts, cmd_container_inspect, 1, -1, Comp::Containers},
    {"container kill", "kill", "[OPTIONS] CONTAINER [CONTAINER...]", "Kill one or more running containers", kKillOpts,
     cmd_kill, 1, -1, Comp::RunningContainers},
    {"container logs", "logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container", kLogsOpts, cmd_logs, 1, 1,
     Comp::Containers},
    {"container ls", "ps;container list;container ps", "[OPTIONS]", "List containers", kPsOpts, cmd_ps, 0, 0},
    {"container prune", "", "[OPTIONS]", "Remove all stopped containers", kPruneOpts, cmd_container_prune, 0, 0},
    {"container rename", "rename", "CONTAINER NEW_NAME", "Rename a container", kNoOpts, cmd_rename, 2, 2,
     Comp::Containers},
    {"container restart", "restart", "[OPTIONS] CONTAINER [CONTAINER...]", "Restart one or more containers", kStopOpts,
     cmd_restart, 1, -1, Comp::Containers},
    {"container rm", "rm;container remove", "[OPTIONS] CONTAINER [CONTAINER...]", "Remove one or more containers", kRmOpts,
     cmd_rm, 1, -1, Comp::Containers},
    {"container run", "run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "Create and run a new container from an image", kRunOpts,
     cmd_run, 1, -1, Comp::Images, false},
    {"container start", "start", "[OPTIONS] CONTAINER [CONTAINER...]", "Start one or more stopped containers", kStartOpts,
     cmd_start, 1, -1, Comp::StoppedContainers},
    {"container stop", "stop", "[OPTIONS] CONTAINER [CONTAINER...]", "Stop one or more running containers", kStopOpts,
     cmd_stop, 1, -1, Comp::RunningContainers},
    {"container top", "top", "CONTAINER [ps OPTIONS]", "Display the running processes of a container", kNoOpts, cmd_top,
     1, -1, Comp::RunningContainers},
    {"container wait", "wait", "CONTAINER [CONTAINER...]", "Block until one or more containers stop, then print their exit codes",
     kNoOpts, cmd_wait, 1, -1, Comp::Containers},
    {"help", "", "[COMMAND]", "Show help for a command", kNoOpts, cmd_help, 0, 2, Comp::Commands},
    {"system info", "info", "[OPTIONS]", "Display system-wide information", kFormatOnly, cmd_info, 0, 0},
    {"version", "", "[OPTIONS]", "Show the skiff version information", kFormatOnly, cmd_version, 0, 0},
    {"volume create", "", "[OPTIONS] [VOLUME]", "Create a volume", kVolumeCreateOpts, cmd_volume_create, 0, 1},
    {"volume inspect", "", "[OPTIONS] VOLUME [VOLUME...]", "Display detailed information on one or more volumes",
     kFormatOnly, cmd_volume_inspect, 1, -1, Comp::Volumes},
    {"volume ls", "volume list", "[OPTIONS]", "List volumes", kVolumeLsOpts, cmd_volume_ls, 0, 0},
    {"volume prune", "", "[OPTIONS]", "Remove unused local volumes", kVolumePruneOpts, cmd_volume_prune, 0, 0},
    {"volume rm", "volume remove", "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes", kVolumeRmOpts,
     cmd_volume_rm, 1, -1, Comp::Volumes},
};

}  // namespace

std::span<const CmdSpec> commands() { return kCommands; }
std::span<const OptSpec> global_options() { return kGlobalOpts; }
std::span<const GroupSpec> groups() { return kGroups; }

}  // namespace skiff::cli
