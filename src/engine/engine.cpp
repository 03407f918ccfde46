// Engine context: store skeleton, boot detection, container locks.
#include "skiff/engine/engine.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "skiff/util/fs.hpp"
#include "skiff/util/running_index.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::engine {

static std::string current_boot_id() {
  return std::string(trim(read_file("/proc/sys/kernel/random/boot_id").value_or("")));
}

namespace {

// <graph>/runroot.json
struct RunRootRecord {
  bool present = false;
  std::string run_root, boot_id;
};

RunRootRecord read_run_root_record(const std::string& graph) {
  RunRootRecord r;
  auto j = read_json_file(graph + "/runroot.json", 1 << 16);
  if (!j) return r;
  r.run_root = json_str(*j, "runRoot");
  r.boot_id = json_str(*j, "bootId");
  r.present = !r.run_root.empty();
  return r;
}

// The recorded run root can hold live state: recorded in this boot, and still there with
// this boot's ID (a tmpfs gone with a reboot or a logout, or taken over, has none).
bool run_root_live(const RunRootRecord& r, const std::string& boot) {
  if (r.boot_id != boot) return false;
  auto b = read_file(r.run_root + "/boot_id", 256);
  return b && std::string(trim(*b)) == boot;
}

// Why `dir` is not a run root we may use ("" if it is): a real directory of ours, private.
std::string unusable_reason(const std::string& dir, uid_t uid) {
  struct stat st;
  if (lstat(dir.c_str(), &st) < 0) return fmt::format("stat: {}", strerror(errno));
  if (!S_ISDIR(st.st_mode)) return "not a directory";
  if (st.st_uid != uid) return fmt::format("owned by uid {}, not {}", st.st_uid, uid);
  if (st.st_mode & 077) return fmt::format("mode {:o}, not private", st.st_mode & 07777);
  if (access(dir.c_str(), R_OK | W_OK | X_OK) < 0) return fmt::format("access: {}", strerror(errno));
  return "";
}

// The start lock of `fd` is held by another open file description (a monitor).
bool start_lock_busy(int fd) {
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd, F_OFD_GETLK, &fl) < 0) return false;
  return fl.l_type != F_UNLCK;
}

// Whether a container of the store has a live monitor under `run_root` (its start lock is
// held, and the lock file names a run directory there).
bool monitor_running_in(const std::string& graph, const std::string& run_root) {
  auto names = list_dir(graph + "/containers");
  if (!names) return false;
  for (auto& n : *names) {
    if (n.size() != 64) continue;
    int fd = ::open((graph + "/containers/" + n + "/monitor.lock").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;
    UniqueFd f(fd);
    char buf[4096];
    ssize_t len = pread(fd, buf, sizeof buf, 0);
    if (len <= 0 || std::string_view(buf, size_t(len)).rfind(run_root + "/", 0) != 0) continue;
    if (start_lock_busy(fd)) return true;
  }
  return false;
}

// Which directory a run root path is now ("dev:inode"; "" if missing).
std::string run_root_identity(const std::string& run_root) {
  struct stat st;
  if (stat(run_root.c_str(), &st) < 0) return "";
  return fmt::format("{}:{}", uint64_t(st.st_dev), uint64_t(st.st_ino));
}

enum class RunRootAction { UseOurs, UseRecorded, TakeOver, Refuse };

RunRootAction decide_run_root(const Paths& p, const RunRootRecord& r, const std::string& boot, std::string& why) {
  if (!r.present) return RunRootAction::TakeOver;
  if (r.run_root == p.run_root) return r.boot_id == boot ? RunRootAction::UseOurs : RunRootAction::TakeOver;
  if (!run_root_live(r, boot)) return RunRootAction::TakeOver;  // nothing can be live there
  why = unusable_reason(r.run_root, p.uid);
  if (!p.run_root_explicit && why.empty()) return RunRootAction::UseRecorded;
  // Ours would not see the live state there: only when no monitor runs there may ours take
  // over (monitors elsewhere are found through their start locks).
  if (!monitor_running_in(p.graph_root, r.run_root)) return RunRootAction::TakeOver;
  return RunRootAction::Refuse;
}

Error refusal(const Paths& p, const RunRootRecord& r, const std::string& why) {
  std::string rec = p.graph_root + "/runroot.json";
  if (p.run_root_explicit && why.empty())
    return Error{kConflict,
                 fmt::format("the store `{}` is used with the run root `{}` (recorded in `{}`), where its running "
                             "containers' monitors are; --runroot `{}` would not see them. Use --runroot {} (or leave "
                             "--runroot out), or stop those containers first",
                             p.graph_root, r.run_root, rec, p.run_root, r.run_root)};
  return Error{kConflict,
               fmt::format("the store `{}` is used with the run root `{}` (recorded in `{}`), where its running "
                           "containers' monitors are, but this process cannot use it ({}); it would use `{}`. Run "
                           "skiff as the user and in the session that started them, or stop them from there first",
                           p.graph_root, r.run_root, rec, why, p.run_root)};
}

}  // namespace

