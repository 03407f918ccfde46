// events: the event log (util/events.hpp) with Docker's output, filters and --since/--until,
// followed with inotify.
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <set>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/util/events.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

struct Filters {
  std::map<std::string, std::vector<std::string>> by_key;
};

Result<Filters> parse_filters(const std::vector<std::string>& raw) {
  static const std::set<std::string> kKeys = {"container", "event", "image", "label", "type", "scope", "volume", "network"};
  Filters f;
  for (auto& r : raw) {
    auto [k, v] = split_once(r, '=');
    if (!v) return fail(kInvalid, fmt::format("bad format of filter (expected name=value): {}", r));
    if (!kKeys.count(k)) return fail(kInvalid, fmt::format("invalid filter '{}'", k));
    f.by_key[k].push_back(*v);
  }
  return f;
}

bool match(const Filters& f, const Json& ev) {
  const Json& actor = json_get(ev, "Actor");
  const Json& attrs = json_get(actor, "Attributes");
  std::string type = json_str(ev, "Type"), action = json_str(ev, "Action"), id = json_str(actor, "ID");
  for (auto& [k, vals] : f.by_key) {
    bool any = false;
    for (auto& v : vals) {
      if (k == "type") any = type == v;
      else if (k == "event") any = action == v || (action.starts_with(v + ":"));
      else if (k == "scope") any = v == "local";
      else if (k == "container") any = type == "container" && (id == v || (v.size() >= 1 && id.starts_with(v)) || json_str(attrs, "name") == v);
      else if (k == "image") {
        std::string img = type == "image" ? id : json_str(attrs, "image");
        any = img == v || json_str(attrs, "image") == v || (v.find(':') == std::string::npos && img == v + ":latest") ||
              (type == "image" && json_str(attrs, "name") == v);
      } else if (k == "label") {
        auto [lk, lv] = split_once(v, '=');
        any = attrs.is_object() && attrs.contains(lk) && (!lv || json_str(attrs, lk) == *lv);
      } else if (k == "volume") any = type == "volume" && (id == v || json_str(attrs, "name") == v);
      else if (k == "network") any = type == "network" && (id == v || json_str(attrs, "name") == v);
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

// Docker's default line: "2026-12-07T21:40:00.123456789Z container start ID (image=…, name=…)".
std::string default_line(const Json& ev) {
  int64_t ns = json_int(ev, "timeNano");
  std::string t = format_rfc3339(ns);
  t = t.substr(0, t.size() - 1) + fmt::format(".{:09d}Z", ((ns % 1000000000) + 1000000000) % 1000000000);
  const Json& actor = json_get(ev, "Actor");
  std::string line = fmt::format("{} {} {} {}", t, json_str(ev, "Type"), json_str(ev, "Action"), json_str(actor, "ID"));
  const Json& attrs = json_get(actor, "Attributes");
  if (attrs.is_object() && !attrs.empty()) {
    std::vector<std::string> kv;
    for (auto& [k, v] : attrs.items()) kv.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : v.dump()));
    std::sort(kv.begin(), kv.end());
    line += " (" + join(kv, ", ") + ")";
  }
  return line;
}

// The Go struct's field names (events.Message) for templates.
Json template_object(const Json& ev) {
  Json o = Json::object();
  o["Status"] = json_str(ev, "status");
  o["ID"] = json_str(ev, "id");
  o["From"] = json_str(ev, "from");
  o["Type"] = json_str(ev, "Type");
  o["Action"] = json_str(ev, "Action");
  o["Actor"] = json_get(ev, "Actor");
  o["Scope"] = json_str(ev, "scope", "local");
  o["Time"] = json_int(ev, "time");
  o["TimeNano"] = json_int(ev, "timeNano");
  return o;
}

struct Printer {
  std::string format;
  Filters filters;
  int64_t since = 0, until = 0;  // ns; 0 = unbounded
  bool past_until = false;

  Status line(std::string_view text) {
    auto ev = parse_json(text);
    if (!ev || !ev->is_object()) return ok();  // a torn or foreign line: skipped
    int64_t t = json_int(*ev, "timeNano");
    if (since && t < since) return ok();
    if (until && t > until) {
      past_until = true;
      return ok();
    }
    if (!match(filters, *ev)) return ok();
    if (format.empty()) {
      outf("{}\n", default_line(*ev));
    } else if (format == "json" || format == "{{json .}}") {
      outf("{}\n", ev->dump());
    } else {
      out(TRY(format_object(format, template_object(*ev))));
    }
    return ok();
  }
};

// Reads whole lines from fd starting at `off`; a partial last line waits for its end.
Status drain(int fd, uint64_t& off, Printer& p) {
  std::string buf;
  char chunk[65536];
  for (;;) {
    ssize_t n = pread(fd, chunk, sizeof chunk, off_t(off + buf.size()));
    if (n < 0) {
      if (errno == EINTR) continue;
      return fail_errno("read the event log");
    }
    if (n == 0) break;
    buf.append(chunk, size_t(n));
  }
  size_t start = 0;
  for (;;) {
    size_t nl = buf.find('\n', start);
    if (nl == std::string::npos) break;
    TRY(p.line(std::string_view(buf).substr(start, nl - start)));
    start = nl + 1;
  }
  off += start;
  flush_out();
  return ok();
}

}  // namespace

