#pragma once
// Transient user namespaces for storage work that needs subordinate ids (extracting layers
// with the owners the image says, deleting files owned by subuids, reading a container's
// upper directory for commit).

#include <functional>

#include "skiff/util/idmap.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// Runs `fn` in a forked child. When `map.userns`, the child first unshares a new user and
/// mount namespace, is mapped with `map` by this process (newuidmap), and becomes root in it;
/// fds and memory are inherited. Rootful (`!map.userns`), `fn` runs in the child as is.
/// The child's Status comes back (code and message). The child is single-threaded: it may
/// unshare further. In a multi-threaded caller, `fn` must not need locks another thread holds.
Status run_in_userns(const IdMap& map, const std::function<Status()>& fn);

/// Same, but the work runs in this process when rootful (no fork): cheaper for small jobs.
Status run_as_store_owner(const IdMap& map, const std::function<Status()>& fn);

}  // namespace skiff
