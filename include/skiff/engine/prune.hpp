#pragma once
// Prunes: which stopped containers, unused volumes and networks go (Docker's rules and filters); the
// removal happens here, the CLI prompts and prints what went. (Image prune's filters are
// still the CLI's `images` filters: src/cli/cmd_images.cpp.)

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/network/netstore.hpp"

namespace skiff::engine {

/// What a prune removed.
struct Pruned {
  std::vector<std::string> removed;  ///< container IDs or volume names, in the order removed
  uint64_t reclaimed = 0;            ///< bytes freed (volumes: their _data; containers: 0, as Docker says)
};

/// Whether `container prune` takes `c` (`now` for until=): exited, or created and held by no
/// monitor; and every filter passes: label=KEY[=VALUE], until=TIME (created before it). Another
/// key, or an until= value that is no time, is kInvalid "invalid filter …".
Result<bool> container_prunable(const Container& c, const std::vector<std::string>& filters, int64_t now);

/// `container prune`: removes the containers container_prunable() takes (one that fails to go
/// is skipped), then sweeps what killed creates and removals left behind.
Result<Pruned> prune_containers(Engine& e, const std::vector<std::string>& filters);

/// Docker's volume filters, all of which must pass: name=SUBSTRING, label=KEY[=VALUE],
/// driver=NAME, dangling=BOOL (true: no container mounts it). Another key, or a dangling value
/// that is not a bool, is kInvalid "invalid filter …".
Result<bool> volume_matches(const Engine& e, const Volume& v, const std::vector<std::string>& filters);

/// `volume prune`: removes the volumes no container uses (anonymous ones only, unless `all`)
/// that pass volume_matches(); one that fails to go is skipped.
Result<Pruned> prune_volumes(Engine& e, bool all, const std::vector<std::string>& filters);

/// Docker's network filters (values of one key ORed, keys ANDed): name=SUBSTRING, id=PREFIX,
/// driver=NAME, scope=local, type=custom|builtin, label=KEY[=VALUE], dangling=BOOL (a custom
/// network no container is attached to), until=TIME (RFC 3339 or Unix seconds: custom networks
/// created before it). A bad type, dangling or until value, or another key, is kInvalid.
Result<bool> network_matches(const Engine& e, const network::Network& n, const std::vector<std::string>& filters);

/// `network prune`: removes the custom networks no container is attached to that pass
/// network_matches() (one that fails to go is skipped); reclaimed stays 0.
Result<Pruned> prune_networks(Engine& e, const std::vector<std::string>& filters);

}  // namespace skiff::engine
