#pragma once
// The engine: container lifecycle (create, start, stop, kill, rm, rename, logs, wait, inspect)
// joining storage, runtime and monitor, and owning the container state machine.
//
// Container records (graph root):
//   containers/<id>/config.json   immutable except rename (atomic rewrite under the lock)
//   containers/<id>/state.json    written by the engine at start (intent: startedAt)
//   containers/<id>/exit.json     written by the monitor at exit (exit code, finishedAt)
//   containers/<id>/upper, work   overlay layer of the container (vfs: rootfs/)
//   containers/<id>/ctr.log       the log
//   containers/<id>/monitor.lock  the start lock (OFD lock held by the live monitor; names its
//                                 run directory): one monitor per container, whatever run root
//   names/containers/<name> -> ../../containers/<id>   symlink(): atomic "is the name free?"
//   runroot.json, runroot.lock    the run root this store is used with (settle_run_root)
// Volatile (run root): c/<id12>/{lock, monitor.json, exit, attach, ctl, hostname, hosts,
// resolv.conf, monitor-config.json}; boot_id. Readers never lock and never enter a namespace;
// each file has one writer. Lock order: container lock, then store lock.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/config.hpp"
#include "skiff/engine/container_config.hpp"
#include "skiff/util/idmap.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/result.hpp"

namespace skiff::storage {
class Store;
enum class Driver;  // storage/store.hpp
}

namespace skiff::engine {

/// One store, one run root. The store records the run root it is used with
/// (`<graph>/runroot.json`: its path and the boot ID, written atomically under
/// `<graph>/runroot.lock`), so that every invocation finds the live state of its containers
/// whatever its environment (a login shell, cron, su, a systemd unit without
/// XDG_RUNTIME_DIR). Adjusts `p.run_root`:
/// - no record, or one of another boot, or a recorded run root that is gone or belongs to
///   another boot: ours is used (and, with `write`, recorded: the take-over);
/// - a live recorded run root: used instead of ours when ours is only a default and it is a
///   private directory of ours; an explicit --runroot that disagrees, or a recorded run root we
///   cannot use, is refused (kConflict, naming both paths and the fix) while any container's
///   monitor runs (its start lock is held), else ours takes over.
Status settle_run_root(Paths& p, bool write);

/// Per-invocation engine context: paths, id mapping, and the store (opened lazily).
class Engine {
 public:
  /// Opens the engine for `paths`. Creates the store skeleton when `write` (first use).
  static Result<std::unique_ptr<Engine>> open(const Paths& paths, const std::string& storage_driver, bool write);
  ~Engine();

  const Paths& paths() const { return paths_; }
  const IdMap& idmap() const { return idmap_; }
  const std::string& graph() const { return paths_.graph_root; }
  const std::string& run() const { return paths_.run_root; }
  std::string container_dir(const std::string& id) const { return graph() + "/containers/" + id; }
  std::string run_dir(const std::string& id) const { return run() + "/c/" + id.substr(0, 12); }
  /// True if the run root belongs to this boot (else every container is stopped).
  bool same_boot() const { return same_boot_; }
  const std::string& storage_driver_override() const { return driver_override_; }
  /// containers.conf (read on first use).
  Result<const ContainersConf*> conf();
  /// The image/layer store, opened on first use (`write`: create it if missing). Its hooks
  /// tell it which images and layers containers use.
  Result<storage::Store*> store(bool write = false);

  /// Locks a container (creating its run directory if needed).
  Result<FileLock> lock_container(const std::string& id);

  /// The container's start lock, in the store (`containers/<id>/monitor.lock`, an OFD write
  /// lock): held by its monitor for its whole life, whatever run root it uses, so that a
  /// container never has two monitors. Taken without waiting: busy is kConflict. The lock
  /// file records the run directory of the monitor that holds it.
  Result<UniqueFd> take_start_lock(const std::string& id) const;
  /// The run directory of a live monitor of the container that is not in our run root
  /// (its start lock is held and names another run directory); "" if none.
  std::string monitor_elsewhere(const std::string& id) const;

