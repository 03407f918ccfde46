// create, run, start, attach: the commands that bring a container to life.
#include <sys/syscall.h>
#include <unistd.h>

#include <poll.h>

#include "attach.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

using engine::Engine;

Result<std::unique_ptr<Engine>> open_engine(Context& ctx, bool write) {
  if (!ctx.global.cgroup_manager.empty()) TRY(engine::check_cgroup_manager(ctx.global.cgroup_manager));
  const Paths* p = TRY(ctx.paths());
  TRY(check_volumepath(ctx.global.podman, p->graph_root));
  return Engine::open(*p, ctx.global.storage_driver, write);
}

Status open_for_command(Context& ctx) {
  if (!ctx.cmd || ctx.cmd->open == Open::None) return ok();
  ctx.engine_owner = TRY(open_engine(ctx, ctx.cmd->open == Open::EngineWrite));
  ctx.engine = ctx.engine_owner.get();
  return ok();
}

// --detach-keys, else containers.conf [engine] detach_keys, else Docker's ctrl-p,ctrl-q.
static std::string detach_keys_flag(Context& ctx, const ParsedArgs& a) {
  if (a.has("detach-keys")) return a.str("detach-keys");
  if (ctx.engine)
    if (auto cc = ctx.engine->conf(); cc && !(*cc)->detach_keys.empty()) return (*cc)->detach_keys;
  return "ctrl-p,ctrl-q";
}

static engine::CreateOptions create_options(const ParsedArgs& a, std::vector<std::string> argv_all) {
  engine::CreateOptions o;
  if (a.has("rootfs")) {
    o.rootfs = a.positional[0];
  } else {
    o.image = a.positional[0];
  }
  o.command.assign(a.positional.begin() + 1, a.positional.end());
  if (a.has("entrypoint")) o.entrypoint = a.str("entrypoint");
  o.name = a.str("name");
  o.interactive = a.flag("interactive");
  o.tty = a.flag("tty");
  o.auto_remove = a.flag("rm");
  o.env = a.list("env");
  o.env_files = a.list("env-file");
  o.labels = a.list("label");
  o.label_files = a.list("label-file");
  o.workdir = a.str("workdir");
  o.user = a.str("user");
  o.hostname = a.str("hostname");
  o.volumes = a.list("volume");
  o.mounts = a.list("mount");
  o.tmpfs = a.list("tmpfs");
  o.read_only = a.flag("read-only");
  o.cidfile = a.str("cidfile");
  o.init = a.flag("init");
  o.stop_signal = a.str("stop-signal");
  if (a.has("stop-timeout")) o.stop_timeout = int(a.num("stop-timeout"));
  o.cap_add = a.list("cap-add");
  o.cap_drop = a.list("cap-drop");
  o.security_opt = a.list("security-opt");
  o.ulimits = a.list("ulimit");
  o.group_add = a.list("group-add");
  o.sysctls = a.list("sysctl");
  o.privileged = a.flag("privileged");
  o.restart = a.str("restart", "no");
  o.log_driver = a.str("log-driver");
  o.log_opts = a.list("log-opt");
  o.network = a.has("network") ? a.str("network") : a.str("net", "");
  o.networks = a.list("net");
  for (auto& n : a.list("network")) o.networks.push_back(n);
  if (!o.networks.empty()) o.network = o.networks[0];
  o.add_hosts = a.list("add-host");
  o.dns = a.list("dns");
  o.dns_search = a.list("dns-search");
  o.dns_options = a.list("dns-option");
  o.network_aliases = a.list("network-alias");
  o.links = a.list("link");
  o.ip = a.str("ip");
  o.mac_address = a.str("mac-address");
  o.no_hosts = a.flag("no-hosts");
  o.publish = a.list("publish");
  o.expose = a.list("expose");
  o.publish_all = a.flag("publish-all");
  o.network_explicit = a.has("network") || a.has("net");
  o.create_command = std::move(argv_all);
  for (auto& [k, vs] : a.values)
    if (engine::is_resource_flag(k))
      for (auto& v : vs) o.resources.emplace_back(k, v);
  podman_create_options(a, o);
  o.service = service_options(a);
  o.pod = a.str("pod");  // pod.hpp
  if (o.pod.empty() && a.has("pod-id-file")) {
    auto id = read_file(a.str("pod-id-file"), 4096);
    o.pod = id ? std::string(trim(*id)) : "(unreadable --pod-id-file " + a.str("pod-id-file") + ")";
  }
  return o;
}

