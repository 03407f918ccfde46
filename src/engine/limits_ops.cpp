// pause, unpause, update and stats: the operations on a container's cgroup (resources.hpp).
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/runtime/cgroup.hpp"
#include "skiff/runtime/cgroup_systemd.hpp"
#include "skiff/engine/cgroup_modes.hpp"
#include "skiff/engine/systemd_mode.hpp"
#include "skiff/util/events.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace cg = runtime::cgroup;

namespace {

int64_t mono_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

Result<Container> running(const Engine& e, const std::string& ref, const char* what) {
  auto c = TRY(find_container(e, ref));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("Container {} is not running", c.rec.id));
  if (!c.state.elsewhere.empty())
    return fail(kConflict, fmt::format("cannot {} container {}: its monitor runs under another run root ({})", what,
                                       c.rec.id, c.state.elsewhere));
  return c;
}

// The processes of a container without a cgroup: its first process and every descendant.
std::vector<pid_t> process_tree(pid_t root) {
  std::vector<pid_t> out{root};
  for (size_t i = 0; i < out.size() && out.size() < 100000; ++i) {
    auto tasks = list_dir(fmt::format("/proc/{}/task", out[i]));
    if (!tasks) continue;
    for (auto& t : *tasks) {
      auto kids = read_file(fmt::format("/proc/{}/task/{}/children", out[i], t));
      if (!kids) continue;
      for (auto& k : split(std::string(trim(*kids)), ' '))
        if (auto p = parse_int(k)) out.push_back(pid_t(*p));
    }
  }
  return out;
}

uint64_t status_kb(const std::string& status, std::string_view key) {
  for (auto& line : split(status, '\n'))
    if (line.starts_with(key)) {
      auto v = trim(std::string_view(line).substr(key.size()));  // "24684264 kB"
      return parse_uint(v.substr(0, v.find(' '))).value_or(0) * 1024;
    }
  return 0;
}

void proc_sample(pid_t pid, StatsSample& s) {
  long tick = sysconf(_SC_CLK_TCK);
  for (pid_t p : process_tree(pid)) {
    auto stat = read_file(fmt::format("/proc/{}/stat", p));
    if (!stat) continue;
    auto close = stat->rfind(')');
    if (close == std::string::npos) continue;
    auto f = split(std::string_view(*stat).substr(close + 2), ' ');
    // fields after the comm: state(0) … utime(11) stime(12) … num_threads(17)
    if (f.size() < 18) continue;
    uint64_t ticks = parse_uint(f[11]).value_or(0) + parse_uint(f[12]).value_or(0);
    s.cpu_ns += ticks * (1000000000ULL / uint64_t(tick > 0 ? tick : 100));
    s.pids += parse_uint(f[17]).value_or(1);
    auto status = read_file(fmt::format("/proc/{}/status", p));
    if (status) s.mem_usage += status_kb(*status, "VmRSS:");
    auto io = read_file(fmt::format("/proc/{}/io", p));
    if (io) {
      for (auto& line : split(*io, '\n')) {
        auto [k, v] = split_once(line, ':');
        if (k == "read_bytes") s.blk_read += parse_uint(trim(v.value_or(""))).value_or(0);
        if (k == "write_bytes") s.blk_write += parse_uint(trim(v.value_or(""))).value_or(0);
      }
    }
  }
}

// The network namespace's counters (every interface but loopback), as Docker's NET I/O.
void net_sample(pid_t pid, StatsSample& s) {
  auto dev = read_file(fmt::format("/proc/{}/net/dev", pid));
  if (!dev) return;
  for (auto& line : split(*dev, '\n')) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name(trim(std::string_view(line).substr(0, colon)));
    if (name == "lo") continue;
    std::vector<std::string> f;
    for (auto& x : split(line.substr(colon + 1), ' '))
      if (!x.empty()) f.push_back(x);
    if (f.size() < 9) continue;
    s.net_rx += parse_uint(f[0]).value_or(0);
    s.net_tx += parse_uint(f[8]).value_or(0);
  }
}

void emit(const Engine& e, const Container& c, const char* action) { container_event(e, c.rec, action); }

