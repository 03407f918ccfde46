// start, stop, kill, wait, rm, rename, and the monitor's __cleanup role.
#include "skiff/engine/lifecycle.hpp"
#include "skiff/engine/pod.hpp"
#include "skiff/engine/mount.hpp"
#include "skiff/engine/resources.hpp"

#include <algorithm>
#include <set>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <thread>

#include "mounts.hpp"
#include "network.hpp"
#include "skiff/engine/ports.hpp"
#include "skiff/engine/netnames.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/running_index.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"
#include "skiff/util/userns.hpp"

namespace skiff::engine {

namespace proto = monitor::proto;

namespace {

struct SignalName {
  const char* name;
  int num;
};
constexpr SignalName kSignals[] = {
    {"HUP", SIGHUP},     {"INT", SIGINT},       {"QUIT", SIGQUIT},   {"ILL", SIGILL},     {"TRAP", SIGTRAP},
    {"ABRT", SIGABRT},   {"IOT", SIGIOT},       {"BUS", SIGBUS},     {"FPE", SIGFPE},     {"KILL", SIGKILL},
    {"USR1", SIGUSR1},   {"SEGV", SIGSEGV},     {"USR2", SIGUSR2},   {"PIPE", SIGPIPE},   {"ALRM", SIGALRM},
    {"TERM", SIGTERM},   {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},   {"CONT", SIGCONT},   {"STOP", SIGSTOP},
    {"TSTP", SIGTSTP},   {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},     {"XCPU", SIGXCPU},
    {"XFSZ", SIGXFSZ},   {"VTALRM", SIGVTALRM}, {"PROF", SIGPROF},   {"WINCH", SIGWINCH}, {"IO", SIGIO},
    {"POLL", SIGPOLL},   {"PWR", SIGPWR},       {"SYS", SIGSYS},
};

Result<proto::Reply> ctl_request(const Engine& e, const std::string& id, const proto::Request& req, int timeout_ms) {
  return proto::request(e.run_dir(id), req, timeout_ms);
}

}  // namespace

Result<proto::Reply> monitor_request(const std::string& run_dir, const proto::Request& req, int timeout_ms) {
  return proto::request(run_dir, req, timeout_ms);
}

namespace {

bool is_live(const ContainerState& s) {
  return s.status == RunState::Running || s.status == RunState::Restarting ||
         (s.status == RunState::Created && s.monitor_pid > 0);
}

// Waits (bounded) for a monitor process to be gone: it may still be running the cleanup.
void wait_process_gone(pid_t pid, int timeout_ms) {
  if (pid <= 0 || pid == getpid()) return;  // the __cleanup role runs in the monitor's process
  auto p = pidfd_open(pid);
  if (!p) return;
  struct pollfd pf{p->get(), POLLIN, 0};
  while (poll(&pf, 1, timeout_ms) < 0 && errno == EINTR) {
  }
}

// The start lock, waiting for a monitor of ours that is finishing (it holds the lock until
// it exits: a `stop` is answered a moment before) and a moment for a racing start or removal.
Result<UniqueFd> take_start_lock_waiting(const Engine& e, const Container& c) {
  if (c.state.finishing_pid > 0) wait_process_gone(c.state.finishing_pid, 10000);
  for (int i = 0;; ++i) {
    auto l = e.take_start_lock(c.rec.id);
    if (l || l.error().code != kConflict || i >= 20) return l;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

// A container live under a run root we cannot reach: its monitor cannot be asked anything.
Status require_reachable(const Container& c) {
  if (c.state.elsewhere.empty()) return ok();
  return fail(kConflict, fmt::format("container {} runs under another run root (its monitor's run directory is "
                                     "`{}`), which this command does not use; run it with that run root",
                                     c.rec.id, c.state.elsewhere));
}

Status remove_dir_as_owner(const Engine& e, const std::string& path) {
  if (!path_exists(path)) return ok();
  auto st = remove_tree(path);
  if (st || e.idmap().userns == false) return st;
  // Files owned by subordinate ids: delete from inside a user namespace where we own them.
  return run_in_userns(e.idmap(), [&]() { return remove_tree(path); });
}

}  // namespace

std::vector<std::string> signal_names() {
  std::vector<std::string> names;
  std::set<int> seen;
  for (auto& sig : kSignals)
    if (seen.insert(sig.num).second) names.emplace_back(sig.name);
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<int> parse_signal(const std::string& s_in) {
  if (auto n = parse_int(s_in)) {
    if (*n > 0 && *n < NSIG) return int(*n);
    return std::nullopt;
  }
  std::string s;
  for (char c : s_in) s.push_back(char(toupper((unsigned char)c)));
  if (s.starts_with("SIG")) s = s.substr(3);
  for (auto& sig : kSignals)
    if (s == sig.name) return sig.num;
  if (s.starts_with("RTMIN") || s.starts_with("RTMAX")) {
    bool min = s[3] == 'I';
    std::string off = s.substr(5);
    int delta = 0;
    if (!off.empty()) {
      auto d = parse_int(off);
      if (!d) return std::nullopt;
      delta = int(*d);
    }
    int n = min ? SIGRTMIN + delta : SIGRTMAX + delta;
    if (n >= SIGRTMIN && n <= SIGRTMAX) return n;
  }
  return std::nullopt;
}

Result<Starting> begin_start(Engine& e, const std::string& ref, const std::string& log_level) {
  auto c = TRY(find_container(e, ref));
  TRY(pod_before_start(e, c.rec, log_level));  // a pod member's infra first (pod.hpp)
  auto lock = TRY(e.lock_container(c.rec.id));
  c.state = read_state(e, c.rec);
  if (is_live(c.state)) return fail(kConflict, fmt::format("container {} is already running", c.rec.id));
  if (c.state.status == RunState::Removing)
    return fail(kConflict, fmt::format("container {} is being removed", c.rec.id));
  // The store's start lock: one monitor per container, whatever run root started it.
  UniqueFd start_lock = TRY(take_start_lock_waiting(e, c));
  auto spec = TRY(build_spec(e, c.rec));
  // Published ports first: a taken one fails the start before anything else changes.
  auto published = TRY(bind_published_ports(e, c.rec));  // held until the monitor has them
  std::string rdir = e.run_dir(c.rec.id);
  std::string cdir = e.container_dir(c.rec.id);
  // /etc/hostname, /etc/hosts, /etc/resolv.conf as the container sees them (bind-mounted).
  // The stack first (what it offers: addresses, DNS), then the names files from it.
  auto net = TRY(prepare_network(e, c.rec, spec, rdir));
  TRY(pod_spec_hook(e, c.rec, spec));  // the pod's shared IPC and UTS namespaces
  TRY(prepare_names(e, c.rec, spec, rdir, {net.info.ip, net.info.host_ip, net.info.dns}));
  (void)unlink((rdir + "/exit").c_str());

  monitor::Config mc;
  mc.id = c.rec.id;
  mc.run_dir = rdir;
  mc.state_dir = cdir;
  const Json& lc = json_get(c.rec.host_config, "LogConfig");
  mc.log_driver = json_str(lc, "Type", "json-file");
  mc.log_path = cdir + "/ctr.log";
  if (auto ms = json_str(json_get(lc, "Config"), "max-size"); !ms.empty())
    mc.log_max_size = parse_ram_size(ms).value_or(0);
  const Json& rp = json_get(c.rec.host_config, "RestartPolicy");
  mc.restart_policy = json_str(rp, "Name", "no");
  mc.restart_max = int(json_int(rp, "MaximumRetryCount"));
  mc.auto_remove = json_bool(c.rec.host_config, "AutoRemove");
  mc.stop_signal = parse_signal(c.rec.config.stop_signal).value_or(SIGTERM);
  mc.stop_timeout = c.rec.config.stop_timeout_or_default();
  mc.timeout_s = c.rec.config.timeout;  // run --timeout (Podman's Config.Timeout)
  mc.log_level = log_level.empty() ? "warn" : log_level;
  mc.cleanup_argv = {"skiff", "--root", e.graph(), "--runroot", e.run(), "--log-level", mc.log_level, "__cleanup", c.rec.id};
  TRY(service_spec(e, c.rec, spec));
  service_monitor_config(e, c.rec, mc);
  mc.spec = std::move(spec);
  mc.network = std::move(net);
  mc.taps = network_taps(e, c.rec);
  mc.start_lock_fd = start_lock.get();
  hand_ports_to_monitor(published, mc);

  Json intent = Json::object();
  intent["startedAt"] = now_ns();
  TRY(write_json_atomic(cdir + "/state.json", intent, 0600, false));
  Starting s;
  s.id = c.rec.id;
  s.tty = mc.spec.process.terminal;
  s.stdin_open = mc.spec.process.stdin_open;
  s.launch = TRY(monitor::launch(mc));
  return s;
}

Status start_container(Engine& e, const std::string& ref, const std::string& log_level) {
  auto s = begin_start(e, ref, log_level);
  if (!s) {
    if (s.error().code == kConflict && s.error().msg.find("already running") != std::string::npos) return ok();
    return s.error();
  }
  return s->launch.go();
}

Status stop_container(Engine& e, const std::string& ref, std::optional<int> timeout) {
  auto c = TRY(find_container(e, ref));
  auto lock = TRY(e.lock_container(c.rec.id));
  c.state = read_state(e, c.rec);
  if (!is_live(c.state)) return ok();
  TRY(require_reachable(c));
  int t = timeout ? *timeout : c.rec.config.stop_timeout_or_default();
  int sig = parse_signal(c.rec.config.stop_signal).value_or(SIGTERM);
  thaw_if_paused(e, c);
  container_event(e, c.rec, "kill", {{"signal", std::to_string(sig)}});
  // Wait a good while beyond the timeout: SIGKILL then the exit and drain take a moment.
  auto reply = TRY(ctl_request(e, c.rec.id, proto::Stop{t, sig}, (t < 0 ? 0 : t) * 1000 + 30000));
  if (reply.kind != proto::Reply::Gone && reply.kind != proto::Reply::Exited)
    return fail(EIO, fmt::format("stop: {}", proto::encode_reply(reply)));
  container_event(e, c.rec, "stop");
  // The monitor answers just before it exits (and releases the start lock): a stopped
  // container has no monitor left when we return.
  wait_process_gone(c.state.monitor_pid, 5000);
  return ok();
}

Status kill_container(Engine& e, const std::string& ref, int signal) {
  auto c = TRY(find_container(e, ref));
  if (c.state.status != RunState::Running)
    return fail(kConflict, fmt::format("cannot kill container: {}: container {} is not running", ref, c.rec.id));
  TRY(require_reachable(c));
  if (signal == SIGKILL) thaw_if_paused(e, c);
  auto reply = TRY(ctl_request(e, c.rec.id, proto::Kill{signal}, 10000));
  if (reply.kind == proto::Reply::Gone || reply.kind == proto::Reply::Err)
    return fail(kConflict, fmt::format("cannot kill container: {}: {}", ref,
                                       reply.kind == proto::Reply::Gone ? "container is not running" : reply.msg));
  container_event(e, c.rec, "kill", {{"signal", std::to_string(signal)}});
  return ok();
}

Result<int> wait_container(Engine& e, const std::string& ref) {
  auto c = TRY(find_container(e, ref));
  if (is_live(c.state)) {
    TRY(require_reachable(c));
    auto reply = TRY(ctl_request(e, c.rec.id, proto::Wait{}, -1));
    if (reply.kind == proto::Reply::Exited) return reply.exit_code;
  }
  return read_state(e, c.rec).exit_code;
}

Status remove_container(Engine& e, const std::string& ref, bool force, bool volumes) {
  auto c = TRY(find_container(e, ref));
  TRY(pod_before_remove(e, c.rec));  // an infra container goes with its pod only
  const std::string id = c.rec.id;
  {
    auto lock = TRY(e.lock_container(id));
    c.state = read_state(e, c.rec);
    if (is_live(c.state)) {
      if (!force)
        return fail(kConflict, fmt::format("You cannot remove a running container {}. Stop the container before "
                                           "attempting removal or force remove", id));
      TRY(require_reachable(c));
      thaw_if_paused(e, c);
      auto reply = TRY(ctl_request(e, id, proto::Stop{0, SIGKILL}, 30000));
      (void)reply;
    }
  }
  // The monitor may be running the --rm cleanup, which takes the container lock: wait for it
  // without holding the lock ourselves.
  c.state = read_state(e, c.rec);
  wait_process_gone(c.state.monitor_pid ? c.state.monitor_pid : c.state.finishing_pid, 10000);
  auto lock = TRY(e.lock_container(id));
  std::string dir = e.container_dir(id);
  if (!path_exists(dir + "/config.json")) return ok();  // removed meanwhile (--rm cleanup)
  // No monitor may run (from any run root) while its layer goes: a start waits for our lock
  // or finds the container gone. A monitor still holding it runs elsewhere.
  c.state = read_state(e, c.rec);
  auto start_lock = take_start_lock_waiting(e, c);
  if (!start_lock) {
    if (start_lock.error().code != kConflict) return start_lock.error();
    return fail(kConflict, fmt::format("You cannot remove a running container {}: {}", id, start_lock.error().msg));
  }
  // Order for crash safety: mark, move out of the listing (ps skips dot entries), drop the
  // name, then delete. A crash leaves a `.removing-` directory that is swept later.
  Json st = Json::object();
  st["removing"] = true;
  (void)write_json_atomic(dir + "/state.json", st, 0600, false);
  drop_container_mounts(e, id);  // `skiff mount`'s (mount.hpp)
  std::string gone = e.graph() + "/containers/.removing-" + id;
  if (rename(dir.c_str(), gone.c_str()) < 0) return fail_errno(fmt::format("remove container {}", id));
  std::string link = e.graph() + "/names/containers/" + c.rec.name;
  char buf[512];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf - 1);
  if (n > 0 && split_dir_base(std::string(buf, size_t(n))).second == id) (void)unlink(link.c_str());
  (void)remove_tree(e.run_dir(id) + "/attach");
  TRY(remove_dir_as_owner(e, gone));
  if (volumes) {
    for (auto& m : mounts_from_json(c.rec.extra.mounts))
      if (m.type == "volume" && m.anonymous) (void)remove_dir_as_owner(e, e.graph() + "/volumes/" + m.name);
  }
  container_removed(e, c.rec);
  // The run directory (and its lock) goes last: whoever waits on the lock finds no container.
  (void)remove_tree(e.run_dir(id));
  running_index_unmark(e.run_dir(id));  // a killed monitor's entry
  lock.release();
  sweep_containers(e, false);
  refresh_after_membership_change(e, c.rec);  // its peers' /etc/hosts lose it
  return ok();
}

void sweep_containers(Engine& e, bool incomplete) {
  auto names = list_dir(e.graph() + "/containers");
  if (!names) return;
  for (auto& n : *names) {
    std::string id;
    if (n.starts_with(".removing-")) id = n.substr(10);
    else if (incomplete && n.size() == 64 && !path_exists(e.container_dir(n) + "/config.json")) id = n;
    if (id.size() != 64) continue;
    // In progress (an rm, or a create before its config) holds the container's lock.
    auto l = lock_file(e.run_dir(id) + "/lock", LockMode::Exclusive, false);
    if (!l && l.error().code == EWOULDBLOCK) continue;
    std::string dir = e.graph() + "/containers/" + n;
    if (n == id && path_exists(dir + "/config.json")) continue;  // finished meanwhile
    if (!remove_dir_as_owner(e, dir)) continue;
    (void)remove_tree(e.run_dir(id));
  }
}

Status rename_container(Engine& e, const std::string& ref, const std::string& new_name) {
  TRY(validate_name(new_name));
  auto c = TRY(find_container(e, ref));
  auto lock = TRY(e.lock_container(c.rec.id));
  auto fresh = TRY(find_container(e, c.rec.id));
  if (fresh.rec.name == new_name)
    return fail(kConflict, fmt::format("renaming a container with the same name as its current name"));
  std::string link = e.graph() + "/names/containers/" + new_name;
  TRY(claim_name(e, new_name, c.rec.id));
  std::string old = fresh.rec.name;
  fresh.rec.name = new_name;
  if (auto st = write_record(e, fresh.rec, true); !st) {
    (void)unlink(link.c_str());
    return st;
  }
  (void)unlink((e.graph() + "/names/containers/" + old).c_str());
  lock.release();
  refresh_after_membership_change(e, fresh.rec);  // peers know it by its new name
  container_event(e, fresh.rec, "rename", {{"oldName", "/" + old}});
  return ok();
}

Status set_live_restart_policy(const Engine& e, const std::string& id, const std::string& name, int max) {
  auto reply = TRY(ctl_request(e, id, proto::SetRestartPolicy{name, max}, 10000));
  if (reply.kind != proto::Reply::Ok)
    return fail(EIO, fmt::format("update the restart policy of the running container: {}", proto::encode_reply(reply)));
  return ok();
}

int cleanup_main(Engine& e, const std::string& id) {
  auto c = find_container(e, id);
  if (!c) return 0;
  if (!json_bool(c->rec.host_config, "AutoRemove")) return 0;
  auto st = remove_container(e, id, false, true);
  if (!st) log::error("remove container {}: {}", id, st.error().msg);
  return st ? 0 : 1;
}

}  // namespace skiff::engine
