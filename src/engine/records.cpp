// Container records and derived state: everything here is read without locks.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "skiff/engine/engine.hpp"
#include "skiff/monitor/state_records.hpp"
#include "skiff/oci/digest.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

std::string driver_text(const std::optional<storage::Driver>& d) {
  return d ? std::string(storage::driver_name(*d)) : "rootfs";
}

Json to_json(const ContainerRecord& r) {
  Json j = Json::object();
  j["Id"] = r.id;
  j["Name"] = r.name;
  j["Created"] = r.created;
  j["Image"] = r.image;
  j["ImageID"] = r.image_id;
  j["ImageName"] = r.image_name;
  j["Rootfs"] = r.rootfs;
  j["Driver"] = driver_text(r.driver);
  j["Path"] = r.path;
  j["Args"] = r.args;
  j["Config"] = to_json(r.config);
  j["HostConfig"] = r.host_config;
  j["Skiff"] = to_json(r.extra);
  return j;
}

Json summary_json(const ContainerRecord& r) {
  ContainerRecord s = r;
  Json cfg = Json::object();
  cfg["Labels"] = r.config.labels;
  cfg["Tty"] = r.config.tty;
  if (!r.config.healthcheck.is_null()) cfg["Healthcheck"] = r.config.healthcheck;  // ps "(healthy)"
  if (!r.config.exposed_ports.is_null()) cfg["ExposedPorts"] = r.config.exposed_ports;  // ps -f expose=
  Json hc = Json::object();
  hc["NetworkMode"] = json_str(r.host_config, "NetworkMode", "none");
  hc["AutoRemove"] = json_bool(r.host_config, "AutoRemove");
  hc["RestartPolicy"] = json_get(r.host_config, "RestartPolicy");  // start --all --filter restart-policy=
  if (r.host_config.contains("CgroupParent")) hc["CgroupParent"] = r.host_config["CgroupParent"];  // stats
  s.host_config = hc;
  Json x = Json::object();
  x["mounts"] = r.extra.mounts;
  x["topLayer"] = r.extra.top_layer.empty() ? Json(nullptr) : Json(r.extra.top_layer);
  if (!r.extra.networks.is_null()) x["networks"] = r.extra.networks;  // network members, addresses
  if (!r.extra.pod_id.empty()) x["pod"] = pod_link_json(r.extra);  // ps --pod, pod ps (pod.hpp's pod_of)
  Json j = to_json(s);
  j["Config"] = cfg;
  j["Skiff"] = x;
  return j;
}

Status write_record(const Engine& e, const ContainerRecord& r, bool sync) {
  std::string dir = e.container_dir(r.id);
  // config.json is the record; the summary comes second and names the config it was made
  // from (its inode: every atomic write makes a new one). A rename killed between the two
  // leaves a summary that no longer matches, and readers then use the config (with the
  // summary first, ps showed the new name while the config, the name lookup and the name
  // claims still had the old one).
  TRY(write_json_atomic(dir + "/config.json", to_json(r), 0600, sync));
  struct stat st;
  if (stat((dir + "/config.json").c_str(), &st) < 0) return fail_errno("stat the container's config");
  Json sum = summary_json(r);
  sum["ConfigInode"] = uint64_t(st.st_ino);
  return write_json_atomic(dir + "/summary.json", sum, 0600, sync);
}

Result<ContainerRecord> record_from_json(const Json& j) {
  ContainerRecord r;
  r.id = json_str(j, "Id");
  if (r.id.size() != 64) return fail(kCorrupt, "container record without an ID");
  r.name = json_str(j, "Name");
  r.created = json_int(j, "Created");
  r.image = json_str(j, "Image");
  r.image_id = json_str(j, "ImageID");
  r.image_name = json_str(j, "ImageName");
  r.rootfs = json_str(j, "Rootfs");
  if (std::string d = json_str(j, "Driver"); !d.empty() && d != "rootfs") {
    auto drv = storage::parse_driver(d);
    if (!drv) return fail(kCorrupt, fmt::format("container {}: unknown storage driver \"{}\"", r.id, d));
    r.driver = *drv;
  }
  r.path = json_str(j, "Path");
  const Json& args = json_get(j, "Args");
  if (args.is_array())
    for (auto& a : args)
      if (a.is_string()) r.args.push_back(a.get<std::string>());
  r.config = container_config_from_json(json_get(j, "Config"));
  r.host_config = json_get(j, "HostConfig");
  r.extra = container_extra_from_json(json_get(j, "Skiff"));
  if (!r.host_config.is_object()) r.host_config = Json::object();
  return r;
}

