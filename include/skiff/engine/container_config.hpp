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

}  // namespace skiff::engine
