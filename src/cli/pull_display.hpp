#pragma once
// Docker's pull progress: one line per layer with a bar on a terminal, plain status lines
// otherwise.

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "skiff/image/pull.hpp"

namespace skiff::cli {

class PullDisplay {
 public:
  /// `fd` is where progress goes (stdout for pull, stderr for run/create); `quiet` prints
  /// nothing.
  PullDisplay(int fd, bool quiet);
  void on_event(const image::PullEvent& ev);

 private:
  struct Line {
    std::string id, status;
    uint64_t current = 0, total = 0;
  };
  void redraw();
  void print(const std::string& s);
  std::string render(const Line& l) const;

  int fd_;
  bool quiet_, tty_;
  std::vector<Line> lines_;
  std::map<std::string, size_t> index_;
  size_t drawn_ = 0;
};

}  // namespace skiff::cli
