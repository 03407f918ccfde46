// logs: reading k8s-file and json-file logs, with tail/since/until and follow.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

// Parses complete lines of `buf` (keeps an unterminated tail in `buf`), merging partial
// records into `pending` until their final piece.
void parse_chunk(const std::string& driver, std::string& buf, LogLine& pending, bool& has_pending,
                 const std::function<void(LogLine&&)>& emit) {
  size_t start = 0;
  for (;;) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos) break;
    std::string_view line(buf.data() + start, nl - start);
    start = nl + 1;
    LogLine rec;
    bool partial = false;
    if (driver == "json-file") {
      auto j = parse_json(line);
      if (!j || !j->is_object()) continue;
      rec.text = json_str(*j, "log");
      rec.is_stderr = json_str(*j, "stream") == "stderr";
      rec.time = parse_rfc3339(json_str(*j, "time")).value_or(0);
      partial = rec.text.empty() || rec.text.back() != '\n';
    } else {
      // "<timestamp> <stream> <F|P> <text>"
      size_t a = line.find(' ');
      size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
      size_t c = b == std::string_view::npos ? b : line.find(' ', b + 1);
      if (c == std::string_view::npos) continue;
      rec.time = parse_rfc3339(line.substr(0, a)).value_or(0);
      rec.is_stderr = line.substr(a + 1, b - a - 1) == "stderr";
      partial = line.substr(b + 1, c - b - 1) == "P";
      rec.text = std::string(line.substr(c + 1));
      if (!partial) rec.text += '\n';
    }
    if (has_pending && pending.is_stderr == rec.is_stderr) {
      pending.text += rec.text;
    } else {
      if (has_pending) emit(std::move(pending));
      pending = std::move(rec);
      has_pending = true;
    }
    if (!partial) {
      emit(std::move(pending));
      has_pending = false;
    }
  }
  buf.erase(0, start);
}

}  // namespace

Status read_logs(Engine& e, const Container& c, const LogOptions& o,
                 const std::function<void(const LogLine&)>& sink) {
  const Json& lc = json_get(c.rec.host_config, "LogConfig");
  std::string driver = json_str(lc, "Type", "json-file");
  if (driver == "none") return fail(kUnsupported, "configured logging driver does not support reading");
  std::string path = e.container_dir(c.rec.id) + "/ctr.log";
  auto keep = [&](const LogLine& l) {
    if (o.since && l.time < o.since) return false;
    if (o.until && l.time > o.until) return false;
    return true;
  };
  // Initial read: the rotated file, then the current one.
  std::deque<LogLine> tail;
  auto collect = [&](LogLine&& l) {
    if (!keep(l)) return;
    if (o.tail < 0) {
      sink(l);
      return;
    }
    tail.push_back(std::move(l));
    if (int64_t(tail.size()) > o.tail) tail.pop_front();
  };
  LogLine pending;
  bool has_pending = false;
  std::string buf;
  off_t offset = 0;
  ino_t ino = 0;
  if (auto old = read_file(path + ".1", 1ull << 34)) {
    buf = *old;
    parse_chunk(driver, buf, pending, has_pending, collect);
    buf.clear();
  }
  auto fd = open_path(path, O_RDONLY);
  if (fd) {
    struct stat st;
    if (fstat(fd->get(), &st) == 0) ino = st.st_ino;
    auto text = read_all(fd->get(), 1ull << 34);
    if (text) {
      offset = off_t(text->size());
      buf = std::move(*text);
      parse_chunk(driver, buf, pending, has_pending, collect);
    }
  }
  // A last line without its newline counts as a line for --tail, unless it may still grow
  // (following a live container).
  auto live = [&]() {
    auto state = read_state(e, c.rec);
    return state.status == RunState::Running || state.status == RunState::Restarting ||
           (state.status == RunState::Created && state.monitor_pid > 0);
  };
  if (has_pending && (!o.follow || !live())) {
    collect(std::move(pending));
    has_pending = false;
  }
  for (auto& l : tail) sink(l);
  tail.clear();
  if (!o.follow) return ok();
  // Follow: wake on writes to the log and on the exit file appearing; re-check at least every
  // second in case the monitor died without an exit file.
  int in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
  UniqueFd ifd(in);
  std::string rdir = e.run_dir(c.rec.id);
  if (in >= 0) {
    (void)inotify_add_watch(in, e.container_dir(c.rec.id).c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO);
    (void)inotify_add_watch(in, rdir.c_str(), IN_CREATE | IN_MOVED_TO);
  }
  auto emit = [&](LogLine&& l) {
    if (keep(l)) sink(l);
  };
  bool last_round = false;
  for (;;) {
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && (st.st_ino != ino || st.st_size < offset)) {
      // Rotated or truncated: start over on the new file.
      auto nfd = open_path(path, O_RDONLY);
      if (nfd) {
        fd = std::move(nfd);
        ino = st.st_ino;
        offset = 0;
      }
    }
    if (fd) {
      char chunk[65536];
      for (;;) {
        ssize_t n = pread(fd->get(), chunk, sizeof chunk, offset);
        if (n <= 0) break;
        offset += n;
        buf.append(chunk, size_t(n));
        parse_chunk(driver, buf, pending, has_pending, emit);
      }
    } else {
      auto nfd = open_path(path, O_RDONLY);
      if (nfd) fd = std::move(nfd);
    }
    if (last_round) break;
    if (!live()) {
      last_round = true;  // one more read for what was written before the exit
      continue;
    }
    struct pollfd p{in, POLLIN, 0};
    if (poll(&p, in >= 0 ? 1 : 0, 1000) > 0) {
      char ev[4096];
      while (read(in, ev, sizeof ev) > 0) {
      }
    }
  }
  if (has_pending && keep(pending)) sink(pending);
  return ok();
}

}  // namespace skiff::engine