Status parse_restart_policy(const std::string& s, Json& out) {
  auto [n, m] = split_once(s.empty() ? "no" : s, ':');
  if (n != "no" && n != "always" && n != "unless-stopped" && n != "on-failure")
    return fail(kInvalid, fmt::format("invalid restart policy '{}'", s));
  int max = 0;
  if (m) {
    if (n != "on-failure") return fail(kInvalid, fmt::format("maximum retry count cannot be used with restart policy '{}'", n));
    auto v = parse_int(*m);
    if (!v || *v < 0) return fail(kInvalid, fmt::format("invalid restart policy '{}': maximum retry count must be a positive integer", s));
    max = int(*v);
  }
  out = Json::object();
  out["Name"] = n;
  out["MaximumRetryCount"] = max;
  return ok();
}

}  // namespace

void container_event(const Engine& e, const ContainerRecord& r, const std::string& action,
                     std::vector<std::pair<std::string, std::string>> extra) {
  extra.emplace_back("image", r.image.empty() ? r.rootfs : r.image);
  extra.emplace_back("name", r.name);
  events::emit(e.run(), "container", action, r.id, extra);
}

void container_removed(const Engine& e, const ContainerRecord& r) {
  auto plan = cgroup_plan(e, r);
  if (plan.enabled && cg::exists(cg::host(), plan.path)) (void)cg::destroy(cg::host(), plan.path);
  if (plan.enabled && r.extra.systemd) (void)cg::destroy_systemd(plan.path);  // a killed monitor's
  // Leftovers of monitors killed with -9 whose stores are gone: nobody else removes them.
  if (plan.enabled) {
    auto slash = plan.path.rfind('/');
    if (slash != std::string::npos) (void)cg::sweep_stale(cg::host(), plan.path.substr(0, slash));
  }
  container_event(e, r, "destroy");
}

uint64_t host_memory() {
  static const uint64_t total = [] {
    auto mi = read_file("/proc/meminfo");
    return mi ? status_kb(*mi, "MemTotal:") : 0;
  }();
  return total;
}

std::string live_cgroup(const Engine& e, const Container& c) {
  auto plan = cgroup_plan(e, c.rec);
  // split: made under the cgroup of whoever started it, not ours: ask the process.
  if (plan.enabled && c.rec.extra.cgroups == "split")
    plan.path = c.state.pid > 0 ? process_cgroup(c.state.pid, cg::host().version == cg::Version::V2) : "";
  if (!plan.enabled || !cg::exists(cg::host(), plan.path)) return "";
  return plan.path;
}

Status pause_container(Engine& e, const std::string& ref) {
  auto c = TRY(running(e, ref, "pause"));
  auto lock = TRY(e.lock_container(c.rec.id));
  c.state = read_state(e, c.rec);
  if (c.state.status != RunState::Running) return fail(kConflict, fmt::format("Container {} is not running", c.rec.id));
  if (c.state.paused) return fail(kConflict, fmt::format("Container {} is already paused", c.rec.id));
  std::string path = live_cgroup(e, c);
  if (path.empty()) {
    if (e.idmap().userns && cg::host().version == cg::Version::V1)
      return fail(kUnsupported, "can not pause containers on rootless containers with cgroup V1: the container has no cgroup of its own to freeze");
    return fail(kUnsupported, fmt::format("can not pause container {}: it has no cgroup of its own ({})", c.rec.id,
                                          cgroup_plan(e, c.rec).reason.empty() ? "started without one" : cgroup_plan(e, c.rec).reason));
  }
  // The record first: a crash in between leaves "paused" on a running container, which
  // `unpause` (a thaw of a thawed cgroup) puts right.
  TRY(write_file_atomic(e.run_dir(c.rec.id) + "/paused", "", 0600, false));
  if (auto st = cg::freeze(cg::host(), path, true); !st) {
    (void)cg::freeze(cg::host(), path, false);
    (void)unlink((e.run_dir(c.rec.id) + "/paused").c_str());
    return st.error();
  }
  emit(e, c, "pause");
  return ok();
}

Status unpause_container(Engine& e, const std::string& ref) {
  auto c = TRY(running(e, ref, "unpause"));
  auto lock = TRY(e.lock_container(c.rec.id));
  c.state = read_state(e, c.rec);
  if (!c.state.paused) return fail(kConflict, fmt::format("Container {} is not paused", c.rec.id));
  std::string path = live_cgroup(e, c);
  if (!path.empty()) TRY(cg::freeze(cg::host(), path, false));
  (void)unlink((e.run_dir(c.rec.id) + "/paused").c_str());
  emit(e, c, "unpause");
  return ok();
}

void thaw_if_paused(const Engine& e, const Container& c) {
  if (!c.state.paused) return;
  std::string path = live_cgroup(e, c);
  if (!path.empty()) (void)cg::freeze(cg::host(), path, false);
  (void)unlink((e.run_dir(c.rec.id) + "/paused").c_str());
  emit(e, c, "unpause");
}

