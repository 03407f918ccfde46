#pragma once
// The run root's index of running containers, for shell completion: `<run root>/running/<id12>`,
// a symlink to `../c/<id12>`, made by a container's monitor when it writes monitor.json and
// removed when it writes `exit` (gone for good) and by the container's removal. Completion of
// running (or stopped) containers lists this one directory instead of testing every
// container's run directory (1,000 containers: 2,000 faccessat calls). It is only a hint: each
// entry is still checked (`exit` absent, monitor.json present), and a run root without the
// directory (made before it existed) is read the old way.

#include <string>

namespace skiff {

inline constexpr const char* kRunningIndexDir = "running";

/// `run_dir` is `<run root>/c/<id12>`. Errors are ignored (the index is a hint).
void running_index_mark(const std::string& run_dir);
void running_index_unmark(const std::string& run_dir);

}  // namespace skiff
