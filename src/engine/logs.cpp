// logs: reading k8s-file and json-file logs, with tail/since/until and follow, streaming: a
// line is passed on record by record (the monitor stores a long line as many partial
// records), never held whole, and files are read in chunks.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <optional>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

constexpr size_t kReadChunk = 64 * 1024;

// One physical record of the log file.
struct Record {
  int64_t time = 0;
  bool is_stderr = false;
  bool partial = false;
  std::string text;
};

// JSON string escapes of `s` (the text between the quotes) into `out`; false on anything
// unexpected (the caller then uses the full parser).
bool json_unescape(std::string_view s, std::string& out) {
  out.clear();
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') return false;
    if (c != '\\') {
      out += c;
      continue;
    }
    if (++i >= s.size()) return false;
    switch (s[i]) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '"': out += '"'; break;
      case '\\': out += '\\'; break;
      case '/': out += '/'; break;
      case 'u': {
        if (i + 4 >= s.size()) return false;
        unsigned v = 0;
        for (int k = 1; k <= 4; ++k) {
          char h = s[i + k];
          v <<= 4;
          if (h >= '0' && h <= '9') v |= unsigned(h - '0');
          else if (h >= 'a' && h <= 'f') v |= unsigned(h - 'a' + 10);
          else if (h >= 'A' && h <= 'F') v |= unsigned(h - 'A' + 10);
          else return false;
        }
        if (v >= 0x80 || v == 0) return false;  // only the ASCII control escapes the monitor writes
        out += char(v);
        i += 4;
        break;
      }
      default: return false;
    }
  }
  return true;
}

// The monitor's json-file records: {"log":"…","stream":"stdout|stderr","time":"…"}. Read
// without a JSON parser (a 300 MB line is ~40,000 of them); anything else takes the parser.
constexpr std::string_view kJsonHead = "{\"log\":\"";
constexpr std::string_view kJsonStream = "\",\"stream\":\"";

bool fast_json_record(std::string_view line, Record& rec, bool want_text) {
  if (!line.starts_with(kJsonHead) || !line.ends_with("\"}")) return false;
  size_t ts = line.rfind(",\"time\":\"");
  if (ts == std::string_view::npos) return false;
  size_t st = line.rfind(kJsonStream, ts);
  if (st == std::string_view::npos || st < kJsonHead.size()) return false;
  std::string_view stream = line.substr(st + kJsonStream.size(), ts - st - kJsonStream.size());
  if (stream != "stdout\"" && stream != "stderr\"") return false;
  std::string_view value = line.substr(kJsonHead.size(), st - kJsonHead.size());
  std::string_view time = line.substr(ts + 9, line.size() - ts - 9 - 2);
  if (time.find('"') != std::string_view::npos) return false;
  // Complete when the value ends with the escape "\n" (an odd run of backslashes before n).
  bool nl = false;
  if (value.size() >= 2 && value.back() == 'n') {
    size_t k = value.size() - 1, bs = 0;
    while (k > 0 && value[k - 1] == '\\') --k, ++bs;
    nl = bs % 2 == 1;
  }
  if (want_text && !json_unescape(value, rec.text)) return false;
  rec.is_stderr = stream == "stderr\"";
  rec.time = parse_rfc3339(time).value_or(0);
  rec.partial = !nl;
  return true;
}

// Parses one line of the file (without its '\n'); false if it is not a record. Without
// `want_text` (counting lines), rec.text may be left empty.
bool parse_record(const std::string& driver, std::string_view line, Record& rec, bool want_text = true) {
  if (driver == "json-file") {
    if (fast_json_record(line, rec, want_text)) return true;
    auto j = parse_json(line);
    if (!j || !j->is_object()) return false;
    rec.text = json_str(*j, "log");
    rec.is_stderr = json_str(*j, "stream") == "stderr";
    rec.time = parse_rfc3339(json_str(*j, "time")).value_or(0);
    rec.partial = rec.text.empty() || rec.text.back() != '\n';
    return true;
  }
  // "<timestamp> <stream> <F|P> <text>"
  size_t a = line.find(' ');
  size_t b = a == std::string_view::npos ? a : line.find(' ', a + 1);
  size_t c = b == std::string_view::npos ? b : line.find(' ', b + 1);
  if (c == std::string_view::npos) return false;
  rec.time = parse_rfc3339(line.substr(0, a)).value_or(0);
  rec.is_stderr = line.substr(a + 1, b - a - 1) == "stderr";
  rec.partial = line.substr(b + 1, c - b - 1) == "P";
  rec.text.assign(line.substr(c + 1));
  if (!rec.partial) rec.text += '\n';
  return true;
}

// Turns the bytes of the log files into lines: records of the same stream are joined until
// one ends the line; a record of the other stream ends an unfinished line. Each line is
// judged by --since/--until on its first record, numbered among the lines kept, and passed on
// piece by piece when its number is at least `skip` (counting only: nothing is passed on).
class LineStream {
 public:
  LineStream(const std::string& driver, const LogOptions& o, const std::function<void(const LogLine&)>* sink,
             uint64_t skip)
      : driver_(driver), o_(o), sink_(sink), skip_(skip) {}

  void feed(const char* p, size_t n) {
    carry_.append(p, n);
    size_t start = 0;
    for (;;) {
      size_t nl = carry_.find('\n', start);
      if (nl == std::string::npos) break;
      record(std::string_view(carry_.data() + start, nl - start));
      start = nl + 1;
    }
    carry_.erase(0, start);
  }

