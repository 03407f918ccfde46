#pragma once
// Podman's create/run options that Docker lacks (src/engine/podman_create.cpp): --requires,
// --userns, --annotation, --tz, --env-host, --http-proxy, … Hooks called from create_container
// and build_spec keep those files' changes small.

#include <optional>
#include <string>
#include <vector>

#include "skiff/engine/engine.hpp"
#include "skiff/util/json.hpp"

namespace skiff::engine {

struct PodmanCreate {
  std::vector<std::string> requires_;  ///< --requires (names or IDs; several comma-separated)
  std::string userns;                  ///< --userns (keep-id[:uid=U,gid=G], host, auto, nomap, ns:PATH)
  std::vector<std::string> annotations;  ///< --annotation KEY=VALUE
  std::string tz;                      ///< --tz (a zone name, "local")
  bool env_host = false;               ///< --env-host
  bool http_proxy = true;              ///< --http-proxy (copy the host's proxy variables)
  bool user_given = false;             ///< --user was given (keep-id then keeps it)
  std::string passwd_entry;            ///< --passwd-entry (keep-id's /etc/passwd line, $UID… replaced)
  bool keep_groups = false;            ///< --group-add keep-groups (rootless: the user's groups stay)
  /// --entrypoint in its JSON-array form ('["sh","-c"]'): the words, not one program name.
  std::optional<std::vector<std::string>> entrypoint_json;
  std::string systemd;                 ///< --systemd (true, false, always; systemd_mode.hpp)
};

/// Environment additions (after the image's, before -e): --env-host and --http-proxy.
Status podman_env(const PodmanCreate& p, std::vector<std::string>& env);
/// Validates the options and records them in the container's record (extra, HostConfig).
Status podman_record(const Engine& e, const PodmanCreate& p, ContainerRecord& r);
/// After the container directory exists (create_container): --userns=keep-id's root
/// filesystem, a copy of the image's merged layers with owners shifted to the keep-id mapping
/// (containers/<id>/keepid, the only image lower), with the user's /etc/passwd entry.
Status podman_prepare_rootfs(const Engine& e, ContainerRecord& r);
/// The id mapping the container runs with: the store's, or keep-id's (the user's uid and gid
/// inside = theirs outside; container ids below them shift up by one subordinate id).
IdMap container_idmap(const Engine& e, const ContainerRecord& r);
/// keep-id's mapping for inner uid `uid` and gid `gid` over the store mapping `m`.
Result<IdMap> keep_id_map(const IdMap& m, uint32_t uid, uint32_t gid);

/// The containers that --requires `id`, by ID (rm refuses to remove it while they exist).
std::vector<std::string> dependents_of(const Engine& e, const std::string& id);

}  // namespace skiff::engine
