#include "pull_display.hpp"

#include <unistd.h>

#include "skiff/util/fd.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

PullDisplay::PullDisplay(int fd, bool quiet) : fd_(fd), quiet_(quiet), tty_(isatty(fd) == 1) {}

void PullDisplay::print(const std::string& s) { (void)write_all(fd_, s); }

std::string PullDisplay::render(const Line& l) const {
  std::string s = l.id + ": " + l.status;
  if ((l.status == "Downloading" || l.status == "Pushing") && l.total > 0) {
    // Docker's bar: 50 columns, '=' then '>' then spaces, then current/total.
    size_t width = 50;
    size_t done = size_t(double(l.current) / double(l.total) * double(width));
    if (done > width) done = width;
    std::string bar(done, '=');
    if (done < width) bar += '>';
    bar.resize(width, ' ');
    s += fmt::format(" [{}]  {}/{}", bar, human_size(double(l.current)), human_size(double(l.total)));
  }
  return s;
}

void PullDisplay::redraw() {
  std::string out;
  if (drawn_ > 0) out += fmt::format("\x1b[{}A", drawn_);
  for (auto& l : lines_) out += "\x1b[2K" + render(l) + "\n";
  drawn_ = lines_.size();
  print(out);
}

void PullDisplay::on_event(const image::PullEvent& ev) {
  if (quiet_) return;
  if (ev.kind == image::PullEvent::Message) {
    if (tty_ && drawn_ > 0) {
      // Messages go above nothing: they come before any layer line.
      print(ev.text + "\n");
      return;
    }
    print(ev.text + "\n");
    return;
  }
  std::string status;
  switch (ev.kind) {
    case image::PullEvent::LayerWaiting: status = "Pulling fs layer"; break;
    case image::PullEvent::LayerExists: status = "Already exists"; break;
    case image::PullEvent::LayerDownloading: status = "Downloading"; break;
    case image::PullEvent::LayerExtracting: status = "Extracting"; break;
    case image::PullEvent::LayerDone: status = "Pull complete"; break;
    case image::PullEvent::LayerStatus: status = ev.text; break;
    default: break;
  }
  auto it = index_.find(ev.id);
  if (it == index_.end()) {
    index_[ev.id] = lines_.size();
    lines_.push_back({ev.id, status, ev.current, ev.total});
  } else {
    Line& l = lines_[it->second];
    // Plain output: one line per state change, not per progress tick.
    bool changed = l.status != status;
    l.status = status;
    l.current = ev.current;
    l.total = ev.total;
    if (!tty_ && (!changed || status == "Downloading" || status == "Pushing")) return;
  }
  if (tty_) redraw();
  else if (status != "Downloading" && status != "Pushing") print(ev.id + ": " + status + "\n");
}

}  // namespace skiff::cli