std::string status_name(RunState s) {
  switch (s) {
    case RunState::Created: return "created";
    case RunState::Running: return "running";
    case RunState::Restarting: return "restarting";
    case RunState::Exited: return "exited";
    case RunState::Removing: return "removing";
    case RunState::Dead: return "dead";
  }
  return "unknown";
}

// A pid is ours only if its start time matches what we recorded (pids are reused). A zombie
// (a dead process nobody reaped yet) is not alive; an unknown start time is never ours.
static bool alive(pid_t pid, uint64_t start) {
  if (pid <= 0 || start == 0) return false;
  return process_start_time(pid) == start;
}

ContainerState read_state(const Engine& e, const ContainerRecord& r) {
  ContainerState s;
  std::string cdir = e.container_dir(r.id);
  auto ex = monitor::read_exit_record(cdir);
  auto st = read_json_file(cdir + "/state.json", 1 << 20);
  int64_t intent_start = st ? json_int(*st, "startedAt") : 0;
  if (ex) {
    s.exit_code = ex->exit_code;
    s.finished_at = ex->finished_at;
    s.started_at = ex->started_at;
    s.restart_count = ex->restart_count;
    s.error = ex->error;
    s.oom_killed = ex->oom_killed;
  }
  bool ex_current = ex && s.finished_at >= intent_start;  // the exit of the latest start
  bool removing = st && json_bool(*st, "removing");
  bool ran = false;  // the latest start got as far as running the process
  bool ours = false;  // the latest start was made in our run root (its monitor.json tells)
  if (e.same_boot()) {
    std::string rdir = e.run_dir(r.id);
    auto mon = monitor::read_monitor_record(rdir);
    if (mon && !mon->boot_id.empty() && mon->written_at >= intent_start) {
      ours = true;
      pid_t mpid = mon->monitor_pid;
      bool mon_alive = alive(mpid, mon->monitor_start);
      int64_t started = mon->started_at;
      ran = started > 0;
      // The monitor writes `exit` (atomically, before any cleanup) when the container has
      // exited for good; exit.json may lag behind it by a moment.
      auto exit_file = read_file(rdir + "/exit", 64);
      if (exit_file && !ex_current) {
        s.exit_code = int(parse_int(trim(*exit_file)).value_or(255));
        struct stat sb;
        s.finished_at = stat((rdir + "/exit").c_str(), &sb) == 0
                            ? int64_t(sb.st_mtim.tv_sec) * 1000000000 + sb.st_mtim.tv_nsec
                            : now_ns();
        s.started_at = started;
        s.error.clear();
        ex_current = true;
      }
      if (mon_alive && !exit_file) {
        pid_t pid = mon->pid;
        s.monitor_pid = mpid;
        s.restart_count = mon->restart_count;
        if (started == 0) {
          s.status = RunState::Created;  // set up, waiting for the CLI's "go"
        } else if (alive(pid, mon->pid_start)) {
          s.status = RunState::Running;
          s.started_at = started;
          s.pid = pid;
          s.exit_code = 0;
          s.error.clear();
        } else if ((ex && s.finished_at >= started) || json_str(json_get(r.host_config, "RestartPolicy"), "Name", "no") != "no") {
          s.status = RunState::Restarting;  // exited, the monitor is about to start it again
        } else {
          // Exited this very moment: the monitor is recording it (the `exit` file comes next).
          s.status = RunState::Running;
          s.started_at = started;
          s.exit_code = 0;
          s.error.clear();
        }
        if (removing) s.status = RunState::Removing;
        if (s.status == RunState::Running) s.paused = path_exists(rdir + "/paused");
        return s;
      }
      if (mon_alive) s.finishing_pid = mpid;  // exited for good: the monitor is finishing
    }
  }
  if (!removing && intent_start > 0 && !ours) {
    // The latest start was not seen by our run root: its monitor may run under another (the
    // store's start lock says so, and names its run directory).
    if (std::string where = e.monitor_elsewhere(r.id); !where.empty()) {
      s.status = RunState::Running;
      s.elsewhere = where;
      s.started_at = intent_start;
      s.exit_code = 0;
      s.error.clear();
      return s;
    }
  }
  if (removing) {
    s.status = RunState::Removing;
  } else if (ex_current) {
    // A start that failed before exec (bad command, missing user) leaves the container
    // Created with the error, as Docker does.
    s.status = s.started_at == 0 && !s.error.empty() ? RunState::Created : RunState::Exited;
  } else if (intent_start > 0 && (ran || !e.same_boot())) {
    // It ran, but there is no live monitor and no exit record: the monitor was killed, or
    // the host rebooted. The container process died with it (PDEATHSIG, pid namespace).
    s.status = RunState::Exited;
    s.exit_code = 255;
    s.started_at = intent_start;
    s.finished_at = 0;
    s.error = "the container monitor exited unexpectedly";
  } else if (ex) {
    s.status = s.started_at == 0 && !s.error.empty() ? RunState::Created : RunState::Exited;
  } else {
    // Never started, or a start that died before the process ran (its CLI or monitor was
    // killed during setup).
    s.status = RunState::Created;
  }
  return s;
}

