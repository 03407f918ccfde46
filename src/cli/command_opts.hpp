#pragma once
// The options of every command (OptSpec tables, sorted by name), for THE command table in
// commands.cpp, the only file that includes this one (its anonymous namespace holds them).
// Adding a command's options: a `constexpr OptSpec kXxxOpts[]` here (or reuse one).
#include "resource_opts.hpp"  // SKIFF_RESOURCE_OPTS

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