// Resolves (pulling if needed) the image of a new container; null for --rootfs.
static Result<std::optional<engine::ImageDefaults>> image_for(Context& ctx, Engine& e, const ParsedArgs& a) {
  if (a.has("rootfs")) return std::optional<engine::ImageDefaults>();
  const engine::ContainersConf& cc = *TRY(e.conf());
  std::string policy = a.str("pull", cc.pull_policy.empty() ? "missing" : cc.pull_policy);
  auto img = TRY(resolve_run_image(ctx, e, a.positional[0], policy, a));
  return std::optional<engine::ImageDefaults>(std::move(img));
}

static std::vector<std::string> argv_for_record(const Context& ctx, const ParsedArgs& a) {
  std::vector<std::string> v{"skiff"};
  // The whole command line, as Podman records it (generate systemd --new replays it).
  if (!command_line().empty()) {
    v.insert(v.end(), command_line().begin(), command_line().end());
    return v;
  }
  for (auto& w : split(ctx.invoked_as, ' ')) v.push_back(w);
  (void)a;
  return v;
}

Result<int> cmd_create(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto img = TRY(image_for(ctx, *e, a));
  auto rec = TRY(engine::create_container(*e, create_options(a, argv_for_record(ctx, a)), img ? &*img : nullptr));
  outf("{}\n", rec.id);
  return 0;
}

// Waits for a process that is not our child (the monitor) to exit.
static void wait_pid_gone(pid_t pid) {
  if (pid <= 0) return;
  auto p = pidfd_open(pid);
  if (!p) return;
  struct pollfd pf{p->get(), POLLIN, 0};
  while (poll(&pf, 1, 30000) < 0 && errno == EINTR) {
  }
}

static Result<int> finish_attached(Engine& e, const std::string& id, const AttachResult& r) {
  if (r.detached) return 0;
  if (r.exit_code >= 0) return r.exit_code;
  auto c = engine::find_container(e, id);
  return c ? c->state.exit_code : 0;
}

Result<int> cmd_run(Context& ctx, const ParsedArgs& a) {
  bool detach = a.flag("detach");
  bool tty = a.flag("tty"), interactive = a.flag("interactive");
  if (tty && interactive && !stdin_is_tty() && !detach) return fail(kInvalid, "the input device is not a TTY");
  AttachOptions ao;
  ao.tty = tty;
  ao.stdin_open = interactive;
  ao.sig_proxy = a.flag("sig-proxy", true);
  ao.detach_keys = TRY(parse_detach_keys(detach_keys_flag(ctx, a)));
  // --attach: only the streams named (Docker's run -a); refused with -d, as Docker does.
  if (auto streams = TRY(attach_streams(a)); !streams.empty()) {
    if (detach) return fail(kInvalid, "Conflicting options: -a and -d");
    auto has = [&](const char* s) { return std::find(streams.begin(), streams.end(), s) != streams.end(); };
    ao.stdin_open = interactive && has("stdin");
    ao.out = has("stdout");
    ao.err = has("stderr");
  }
  auto* e = ctx.engine;
  log::debug("run: engine open");
  auto img = TRY(image_for(ctx, *e, a));
  log::debug("run: image resolved");
  auto rec = TRY(engine::create_container(*e, create_options(a, argv_for_record(ctx, a)), img ? &*img : nullptr));
  log::debug("run: container created");
  auto starting = engine::begin_start(*e, rec.id, ctx.global.log_level);
  log::debug("run: monitor launched");
  // A --rm container whose command could not run (126/127) is removed by its monitor: wait
  // for that (bounded), so that its name is free when we return (Docker's CLI waits for the
  // removal too). The monitor may have failed before we learnt its pid: watch the record.
  auto removed_on_error = [&](Error err) {
    if (a.flag("rm") && (err.code == kCommandNotFound || err.code == kCannotInvoke)) {
      std::string cfg = e->container_dir(rec.id) + "/config.json";
      for (int i = 0; i < 2000 && path_exists(cfg); ++i) usleep(5000);
    } else if (a.flag("rm")) {
      // Refused before any monitor ran (its network, say): Docker's CLI removes it too.
      (void)engine::remove_container(*e, rec.id, true, true);
    }
    return err;
  };
  if (!starting) {
    // A taken port (or another failure to publish): nothing of this run stays behind.
    if (engine::is_publish_error(starting.error())) (void)engine::remove_container(*e, rec.id, true, true);
    return removed_on_error(starting.error());
  }
  pid_t monitor = starting->launch.monitor_pid();
  if (detach) {
    if (auto st = starting->launch.go(); !st) return removed_on_error(st.error());
    outf("{}\n", rec.id);
    return 0;
  }
  std::string run_dir = e->run_dir(rec.id);
  auto kill = [&](int sig) { (void)engine::kill_container(*e, rec.id, sig); };
  auto res = attach_session(run_dir, ao, &starting->launch, kill);
  if (!res) return removed_on_error(res.error());
  log::debug("run: session ended");
  if (!res->detached && a.flag("rm")) wait_pid_gone(monitor);  // the monitor removes it
  log::debug("run: removed");
  return finish_attached(*e, rec.id, *res);
}

