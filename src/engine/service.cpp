// Containers as services: --replace, --sdnotify, --pidfile, --conmon-pidfile, the cidfile's
// removal, healthcheck settings and `healthcheck run` (see skiff/engine/service.hpp).
#include "skiff/engine/service.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/lock.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::engine {

namespace {

constexpr int64_t kSecond = 1'000'000'000LL;
constexpr int64_t kDefaultInterval = 30 * kSecond, kDefaultTimeout = 30 * kSecond;
constexpr int kDefaultRetries = 3;
constexpr size_t kMaxOutput = 4096;  // Docker keeps this much of a probe's output
constexpr size_t kMaxLog = 5;        // and this many probes

bool one_of(const std::string& v, std::initializer_list<const char*> set) {
  for (auto* s : set)
    if (v == s) return true;
  return false;
}

// --health-cmd: a JSON array is the exec form (its first word CMD, CMD-SHELL or NONE, or a
// plain command, as Podman takes it); anything else runs under /bin/sh -c.
Result<Json> health_test(const std::string& cmd) {
  if (cmd == "none" || cmd == "NONE") return Json::array({"NONE"});
  std::string_view t = trim(cmd);
  if (!t.empty() && t[0] == '[') {
    auto j = parse_json(t, "--health-cmd");
    if (!j || !j->is_array() || j->empty())
      return fail(kInvalid, fmt::format("invalid --health-cmd {}: want a command or a JSON array of strings", cmd));
    Json out = Json::array();
    for (auto& w : *j) {
      if (!w.is_string()) return fail(kInvalid, fmt::format("invalid --health-cmd {}: not all strings", cmd));
      out.push_back(w);
    }
    std::string first = out[0].get<std::string>();
    if (first != "CMD" && first != "CMD-SHELL" && first != "NONE") out.insert(out.begin(), "CMD");
    return out;
  }
  if (t.empty()) return fail(kInvalid, "--health-cmd is empty: give a command, or none to disable the healthcheck");
  return Json::array({"CMD-SHELL", cmd});
}

int64_t hc_ns(const Json& hc, const char* key, int64_t dflt) {
  int64_t v = json_int(hc, key);
  return v > 0 ? v : dflt;
}

std::string health_path(const Engine& e, const std::string& id) { return e.container_dir(id) + "/health.json"; }

std::string absolute_path(const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  char cwd[4096];
  if (!getcwd(cwd, sizeof cwd)) return p;
  return std::string(cwd) + "/" + p;
}

// Go's time.Duration String() for whole milliseconds and up: "30s", "1m30s", "1.5s".
std::string go_duration(int64_t ns) {
  int64_t ms = ns / 1000000;
  int64_t h = ms / 3600000, m = ms / 60000 % 60, s = ms / 1000 % 60, frac = ms % 1000;
  std::string out;
  if (h) out += fmt::format("{}h", h);
  if (h || m) out += fmt::format("{}m", m);
  std::string f = frac ? fmt::format(".{:03d}", frac) : "";
  while (!f.empty() && f.back() == '0') f.pop_back();
  out += fmt::format("{}{}s", s, f);
  return out;
}

Json fresh_health(int64_t started_at) {
  Json h = Json::object();
  h["Status"] = "starting";
  h["FailingStreak"] = 0;
  h["Log"] = Json::array();
  h["startedAt"] = started_at;
  return h;
}

}  // namespace

