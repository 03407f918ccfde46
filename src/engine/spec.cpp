// The runtime spec of a container: its record + the defaults (mounts, masked paths,
// capabilities, seccomp, rlimits, environment) → oci::Spec, built at every start.
#include <linux/capability.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>

#include "mounts.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/engine/podman.hpp"
#include "skiff/engine/systemd_mode.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/defaults.hpp"
#include "skiff/runtime/rlimits.hpp"
#include "skiff/runtime/seccomp.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

namespace {

// Raising hard limits needs CAP_SYS_RESOURCE in the initial user namespace.
bool can_raise_rlimits() {
  if (geteuid() != 0) return false;
  auto status = read_file("/proc/self/status");
  if (!status) return false;
  for (auto& line : split(*status, '\n'))
    if (line.starts_with("CapEff:")) {
      uint64_t eff = std::stoull(std::string(trim(line.substr(7))), nullptr, 16);
      return (eff >> CAP_SYS_RESOURCE) & 1;
    }
  return false;
}

bool host_has_unified_cgroup() {
  struct statfs sf;
  return statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;  // CGROUP2_SUPER_MAGIC
}

size_t depth(const std::string& p) { return size_t(std::count(p.begin(), p.end(), '/')); }

}  // namespace

Status validate_security(const CreateOptions& o) {
  for (auto* list : {&o.cap_add, &o.cap_drop})
    for (auto& c : *list)
      if (to_lower(c) != "all") TRY(runtime::parse_capability(c));
  for (auto& so : o.security_opt) {
    auto [k, v] = split_once(so, so.find('=') != std::string::npos ? '=' : ':');
    if (k == "seccomp") {
      if (!v) return fail(kInvalid, fmt::format("invalid --security-opt: {}", so));
      TRY(runtime::seccomp_profile_for_option(*v));
    } else if (k == "no-new-privileges") {
      if (v && !parse_bool(*v)) return fail(kInvalid, fmt::format("invalid --security-opt: {}", so));
    } else if (k != "label" && k != "apparmor" && k != "mask" && k != "unmask") {
      return fail(kInvalid, fmt::format("invalid --security-opt 1: \"{}\"", so));
    }
  }
  for (auto& u : o.ulimits) TRY(runtime::parse_ulimit(u));
  return ok();
}

