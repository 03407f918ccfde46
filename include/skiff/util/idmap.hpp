#pragma once
// User-namespace id mappings: container root = the user, container ids 1..N = the user's
// /etc/subuid and /etc/subgid ranges. Applied with newuidmap/newgidmap (setuid helpers from
// the uidmap package), or written directly for a single-id mapping or when we are root.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff {

struct IdRange {
  uint32_t container_id = 0;
  uint32_t host_id = 0;
  uint32_t size = 0;
};

struct IdMap {
  bool userns = true;            ///< false when rootful: no user namespace, host ids as they are
  bool single = false;           ///< only container id 0 is mapped (no subordinate ranges)
  std::vector<IdRange> uids, gids;
  std::string source;            ///< "/etc/subuid, /etc/subgid", "single id (no ranges)", "none (rootful)"

  /// A stable text form of the mapping, stored in the store to detect /etc/subuid changes.
  std::string fingerprint() const;
  /// Host id for a container id, or -1 if unmapped.
  int64_t host_uid(uint32_t container_uid) const;
  int64_t host_gid(uint32_t container_gid) const;
  /// Highest container uid/gid mapped + 1.
  uint64_t uid_count() const;
  uint64_t gid_count() const;
};

/// Reads name:start:count lines for `user` (by name or numeric uid) from a subid file.
std::vector<IdRange> parse_subid_file(const std::string& text, const std::string& user, uid_t uid);

/// The mapping this process should use for containers and storage work. Rootful: no userns.
/// Rootless: 0 -> our uid plus the subordinate ranges; `single` (with the reason in `source`)
/// when there are none or newuidmap is missing.
Result<IdMap> idmap_for_current_user();

/// Writes the mapping for process `pid` (which has unshared CLONE_NEWUSER): newuidmap and
/// newgidmap for ranges; direct writes with setgroups "deny" for a single mapping.
Status apply_idmap(pid_t pid, const IdMap& map);

}  // namespace skiff
