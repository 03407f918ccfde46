// create: flags + image config → a container record on disk (crash-safe, name claimed
// atomically).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include "mounts.hpp"
#include "skiff/engine/netnames.hpp"
#include "network.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/runtime/container.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/copy.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/userns.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

extern char** environ;

namespace skiff::engine {

namespace {

std::string host_env(const std::string& name) {
  const char* v = getenv(name.c_str());
  return v ? std::string(v) : std::string();
}

// Docker: "NAME=value" literally; a bare "NAME" copies the caller's value (omitted if unset).
Status add_env(std::vector<std::string>& env, const std::string& entry, const std::string& origin) {
  auto [k, v] = split_once(entry, '=');
  if (k.empty()) return fail(kInvalid, fmt::format("invalid environment variable: {}", entry));
  if (k.find_first_of(" \t") != std::string::npos)
    return fail(kInvalid, fmt::format("invalid env file ({}): variable '{}' contains whitespaces", origin, k));
  std::string value;
  if (v) {
    value = *v;
  } else {
    if (!getenv(k.c_str())) return ok();
    value = host_env(k);
  }
  std::string kv = k + "=" + value;
  for (auto& e : env)
    if (e.compare(0, k.size() + 1, k + "=") == 0) {
      e = kv;
      return ok();
    }
  env.push_back(kv);
  return ok();
}

Status add_env_file(std::vector<std::string>& env, const std::string& path) {
  auto text = read_file(path, 16 << 20);
  if (!text) return wrap(text.error(), fmt::format("open env file `{}`", path));
  for (auto& raw : split(*text, '\n')) {
    std::string line = raw;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    // Leading whitespace is trimmed, trailing kept (Docker).
    size_t b = line.find_first_not_of(" \t");
    if (b == std::string::npos) continue;
    line = line.substr(b);
    if (line[0] == '#') continue;
    TRY(add_env(env, line, path));
  }
  return ok();
}

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

std::string new_id() {
  for (;;) {
    std::string id = random_hex(32);
    // Old moby rule: no short ID made of digits only (it would look like a number).
    if (id.substr(0, 12).find_first_not_of("0123456789") != std::string::npos) return id;
  }
}

// Mount points the runtime needs, so it never has to create them in the container's layer.
Status make_init_layer(const std::string& dir) {
  for (const char* d : {"/proc", "/sys", "/dev", "/etc"})
    if (mkdir((dir + d).c_str(), 0755) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}{}`", dir, d));
  for (const char* f : {"/etc/hostname", "/etc/hosts", "/etc/resolv.conf"}) {
    auto fd = open_path(dir + f, O_WRONLY | O_CREAT, 0644);
    if (!fd) return fd.error();
  }
  return ok();
}

}  // namespace

Result<ContainerRecord> create_container(Engine& e, const CreateOptions& o_in, const ImageDefaults* img) {
  // containers.conf defaults under the user's flags.
  const ContainersConf& cc = *TRY(e.conf());
  CreateOptions o = o_in;
  if (!cc.default_ulimits.empty()) o.ulimits.insert(o.ulimits.begin(), cc.default_ulimits.begin(), cc.default_ulimits.end());
  // Default net.* sysctls belong to a network namespace of the container's own: with the
  // host's they are skipped, as Podman does (rootless, setting them fails the start).
  for (auto it = cc.default_sysctls.rbegin(); it != cc.default_sysctls.rend(); ++it)
    if (!(o.network == "host" && it->rfind("net.", 0) == 0)) o.sysctls.insert(o.sysctls.begin(), *it);
  bool log_driver_from_conf = o.log_driver.empty();
  if (o.log_driver.empty()) o.log_driver = cc.log_driver;
  // containers.conf's default (Podman's is journald): used when it can work here, else ours.
  // A --log-driver flag is never replaced (service.cpp refuses one that cannot work).
  if (log_driver_from_conf && !conf_log_driver_usable(o.log_driver)) o.log_driver.clear();
  if (cc.log_size_max > 0 && std::none_of(o.log_opts.begin(), o.log_opts.end(), [](auto& x) { return x.rfind("max-size=", 0) == 0; }))
    o.log_opts.push_back(fmt::format("max-size={}", cc.log_size_max));
  if (!o.init && cc.init) o.init = *cc.init;
  const Json empty = Json::object();
  const Json& ic = img ? img->config : empty;
  ContainerRecord r;
  r.id = new_id();
  r.created = now_ns();
  r.image = o.image;
  r.rootfs = o.rootfs;
  if (img) {
    r.image_id = img->id;
    r.image_name = img->name;
  }

  // Command: Docker's entrypoint/cmd merge. --entrypoint replaces the image's and clears its
  // CMD; a command after the image replaces CMD.
  std::vector<std::string> entrypoint, cmd;
  auto strings = [](const Json& j) {
    std::vector<std::string> v;
    if (j.is_array())
      for (auto& x : j)
        if (x.is_string()) v.push_back(x.get<std::string>());
    return v;
  };
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
  r.path = argv[0];
  r.args.assign(argv.begin() + 1, argv.end());

  // Environment: image < --env-file (in order) < -e (in order).
  std::vector<std::string> env;
  for (auto& kv : cc.env) TRY(add_env(env, kv, "containers.conf"));
  for (auto& kv : strings(json_get(ic, "Env"))) TRY(add_env(env, kv, "image"));
  for (auto& f : o.env_files) TRY(add_env_file(env, f));
  TRY(podman_env(o.podman, env));
  for (auto& kv : o.env) TRY(add_env(env, kv, "-e"));

  std::string restart;
  int restart_max = 0;
  TRY(parse_restart(o.restart, restart, restart_max));
  if (o.auto_remove && restart != "no") return fail(kInvalid, "conflicting options: --restart and --rm");
  if (!o.name.empty()) TRY(validate_name(o.name));
  Json exposed, port_bindings;
  TRY(record_ports(o, ic, exposed, port_bindings));

  std::string stop_signal = o.stop_signal.empty() ? json_str(ic, "StopSignal", "SIGTERM") : o.stop_signal;
  if (!parse_signal(stop_signal)) return fail(kInvalid, fmt::format("invalid signal: {}", stop_signal));
  std::string log_driver = o.log_driver.empty() ? "json-file" : o.log_driver;
  if (log_driver != "json-file" && log_driver != "k8s-file" && log_driver != "none" && log_driver != "journald" &&
      log_driver != "passthrough")
    return fail(kInvalid, fmt::format("unsupported log driver \"{}\" (json-file, k8s-file, journald, passthrough, none)",
                                      log_driver));
  TRY(check_log_driver(log_driver, o.tty));
  Json log_opts = Json::object();
  for (auto& lo : o.log_opts) {
    auto [k, v] = split_once(lo, '=');
    if (!v) return fail(kInvalid, fmt::format("invalid log option \"{}\": want KEY=VALUE", lo));
    if (k == "max-size") {
      if (!parse_ram_size(*v)) return fail(kInvalid, fmt::format("invalid max-size \"{}\"", *v));
    } else if (k != "max-file" && k != "tag" && k != "path") {
      return fail(kInvalid, fmt::format("unknown log opt '{}' for {} log driver", k, log_driver));
    }
    log_opts[k] = *v;
  }
  auto mounts = TRY(parse_mount_flags(o.volumes, o.mounts, o.tmpfs));
  // The image's VOLUME paths not covered by a user mount get anonymous volumes (Docker).
  const Json& ivols = json_get(ic, "Volumes");
  if (ivols.is_object())
    for (auto& [path, unused] : ivols.items()) {
      (void)unused;
      std::string dst = path;
      if (std::any_of(mounts.begin(), mounts.end(), [&](auto& m) { return m.destination == dst; })) continue;
      MountSpec m;
      m.type = "volume";
      m.anonymous = true;
      m.name = random_hex(32);
      m.destination = dst;
      mounts.push_back(std::move(m));
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
  std::string seccomp_profile;
  for (auto& so : o.security_opt) {
    auto [k, v] = split_once(so, so.find('=') != std::string::npos ? '=' : ':');
    if (k == "seccomp" && v && *v != "unconfined" && *v != "builtin" && !v->empty())
      seccomp_profile = TRY_CTX(read_file(*v, 4 << 20), "read seccomp profile");
  }

  std::string short_id = r.id.substr(0, 12);
  ContainerConfig& c = r.config;
  c.hostname = o.hostname.empty() ? short_id : o.hostname;
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

  Json& h = r.host_config = Json::object();
  h["Binds"] = o.volumes.empty() ? Json(nullptr) : Json(o.volumes);
  h["ContainerIDFile"] = o.cidfile;
  Json lc = Json::object();
  lc["Type"] = log_driver;
  lc["Config"] = log_opts;
  h["LogConfig"] = lc;
  if (is_network_mode(o.network)) TRY(resolve_network_mode(e, o.network, cc, h, r.extra));  // else a user network
  h["PortBindings"] = port_bindings;
  Json rp = Json::object();
  rp["Name"] = restart;
  rp["MaximumRetryCount"] = restart_max;
  h["RestartPolicy"] = rp;
  h["AutoRemove"] = o.auto_remove;
  if (o.publish_all) h["PublishAllPorts"] = true;
  h["CapAdd"] = o.cap_add.empty() ? Json(nullptr) : Json(o.cap_add);
  h["CapDrop"] = o.cap_drop.empty() ? Json(nullptr) : Json(o.cap_drop);
  h["GroupAdd"] = o.group_add.empty() ? Json(nullptr) : Json(o.group_add);
  h["Init"] = o.init;
  h["Privileged"] = o.privileged;
  h["ReadonlyRootfs"] = o.read_only;
  h["SecurityOpt"] = o.security_opt.empty() ? Json(nullptr) : Json(o.security_opt);
  Json tmpfs = Json::object();
  for (auto& t : o.tmpfs) {
    auto [dst, opts] = split_once(t, ':');
    tmpfs[dst] = opts.value_or("");
  }
  h["Tmpfs"] = tmpfs;
  h["Ulimits"] = o.ulimits.empty() ? Json(nullptr) : Json(o.ulimits);
  Json sysctls = Json::object();
  for (auto& s : o.sysctls) {
    auto [k, v] = split_once(s, '=');
    if (!v) return fail(kInvalid, fmt::format("invalid sysctl \"{}\": want KEY=VALUE", s));
    sysctls[k] = *v;
  }
  h["Sysctls"] = sysctls;
  std::string cgroups_mode = TRY(set_resources(e, o.resources, r, cc.cgroups));

  Json service_extra = Json::object();
  TRY(apply_service_options(o.service, img ? &img->config : nullptr, c, service_extra));

  // Names, DNS and user networks; the network store's lock is held until the record exists
  // (the addresses allocated are recorded in it).
  FileLock net_lock = TRY(apply_network_options(e, o, r));
  // Everything is valid: `-v` creates a missing host directory now, as Docker's does.
  TRY(create_bind_sources(mounts));
  Json& x = r.extra;  // resolve_network_mode and apply_network_options filled their parts
  if (!x.is_object()) x = Json::object();
  x.update(service_extra);
  x["mounts"] = mounts_to_json(mounts);
  x["hostname"] = c.hostname;
  if (cgroups_mode != "enabled") x["cgroups"] = cgroups_mode;
  bool seccomp_set = std::any_of(o.security_opt.begin(), o.security_opt.end(), [](auto& so) { return so.rfind("seccomp", 0) == 0; });
  if (seccomp_profile.empty() && !seccomp_set && !cc.seccomp_profile.empty() && path_exists(cc.seccomp_profile))
    seccomp_profile = TRY_CTX(read_file(cc.seccomp_profile, 4 << 20), "read containers.conf seccomp_profile");
  if (!seccomp_profile.empty()) x["seccompProfile"] = seccomp_profile;
  if (!cc.default_capabilities.empty()) x["capBase"] = cc.default_capabilities;
  // containers.conf no_new_privileges, fixed at create as Podman does; --security-opt wins.
  if (cc.no_new_privileges) x["noNewPrivileges"] = true;
  if (o.rootfs.empty()) r.driver = img && !img->vfs_source.empty() ? storage::Driver::Vfs : storage::Driver::Overlay;
  if (img) {
    // overlay: the container's init layer (mount-point stubs, so they never appear in its
    // own layer, as Docker's "-init" layer) sits above the image's layers.
    std::vector<std::string> lowers{"containers/" + r.id + "/init"};
    lowers.insert(lowers.end(), img->layer_dirs.begin(), img->layer_dirs.end());
    if (r.driver == storage::Driver::Overlay) x["layerDirs"] = lowers;
    x["topLayer"] = img->top_layer;
  }
  TRY(podman_record(e, o.podman, r));

  // --replace: the old container of that name goes first (stopped, removed).
  if (o.service.replace) TRY(replace_container(e, o.name));
  // --cidfile must not exist yet (Docker), or be empty (Podman: a unit's leftover).
  UniqueFd cid;
  if (!o.cidfile.empty()) {
    auto f = open_path(o.cidfile, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (!f && f.error().code == EEXIST) {
      struct stat st;
      if (stat(o.cidfile.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0)
        f = open_path(o.cidfile, O_WRONLY | O_TRUNC | O_NOFOLLOW, 0644);
    }
    if (!f) {
      if (f.error().code == EEXIST)
        return fail(kConflict, fmt::format("container ID file found, make sure the other container isn't running or delete {}", o.cidfile));
      return wrap(f.error(), "create the container ID file");
    }
    cid = std::move(*f);
  }
  auto undo_cid = [&]() {
    if (cid) (void)unlink(o.cidfile.c_str());
  };

  // Order for crash safety: name link (dangling until the config exists, reclaimable) →
  // container dir → config.json (atomic): a container exists once its config does.
  // Our own lock, held until the config exists: a concurrent claimer of the same name waits
  // for it instead of taking the link for a stale one.
  auto own_lock = e.lock_container(r.id);
  if (!own_lock) {
    undo_cid();
    return own_lock.error();
  }
  r.name = o.name.empty() ? random_name(e) : o.name;
  for (int attempt = 0;; ++attempt) {
    auto st = claim_name(e, r.name, r.id);
    if (st) break;
    // --replace racing another create of the name: remove that one too (bounded).
    if (o.service.replace && st.error().code == kConflict && attempt < 3) {
      (void)replace_container(e, r.name);
      continue;
    }
    if (!o.name.empty() || attempt > 20) {
      undo_cid();
      (void)remove_tree(e.run_dir(r.id));
      return st.error();
    }
    r.name = random_name(e);  // a concurrent create took our random name: pick another
  }
  std::string dir = e.container_dir(r.id);
  auto fail_clean = [&](Error err) -> Result<ContainerRecord> {
    (void)remove_tree(dir);
    (void)remove_tree(e.run_dir(r.id));
    for (auto& m : mounts)
      if (m.type == "volume" && m.anonymous) (void)remove_tree(e.graph() + "/volumes/" + m.name);
    (void)unlink((e.graph() + "/names/containers/" + r.name).c_str());
    undo_cid();
    return err;
  };
  if (mkdir(dir.c_str(), 0700) < 0) return fail_clean(errno_error(fmt::format("mkdir `{}`", dir)));
  // Named volumes are created on first use; anonymous ones are this container's own.
  for (auto& m : mounts) {
    if (m.type != "volume") continue;
    Json labels = Json::object();
    if (m.anonymous) labels["com.docker.volume.anonymous"] = "";
    auto v = create_volume(e, m.name, labels, Json::object(), m.anonymous);
    if (!v) return fail_clean(v.error());
  }
  if (r.driver == storage::Driver::Overlay) {
    for (const char* sub : {"/upper", "/work", "/merged", "/init"})
      if (mkdir((dir + sub).c_str(), 0755) < 0) return fail_clean(errno_error("create the container layer"));
    if (auto st = make_init_layer(dir + "/init"); !st) return fail_clean(st.error());
    if (auto st = podman_prepare_rootfs(e, r); !st) return fail_clean(st.error());
  } else if (r.driver == storage::Driver::Vfs) {
    // vfs: the container's own full copy of the image (owners kept: inside the user namespace).
    if (mkdir((dir + "/rootfs").c_str(), 0755) < 0) return fail_clean(errno_error("create the container root"));
    std::string src = img->vfs_source, dst = dir + "/rootfs";
    auto st = run_as_store_owner(e.idmap(), [&]() -> Status {
      auto s = TRY(open_path(src, O_RDONLY | O_DIRECTORY));
      auto d = TRY(open_path(dst, O_RDONLY | O_DIRECTORY));
      return copy_tree_at(s.get(), d.get());
    });
    if (!st) return fail_clean(wrap(st.error(), "copy the image for the container"));
  }
  // A --rm container does not outlive its run: durability buys nothing (and costs 2 fsyncs).
  if (auto st = write_record(e, r, !o.auto_remove); !st)
    return fail_clean(st.error());
  if (cid) (void)write_all(cid.get(), r.id);
  net_lock.release();
  refresh_after_membership_change(e, r);  // its peers' /etc/hosts gain it
  container_event(e, r, "create");
  return r;
}

}  // namespace skiff::engine
