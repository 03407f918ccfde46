#pragma once
// The typed parts of a container record (config.json): Docker's Config object as a struct.
// Its JSON (Docker's field names and key order, as inspect prints it) is made only by
// to_json() here, in src/engine/record_json.cpp; everything else reads named fields.
//
// On disk the object keeps the shape earlier versions wrote: the same keys, in create's order,
// optional keys only when set; keys this version does not know are kept (`unknown`) and
// written back after the known ones.

#include <optional>
#include <string>
#include <vector>

#include "skiff/util/json.hpp"

namespace skiff::engine {

/// Docker's container Config ("Config" in config.json and in inspect).
struct ContainerConfig {
  std::string hostname;
  std::string domainname;
  std::string user;  ///< USER[:GROUP] as given (or the image's)
  bool attach_stdin = false;
  bool attach_stdout = true;
  bool attach_stderr = true;
  Json exposed_ports;  ///< {"80/tcp": {}, …}; null: none (key omitted)
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
  std::vector<std::string> env;         ///< NAME=value, merged (image < env files < -e)
  std::vector<std::string> cmd;         ///< empty: null
  std::string image;                    ///< as the user gave it (or the --rootfs path)
  Json volumes;                         ///< the image's VOLUME object, or null
  std::string working_dir;
  std::vector<std::string> entrypoint;  ///< empty: null
  Json labels = Json::object();         ///< string → string, in insertion order
  std::string stop_signal;              ///< e.g. "SIGTERM"
  std::optional<int> stop_timeout;      ///< --stop-timeout (key omitted when unset)
  std::vector<std::string> create_command;  ///< Podman's CreateCommand (omitted when empty)
  Json healthcheck;                     ///< Docker's HealthConfig object; null: none (omitted)
  std::string mac_address;              ///< --mac-address (omitted when empty)
  int64_t timeout = 0;                  ///< run --timeout seconds, Podman's Config.Timeout (0: none, omitted)
  Json unknown = Json::object();        ///< keys this version does not know, kept as read

  /// StopTimeout with Docker's default (10 s).
  int stop_timeout_or_default() const { return stop_timeout.value_or(10); }
  /// The label's value, "" when unset.
  std::string label(const std::string& key) const;
};

/// Docker's JSON for a Config (the record's shape, inspect's "Config").
Json to_json(const ContainerConfig& c);
/// Reads a Config object (anything not an object reads as an empty Config).
ContainerConfig container_config_from_json(const Json& j);


/// skiff's own settings of a container ("Skiff" in config.json; never printed as such).
struct ContainerExtra {
  Json network;                          ///< rootless stack: {"stack": …, "options": …}; null: none
  bool no_hosts = false;                 ///< --no-hosts
  Json links;                            ///< --link: [{"id", "name", "alias"}]; null: none
  Json networks;                         ///< user networks: name → attachment; null: none
  std::optional<bool> health_timer;      ///< false: --health-interval=disable
  std::string sd_notify;                 ///< --sdnotify
  std::string pid_file, conmon_pid_file; ///< --pidfile, --conmon-pidfile (absolute)
  std::string health_on_failure;         ///< --health-on-failure ("" = none)
  Json mounts = Json::array();           ///< the user's mounts (mounts_to_json)
  std::string hostname;                  ///< Config.Hostname at create
  std::string cgroups;                   ///< --cgroups when not "enabled"
  std::string seccomp_profile;           ///< the profile's text (--security-opt seccomp=FILE)
  std::vector<std::string> cap_base;     ///< containers.conf default_capabilities
  bool no_new_privileges = false;        ///< containers.conf no_new_privileges
  std::vector<std::string> layer_dirs;   ///< overlay lower directories, topmost first
  std::string top_layer;                 ///< chain ID of the image's top layer
  std::vector<std::string> requires_;    ///< --requires: container IDs
  std::string timezone;                  ///< --tz
  bool keep_groups = false;              ///< --group-add keep-groups
  Json userns;                           ///< --userns=keep-id: {"mode", "uid", "gid", …}; null: none
  std::string pod_id;                    ///< --pod: the pod's ID ("" = none; pod.hpp's pod_of)
  bool pod_infra = false;                ///< the pod's infra container
  bool systemd = false;                  ///< --systemd: runs systemd (systemd_mode.hpp)
  std::string overlay_cwd;               ///< records of early versions: the overlay's base directory
  Json unknown = Json::object();         ///< keys this version does not know, kept as read

  bool health_timer_on() const { return health_timer.value_or(true); }
  std::string cgroups_mode() const { return cgroups.empty() ? "enabled" : cgroups; }
};

Json to_json(const ContainerExtra& x);
/// The record's pod link ({"id": …, "infra": true}), null without a pod (summary.json has it).
Json pod_link_json(const ContainerExtra& x);
ContainerExtra container_extra_from_json(const Json& j);

}  // namespace skiff::engine
