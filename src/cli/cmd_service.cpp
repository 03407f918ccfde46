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

// `start --all [--filter K=V]…`: the stopped containers that match every key (any of a key's
// values), oldest first (Podman's keys that apply here).
static Result<std::vector<std::string>> all_matching(engine::Engine& e, const std::vector<std::string>& filters) {
  std::map<std::string, std::vector<std::string>> by_key;
  for (auto& f : filters) {
    auto [k, v] = split_once(f, '=');
    if (k != "id" && k != "name" && k != "label" && k != "status" && k != "restart-policy")
      return fail(kInvalid, fmt::format("invalid filter '{}' (start --all takes id, name, label, status and "
                                        "restart-policy)", k));
    if (!v) return fail(kInvalid, fmt::format("bad format of filter (expected name=value): {}", f));
    by_key[k].push_back(*v);
  }
  auto list = TRY(engine::list_containers(e));
  std::vector<std::string> out;
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    auto& c = *it;
    if (c.state.status == engine::RunState::Running) continue;
    bool keep = true;
    for (auto& [k, vals] : by_key) {
      bool any = false;
      for (auto& v : vals) {
        if (k == "id") any |= c.rec.id.rfind(v, 0) == 0;
        else if (k == "name") any |= c.rec.name == v;
        else if (k == "status") any |= engine::status_name(c.state.status) == v;
        else if (k == "restart-policy") any |= restart_policy_name(c.rec) == v;
        else if (k == "label") {
          auto [lk, lv] = split_once(v, '=');
          const Json& labels = json_get(c.rec.config, "Labels");
          any |= labels.is_object() && labels.contains(lk) &&
                 (!lv || (labels[lk].is_string() && labels[lk].get<std::string>() == *lv));
        }
      }
      keep &= any;
    }
    if (keep) out.push_back(c.rec.name);
  }
  return out;
}

Result<ParsedArgs> service_targets(engine::Engine& e, const Context& ctx, const ParsedArgs& a) {
  ParsedArgs out = a;
  bool ignore = a.flag("ignore");
  if (a.has("filter") && !a.flag("all")) return fail(kInvalid, "--filter needs --all");
  if (a.flag("all")) {
    if (!a.positional.empty() || a.has("cidfile"))
      return fail(kInvalid, "--all takes no containers and no --cidfile");
    out.positional = TRY(all_matching(e, a.list("filter")));
    return out;
  }
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
  if (a.positional.empty() && !a.has("cidfile"))
    return fail(kUsage, fmt::format("\"skiff {}\" requires at least 1 argument.",
                                    ctx.invoked_as.empty() ? std::string(ctx.cmd->path) : ctx.invoked_as));
  if (ignore)
    std::erase_if(out.positional, [&](const std::string& ref) {
      auto c = engine::find_container(e, ref);
      return !c && c.error().code == kNotFound;
    });
  return out;
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
  auto e = TRY(open_engine(ctx, true));
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
