#pragma once
// Named and anonymous volumes: <graph root>/volumes/<name>/{_data/, meta.json}.
// Created atomically (built under a temporary name, then renamed into place); `_data` is
// owned by the user, which is root in a rootless container.

#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/util/json.hpp"

namespace skiff::engine {

struct Volume {
  std::string name;
  std::string driver = "local";
  std::string mountpoint;  ///< <graph>/volumes/<name>/_data
  int64_t created = 0;
  Json labels = Json::object();
  Json options = Json::object();
  bool anonymous = false;
};

/// Creates the volume (an empty `name` gets a random 64-hex name). An existing volume of that
/// name is returned as it is (Docker: create is idempotent).
Result<Volume> create_volume(Engine& e, const std::string& name, const Json& labels, const Json& options,
                             bool anonymous = false);
/// Finds a volume; kNotFound "no such volume: NAME".
Result<Volume> find_volume(const Engine& e, const std::string& name);
/// All volumes, sorted by name.
Result<std::vector<Volume>> list_volumes(const Engine& e);
/// IDs of the containers whose mounts use the volume.
std::vector<std::string> volume_users(const Engine& e, const std::string& name);
/// Removes a volume. In use by a container: kConflict "volume is in use - [ids]".
/// `force`: a missing volume is not an error.
Status remove_volume(Engine& e, const std::string& name, bool force);
/// Docker's `volume inspect` object.
Json volume_json(const Volume& v);
/// Validates a volume name ([a-zA-Z0-9][a-zA-Z0-9_.-]+).
Status validate_volume_name(const std::string& name);

}  // namespace skiff::engine
