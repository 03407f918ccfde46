// inspect (Docker's container JSON shape and key order) and top.
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>

#include "mounts.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/runtime/defaults.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

Json or_null(const Json& j) { return j.is_null() ? Json(nullptr) : j; }

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
  o["CapAdd"] = get("CapAdd", nullptr);
  o["CapDrop"] = get("CapDrop", nullptr);
  o["CgroupnsMode"] = "private";
  o["Dns"] = Json::array();
  o["DnsOptions"] = Json::array();
  o["DnsSearch"] = Json::array();
  o["ExtraHosts"] = nullptr;
  o["GroupAdd"] = get("GroupAdd", nullptr);
  o["IpcMode"] = "private";
  o["Cgroup"] = "";
  o["Links"] = nullptr;
  o["OomScoreAdj"] = 0;
  o["PidMode"] = "";
  o["Privileged"] = get("Privileged", false);
  o["PublishAllPorts"] = false;
  o["ReadonlyRootfs"] = get("ReadonlyRootfs", false);
  o["SecurityOpt"] = get("SecurityOpt", nullptr);
  o["Tmpfs"] = get("Tmpfs", Json::object());
  o["UTSMode"] = "";
  o["UsernsMode"] = "";
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
  st["Status"] = status_name(s.status);
  st["Running"] = s.status == RunState::Running;
  st["Paused"] = false;
  st["Restarting"] = s.status == RunState::Restarting;
  st["OOMKilled"] = s.oom_killed;
  st["Dead"] = s.status == RunState::Dead;
  st["Pid"] = s.status == RunState::Running ? s.pid : 0;
  st["ExitCode"] = s.exit_code;
  st["Error"] = s.error;
  st["StartedAt"] = format_rfc3339nano(s.started_at);
  st["FinishedAt"] = format_rfc3339nano(s.status == RunState::Running ? 0 : s.finished_at);
  j["State"] = st;
  j["Image"] = r.image_id.empty() ? "" : r.image_id;
  j["ResolvConfPath"] = rdir + "/resolv.conf";
  j["HostnamePath"] = rdir + "/hostname";
  j["HostsPath"] = rdir + "/hosts";
  j["LogPath"] = cdir + "/ctr.log";
  j["Name"] = "/" + r.name;
  j["RestartCount"] = s.restart_count;
  j["Driver"] = r.driver;
  j["Platform"] = "linux";
  j["MountLabel"] = "";
  j["ProcessLabel"] = "";
  j["AppArmorProfile"] = "";
  j["ExecIDs"] = nullptr;
  j["HostConfig"] = host_config_json(r);
  Json gd = Json::object();
  Json data = Json::object();
  if (r.driver == "overlay") {
    const Json& lower = json_get(r.extra, "layerDirs");
    std::vector<std::string> dirs;
    if (lower.is_array())
      for (auto& d : lower) dirs.push_back(d.get<std::string>());
    data["LowerDir"] = join(dirs, ":");
    data["MergedDir"] = cdir + "/merged";
    data["UpperDir"] = cdir + "/upper";
    data["WorkDir"] = cdir + "/work";
  } else if (r.driver == "rootfs") {
    data["MergedDir"] = r.rootfs;
  } else {
    data["MergedDir"] = cdir + "/rootfs";
  }
  gd["Data"] = data;
  gd["Name"] = r.driver;
  j["GraphDriver"] = gd;
  Json mounts = Json::array();
  for (auto& m : mounts_from_json(json_get(r.extra, "mounts"))) {
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
  j["Config"] = or_null(r.config);
  j["NetworkSettings"] = network_settings_json(r, s);
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

}  // namespace

Result<std::vector<std::vector<std::string>>> top_container(Engine& e, const std::string& ref) {
  auto c = TRY(find_container(e, ref));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("container {} is not running", c.rec.id));
  std::string want = ns_of(c.state.pid);
  if (want.empty()) return fail(ESRCH, "the container process is gone");
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