Status apply_service_options(const ServiceOptions& o, const Json* image_config, ContainerConfig& config,
                             ContainerExtra& extra) {
  if (!o.sdnotify.empty() && !one_of(o.sdnotify, {"conmon", "container", "healthy", "ignore"}))
    return fail(kInvalid, fmt::format("invalid --sdnotify \"{}\": want conmon, container, healthy or ignore", o.sdnotify));
  if (!o.health_on_failure.empty() && !one_of(o.health_on_failure, {"none", "kill", "restart", "stop"}))
    return fail(kInvalid, fmt::format("invalid --health-on-failure \"{}\": want none, kill, restart or stop",
                                      o.health_on_failure));
  bool any_health_flag = o.health_cmd || o.health_interval || o.health_timeout || o.health_start_period ||
                         o.health_retries;
  if (o.no_healthcheck && any_health_flag)
    return fail(kInvalid, "--no-healthcheck conflicts with the --health-* options");
  Json hc = Json(nullptr);
  if (image_config && json_get(*image_config, "Healthcheck").is_object()) hc = (*image_config)["Healthcheck"];
  if (o.no_healthcheck) hc = Json::object({{"Test", Json::array({"NONE"})}});
  if (any_health_flag) {
    if (!hc.is_object()) hc = Json::object();
    if (o.health_cmd) hc["Test"] = TRY(health_test(*o.health_cmd));
    if (!json_get(hc, "Test").is_array())
      return fail(kInvalid, "the --health-* options need a --health-cmd (the image defines no HEALTHCHECK)");
    if (o.health_interval) {
      if (*o.health_interval == "disable") {
        hc["Interval"] = 0;
        extra.health_timer = false;
      } else {
        auto d = parse_go_duration(*o.health_interval);
        if (!d || *d < kSecond)
          return fail(kInvalid, fmt::format("invalid --health-interval \"{}\": want a duration of at least 1s, or "
                                            "disable", *o.health_interval));
        hc["Interval"] = *d;
      }
    }
    if (o.health_timeout) {
      if (*o.health_timeout < kSecond) return fail(kInvalid, "--health-timeout must be at least 1 second");
      hc["Timeout"] = *o.health_timeout;
    }
    if (o.health_start_period) {
      if (*o.health_start_period < 0) return fail(kInvalid, "--health-start-period must be 0 or more");
      hc["StartPeriod"] = *o.health_start_period;
    }
    if (o.health_retries) {
      if (*o.health_retries < 1) return fail(kInvalid, "--health-retries must be at least 1");
      hc["Retries"] = *o.health_retries;
    }
  }
  bool enabled = hc.is_object() && json_get(hc, "Test").is_array() && !hc["Test"].empty() && hc["Test"][0] != "NONE";
  if (o.sdnotify == "healthy" && !enabled)
    return fail(kInvalid, "--sdnotify=healthy needs a healthcheck (--health-cmd or the image's HEALTHCHECK)");
  if (hc.is_object()) config.healthcheck = hc;
  // Created by a systemd unit (generate systemd and Quadlet units set it): auto-update
  // restarts that unit.
  if (const char* unit = getenv("PODMAN_SYSTEMD_UNIT"); unit && *unit) {
    if (!config.labels.is_object()) config.labels = Json::object();
    if (!config.labels.contains("PODMAN_SYSTEMD_UNIT")) config.labels["PODMAN_SYSTEMD_UNIT"] = unit;
  }
  if (!o.sdnotify.empty()) extra.sd_notify = o.sdnotify;
  if (!o.pidfile.empty()) extra.pid_file = absolute_path(o.pidfile);
  if (!o.conmon_pidfile.empty()) extra.conmon_pid_file = absolute_path(o.conmon_pidfile);
  if (!o.health_on_failure.empty() && o.health_on_failure != "none") extra.health_on_failure = o.health_on_failure;
  return ok();
}

static std::string journal_socket() {
  if (const char* p = getenv("SKIFF_JOURNAL_SOCKET"); p && *p) return p;
  return "/run/systemd/journal/socket";
}

Status check_log_driver(const std::string& driver, bool tty) {
  if (driver == "journald") {
    struct stat st;
    std::string path = journal_socket();
    if (stat(path.c_str(), &st) < 0 || !S_ISSOCK(st.st_mode))
      return fail(kUnsupported, fmt::format("log driver journald: there is no journal socket at {} (systemd-journald "
                                            "does not run here); use --log-driver k8s-file or json-file", path));
  }
  if (driver == "passthrough" && tty)
    return fail(kInvalid, "log driver passthrough gives the container the caller's stdout and stderr: it cannot be "
                          "used with -t");
  return ok();
}

bool conf_log_driver_usable(const std::string& driver) {
  if (driver == "passthrough") return false;  // only on request
  return driver != "journald" || check_log_driver(driver, false);
}

