#pragma once
// Private to src/engine: the pure half of `create`. Flags, containers.conf and the image's
// config become a plan (Docker's entrypoint/cmd merge, environment, user, working directory,
// mounts, ports, hostname, labels, restart policy, logging) without touching the store or the
// kernel; create.cpp then materialises it (name, directories, volumes, record) with an undo
// guard. Reads only the files the flags name (--env-file, --label-file, seccomp profiles) and
// the caller's environment (a bare -e NAME).

#include <string>
#include <vector>

#include "mounts.hpp"
#include "skiff/engine/config.hpp"
#include "skiff/engine/container_config.hpp"
#include "skiff/engine/lifecycle.hpp"

namespace skiff::engine {

struct CreatePlan {
  /// Docker's Config as recorded, but for what service and network options add at create
  /// (Healthcheck, the PODMAN_SYSTEMD_UNIT label, MacAddress).
  ContainerConfig config;
  std::string path;               ///< Docker's Path: argv[0] of entrypoint + cmd
  std::vector<std::string> args;  ///< Docker's Args: the rest
  std::string restart = "no";     ///< no | always | unless-stopped | on-failure
  int restart_max = 0;            ///< on-failure:N
  std::string log_driver;         ///< json-file unless given
  Json log_opts = Json::object(); ///< --log-opt KEY=VALUE (checked)
  Json port_bindings;             ///< HostConfig.PortBindings
  /// -v, --mount, --tmpfs, then anonymous volumes for the image's VOLUMEs not covered.
  std::vector<MountSpec> mounts;
  Json tmpfs = Json::object();    ///< HostConfig.Tmpfs: destination → options
  Json sysctls = Json::object();  ///< HostConfig.Sysctls
  std::string seccomp_profile;    ///< the --security-opt seccomp=FILE profile's text
  bool systemd = false;           ///< --systemd: the command runs systemd (systemd_mode.hpp)
};

/// Plans container `id` (its first 12 characters are the default hostname) from the flags
/// (containers.conf defaults already merged into them), containers.conf (its env) and the
/// image's config (`{}` for --rootfs). Errors name the flag and the value.
Result<CreatePlan> plan_container(const std::string& id, const CreateOptions& o, const ContainersConf& cc,
                                  const Json& image_config);

/// Docker's restart policy flag: "no", "always", "unless-stopped", "on-failure[:N]".
Status parse_restart(const std::string& s, std::string& name, int& max);

}  // namespace skiff::engine
