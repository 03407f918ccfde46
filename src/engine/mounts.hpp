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
  bool create_source = false;  ///< -v bind: a missing host directory is created (at create and
                               ///< start, as Docker's -v; --mount refuses a missing source)
};

/// Parses -v, --mount and --tmpfs values. Bind sources are made absolute; --mount's must exist,
/// -v's may be missing (create_source, created by create_bind_sources()).
Result<std::vector<MountSpec>> parse_mount_flags(const std::vector<std::string>& volumes,
                                                 const std::vector<std::string>& mounts,
                                                 const std::vector<std::string>& tmpfs);
/// Creates the missing host directories of -v binds (mode 0755, as Docker) and resolves them.
Status create_bind_sources(std::vector<MountSpec>& mounts);
Json mounts_to_json(const std::vector<MountSpec>& m);
std::vector<MountSpec> mounts_from_json(const Json& j);

/// Validates --cap-add/--cap-drop, --security-opt, --ulimit, --group-add values at create.
Status validate_security(const CreateOptions& o);

/// Builds the runtime spec for a container record (at start).
Result<oci::Spec> build_spec(Engine& e, const ContainerRecord& r);

}  // namespace skiff::engine
