// version, info, help.
#include <sys/sysinfo.h>
#include <sys/vfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "docker_types.hpp"
#include "format.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/registry/config.hpp"
#include "skiff/runtime/caps.hpp"
#include "skiff/runtime/defaults.hpp"
#include "skiff/runtime/seccomp.hpp"
#include "skiff/storage/store.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/idmap.hpp"
#include "skiff/util/json.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

static std::string os_arch() {
#if defined(__x86_64__)
  return "linux/amd64";
#elif defined(__aarch64__)
  return "linux/arm64";
#else
  struct utsname u;
  uname(&u);
  return std::string("linux/") + u.machine;
#endif
}

static std::string build_time() { return std::string(__DATE__) + " " + __TIME__; }
static std::string compiler() { return fmt::format("g++ {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__); }

// Docker's client version (docker/cli clientVersion) and, skiff being its own engine, the same
// binary as the server (types.Version): `version --format '{{.Server.Version}}'` works as
// scripts expect. GitCommit and GoVersion have no meaning here and stay "" (Compiler is ours).
// The client fields `version` (Client) and `info` (ClientInfo) share, in Docker's order.
static void add_client_version(Json& c) {
  c["Version"] = SKIFF_VERSION;
  c["ApiVersion"] = "1.41";
  c["DefaultAPIVersion"] = "1.41";
  c["GitCommit"] = "";
  c["GoVersion"] = "";
  c["Os"] = "linux";
  c["Arch"] = os_arch().substr(6);
  c["BuildTime"] = build_time();
  c["Context"] = "default";
}

static Json version_json() {
  std::string arch = os_arch().substr(6);
  Json platform = Json::object();
  platform["Name"] = "skiff";
  Json client = Json::object();
  client["Platform"] = platform;
  add_client_version(client);
  client["Compiler"] = compiler();
  struct utsname u;
  uname(&u);
  Json details = Json::object();
  details["ApiVersion"] = "1.41";
  details["Arch"] = arch;
  details["BuildTime"] = build_time();
  details["Experimental"] = "false";
  details["GitCommit"] = "";
  details["GoVersion"] = "";
  details["KernelVersion"] = u.release;
  details["MinAPIVersion"] = "1.12";
  details["Os"] = "linux";
  Json engine = Json::object();
  engine["Name"] = "Engine";
  engine["Version"] = SKIFF_VERSION;
  engine["Details"] = details;
  Json server = Json::object();
  server["Platform"] = platform;
  server["Components"] = Json::array({engine});
  server["Version"] = SKIFF_VERSION;
  server["ApiVersion"] = "1.41";
  server["MinAPIVersion"] = "1.12";
  server["GitCommit"] = "";
  server["GoVersion"] = "";
  server["Os"] = "linux";
  server["Arch"] = arch;
  server["KernelVersion"] = u.release;
  server["BuildTime"] = build_time();
  Json j = Json::object();
  j["Client"] = client;
  j["Server"] = server;
  return j;
}

Result<int> cmd_version(Context&, const ParsedArgs& a) {
  Json v = version_json();
  if (a.has("format")) {
    ObjectFormat of;
    of.schema = &version_type();
    out(TRY(format_object(a.str("format"), v, of)));
    return 0;
  }
  const Json& c = v["Client"];
  outf("Client:\n Version:           {}\n API version:       {}\n Compiler:          {}\n"
       " Built:             {}\n OS/Arch:           {}\n",
       c["Version"].get<std::string>(), c["ApiVersion"].get<std::string>(),
       c["Compiler"].get<std::string>(), c["BuildTime"].get<std::string>(), os_arch());
  return 0;
}

static std::string os_name() {
  auto text = read_file("/etc/os-release");
  if (!text) return "linux";
  for (auto& line : split(*text, '\n')) {
    if (line.starts_with("PRETTY_NAME=")) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "linux";
}

static std::string ranges(const std::vector<IdRange>& r) {
  std::vector<std::string> parts;
  for (auto& x : r) parts.push_back(fmt::format("{}:{}:{}", x.container_id, x.host_id, x.size));
  return join(parts, ", ");
}

static std::string os_release(std::string_view key) {
  auto text = read_file("/etc/os-release");
  if (!text) return "";
  for (auto& line : split(*text, '\n')) {
    if (line.size() > key.size() && line.compare(0, key.size(), key) == 0 && line[key.size()] == '=') {
      std::string v = line.substr(key.size() + 1);
      if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "";
}

static Json docker_info_json(const Paths& p, const std::string& driver, size_t images, size_t total, size_t running,
                             const std::vector<std::string>& caps) {
  (void)caps;
  struct utsname u;
  uname(&u);
  struct sysinfo si;
  sysinfo(&si);
  struct statfs cg;
  bool v2 = statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == 0x63677270;
  auto env = [](const char* a, const char* b) {
    const char* v = getenv(a);
    if (!v || !*v) v = getenv(b);
    return std::string(v ? v : "");
  };
  auto pairs = [](std::initializer_list<std::pair<std::string, std::string>> l) {
    Json a = Json::array();
    for (auto& [k, v] : l) a.push_back(Json::array({k, v}));
    return a;
  };
  Json j = Json::object();
  j["ID"] = "";
  j["Containers"] = total;
  j["ContainersRunning"] = running;
  j["ContainersPaused"] = 0;
  j["ContainersStopped"] = total - running;
  j["Images"] = images;
  j["Driver"] = driver;
  j["DriverStatus"] = pairs({{"Graph Root", p.graph_root}, {"Run Root", p.run_root}});
  Json plugins = Json::object();
  plugins["Volume"] = Json::array({"local"});
  plugins["Network"] = Json::array({"host", "none"});
  plugins["Authorization"] = nullptr;
  plugins["Log"] = Json::array({"json-file", "k8s-file", "none"});
  j["Plugins"] = plugins;
  for (const char* k : {"MemoryLimit", "SwapLimit", "CpuCfsPeriod", "CpuCfsQuota", "CPUShares", "CPUSet", "PidsLimit",
                        "IPv4Forwarding", "BridgeNfIptables", "BridgeNfIp6tables", "Debug"})
    j[k] = false;
  size_t nfd = 0;
  if (auto fds = list_dir("/proc/self/fd")) nfd = fds->size();
  j["NFd"] = nfd;
  j["OomKillDisable"] = false;
  j["NGoroutines"] = 0;
  j["SystemTime"] = format_rfc3339nano(now_ns());
  j["LoggingDriver"] = "json-file";
  j["CgroupDriver"] = v2 ? "systemd" : "cgroupfs";
  j["CgroupVersion"] = v2 ? "2" : "1";
  j["NEventsListener"] = 0;
  j["KernelVersion"] = u.release;
  j["OperatingSystem"] = os_release("PRETTY_NAME").empty() ? "linux" : os_release("PRETTY_NAME");
  j["OSVersion"] = os_release("VERSION_ID");
  j["OSType"] = "linux";
  j["Architecture"] = u.machine;
  j["IndexServerAddress"] = "https://index.docker.io/v1/";
  Json reg = Json::object();
  reg["AllowNondistributableArtifactsCIDRs"] = nullptr;
  reg["AllowNondistributableArtifactsHostnames"] = nullptr;
  reg["InsecureRegistryCIDRs"] = nullptr;
  reg["IndexConfigs"] = Json::object();
  reg["Mirrors"] = nullptr;
  j["RegistryConfig"] = reg;
  j["NCPU"] = sysconf(_SC_NPROCESSORS_ONLN);
  j["MemTotal"] = uint64_t(si.totalram) * si.mem_unit;
  j["GenericResources"] = nullptr;
  j["DockerRootDir"] = p.graph_root;
  j["HttpProxy"] = env("HTTP_PROXY", "http_proxy");
  j["HttpsProxy"] = env("HTTPS_PROXY", "https_proxy");
  j["NoProxy"] = env("NO_PROXY", "no_proxy");
  j["Name"] = u.nodename;
  j["Labels"] = Json::array();
  j["ExperimentalBuild"] = false;
  j["ServerVersion"] = SKIFF_VERSION;
  Json rt = Json::object();
  rt["path"] = "skiff";
  Json runtimes = Json::object();
  runtimes["skiff"] = rt;
  j["Runtimes"] = runtimes;
  j["DefaultRuntime"] = "skiff";
  Json swarm = Json::object();
  swarm["NodeID"] = "";
  swarm["NodeAddr"] = "";
  swarm["LocalNodeState"] = "inactive";
  swarm["ControlAvailable"] = false;
  swarm["Error"] = "";
  swarm["RemoteManagers"] = nullptr;
  j["Swarm"] = swarm;
  j["LiveRestoreEnabled"] = false;
  j["Isolation"] = "";
  j["InitBinary"] = "skiff";
  Json commit = Json::object();
  commit["ID"] = "";
  commit["Expected"] = "";
  j["ContainerdCommit"] = commit;
  j["RuncCommit"] = commit;
  j["InitCommit"] = commit;
  Json sec = Json::array({"name=seccomp,profile=builtin"});
  if (p.rootless) sec.push_back("name=rootless");
  if (v2) sec.push_back("name=cgroupns");
  j["SecurityOptions"] = sec;
  j["Warnings"] = nullptr;
  Json ci = Json::object();
  ci["Debug"] = false;
  add_client_version(ci);
  ci["Plugins"] = Json::array();
  ci["Warnings"] = nullptr;
  j["ClientInfo"] = ci;
  return j;
}

Result<int> cmd_info(Context& ctx, const ParsedArgs& a) {
  const Paths* p = TRY(ctx.paths());
  struct utsname u;
  uname(&u);
  struct sysinfo si;
  sysinfo(&si);
  auto map = TRY(idmap_for_current_user());
  auto* e = ctx.engine;
  Json host = Json::object();
  host["KernelVersion"] = u.release;
  host["OperatingSystem"] = os_name();
  host["OSType"] = "linux";
  host["Architecture"] = u.machine;
  host["NCPU"] = sysconf(_SC_NPROCESSORS_ONLN);
  host["MemTotal"] = uint64_t(si.totalram) * si.mem_unit;
  host["Rootless"] = p->rootless;
  struct statfs cg;
  host["CgroupVersion"] = statfs("/sys/fs/cgroup", &cg) == 0 && cg.f_type == 0x63677270 ? "2" : "1 (hybrid)";
  Json idm = Json::object();
  idm["UIDMap"] = map.userns ? ranges(map.uids) : "host";
  idm["GIDMap"] = map.userns ? ranges(map.gids) : "host";
  idm["Source"] = map.source;
  host["IDMappings"] = idm;

  // Store: counts come from the same lock-free listings `ps` and `images` use.
  Json store = Json::object();
  store["GraphRoot"] = p->graph_root;
  store["RunRoot"] = p->run_root;
  store["RuntimeDir"] = p->runtime_dir_source;
  auto st = e->store(false);
  std::string driver = "not chosen yet (overlay if it works here, else vfs)";
  size_t images = 0;
  if (st && (*st)->exists()) {
    driver = std::string(storage::driver_name((*st)->driver()));
    if (auto list = (*st)->list_images()) images = list->size();
  }
  store["GraphDriverName"] = driver;
  size_t running = 0, total = 0;
  if (auto list = engine::list_containers(*e)) {
    total = list->size();
    for (auto& c : *list) running += c.state.status == engine::RunState::Running;
  }
  Json counts = Json::object();
  counts["Total"] = total;
  counts["Running"] = running;
  counts["Stopped"] = total - running;
  store["Containers"] = counts;
  store["Images"] = images;
  store["Volumes"] = engine::list_volumes(*e).value_or(std::vector<engine::Volume>{}).size();

  Json sec = Json::object();
  sec["Seccomp"] = true;
  sec["SeccompLibVersion"] = runtime::libseccomp_version();
  sec["SeccompProfile"] = "Docker's default (built in)";
  auto nnp_conf = e->conf();  // containers.conf no_new_privileges (default off, as Podman)
  sec["NoNewPrivileges"] = nnp_conf && (*nnp_conf)->no_new_privileges;
  std::vector<std::string> caps;
  for (int c : runtime::default_capabilities()) caps.emplace_back(runtime::capability_name(c));
  sec["DefaultCapabilities"] = caps;

  Json helpers = Json::object();
  for (auto name : {"newuidmap", "newgidmap", "pasta", "slirp4netns"}) {
    std::string path = find_in_path(name);
    helpers[name] = path.empty() ? "not found" : path;
  }
  Json reg = Json::object();
  auto env = registry::ConfigEnv::from_process();
  auto rc = registry::load_registries_conf(env);
  if (rc) {
    reg["Search"] = rc->search_registries.empty() ? std::vector<std::string>{"docker.io"} : rc->search_registries;
    reg["Files"] = rc->files;
  } else {
    reg["Error"] = rc.error().msg;
  }
  auto cc = e->conf();
  Json conf = Json::object();
  conf["ContainersConf"] = cc ? Json((*cc)->files) : Json(cc.error().msg);

  // Docker's types.Info first (what `info --format '{{.ServerVersion}} {{.Driver}}'` reads),
  // with the values that mean something for skiff; then ClientInfo; then skiff's own sections.
  Json j = docker_info_json(*p, driver, images, total, running, caps);
  if (cc) {
    std::string ld = (*cc)->log_driver;
    if (ld == "journald" || ld == "passthrough") ld.clear();  // not ours (create uses json-file)
    if (!ld.empty()) j["LoggingDriver"] = ld;
  }
  j["Version"] = SKIFF_VERSION;
  j["Personality"] = std::string(personality_name());
  j["Host"] = host;
  j["Store"] = store;
  j["Security"] = sec;
  j["Helpers"] = helpers;
  j["Registries"] = reg;
  j["Config"] = conf;
  add_cgroup_info(*e, j);
  if (a.has("format")) {
    ObjectFormat of;
    of.schema = &info_type();
    out(TRY(format_object(a.str("format"), j, of)));
    return 0;
  }
  auto list = [](const Json& v) {
    std::vector<std::string> s;
    if (v.is_array())
      for (auto& x : v) s.push_back(x.get<std::string>());
    return s.empty() ? std::string("(none)") : join(s, ", ");
  };
  outf("Version: {}\nPersonality: {} (formats, error texts and exit codes)\n", SKIFF_VERSION, personality_name());
  outf("Host:\n Kernel Version:    {}\n Operating System:  {}\n OSType:            linux\n"
       " Architecture:      {}\n CPUs:              {}\n Total Memory:      {}\n Cgroups:           {}\n"
       " Rootless:          {}\n",
       u.release, os_name(), u.machine, sysconf(_SC_NPROCESSORS_ONLN),
       human_size_binary(double(uint64_t(si.totalram) * si.mem_unit)), host["CgroupVersion"].get<std::string>(),
       p->rootless ? "true" : "false");
  outf(" ID Mappings:\n  UID:              {}\n  GID:              {}\n  Source:           {}\n",
       idm["UIDMap"].get<std::string>(), idm["GIDMap"].get<std::string>(), map.source);
  outf("Store:\n Graph Root:        {}\n Run Root:          {}\n Runtime Dir:       {}\n Storage Driver:    {}\n"
       " Containers:        {} (running {}, stopped {})\n Images:            {}\n Volumes:           {}\n",
       p->graph_root, p->run_root, p->runtime_dir_source, driver, total, running, total - running, images,
       store["Volumes"].get<size_t>());
  outf("Security:\n Seccomp:           {} (libseccomp {})\n No New Privileges: {}\n Capabilities:      {}\n",
       sec["SeccompProfile"].get<std::string>(), sec["SeccompLibVersion"].get<std::string>(),
       sec["NoNewPrivileges"].get<bool>(), join(caps, ","));
  out(cgroup_info_text(j));
  outf("Helpers:\n");
  for (auto& [k, v] : helpers.items()) outf(" {}:{}{}\n", k, std::string(18 - k.size(), ' '), v.get<std::string>());
  outf("Registries:\n Search:            {}\n Config Files:      {}\n", list(json_get(reg, "Search")),
       list(json_get(reg, "Files")));
  outf("Config:\n containers.conf:   {}\n", list(conf["ContainersConf"]));
  return 0;
}

Result<int> cmd_help(Context&, const ParsedArgs& a) {
  out(TRY(help_for(table(), a.positional)));
  return 0;
}

}  // namespace skiff::cli