Status read_journal_logs(Engine&, const Container& c, const LogOptions& o,
                         const std::function<void(const LogLine&)>& sink) {
  if (o.follow)
    return fail(kUnsupported, fmt::format("logs --follow of a journald container: use journalctl -f "
                                          "CONTAINER_ID_FULL={}", c.rec.id));
  std::vector<std::string> argv{"journalctl", "--no-pager", "--output=json", "CONTAINER_ID_FULL=" + c.rec.id};
  if (o.since) argv.push_back(fmt::format("--since=@{}", o.since / 1000000000));
  if (o.until) argv.push_back(fmt::format("--until=@{}", o.until / 1000000000));
  auto r = run_program(argv);
  if (!r) return wrap(r.error(), "log driver journald: run journalctl");
  if (!r->ok())
    return fail(EIO, fmt::format("log driver journald: journalctl failed: {}", trim(r->err)));
  std::vector<LogLine> lines;
  for (auto& l : split(r->out, '\n')) {
    if (trim(l).empty()) continue;
    auto j = parse_json(l, "journal entry");
    if (!j) continue;
    LogLine line;
    const Json& m = json_get(*j, "MESSAGE");
    if (m.is_string()) line.text = m.get<std::string>();
    else if (m.is_array())  // journalctl's form of a message that is not valid UTF-8
      for (auto& b : m)
        if (b.is_number_integer()) line.text.push_back(char(b.get<int>()));
    bool partial = json_str(*j, "CONTAINER_PARTIAL_MESSAGE") == "true";
    if (!partial) line.text += "\n";
    line.is_stderr = json_str(*j, "PRIORITY") == "3";
    line.time = int64_t(parse_int(json_str(*j, "__REALTIME_TIMESTAMP")).value_or(0)) * 1000;
    line.last = !partial;
    lines.push_back(std::move(line));
  }
  // first: the piece that starts a line.
  bool start = true;
  for (auto& l : lines) {
    l.first = start;
    start = l.last;
  }
  size_t from = 0;
  if (o.tail >= 0) {
    int64_t n = 0;
    from = lines.size();
    while (from > 0 && n < o.tail) {
      --from;
      if (lines[from].first) ++n;
    }
    while (from > 0 && !lines[from].first) --from;
  }
  for (size_t i = from; i < lines.size(); ++i) sink(lines[i]);
  return ok();
}

Status replace_container(Engine& e, const std::string& name) {
  if (name.empty()) return fail(kInvalid, "cannot replace a container without a name: give --name with --replace");
  auto c = find_container(e, name);
  if (!c) return c.error().code == kNotFound ? ok() : Status(c.error());
  if (c->rec.name != name) return ok();  // an ID prefix, not the name
  auto st = remove_container(e, c->rec.id, true, true);
  if (!st && st.error().code != kNotFound) return wrap(st.error(), fmt::format("replace container {}", name));
  return ok();
}

const Json& healthcheck_config(const ContainerRecord& r) { return r.config.healthcheck; }

bool healthcheck_enabled(const ContainerRecord& r) {
  const Json& t = json_get(healthcheck_config(r), "Test");
  return t.is_array() && !t.empty() && t[0].is_string() && t[0] != "NONE";
}

void service_monitor_config(const Engine& e, const ContainerRecord& r, monitor::Config& mc) {
  mc.name = r.name;
  mc.log_tag = json_str(json_get(json_get(r.host_config, "LogConfig"), "Config"), "tag");
  mc.sdnotify = r.extra.sd_notify;
  mc.pidfile = r.extra.pid_file;
  mc.conmon_pidfile = r.extra.conmon_pid_file;
  if (healthcheck_enabled(r)) {
    const Json& hc = healthcheck_config(r);
    mc.health_interval_ns = r.extra.health_timer_on() ? hc_ns(hc, "Interval", kDefaultInterval) : 0;
    mc.health_on_failure = r.extra.health_on_failure.empty() ? "none" : r.extra.health_on_failure;
    mc.health_path = health_path(e, r.id);
    mc.health_argv = {"skiff", "--root", e.graph(), "--runroot", e.run(), "healthcheck", "run", r.id};
  }
}

Status service_spec(const Engine& e, const ContainerRecord& r, oci::Spec& spec) {
  if (r.extra.sd_notify != "container") return ok();
  // The monitor binds its notify socket in this directory before the container is cloned.
  std::string dir = e.run_dir(r.id) + "/notify";
  if (mkdir(dir.c_str(), 0755) < 0 && errno != EEXIST) return fail_errno(fmt::format("mkdir `{}`", dir));
  oci::Mount m;
  m.destination = "/run/notify";
  m.type = "bind";
  m.source = dir;
  m.options = {"rbind", "nosuid", "nodev", "noexec"};
  spec.mounts.push_back(m);
  std::erase_if(spec.process.env, [](const std::string& v) { return v.starts_with("NOTIFY_SOCKET="); });
  spec.process.env.push_back("NOTIFY_SOCKET=/run/notify/notify.sock");
  return ok();
}

Json health_state(const Engine& e, const Container& c) {
  if (!healthcheck_enabled(c.rec)) return Json(nullptr);
  auto j = read_json_file(health_path(e, c.rec.id), 1 << 20);
  // A record of an earlier run of the container (restarted since) does not count.
  if (j && j->is_object() && json_int(*j, "startedAt") == c.state.started_at) return *j;
  return fresh_health(c.state.started_at);
}

