// inspect (Docker's container JSON shape and key order) and top.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>

#include "mounts.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/engine/netnames.hpp"
#include "network.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/runtime/defaults.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

constexpr const char* kResourceFields[] = {
    "CgroupnsMode", "Cgroup", "CgroupParent", "OomScoreAdj", "ShmSize", "CpuShares", "Memory", "NanoCpus",
    "BlkioWeight", "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
    "BlkioDeviceWriteIOps", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime", "CpusetCpus",
    "CpusetMems", "Devices", "DeviceCgroupRules", "MemoryReservation", "MemorySwap", "MemorySwappiness",
    "OomKillDisable", "PidsLimit"};

Json host_config_json(const ContainerRecord& r) {
  const Json& h = r.host_config;
  auto get = [&](const char* k, Json dflt) { return h.contains(k) ? h[k] : dflt; };
  Json o = Json::object();
  o["Binds"] = get("Binds", nullptr);
  o["ContainerIDFile"] = get("ContainerIDFile", "");
  o["LogConfig"] = get("LogConfig", Json::object());
  o["NetworkMode"] = get("NetworkMode", "none");
  o["PortBindings"] = get("PortBindings", Json::object());
  o["RestartPolicy"] = get("RestartPolicy", Json::object());
  o["AutoRemove"] = get("AutoRemove", false);
  o["VolumeDriver"] = "";
  o["VolumesFrom"] = nullptr;
  o["ConsoleSize"] = Json::array({0, 0});
  if (h.contains("Annotations")) o["Annotations"] = h["Annotations"];  // Docker: omitempty
  o["CapAdd"] = get("CapAdd", nullptr);
  o["CapDrop"] = get("CapDrop", nullptr);
  o["CgroupnsMode"] = "private";
  o["Dns"] = get("Dns", Json::array());
  o["DnsOptions"] = get("DnsOptions", Json::array());
  o["DnsSearch"] = get("DnsSearch", Json::array());
  o["ExtraHosts"] = get("ExtraHosts", nullptr);
  o["GroupAdd"] = get("GroupAdd", nullptr);
  o["IpcMode"] = "private";
  o["Cgroup"] = "";
  o["Links"] = links_json(r);
  o["OomScoreAdj"] = 0;
  o["PidMode"] = "";
  o["Privileged"] = get("Privileged", false);
  o["PublishAllPorts"] = get("PublishAllPorts", false);
  o["ReadonlyRootfs"] = get("ReadonlyRootfs", false);
  o["SecurityOpt"] = get("SecurityOpt", nullptr);
  o["Tmpfs"] = get("Tmpfs", Json::object());
  o["UTSMode"] = "";
  o["UsernsMode"] = get("UsernsMode", "");
  if (h.contains("IDMappings")) o["IDMappings"] = h["IDMappings"];  // Podman's (--uidmap): omitempty
  o["ShmSize"] = 67108864;
  o["Sysctls"] = get("Sysctls", Json::object());
  o["Runtime"] = "skiff";
  o["Isolation"] = "";
  for (const char* k : {"CpuShares", "Memory", "NanoCpus"}) o[k] = 0;
  o["CgroupParent"] = "";
  for (const char* k : {"BlkioWeight"}) o[k] = 0;
  for (const char* k : {"BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps",
                        "BlkioDeviceWriteIOps"})
    o[k] = nullptr;
  for (const char* k : {"CpuPeriod", "CpuQuota", "CpuRealtimePeriod", "CpuRealtimeRuntime"}) o[k] = 0;
  o["CpusetCpus"] = "";
  o["CpusetMems"] = "";
  o["Devices"] = Json::array();
  o["DeviceCgroupRules"] = nullptr;
  o["DeviceRequests"] = nullptr;
  o["MemoryReservation"] = 0;
  o["MemorySwap"] = 0;
  o["MemorySwappiness"] = nullptr;
  o["OomKillDisable"] = false;
  o["PidsLimit"] = nullptr;
  o["Ulimits"] = get("Ulimits", nullptr);
  o["CpuCount"] = 0;
  o["CpuPercent"] = 0;
  o["IOMaximumIOps"] = 0;
  o["IOMaximumBandwidth"] = 0;
  // Resource limits as recorded at create or update (resources.cpp).
  for (const char* k : kResourceFields)
    if (h.contains(k)) o[k] = h[k];
  // The paths the runtime masks and makes read-only (none when privileged, as Docker).
  bool privileged = json_bool(h, "Privileged");
  Json masked = Json::array(), ro = Json::array();
  if (!privileged) {
    for (auto p : runtime::default_masked_paths()) masked.push_back(std::string(p));
    for (auto p : runtime::default_readonly_paths()) ro.push_back(std::string(p));
  }
  o["MaskedPaths"] = privileged ? Json(nullptr) : masked;
  o["ReadonlyPaths"] = privileged ? Json(nullptr) : ro;
  o["Init"] = get("Init", false);
  return o;
}

