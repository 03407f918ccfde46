#pragma once
// The command table: one declarative description of every command, from which argument
// parsing, --help, man pages and shell completion are all derived (see commands.cpp).

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/util/paths.hpp"
#include "skiff/util/result.hpp"

namespace skiff::cli {

/// Value kinds, as Docker's help prints them ("string", "list", "duration", …).
enum class OptType { Bool, String, Int, Uint, Duration, Bytes, List, Map };

/// What a value or positional completes to (see complete.cpp).
enum class Comp {
  None,
  Files,
  Dirs,
  Containers,         ///< all containers (names)
  RunningContainers,
  StoppedContainers,  ///< created or exited
  Images,             ///< repo:tag
  Volumes,
  Enum,               ///< OptSpec::values
  Signals,
  Commands,           ///< command names (for `help`)
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

struct CmdSpec {
  std::string_view path;     ///< canonical name: "container run", "image ls", "version"
  std::string_view aliases;  ///< other names, ';'-separated: "run" or "ps;container ps;container list"
  std::string_view usage;    ///< after the command name: "[OPTIONS] IMAGE [COMMAND] [ARG...]"
  std::string_view summary;  ///< one line
  std::span<const OptSpec> opts;
  Handler handler = nullptr;
  int min_args = 0;
  int max_args = -1;          ///< -1 = unlimited
  Comp arg_comp = Comp::None;  ///< completion for positionals
  bool interspersed = true;   ///< false: options end at the first positional (run/create/exec)
  bool hidden = false;
  std::string_view description = {};  ///< longer text for --help and the man page (optional)
  std::string_view examples = {};     ///< shell examples for the man page (optional)
};

/// The table, sorted by path (a unit test checks it).
std::span<const CmdSpec> commands();

/// Global options, accepted before the command (and, long forms, anywhere before `--`).
std::span<const OptSpec> global_options();

/// Management groups ("container", "image", …) with a summary, for top-level help.
struct GroupSpec {
  std::string_view name, summary;
};
std::span<const GroupSpec> groups();

/// Values of the global options.
struct GlobalOptions {
  std::string root, runroot, storage_driver, log_level;
};

/// What a handler gets: global options and lazily computed paths.
struct Context {
  GlobalOptions global;
  const CmdSpec* cmd = nullptr;
  std::string invoked_as;  ///< the command words the user typed ("ps", "container ls")
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

/// Finds a command by the words typed ("container", "run") → consumes 1 or 2 words.
/// Returns nullptr if none; `used` gets the number of words consumed.
const CmdSpec* find_command(std::span<const std::string> words, size_t& used);

/// Parses the arguments after the command words. Errors are kUsage with Docker's texts
/// ("unknown flag: --foo", "flag needs an argument: 'n' in -n", …).
Result<ParsedArgs> parse_args(const CmdSpec& cmd, std::span<const std::string> args,
                              GlobalOptions* globals);

/// Writes `skiff CMD --help` text.
std::string command_help(const CmdSpec& cmd);
/// Writes `skiff --help` text.
std::string main_help();
/// Writes `skiff GROUP --help` text (the group's subcommands).
std::string group_help(std::string_view group);
/// Words of the command as typed at top level ("container run").
std::string type_name(OptType t);

/// Closest command name to `word` (edit distance ≤ 2), or "".
std::string suggest_command(std::string_view word);

/// Prints "Error: <msg>" to stderr; for kUsage also "See 'skiff <invoked> --help'.".
void print_error(const Error& e, std::string_view invoked);

/// Maps an Error code to the exit status (125 by default; 126/127 for the container command).
int exit_status_for(const Error& e);

}  // namespace skiff::cli
