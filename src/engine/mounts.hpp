#pragma once
// Private to src/engine: -v / --mount / --tmpfs parsing (Docker's syntax) and volumes.

#include <string>
#include <vector>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/oci/runtime_spec.hpp"

namespace skiff::engine {

/// One user mount as Docker's inspect shows it ("Mounts" entries).
struct MountSpec {
  std::string type;         ///< "bind", "volume", "tmpfs"
  std::string name;         ///< volume name (anonymous: 64 hex)
  std::string source;       ///< host path (bind), or filled in for volumes at start
  std::string destination;  ///< absolute path in the container
  std::vector<std::string> options;  ///< ro, nosuid, size=…, propagation
  bool rw = true;
  bool anonymous = false;   ///< anonymous volume (removed with rm -v / --rm)
  bool nocopy = false;      ///< volume-nocopy: do not copy image content into a new volume
};

/// Parses -v, --mount and --tmpfs values; bind sources must exist (resolved to absolute).
Result<std::vector<MountSpec>> parse_mount_flags(const std::vector<std::string>& volumes,
                                                 const std::vector<std::string>& mounts,
                                                 const std::vector<std::string>& tmpfs);
Json mounts_to_json(const std::vector<MountSpec>& m);
std::vector<MountSpec> mounts_from_json(const Json& j);

/// Validates --cap-add/--cap-drop, --security-opt, --ulimit, --group-add values at create.
Status validate_security(const CreateOptions& o);

/// Builds the runtime spec for a container record (at start).
Result<oci::Spec> build_spec(Engine& e, const ContainerRecord& r);

}  // namespace skiff::engine
