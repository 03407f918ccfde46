#include "skiff/engine/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "skiff/util/fs.hpp"
#include "skiff/util/paths.hpp"
#include "skiff/util/toml.hpp"

namespace skiff::engine {

namespace {

std::vector<std::string> dropins(const std::string& dir) {
  std::vector<std::string> out;
  auto names = list_dir(dir);
  if (!names) return out;
  for (auto& n : *names)
    if (n.size() > 5 && n.substr(n.size() - 5) == ".conf") out.push_back(dir + "/" + n);
  std::sort(out.begin(), out.end());
  return out;
}

void merge(ContainersConf& c, const Json& doc) {
  const Json& ct = json_get(doc, "containers");
  if (ct.is_object()) {
    if (ct.contains("env")) c.env = strings_of(ct["env"]);
    if (ct.contains("default_ulimits")) c.default_ulimits = strings_of(ct["default_ulimits"]);
    if (ct.contains("default_capabilities")) c.default_capabilities = strings_of(ct["default_capabilities"]);
    if (ct.contains("default_sysctls")) c.default_sysctls = strings_of(ct["default_sysctls"]);
    if (ct.contains("log_driver")) c.log_driver = json_str(ct, "log_driver");
    if (ct.contains("cgroups")) c.cgroups = json_str(ct, "cgroups");
    if (ct.contains("log_size_max")) c.log_size_max = json_int(ct, "log_size_max", -1);
    if (ct.contains("init") && ct["init"].is_boolean()) c.init = ct["init"].get<bool>();
    if (ct.contains("seccomp_profile")) c.seccomp_profile = json_str(ct, "seccomp_profile");
    if (ct.contains("no_new_privileges") && ct["no_new_privileges"].is_boolean())
      c.no_new_privileges = ct["no_new_privileges"].get<bool>();
    if (ct.contains("base_hosts_file")) c.base_hosts_file = json_str(ct, "base_hosts_file");
    if (ct.contains("dns_servers")) c.dns_servers = strings_of(ct["dns_servers"]);
    if (ct.contains("dns_searches")) c.dns_searches = strings_of(ct["dns_searches"]);
    if (ct.contains("dns_options")) c.dns_options = strings_of(ct["dns_options"]);
  }
  const Json& nw = json_get(doc, "network");
  if (nw.is_object()) {
    if (nw.contains("default_rootless_network_cmd"))
      c.default_rootless_network_cmd = json_str(nw, "default_rootless_network_cmd");
    if (nw.contains("pasta_options")) c.pasta_options = strings_of(nw["pasta_options"]);
  }
  const Json& en = json_get(doc, "engine");
  if (en.is_object()) {
    if (en.contains("detach_keys")) c.detach_keys = json_str(en, "detach_keys");
    if (en.contains("cgroup_manager")) c.cgroup_manager = json_str(en, "cgroup_manager");
    if (en.contains("pull_policy")) c.pull_policy = json_str(en, "pull_policy");
  }
}

}  // namespace

Result<ContainersConf> load_containers_conf() {
  // One parse per process: `run` asks from several places, and the distribution's
  // /usr/share/containers/containers.conf is 24 KB of comments (~0.5 ms of toml++ each time).
  static std::optional<ContainersConf> cached;
  if (cached) return *cached;
  std::vector<std::string> files;
  if (const char* only = getenv("CONTAINERS_CONF"); only && *only) {
    files.push_back(only);
  } else {
    files = {"/usr/share/containers/containers.conf", "/etc/containers/containers.conf"};
    for (auto& f : dropins("/etc/containers/containers.conf.d")) files.push_back(f);
    if (geteuid() != 0) {
      files.push_back("/etc/containers/containers.rootless.conf");
      for (auto& f : dropins("/etc/containers/containers.rootless.d")) files.push_back(f);
      for (auto& f : dropins("/etc/containers/containers.rootless.d/" + std::to_string(geteuid()))) files.push_back(f);
    }
    const char* xdg = getenv("XDG_CONFIG_HOME");
    std::string cfg = xdg && *xdg ? std::string(xdg) : std::string(getenv("HOME") ? getenv("HOME") : "/") + "/.config";
    files.push_back(cfg + "/containers/containers.conf");
    for (auto& f : dropins(cfg + "/containers/containers.conf.d")) files.push_back(f);
  }
  if (const char* ov = getenv("CONTAINERS_CONF_OVERRIDE"); ov && *ov) files.push_back(ov);
  ContainersConf c;
  for (auto& f : files) {
    auto doc = read_toml_file(f);
    if (!doc) {
      if (doc.error().code == ENOENT) continue;
      return doc.error();
    }
    merge(c, *doc);
    c.files.push_back(f);
  }
  cached = c;
  return c;
}

}  // namespace skiff::engine