Status update_container(Engine& e, const std::string& ref, const ResourceFlags& flags,
                        const std::optional<std::string>& restart) {
  auto c = TRY(find_container(e, ref));
  auto lock = TRY(e.lock_container(c.rec.id));
  c = TRY(find_container(e, c.rec.id));
  Json h = c.rec.host_config;
  if (!h.contains("ShmSize")) {  // a container created before limits existed
    Json d = Json::object();
    resource_defaults(d);
    for (auto& [k, v] : d.items())
      if (!h.contains(k)) h[k] = v;
  }
  TRY(apply_resource_flags(h, flags, true));
  if (restart) {
    Json rp;
    TRY(parse_restart_policy(*restart, rp));
    if (json_bool(h, "AutoRemove") && rp["Name"] != "no")
      return fail(kInvalid, "Restart policy cannot be updated because AutoRemove is enabled for the container");
    h["RestartPolicy"] = rp;
  }
  // The fields the flags touched, for the cgroup (zero = back to unlimited).
  static const std::map<std::string, std::vector<const char*>> kFields = {
      {"memory", {"Memory", "MemorySwap"}}, {"memory-swap", {"Memory", "MemorySwap"}},
      {"memory-reservation", {"MemoryReservation"}}, {"cpus", {"NanoCpus"}}, {"cpu-period", {"CpuPeriod"}},
      {"cpu-quota", {"CpuQuota"}}, {"cpu-shares", {"CpuShares"}}, {"cpuset-cpus", {"CpusetCpus"}},
      {"cpuset-mems", {"CpusetMems"}}, {"pids-limit", {"PidsLimit"}}, {"blkio-weight", {"BlkioWeight"}},
      {"cpu-rt-period", {"CpuRealtimePeriod"}}, {"cpu-rt-runtime", {"CpuRealtimeRuntime"}}};
  Json limits = Json::object();
  bool cgroup_fields = false;
  for (auto& [k, v] : flags) {
    (void)v;
    auto it = kFields.find(k);
    if (it == kFields.end()) continue;
    cgroup_fields = true;
    for (const char* f : it->second) limits[f] = h.contains(f) && !h[f].is_null() ? h[f] : Json(0);
  }
  if (limits.contains("PidsLimit") && limits["PidsLimit"].is_number() && limits["PidsLimit"].get<int64_t>() < 0)
    limits["PidsLimit"] = 0;
  if (cgroup_fields && c.state.status == RunState::Running) {
    std::string path = live_cgroup(e, c);
    if (!path.empty()) TRY_CTX(cg::apply(cg::host(), path, limits), "update the container's cgroup");
    else warn_limits_ignored(e);
  } else if (cgroup_fields && !cgroup_plan(e, c.rec).enabled) {
    warn_limits_ignored(e);
  }
  c.rec.host_config = h;
  TRY(write_record(e, c.rec, true));
  if (restart && c.state.status == RunState::Running && c.state.elsewhere.empty())
    TRY(set_live_restart_policy(e, c.rec.id, json_str(h["RestartPolicy"], "Name"), int(json_int(h["RestartPolicy"], "MaximumRetryCount"))));
  emit(e, c, "update");
  return ok();
}

StatsSample container_stats(const Engine& e, const Container& c) {
  StatsSample s;
  s.id = c.rec.id;
  s.name = c.rec.name;
  s.at = mono_ns();
  s.started_at = c.state.started_at;
  s.running = c.state.status == RunState::Running && c.state.elsewhere.empty() && c.state.pid > 0;
  if (!s.running) return s;
  std::string path = live_cgroup(e, c);
  bool from_cgroup = false;
  if (!path.empty()) {
    if (auto cs = cg::sample(cg::host(), path)) {
      s.cpu_ns = cs->cpu_ns;
      s.mem_usage = cs->mem_usage;
      s.mem_limit = cs->mem_limit;
      s.pids = cs->pids;
      s.blk_read = cs->blk_read;
      s.blk_write = cs->blk_write;
      from_cgroup = true;
    }
  }
  if (!from_cgroup) proc_sample(c.state.pid, s);
  uint64_t host = host_memory();
  if (s.mem_limit == 0 || (host && s.mem_limit > host)) s.mem_limit = host;
  net_sample(c.state.pid, s);
  return s;
}

}  // namespace skiff::engine