 private:
  Engine();
  Paths paths_;
  IdMap idmap_;
  std::string driver_override_;
  bool same_boot_ = true;
  std::optional<ContainersConf> conf_;
  std::unique_ptr<storage::Store> store_;
  bool store_write_ = false;
};

/// A container's persistent configuration (config.json).
struct ContainerRecord {
  std::string id;
  std::string name;        ///< without the leading '/'
  int64_t created = 0;     ///< ns since epoch
  std::string image;       ///< as the user gave it (ps IMAGE column)
  std::string image_id;    ///< "sha256:…", empty for --rootfs
  std::string image_name;  ///< normalised reference it resolved to
  std::string rootfs;      ///< --rootfs directory (then no image)
  /// Storage driver of the container layer; none for a --rootfs container ("rootfs" on disk).
  std::optional<storage::Driver> driver;
  std::string path;        ///< Docker's Path: the command
  std::vector<std::string> args;  ///< Docker's Args
  ContainerConfig config;  ///< Docker's Config (container_config.hpp)
  Json host_config;  ///< Docker's HostConfig object (Binds, AutoRemove, RestartPolicy, …)
  ContainerExtra extra;  ///< skiff's own settings (container_config.hpp)
};

/// The record's "Driver": "overlay", "vfs", or "rootfs" (no storage driver: --rootfs).
std::string driver_text(const std::optional<storage::Driver>& d);

Json to_json(const ContainerRecord& r);
/// The part of a record that listings need (written as summary.json next to config.json at
/// create and rename): `ps` with 1,000 containers parses 1,000 small files, not full configs.
Json summary_json(const ContainerRecord& r);
/// Writes config.json and summary.json atomically (`sync`: fsync them).
Status write_record(const Engine& e, const ContainerRecord& r, bool sync);
Result<ContainerRecord> record_from_json(const Json& j);

enum class RunState { Created, Running, Restarting, Exited, Removing, Dead };
std::string status_name(RunState s);  ///< "created", "running", …

/// A container's runtime state, derived from the files above without locks.
struct ContainerState {
  RunState status = RunState::Created;
  int exit_code = 0;
  int64_t started_at = 0, finished_at = 0;
  pid_t pid = 0;             ///< container process (host pid), 0 if not running
  pid_t monitor_pid = 0;     ///< 0 if no live monitor
  /// A monitor still alive after its container exited for good (writing the last records,
  /// running the --rm removal): the container is dead, but a removal waits for it.
  pid_t finishing_pid = 0;
  /// Live under another run root this process cannot reach (its monitor's run directory):
  /// shown running, but stop/kill/rm/wait cannot reach it from here.
  std::string elsewhere;
  int restart_count = 0;
  std::string error;
  bool oom_killed = false;
  bool paused = false;  ///< running with its cgroup frozen (`pause`)
};

/// Reads a container (by full ID) and its state.
struct Container {
  ContainerRecord rec;
  ContainerState state;
};

/// All containers, newest first, from their summaries (Config holds only Labels, HostConfig
/// only NetworkMode; use find_container for the full record). Never locks; skips half-created
/// or half-removed ones.
Result<std::vector<Container>> list_containers(const Engine& e);

/// Finds a container by full ID, name (with or without '/'), or unique ID prefix.
/// Errors: kNotFound "No such container: X"; ambiguous prefix kConflict.
Result<Container> find_container(const Engine& e, const std::string& ref);

/// Reads the state of one container.
ContainerState read_state(const Engine& e, const ContainerRecord& r);

/// Docker's "Up 2 seconds" / "Exited (0) 3 minutes ago" / "Created".
std::string status_text(const ContainerState& s, int64_t now);

/// A random name like "awesome_mclean" not in use in the store.
std::string random_name(const Engine& e);

/// `system migrate`: after /etc/subuid or /etc/subgid changed, accepts the new mapping when it
/// extends the old one (the store's files keep their meaning); otherwise says to reset.
Result<std::string> system_migrate(Engine& e);

/// `system reset`: removes every container (stopping running ones), image, layer and volume,
/// and the run root.
Status system_reset(Engine& e);

/// Claims `name` for the container `id` (symlink(2) in names/containers: atomic). A link left
/// by an operation killed half-way (its container gone, or named otherwise) is taken over.
/// The caller holds `id`'s container lock. Error kConflict naming the holder.
Status claim_name(const Engine& e, const std::string& name, const std::string& id);

/// Validates a container name (Docker's rule).
Status validate_name(const std::string& name);

}  // namespace skiff::engine
