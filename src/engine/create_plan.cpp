// create's plan: flags + containers.conf + image config → CreatePlan (create_plan.hpp). No
// store, no kernel: unit-tested in tests/unit/engine/create_plan_test.cpp. The environment's
// rules are env.hpp's.
#include "create_plan.hpp"

#include <signal.h>

#include <algorithm>

#include "env.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/engine/podman.hpp"
#include "skiff/engine/service.hpp"
#include "skiff/engine/systemd_mode.hpp"
#include "skiff/runtime/container.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

Result<Json> parse_labels(const std::vector<std::string>& labels, const std::vector<std::string>& files) {
  Json out = Json::object();
  auto add = [&](const std::string& l) {
    auto [k, v] = split_once(l, '=');
    out[k] = v.value_or("");
  };
  for (auto& f : files) {
    auto text = read_file(f, 16 << 20);
    if (!text) return wrap(text.error(), fmt::format("open label file `{}`", f));
    for (auto& line : split(*text, '\n')) {
      auto t = trim(line);
      if (t.empty() || t[0] == '#') continue;
      add(std::string(t));
    }
  }
  for (auto& l : labels) add(l);
  return out;
}

std::vector<std::string> strings(const Json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

}  // namespace

Status parse_restart(const std::string& s, std::string& name, int& max) {
  auto [n, m] = split_once(s.empty() ? "no" : s, ':');
  if (n != "no" && n != "always" && n != "unless-stopped" && n != "on-failure")
    return fail(kInvalid, fmt::format("invalid restart policy '{}'", s));
  max = 0;
  if (m) {
    if (n != "on-failure") return fail(kInvalid, fmt::format("maximum retry count cannot be used with restart policy '{}'", n));
    auto v = parse_int(*m);
    if (!v || *v < 0) return fail(kInvalid, fmt::format("invalid restart policy '{}': maximum retry count must be a positive integer", s));
    max = int(*v);
  }
  name = n;
  return ok();
}