namespace {

struct Probe {
  int exit_code = -1;
  std::string output;
};

// Runs the probe as an exec session and collects its output (capped) from the attach socket.
Result<Probe> probe(Engine& e, const Container& c, const std::vector<std::string>& cmd, int64_t timeout_ns,
                    const std::string& log_level) {
  ExecOptions o;
  o.command = cmd;
  auto s = TRY(begin_exec(e, c.rec.id, o, log_level));
  struct Cleanup {
    std::string dir;
    ~Cleanup() { (void)remove_tree(dir); }
  } cleanup{s.run_dir};
  UniqueFd sock = TRY_CTX(ipc::connect_unix(SOCK_SEQPACKET, s.run_dir, "attach"), "attach to the probe");
  int fd = sock.get();
  if (auto st = s.launch.go(); !st) {
    Probe p;
    p.exit_code = st.error().code == kCommandNotFound ? 127 : st.error().code == kCannotInvoke ? 126 : 125;
    p.output = st.error().msg;
    return p;
  }
  Probe p;
  int64_t deadline = now_ns() + timeout_ns;
  static char buf[monitor::proto::kMaxAttachPacket];
  for (;;) {
    int64_t left = (deadline - now_ns()) / 1000000;
    struct pollfd pf{fd, POLLIN, 0};
    int r = left > 0 ? poll(&pf, 1, int(left)) : 0;
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      (void)monitor_request(s.run_dir, monitor::proto::Kill{SIGKILL}, 5000);
      p.exit_code = -1;
      p.output = fmt::format("Health check exceeded timeout ({})", go_duration(timeout_ns));
      return p;
    }
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    auto pkt = monitor::proto::decode_monitor_packet(std::string_view(buf, size_t(n)));
    if (!pkt) continue;
    if (auto* x = std::get_if<monitor::proto::Exit>(&*pkt)) {
      p.exit_code = x->code;
      break;
    }
    auto& out = std::get<monitor::proto::Output>(*pkt);
    if (out.stream != 1 && p.output.size() < kMaxOutput)
      p.output.append(out.data.substr(0, kMaxOutput - p.output.size()));
  }
  if (p.exit_code < 0) {  // no exit packet: the session ended early; the monitor recorded it
    auto code = read_file(s.run_dir + "/exit");
    p.exit_code = code ? int(parse_int(trim(*code)).value_or(1)) : 1;
  }
  return p;
}

}  // namespace

void apply_probe_result(Json& h, const Json& hc, int exit_code, int64_t probe_start, int64_t started_at) {
  if (exit_code == 0) {
    h["Status"] = "healthy";
    h["FailingStreak"] = 0;
  } else {
    bool in_start_period = probe_start < started_at + json_int(hc, "StartPeriod");
    if (!(in_start_period && json_str(h, "Status") != "healthy")) {
      int64_t streak = json_int(h, "FailingStreak") + 1;
      h["FailingStreak"] = streak;
      int64_t retries = json_int(hc, "Retries");  // Docker: 0 or less is the default
      if (streak >= (retries > 0 ? retries : kDefaultRetries)) h["Status"] = "unhealthy";
    }
  }
}

Result<std::string> run_healthcheck(Engine& e, const std::string& ref, const std::string& log_level) {
  auto c = TRY(find_container(e, ref));
  if (!healthcheck_enabled(c.rec))
    return fail(kInvalid, fmt::format("container {} has no defined healthcheck", c.rec.name));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("container {} is not running", c.rec.name));
  const Json& hc = healthcheck_config(c.rec);
  std::vector<std::string> test;
  for (auto& w : hc["Test"]) test.push_back(w.get<std::string>());
  std::vector<std::string> cmd;
  if (test[0] == "CMD-SHELL") {
    cmd = {"/bin/sh", "-c", test.size() > 1 ? test[1] : ""};
  } else {
    cmd.assign(test.begin() + 1, test.end());
  }
  if (cmd.empty()) return fail(kInvalid, fmt::format("container {} has an empty healthcheck command", c.rec.name));
  int64_t start = now_ns();
  Probe p = TRY(probe(e, c, cmd, hc_ns(hc, "Timeout", kDefaultTimeout), log_level));
  int64_t end = now_ns();

  auto lock = TRY(lock_file(e.container_dir(c.rec.id) + "/health.lock", LockMode::Exclusive));
  c.state = read_state(e, c.rec);
  Json h = health_state(e, c);
  apply_probe_result(h, hc, p.exit_code, start, c.state.started_at);
  Json entry = Json::object();
  entry["Start"] = format_local_rfc3339nano(start);
  entry["End"] = format_local_rfc3339nano(end);
  entry["ExitCode"] = p.exit_code;
  entry["Output"] = p.output;
  Json& log = h["Log"];
  if (!log.is_array()) log = Json::array();
  log.push_back(entry);
  while (log.size() > kMaxLog) log.erase(log.begin());
  TRY(write_json_atomic(health_path(e, c.rec.id), h, 0644, false));
  return json_str(h, "Status");
}

}  // namespace skiff::engine
