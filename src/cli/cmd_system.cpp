// version, info, help.
#include <sys/sysinfo.h>
#include <sys/vfs.h>
#include <sys/utsname.h>
#include <unistd.h>

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

static Json version_json() {
  Json client = Json::object();
  client["Version"] = SKIFF_VERSION;
  client["ApiVersion"] = "1.41";
  client["Compiler"] = fmt::format("g++ {}.{}.{}", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
  client["BuildTime"] = std::string(__DATE__) + " " + __TIME__;
  client["Os"] = "linux";
  client["Arch"] = os_arch().substr(6);
  Json j = Json::object();
  j["Client"] = client;
  return j;
}

Result<int> cmd_version(Context&, const ParsedArgs& a) {
  Json v = version_json();
  if (a.has("format")) {
    out(TRY(format_object(a.str("format"), v)));
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
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
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

Result<int> cmd_info(Context& ctx, const ParsedArgs& a) {
  const Paths* p = TRY(ctx.paths());
  struct utsname u;
  uname(&u);
  struct sysinfo si;
  sysinfo(&si);
  auto map = TRY(idmap_for_current_user());
  auto e = TRY(open_engine(ctx, false));
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

  Json j = Json::object();
  j["Version"] = SKIFF_VERSION;
  j["Host"] = host;
  j["Store"] = store;
  j["Security"] = sec;
  j["Helpers"] = helpers;
  j["Registries"] = reg;
  j["Config"] = conf;
  if (a.has("format")) {
    out(TRY(format_object(a.str("format"), j)));
    return 0;
  }
  auto list = [](const Json& v) {
    std::vector<std::string> s;
    if (v.is_array())
      for (auto& x : v) s.push_back(x.get<std::string>());
    return s.empty() ? std::string("(none)") : join(s, ", ");
  };
  outf("Version: {}\n", SKIFF_VERSION);
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