Result<CreatePlan> plan_container(const std::string& id, const CreateOptions& o, const ContainersConf& cc,
                                  const Json& ic) {
  CreatePlan p;
  // Command: Docker's entrypoint/cmd merge. --entrypoint replaces the image's and clears its
  // CMD; a command after the image replaces CMD.
  std::vector<std::string> entrypoint, cmd;
  if (o.podman.entrypoint_json) {
    entrypoint = *o.podman.entrypoint_json;
  } else if (o.entrypoint) {
    if (!o.entrypoint->empty()) entrypoint = {*o.entrypoint};
  } else {
    entrypoint = strings(json_get(ic, "Entrypoint"));
  }
  if (!o.command.empty()) cmd = o.command;
  else if (!o.entrypoint) cmd = strings(json_get(ic, "Cmd"));
  std::vector<std::string> argv = entrypoint;
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  if (argv.empty()) return fail(kInvalid, "no command specified");
  p.path = argv[0];
  p.args.assign(argv.begin() + 1, argv.end());

  // Environment: image < --env-file (in order) < -e (in order).
  std::vector<std::string> env;
  for (auto& kv : cc.env) TRY(add_env(env, kv, "containers.conf"));
  for (auto& kv : strings(json_get(ic, "Env"))) TRY(add_image_env(env, kv));
  for (auto& f : o.env_files) TRY(add_env_file(env, f));
  TRY(podman_env(o.podman, env));
  for (auto& kv : o.env) TRY(add_env(env, kv, "-e"));

  TRY(parse_restart(o.restart, p.restart, p.restart_max));
  if (o.auto_remove && p.restart != "no") return fail(kInvalid, "conflicting options: --restart and --rm");
  if (!o.name.empty()) TRY(validate_name(o.name));
  Json exposed;
  TRY(record_ports(o, ic, exposed, p.port_bindings));

  p.systemd = TRY(systemd_mode(o.podman.systemd, argv));
  std::string stop_signal =
      o.stop_signal.empty() ? json_str(ic, "StopSignal", p.systemd ? kSystemdStopSignal : "SIGTERM") : o.stop_signal;
  if (!parse_signal(stop_signal)) return fail(kInvalid, fmt::format("invalid signal: {}", stop_signal));
  p.log_driver = o.log_driver.empty() ? "json-file" : o.log_driver;
  const std::string& log_driver = p.log_driver;
  if (log_driver != "json-file" && log_driver != "k8s-file" && log_driver != "none" && log_driver != "journald" &&
      log_driver != "passthrough")
    return fail(kInvalid, fmt::format("unsupported log driver \"{}\" (json-file, k8s-file, journald, passthrough, none)",
                                      log_driver));
  TRY(check_log_driver(log_driver, o.tty));
  for (auto& lo : o.log_opts) {
    auto [k, v] = split_once(lo, '=');
    if (!v) return fail(kInvalid, fmt::format("invalid log option \"{}\": want KEY=VALUE", lo));
    if (k == "max-size") {
      if (!parse_ram_size(*v)) return fail(kInvalid, fmt::format("invalid max-size \"{}\"", *v));
    } else if (k != "max-file" && k != "tag" && k != "path") {
      return fail(kInvalid, fmt::format("unknown log opt '{}' for {} log driver", k, log_driver));
    }
    p.log_opts[k] = *v;
  }
  p.mounts = TRY(parse_mount_flags(o.volumes, o.mounts, o.tmpfs));
  // The image's VOLUME paths not covered by a user mount get anonymous volumes (Docker).
  const Json& ivols = json_get(ic, "Volumes");
  if (ivols.is_object())
    for (auto& [path, unused] : ivols.items()) {
      (void)unused;
      std::string dst = path;
      if (std::any_of(p.mounts.begin(), p.mounts.end(), [&](auto& m) { return m.destination == dst; })) continue;
      MountSpec m;
      m.type = "volume";
      m.anonymous = true;
      m.name = random_hex(32);
      m.destination = dst;
      p.mounts.push_back(std::move(m));
    }
  Json labels = TRY(parse_labels(o.labels, o.label_files));
  if (json_get(ic, "Labels").is_object()) {
    Json merged = ic["Labels"];
    for (auto& [k, v] : labels.items()) merged[k] = v;
    labels = merged;
  }
  TRY(validate_security(o));
  TRY(runtime::check_user_ids(o.user, o.group_add));
  if (!o.workdir.empty() && o.workdir[0] != '/')
    return fail(kInvalid, fmt::format("the working directory '{}' is invalid, it needs to be an absolute path",
                                      o.workdir));
  for (auto& so : o.security_opt) {
    auto [k, v] = split_once(so, so.find('=') != std::string::npos ? '=' : ':');
    if (k == "seccomp" && v && *v != "unconfined" && *v != "builtin" && !v->empty())
      p.seccomp_profile = TRY_CTX(read_file(*v, 4 << 20), "read seccomp profile");
  }

  ContainerConfig& c = p.config;
  c.hostname = o.hostname.empty() ? id.substr(0, 12) : o.hostname;
  c.domainname = "";
  c.user = o.user.empty() ? json_str(ic, "User") : o.user;
  c.attach_stdin = o.interactive;
  c.attach_stdout = true;
  c.attach_stderr = true;
  if (!exposed.empty()) c.exposed_ports = exposed;
  c.tty = o.tty;
  c.open_stdin = o.interactive;
  c.stdin_once = o.interactive;
  c.env = env;
  c.cmd = cmd;
  c.image = o.image.empty() ? o.rootfs : o.image;
  c.volumes = json_get(ic, "Volumes").is_object() ? ic["Volumes"] : Json(nullptr);
  c.working_dir = o.workdir.empty() ? json_str(ic, "WorkingDir") : o.workdir;
  c.entrypoint = entrypoint;
  c.labels = labels;
  c.stop_signal = stop_signal;
  c.stop_timeout = o.stop_timeout;
  c.create_command = o.create_command;

  for (auto& t : o.tmpfs) {
    auto [dst, opts] = split_once(t, ':');
    p.tmpfs[dst] = opts.value_or("");
  }
  for (auto& s : o.sysctls) {
    auto [k, v] = split_once(s, '=');
    if (!v) return fail(kInvalid, fmt::format("invalid sysctl \"{}\": want KEY=VALUE", s));
    p.sysctls[k] = *v;
  }
  return p;
}

}  // namespace skiff::engine
