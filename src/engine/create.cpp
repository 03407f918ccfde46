// create: flags + image config → a container record on disk (crash-safe, name claimed
// atomically).
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <functional>

#include "create_plan.hpp"
#include "mounts.hpp"
#include "skiff/engine/netnames.hpp"
#include "network.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/engine/systemd_mode.hpp"
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

// Undo steps of a create that fails half-way, run newest first unless dismissed: whatever
// the failure, the store is left as it was.
class UndoGuard {
 public:
  UndoGuard() = default;
  UndoGuard(const UndoGuard&) = delete;
  UndoGuard& operator=(const UndoGuard&) = delete;
  ~UndoGuard() {
    if (!dismissed_)
      for (auto it = steps_.rbegin(); it != steps_.rend(); ++it) (*it)();
  }
  void add(std::function<void()> step) { steps_.push_back(std::move(step)); }
  void dismiss() { dismissed_ = true; }

 private:
  std::vector<std::function<void()>> steps_;
  bool dismissed_ = false;
};

// The container on disk, from its complete record: --replace, the cidfile, the name, the
// container directory, its volumes and layer, then the record (a container exists once its
// config does). Order for crash safety: name link (dangling until the config exists,
// reclaimable) → container dir → config.json (atomic).
Status materialise_container(Engine& e, const CreateOptions& o, const ImageDefaults* img, ContainerRecord& r,
                             const std::vector<MountSpec>& mounts) {
  UndoGuard undo;
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
    undo.add([&]() { (void)unlink(o.cidfile.c_str()); });
  }

  // Our own lock, held until the config exists: a concurrent claimer of the same name waits
  // for it instead of taking the link for a stale one.
  FileLock own_lock = TRY(e.lock_container(r.id));
  undo.add([&]() { (void)remove_tree(e.run_dir(r.id)); });
  r.name = o.name.empty() ? random_name(e) : o.name;
  for (int attempt = 0;; ++attempt) {
    auto st = claim_name(e, r.name, r.id);
    if (st) break;
    // --replace racing another create of the name: remove that one too (bounded).
    if (o.service.replace && st.error().code == kConflict && attempt < 3) {
      (void)replace_container(e, r.name);
      continue;
    }
    if (!o.name.empty() || attempt > 20) return st.error();
    r.name = random_name(e);  // a concurrent create took our random name: pick another
  }
  undo.add([&]() { (void)unlink((e.graph() + "/names/containers/" + r.name).c_str()); });
  std::string dir = e.container_dir(r.id);
  if (mkdir(dir.c_str(), 0700) < 0) return errno_error(fmt::format("mkdir `{}`", dir));
  undo.add([&]() { (void)remove_tree(dir); });
  // Named volumes are created on first use; anonymous ones are this container's own.
  for (auto& m : mounts) {
    if (m.type != "volume") continue;
    Json labels = Json::object();
    if (m.anonymous) labels["com.docker.volume.anonymous"] = "";
    if (m.anonymous) undo.add([&e, name = m.name]() { (void)remove_tree(e.graph() + "/volumes/" + name); });
    TRY(create_volume(e, m.name, labels, Json::object(), m.anonymous));
  }
  if (r.driver == storage::Driver::Overlay) {
    for (const char* sub : {"/upper", "/work", "/merged", "/init"})
      if (mkdir((dir + sub).c_str(), 0755) < 0) return errno_error("create the container layer");
    TRY(make_init_layer(dir + "/init"));
    TRY(podman_prepare_rootfs(e, r));
  } else if (r.driver == storage::Driver::Vfs) {
    // vfs: the container's own full copy of the image (owners kept: inside the user namespace).
    if (mkdir((dir + "/rootfs").c_str(), 0755) < 0) return errno_error("create the container root");
    std::string src = img->vfs_source, dst = dir + "/rootfs";
    auto st = run_as_store_owner(e.idmap(), [&]() -> Status {
      auto s = TRY(open_path(src, O_RDONLY | O_DIRECTORY));
      auto d = TRY(open_path(dst, O_RDONLY | O_DIRECTORY));
      return copy_tree_at(s.get(), d.get());
    });
    if (!st) return wrap(st.error(), "copy the image for the container");
  }
  TRY(systemd_prepare_rootfs(e, r));
  // A --rm container does not outlive its run: durability buys nothing (and costs 2 fsyncs).
  TRY(write_record(e, r, !o.auto_remove));
  undo.dismiss();
  if (cid) (void)write_all(cid.get(), r.id);
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
    if (!(o.network == "host" && it->starts_with("net."))) o.sysctls.insert(o.sysctls.begin(), *it);
  bool log_driver_from_conf = o.log_driver.empty();
  if (o.log_driver.empty()) o.log_driver = cc.log_driver;
  // containers.conf's default (Podman's is journald): used when it can work here, else ours.
  // A --log-driver flag is never replaced (service.cpp refuses one that cannot work).
  if (log_driver_from_conf && !conf_log_driver_usable(o.log_driver)) o.log_driver.clear();
  if (cc.log_size_max > 0 && std::none_of(o.log_opts.begin(), o.log_opts.end(), [](auto& x) { return x.starts_with("max-size="); }))
    o.log_opts.push_back(fmt::format("max-size={}", cc.log_size_max));
  if (!o.init && cc.init) o.init = *cc.init;
  std::string pod_id;
  TRY(pod_create_hook(e, o, pod_id));  // --pod: the pod's namespaces (pod.hpp)
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
  CreatePlan plan = TRY(plan_container(r.id, o, cc, ic));
  r.path = plan.path;
  r.args = plan.args;
  r.config = plan.config;
  auto& mounts = plan.mounts;

  Json& h = r.host_config = Json::object();
  h["Binds"] = o.volumes.empty() ? Json(nullptr) : Json(o.volumes);
  h["ContainerIDFile"] = o.cidfile;
  Json lc = Json::object();
  lc["Type"] = plan.log_driver;
  lc["Config"] = plan.log_opts;
  h["LogConfig"] = lc;
  if (is_network_mode(o.network)) TRY(resolve_network_mode(e, o.network, cc, h, r.extra));  // else a user network
  h["PortBindings"] = plan.port_bindings;
  Json rp = Json::object();
  rp["Name"] = plan.restart;
  rp["MaximumRetryCount"] = plan.restart_max;
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
  h["Tmpfs"] = plan.tmpfs;
  h["Ulimits"] = o.ulimits.empty() ? Json(nullptr) : Json(o.ulimits);
  h["Sysctls"] = plan.sysctls;
  std::string cgroups_mode = TRY(set_resources(e, o.resources, r, cc.cgroups));

  TRY(apply_service_options(o.service, img ? &img->config : nullptr, r.config, r.extra));

  // Names, DNS and user networks; the network store's lock is held until the record exists
  // (the addresses allocated are recorded in it).
  FileLock net_lock = TRY(apply_network_options(e, o, r));
  // Everything is valid: `-v` creates a missing host directory now, as Docker's does.
  TRY(create_bind_sources(mounts));
  ContainerExtra& x = r.extra;  // resolve_network_mode, service and network options filled their parts
  x.mounts = mounts_to_json(mounts);
  x.hostname = r.config.hostname;
  if (cgroups_mode != "enabled") x.cgroups = cgroups_mode;
  std::string seccomp_profile = plan.seccomp_profile;
  x.systemd = plan.systemd;
  bool seccomp_set = std::any_of(o.security_opt.begin(), o.security_opt.end(), [](auto& so) { return so.starts_with("seccomp"); });
  if (seccomp_profile.empty() && !seccomp_set && !cc.seccomp_profile.empty() && path_exists(cc.seccomp_profile))
    seccomp_profile = TRY_CTX(read_file(cc.seccomp_profile, 4 << 20), "read containers.conf seccomp_profile");
  x.seccomp_profile = seccomp_profile;
  x.cap_base = cc.default_capabilities;
  // containers.conf no_new_privileges, fixed at create as Podman does; --security-opt wins.
  x.no_new_privileges = cc.no_new_privileges;
  if (o.rootfs.empty()) r.driver = img && !img->vfs_source.empty() ? storage::Driver::Vfs : storage::Driver::Overlay;
  if (img) {
    // overlay: the container's init layer (mount-point stubs, so they never appear in its
    // own layer, as Docker's "-init" layer) sits above the image's layers.
    std::vector<std::string> lowers{"containers/" + r.id + "/init"};
    lowers.insert(lowers.end(), img->layer_dirs.begin(), img->layer_dirs.end());
    if (r.driver == storage::Driver::Overlay) x.layer_dirs = lowers;
    x.top_layer = img->top_layer;
  }
  TRY(podman_record(e, o.podman, r));
  if (!pod_id.empty()) set_pod(r, pod_id, o.pod_infra);

  TRY(materialise_container(e, o, img, r, mounts));
  net_lock.release();
  refresh_after_membership_change(e, r);  // its peers' /etc/hosts gain it
  container_event(e, r, "create");
  return r;
}

}  // namespace skiff::engine
