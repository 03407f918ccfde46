#pragma once
// Podman's create/run options that Docker lacks (src/engine/podman_create.cpp): --requires,
// --userns, --annotation, --tz, --env-host, --http-proxy, … Hooks called from create_container
// and build_spec keep those files' changes small.

#include <functional>
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
  std::vector<std::string> uidmap, gidmap;  ///< --uidmap/--gidmap CONTAINER:FROM:AMOUNT (podman_idmap.cpp)
  std::string subuidname, subgidname;       ///< --subuidname/--subgidname (a name in /etc/subuid, /etc/subgid)
  /// --attach/-a (Docker's and Podman's): the streams attached, lowercase; empty: all.
  std::vector<std::string> attach;
  int64_t timeout = 0;                 ///< --timeout SECS (recorded as Config.Timeout; the monitor kills)
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

/// Maps a file's owner (a container id) to the id it is stored with.
using OwnerMap = std::function<void(uid_t&, gid_t&)>;
/// The container's own copy of its image (containers/<id>/<sub>, then its only image lower),
/// with owners mapped by `map`, as are those of its init layer and upper directory; `extra`
/// then runs on the copy's root (a directory fd). Rootless in the store's user namespace (the
/// map gives intermediate ids), rootful as root in a private mount namespace (host ids).
Status copy_image_mapped(const Engine& e, ContainerRecord& r, const std::string& sub, const OwnerMap& map,
                         const std::function<Status(int)>& extra = {});

/// --uidmap/--gidmap/--subuidname/--subgidname (src/engine/podman_idmap.cpp): validated and
/// recorded as HostConfig.IDMappings {UidMap, GidMap} ("CONTAINER:FROM:AMOUNT", Podman's
/// inspect form; FROM is a host id rootful, an intermediate id rootless) and UsernsMode "private".
Status idmap_record(const Engine& e, const PodmanCreate& p, ContainerRecord& r);
/// The container→host mapping of a container with recorded IDMappings (rootless: composed
/// with the store's), or nothing.
std::optional<IdMap> recorded_idmap(const Engine& e, const ContainerRecord& r);
/// At create: the image copied with owners mapped (copy_image_mapped), new named volumes
/// given to the container's root.
Status idmap_prepare_rootfs(const Engine& e, ContainerRecord& r);

/// The containers that --requires `id`, by ID (rm refuses to remove it while they exist).
std::vector<std::string> dependents_of(const Engine& e, const std::string& id);

}  // namespace skiff::engine