Status settle_run_root(Paths& p, bool write) {
  std::string boot = current_boot_id();
  RunRootRecord r = read_run_root_record(p.graph_root);
  std::string why;
  RunRootAction act = decide_run_root(p, r, boot, why);
  if (act == RunRootAction::UseOurs) return ok();
  if (act == RunRootAction::UseRecorded) {
    log::debug("run root: {} (recorded in the store) instead of {}", r.run_root, p.run_root);
    p.run_root = r.run_root;
    return ok();
  }
  if (act == RunRootAction::Refuse) return refusal(p, r, why);
  if (!write) return ok();  // ours; recorded by the next command that writes
  // The take-over, under the record's lock: decide again (another command may have taken
  // over meanwhile), make the run root this boot's, then record it.
  TRY(mkdir_p(p.graph_root, 0700));
  auto lock = TRY(lock_file(p.graph_root + "/runroot.lock", LockMode::Exclusive));
  r = read_run_root_record(p.graph_root);
  act = decide_run_root(p, r, boot, why);
  if (act == RunRootAction::UseOurs) return ok();
  if (act == RunRootAction::UseRecorded) {
    p.run_root = r.run_root;
    return ok();
  }
  if (act == RunRootAction::Refuse) return refusal(p, r, why);
  TRY(mkdir_p(p.run_root, 0700));
  auto recorded = read_file(p.run_root + "/boot_id", 256);
  if (!recorded || std::string(trim(*recorded)) != boot) {
    // A new boot (or a run root we never used): whatever volatile state is there is stale.
    (void)remove_tree(p.run_root + "/c");
    // The running index (util/running_index.hpp) starts empty: its existence says every
    // running container of this run root is in it.
    (void)remove_tree(p.run_root + "/" + kRunningIndexDir);
    (void)mkdir((p.run_root + "/" + kRunningIndexDir).c_str(), 0700);
    TRY(write_file_atomic(p.run_root + "/boot_id", boot + "\n", 0600, false));
  }
  if (r.present && r.run_root != p.run_root)
    log::debug("run root: {} takes over from {} (recorded in the store)", p.run_root, r.run_root);
  Json j = Json::object();
  j["runRoot"] = p.run_root;
  j["bootId"] = boot;
  return write_json_atomic(p.graph_root + "/runroot.json", j, 0600, true);
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

Result<std::unique_ptr<Engine>> Engine::open(const Paths& paths_in, const std::string& storage_driver, bool write) {
  std::unique_ptr<Engine> e(new Engine());
  Paths paths = paths_in;
  TRY(check_access(paths.graph_root, "store", "root", write));
  TRY(settle_run_root(paths, write));
  e->paths_ = paths;
  TRY(check_access(paths.run_root, "run root", "runroot", write));
  e->driver_override_ = storage_driver;
  e->idmap_ = TRY(idmap_for_current_user());
  std::string boot = current_boot_id();
  auto recorded = read_file(paths.run_root + "/boot_id", 256);
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

Result<UniqueFd> Engine::take_start_lock(const std::string& id) const {
  // Under the record's lock (shared): a take-over (exclusive) either sees this lock in our
  // run root and refuses, or has already moved the record, and then we refuse.
  auto rl = TRY(lock_file(graph() + "/runroot.lock", LockMode::Shared));
  RunRootRecord rec = read_run_root_record(graph());
  if (rec.present && rec.run_root != run())
    return fail(kConflict, fmt::format("the store `{}` is now used with the run root `{}` (another command took it "
                                       "over), not `{}`; run the command again",
                                       graph(), rec.run_root, run()));
  std::string path = container_dir(id) + "/monitor.lock";
  auto fd = TRY(open_path(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600));
  struct flock fl{};
  fl.l_type = F_WRLCK;
  fl.l_whence = SEEK_SET;
  if (fcntl(fd.get(), F_OFD_SETLK, &fl) < 0) {
    if (errno == EAGAIN || errno == EACCES) {
      auto where = read_file(path, 4096);
      std::string first = where ? std::string(trim(split_once(*where, '\n').first)) : std::string("?");
      return fail(kConflict, fmt::format("container {} is already running (its monitor's run directory is `{}`)", id,
                                         first));
    }
    return fail_errno(fmt::format("lock `{}`", path));
  }
  // Who holds it: the run directory, and which instance of the run root (a tmpfs lost and
  // made again has the same path but another inode); read by monitor_elsewhere.
  std::string rd = run_dir(id) + "\n" + run_root_identity(run()) + "\n";
  if (ftruncate(fd.get(), 0) < 0 || pwrite(fd.get(), rd.data(), rd.size(), 0) != ssize_t(rd.size()))
    return fail_errno(fmt::format("write `{}`", path));
  return fd;
}

std::string Engine::monitor_elsewhere(const std::string& id) const {
  int fd = ::open((container_dir(id) + "/monitor.lock").c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return "";
  UniqueFd f(fd);
  char buf[4096];
  ssize_t n = pread(fd, buf, sizeof buf, 0);
  if (n <= 0) return "";
  auto [first, rest] = split_once(std::string_view(buf, size_t(n)), '\n');
  std::string where(trim(first));
  if (where.empty()) return "";
  // Ours (the run directory tells) unless our run root is another instance of that path.
  if (where == run_dir(id) && std::string(trim(rest.value_or(""))) == run_root_identity(run())) return "";
  return start_lock_busy(fd) ? where : "";
}

Result<FileLock> Engine::lock_container(const std::string& id) {
  std::string dir = run_dir(id);
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}`", dir));
  return lock_file(dir + "/lock", LockMode::Exclusive);
}

}  // namespace skiff::engine
