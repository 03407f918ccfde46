// The run root's index of running containers (running_index.hpp).
#include "skiff/util/running_index.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include "skiff/util/fs.hpp"

namespace skiff {

namespace {

// <run root>/c/<id12> → {<run root>/running, <id12>}; empty if it is not of that shape.
std::pair<std::string, std::string> index_entry(const std::string& run_dir) {
  auto [c_dir, id12] = split_dir_base(run_dir);
  auto [root, c] = split_dir_base(c_dir);
  if (c != "c" || id12.empty() || root.empty()) return {};
  return {root + "/" + kRunningIndexDir, id12};
}

}  // namespace

void running_index_mark(const std::string& run_dir) {
  auto [dir, id12] = index_entry(run_dir);
  if (dir.empty()) return;
  if (mkdir(dir.c_str(), 0700) < 0 && errno != EEXIST) return;
  std::string link = dir + "/" + id12;
  if (symlink(("../c/" + id12).c_str(), link.c_str()) < 0 && errno != EEXIST) return;
}

void running_index_unmark(const std::string& run_dir) {
  auto [dir, id12] = index_entry(run_dir);
  if (!dir.empty()) (void)unlink((dir + "/" + id12).c_str());
}

}  // namespace skiff