void log_event(engine::Engine& e, const std::string& type, const std::string& action, const std::string& id,
               const std::vector<std::pair<std::string, std::string>>& attrs) {
  events::emit(e.run(), type, action, id, attrs);
}

Result<int> cmd_events(Context& ctx, const ParsedArgs& a) {
  const Paths* paths = TRY(ctx.paths());
  Printer p;
  p.format = a.str("format");
  p.filters = TRY(parse_filters(a.list("filter")));
  int64_t now = now_ns();
  if (a.has("since")) {
    auto t = parse_time_filter(a.str("since"), now);
    if (!t) return fail(kInvalid, fmt::format("failed to parse value as time or duration: \"{}\"", a.str("since")));
    p.since = *t;
  }
  if (a.has("until")) {
    auto t = parse_time_filter(a.str("until"), now);
    if (!t) return fail(kInvalid, fmt::format("failed to parse value as time or duration: \"{}\"", a.str("until")));
    p.until = *t;
  }
  // A template that does not parse is refused before anything is read.
  if (!p.format.empty() && p.format != "json")
    if (auto t = format_object(p.format, template_object(Json::object())); !t && t.error().code != kTemplateFailed)
      return t.error();
  bool stream = a.flag("stream", true);
  std::string dir = events::dir(paths->run_root);
  std::string log = dir + "/events.log";
  // History: only with --since (Docker prints nothing of the past otherwise).
  bool history = a.has("since") || !stream;
  // Watch before reading, so nothing written in between is missed.
  UniqueFd in;
  if (stream && !(p.until && p.until <= now)) {
    (void)mkdir_p(dir, 0700);
    in.reset(inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
    if (!in || inotify_add_watch(in.get(), dir.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO) < 0)
      return fail_errno(fmt::format("watch `{}`", dir));
  }
  UniqueFd cur;
  uint64_t off = 0;
  ino_t ino = 0;
  auto open_log = [&]() {
    auto fd = open_path(log, O_RDONLY);
    if (!fd) return false;
    struct stat st;
    if (fstat(fd->get(), &st) < 0) return false;
    cur = std::move(*fd);
    ino = st.st_ino;
    off = 0;
    return true;
  };
  if (history) {
    if (auto old = open_path(log + ".1", O_RDONLY)) {
      uint64_t o = 0;
      TRY(drain(old->get(), o, p));
    }
    if (open_log()) TRY(drain(cur.get(), off, p));
  } else if (open_log()) {
    struct stat st;
    if (fstat(cur.get(), &st) == 0) off = uint64_t(st.st_size);
    // A partial line at the end is someone's write in progress: start after it all the same.
  }
  if (!in) return 0;
  for (;;) {
    int timeout = -1;
    if (p.until) {
      int64_t left = p.until - now_ns();
      if (left <= 0) return 0;
      timeout = int(std::min<int64_t>(left / 1000000 + 1, 60000));
    }
    struct pollfd pf{in.get(), POLLIN, 0};
    int r = poll(&pf, 1, timeout);
    if (r < 0 && errno != EINTR) return fail_errno("wait for events");
    char buf[4096];
    while (read(in.get(), buf, sizeof buf) > 0) {
    }
    if (cur) TRY(drain(cur.get(), off, p));
    // Rotated (or created): the old file is finished above; the new one starts at 0.
    struct stat st;
    if (stat(log.c_str(), &st) == 0 && (!cur || st.st_ino != ino)) {
      if (open_log()) TRY(drain(cur.get(), off, p));
    }
  }
}

}  // namespace skiff::cli