Json network_settings_json(const ContainerRecord& r, const ContainerState& s) {
  std::string mode = json_str(r.host_config, "NetworkMode", "none");
  Json n = Json::object();
  n["Bridge"] = "";
  n["SandboxID"] = "";
  n["HairpinMode"] = false;
  n["LinkLocalIPv6Address"] = "";
  n["LinkLocalIPv6PrefixLen"] = 0;
  n["Ports"] = Json::object();
  n["SandboxKey"] = s.pid > 0 && mode != "host" ? fmt::format("/proc/{}/ns/net", s.pid) : "";
  n["SecondaryIPAddresses"] = nullptr;
  n["SecondaryIPv6Addresses"] = nullptr;
  for (const char* k : {"EndpointID", "Gateway", "GlobalIPv6Address"}) n[k] = "";
  n["GlobalIPv6PrefixLen"] = 0;
  n["IPAddress"] = "";
  n["IPPrefixLen"] = 0;
  n["IPv6Gateway"] = "";
  n["MacAddress"] = "";
  Json net = Json::object();
  for (const char* k : {"IPAMConfig", "Links", "Aliases"}) net[k] = nullptr;
  for (const char* k : {"NetworkID", "EndpointID", "Gateway", "IPAddress"}) net[k] = "";
  net["IPPrefixLen"] = 0;
  for (const char* k : {"IPv6Gateway", "GlobalIPv6Address"}) net[k] = "";
  net["GlobalIPv6PrefixLen"] = 0;
  net["MacAddress"] = "";
  net["DriverOpts"] = nullptr;
  Json nets = Json::object();
  nets[mode] = net;
  n["Networks"] = nets;
  user_network_settings(r, n);  // user networks: one entry each (engine/netnames.cpp)
  return n;
}

}  // namespace

Json inspect_container(const Engine& e, const Container& c) {
  const ContainerRecord& r = c.rec;
  const ContainerState& s = c.state;
  std::string rdir = e.run_dir(r.id);
  std::string cdir = e.container_dir(r.id);
  Json j = Json::object();
  j["Id"] = r.id;
  j["Created"] = format_rfc3339nano(r.created);
  j["Path"] = r.path;
  j["Args"] = r.args;
  Json st = Json::object();
  st["Status"] = s.paused ? "paused" : status_name(s.status);
  st["Running"] = s.status == RunState::Running;
  st["Paused"] = s.paused;
  st["Restarting"] = s.status == RunState::Restarting;
  st["OOMKilled"] = s.oom_killed;
  st["Dead"] = s.status == RunState::Dead;
  st["Pid"] = s.status == RunState::Running ? s.pid : 0;
  st["ExitCode"] = s.exit_code;
  st["Error"] = s.error;
  st["StartedAt"] = format_rfc3339nano(s.started_at);
  st["FinishedAt"] = format_rfc3339nano(s.status == RunState::Running ? 0 : s.finished_at);
  if (Json h = health_state(e, c); h.is_object()) {
    h.erase("startedAt");
    st["Health"] = h;
  }
  j["State"] = st;
  j["Image"] = r.image_id.empty() ? "" : r.image_id;
  j["ResolvConfPath"] = rdir + "/resolv.conf";
  j["HostnamePath"] = rdir + "/hostname";
  j["HostsPath"] = rdir + "/hosts";
  j["LogPath"] = cdir + "/ctr.log";
  j["Name"] = "/" + r.name;
  if (!pod_of(r).empty()) j["Pod"] = pod_of(r);  // Podman's: the pod it is in (pod.hpp)
  j["RestartCount"] = s.restart_count;
  j["Driver"] = driver_text(r.driver);
  j["Platform"] = "linux";
  j["MountLabel"] = "";
  j["ProcessLabel"] = "";
  j["AppArmorProfile"] = "";
  j["ExecIDs"] = nullptr;
  j["HostConfig"] = host_config_json(r);
  Json gd = Json::object();
  Json data = Json::object();
  if (r.driver == storage::Driver::Overlay) {
    data["LowerDir"] = join(r.extra.layer_dirs, ":");
    data["MergedDir"] = cdir + "/merged";
    data["UpperDir"] = cdir + "/upper";
    data["WorkDir"] = cdir + "/work";
  } else if (!r.driver) {
    data["MergedDir"] = r.rootfs;
  } else {
    data["MergedDir"] = cdir + "/rootfs";
  }
  gd["Data"] = data;
  gd["Name"] = driver_text(r.driver);
  j["GraphDriver"] = gd;
  Json mounts = Json::array();
  for (auto& m : mounts_from_json(r.extra.mounts)) {
    Json mj = Json::object();
    mj["Type"] = m.type;
    if (m.type == "volume") mj["Name"] = m.name;
    mj["Source"] = m.type == "volume" ? e.graph() + "/volumes/" + m.name + "/_data" : m.source;
    mj["Destination"] = m.destination;
    if (m.type == "volume") mj["Driver"] = "local";
    mj["Mode"] = join(m.options, ",");
    mj["RW"] = m.rw;
    std::string prop;
    for (auto& o : m.options)
      if (o.find("shared") != std::string::npos || o.find("slave") != std::string::npos || o.find("private") != std::string::npos)
        prop = o;
    mj["Propagation"] = m.type == "bind" && prop.empty() ? "rprivate" : prop;
    mounts.push_back(mj);
  }
  j["Mounts"] = mounts;
  j["Config"] = to_json(r.config);
  j["NetworkSettings"] = network_settings_json(r, s);
  j["NetworkSettings"]["Ports"] = published_ports(e, c);
  add_network_addresses(e, c, j["NetworkSettings"]);
  add_network_error(e, c, j["State"]);
  return j;
}