Result<oci::Spec> build_spec(Engine& e, const ContainerRecord& r) {
  oci::Spec s;
  s.id = r.id;
  s.hostname = r.config.hostname.empty() ? r.id.substr(0, 12) : r.config.hostname;
  std::string cdir = e.container_dir(r.id);
  std::string rdir = e.run_dir(r.id);
  bool privileged = json_bool(r.host_config, "Privileged");
  s.privileged = privileged;

  // Root filesystem.
  if (!r.driver) {
    s.root.kind = "dir";
    s.root.path = r.rootfs;
  } else if (r.driver == storage::Driver::Overlay) {
    s.root.kind = "overlay";
    s.root.overlay_cwd = r.extra.overlay_cwd.empty() ? e.graph() : r.extra.overlay_cwd;
    s.root.lower = r.extra.layer_dirs;
    s.root.upper = cdir + "/upper";
    s.root.work = cdir + "/work";
    s.root.path = cdir + "/merged";
    s.root.userxattr = e.idmap().userns;
  } else {
    s.root.kind = "dir";
    s.root.path = cdir + "/rootfs";
  }
  s.root.readonly = json_bool(r.host_config, "ReadonlyRootfs");

  // Mounts: the standard set, then /etc files, then the user's (parents before children).
  auto user_mounts = mounts_from_json(r.extra.mounts);
  auto user_has = [&](const std::string& dst) {
    return std::any_of(user_mounts.begin(), user_mounts.end(), [&](auto& m) { return m.destination == dst; });
  };
  IdMap ids = container_idmap(e, r);  // the store's, keep-id's or --uidmap's
  bool gid5 = !ids.userns || ids.host_gid(5) >= 0;
  std::vector<std::string> pts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (gid5) pts.push_back("gid=5");
  s.mounts = {
      {"/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}},
      {"/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}},
      {"/dev/pts", "devpts", "devpts", pts},
      {"/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}},
      {"/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}},
      {"/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}},
  };
  // cgroup v2 hosts only: a cgroup2 mount costs ~15 ms on hybrid v1/v2 hosts, where the v2
  // hierarchy is empty and nothing in the container would use it.
  if (host_has_unified_cgroup())
    s.mounts.push_back({"/sys/fs/cgroup", "cgroup2", "cgroup2", {"nosuid", "noexec", "nodev", "relatime", "ro"}});
  for (const char* f : {"hostname", "hosts", "resolv.conf"}) {
    std::string dst = std::string("/etc/") + f;
    if (user_has(dst)) continue;
    if (dst == "/etc/hosts" && r.extra.no_hosts) continue;  // --no-hosts: the image's
    oci::Mount m{dst, "bind", rdir + "/" + f, {"rbind", "rprivate"}};
    m.file = true;
    s.mounts.push_back(m);
  }
  size_t user_mounts_from = s.mounts.size();  // systemd mode's mounts go before the user's
  std::stable_sort(user_mounts.begin(), user_mounts.end(),
                   [](auto& a, auto& b) { return depth(a.destination) < depth(b.destination); });
  for (auto& um : user_mounts) {
    oci::Mount m;
    m.destination = um.destination;
    m.options = um.options;
    if (!um.rw) m.options.push_back("ro");
    if (um.type == "tmpfs") {
      m.type = "tmpfs";
      m.source = "tmpfs";
      if (std::none_of(m.options.begin(), m.options.end(), [](auto& o) { return o.starts_with("mode="); }))
        m.options.push_back("mode=1777");
      for (const char* d : {"nosuid", "nodev", "noexec"}) m.options.push_back(d);
    } else if (um.type == "volume") {
      m.type = "bind";
      m.source = e.graph() + "/volumes/" + um.name + "/_data";
      m.options.push_back("rbind");
      m.copy_up = !um.nocopy;
    } else {
      m.type = "bind";
      m.source = um.source;
      m.options.push_back("rbind");
      // -v: a host directory removed since the create is made again (Docker, at every start).
      if (um.create_source && !path_exists(um.source))
        TRY_CTX(mkdir_p(um.source, 0755), "create the bind source directory");
      struct stat st;
      m.file = stat(um.source.c_str(), &st) == 0 && !S_ISDIR(st.st_mode);
    }
    s.mounts.push_back(std::move(m));
  }
  if (!privileged) {
    s.masked_paths = runtime::expand_path_patterns(runtime::default_masked_paths());
    for (auto p : runtime::default_readonly_paths()) s.readonly_paths.emplace_back(p);
  }

  // Process.
  oci::Process& p = s.process;
  p.args.push_back(r.path);
  p.args.insert(p.args.end(), r.args.begin(), r.args.end());
  bool tty = r.config.tty;
  const auto& env = r.config.env;
  p.env = runtime::container_environment(env, tty, s.hostname);
  p.cwd = r.config.working_dir;
  if (p.cwd.empty()) p.cwd = "/";
  p.user = r.config.user;
  p.additional_groups = strings_of(json_get(r.host_config, "GroupAdd"));
  p.keep_groups = r.extra.keep_groups;
  p.terminal = tty;
  p.stdin_open = r.config.open_stdin;
  p.cap_add = strings_of(json_get(r.host_config, "CapAdd"));
  p.cap_drop = strings_of(json_get(r.host_config, "CapDrop"));
  p.cap_base = r.extra.cap_base;
  // Off unless asked for, as Docker and Podman (setuid programs such as su and ping work).
  p.no_new_privileges = r.extra.no_new_privileges;
  p.seccomp = privileged ? "unconfined" : "default";
  for (auto& so : strings_of(json_get(r.host_config, "SecurityOpt"))) {
    auto [k, v] = split_once(so, so.find('=') != std::string::npos ? '=' : ':');
    if (k == "no-new-privileges") p.no_new_privileges = !v || parse_bool(*v).value_or(true);
    if (k == "seccomp" && v) {
      if (*v == "unconfined") p.seccomp = "unconfined";
      else if (*v == "builtin" || v->empty()) p.seccomp = "default";
    }
  }
  if (!r.extra.seccomp_profile.empty()) p.seccomp = r.extra.seccomp_profile;
  p.seccomp_cache_dir = e.run() + "/seccomp";
  std::vector<runtime::Rlimit> user_limits;
  for (auto& u : strings_of(json_get(r.host_config, "Ulimits"))) user_limits.push_back(TRY(runtime::parse_ulimit(u)));
  for (auto& rl : runtime::merge_rlimits(runtime::default_rlimits(can_raise_rlimits()), user_limits))
    p.rlimits.push_back(oci::Rlimit{rl.resource, rl.soft, rl.hard});
  p.init = json_bool(r.host_config, "Init");

  s.new_userns = ids.userns;
  s.idmap = ids;
  // Mounted in the container's user namespace: trusted.* xattrs are out of reach there.
  if (s.new_userns) s.root.userxattr = true;
  s.new_netns = json_str(r.host_config, "NetworkMode") != "host";
  const Json& sysctls = json_get(r.host_config, "Sysctls");
  if (sysctls.is_object())
    for (auto& [k, v] : sysctls.items()) s.sysctl.emplace_back(k, v.is_string() ? v.get<std::string>() : v.dump());
  apply_resources(e, r, s);
  TRY(systemd_spec(e, r, s, user_mounts_from));
  return s;
}

}  // namespace skiff::engine