Result<int> cmd_start(Context& ctx, const ParsedArgs& args) {
  auto* e = ctx.engine;
  auto targets = TRY(service_targets(*e, ctx, args));
  if (!targets) return 0;  // --ignore: nothing left
  const ParsedArgs& a = *targets;
  bool attach = a.flag("attach"), interactive = a.flag("interactive");
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::All));
  if ((attach || interactive) && refs.size() > 1)
    return fail(kInvalid, "you cannot start and attach multiple containers at once");
  if (attach || interactive) {
    auto c = TRY(engine::find_container(*e, refs.at(0)));
    TRY(start_requirements(*e, c.rec, ctx.global.log_level));
    AttachOptions ao;
    ao.tty = c.rec.config.tty;
    ao.stdin_open = interactive && c.rec.config.open_stdin;
    ao.detach_keys = TRY(parse_detach_keys(detach_keys_flag(ctx, a)));
    auto starting = engine::begin_start(*e, c.rec.id, ctx.global.log_level);
    std::optional<monitor::Launch> launch;
    if (!starting) {
      if (starting.error().code != kConflict) return starting.error();
    } else {
      launch = std::move(starting->launch);
    }
    auto kill = [&](int sig) { (void)engine::kill_container(*e, c.rec.id, sig); };
    auto res = TRY(attach_session(e->run_dir(c.rec.id), ao, launch ? &*launch : nullptr, kill));
    return finish_attached(*e, c.rec.id, res);
  }
  bool failed = false;
  for (auto& ref : refs) {
    auto st = start_with_requirements(*e, ref, ctx.global.log_level);
    if (!st) {
      print_error(st.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", ref);
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_attach(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto c = TRY(engine::find_container(*e, a.positional[0]));
  if (c.state.status != engine::RunState::Running)
    return fail(kConflict, "you cannot attach to a stopped container, start it first");
  AttachOptions ao;
  ao.tty = c.rec.config.tty;
  ao.stdin_open = !a.flag("no-stdin") && c.rec.config.open_stdin;
  ao.sig_proxy = a.flag("sig-proxy", true);
  ao.detach_keys = TRY(parse_detach_keys(detach_keys_flag(ctx, a)));
  auto kill = [&](int sig) { (void)engine::kill_container(*e, c.rec.id, sig); };
  auto res = TRY(attach_session(e->run_dir(c.rec.id), ao, nullptr, kill));
  return finish_attached(*e, c.rec.id, res);
}

}  // namespace skiff::cli

namespace skiff::cli {

Result<int> cmd_exec(Context& ctx, const ParsedArgs& a) {
  engine::ExecOptions o;
  o.command.assign(a.positional.begin() + 1, a.positional.end());
  o.interactive = a.flag("interactive");
  o.tty = a.flag("tty");
  o.privileged = a.flag("privileged");
  o.env = a.list("env");
  o.env_files = a.list("env-file");
  o.user = a.str("user");
  o.workdir = a.str("workdir");
  bool detach = a.flag("detach");
  if (o.tty && o.interactive && !stdin_is_tty() && !detach) return fail(kInvalid, "the input device is not a TTY");
  AttachOptions ao;
  ao.tty = o.tty;
  ao.stdin_open = o.interactive;
  ao.detach_keys = TRY(parse_detach_keys(detach_keys_flag(ctx, a)));
  auto* e = ctx.engine;
  auto s = TRY(engine::begin_exec(*e, a.positional[0], o, ctx.global.log_level));
  if (detach) {
    TRY(s.launch.go());
    return 0;
  }
  auto kill = [&](int sig) { (void)engine::monitor_request(s.run_dir, monitor::proto::Kill{sig}, 5000); };
  auto res = TRY(attach_session(s.run_dir, ao, &s.launch, kill));
  if (res.detached) return 0;
  if (res.exit_code >= 0) return res.exit_code;
  auto code = read_file(s.run_dir + "/exit");
  return code ? int(parse_int(trim(*code)).value_or(0)) : 0;
}

}  // namespace skiff::cli
