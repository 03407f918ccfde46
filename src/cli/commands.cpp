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

constexpr GroupSpec kGroups[] = {
    {"system", "Manage skiff"},
};

constexpr CmdSpec kCommands[] = {
    {"help", "", "[COMMAND]", "Show help for a command", kNoOpts, cmd_help, 0, 2, Comp::Commands},
    {"system info", "info", "[OPTIONS]", "Display system-wide information", kFormatOnly, cmd_info, 0, 0},
    {"version", "", "[OPTIONS]", "Show the skiff version information", kFormatOnly, cmd_version, 0, 0},
};

}  // namespace

std::span<const CmdSpec> commands() { return kCommands; }
std::span<const OptSpec> global_options() { return kGlobalOpts; }
std::span<const GroupSpec> groups() { return kGroups; }

}  // namespace skiff::cli
