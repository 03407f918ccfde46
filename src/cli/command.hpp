#pragma once
// The command table: one declarative description of every command, from which argument
// parsing, --help, man pages and shell completion are all derived (see commands.cpp).

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/paths.hpp"
#include "skiff/util/result.hpp"

namespace skiff::engine {
class Engine;
}

namespace skiff::cli {

/// Value kinds, as Docker's help prints them ("string", "list", "duration", …).
/// List and Map options are repeatable (every value is kept); the others keep the last value.
enum class OptType { Bool, String, Int, Uint, Duration, Bytes, List, Map };

/// What a value or positional completes to (complete.cpp; dynamic ones in complete_sources.hpp).
enum class Comp {
  None,               ///< nothing, and no file names either (directive NoFileComp)
  Files,              ///< the shell's file completion
  Dirs,               ///< directories only
  Containers,         ///< all containers (names; short IDs once 2 hex digits are typed)
  RunningContainers,
  StoppedContainers,  ///< created or exited
  Images,             ///< repo:tag
  Volumes,
  Enum,               ///< OptSpec::values or CmdSpec::arg_values
  Signals,            ///< signal names (KILL, TERM, …; SIGKILL… once "SIG" is typed)
  Commands,           ///< command names (for `help`)
  CopyPaths,          ///< `cp`: container names followed by ':' (no space), else local files
  Networks,           ///< network names (predefined and user networks)
  Pods,               ///< pod names
};

struct OptSpec {
  std::string_view name;       ///< long name, without "--"
  char short_name = 0;         ///< single letter, or 0
  OptType type = OptType::Bool;
  std::string_view help;       ///< one line, starts with a capital, no final period
  std::string_view dflt = {};  ///< default value shown by --help ("" = none shown)
  Comp comp = Comp::None;
  std::string_view values = {};  ///< space-separated candidates for Comp::Enum
  bool hidden = false;
};

struct Context;
struct ParsedArgs;

/// Returns the exit status; errors go back as Error and the caller prints them.
using Handler = Result<int> (*)(Context&, const ParsedArgs&);

/// What the dispatcher opens before the handler runs (CmdSpec::open); the handler finds it in
/// Context::engine. An error opening it is the command's error (exit 125), as a handler's.
enum class Open {
  None,         ///< nothing: the command needs no store (or opens one per flag itself)
  EngineRead,   ///< the engine, read-only (listings, inspect, logs)
  EngineWrite,  ///< the engine, creating the store's skeleton (anything that changes the store)
};

/// One command. Write entries with designated initializers (in this order); only path, usage,
/// summary and handler are required (see commands.cpp).
struct CmdSpec {
  std::string_view path;     ///< canonical name: "container run", "image ls", "version"
  std::string_view aliases;  ///< other names, ';'-separated: "run" or "ps;container ps;container list"
  std::string_view usage;    ///< after the command name: "[OPTIONS] IMAGE [COMMAND] [ARG...]"
  std::string_view summary;  ///< one line, starts with a capital, no final period
  std::span<const OptSpec> opts = {};
  Handler handler = nullptr;
  Open open = Open::None;      ///< what the dispatcher opens for the handler (Context::engine)
  int min_args = 0;
  int max_args = -1;           ///< -1 = unlimited
  Comp arg_comp = Comp::None;  ///< completion for the positionals (all of them)
  bool interspersed = true;    ///< false: options end at the first positional (run/create/exec)
  bool hidden = false;         ///< internal: no help listing, no man page; path starts with "__"
  std::string_view description = {};  ///< paragraphs for --help and the man page (optional)
  std::string_view examples = {};     ///< shell lines, "$ skiff …" (optional; --help and man)
  std::string_view arg_values = {};   ///< space-separated candidates when arg_comp is Comp::Enum
  bool raw_args = false;       ///< no option parsing: every word is a positional (__complete)
};

/// What skiff is, in one line (`skiff --help`, skiff(1)).
inline constexpr std::string_view kProgramSummary =
    "A daemonless, rootless container engine: Docker's commands, no daemon, no root";

/// Management groups ("container", "image", …): the first word of multi-word paths.
struct GroupSpec {
  std::string_view name, summary;
};

/// A command table with its groups and global options. `table()` is skiff's; unit tests make
/// small fake ones, so everything that walks the table takes one.
struct Table {
  std::span<const CmdSpec> commands;  ///< sorted by path
  std::span<const GroupSpec> groups;  ///< sorted by name
  std::span<const OptSpec> globals;   ///< before the command; long forms anywhere (not "version")
};

/// THE table (commands.cpp).
const Table& table();
inline std::span<const CmdSpec> commands() { return table().commands; }
inline std::span<const OptSpec> global_options() { return table().globals; }
inline std::span<const GroupSpec> groups() { return table().groups; }

/// Podman's global options: accepted by both personalities (personality.cpp applies them).
struct PodmanGlobals {
  bool noout = false;
  std::string tmpdir, volumepath, events_backend;
  std::vector<std::string> runtime_flags;
};

/// Whose formats, error texts and exit codes skiff speaks (personality.cpp): argv[0] named
/// `podman` (or SKIFF_COMPAT=podman) → Podman's; `docker`, `skiff` (or SKIFF_COMPAT=docker) → Docker's.
enum class Personality { Docker, Podman };
Personality personality();
inline bool podman_personality() { return personality() == Personality::Podman; }
/// "docker" or "podman" (info).
std::string_view personality_name();
/// Chooses it from argv[0] and SKIFF_COMPAT; an unknown SKIFF_COMPAT value is an error.
Status init_personality(std::string_view argv0);
/// The error message as the personality words it (Podman: `no container with name or ID "x"
/// found: no such container`, `x: image not known`, …).
std::string personality_error(const Error& e);

/// Stores a Podman global option's value (parse.cpp's set_global for the names it lacks).
void set_podman_global(PodmanGlobals& g, std::string_view name, const std::string& v);
/// Applies them before the handler runs: --noout points stdout at /dev/null, --tmpdir sets
/// TMPDIR; checks --events-backend and --volumepath (against `volumes_dir`, "" = unknown).
Status apply_podman_globals(const PodmanGlobals& g);
/// --volumepath must name <graph root>/volumes (skiff keeps volumes in its store).
Status check_volumepath(const PodmanGlobals& g, const std::string& graph_root);

/// Values of the global options.
struct GlobalOptions {
  std::string root, runroot, storage_driver, log_level;
  PodmanGlobals podman;  ///< Podman's globals (apply_podman_globals, personality.cpp)
  std::string cgroup_manager;  ///< --cgroup-manager (cgroupfs; systemd where it is PID 1)
};

/// What a handler gets: global options and lazily computed paths.
struct Context {
  GlobalOptions global;
  const CmdSpec* cmd = nullptr;
  std::string invoked_as;  ///< the command words the user typed ("ps", "container ls")
  /// The engine opened by the dispatcher for CmdSpec::open (null for Open::None).
  engine::Engine* engine = nullptr;
  std::shared_ptr<engine::Engine> engine_owner;  ///< keeps `engine` (engine.hpp stays out of here)
  /// Paths (computed on first use). Errors if XDG_RUNTIME_DIR fallback is unsafe.
  Result<const Paths*> paths();

