// stats, update, pause, unpause: resource limits and accounting (engine/resources.hpp).
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <thread>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/runtime/cgroup.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/engine/config.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

// Each positional in turn: the reference on success, each failure reported, and a failure
// status at the end if any failed (Docker's pause/unpause/update).
Result<int> each(const ParsedArgs& a, const std::function<Status(const std::string&)>& op) {
  bool failed = false;
  for (auto& ref : a.positional) {
    if (auto st = op(ref); !st) {
      flush_out();
      print_error(st.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", ref);
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

// go-units BytesSize with 4 significant digits ("1.953MiB"), as Docker's MEM USAGE column.
std::string mem_size(uint64_t b) { return human_size_binary(double(b)); }

std::string pct(double v) { return fmt::format("{:.2f}%", v); }

const std::map<std::string, std::string> kStatsHeaders = {
    {"ID", "CONTAINER ID"}, {"Name", "NAME"},         {"CPUPerc", "CPU %"},     {"MemUsage", "MEM USAGE / LIMIT"},
    {"MemPerc", "MEM %"},   {"NetIO", "NET I/O"},     {"BlockIO", "BLOCK I/O"}, {"PIDs", "PIDS"},
    {"Container", "CONTAINER"}};

constexpr std::string_view kStatsFormat =
    "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

Json stats_row(const engine::StatsSample& s, const engine::StatsSample* prev, const std::string& shown, bool no_trunc) {
  double cpu = 0;
  if (s.running) {
    if (prev && prev->running && s.at > prev->at && s.cpu_ns >= prev->cpu_ns) {
      cpu = double(s.cpu_ns - prev->cpu_ns) / double(s.at - prev->at) * 100.0;
    } else {
      // One sample: the average since the container started.
      int64_t up = now_ns() - s.started_at;
      if (up > 0 && s.started_at > 0) cpu = double(s.cpu_ns) / double(up) * 100.0;
    }
  }
  Json r = Json::object();
  r["ID"] = no_trunc ? s.id : s.id.substr(0, 12);
  r["Container"] = shown;
  r["Name"] = s.name;
  r["CPUPerc"] = pct(cpu);
  r["MemUsage"] = mem_size(s.mem_usage) + " / " + mem_size(s.mem_limit);
  r["MemPerc"] = pct(s.mem_limit ? double(s.mem_usage) / double(s.mem_limit) * 100.0 : 0.0);
  r["NetIO"] = human_size(double(s.net_rx)) + " / " + human_size(double(s.net_tx));
  r["BlockIO"] = human_size(double(s.blk_read)) + " / " + human_size(double(s.blk_write));
  r["PIDs"] = std::to_string(s.pids);
  return r;
}

}  // namespace

Result<int> cmd_pause(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  if (a.flag("all")) {
    if (!a.positional.empty()) return fail(kInvalid, "--all and container names cannot be used together");
    for (auto& c : TRY(engine::list_containers(*e)))
      if (c.state.status == engine::RunState::Running && !c.state.paused) {
        if (auto st = engine::pause_container(*e, c.rec.id); !st) return st.error();
        outf("{}\n", c.rec.id);
      }
    return 0;
  }
  if (a.positional.empty()) return fail(kUsage, "\"skiff pause\" requires at least 1 argument.");
  return each(a, [&](const std::string& ref) { return engine::pause_container(*e, ref); });
}

Result<int> cmd_unpause(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  if (a.flag("all")) {
    if (!a.positional.empty()) return fail(kInvalid, "--all and container names cannot be used together");
    for (auto& c : TRY(engine::list_containers(*e)))
      if (c.state.paused) {
        if (auto st = engine::unpause_container(*e, c.rec.id); !st) return st.error();
        outf("{}\n", c.rec.id);
      }
    return 0;
  }
  if (a.positional.empty()) return fail(kUsage, "\"skiff unpause\" requires at least 1 argument.");
  return each(a, [&](const std::string& ref) { return engine::unpause_container(*e, ref); });
}

Result<int> cmd_update(Context& ctx, const ParsedArgs& a) {
  engine::ResourceFlags flags;
  for (auto& [k, vs] : a.values)
    if (engine::is_resource_flag(k))
      for (auto& v : vs) flags.emplace_back(k, v);
  std::optional<std::string> restart;
  if (a.has("restart")) restart = a.str("restart");
  if (flags.empty() && !restart)
    return fail(kUsage, "you must provide one or more flags when using this command");
  auto* e = ctx.engine;
  return each(a, [&](const std::string& ref) { return engine::update_container(*e, ref, flags, restart); });
}

Result<int> cmd_stats(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  bool all = a.flag("all"), no_stream = a.flag("no-stream"), no_trunc = a.flag("no-trunc");
  std::string format = a.str("format");
  // The containers: those named (each must exist), else the running ones (--all: every one).
  auto pick = [&]() -> Result<std::vector<std::pair<engine::Container, std::string>>> {
    std::vector<std::pair<engine::Container, std::string>> out;
    if (!a.positional.empty()) {
      for (auto& ref : a.positional) out.emplace_back(TRY(engine::find_container(*e, ref)), ref);
      return out;
    }
    for (auto& c : TRY(engine::list_containers(*e))) {
      if (!all && c.state.status != engine::RunState::Running) continue;
      std::string id = c.rec.id;
      // list_containers gives summaries, which hold CgroupParent (older ones do not: then the
      // full record).
      if (c.rec.host_config.contains("CgroupParent")) {
        out.emplace_back(std::move(c), id.substr(0, 12));
        continue;
      }
      auto full = engine::find_container(*e, id);
      if (full) out.emplace_back(std::move(*full), id.substr(0, 12));
    }
    return out;
  };
  bool tty = stdout_is_tty() && !no_stream;
  std::map<std::string, engine::StatsSample> prev;
  for (int frame = 0;; ++frame) {
    auto list = TRY(pick());
    std::vector<Json> rows;
    std::map<std::string, engine::StatsSample> cur;
    for (auto& [c, shown] : list) {
      auto s = engine::container_stats(*e, c);
      auto it = prev.find(s.id);
      rows.push_back(stats_row(s, it == prev.end() ? nullptr : &it->second, shown, no_trunc));
      cur[s.id] = s;
    }
    prev = std::move(cur);
    std::string text = TRY(format_list(format, kStatsFormat, rows, kStatsHeaders, {}));
    if (tty) {
      // Redrawn in place: home, each line cleared to its end, the rest of the screen cleared.
      std::string screen = frame == 0 ? "\033[2J\033[H" : "\033[H";
      for (auto& line : split(text, '\n'))
        if (!line.empty()) screen += line + "\033[K\n";
      screen += "\033[J";
      out(screen);
    } else {
      out(text);
    }
    flush_out();
    if (no_stream) return 0;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

void add_cgroup_info(engine::Engine& e, Json& j) {
  namespace cg = runtime::cgroup;
  const auto& h = cg::host();
  bool rootless = e.idmap().userns;
  bool usable = cg::usable(h, rootless);
  std::string manager = "cgroupfs";
  if (auto cc = e.conf(); cc && (*cc)->cgroup_manager == "systemd" && !rootless) manager = "cgroupfs (systemd asked for in containers.conf, not PID 1 here)";
  j["CgroupDriver"] = usable ? "cgroupfs" : "none";
  j["CgroupVersion"] = h.version == cg::Version::V2 ? "2" : "1";
  auto has = [&](const char* c) { return usable && std::find(h.controllers.begin(), h.controllers.end(), c) != h.controllers.end(); };
  j["MemoryLimit"] = has("memory");
  j["SwapLimit"] = has("memory") && (h.version == cg::Version::V2 || path_exists(h.v1.count("memory") ? h.v1.at("memory") + "/memory.memsw.limit_in_bytes" : ""));
  j["CpuCfsPeriod"] = j["CpuCfsQuota"] = j["CPUShares"] = has("cpu");
  j["CPUSet"] = has("cpuset");
  j["PidsLimit"] = has("pids");
  j["OomKillDisable"] = has("memory") && h.version == cg::Version::V1;
  size_t paused = 0;
  if (auto list = engine::list_containers(e))
    for (auto& c : *list) paused += c.state.paused;
  j["ContainersPaused"] = paused;
  Json c = Json::object();
  c["Version"] = cg::version_name(h).empty() ? "none" : cg::version_name(h) + (h.version == cg::Version::V1 && !h.unified.empty() ? " (hybrid)" : "");
  c["Manager"] = manager;
  c["PerContainer"] = usable;
  c["Controllers"] = usable ? h.controllers : std::vector<std::string>{};
  if (!usable) c["Reason"] = rootless ? (h.version == cg::Version::V1 ? "Resource limits are not supported and ignored on cgroups V1 rootless systems"
                                                                      : "no delegated cgroup v2 subtree for this user")
                                      : "no cgroup hierarchy is mounted";
  if (rootless && h.version == cg::Version::V2) c["DelegatedParent"] = cg::delegated_parent(h);
  j["Host"]["Cgroups"] = c;
}

std::string cgroup_info_text(const Json& j) {
  const Json& c = j["Host"]["Cgroups"];
  std::vector<std::string> ctl;
  for (auto& x : c["Controllers"]) ctl.push_back(x.get<std::string>());
  std::string t = fmt::format("Cgroups:\n Version:           {}\n Manager:           {}\n Per container:     {}\n Controllers:       {}\n",
                              json_str(c, "Version"), json_str(c, "Manager"), json_bool(c, "PerContainer") ? "yes" : "no",
                              ctl.empty() ? std::string("(none)") : join(ctl, ", "));
  if (c.contains("Reason")) t += fmt::format(" Limits:            {}\n", json_str(c, "Reason"));
  return t;
}

}  // namespace skiff::cli
