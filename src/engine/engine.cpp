// Engine context: store skeleton, boot detection, container locks.
#include "skiff/engine/engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

static std::string current_boot_id() {
  return std::string(trim(read_file("/proc/sys/kernel/random/boot_id").value_or("")));
}

// A store (or run root) this user may not enter is said so, before any lookup can read the
// failure as "No such container". A missing directory is fine (created on first write).
static Status check_access(const std::string& dir, const char* what, const char* flag, bool write) {
  if (access(dir.c_str(), (write ? W_OK : 0) | R_OK | X_OK) == 0 || (errno != EACCES && errno != EPERM)) return ok();
  int err = errno;
  struct stat st;
  std::string owner;
  if (stat(dir.c_str(), &st) == 0 && st.st_uid != geteuid())
    owner = fmt::format(": it belongs to uid {} and skiff runs as uid {} (use a {} of your own: --{})", st.st_uid,
                        geteuid(), what, flag);
  return fail(err, fmt::format("{} `{}`: permission denied{}", what, dir, owner));
}

Result<std::unique_ptr<Engine>> Engine::open(const Paths& paths, const std::string& storage_driver, bool write) {
  std::unique_ptr<Engine> e(new Engine());
  e->paths_ = paths;
  TRY(check_access(paths.graph_root, "store", "root", write));
  TRY(check_access(paths.run_root, "run root", "runroot", write));
  e->driver_override_ = storage_driver;
  e->idmap_ = TRY(idmap_for_current_user());
  std::string boot = current_boot_id();
  auto recorded = read_file(paths.run_root + "/boot_id");
  e->same_boot_ = recorded && std::string(trim(*recorded)) == boot;
  if (!write) return e;
  for (auto* dir : {&paths.graph_root, &paths.run_root}) {
    TRY(mkdir_p(*dir, 0700));
  }
  for (const char* sub : {"/containers", "/names", "/names/containers"})
    if (mkdir((paths.graph_root + sub).c_str(), 0700) < 0 && errno != EEXIST)
      return fail_errno(fmt::format("mkdir `{}{}`", paths.graph_root, sub));
  if (!e->same_boot_) {
    // A new boot (or a run root we never used): whatever volatile state is there is stale.
    // Nothing in it can be running: monitors and containers did not survive the reboot.
    (void)remove_tree(paths.run_root + "/c");
    TRY(write_file_atomic(paths.run_root + "/boot_id", boot + "\n", 0600, false));
    e->same_boot_ = true;
  }
  if (mkdir((paths.run_root + "/c").c_str(), 0700) < 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir `{}/c`", paths.run_root));
  return e;
}



Result<const ContainersConf*> Engine::conf() {
  if (!conf_) conf_ = TRY(load_containers_conf());
  return &*conf_;
}

Result<FileLock> Engine::lock_container(const std::string& id) {
  std::string dir = run_dir(id);
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}`", dir));
  return lock_file(dir + "/lock", LockMode::Exclusive);
}

}  // namespace skiff::engine