// ---- top ---------------------------------------------------------------------------------

namespace {

std::string ns_of(pid_t pid) {
  char buf[128];
  std::string p = fmt::format("/proc/{}/ns/pid", pid);
  ssize_t n = readlink(p.c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : "";
}

std::string user_name(uid_t uid) {
  std::string name, home;
  return lookup_user(uid, name, home) ? name : std::to_string(uid);
}

std::string fmt_cpu_time(uint64_t ticks) {
  long hz = sysconf(_SC_CLK_TCK);
  uint64_t secs = ticks / uint64_t(hz);
  return fmt::format("{:02d}:{:02d}:{:02d}", secs / 3600, (secs / 60) % 60, secs % 60);
}

// Docker's validatePSArgs: `\s+([^\s]*)=\s*(PID[^\s]*)` may only rename the pid column itself,
// so that no other column can pass for the PID one.
Status validate_ps_args(const std::vector<std::string>& words) {
  for (size_t i = 1; i < words.size(); ++i) {
    const std::string& w = words[i];
    for (size_t p = w.size(); p-- > 0;) {
      if (w[p] != '=') continue;
      bool pid_next = w.compare(p + 1, 3, "PID") == 0 ||
                      (p + 1 == w.size() && i + 1 < words.size() && words[i + 1].starts_with("PID"));
      if (!pid_next) continue;
      std::string k = w.substr(0, p);
      std::string v = p + 1 < w.size() ? w.substr(p + 1) : words[i + 1];
      if (k != "pid") return fail(kInvalid, fmt::format("specifying \"{}={}\" is not allowed", k, v));
      break;
    }
  }
  return ok();
}

std::vector<std::string> ascii_fields(std::string_view line) {
  std::vector<std::string> f;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) f.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return f;
}

// Docker's parsePSOutput: the header, then the rows whose PID is one of the container's; a
// row with more fields than titles has the rest joined into its last column (CMD with spaces).
Result<std::vector<std::vector<std::string>>> parse_ps_output(const std::string& out, const std::vector<pid_t>& pids) {
  auto lines = split(out, '\n');
  std::vector<std::vector<std::string>> rows;
  rows.push_back(ascii_fields(lines.empty() ? "" : lines[0]));
  auto& titles = rows[0];
  size_t pid_col = std::find(titles.begin(), titles.end(), "PID") - titles.begin();
  if (pid_col == titles.size()) return fail(kInvalid, "couldn't find PID field in ps output (add pid to -o)");
  auto add = [&](std::vector<std::string> f) {
    if (f.size() > titles.size()) {
      std::vector<std::string> tail(f.begin() + long(titles.size()) - 1, f.end());
      f.resize(titles.size() - 1);
      f.push_back(join(tail, " "));
    }
    rows.push_back(std::move(f));
  };
  bool in_container = false;  // the last process row was one of the container's
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    auto f = ascii_fields(lines[i]);
    if (f.size() <= pid_col) continue;
    if (f[pid_col] == "-") {
      if (in_container) add(std::move(f));
      continue;
    }
    auto p = parse_int(f[pid_col]);
    if (!p) return fail(EPROTO, fmt::format("unexpected pid '{}' in ps output", f[pid_col]));
    in_container = std::find(pids.begin(), pids.end(), pid_t(*p)) != pids.end();
    if (in_container) add(std::move(f));
  }
  return rows;
}