  /// Lines kept so far (the current unfinished one included).
  uint64_t kept() const { return kept_; }
  /// A line is under way (its last record not seen yet) and is kept.
  bool open_and_kept() const { return open_ && open_keep_; }

 private:
  void record(std::string_view line) {
    if (!parse_record(driver_, line, rec_, sink_ != nullptr)) return;
    if (open_ && open_err_ != rec_.is_stderr) end_line();
    if (!open_) {
      open_ = true;
      open_err_ = rec_.is_stderr;
      open_time_ = rec_.time;
      open_keep_ = keep(rec_.time);
      open_emit_ = open_keep_ && kept_ >= skip_;
      if (open_keep_) ++kept_;
      first_ = true;
    }
    if (open_emit_ && sink_) {
      out_.time = open_time_;
      out_.is_stderr = open_err_;
      out_.first = first_;
      out_.last = !rec_.partial;
      out_.text = std::move(rec_.text);
      (*sink_)(out_);
    }
    first_ = false;
    if (!rec_.partial) open_ = false;
  }

  // A line cut short by the other stream: it ends without its newline.
  void end_line() {
    if (open_emit_ && sink_) {
      out_.time = open_time_;
      out_.is_stderr = open_err_;
      out_.first = first_;
      out_.last = true;
      out_.text.clear();
      (*sink_)(out_);
    }
    open_ = false;
  }

  bool keep(int64_t t) const {
    if (o_.since && t < o_.since) return false;
    if (o_.until && t > o_.until) return false;
    return true;
  }

  const std::string& driver_;
  const LogOptions& o_;
  const std::function<void(const LogLine&)>* sink_;
  uint64_t skip_;
  std::string carry_;  // an unfinished record: at most one monitor chunk
  Record rec_;
  LogLine out_;
  uint64_t kept_ = 0;
  bool open_ = false, open_err_ = false, open_keep_ = false, open_emit_ = false, first_ = false;
  int64_t open_time_ = 0;
};

// Feeds [from, to) of `fd` to `s` in chunks; returns where it stopped (the end of file if
// `to` is unset).
off_t pump(int fd, off_t from, std::optional<off_t> to, LineStream& s) {
  std::string buf(kReadChunk, '\0');
  off_t off = from;
  while (!to || off < *to) {
    size_t want = to ? size_t(std::min<off_t>(*to - off, off_t(buf.size()))) : buf.size();
    ssize_t n = pread(fd, buf.data(), want, off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    s.feed(buf.data(), size_t(n));
    off += n;
  }
  return off;
}

}  // namespace

Status read_logs(Engine& e, const Container& c, const LogOptions& o,
                 const std::function<void(const LogLine&)>& sink) {
  const Json& lc = json_get(c.rec.host_config, "LogConfig");
  std::string driver = json_str(lc, "Type", "json-file");
  if (driver == "none") return fail(kUnsupported, "configured logging driver does not support reading");
  if (driver == "journald") return read_journal_logs(e, c, o, sink);
  if (driver == "passthrough")
    return fail(kUnsupported, "the container's log driver is passthrough: its output went straight to the caller's "
                              "stdout and stderr (a systemd unit's journal), skiff kept none");
  std::string path = e.container_dir(c.rec.id) + "/ctr.log";
  auto live = [&]() {
    auto state = read_state(e, c.rec);
    return state.status == RunState::Running || state.status == RunState::Restarting ||
           (state.status == RunState::Created && state.monitor_pid > 0);
  };
  // The files as they are now: the rotated one, then the current one up to its present end
  // (both passes read the same bytes; what comes later is the follow's).
  auto old = open_path(path + ".1", O_RDONLY);
  auto fd = open_path(path, O_RDONLY);
  off_t old_end = 0, end = 0;
  ino_t ino = 0;
  struct stat st;
  if (old && fstat(old->get(), &st) == 0) old_end = st.st_size;
  if (fd && fstat(fd->get(), &st) == 0) end = st.st_size, ino = st.st_ino;

  uint64_t skip = 0;
  if (o.tail >= 0) {
    // First pass: count the lines. An unfinished last line counts, unless it may still grow
    // (following a live container): then it is printed after the last --tail lines.
    LineStream count(driver, o, nullptr, 0);
    if (old) pump(old->get(), 0, old_end, count);
    if (fd) pump(fd->get(), 0, end, count);
    uint64_t lines = count.kept();
    if (count.open_and_kept() && o.follow && live()) --lines;
    skip = lines > uint64_t(o.tail) ? lines - uint64_t(o.tail) : 0;
  }
  LineStream lines(driver, o, &sink, skip);
  if (old) pump(old->get(), 0, old_end, lines);
  off_t offset = 0;
  if (fd) offset = pump(fd->get(), 0, end, lines);
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
  bool last_round = false;
  for (;;) {
    if (stat(path.c_str(), &st) == 0 && (st.st_ino != ino || st.st_size < offset)) {
      // Rotated or truncated: finish the old file, then start over on the new one.
      if (fd) offset = pump(fd->get(), offset, std::nullopt, lines);
      auto nfd = open_path(path, O_RDONLY);
      if (nfd) {
        fd = std::move(nfd);
        ino = st.st_ino;
        offset = 0;
      }
    }
    if (fd) {
      offset = pump(fd->get(), offset, std::nullopt, lines);
    } else {
      auto nfd = open_path(path, O_RDONLY);
      if (nfd) {
        fd = std::move(nfd);
        if (fstat(fd->get(), &st) == 0) ino = st.st_ino;
      }
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
  return ok();
}

}  // namespace skiff::engine
