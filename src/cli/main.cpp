// skiff: entry point. Dispatches on argv to the CLI or to an internal role (monitor, …).
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "command.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/monitor/monitor.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using namespace skiff::cli;

namespace {

// Parses global options before the command words. Returns the index of the first word.
Result<size_t> parse_globals(const std::vector<std::string>& args, GlobalOptions& g, bool& version,
                             bool& help) {
  size_t i = 0;
  for (; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-v" || a == "--version") {
      version = true;
      continue;
    }
    if (a == "--help" || a == "-h") {
      help = true;
      continue;
    }
    if (a.rfind("--", 0) != 0 || a == "--") break;
    auto [name, val] = split_once(std::string_view(a).substr(2), '=');
    std::string* dst = nullptr;
    if (name == "root") dst = &g.root;
    else if (name == "runroot") dst = &g.runroot;
    else if (name == "storage-driver") dst = &g.storage_driver;
    else if (name == "log-level") dst = &g.log_level;
    else return fail(kUsage, fmt::format("unknown flag: --{}", name));
    if (val) {
      *dst = *val;
    } else {
      if (i + 1 >= args.size()) return fail(kUsage, fmt::format("flag needs an argument: --{}", name));
      *dst = args[++i];
    }
  }
  return i;
}

int run_cli(const std::vector<std::string>& args) {
  Context ctx;
  bool version = false, help = false;
  auto first = parse_globals(args, ctx.global, version, help);
  if (!first) {
    print_error(first.error(), "");
    return 125;
  }
  auto apply_log_level = [&]() -> bool {
    if (ctx.global.log_level.empty()) return true;
    log::Level lvl;
    if (!log::parse_level(ctx.global.log_level, lvl)) {
      print_error(Error{kUsage, fmt::format("invalid log level \"{}\"", ctx.global.log_level)}, "");
      return false;
    }
    log::init(lvl);
    return true;
  };
  if (!apply_log_level()) return 125;
  if (version) {
    outf("skiff version {}\n", SKIFF_VERSION);
    return 0;
  }
  std::span<const std::string> words(args.begin() + long(*first), args.end());
  if (words.empty()) {
    out(main_help());
    return help ? 0 : 0;
  }
  size_t used = 0;
  const CmdSpec* cmd = find_command(words, used);
  if (!cmd) {
    for (auto& g : groups())
      if (g.name == words[0]) {
        if (words.size() == 1 || words[1] == "--help") {
          out(group_help(g.name));
          return 0;
        }
        std::string sug = suggest_command(words[1]);
        err(fmt::format("Error: unknown command \"{}\" for \"skiff {}\"\n{}Run 'skiff {} --help' for usage.\n",
                        words[1], g.name, "\n", g.name));
        return 125;
      }
    std::string sug = suggest_command(words[0]);
    std::string msg = fmt::format("Error: unknown command \"{}\" for \"skiff\"\n", words[0]);
    if (!sug.empty()) msg += fmt::format("\nDid you mean this?\n\t{}\n", sug);
    msg += "\nRun 'skiff --help' for usage.\n";
    err(msg);
    return 125;
  }
  ctx.cmd = cmd;
  for (size_t k = 0; k < used; ++k) ctx.invoked_as += (k ? " " : "") + words[k];
  if (help) {
    out(command_help(*cmd));
    return 0;
  }
  auto parsed = parse_args(*cmd, words.subspan(used), &ctx.global);
  if (!parsed) {
    print_error(parsed.error(), ctx.invoked_as);
    return 125;
  }
  if (!apply_log_level()) return 125;
  if (parsed->flag("help")) {
    out(command_help(*cmd));
    return 0;
  }
  auto rc = cmd->handler(ctx, *parsed);
  if (!rc) {
    flush_out();
    if (rc.error().code != kPartial) print_error(rc.error(), ctx.invoked_as);
    return exit_status_for(rc.error());
  }
  return *rc;
}

// Internal roles (not in the command table: they are not user commands).
std::optional<int> run_role(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  if (args[0] == "__monitor") return monitor::monitor_main({args.begin() + 1, args.end()});
  // `skiff --root R --runroot S --log-level L __cleanup ID`, exec'd by a monitor.
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] != "__cleanup") continue;
    if (i + 1 >= args.size()) return 2;
    Context ctx;
    bool v = false, h = false;
    std::vector<std::string> globals(args.begin(), args.begin() + long(i));
    if (!parse_globals(globals, ctx.global, v, h)) return 2;
    log::Level lvl;
    if (log::parse_level(ctx.global.log_level, lvl)) log::init(lvl, "skiff-cleanup");
    auto e = open_engine(ctx, true);
    if (!e) return 1;
    return engine::cleanup_main(**e, args[i + 1]);
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto rc = run_role(args)) return *rc;
  int rc;
  try {
    rc = run_cli(args);
  } catch (const std::exception& e) {
    flush_out();
    err(fmt::format("Error: internal error: {}\n", e.what()));
    rc = 125;
  }
  flush_out();
  return rc;
}
