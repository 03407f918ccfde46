// skiff: entry point. Dispatches on argv to the CLI or to an internal role (monitor, …).
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "command.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/monitor/monitor.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using namespace skiff::cli;

namespace {

int run_cli(const std::vector<std::string>& args) {
  set_command_line(args);
  Invocation inv = resolve(table(), args);
  if (!inv.global.log_level.empty()) {
    log::Level lvl;
    if (!log::parse_level(inv.global.log_level, lvl)) {
      print_error(Error{kUsage, fmt::format("invalid log level {}", go_quote(inv.global.log_level))}, "");
      return 125;
    }
    log::init(lvl);
  }
  switch (inv.action) {
    case Invocation::Action::Print:
      out(inv.text);
      return inv.status;
    case Invocation::Action::Fail:
      err(inv.text);
      return inv.status;
    case Invocation::Action::Run:
      break;
  }
  if (auto st = apply_podman_globals(inv.global.podman); !st) {
    print_error(st.error(), "");
    return exit_status_for(st.error());
  }
  Context ctx;
  ctx.global = std::move(inv.global);
  ctx.cmd = inv.cmd;
  ctx.invoked_as = std::move(inv.invoked_as);
  auto rc = inv.cmd->handler(ctx, inv.args);
  if (!rc) {
    flush_out();
    if (rc.error().code != kPartial) print_error(rc.error(), ctx.invoked_as);
    return exit_status_for(rc.error());
  }
  return *rc;
}

// `skiff --root R --runroot S --log-level L __cleanup ID`: the --rm removal after a container's
// exit, run by its monitor (in the monitor's process, or exec'd): the first word after the global
// options (never a word further on: `run img echo __cleanup`). Not this role: nullopt.
std::optional<int> cleanup_role(const std::vector<std::string>& args) {
  Context ctx;
  ParsedArgs top;
  if (!parse_flags(FlagSet{&table(), nullptr}, args, false, top, &ctx.global)) return std::nullopt;
  if (top.positional.empty() || top.positional[0] != "__cleanup") return std::nullopt;
  if (top.positional.size() != 2) return 2;
  log::Level lvl;
  if (log::parse_level(ctx.global.log_level, lvl)) log::init(lvl, "skiff-cleanup");
  log::debug("cleanup: start");
  auto e = open_engine(ctx, true);
  if (!e) return 1;
  int rc = engine::cleanup_main(**e, top.positional[1]);
  log::debug("cleanup: done");
  return rc;
}

int monitor_cleanup(const std::vector<std::string>& argv) {
  // argv[0] is the program name, as for an exec.
  return cleanup_role({argv.begin() + (argv.empty() ? 0 : 1), argv.end()}).value_or(2);
}

// Internal roles (not in the command table: they are not user commands).
std::optional<int> run_role(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  if (args[0] == "__monitor") return monitor::monitor_main({args.begin() + 1, args.end()}, monitor_cleanup);
  if (args[0] == "__pause") return engine::pod_pause_main();  // a pod's infra container
  return cleanup_role(args);
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  std::vector<std::string> args(argv + 1, argv + argc);
  // Installed as systemd generators (links to this binary): the Quadlet-style generator.
  if (argc > 0) {
    std::string_view a0 = argv[0];
    a0 = a0.substr(a0.rfind('/') + 1);
    if (a0 == "skiff-systemd-generator" || a0 == "skiff-user-generator") {
      if (a0 == "skiff-user-generator") args.insert(args.begin(), "--user");
      args.insert(args.begin(), "__systemd-generator");
    }
  }
  if (auto rc = run_role(args)) return *rc;
  if (auto st = init_personality(argc > 0 ? argv[0] : "skiff"); !st) {
    print_error(st.error(), "");
    return 125;
  }
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