Result<std::vector<std::vector<std::string>>> top_with_ps(const std::vector<std::string>& ps_args,
                                                          const std::vector<pid_t>& pids) {
  // Docker's CLI joins the words with spaces and its daemon splits them on spaces again.
  std::vector<std::string> words;
  for (auto& a : ps_args)
    for (auto& w : split(a, ' '))
      if (!w.empty()) words.push_back(w);
  TRY(validate_ps_args(words));
  if (find_in_path("ps").empty())
    return fail(kUnsupported, "top with ps options runs the host's ps, which is not installed (procps)");
  std::vector<std::string> argv{"ps"};
  argv.insert(argv.end(), words.begin(), words.end());
  std::string list;
  for (pid_t p : pids) list += (list.empty() ? "" : ",") + std::to_string(p);
  auto with_q = argv;
  with_q.push_back("-q");
  with_q.push_back(list);
  auto r = TRY(run_program(with_q));
  if (!r.ok()) {
    // Some options (f, …) cannot be combined with -q: all processes, filtered below.
    r = TRY(run_program(argv));
    if (!r.ok()) {
      std::string why(trim(r.err.substr(0, r.err.find('\n'))));
      if (why.empty()) why = fmt::format("exit status {}", r.exit_code());
      return fail(kInvalid, fmt::format("ps: {}", why));
    }
  }
  return parse_ps_output(r.out, pids);
}

}  // namespace

Result<std::vector<std::vector<std::string>>> top_container(Engine& e, const std::string& ref,
                                                           const std::vector<std::string>& ps_args) {
  auto c = TRY(find_container(e, ref));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("container {} is not running", c.rec.id));
  std::string want = ns_of(c.state.pid);
  if (want.empty()) return fail(ESRCH, "the container process is gone");
  if (!ps_args.empty()) {
    std::vector<pid_t> pids;
    for (auto& name : TRY(list_dir("/proc")))
      if (auto p = parse_int(name); p && ns_of(pid_t(*p)) == want) pids.push_back(pid_t(*p));
    if (pids.empty()) return fail(ESRCH, "the container process is gone");
    return top_with_ps(ps_args, pids);
  }
  std::vector<std::vector<std::string>> rows{{"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"}};
  auto uptime = read_file("/proc/uptime");
  double up = uptime ? std::stod(split(*uptime, ' ')[0]) : 0;
  long hz = sysconf(_SC_CLK_TCK);
  int64_t boot = now_ns() / 1000000000 - int64_t(up);
  auto entries = TRY(list_dir("/proc"));
  std::vector<pid_t> pids;
  for (auto& name : entries)
    if (auto p = parse_int(name)) pids.push_back(pid_t(*p));
  std::sort(pids.begin(), pids.end());
  for (pid_t pid : pids) {
    if (ns_of(pid) != want) continue;
    auto stat = read_file(fmt::format("/proc/{}/stat", pid));
    if (!stat) continue;
    auto close = stat->rfind(')');
    auto f = split(std::string_view(*stat).substr(close + 2), ' ');
    if (f.size() < 20) continue;
    std::string ppid = f[1];
    uint64_t utime = parse_uint(f[11]).value_or(0), stime = parse_uint(f[12]).value_or(0);
    uint64_t start = parse_uint(f[19]).value_or(0);
    struct stat st;
    uid_t uid = 0;
    if (::stat(fmt::format("/proc/{}", pid).c_str(), &st) == 0) uid = st.st_uid;
    double elapsed = up - double(start) / double(hz);
    int cpu = elapsed > 0 ? int(100.0 * double(utime + stime) / double(hz) / elapsed) : 0;
    time_t started = time_t(boot + int64_t(start / uint64_t(hz)));
    struct tm tm;
    localtime_r(&started, &tm);
    std::string cmd = read_file(fmt::format("/proc/{}/cmdline", pid)).value_or("");
    for (char& ch : cmd)
      if (ch == '\0') ch = ' ';
    cmd = std::string(trim(cmd));
    if (cmd.empty()) cmd = "[" + std::string(std::string_view(*stat).substr(stat->find('(') + 1, close - stat->find('(') - 1)) + "]";
    int tty_nr = int(parse_int(f[4]).value_or(0));
    std::string tty = tty_nr == 0 ? "?" : fmt::format("pts/{}", (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
    rows.push_back({user_name(uid), std::to_string(pid), ppid, std::to_string(cpu),
                    fmt::format("{:02d}:{:02d}", tm.tm_hour, tm.tm_min), tty, fmt_cpu_time(utime + stime), cmd});
  }
  return rows;
}

}  // namespace skiff::engine
