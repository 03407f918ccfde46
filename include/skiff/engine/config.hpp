#pragma once
// containers.conf: the keys skiff supports (others are ignored, as Podman ignores keys it does
// not know from newer versions). Files and precedence as containers.conf(5) / Podman:
//   /usr/share/containers/containers.conf, /etc/containers/containers.conf,
//   /etc/containers/containers.conf.d/*.conf, rootless: /etc/containers/containers.rootless.conf,
//   /etc/containers/containers.rootless.d/*.conf, .../containers.rootless.d/$UID/*.conf, then
//   $XDG_CONFIG_HOME/containers/containers.conf and containers.conf.d/*.conf.
//   $CONTAINERS_CONF replaces that whole list with one file; $CONTAINERS_CONF_OVERRIDE is
//   read last. Later files override earlier ones key by key.

#include <optional>
#include <string>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff::engine {

struct ContainersConf {
  // [containers]
  std::vector<std::string> env;               ///< env: defaults under the image's Env
  std::vector<std::string> default_ulimits;   ///< default_ulimits: "nofile=1024:2048"
  std::vector<std::string> default_capabilities;  ///< default_capabilities (names); empty = built-in
  std::vector<std::string> default_sysctls;   ///< default_sysctls: "k=v"
  std::string log_driver;                     ///< log_driver
  int64_t log_size_max = -1;                  ///< log_size_max (bytes, -1 = unlimited)
  std::optional<bool> init;                   ///< init
  std::string seccomp_profile;                ///< seccomp_profile (a file)
  bool no_new_privileges = false;             ///< no_new_privileges (Podman's; default off)
  std::string base_hosts_file;                ///< base_hosts_file: a path, "image", "none" ("" = Docker's lines)
  std::vector<std::string> dns_servers, dns_searches, dns_options;  ///< dns_servers, dns_searches, dns_options
  // [network]
  std::string default_rootless_network_cmd;   ///< pasta | slirp4netns | builtin ("" = pasta if installed)
  std::vector<std::string> pasta_options;     ///< extra arguments for pasta
  std::string cgroups;                        ///< cgroups: enabled | disabled | no-conmon | split
  // [engine]
  std::string cgroup_manager;                 ///< cgroup_manager: cgroupfs | systemd
  std::string detach_keys;                    ///< detach_keys
  std::string pull_policy;                    ///< pull_policy
  std::vector<std::string> files;             ///< the files read, in order (for `info`)
};

/// Reads the files for this user. A malformed file is an error naming the file and line.
Result<ContainersConf> load_containers_conf();

}  // namespace skiff::engine
