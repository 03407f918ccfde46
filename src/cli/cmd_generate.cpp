// generate systemd: a container's systemd unit in Podman's shapes (systemd_unit.hpp).
#include <time.h>
#include <unistd.h>

#include "handlers.hpp"
#include "output.hpp"
#include "systemd_unit.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/strings.hpp"

extern char** environ;

namespace skiff::cli {

namespace {

std::string self_exe() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "/usr/bin/skiff";
  std::string p(buf, size_t(n));
  if (p.size() > 10 && p.substr(p.size() - 10) == " (deleted)") p.resize(p.size() - 10);
  return p;
}

// Go's time.UnixDate in local time, as Podman's header: "Mon Dec  7 20:58:03 UTC 2026".
std::string unix_date() {
  time_t t = time(nullptr);
  struct tm tm;
  localtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof buf, "%a %b %e %H:%M:%S %Z %Y", &tm);
  return buf;
}

// -e NAME=VALUE; NAME: the host's value if set; PREFIX*: every host variable with the prefix.
std::vector<std::string> unit_env(const std::vector<std::string>& flags) {
  std::vector<std::string> out;
  for (auto& f : flags) {
    if (f.find('=') != std::string::npos) {
      out.push_back(f);
    } else if (!f.empty() && f.back() == '*') {
      std::string prefix = f.substr(0, f.size() - 1);
      for (char** e = environ; *e; ++e)
        if (std::string_view(*e).starts_with(prefix)) out.push_back(*e);
    } else if (const char* v = getenv(f.c_str())) {
      out.push_back(f + "=" + v);
    }
  }
  return out;
}

}  // namespace

Result<int> cmd_generate_systemd(Context& ctx, const ParsedArgs& a) {
  UnitOptions o;
  o.is_template = a.flag("template");
  if (o.is_template && a.has("new") && !a.flag("new"))
    return fail(kInvalid, "--template cannot be set with --new=false: a template unit creates its containers");
  o.is_new = a.flag("new") || o.is_template;
  o.use_name = a.flag("name");
  o.no_header = a.flag("no-header");
  o.restart_policy = a.str("restart-policy");
  if (!o.restart_policy.empty() && !valid_systemd_restart_policy(o.restart_policy))
    return fail(kInvalid, fmt::format("{} is not a valid restart policy (no, on-success, on-failure, on-abnormal, "
                                      "on-watchdog, on-abort, always)", o.restart_policy));
  if (a.has("restart-sec")) o.restart_sec = int(a.num("restart-sec"));
  if (a.has("time")) o.stop_time = int(a.num("time"));
  if (a.has("start-timeout")) o.start_timeout = int(a.num("start-timeout"));
  o.container_prefix = a.str("container-prefix", "container");
  o.separator = a.str("separator", "-");
  o.after = a.list("after");
  o.wants = a.list("wants");
  o.requires_ = a.list("requires");
  o.env = unit_env(a.list("env"));
  o.exe = self_exe();
  o.header_time = unix_date();
  o.version = SKIFF_VERSION;
  // The default shape runs `skiff start`: the store this command used.
  for (auto [flag, v] : {std::pair{"--root", &ctx.global.root}, std::pair{"--runroot", &ctx.global.runroot},
                         std::pair{"--storage-driver", &ctx.global.storage_driver}})
    if (!v->empty()) {
      o.global_args.push_back(flag);
      o.global_args.push_back(*v);
    }
  std::string format = a.str("format");
  if (!format.empty() && format != "json")
    return fail(kInvalid, fmt::format("unsupported format \"{}\": only json is", format));

  auto* e = ctx.engine;
  auto c = TRY(engine::find_container(*e, a.positional[0]));
  UnitContainer uc;
  uc.id = c.rec.id;
  uc.name = c.rec.name;
  uc.run_root = e->run();
  uc.create_command = c.rec.config.create_command;
  uc.stop_timeout = c.rec.config.stop_timeout_or_default();
  uc.restart_policy = json_str(json_get(c.rec.host_config, "RestartPolicy"), "Name");
  uc.sdnotify = c.rec.extra.sd_notify;
  Unit u = TRY(container_unit(uc, o));

  if (a.flag("files")) {
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd)) return fail_errno("getcwd");
    std::string path = std::string(cwd) + "/" + u.name;
    TRY_CTX(write_file_atomic(path, u.text, 0644, true), "write {}", path);
    if (format == "json") outf("{}\n", to_json_pretty(Json::object({{u.name, path}})));
    else outf("{}\n", path);
    return 0;
  }
  if (format == "json") outf("{}\n", to_json_pretty(Json::object({{u.name, u.text}})));
  else out(u.text);
  return 0;
}

}  // namespace skiff::cli
