// The CLI side of containers as services (issue 14): the service flags of create/run, and
// --cidfile/--ignore for start, stop, restart, kill and rm.
#include "handlers.hpp"
#include "output.hpp"
#include <map>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

engine::ServiceOptions service_options(const ParsedArgs& a) {
  engine::ServiceOptions o;
  o.replace = a.flag("replace");
  o.sdnotify = a.str("sdnotify");
  o.pidfile = a.str("pidfile");
  o.conmon_pidfile = a.str("conmon-pidfile");
  if (a.has("health-cmd")) o.health_cmd = a.str("health-cmd");
  if (a.has("health-interval")) o.health_interval = a.str("health-interval");
  auto dur = [&](const char* name) -> std::optional<int64_t> {
    if (!a.has(name)) return std::nullopt;
    std::string v = a.str(name);
    if (auto d = parse_go_duration(v)) return *d;
    return parse_int(v).value_or(0) * 1'000'000'000LL;  // plain seconds
  };
  o.health_timeout = dur("health-timeout");
  o.health_start_period = dur("health-start-period");
  if (a.has("health-retries")) o.health_retries = int(a.num("health-retries"));
  o.health_on_failure = a.str("health-on-failure");
  o.no_healthcheck = a.flag("no-healthcheck");
  return o;
}

std::string restart_policy_name(const engine::ContainerRecord& r) {
  std::string p = json_str(json_get(r.host_config, "RestartPolicy"), "Name");
  return p.empty() ? "no" : p;
}

Result<std::optional<ParsedArgs>> service_targets(engine::Engine& e, const Context& ctx, const ParsedArgs& a) {
  (void)ctx;
  ParsedArgs out = a;
  bool ignore = a.flag("ignore");
  // --all/--latest/--filter are target_containers' (cmd_podman.cpp); a cidfile names containers.
  if (a.has("cidfile") && (a.flag("all") || a.flag("latest")))
    return fail(kInvalid, "--all, --latest and --cidfile cannot be used together");
  for (auto& f : a.list("cidfile")) {
    auto text = read_file(f, 4096);
    if (!text) {
      if (ignore && text.error().code == ENOENT) continue;
      return wrap(text.error(), fmt::format("read the container ID file {}", f));
    }
    std::string id(trim(split(*text, '\n')[0]));
    if (id.empty()) {
      if (ignore) continue;
      return fail(kInvalid, fmt::format("the container ID file {} is empty", f));
    }
    out.positional.push_back(id);
  }
  bool named = !a.positional.empty() || a.has("cidfile");
  if (ignore)
    std::erase_if(out.positional, [&](const std::string& ref) {
      auto c = engine::find_container(e, ref);
      return !c && c.error().code == kNotFound;
    });
  // Everything named was missing and --ignore said so: nothing to do (exit 0, as Podman).
  bool selecting = a.flag("all") || a.flag("latest") || a.has("filter");
  if (named && out.positional.empty() && !selecting) return std::optional<ParsedArgs>{};
  return std::optional<ParsedArgs>{std::move(out)};
}

}  // namespace skiff::cli

namespace skiff::cli {

std::string health_suffix(const engine::Engine& e, const engine::Container& c) {
  if (c.state.status != engine::RunState::Running || !engine::healthcheck_enabled(c.rec)) return "";
  std::string s = json_str(engine::health_state(e, c), "Status", "starting");
  return s == "starting" ? " (health: starting)" : " (" + s + ")";
}

// Podman's exit codes: 0 healthy, 1 failed (the status printed), 125 an error.
Result<int> cmd_healthcheck_run(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  std::string status = TRY(engine::run_healthcheck(*e, a.positional[0], ctx.global.log_level));
  if (status == "healthy") return 0;
  outf("{}\n", status);
  return 1;
}

}  // namespace skiff::cli

namespace skiff::cli {

static std::vector<std::string>& command_line_store() {
  static std::vector<std::string> v;
  return v;
}
void set_command_line(const std::vector<std::string>& args) { command_line_store() = args; }
const std::vector<std::string>& command_line() { return command_line_store(); }

}  // namespace skiff::cli
