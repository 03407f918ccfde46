#pragma once
// A small command table for the CLI unit tests: the shapes the rules need (a group, top-level
// aliases, a non-interspersed `run` with -h taken, repeatable lists), independent of the real
// table, which changes as commands are added.

#include "cli/command.hpp"

namespace skiff::cli::fake {

inline Result<int> noop(Context&, const ParsedArgs&) { return 0; }

inline constexpr OptSpec kGlobals[] = {
    {"log-level", 0, OptType::String, "Log level", "warn", Comp::Enum, "debug info warn"},
    {"root", 0, OptType::String, "Store root", {}, Comp::Dirs},
    {"version", 'v', OptType::Bool, "Print version"},
};

inline constexpr OptSpec kLogsOpts[] = {
    {"follow", 'f', OptType::Bool, "Follow log output"},
    {"tail", 'n', OptType::String, "Number of lines to show", "all"},
};

inline constexpr OptSpec kRmOpts[] = {
    {"force", 'f', OptType::Bool, "Force the removal"},
    {"signal", 's', OptType::String, "Signal to send first", {}, Comp::Signals},
};

inline constexpr OptSpec kRunOpts[] = {
    {"detach", 'd', OptType::Bool, "Run in background"},
    {"env", 'e', OptType::List, "Set environment variables"},
    {"env-file", 0, OptType::List, "Read in a file of environment variables", {}, Comp::Files},
    {"hostname", 'h', OptType::String, "Container host name"},
    {"interactive", 'i', OptType::Bool, "Keep STDIN open"},
    {"memory", 'm', OptType::Bytes, "Memory limit"},
    {"name", 0, OptType::String, "Assign a name"},
    {"publish", 'p', OptType::List, "Publish a port"},
    {"restart", 0, OptType::String, "Restart policy", "no", Comp::Enum, "no on-failure always unless-stopped"},
    {"rm", 0, OptType::Bool, "Remove when it exits"},
    {"secret-opt", 0, OptType::String, "Not shown", {}, Comp::None, {}, true},
    {"stop-timeout", 0, OptType::Int, "Timeout to stop"},
    {"tty", 't', OptType::Bool, "Allocate a pseudo-TTY"},
    {"volume", 'v', OptType::List, "Bind mount a volume", {}, Comp::Volumes},
    {"workdir", 'w', OptType::String, "Working directory", {}, Comp::Dirs},
};

inline constexpr OptSpec kFormat[] = {
    {"format", 'f', OptType::String, "Format output"},
};

inline constexpr GroupSpec kGroups[] = {
    {"container", "Manage containers"},
};

inline constexpr CmdSpec kCommands[] = {
    {.path = "__complete", .usage = "[ARG...]", .summary = "Complete", .handler = noop, .hidden = true, .raw_args = true},
    {.path = "container logs", .aliases = "logs", .usage = "[OPTIONS] CONTAINER", .summary = "Fetch the logs of a container",
     .opts = kLogsOpts, .handler = noop, .min_args = 1, .max_args = 1, .arg_comp = Comp::Containers},
    {.path = "container rm", .aliases = "rm;container remove", .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Remove one or more containers", .opts = kRmOpts, .handler = noop, .min_args = 1,
     .arg_comp = Comp::Containers},
    {.path = "container run", .aliases = "run", .usage = "[OPTIONS] IMAGE [COMMAND] [ARG...]",
     .summary = "Run a command in a new container", .opts = kRunOpts, .handler = noop, .min_args = 1,
     .arg_comp = Comp::Images, .interspersed = false, .examples = "$ skiff run --rm busybox echo hi"},
    {.path = "container start", .aliases = "start", .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Start one or more stopped containers", .handler = noop, .min_args = 1,
     .arg_comp = Comp::StoppedContainers},
    {.path = "container stop", .aliases = "stop", .usage = "[OPTIONS] CONTAINER [CONTAINER...]",
     .summary = "Stop one or more running containers", .handler = noop, .min_args = 1,
     .arg_comp = Comp::RunningContainers},
    {.path = "help", .usage = "[COMMAND]", .summary = "Show help for a command", .handler = noop, .max_args = 2,
     .arg_comp = Comp::Commands},
    {.path = "shell", .usage = "bash|zsh", .summary = "Pick a shell", .handler = noop, .min_args = 1,
     .max_args = 1, .arg_comp = Comp::Enum, .arg_values = "bash zsh"},
    {.path = "version", .usage = "[OPTIONS]", .summary = "Show the version", .opts = kFormat, .handler = noop,
     .max_args = 0, .description = "Prints the version."},
};

inline constexpr Table kTable{kCommands, kGroups, kGlobals};

}  // namespace skiff::cli::fake
