#pragma once
// Where things live: the graph root (persistent store), the run root (volatile state), and
// the user's config directories. Rootless and rootful differ; --root/--runroot override.

#include <sys/types.h>

#include <string>

#include "skiff/util/result.hpp"

namespace skiff {

struct Paths {
  bool rootless = true;
  uid_t uid = 0;
  gid_t gid = 0;
  std::string user;         ///< login name of uid (from /etc/passwd), or the number
  std::string home;         ///< $HOME or the passwd entry
  std::string graph_root;   ///< $XDG_DATA_HOME/skiff | /var/lib/skiff | --root
  std::string run_root;     ///< $XDG_RUNTIME_DIR/skiff | /run/skiff | --runroot
  bool run_root_explicit = false;  ///< given with --runroot (else the store's record may override it)
  std::string config_home;  ///< $XDG_CONFIG_HOME | ~/.config
  std::string runtime_dir;  ///< $XDG_RUNTIME_DIR or its safe fallback (rootless), /run (rootful)
  std::string runtime_dir_source;  ///< how runtime_dir was chosen (for `info`)
};

/// Computes the paths for this process. Does not create the store directories, but does create
/// and verify the runtime-dir fallback (mode 0700, owned by us, not a symlink) when
/// XDG_RUNTIME_DIR is unset, as DESIGN.md says.
Result<Paths> resolve_paths(const std::string& root_override, const std::string& runroot_override);

/// Creates `path` (mode 0700) if missing and checks that it is a real directory owned by `uid`
/// with no group/other access. Used for the runtime-dir fallback.
Status ensure_private_dir(const std::string& path, uid_t uid);

/// The passwd entry's name and home directory for `uid`, parsed from /etc/passwd (no NSS:
/// keeps the binary free of dlopen'ed NSS modules).
bool lookup_user(uid_t uid, std::string& name, std::string& home);

}  // namespace skiff