 private:
  std::optional<Paths> paths_;
};

/// Parsed flags and positionals of one command.
struct ParsedArgs {
  std::vector<std::string> positional;
  /// Every value given, in order, keyed by long name. Bools store "true"/"false".
  std::map<std::string, std::vector<std::string>, std::less<>> values;
  bool dash = false;  ///< a `--` ended the options (it is not in `positional`)

  bool has(std::string_view name) const { return values.find(name) != values.end(); }
  /// The last value, or `dflt`.
  std::string str(std::string_view name, std::string_view dflt = "") const;
  /// Bool flag: the last value parsed as bool, or `dflt`.
  bool flag(std::string_view name, bool dflt = false) const;
  /// All values of a repeatable option (List/Map) in order; comma-split for `List` kinds is
  /// NOT done (Docker's list flags repeat instead).
  std::vector<std::string> list(std::string_view name) const;
  /// Integer value (already validated by the parser), or `dflt`.
  int64_t num(std::string_view name, int64_t dflt = 0) const;
};

// ---- parse.cpp -------------------------------------------------------------------------------

/// True if `name` is the command's path or one of its aliases.
bool command_has_name(const CmdSpec& c, std::string_view name);

/// Finds a command by the words typed ("container", "run") → consumes 1 or 2 words.
/// Returns nullptr if none; `used` gets the number of words consumed.
const CmdSpec* find_command(const Table& t, std::span<const std::string> words, size_t& used);
inline const CmdSpec* find_command(std::span<const std::string> words, size_t& used) {
  return find_command(table(), words, used);
}
/// The group named `name`, or nullptr.
const GroupSpec* find_group(const Table& t, std::string_view name);

/// The options a command accepts: its own, `--help` (`-h` too when the command leaves it
/// free), and the global options except `--version`. `cmd == nullptr`: the top level (global
/// options including `--version`, and `--help`/`-h`), or a group's level when `group` is set
/// (the same without `--version`).
struct FlagSet {
  const Table* table = nullptr;
  const CmdSpec* cmd = nullptr;
  bool group = false;
  /// Looks up a long name / a shorthand; `global` tells whether it is a global option.
  const OptSpec* find_long(std::string_view name, bool* global = nullptr) const;
  const OptSpec* find_short(char c, bool* global = nullptr) const;
  /// Every option, globals first (sorted), then the command's own and --help (sorted).
  std::vector<std::pair<const OptSpec*, bool /*global*/>> all() const;
};

/// pflag's parser: fills `out` from `args` (flags, positionals, `--`). `interspersed` false
/// stops at the first positional. Global option values go to `globals` (if given). Errors are
/// kUsage with pflag's texts ("unknown flag: --foo", "flag needs an argument: 'n' in -n", …).
Status parse_flags(const FlagSet& flags, std::span<const std::string> args, bool interspersed,
                   ParsedArgs& out, GlobalOptions* globals);

/// Checks the positional count against min_args/max_args (Docker's texts); `invoked` names
/// the command as typed (default: its path).
Status check_arg_count(const CmdSpec& cmd, const ParsedArgs& a, std::string_view invoked = {});

/// parse_flags for `cmd` plus check_arg_count (skipped when --help was given).
Result<ParsedArgs> parse_args(const Table& t, const CmdSpec& cmd, std::span<const std::string> args,
                              GlobalOptions* globals);
inline Result<ParsedArgs> parse_args(const CmdSpec& cmd, std::span<const std::string> args,
                                     GlobalOptions* globals) {
  return parse_args(table(), cmd, args, globals);
}

/// What the command line asks for: the plan main() carries out.
struct Invocation {
  enum class Action { Run, Print, Fail };
  Action action = Action::Print;
  const CmdSpec* cmd = nullptr;  ///< Run
  std::string invoked_as;        ///< the command words as typed ("ps", "container ls")
  GlobalOptions global;
  ParsedArgs args;  ///< Run
  std::string text;  ///< Print: for stdout; Fail: the whole stderr message
  int status = 0;    ///< exit status for Print/Fail
};
/// Resolves argv (without the program name): global options, command words, the command's
/// options; --help/-h/`help`/a bare group become Print with the help text; errors become Fail
/// with Docker's texts and exit status 125.
Invocation resolve(const Table& t, std::span<const std::string> argv);

/// Commands (and groups) close to `word`, best first: cobra's rule (edit distance ≤ 2 or
/// `word` is a prefix). `group` limits the search to that group's subcommands.
std::vector<std::string> suggest_commands(const Table& t, std::string_view word,
                                          std::string_view group = {});

/// True if `path` (the words after `docker`, one space apart: "login", "image push") is a
/// command of Docker's CLI. resolve() reports such a command that the table lacks as "not
/// implemented yet" rather than suggesting a neighbour.
bool is_docker_command(std::string_view path);
/// Docker's command paths (sorted), for tests.
std::span<const std::string_view> docker_commands();

/// The value type name as --help prints it ("string", "list"; "" for Bool).
std::string type_name(OptType t);

/// "Error: <msg>\n" plus, for kUsage, "See 'skiff <invoked> --help'.\n".
std::string error_text(const Error& e, std::string_view invoked);
/// Prints error_text() to stderr.
void print_error(const Error& e, std::string_view invoked);

/// Maps an Error code to the exit status (125 by default; 126/127 for the container command).
int exit_status_for(const Error& e);

// ---- help.cpp --------------------------------------------------------------------------------

/// `skiff CMD --help` text.
std::string command_help(const CmdSpec& cmd);
/// `skiff --help` text.
std::string main_help(const Table& t = table());
/// `skiff GROUP --help` text (the group's subcommands).
std::string group_help(std::string_view group, const Table& t = table());

/// Help for the words after `skiff help`: the main, a group's or a command's help.
Result<std::string> help_for(const Table& t, std::span<const std::string> words);

/// Top-level names with their summaries: groups, one-word paths and one-word aliases (sorted,
/// no hidden commands). `group` non-empty: that group's subcommand names instead.
std::vector<std::pair<std::string, std::string>> command_names(const Table& t,
                                                               std::string_view group = {});

}  // namespace skiff::cli
