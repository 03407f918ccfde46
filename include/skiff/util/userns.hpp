#pragma once
// Transient user namespaces for storage work that needs subordinate ids (extracting layers
// with the owners the image says, deleting files owned by subuids, reading a container's
// upper directory for commit).

#include <functional>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/idmap.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// A running worker started by start_in_userns(). Destroying it without wait() kills it.
class UsernsWorker {
 public:
  UsernsWorker(ChildProcess child, UniqueFd result) : child_(std::move(child)), result_(std::move(result)) {}
  pid_t pid() const { return child_.pid(); }
  /// Waits for the worker and returns the Status its function returned (code and message),
  /// or an error if it died.
  Status wait();

 private:
  ChildProcess child_;
  UniqueFd result_;
};

/// For a child of the start_in_userns() protocol (or one built the same way): writes `e` to the
/// result pipe `fd` as "<code>\n<message>", which UsernsWorker::wait() decodes, and exits 1.
[[noreturn]] void report_and_exit(int fd, const Error& e);

/// Like run_in_userns(), but returns as soon as the child is mapped and running `fn`, so the
/// caller can feed it data meanwhile (layer extraction streams a tar into the worker).
/// Right after fork() the child closes every fd except 0-2, its own protocol pipes and
/// `keep_fds`: in a multi-threaded caller a sibling thread's worker would otherwise inherit
/// (and hold open) the write end of our data pipe, and we would never see EOF.
/// With `close_others` false nothing is closed (run_in_userns() behaves that way).
Result<UsernsWorker> start_in_userns(const IdMap& map, std::function<Status()> fn,
                                     std::vector<int> keep_fds, bool close_others = true);

/// Runs `fn` in a forked child. When `map.userns`, the child first unshares a new user and
/// mount namespace, is mapped with `map` by this process (newuidmap), and becomes root in it;
/// fds and memory are inherited. Rootful (`!map.userns`), `fn` runs in the child as is.
/// The child's Status comes back (code and message). The child is single-threaded: it may
/// unshare further. In a multi-threaded caller, `fn` must not need locks another thread holds.
Status run_in_userns(const IdMap& map, const std::function<Status()>& fn);

/// Same, but the work runs in this process when rootful (no fork): cheaper for small jobs.
Status run_as_store_owner(const IdMap& map, const std::function<Status()>& fn);

}  // namespace skiff
