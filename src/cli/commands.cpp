// THE command table. Everything about a command's interface is declared here once:
// parsing, --help, man pages (`skiff __docgen man`, tests/gen-docs.sh) and shell completion
// (`skiff __complete`) are derived from it.
//
// Adding a command (DEVELOPERS.md "The command table"):
//   1. its options: a `constexpr OptSpec kXxxOpts[]` below (or reuse one), sorted by name;
//   2. one kCommands entry, in path order (designated initializers, declaration order);
//   3. its handler `Result<int> cmd_xxx(Context&, const ParsedArgs&)` in handlers.hpp and
//      src/cli/cmd_<group>.cpp; a new group also needs a kGroups line;
//   4. `make docs` and commit man/ and completions/ (make check-docs fails when stale).
// tests/unit/cli/commands_test.cpp checks the rules (sorted, no duplicates, documented).
#include "command.hpp"
#include "handlers.hpp"
#include "resource_opts.hpp"

namespace skiff::cli {

namespace {

// --network's completions (container:NAME and ns:PATH take a value after the colon).
constexpr const char* kNetworkModes = "bridge none host container: ns: pasta slirp4netns builtin";

constexpr OptSpec kGlobalOpts[] = {
    {"cgroup-manager", 0, OptType::String, "Cgroup manager to use (cgroupfs; systemd needs systemd as PID 1)",
     "cgroupfs", Comp::Enum, "cgroupfs systemd"},
    {"events-backend", 0, OptType::String, "Events backend to use (file, journald, none; accepted, see skiff(1))", {},
     Comp::Enum, "file journald none"},
    {"log-level", 0, OptType::String, "Log messages above specified level (trace, debug, info, warn, error, fatal, panic, off)",
     "warn", Comp::Enum, "trace debug info warn error fatal panic off"},
    {"noout", 0, OptType::Bool, "Do not output to stdout"},
    {"root", 0, OptType::String, "Path to the persistent store (images, containers, volumes)", {}, Comp::Dirs},
    {"runroot", 0, OptType::String, "Path to the volatile state directory", {}, Comp::Dirs},
    {"runtime-flag", 0, OptType::List, "Options for the OCI runtime (accepted; skiff is its own runtime)"},
    {"storage-driver", 0, OptType::String, "Storage driver for a new store (overlay, vfs)", {}, Comp::Enum,
     "overlay vfs"},
    {"tmpdir", 0, OptType::String, "Directory for temporary files (sets TMPDIR)", {}, Comp::Dirs},
    {"version", 'v', OptType::Bool, "Print version information and quit"},
    {"volumepath", 0, OptType::String, "Volume directory (must be <root>/volumes: skiff keeps volumes in the store)",
     {}, Comp::Dirs},
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
    {"noheading", 0, OptType::Bool, "Do not print headers"},
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
    {"builder", "Manage builds"},
    {"buildx", "Build with BuildKit's command names (skiff's own builder)"},
    {"container", "Manage containers"},
    {"generate", "Generate structured data based on containers"},
    {"healthcheck", "Manage health checks on containers"},
    {"image", "Manage images"},
    {"manifest", "Manage manifest lists"},
    {"network", "Manage networks"},
    {"pod", "Manage pods"},
    {"system", "Manage skiff"},
    {"volume", "Manage volumes"},
};

// ---- option tables (sorted by name) ----

// Options shared by `create` and `run` (Docker's names, types and help).
#define SKIFF_CREATE_OPTS                                                                                      \
  {"add-host", 0, OptType::List, "Add a custom host-to-IP mapping (host:ip)"},                                 \
  {"annotation", 0, OptType::List, "Add an annotation to the container (KEY=VALUE)"},                          \
      {"attach", 'a', OptType::List, "Attach to STDIN, STDOUT or STDERR", {}, Comp::Enum, "stdin stdout stderr"}, \
      {"arch", 0, OptType::String, "Use ARCH instead of the host's architecture (when pulling)"},              \
      {"authfile", 0, OptType::String, "Path of the registry authentication file (when pulling)", {}, Comp::Files}, \
      {"cap-add", 0, OptType::List, "Add Linux capabilities"},                                                 \
      {"cert-dir", 0, OptType::String, "Directory of registry certificates, certs.d layout (when pulling)", {}, \
       Comp::Dirs},                                                                                            \
      {"creds", 0, OptType::String, "Registry credentials USERNAME:PASSWORD (when pulling)"},                  \
      {"cap-drop", 0, OptType::List, "Drop Linux capabilities"},                                               \
      {"cidfile", 0, OptType::String, "Write the container ID to the file", {}, Comp::Files},                 \
      {"conmon-pidfile", 0, OptType::String, "Write the pid of the container's monitor to the file", {},         \
       Comp::Files},                                                                                           \
      {"dns", 0, OptType::List, "Set custom DNS servers"},                                                     \
      {"dns-option", 0, OptType::List, "Set DNS options"},                                                     \
      {"dns-search", 0, OptType::List, "Set custom DNS search domains"},                                        \
      {"entrypoint", 0, OptType::String, "Overwrite the default ENTRYPOINT of the image"},                      \
      {"env", 'e', OptType::List, "Set environment variables"},                                                \
      {"env-file", 0, OptType::List, "Read in a file of environment variables", {}, Comp::Files},              \
      {"env-host", 0, OptType::Bool, "Use all current host environment variables in the container"},           \
      {"expose", 0, OptType::List, "Expose a port or a range of ports"},                                       \
      {"gidmap", 0, OptType::List, "GID map for the user namespace (CONTAINER_GID:FROM_GID:AMOUNT)"},           \
      {"group-add", 0, OptType::List, "Add additional groups to join"},                                        \
      {"health-cmd", 0, OptType::String, "Command to run to check health (\"none\" disables the image's)"},      \
      {"health-interval", 0, OptType::String, "Time between running the check (\"disable\": no timer)", "30s"}, \
      {"health-on-failure", 0, OptType::String, "Action when the container turns unhealthy", "none",            \
       Comp::Enum, "kill none restart stop"},                                                                  \
      {"health-retries", 0, OptType::Int, "Consecutive failures needed to report unhealthy", "3"},              \
      {"health-start-period", 0, OptType::Duration, "Start period for the container to initialize before "     \
       "starting health-retries countdown", "0s"},                                                             \
      {"health-timeout", 0, OptType::Duration, "Maximum time to allow one check to run", "30s"},                \
      {"hostname", 'h', OptType::String, "Container host name"},                                               \
      {"http-proxy", 0, OptType::Bool, "Set the host's proxy environment variables in the container", "true"},  \
      {"init", 0, OptType::Bool, "Run an init inside the container that forwards signals and reaps processes"}, \
      {"interactive", 'i', OptType::Bool, "Keep STDIN open even if not attached"},                             \
      {"ip", 0, OptType::String, "IPv4 address on a user network (e.g., 10.89.0.10)"},                         \
      {"label", 'l', OptType::List, "Set meta data on a container"},                                           \
      {"label-file", 0, OptType::List, "Read in a line delimited file of labels", {}, Comp::Files},            \
      {"link", 0, OptType::List, "Add link to another container", {}, Comp::Containers},                     \
      {"log-driver", 0, OptType::String, "Logging driver for the container (json-file, k8s-file, journald, "    \
       "passthrough, none)", {}, Comp::Enum, "journald json-file k8s-file none passthrough"},                  \
      {"log-opt", 0, OptType::List, "Log driver options (max-size=SIZE)"},                                     \
      {"mac-address", 0, OptType::String, "Container MAC address (e.g., 92:d0:c6:0a:29:33)"},                  \
      {"mount", 0, OptType::List, "Attach a filesystem mount to the container"},                               \
      {"name", 0, OptType::String, "Assign a name to the container"},                                          \
      {"net", 0, OptType::String, "Connect a container to a network", {}, Comp::Enum, kNetworkModes, true},    \
      {"network", 0, OptType::String, "Connect a container to a network (bridge, none, host, container:NAME, a user network, ...)", \
       "bridge", Comp::Networks},                                                                              \
      {"network-alias", 0, OptType::List, "Add network-scoped alias for the container"},                       \
      {"no-hosts", 0, OptType::Bool, "Do not create /etc/hosts for the container (the image's is used)"},     \
      {"no-healthcheck", 0, OptType::Bool, "Disable any container-specified HEALTHCHECK"},                      \
      {"pidfile", 0, OptType::String, "Write the container process's pid to the file", {}, Comp::Files},      \
      {"os", 0, OptType::String, "Use OS instead of the host's operating system (when pulling)"},              \
      {"passwd-entry", 0, OptType::String, "The /etc/passwd line for keep-id ($USERNAME, $UID, $GID, $NAME, $HOME)"},  \
      {"platform", 0, OptType::String, "Set platform if server is multi-platform capable"},                    \
      {"pod", 0, OptType::String, "Run the container in a pod (NAME, ID, or new:NAME to create it)", {}, Comp::Pods}, \
      {"pod-id-file", 0, OptType::String, "Read the pod ID from the file (as --pod)", {}, Comp::Files},        \
      {"privileged", 0, OptType::Bool, "Give extended privileges to this container"},                          \
      {"publish", 'p', OptType::List, "Publish a container's port(s) to the host"},                            \
      {"publish-all", 'P', OptType::Bool, "Publish all exposed ports to random ports"},                         \
      {"pull", 0, OptType::String, "Pull image before running (always, missing, never, newer)", "missing",     \
       Comp::Enum, "always missing never newer"},                                                              \
      {"quiet", 'q', OptType::Bool, "Suppress the pull output"},                                               \
      {"read-only", 0, OptType::Bool, "Mount the container's root filesystem as read only"},                   \
      {"replace", 0, OptType::Bool, "Replace (stop and remove) an existing container of the same name"},        \
      {"requires", 0, OptType::List, "Containers to start before this one (and that rm refuses to remove first)"}, \
      {"restart", 0, OptType::String, "Restart policy to apply when a container exits", "no", Comp::Enum,      \
       "no always on-failure unless-stopped"},                                                                 \
      {"rm", 0, OptType::Bool, "Automatically remove the container when it exits"},                            \
      {"rootfs", 0, OptType::Bool, "The first argument is an exploded root filesystem directory, not an image"}, \
      {"sdnotify", 0, OptType::String, "How to use systemd's NOTIFY_SOCKET (conmon, container, healthy, "       \
       "ignore)", "conmon", Comp::Enum, "conmon container healthy ignore"},                                    \
      {"security-opt", 0, OptType::List, "Security Options (seccomp=unconfined|FILE, no-new-privileges)"},     \
      {"stop-signal", 0, OptType::String, "Signal to stop the container", {}, Comp::Signals},                  \
      {"stop-timeout", 0, OptType::Int, "Timeout (in seconds) to stop a container"},                           \
      {"subgidname", 0, OptType::String, "Name in /etc/subgid of the GID ranges for the user namespace"},  \
      {"subuidname", 0, OptType::String, "Name in /etc/subuid of the UID ranges for the user namespace"},  \
      {"sysctl", 0, OptType::List, "Sysctl options"},                                                          \
      {"systemd", 0, OptType::String, "Run container in systemd mode (true: when the command is systemd or an init; false, always)", \
       "true", Comp::Enum, "always false true"},                                                                \
      {"timeout", 0, OptType::Int, "Kill the container after that many seconds (0: no limit)", "0"},          \
      {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates when pulling", "true"},          \
      {"tmpfs", 0, OptType::List, "Mount a tmpfs directory"},                                                  \
      {"tty", 't', OptType::Bool, "Allocate a pseudo-TTY"},                                                    \
      {"tz", 0, OptType::String, "Set the container's time zone (a zone name, or local)"},                     \
      {"uidmap", 0, OptType::List, "UID map for the user namespace (CONTAINER_UID:FROM_UID:AMOUNT)"},           \
      {"ulimit", 0, OptType::List, "Ulimit options"},                                                          \
      {"user", 'u', OptType::String, "Username or UID (format: <name|uid>[:<group|gid>])"},                    \
      {"userns", 0, OptType::String, "User namespace: keep-id[:uid=U,gid=G] (rootless), host, auto, nomap"},    \
      {"variant", 0, OptType::String, "Use VARIANT instead of the host's architecture variant (when pulling)"}, \
      {"volume", 'v', OptType::List, "Bind mount a volume", {}, Comp::Files},                                  \
      {"workdir", 'w', OptType::String, "Working directory inside the container"}

constexpr OptSpec kCreateOpts[] = {SKIFF_CREATE_OPTS, SKIFF_RESOURCE_OPTS};
constexpr OptSpec kRunOpts[] = {
    SKIFF_CREATE_OPTS,
    SKIFF_RESOURCE_OPTS,
    {"detach", 'd', OptType::Bool, "Run container in background and print container ID"},
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"sig-proxy", 0, OptType::Bool, "Proxy received signals to the process", "true"},
};
constexpr OptSpec kStartOpts[] = {
    {"all", 0, OptType::Bool, "Start all containers (with --filter: those that match)"},
    {"attach", 'a', OptType::Bool, "Attach STDOUT/STDERR and forward signals"},
    {"cidfile", 0, OptType::List, "Read the container ID from the file", {}, Comp::Files},
    {"detach-keys", 0, OptType::String, "Override the key sequence for detaching a container"},
    {"filter", 'f', OptType::List, "With --all: start the containers that match (id, name, label, status, restart-policy)"},
    {"ignore", 0, OptType::Bool, "Ignore errors when a container (or --cidfile) does not exist"},
    {"interactive", 'i', OptType::Bool, "Attach container's STDIN"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
};
constexpr OptSpec kMountOpts[] = {
    {"all", 'a', OptType::Bool, "Mount all containers"},
    {"format", 0, OptType::String, "Print the mounted containers in specified format (json)", {}, Comp::Enum, "json"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"no-trunc", 0, OptType::Bool, "Do not truncate output"},
    {"notruncate", 0, OptType::Bool, "Do not truncate output", {}, Comp::None, {}, true},
};
constexpr OptSpec kUmountOpts[] = {
    {"all", 'a', OptType::Bool, "Unmount all of the currently mounted containers"},
    {"force", 'f', OptType::Bool, "Force the complete unmount of the specified mounted containers"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
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
    {"external", 0, OptType::Bool, "Show containers in storage not controlled by skiff (there are none)"},
    {"filter", 'f', OptType::List, "Filter output based on conditions provided"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"last", 'n', OptType::Int, "Show n last created containers (includes all states)", "-1"},
    {"latest", 'l', OptType::Bool, "Show the latest created container (includes all states)"},
    {"no-trunc", 0, OptType::Bool, "Don't truncate output"},
    {"noheading", 0, OptType::Bool, "Do not print headers"},
    {"pod", 'p', OptType::Bool, "Print the ID and name of the pod the containers are in"},
    {"quiet", 'q', OptType::Bool, "Only display container IDs"},
    {"size", 's', OptType::Bool, "Display total file sizes"},
    {"sort", 0, OptType::String, "Sort output by: command, created, id, image, names, runningfor, size, status",
     "created", Comp::Enum, "command created id image names runningfor size status"},
};
constexpr OptSpec kAutoUpdateOpts[] = {
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
    {"dry-run", 0, OptType::Bool, "Check for pending updates without pulling or restarting"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"rollback", 0, OptType::Bool, "Roll back to the previous image if the restarted unit fails", "true"},
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates when contacting registries", "true"},
};
constexpr OptSpec kGenerateSystemdOpts[] = {
    {"after", 0, OptType::List, "Add dependencies order to the generated unit file"},
    {"container-prefix", 0, OptType::String, "Systemd unit name prefix for containers", "container"},
    {"env", 'e', OptType::List, "Set environment variables to the systemd unit files"},
    {"files", 'f', OptType::Bool, "Generate .service files instead of printing to stdout"},
    {"format", 0, OptType::String, "Print the created units in specified format (json)", {}, Comp::Enum, "json"},
    {"name", 'n', OptType::Bool, "Use container/pod names instead of IDs"},
    {"new", 0, OptType::Bool, "Create a new container instead of starting an existing one"},
    {"no-header", 0, OptType::Bool, "Skip header generation"},
    {"requires", 0, OptType::List, "Similar to wants, but declares stronger requirement dependencies"},
    {"restart-policy", 0, OptType::String, "Systemd restart-policy", "on-failure", Comp::Enum,
     "always no on-abnormal on-abort on-failure on-success on-watchdog"},
    {"restart-sec", 0, OptType::Uint, "Configures the time to sleep before restarting a service"},
    {"separator", 0, OptType::String, "Systemd unit name separator between name/id and prefix", "-"},
    {"start-timeout", 0, OptType::Uint, "Start timeout override"},
    {"template", 0, OptType::Bool, "Make it a template file and use %i and %I specifiers"},
    {"time", 't', OptType::Uint, "Stop timeout override", "10"},
    {"wants", 0, OptType::List, "Add (weak) requirement dependencies to the generated unit file"},
};
constexpr OptSpec kSystemdGeneratorOpts[] = {
    {"dryrun", 0, OptType::Bool, "Print the units instead of writing them"},
    {"no-kmsg-log", 0, OptType::Bool, "Accepted for Quadlet's sake (messages go to stderr)"},
    {"user", 0, OptType::Bool, "Generate user units (from the user's directories)"},
};
constexpr OptSpec kStopOpts[] = {
    {"all", 'a', OptType::Bool, "Stop all running containers"},
    {"cidfile", 0, OptType::List, "Read the container ID from the file", {}, Comp::Files},
    {"filter", 'f', OptType::List, "Act on the containers that match the filter (as ps --filter)"},
    {"ignore", 'i', OptType::Bool, "Ignore errors when a container (or --cidfile) does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"time", 't', OptType::Int, "Seconds to wait before killing the container"},
    {"timeout", 0, OptType::Int, "Seconds to wait before killing the container", {}, Comp::None, {}, true},
};
constexpr OptSpec kRestartOpts[] = {
    {"all", 'a', OptType::Bool, "Restart all containers"},
    {"cidfile", 0, OptType::List, "Read the container ID from the file", {}, Comp::Files},
    {"filter", 'f', OptType::List, "Act on the containers that match the filter (as ps --filter)"},
    {"ignore", 'i', OptType::Bool, "Ignore errors when a container (or --cidfile) does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"running", 0, OptType::Bool, "With --all, restart only running containers"},
    {"time", 't', OptType::Int, "Seconds to wait before killing the container"},
    {"timeout", 0, OptType::Int, "Seconds to wait before killing the container", {}, Comp::None, {}, true},
};
constexpr OptSpec kKillOpts[] = {
    {"all", 'a', OptType::Bool, "Signal all running containers"},
    {"cidfile", 0, OptType::List, "Read the container ID from the file", {}, Comp::Files},
    {"ignore", 0, OptType::Bool, "Ignore errors when a container (or --cidfile) does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"signal", 's', OptType::String, "Signal to send to the container", "KILL", Comp::Signals},
};
constexpr OptSpec kRmOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all containers"},
    {"cidfile", 0, OptType::List, "Read the container ID from the file", {}, Comp::Files},
    {"depend", 0, OptType::Bool, "Also remove the containers that depend on (--requires) the container"},
    {"filter", 0, OptType::List, "Act on the containers that match the filter (as ps --filter)"},
    {"force", 'f', OptType::Bool, "Force the removal of a running container (uses SIGKILL)"},
    {"ignore", 'i', OptType::Bool, "Ignore errors when a container (or --cidfile) does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"time", 't', OptType::Int, "Seconds to wait for a stop before killing the container (with --force)"},
    {"volumes", 'v', OptType::Bool, "Remove anonymous volumes associated with the container"},
};
constexpr OptSpec kWaitOpts[] = {
    {"condition", 0, OptType::List, "Condition to wait on (stopped, exited, running, created, paused, removing, ...)"},
    {"interval", 'i', OptType::String, "Time interval between polls of the state", "250ms"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
};
constexpr OptSpec kExistsOpts[] = {
    {"external", 0, OptType::Bool, "Check external storage containers as well (skiff has none)"},
};
constexpr OptSpec kPruneOpts[] = {
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"until=<timestamp>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kLogsOpts[] = {
    {"color", 0, OptType::Bool, "Color each container's name prefix (with --names)"},
    {"follow", 'f', OptType::Bool, "Follow log output"},
    {"latest", 'l', OptType::Bool, "Act on the latest container created"},
    {"names", 0, OptType::Bool, "Prefix each line with the container's name"},
    {"since", 0, OptType::String, "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"},
    {"tail", 'n', OptType::String, "Number of lines to show from the end of the logs", "all"},
    {"timestamps", 't', OptType::Bool, "Show timestamps"},
    {"until", 0, OptType::String, "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. \"42m\" for 42 minutes)"},
};
constexpr OptSpec kInspectOpts[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
    {"size", 's', OptType::Bool, "Display total file sizes"},
};

constexpr OptSpec kCommitOpts[] = {
    {"author", 'a', OptType::String, "Author (e.g., \"John Hannibal Smith <hannibal@a-team.com>\")"},
    {"change", 'c', OptType::List, "Apply Dockerfile instruction to the created image"},
    {"message", 'm', OptType::String, "Commit message"},
    {"pause", 'p', OptType::Bool, "Pause container during commit (accepted; skiff cannot freeze yet)", "true"},
    {"quiet", 'q', OptType::Bool, "Suppress output (the image ID is still printed)"},
};
constexpr OptSpec kCpOpts[] = {
    {"archive", 'a', OptType::Bool, "Archive mode (copy all uid/gid information)"},
    {"follow-link", 'L', OptType::Bool, "Always follow symbol link in SRC_PATH"},
    {"pause", 0, OptType::Bool, "Pause the container while copying (accepted; skiff cannot freeze yet)", "true"},
    {"quiet", 'q', OptType::Bool, "Suppress progress output during copy (skiff prints none)"},
};
constexpr OptSpec kDiffOpts[] = {
    {"format", 0, OptType::String, "Format the output: 'json' prints an object of changed, added and deleted paths",
     {}, Comp::Enum, "json"},
};
constexpr OptSpec kExportOpts[] = {
    {"output", 'o', OptType::String, "Write to a file, instead of STDOUT", {}, Comp::Files},
};
constexpr OptSpec kImportOpts[] = {
    {"change", 'c', OptType::List, "Apply Dockerfile instruction to the created image"},
    {"message", 'm', OptType::String, "Set commit message for imported image"},
    {"platform", 0, OptType::String, "Set platform if server is multi-platform capable"},
};
constexpr OptSpec kSystemPruneOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all unused images not just dangling ones"},
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"label=<key>=<value>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
    {"volumes", 0, OptType::Bool, "Prune anonymous volumes"},
};

constexpr OptSpec kPauseOpts[] = {
    {"all", 'a', OptType::Bool, "Act on all containers (running ones for pause, paused ones for unpause)"},
};
constexpr OptSpec kStatsOpts[] = {
    {"all", 'a', OptType::Bool, "Show all containers (default shows just running)"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"no-stream", 0, OptType::Bool, "Disable streaming stats and only pull the first result"},
    {"no-trunc", 0, OptType::Bool, "Do not truncate output"},
};
constexpr OptSpec kUpdateOpts[] = {
    {"blkio-weight", 0, OptType::Uint, "Block IO (relative weight), between 10 and 1000, or 0 to disable", "0"},
    {"cpu-period", 0, OptType::Int, "Limit CPU CFS (Completely Fair Scheduler) period"},
    {"cpu-quota", 0, OptType::Int, "Limit CPU CFS (Completely Fair Scheduler) quota"},
    {"cpu-rt-period", 0, OptType::Int, "Limit the CPU real-time period in microseconds"},
    {"cpu-rt-runtime", 0, OptType::Int, "Limit the CPU real-time runtime in microseconds"},
    {"cpu-shares", 'c', OptType::Int, "CPU shares (relative weight)"},
    {"cpus", 0, OptType::String, "Number of CPUs"},
    {"cpuset-cpus", 0, OptType::String, "CPUs in which to allow execution (0-3, 0,1)"},
    {"cpuset-mems", 0, OptType::String, "MEMs in which to allow execution (0-3, 0,1)"},
    {"kernel-memory", 0, OptType::Bytes, "Kernel memory limit (ignored, as Docker's)"},
    {"memory", 'm', OptType::Bytes, "Memory limit"},
    {"memory-reservation", 0, OptType::Bytes, "Memory soft limit"},
    {"memory-swap", 0, OptType::String, "Swap limit equal to memory plus swap: -1 to enable unlimited swap"},
    {"pids-limit", 0, OptType::Int, "Tune container pids limit (set -1 for unlimited)"},
    {"restart", 0, OptType::String, "Restart policy to apply when a container exits", {}, Comp::Enum,
     "no always on-failure unless-stopped"},
};
constexpr OptSpec kEventsOpts[] = {
    {"filter", 'f', OptType::List, "Filter output based on conditions provided"},
    {"format", 0, OptType::String, "Format output using a custom template: 'json', or a Go template"},
    {"since", 0, OptType::String, "Show all events created since timestamp"},
    {"stream", 0, OptType::Bool, "Keep following new events (--stream=false: print the past ones and exit)", "true"},
    {"until", 0, OptType::String, "Stream events until this timestamp"},
};
constexpr OptSpec kNetworkCreateOpts[] = {
    {"driver", 'd', OptType::String, "Driver to manage the Network", "bridge", Comp::Enum, "bridge"},
    {"gateway", 0, OptType::String, "IPv4 Gateway for the master subnet"},
    {"internal", 0, OptType::Bool, "Restrict external access to the network"},
    {"label", 0, OptType::List, "Set metadata on a network"},
    {"opt", 'o', OptType::List, "Set driver specific options"},
    {"subnet", 0, OptType::String, "Subnet in CIDR format that represents a network segment"},
};
constexpr OptSpec kNetworkLsOpts[] = {
    {"filter", 'f', OptType::List, "Provide filter values (e.g. \"driver=bridge\")"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"no-trunc", 0, OptType::Bool, "Do not truncate the output"},
    {"quiet", 'q', OptType::Bool, "Only display network IDs"},
};
constexpr OptSpec kNetworkRmOpts[] = {
    {"force", 'f', OptType::Bool, "Do not error if the network does not exist; remove the containers using it"},
};
constexpr OptSpec kNetworkPruneOpts[] = {
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"until=<timestamp>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kNetworkConnectOpts[] = {
    {"alias", 0, OptType::List, "Add network-scoped alias for the container"},
    {"ip", 0, OptType::String, "IPv4 address (e.g., 10.89.0.10)"},
};
constexpr OptSpec kNetworkDisconnectOpts[] = {
    {"force", 'f', OptType::Bool, "Force the container to disconnect from a network"},
};
constexpr OptSpec kNetworkReloadOpts[] = {
    {"all", 'a', OptType::Bool, "Reload the names of all running containers"},
};
constexpr OptSpec kPodCreateOpts[] = {
    {"add-host", 0, OptType::List, "Add a custom host-to-IP mapping (host:ip) for the pod's containers"},
    {"dns", 0, OptType::List, "Set custom DNS servers for the pod's containers"},
    {"dns-option", 0, OptType::List, "Set DNS options for the pod's containers"},
    {"dns-search", 0, OptType::List, "Set custom DNS search domains for the pod's containers"},
    {"exit-policy", 0, OptType::String, "Behaviour when the last container exits (continue; stop is refused)", "continue", Comp::Enum, "continue"},
    {"hostname", 0, OptType::String, "Set the pod's hostname (default: its name)"},
    {"infra", 0, OptType::Bool, "Create an infra container holding the pod's namespaces", "true"},
    {"infra-name", 0, OptType::String, "Name of the infra container (default: <pod id>-infra)"},
    {"label", 'l', OptType::List, "Set metadata on the pod (KEY=VALUE)"},
    {"label-file", 0, OptType::List, "Read in a line delimited file of labels", {}, Comp::Files},
    {"name", 'n', OptType::String, "Assign a name to the pod"},
    {"network", 0, OptType::String, "The pod's network (bridge, none, host, pasta, a user network, ...)", {}, Comp::Networks},
    {"pod-id-file", 0, OptType::String, "Write the pod ID to the file", {}, Comp::Files},
    {"publish", 'p', OptType::List, "Publish a port of the pod to the host"},
    {"replace", 0, OptType::Bool, "Replace (remove) an existing pod of the same name"},
    {"share", 0, OptType::String, "Namespaces to share (ipc, net, uts; none; +NS adds to the default)", "ipc,net,uts"},
    {"userns", 0, OptType::String, "User namespace of the pod (host only)"},
};
constexpr OptSpec kPodPsOpts[] = {
    {"ctr-ids", 0, OptType::Bool, "Display the IDs of the containers in the pod"},
    {"ctr-names", 0, OptType::Bool, "Display the names of the containers in the pod"},
    {"ctr-status", 0, OptType::Bool, "Display the statuses of the containers in the pod"},
    {"filter", 'f', OptType::List, "Filter output (id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number, network, until)"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'json', or a Go template"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"no-trunc", 0, OptType::Bool, "Do not truncate pod and container IDs"},
    {"noheading", 'n', OptType::Bool, "Do not print headers"},
    {"quiet", 'q', OptType::Bool, "Print the pod IDs only"},
    {"sort", 0, OptType::String, "Sort output by created, id, name, number or status", "created", Comp::Enum,
     "created id name number status"},
};
constexpr OptSpec kPodInspectOpts[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
};
constexpr OptSpec kPodTargetOpts[] = {
    {"all", 'a', OptType::Bool, "Act on all pods"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"pod-id-file", 0, OptType::List, "Read the pod ID from the file", {}, Comp::Files},
};
constexpr OptSpec kPodStopOpts[] = {
    {"all", 'a', OptType::Bool, "Stop all pods"},
    {"ignore", 'i', OptType::Bool, "Ignore errors when a pod does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"pod-id-file", 0, OptType::List, "Read the pod ID from the file", {}, Comp::Files},
    {"time", 't', OptType::Int, "Seconds to wait for a container to stop before killing it"},
};
constexpr OptSpec kPodKillOpts[] = {
    {"all", 'a', OptType::Bool, "Kill all pods"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"signal", 's', OptType::String, "Signal to send to the containers of the pod", "KILL", Comp::Signals},
};
constexpr OptSpec kPodRmOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all pods"},
    {"force", 'f', OptType::Bool, "Stop running containers of the pod and remove them"},
    {"ignore", 'i', OptType::Bool, "Ignore errors when a pod does not exist"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"pod-id-file", 0, OptType::List, "Read the pod ID from the file", {}, Comp::Files},
    {"time", 't', OptType::Int, "Seconds to wait for a container to stop before killing it (with --force)"},
};
constexpr OptSpec kPodPruneOpts[] = {
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kPodTopOpts[] = {
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
};
constexpr OptSpec kPodLogsOpts[] = {
    {"color", 0, OptType::Bool, "Color each container's prefix"},
    {"container", 'c', OptType::String, "Show the logs of this container of the pod only"},
    {"follow", 'f', OptType::Bool, "Follow log output (one container: with --container)"},
    {"latest", 'l', OptType::Bool, "Act on the latest pod created"},
    {"names", 0, OptType::Bool, "Prefix each line with the container's name"},
    {"since", 0, OptType::String, "Show logs since timestamp or relative (e.g. \"42m\")"},
    {"tail", 0, OptType::String, "Number of lines to show from the end of the logs", "all"},
    {"timestamps", 't', OptType::Bool, "Show timestamps"},
    {"until", 0, OptType::String, "Show logs before a timestamp or relative (e.g. \"42m\")"},
};
constexpr OptSpec kPodStatsOpts[] = {
    {"all", 'a', OptType::Bool, "Show the stats of all pods"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'json', or a Go template"},
    {"no-stream", 0, OptType::Bool, "Disable streaming stats and only pull the first result"},
    {"no-trunc", 0, OptType::Bool, "Do not truncate output"},
};
constexpr OptSpec kFormatOnly[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
};

#define SKIFF_REGISTRY_OPTS                                                                              \
  {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},              \
      {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {},     \
       Comp::Dirs},                                                                                        \
      {"creds", 0, OptType::String, "Credentials (USERNAME:PASSWORD) for the registry"},                      \
      {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"}

constexpr OptSpec kPullOpts[] = {
    {"all-tags", 'a', OptType::Bool, "Download all tagged images in the repository"},
    {"arch", 0, OptType::String, "Use ARCH instead of the host's architecture"},
    SKIFF_REGISTRY_OPTS,
    {"os", 0, OptType::String, "Use OS instead of the host's operating system"},
    {"platform", 0, OptType::String, "Set platform if server is multi-platform capable (os/arch[/variant])"},
    {"quiet", 'q', OptType::Bool, "Suppress verbose output; print the image ID"},
    {"variant", 0, OptType::String, "Use VARIANT instead of the host's architecture variant"},
};
constexpr OptSpec kSaveOpts[] = {
    {"format", 0, OptType::String, "Archive format (docker-archive, oci-archive, oci-dir, docker-dir)", "docker-archive",
     Comp::Enum, "docker-archive oci-archive oci-dir docker-dir"},
    {"multi-image-archive", 'm', OptType::Bool, "Allow several images in one archive (docker-archive always does)"},
    {"output", 'o', OptType::String, "Write to a file, instead of STDOUT", {}, Comp::Files},
};
constexpr OptSpec kLoadOpts[] = {
    {"input", 'i', OptType::String, "Read from tar archive file, instead of STDIN", {}, Comp::Files},
    {"quiet", 'q', OptType::Bool, "Suppress the load output"},
};
#define SKIFF_PLATFORM_EDIT_OPTS_A                                                                   \
  {"annotation", 0, OptType::List, "Set an annotation on the entry (KEY=VALUE)"},                           \
      {"arch", 0, OptType::String, "Override the architecture of the entry"}
#define SKIFF_PLATFORM_EDIT_OPTS_F \
  {"features", 0, OptType::List, "Override the features of the entry"}
#define SKIFF_PLATFORM_EDIT_OPTS_O                                                                      \
  {"os", 0, OptType::String, "Override the operating system of the entry"},                                   \
      {"os-features", 0, OptType::List, "Override the operating system features of the entry"},                \
      {"os-version", 0, OptType::String, "Override the operating system version of the entry"}
constexpr OptSpec kManifestCreateOpts[] = {
    {"all", 0, OptType::Bool, "Add every image of a list, not only the host platform's"},
    {"amend", 'a', OptType::Bool, "Modify the list if it exists"},
    {"annotation", 0, OptType::List, "Set an annotation on the list (KEY=VALUE)"},
    SKIFF_REGISTRY_OPTS,
};
constexpr OptSpec kManifestAddOpts[] = {
    {"all", 0, OptType::Bool, "Add every image of a list, not only the host platform's"},
    SKIFF_PLATFORM_EDIT_OPTS_A,
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
    {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {}, Comp::Dirs},
    {"creds", 0, OptType::String, "Credentials (USERNAME:PASSWORD) for the registry"},
    SKIFF_PLATFORM_EDIT_OPTS_F,
    SKIFF_PLATFORM_EDIT_OPTS_O,
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"},
    {"variant", 0, OptType::String, "Override the architecture variant of the entry"},
};
constexpr OptSpec kManifestAnnotateOpts[] = {
    SKIFF_PLATFORM_EDIT_OPTS_A,
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
    {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {}, Comp::Dirs},
    {"creds", 0, OptType::String, "Credentials (USERNAME:PASSWORD) for the registry"},
    SKIFF_PLATFORM_EDIT_OPTS_F,
    SKIFF_PLATFORM_EDIT_OPTS_O,
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"},
    {"variant", 0, OptType::String, "Override the architecture variant of the entry"},
};
constexpr OptSpec kManifestPushOpts[] = {
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
    {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {}, Comp::Dirs},
    {"creds", 0, OptType::String, "Credentials (USERNAME:PASSWORD) for the registry"},
    {"digestfile", 0, OptType::String, "Write the digest of the pushed list to the file", {}, Comp::Files},
    {"purge", 'p', OptType::Bool, "Remove the local manifest list after the push"},
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"},
};
constexpr OptSpec kManifestInspectOpts[] = {
    SKIFF_REGISTRY_OPTS,
};
// push, login, logout, search (handlers in cmd_registry.cpp)
constexpr OptSpec kPushOpts[] = {
    {"all-tags", 'a', OptType::Bool, "Push all tags of an image to the repository"},
    SKIFF_REGISTRY_OPTS,
    {"compression-format", 0, OptType::String, "Compression of the layers this push compresses (gzip, zstd)", "gzip",
     Comp::Enum, "gzip zstd"},
    {"digestfile", 0, OptType::String, "Write the digest of the pushed image to the file", {}, Comp::Files},
    {"quiet", 'q', OptType::Bool, "Suppress verbose output"},
};
constexpr OptSpec kLoginOpts[] = {
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
    {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {}, Comp::Dirs},
    {"get-login", 0, OptType::Bool, "Print the user name logged in to the registry"},
    {"password", 'p', OptType::String, "Password"},
    {"password-stdin", 0, OptType::Bool, "Take the password from stdin"},
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"},
    {"username", 'u', OptType::String, "Username"},
};
constexpr OptSpec kLogoutOpts[] = {
    {"all", 'a', OptType::Bool, "Remove the credentials of every registry"},
    {"authfile", 0, OptType::String, "Path of the registry authentication file", {}, Comp::Files},
};
constexpr OptSpec kSearchOpts[] = {
    {"cert-dir", 0, OptType::String, "Directory of certificates for the registry (certs.d layout)", {}, Comp::Dirs},
    {"filter", 'f', OptType::List, "Filter output based on conditions provided (stars=N, is-official=true)"},
    {"format", 0, OptType::String, "Pretty-print search using a Go template"},
    {"limit", 0, OptType::Int, "Max number of search results", "25"},
    {"list-tags", 0, OptType::Bool, "List the tags of the repository TERM names"},
    {"no-trunc", 0, OptType::Bool, "Don't truncate output"},
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates", "true"},
};
constexpr OptSpec kImagesOpts[] = {
    {"all", 'a', OptType::Bool, "Show all images (default hides intermediate images)"},
    {"digests", 0, OptType::Bool, "Show digests"},
    {"filter", 'f', OptType::List, "Filter output based on conditions provided"},
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"no-trunc", 0, OptType::Bool, "Don't truncate output"},
    {"noheading", 'n', OptType::Bool, "Do not print column headings"},
    {"quiet", 'q', OptType::Bool, "Only show image IDs"},
    {"sort", 0, OptType::String, "Sort by created, id, repository, size or tag", "created", Comp::Enum,
     "created id repository size tag"},
};
constexpr OptSpec kRmiOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all images"},
    {"force", 'f', OptType::Bool, "Force removal of the image"},
    {"ignore", 'i', OptType::Bool, "Ignore errors if a specified image does not exist"},
    {"no-prune", 0, OptType::Bool, "Do not delete untagged parents"},
};
constexpr OptSpec kBuildOpts[] = {
    {"authfile", 0, OptType::String, "Path of the registry authentication file (when pulling)", {}, Comp::Files},
    {"build-arg", 0, OptType::List, "Set build-time variables (NAME=VALUE, or NAME to take it from the environment)"},
    {"cert-dir", 0, OptType::String, "Directory of registry certificates, certs.d layout (when pulling)", {}, Comp::Dirs},
    {"creds", 0, OptType::String, "Registry credentials USERNAME:PASSWORD (when pulling)"},
    {"file", 'f', OptType::String, "Name of the Dockerfile (default: PATH/Dockerfile, then PATH/Containerfile)", {},
     Comp::Files},
    {"iidfile", 0, OptType::String, "Write the image ID to the file", {}, Comp::Files},
    {"label", 0, OptType::List, "Set metadata for an image"},
    {"network", 0, OptType::String, "Set the networking mode for the RUN instructions during build"},
    {"no-cache", 0, OptType::Bool, "Do not use cache when building the image"},
    {"platform", 0, OptType::String, "Set the target platform (only the host's is built)"},
    {"pull", 0, OptType::Bool, "Always attempt to pull a newer version of the image"},
    {"quiet", 'q', OptType::Bool, "Suppress the build output and print image ID on success"},
    {"secret", 0, OptType::List, "Secret to expose to the build (id=ID,src=FILE)"},
    {"squash", 0, OptType::Bool, "Squash newly built layers into a single new layer"},
    {"tag", 't', OptType::List, "Name and optionally a tag in the \"name:tag\" format"},
    {"target", 0, OptType::String, "Set the target build stage to build"},
    {"timestamp", 0, OptType::Int, "Pin every time in the image to this many seconds since the epoch"},
    {"tls-verify", 0, OptType::Bool, "Require HTTPS and verify certificates (when pulling)", "true"},
};
constexpr OptSpec kBuilderPruneOpts[] = {
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kImageTreeOpts[] = {
    {"whatrequires", 0, OptType::Bool, "Show the images built on top of the image instead"},
};
constexpr OptSpec kHistoryOpts[] = {
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"human", 'H', OptType::Bool, "Print sizes and dates in human readable format", "true"},
    {"no-trunc", 0, OptType::Bool, "Don't truncate output"},
    {"quiet", 'q', OptType::Bool, "Only show image IDs"},
};
constexpr OptSpec kImagePruneOpts[] = {
    {"all", 'a', OptType::Bool, "Remove all unused images, not just dangling ones"},
    {"filter", 0, OptType::List, "Provide filter values (e.g. \"until=<timestamp>\")"},
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};
constexpr OptSpec kAnyInspectOpts[] = {
    {"format", 'f', OptType::String, "Format output using a custom template: 'json' or a Go template"},
    {"size", 's', OptType::Bool, "Display total file sizes if the type is container"},
    {"type", 0, OptType::String, "Return JSON for specified type", {}, Comp::Enum, "container image volume"},
};
constexpr OptSpec kDfOpts[] = {
    {"format", 0, OptType::String, "Format output using a custom template: 'table', 'table TEMPLATE', 'json', or a Go template"},
    {"verbose", 'v', OptType::Bool, "Show detailed information on space usage"},
};
constexpr OptSpec kCheckOpts[] = {
    {"quick", 0, OptType::Bool, "Skip re-reading every layer's content (structure only)"},
    {"repair", 'r', OptType::Bool, "Remove damaged or leftover images, layers and files"},
};

constexpr OptSpec kResetOpts[] = {
    {"force", 'f', OptType::Bool, "Do not prompt for confirmation"},
};

constexpr OptSpec kCompletionOpts[] = {
    {"no-desc", 0, OptType::Bool, "Disable completion descriptions"},
};

constexpr OptSpec kDocgenOpts[] = {
    {"prose", 0, OptType::String, "Directory of hand-written page fragments (<page>.md) to merge in", {},
     Comp::Dirs},
};

// ---- the commands, sorted by path ----

constexpr CmdSpec kCommands[] = {
    {.path = "__complete",
     .aliases = "__completeNoDesc",
     .usage = "[ARG...] TOCOMPLETE",
     .summary = "Print completion candidates for a partial command line (cobra's protocol)",
     .handler = cmd_complete,
     .hidden = true,
     .raw_args = true},
    {.path = "__docgen",
     .usage = "[OPTIONS] man DIR",
     .summary = "Write the markdown sources of the man pages into DIR",
     .opts = kDocgenOpts,
     .handler = cmd_docgen,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Dirs,
     .hidden = true},
    {.path = "__systemd-generator",
     .usage = "[OPTIONS] [NORMAL-DIR [EARLY-DIR [LATE-DIR]]]",
     .summary = "The Quadlet-style systemd generator (also run as skiff-systemd-generator)",
     .opts = kSystemdGeneratorOpts,
     .handler = cmd_systemd_generator,
     .max_args = 3,
     .arg_comp = Comp::Dirs,
     .hidden = true},
    {.path = "auto-update",
     .usage = "[OPTIONS]",
     .summary = "Update containers running in systemd units to newer images",
     .opts = kAutoUpdateOpts,
     .handler = cmd_auto_update,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "builder prune",
     .usage = "[OPTIONS]",
     .summary = "Remove build cache",
     .opts = kBuilderPruneOpts,
     .handler = cmd_builder_prune,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "completion",
     .usage = "[OPTIONS] bash|zsh|fish",
     .summary = "Print the shell completion script for bash, zsh or fish",
     .opts = kCompletionOpts,
     .handler = cmd_completion,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Enum,
     .description = "The script asks skiff itself for the candidates (the hidden `skiff __complete` "
                    "command), so command names, options, container names, images and volumes "
                    "complete live and always match the installed binary. To load a script by "
                    "hand, source the output of this command.",
     .examples = "$ source <(skiff completion bash)\n"
                 "$ skiff completion zsh > \"${fpath[1]}/_skiff\"\n"
                 "$ skiff completion fish > ~/.config/fish/completions/skiff.fish",
     .arg_values = "bash fish zsh"},
    {.path = "container attach",
     .aliases = "attach",
     .usage = "[OPTIONS] CONTAINER",
     .summary = "Attach local standard input, output, and error streams to a running container",
     .opts = kAttachOpts,
     .handler = cmd_attach,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::RunningContainers},
    {.path = "container commit",
     .aliases = "commit",
     .usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
     .summary = "Create a new image from a container's changes",
     .opts = kCommitOpts,
     .handler = cmd_commit,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 2,
     .arg_comp = Comp::Containers,
     .description = "The container's own layer (what `skiff diff` lists) becomes one new layer on top of "
                    "its image's layers, which are shared, not copied. The new image's config is the "
                    "container's (command, environment, working directory, labels, ...) with the --change "
                    "instructions applied, and its history gains an entry with the author, the message "
                    "and the container's command. A container without changes adds no layer (an "
                    "empty_layer history entry, as Docker). Running containers can be committed; their "
                    "layer is read as it is at that moment (there is no cgroup freezer yet, so --pause "
                    "does not stop them). Prints the new image's ID.",
     .examples = "$ skiff commit -a 'author' -m 'commit_message' commit_test commit_test:first\n"
                 "$ skiff commit -c 'CMD [\"/app\"]' -c 'ENV MODE=prod' web web:v2"},
    {.path = "container cp",
     .aliases = "cp",
     .usage = "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-",
     .summary = "Copy files/folders between a container and the local filesystem",
     .opts = kCpOpts,
     .handler = cmd_cp,
     .open = Open::EngineRead,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::CopyPaths,
     .description = "The other form is `skiff cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH`. Paths in the "
                    "container are taken from its root and resolved as the container sees them: a "
                    "symbolic link in the container never leads to a file of the host. SRC_PATH copies "
                    "a file or a directory, SRC_PATH/. the contents of a directory; an existing "
                    "DEST_PATH directory receives the copy, a missing DEST_PATH is created (its parent "
                    "must exist). With - as SRC_PATH a tar stream is read from standard input and "
                    "extracted into the DEST_PATH directory; as DEST_PATH a tar stream is written to "
                    "standard output. Files copied into a container belong to its root user unless "
                    "--archive; running and stopped containers both work.",
     .examples = "$ skiff cp web:/etc/nginx/nginx.conf .\n$ skiff cp ./site/. web:/usr/share/nginx/html\n"
                 "$ skiff cp web:/var/log - | tar -t"},
    {.path = "container create",
     .aliases = "create",
     .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
     .summary = "Create a new container",
     .opts = kCreateOpts,
     .handler = cmd_create,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Images,
     .interspersed = false},
    {.path = "container diff",
     .aliases = "diff",
     .usage = "[OPTIONS] CONTAINER",
     .summary = "Inspect changes to files or directories on a container's filesystem",
     .opts = kDiffOpts,
     .handler = cmd_diff,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Containers,
     .description = "One line per path, sorted by path: A (added), C (changed) or D (deleted). A "
                    "directory whose contents changed is listed as changed; a deleted directory is one "
                    "D line. Volumes and the mount points skiff manages are not part of the container's "
                    "layer and never show.",
     .examples = "$ skiff diff web\n$ skiff diff --format json web"},
    {.path = "container exec",
     .aliases = "exec",
     .usage = "[OPTIONS] CONTAINER COMMAND [ARG...]",
     .summary = "Execute a command in a running container",
     .opts = kExecOpts,
     .handler = cmd_exec,
     .open = Open::EngineWrite,
     .min_args = 2,
     .arg_comp = Comp::RunningContainers,
     .interspersed = false},
    {.path = "container exists",
     .usage = "[OPTIONS] CONTAINER",
     .summary = "Exit with status 0 if the container exists, 1 if not",
     .opts = kExistsOpts,
     .handler = cmd_container_exists,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Containers},
    {.path = "container export",
     .aliases = "export",
     .usage = "[OPTIONS] CONTAINER",
     .summary = "Export a container's filesystem as a tar archive",
     .opts = kExportOpts,
     .handler = cmd_export,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Containers,
     .description = "The container's root filesystem, flattened (its image's layers and its own), without "
                    "its volumes or other mounts. `skiff import` turns such an archive back into an image.",
     .examples = "$ skiff export web > web.tar\n$ skiff export -o web.tar web"},
    {.path = "container inspect",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Display detailed information on one or more containers",
     .opts = kInspectOpts,
     .handler = cmd_container_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Containers},
    {.path = "container kill",
     .aliases = "kill",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Kill one or more running containers",
     .opts = kKillOpts,
     .handler = cmd_kill,
     .open = Open::EngineWrite,
     .arg_comp = Comp::RunningContainers},
    {.path = "container logs",
     .aliases = "logs",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Fetch the logs of one or more containers",
     .opts = kLogsOpts,
     .handler = cmd_logs,
     .open = Open::EngineRead,
     .arg_comp = Comp::Containers},
    {.path = "container ls",
     .aliases = "ps;container list;container ps",
     .usage = "[OPTIONS]",
     .summary = "List containers",
     .opts = kPsOpts,
     .handler = cmd_ps,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "container mount",
     .aliases = "mount",
     .usage = "[OPTIONS] [CONTAINER...]",
     .summary = "Mount a working container's root filesystem",
     .opts = kMountOpts,
     .handler = cmd_mount,
     .arg_comp = Comp::Containers},
    {.path = "container pause",
     .aliases = "pause",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Pause all processes within one or more containers",
     .opts = kPauseOpts,
     .handler = cmd_pause,
     .open = Open::EngineWrite,
     .arg_comp = Comp::RunningContainers,
     .description = "Freezes every process of the container with the cgroup freezer (cgroup v1 freezer.state, "
                    "v2 cgroup.freeze): they stay in memory but get no CPU time until `unpause`. `ps` shows the "
                    "container as Up (Paused). It needs the container's own cgroup: rootful on any host, "
                    "rootless only with a delegated cgroup v2 subtree (refused otherwise). A paused container "
                    "can still be stopped, killed or removed.",
     .examples = "$ skiff pause web\n$ skiff ps --format '{{.Names}} {{.Status}}'\n$ skiff unpause web"},
    {.path = "container port",
     .aliases = "port",
     .usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
     .summary = "List port mappings or a specific mapping for the container",
     .handler = cmd_port,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 2,
     .arg_comp = Comp::Containers},
    {.path = "container prune",
     .usage = "[OPTIONS]",
     .summary = "Remove all stopped containers",
     .opts = kPruneOpts,
     .handler = cmd_container_prune,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "container rename",
     .aliases = "rename",
     .usage = "CONTAINER NEW_NAME",
     .summary = "Rename a container",
     .handler = cmd_rename,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Containers},
    {.path = "container restart",
     .aliases = "restart",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Restart one or more containers",
     .opts = kRestartOpts,
     .handler = cmd_restart,
     .open = Open::EngineWrite,
     .arg_comp = Comp::Containers},
    {.path = "container rm",
     .aliases = "rm;container remove",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Remove one or more containers",
     .opts = kRmOpts,
     .handler = cmd_rm,
     .open = Open::EngineWrite,
     .arg_comp = Comp::Containers},
    {.path = "container run",
     .aliases = "run",
     .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
     .summary = "Create and run a new container from an image",
     .opts = kRunOpts,
     .handler = cmd_run,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Images,
     .interspersed = false},
    {.path = "container start",
     .aliases = "start",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Start one or more stopped containers",
     .opts = kStartOpts,
     .handler = cmd_start,
     .open = Open::EngineWrite,
     .arg_comp = Comp::StoppedContainers},
    {.path = "container stats",
     .aliases = "stats",
     .usage = "[OPTIONS] [CONTAINER...]",
     .summary = "Display a live stream of container(s) resource usage statistics",
     .opts = kStatsOpts,
     .handler = cmd_stats,
     .open = Open::EngineRead,
     .arg_comp = Comp::Containers,
     .description = "Docker's columns: CPU % (of one CPU), memory in use against the limit (the machine's "
                    "memory when there is none), network and block I/O, and the number of processes. The "
                    "figures come from the container's cgroup, or, when it has none (rootless without "
                    "delegation), from /proc of its processes and its network namespace. On a terminal the "
                    "table is redrawn in place every second; --no-stream prints one sample, whose CPU % is "
                    "the average since the container started.",
     .examples = "$ skiff stats\n$ skiff stats --no-stream web\n$ skiff stats --no-stream --format '{{json .}}'"},
    {.path = "container stop",
     .aliases = "stop",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Stop one or more running containers",
     .opts = kStopOpts,
     .handler = cmd_stop,
     .open = Open::EngineWrite,
     .arg_comp = Comp::RunningContainers},
    {.path = "container top",
     .aliases = "top",
     .usage = "CONTAINER [ps OPTIONS]",
     .summary = "Display the running processes of a container",
     .handler = cmd_top,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::RunningContainers,
     .interspersed = false,
     .description = "Without ps options, the container's processes in the columns of `ps -ef`. With them, as "
                    "Docker: the host's ps runs with those options, and its header line and the rows of the "
                    "container's processes are shown (host PIDs). The PID column must be among the output "
                    "columns, and may not be renamed.",
     .examples = "$ skiff top web\n"
                 "$ skiff top web aux\n"
                 "$ skiff top web -o pid,user,comm\n"
                 "$ skiff top web -eLf"},
    {.path = "container unmount",
     .aliases = "unmount;umount;container umount",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Unmount a working container's root filesystem",
     .opts = kUmountOpts,
     .handler = cmd_umount,
     .arg_comp = Comp::Containers},
    {.path = "container unpause",
     .aliases = "unpause",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Unpause all processes within one or more containers",
     .opts = kPauseOpts,
     .handler = cmd_unpause,
     .open = Open::EngineWrite,
     .arg_comp = Comp::RunningContainers,
     .description = "Thaws the processes of a container that `pause` froze: they run again where they "
                    "stopped. With --all, every paused container. A container that is not paused is an "
                    "error, as with Docker.",
     .examples = "$ skiff unpause web\n$ skiff unpause --all"},
    {.path = "container update",
     .aliases = "update",
     .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Update configuration of one or more containers",
     .opts = kUpdateOpts,
     .handler = cmd_update,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Containers,
     .description = "Changes the resource limits of containers, running or not, with the same units and "
                    "checks as `run`: a running container's cgroup gets the new limits at once, and every "
                    "later start uses them. --restart changes the restart policy, of a running container too "
                    "(its monitor applies it at the next exit). "
                    "Rootless without a delegated cgroup v2 subtree the limits are recorded but cannot be "
                    "applied, and a warning says so.",
     .examples = "$ skiff update -m 256m web\n$ skiff update --cpus 1.5 --pids-limit 200 web db\n"
                 "$ skiff update --restart unless-stopped web"},
    {.path = "container wait",
     .aliases = "wait",
     .usage = "CONTAINER [CONTAINER...]",
     .summary = "Block until one or more containers stop, then print their exit codes",
     .opts = kWaitOpts,
     .handler = cmd_wait,
     .open = Open::EngineRead,
     .arg_comp = Comp::Containers},
    {.path = "generate systemd",
     .usage = "[OPTIONS] CONTAINER",
     .summary = "Generate systemd units",
     .opts = kGenerateSystemdOpts,
     .handler = cmd_generate_systemd,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Containers},
    {.path = "healthcheck run",
     .usage = "CONTAINER",
     .summary = "Run the healthcheck of a container once",
     .handler = cmd_healthcheck_run,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::RunningContainers},
    {.path = "help",
     .usage = "[COMMAND]",
     .summary = "Show help for a command",
     .handler = cmd_help,
     .max_args = 2,
     .arg_comp = Comp::Commands,
     .examples = "$ skiff help run\n$ skiff help system info"},
    {.path = "image build",
     .aliases = "build;buildx build;builder build",
     .usage = "[OPTIONS] PATH | -",
     .summary = "Build an image from a Dockerfile",
     .opts = kBuildOpts,
     .handler = cmd_build,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Dirs},
    {.path = "image exists",
     .usage = "IMAGE",
     .summary = "Exit with status 0 if the image exists locally, 1 if not",
     .handler = cmd_image_exists,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "image history",
     .aliases = "history",
     .usage = "[OPTIONS] IMAGE",
     .summary = "Show the history of an image",
     .opts = kHistoryOpts,
     .handler = cmd_history,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "image import",
     .aliases = "import",
     .usage = "[OPTIONS] file|- [REPOSITORY[:TAG]]",
     .summary = "Import the contents from a tarball to create a filesystem image",
     .opts = kImportOpts,
     .handler = cmd_import,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 2,
     .arg_comp = Comp::Files,
     .description = "The archive (plain, gzip or zstd; - reads standard input) becomes the one layer of "
                    "a new image. Its config is empty unless --change sets a command, environment, ...; "
                    "prints the new image's ID.",
     .examples = "$ skiff export web | skiff import - web:flat\n"
                 "$ skiff import -c 'CMD [\"sh\"]' rootfs.tar.gz mybase"},
    {.path = "image inspect",
     .usage = "[OPTIONS] IMAGE [IMAGE...]",
     .summary = "Display detailed information on one or more images",
     .opts = kInspectOpts,
     .handler = cmd_image_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Images},
    {.path = "image load",
     .aliases = "load",
     .usage = "[OPTIONS]",
     .summary = "Load images from a tar archive or STDIN",
     .opts = kLoadOpts,
     .handler = cmd_load,
     .open = Open::EngineWrite,
     .max_args = 0,
     .description = "Reads archives written by `skiff save`, `docker save`, `podman save` and skopeo: "
                    "docker-archive (manifest.json, legacy or OCI layout) and oci-archive, plain, gzip or "
                    "zstd. Prints a line per tag loaded (or the ID of an untagged image). A damaged or "
                    "hostile archive (entries escaping it, missing layers, digest mismatches) is refused "
                    "and leaves nothing behind.",
     .examples = "$ skiff load -i busybox.tar\n$ zstd -dc images.tar.zst | skiff load"},
    {.path = "image ls",
     .aliases = "images;image list",
     .usage = "[OPTIONS] [REPOSITORY[:TAG]]",
     .summary = "List images",
     .opts = kImagesOpts,
     .handler = cmd_images,
     .open = Open::EngineRead,
     .max_args = 1},
    {.path = "image prune",
     .usage = "[OPTIONS]",
     .summary = "Remove unused images",
     .opts = kImagePruneOpts,
     .handler = cmd_image_prune,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "image pull",
     .aliases = "pull",
     .usage = "[OPTIONS] NAME[:TAG|@DIGEST]",
     .summary = "Download an image from a registry",
     .opts = kPullOpts,
     .handler = cmd_pull,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "image push",
     .aliases = "push",
     .usage = "[OPTIONS] IMAGE [DESTINATION]",
     .summary = "Upload an image to a registry",
     .opts = kPushOpts,
     .handler = cmd_push,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 2,
     .arg_comp = Comp::Images},
    {.path = "image rm",
     .aliases = "rmi;image remove",
     .usage = "[OPTIONS] IMAGE [IMAGE...]",
     .summary = "Remove one or more images",
     .opts = kRmiOpts,
     .handler = cmd_rmi,
     .open = Open::EngineWrite,
     .arg_comp = Comp::Images},
    {.path = "image save",
     .aliases = "save",
     .usage = "[OPTIONS] IMAGE [IMAGE...]",
     .summary = "Save one or more images to a tar archive (streamed to STDOUT by default)",
     .opts = kSaveOpts,
     .handler = cmd_save,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Images,
     .description = "NAME:TAG saves that tag, a repository name every tag it has, an ID the image "
                    "untagged. Layers are written uncompressed with their original bytes, so loading "
                    "the archive gives the same image IDs. docker-archive (the default) is Docker 25's "
                    "layout, readable by Docker, Podman and skopeo; oci-dir and docker-dir (skopeo's "
                    "dir:) write a directory given with -o.",
     .examples = "$ skiff save -o images.tar busybox:latest alpine:3.19\n"
                 "$ skiff save busybox | gzip > busybox.tar.gz\n"
                 "$ skiff save --format oci-archive -o busybox-oci.tar busybox"},
    {.path = "image tag",
     .aliases = "tag",
     .usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
     .summary = "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
     .handler = cmd_tag,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Images},
    {.path = "image tree",
     .usage = "[OPTIONS] IMAGE",
     .summary = "Print the layer hierarchy of an image in a tree format",
     .opts = kImageTreeOpts,
     .handler = cmd_image_tree,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "image untag",
     .aliases = "untag",
     .usage = "IMAGE [NAME...]",
     .summary = "Remove names from an image (all of them without NAME)",
     .handler = cmd_untag,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Images},
    {.path = "inspect",
     .usage = "[OPTIONS] NAME|ID [NAME|ID...]",
     .summary = "Return low-level information on containers, images or volumes",
     .opts = kAnyInspectOpts,
     .handler = cmd_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Containers},
    {.path = "login",
     .usage = "[OPTIONS] [SERVER]",
     .summary = "Log in to a registry",
     .opts = kLoginOpts,
     .handler = cmd_login,
     .max_args = 1},
    {.path = "logout",
     .usage = "[OPTIONS] [SERVER]",
     .summary = "Log out from a registry",
     .opts = kLogoutOpts,
     .handler = cmd_logout,
     .max_args = 1},
    {.path = "manifest add",
     .usage = "[OPTIONS] LIST IMAGE",
     .summary = "Add an image to a manifest list",
     .opts = kManifestAddOpts,
     .handler = cmd_manifest_add,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Images,
     .description = "IMAGE is a local image (its registry manifest and the platform of its config), or "
                    "else, or with a docker:// prefix, an image in a registry (of a list there, the host "
                    "platform's image, or every one with --all). An entry with the same digest is "
                    "replaced. Prints the list's ID."},
    {.path = "manifest annotate",
     .usage = "[OPTIONS] LIST IMAGE|DIGEST",
     .summary = "Add or change the platform and annotations of a manifest list entry",
     .opts = kManifestAnnotateOpts,
     .handler = cmd_manifest_annotate,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Images},
    {.path = "manifest create",
     .usage = "[OPTIONS] LIST [IMAGE...]",
     .summary = "Create a manifest list, stored locally as an image",
     .opts = kManifestCreateOpts,
     .handler = cmd_manifest_create,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Images,
     .description = "The list holds an entry (manifest digest, size and platform) for each IMAGE, "
                    "found as `manifest add` finds it. It is a Docker manifest list when every entry "
                    "is a Docker manifest, else an OCI index. Prints the list's ID.",
     .examples = "$ skiff manifest create example.com/app:1 example.com/app:1-amd64 example.com/app:1-arm64\n"
                 "$ skiff manifest inspect example.com/app:1"},
    {.path = "manifest exists",
     .usage = "LIST",
     .summary = "Exit with status 0 if the manifest list exists locally, 1 if not",
     .handler = cmd_manifest_exists,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "manifest inspect",
     .usage = "[OPTIONS] LIST|IMAGE",
     .summary = "Display a manifest list, or an image's manifest in its registry",
     .opts = kManifestInspectOpts,
     .handler = cmd_manifest_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Images},
    {.path = "manifest push",
     .usage = "[OPTIONS] LIST [DESTINATION]",
     .summary = "Push a manifest list to a registry",
     .opts = kManifestPushOpts,
     .handler = cmd_manifest_push,
     .min_args = 1,
     .max_args = 2,
     .arg_comp = Comp::Images,
     .description = "Uploads the list to DESTINATION (default: the list's name) and prints its digest. "
                    "The images it lists must already be in the destination repository (push them "
                    "first); the registry refuses the list otherwise, and the error says so.",
     .examples = "$ skiff manifest push example.com/app:1"},
    {.path = "manifest remove",
     .usage = "LIST DIGEST",
     .summary = "Remove an entry from a manifest list",
     .handler = cmd_manifest_remove,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Images},
    {.path = "manifest rm",
     .usage = "LIST [LIST...]",
     .summary = "Remove one or more manifest lists from local storage",
     .handler = cmd_manifest_rm,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Images},
    {.path = "network connect",
     .usage = "[OPTIONS] NETWORK CONTAINER",
     .summary = "Connect a container to a network",
     .opts = kNetworkConnectOpts,
     .handler = cmd_network_connect,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Networks},
    {.path = "network create",
     .usage = "[OPTIONS] NETWORK",
     .summary = "Create a network",
     .opts = kNetworkCreateOpts,
     .handler = cmd_network_create,
     .open = Open::EngineWrite,
     .min_args = 1,
     .max_args = 1},
    {.path = "network disconnect",
     .usage = "[OPTIONS] NETWORK CONTAINER",
     .summary = "Disconnect a container from a network",
     .opts = kNetworkDisconnectOpts,
     .handler = cmd_network_disconnect,
     .open = Open::EngineWrite,
     .min_args = 2,
     .max_args = 2,
     .arg_comp = Comp::Networks},
    {.path = "network exists",
     .usage = "NETWORK",
     .summary = "Exit with status 0 if the network exists, 1 if not",
     .handler = cmd_network_exists,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Networks},
    {.path = "network inspect",
     .usage = "[OPTIONS] NETWORK [NETWORK...]",
     .summary = "Display detailed information on one or more networks",
     .opts = kFormatOnly,
     .handler = cmd_network_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Networks},
    {.path = "network ls",
     .aliases = "network list",
     .usage = "[OPTIONS]",
     .summary = "List networks",
     .opts = kNetworkLsOpts,
     .handler = cmd_network_ls,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "network prune",
     .usage = "[OPTIONS]",
     .summary = "Remove all unused networks",
     .opts = kNetworkPruneOpts,
     .handler = cmd_network_prune,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "network reload",
     .usage = "[OPTIONS] [CONTAINER...]",
     .summary = "Write the names files (/etc/hosts, /etc/resolv.conf) of running containers again",
     .opts = kNetworkReloadOpts,
     .handler = cmd_network_reload,
     .open = Open::EngineWrite,
     .arg_comp = Comp::RunningContainers},
    {.path = "network rm",
     .aliases = "network remove",
     .usage = "[OPTIONS] NETWORK [NETWORK...]",
     .summary = "Remove one or more networks",
     .opts = kNetworkRmOpts,
     .handler = cmd_network_rm,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Networks},
    {.path = "pod create",
     .usage = "[OPTIONS] [NAME]",
     .summary = "Create a new empty pod",
     .opts = kPodCreateOpts,
     .handler = cmd_pod_create,
     .max_args = 1},
    {.path = "pod exists",
     .usage = "POD",
     .summary = "Exit with status 0 if the pod exists, 1 if not",
     .handler = cmd_pod_exists,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Pods},
    {.path = "pod inspect",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Display detailed information on one or more pods",
     .opts = kPodInspectOpts,
     .handler = cmd_pod_inspect,
     .arg_comp = Comp::Pods},
    {.path = "pod kill",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Send a signal to the containers of one or more pods",
     .opts = kPodKillOpts,
     .handler = cmd_pod_kill,
     .arg_comp = Comp::Pods},
    {.path = "pod logs",
     .usage = "[OPTIONS] POD",
     .summary = "Fetch the logs of the containers of a pod",
     .opts = kPodLogsOpts,
     .handler = cmd_pod_logs,
     .open = Open::EngineRead,
     .max_args = 1,
     .arg_comp = Comp::Pods},
    {.path = "pod pause",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Pause the containers of one or more pods",
     .opts = kPodTargetOpts,
     .handler = cmd_pod_pause,
     .arg_comp = Comp::Pods},
    {.path = "pod prune",
     .usage = "[OPTIONS]",
     .summary = "Remove all stopped pods and their containers",
     .opts = kPodPruneOpts,
     .handler = cmd_pod_prune,
     .max_args = 0},
    {.path = "pod ps",
     .aliases = "pod ls;pod list",
     .usage = "[OPTIONS]",
     .summary = "List pods",
     .opts = kPodPsOpts,
     .handler = cmd_pod_ps,
     .max_args = 0},
    {.path = "pod restart",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Restart one or more pods",
     .opts = kPodTargetOpts,
     .handler = cmd_pod_restart,
     .arg_comp = Comp::Pods},
    {.path = "pod rm",
     .aliases = "pod remove",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Remove one or more pods and their containers",
     .opts = kPodRmOpts,
     .handler = cmd_pod_rm,
     .arg_comp = Comp::Pods},
    {.path = "pod start",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Start one or more pods (the infra container first)",
     .opts = kPodTargetOpts,
     .handler = cmd_pod_start,
     .arg_comp = Comp::Pods},
    {.path = "pod stats",
     .usage = "[OPTIONS] [POD...]",
     .summary = "Display a live stream of the resource usage of the containers of pods",
     .opts = kPodStatsOpts,
     .handler = cmd_pod_stats,
     .open = Open::EngineRead,
     .arg_comp = Comp::Pods},
    {.path = "pod stop",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Stop one or more pods (the infra container last)",
     .opts = kPodStopOpts,
     .handler = cmd_pod_stop,
     .arg_comp = Comp::Pods},
    {.path = "pod top",
     .usage = "[OPTIONS] POD [PS-OPTIONS]",
     .summary = "Display the running processes of the containers of a pod",
     .opts = kPodTopOpts,
     .handler = cmd_pod_top,
     .arg_comp = Comp::Pods},
    {.path = "pod unpause",
     .usage = "[OPTIONS] POD [POD...]",
     .summary = "Unpause the containers of one or more pods",
     .opts = kPodTargetOpts,
     .handler = cmd_pod_unpause,
     .arg_comp = Comp::Pods},
    {.path = "search",
     .usage = "[OPTIONS] TERM",
     .summary = "Search registries for images",
     .opts = kSearchOpts,
     .handler = cmd_search,
     .min_args = 1,
     .max_args = 1},
    {.path = "system check",
     .usage = "[OPTIONS]",
     .summary = "Verify every layer and image against its digest and report (or repair) damage",
     .opts = kCheckOpts,
     .handler = cmd_system_check,
     .max_args = 0},
    {.path = "system df",
     .usage = "[OPTIONS]",
     .summary = "Show disk usage",
     .opts = kDfOpts,
     .handler = cmd_system_df,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "system events",
     .aliases = "events",
     .usage = "[OPTIONS]",
     .summary = "Get real time events from the server",
     .opts = kEventsOpts,
     .handler = cmd_events,
     .max_args = 0,
     .description = "Prints container events (create, start, die, oom, kill, stop, pause, unpause, update, "
                    "rename, destroy) and image events as they happen, from the event log that every skiff "
                    "command and container monitor appends to (there is no daemon). --since also prints "
                    "the past ones still in the log (the last one to two MiB); --until stops at that time; "
                    "--stream=false prints what is logged and exits. Filters as Docker's: container, "
                    "event, image, label, type; the same key twice means either.",
     .examples = "$ skiff events\n$ skiff events --since 10m --stream=false\n"
                 "$ skiff events --filter container=web --filter event=die --format '{{json .}}'"},
    {.path = "system info",
     .aliases = "info",
     .usage = "[OPTIONS]",
     .summary = "Display system-wide information",
     .opts = kFormatOnly,
     .handler = cmd_info,
     .open = Open::EngineRead,
     .max_args = 0,
     .description = "Shows the host (kernel, OS, CPUs, memory), whether skiff runs rootless and "
                    "with which user namespace mapping, where the store and the volatile state "
                    "live, and which helper programs were found.",
     .examples = "$ skiff info\n$ skiff info --format '{{.Store.GraphRoot}}'\n$ skiff info --format json"},
    {.path = "system migrate",
     .usage = "",
     .summary = "Accept a changed /etc/subuid or /etc/subgid mapping when it extends the old one",
     .handler = cmd_system_migrate,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "system prune",
     .usage = "[OPTIONS]",
     .summary = "Remove unused data",
     .opts = kSystemPruneOpts,
     .handler = cmd_system_prune,
     .open = Open::EngineWrite,
     .max_args = 0,
     .description = "Removes stopped containers, dangling images (with --all, every image no container "
                    "uses) and, with --volumes, anonymous volumes no container uses.",
     .examples = "$ skiff system prune -f\n$ skiff system prune -a --volumes"},
    {.path = "system reset",
     .usage = "[OPTIONS]",
     .summary = "Remove all containers, images, volumes and state",
     .opts = kResetOpts,
     .handler = cmd_system_reset,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "unshare",
     .usage = "[COMMAND [ARG...]]",
     .summary = "Run a command in skiff's user namespace (the one its storage uses)",
     .handler = cmd_unshare,
     .open = Open::EngineRead,
     .arg_comp = Comp::Files,
     .interspersed = false},
    {.path = "version",
     .usage = "[OPTIONS]",
     .summary = "Show the skiff version information",
     .opts = kFormatOnly,
     .handler = cmd_version,
     .max_args = 0,
     .examples = "$ skiff version\n$ skiff version --format '{{.Client.Version}}'"},
    {.path = "volume create",
     .usage = "[OPTIONS] [VOLUME]",
     .summary = "Create a volume",
     .opts = kVolumeCreateOpts,
     .handler = cmd_volume_create,
     .open = Open::EngineWrite,
     .max_args = 1},
    {.path = "volume exists",
     .usage = "VOLUME",
     .summary = "Exit with status 0 if the volume exists, 1 if not",
     .handler = cmd_volume_exists,
     .open = Open::EngineRead,
     .min_args = 1,
     .max_args = 1,
     .arg_comp = Comp::Volumes},
    {.path = "volume inspect",
     .usage = "[OPTIONS] VOLUME [VOLUME...]",
     .summary = "Display detailed information on one or more volumes",
     .opts = kFormatOnly,
     .handler = cmd_volume_inspect,
     .open = Open::EngineRead,
     .min_args = 1,
     .arg_comp = Comp::Volumes},
    {.path = "volume ls",
     .aliases = "volume list",
     .usage = "[OPTIONS]",
     .summary = "List volumes",
     .opts = kVolumeLsOpts,
     .handler = cmd_volume_ls,
     .open = Open::EngineRead,
     .max_args = 0},
    {.path = "volume prune",
     .usage = "[OPTIONS]",
     .summary = "Remove unused local volumes",
     .opts = kVolumePruneOpts,
     .handler = cmd_volume_prune,
     .open = Open::EngineWrite,
     .max_args = 0},
    {.path = "volume rm",
     .aliases = "volume remove",
     .usage = "[OPTIONS] VOLUME [VOLUME...]",
     .summary = "Remove one or more volumes",
     .opts = kVolumeRmOpts,
     .handler = cmd_volume_rm,
     .open = Open::EngineWrite,
     .min_args = 1,
     .arg_comp = Comp::Volumes},
};

constexpr Table kTable{kCommands, kGroups, kGlobalOpts};

}  // namespace

const Table& table() { return kTable; }

}  // namespace skiff::cli