std::string status_text(const ContainerState& s, int64_t now) {
  switch (s.status) {
    case RunState::Created: return "Created";
    case RunState::Running: return "Up " + human_duration(now - s.started_at) + (s.paused ? " (Paused)" : "");
    case RunState::Restarting:
      return fmt::format("Restarting ({}) {} ago", s.exit_code, human_duration(now - s.finished_at));
    case RunState::Exited:
      if (s.finished_at == 0) return fmt::format("Exited ({})", s.exit_code);
      return fmt::format("Exited ({}) {} ago", s.exit_code, human_duration(now - s.finished_at));
    case RunState::Removing: return "Removal In Progress";
    case RunState::Dead: return "Dead";
  }
  return "";
}

static Result<ContainerRecord> load_record(const Engine& e, const std::string& id) {
  auto j = read_json_file(e.container_dir(id) + "/config.json", 16 << 20);
  if (!j) return j.error();
  return record_from_json(*j);
}

Result<std::vector<Container>> list_containers(const Engine& e) {
  std::vector<Container> out;
  auto ids = list_dir(e.graph() + "/containers");
  if (!ids) {
    if (ids.error().code == ENOENT) return out;
    return ids.error();
  }
  for (auto& id : *ids) {
    if (id.size() != 64 || id[0] == '.') continue;  // ".removing-…" and temp entries
    // A container exists once its config does; the summary is what we list from, if it was
    // made from that config (see write_record).
    struct stat st;
    if (stat((e.container_dir(id) + "/config.json").c_str(), &st) < 0) continue;
    auto j = read_json_file(e.container_dir(id) + "/summary.json", 1 << 20);
    bool current = j && uint64_t(json_int(*j, "ConfigInode")) == uint64_t(st.st_ino);
    auto rec = current ? record_from_json(*j) : load_record(e, id);
    if (!rec) continue;  // half-created (no config yet) or torn: not a container
    Container c{std::move(*rec), {}};
    c.state = read_state(e, c.rec);
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Container& a, const Container& b) {
    return a.rec.created != b.rec.created ? a.rec.created > b.rec.created : a.rec.id < b.rec.id;
  });
  return out;
}

Result<Container> find_container(const Engine& e, const std::string& ref_in) {
  std::string ref = ref_in;
  if (!ref.empty() && ref[0] == '/') ref = ref.substr(1);
  auto not_found = [&]() { return fail(kNotFound, fmt::format("No such container: {}", ref_in)); };
  if (ref.empty()) return not_found();
  auto load = [&](const std::string& id) -> Result<Container> {
    auto rec = load_record(e, id);
    if (!rec) return rec.error();
    Container c{std::move(*rec), {}};
    c.state = read_state(e, c.rec);
    return c;
  };
  // 1. full ID
  if (ref.size() == 64 && is_hex(ref)) {
    auto c = load(ref);
    if (c) return c;
  }
  // 2. name
  if (ref.find('/') == std::string::npos && validate_name(ref)) {
    char buf[512];
    std::string link = e.graph() + "/names/containers/" + ref;
    ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
    if (n > 0) {
      std::string target(buf, size_t(n));
      auto id = split_dir_base(target).second;
      auto c = load(id);
      if (c && c->rec.name == ref) return c;
    }
  }
  // 3. unique ID prefix
  if (is_hex(ref)) {
    auto ids = list_dir(e.graph() + "/containers");
    if (!ids) return not_found();
    std::string match;
    for (auto& id : *ids) {
      if (id.size() != 64 || id.compare(0, ref.size(), ref) != 0) continue;
      if (!path_exists(e.container_dir(id) + "/config.json")) continue;
      if (!match.empty())
        return fail(kConflict, fmt::format("multiple IDs found with provided prefix: {}", ref));
      match = id;
    }
    if (!match.empty()) return load(match);
  }
  return not_found();
}

Status validate_name(const std::string& name) {
  auto ok_first = [](char c) { return isalnum((unsigned char)c); };
  auto ok_rest = [](char c) { return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '-'; };
  bool good = name.size() >= 2 && ok_first(name[0]) && std::all_of(name.begin() + 1, name.end(), ok_rest);
  if (!good || name.size() > 253)
    return fail(kInvalid, fmt::format("Invalid container name ({}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", name));
  return ok();
}

}  // namespace skiff::engine
