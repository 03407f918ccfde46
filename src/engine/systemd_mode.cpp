// --systemd: systemd mode's mounts, environment and cgroup (systemd_mode.hpp).
#include "skiff/engine/systemd_mode.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/xattr.h>

#include <algorithm>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/runtime/cgroup_systemd.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

Result<bool> systemd_mode(const std::string& value, const std::vector<std::string>& argv) {
  std::string v = to_lower(value);
  if (v == "always") return true;
  if (v == "false") return false;
  if (!v.empty() && v != "true")
    return fail(kInvalid, fmt::format("invalid --systemd value \"{}\": use true, false or always", value));
  if (argv.empty()) return false;
  const std::string& cmd = argv[0];
  if (cmd == "/sbin/init" || cmd == "/usr/sbin/init" || cmd == "/usr/local/sbin/init") return true;
  return split_dir_base(cmd).second == "systemd" || cmd == "systemd";
}

bool in_systemd_mode(const ContainerRecord& r) { return r.extra.systemd; }

Status systemd_spec(Engine& e, const ContainerRecord& r, oci::Spec& s, size_t user_mounts_from) {
  if (!r.extra.systemd) return ok();
  size_t at = std::min(user_mounts_from, s.mounts.size());
  auto user_has = [&](const std::string& dst) {
    return std::any_of(s.mounts.begin() + long(at), s.mounts.end(), [&](auto& m) { return m.destination == dst; });
  };
  std::vector<oci::Mount> add;
  // Podman's four (its man page says /var/lib/journal; its code and journald use /var/log/journal).
  for (auto [dst, mode] : {std::pair{"/run", "755"}, {"/run/lock", "1777"}, {"/tmp", "1777"}, {"/var/log/journal", "755"}})
    if (!user_has(dst)) add.push_back({dst, "tmpfs", "tmpfs", {"nosuid", "nodev", std::string("mode=") + mode}});

  // /sys/fs/cgroup.
  struct statfs sf;
  bool unified = statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == 0x63677270;  // CGROUP2_SUPER_MAGIC
  if (!user_has("/sys/fs/cgroup")) {
    if (unified) {
      for (auto& m : s.mounts)
        if (m.destination == "/sys/fs/cgroup") std::erase(m.options, std::string("ro"));
    } else {
      auto plan = cgroup_plan(e, r);
      const std::string& hier = runtime::cgroup::systemd_hierarchy();
      if (plan.enabled && !hier.empty()) {
        s.systemd_cgroup = plan.path;
        add.push_back({"/sys/fs/cgroup", "tmpfs", "tmpfs", {"nosuid", "nodev", "noexec", "mode=755"}});
        // With a cgroup namespace the container sees its own cgroup as "/": bind just that.
        bool own_ns = json_str(r.host_config, "CgroupnsMode", "private") != "host";
        add.push_back({"/sys/fs/cgroup/systemd", "bind", own_ns ? hier + "/" + plan.path : hier,
                       {"rbind", "nosuid", "nodev", "noexec"}});
      } else {
        log::warn("systemd mode: {}; systemd needs a name=systemd cgroup it can write and will likely fail to start",
                  plan.enabled ? std::string("this machine has no name=systemd cgroup hierarchy")
                               : "the container has no cgroup of its own (" + plan.reason + ")");
      }
    }
  }

  // /etc/machine-id: made at create in the container's init layer when the image has none
  // (systemd_prepare_rootfs); a --rootfs directory is never written to: the run directory's
  // file is bound there instead.
  std::string uuid = r.id.substr(0, 32);
  if (!r.driver && !user_has("/etc/machine-id")) {
    struct stat st;
    if (fstatat(AT_FDCWD, (r.rootfs + "/etc/machine-id").c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT) {
      std::string rdir = e.run_dir(r.id);
      TRY_CTX(mkdir_p(rdir, 0700), "create the container's run directory");
      TRY_CTX(write_file_atomic(rdir + "/machine-id", uuid + "\n", 0444, false), "write the container's machine-id");
      oci::Mount m{"/etc/machine-id", "bind", rdir + "/machine-id", {"rbind", "rprivate", "ro"}};
      m.file = true;
      add.push_back(m);
    }
  }
  s.mounts.insert(s.mounts.begin() + long(at), add.begin(), add.end());

  bool has_uuid = std::any_of(s.process.env.begin(), s.process.env.end(),
                              [](auto& kv) { return kv.starts_with("container_uuid="); });
  if (!has_uuid) s.process.env.push_back("container_uuid=" + uuid);
  return ok();
}

namespace {

// What a layer directory says of `etc/machine-id`: present, hidden (a whiteout, or an opaque
// /etc), or nothing (look further down).
enum class Seen { Nothing, Present, Hidden };

Seen layer_machine_id(const std::string& layer, bool rootless) {
  struct stat st;
  std::string etc = layer + "/etc";
  if (lstat(etc.c_str(), &st) < 0) return Seen::Nothing;
  if (!S_ISDIR(st.st_mode)) return Seen::Hidden;  // a whiteout, or /etc as a link: leave it be
  if (lstat((etc + "/machine-id").c_str(), &st) == 0)
    return S_ISCHR(st.st_mode) && st.st_rdev == 0 ? Seen::Hidden : Seen::Present;
  char v[2] = {};
  if (lgetxattr(etc.c_str(), rootless ? "user.overlay.opaque" : "trusted.overlay.opaque", v, 1) == 1 && v[0] == 'y')
    return Seen::Hidden;
  return Seen::Nothing;
}

}  // namespace

Status systemd_prepare_rootfs(const Engine& e, const ContainerRecord& r) {
  if (!r.extra.systemd || !r.driver) return ok();
  std::string dir = e.container_dir(r.id);
  std::string target;
  if (r.driver == storage::Driver::Overlay) {
    bool rootless = e.idmap().userns;
    const auto& lowers = r.extra.layer_dirs;
    if (lowers.empty()) return ok();
    for (size_t i = 1; i < lowers.size(); ++i) {  // [0] is the init layer itself
      std::string l = lowers[i];
      if (l.empty()) continue;
      if (l[0] != '/') l = e.graph() + "/" + l;
      Seen seen = layer_machine_id(l, rootless);
      if (seen == Seen::Present) return ok();
      if (seen == Seen::Hidden) break;
    }
    target = dir + "/init/etc";
  } else {
    struct stat st;
    if (lstat((dir + "/rootfs/etc/machine-id").c_str(), &st) == 0 || errno != ENOENT) return ok();
    target = dir + "/rootfs/etc";
  }
  std::string uuid = r.id.substr(0, 32);
  auto write = [&]() -> Status {
    TRY_CTX(mkdir_p(target, 0755), "create /etc for the container's machine-id");
    TRY_CTX(write_file_atomic(target + "/machine-id", uuid + "\n", 0444, false), "write the container's machine-id");
    return ok();
  };
  // vfs: the copy belongs to the store's ids (rootless: a user namespace's).
  return r.driver == storage::Driver::Vfs ? run_as_store_owner(e.idmap(), write) : write();
}

}  // namespace skiff::engine
