// CLI side of the monitor: config (de)serialisation and launching a detached monitor.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "skiff/monitor/monitor.hpp"
#include "skiff/monitor/protocol.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/process.hpp"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

extern char** environ;

namespace skiff::monitor {

Json to_json(const Config& c) {
  Json j = Json::object();
  j["version"] = kProtocolVersion;
  j["id"] = c.id;
  j["runDir"] = c.run_dir;
  j["stateDir"] = c.state_dir;
  j["logPath"] = c.log_path;
  j["logDriver"] = c.log_driver;
  j["logMaxSize"] = c.log_max_size;
  j["restartPolicy"] = c.restart_policy;
  j["restartMax"] = c.restart_max;
  j["autoRemove"] = c.auto_remove;
  j["stopSignal"] = c.stop_signal;
  j["stopTimeout"] = c.stop_timeout;
  if (c.timeout_s > 0) j["timeoutS"] = c.timeout_s;
  j["logLevel"] = c.log_level;
  j["cleanupArgv"] = c.cleanup_argv;
  j["execPid"] = c.exec_pid;
  j["execPidStart"] = c.exec_pid_start;
  j["startLock"] = c.start_lock_fd >= 0 || c.start_lock;
  j["sdnotify"] = c.sdnotify;
  j["pidfile"] = c.pidfile;
  j["conmonPidfile"] = c.conmon_pidfile;
  j["healthIntervalNs"] = c.health_interval_ns;
  j["healthOnFailure"] = c.health_on_failure;
  j["healthPath"] = c.health_path;
  j["healthArgv"] = c.health_argv;
  if (!c.ports.empty()) {
    Json ports = Json::array();
    for (auto& p : c.ports) ports.push_back(Json{{"proto", p.proto}, {"containerPort", p.container_port}, {"host", p.host}});
    j["ports"] = ports;
  }
  j["name"] = c.name;
  j["logTag"] = c.log_tag;
  j["spec"] = oci::to_json(c.spec);
  if (!c.taps.empty()) {
    Json t = Json::array();
    for (auto& s : c.taps)
      t.push_back(Json{{"ifname", s.ifname}, {"mac", s.mac}, {"ip", s.ip}, {"prefix", s.prefix},
                       {"gateway", s.gateway}, {"sockDir", s.sock_dir}});
    j["taps"] = t;
  }
  if (c.network.info.has_stack()) j["network"] = network::to_json(c.network);
  return j;
}

Result<Config> config_from_json(const Json& j) {
  if (json_int(j, "version") != kProtocolVersion)
    return fail(kUnsupported, "monitor config from a different skiff version");
  Config c;
  c.id = json_str(j, "id");
  c.run_dir = json_str(j, "runDir");
  c.state_dir = json_str(j, "stateDir");
  c.log_path = json_str(j, "logPath");
  c.log_driver = json_str(j, "logDriver", "k8s-file");
  c.log_max_size = json_int(j, "logMaxSize");
  c.restart_policy = json_str(j, "restartPolicy", "no");
  c.restart_max = int(json_int(j, "restartMax"));
  c.auto_remove = json_bool(j, "autoRemove");
  c.stop_signal = int(json_int(j, "stopSignal", 15));
  c.stop_timeout = int(json_int(j, "stopTimeout", 10));
  c.timeout_s = json_int(j, "timeoutS");
  c.log_level = json_str(j, "logLevel", "warn");
  const Json& argv = json_get(j, "cleanupArgv");
  if (argv.is_array())
    for (auto& a : argv)
      if (a.is_string()) c.cleanup_argv.push_back(a.get<std::string>());
  c.exec_pid = pid_t(json_int(j, "execPid"));
  c.exec_pid_start = uint64_t(json_int(j, "execPidStart"));
  c.start_lock = json_bool(j, "startLock");
  c.sdnotify = json_str(j, "sdnotify");
  c.pidfile = json_str(j, "pidfile");
  c.conmon_pidfile = json_str(j, "conmonPidfile");
  c.health_interval_ns = json_int(j, "healthIntervalNs");
  c.health_on_failure = json_str(j, "healthOnFailure", "none");
  c.health_path = json_str(j, "healthPath");
  if (const Json& ha = json_get(j, "healthArgv"); ha.is_array())
    for (auto& a : ha)
      if (a.is_string()) c.health_argv.push_back(a.get<std::string>());
  const Json& ports = json_get(j, "ports");
  if (ports.is_array())
    for (auto& p : ports)
      c.ports.push_back({json_str(p, "proto", "tcp"), uint16_t(json_int(p, "containerPort")), json_str(p, "host")});
  c.name = json_str(j, "name");
  c.log_tag = json_str(j, "logTag");
  c.spec = TRY(oci::spec_from_json(json_get(j, "spec")));
  const Json& taps = json_get(j, "taps");
  if (taps.is_array())
    for (auto& t : taps)
      c.taps.push_back({json_str(t, "ifname"), json_str(t, "mac"), json_str(t, "ip"), int(json_int(t, "prefix", 24)),
                        json_str(t, "gateway"), json_str(t, "sockDir")});
  if (j.contains("network")) c.network = network::stack_config_from_json(j["network"]);
  return c;
}

// The monitor's next message on the sync socket; its error is returned as the failure.
static Result<proto::SyncMessage> recv_sync(int fd) {
  auto p = TRY_CTX(ipc::recv_packet(fd, proto::kMaxSyncPacket), "read from the monitor");
  if (p.data.empty()) return fail(EIO, "the container monitor exited unexpectedly");
  auto m = TRY(proto::decode_sync(p.data));
  if (auto* e = std::get_if<Error>(&m)) return fail(*e);
  return m;
}

Result<Launch> launch(const Config& cfg) {
  std::string cfg_path = cfg.run_dir + "/monitor-config.json";
  TRY(write_json_atomic(cfg_path, to_json(cfg), 0600, /*sync=*/false));
  auto self = TRY_CTX(open_path("/proc/self/exe", O_PATH), "open the skiff binary");
  auto sp = TRY(make_socketpair(SOCK_SEQPACKET));
  std::string arg0 = "skiff", role = "__monitor", nports = std::to_string(cfg.port_fds.size());
  char* argv[] = {arg0.data(), role.data(), cfg_path.data(), nports.data(), nullptr};
  size_t np = cfg.port_fds.size();
  std::vector<int> pf(np, -1);  // allocated before the fork (the caller may have threads)
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork the monitor");
  if (pid == 0) {
    // Intermediate child: new session, then the monitor proper as a grandchild, so the
    // monitor is re-parented away from the CLI and survives it.
    if (setsid() < 0) _exit(1);
    pid_t m = fork();
    if (m < 0) _exit(1);
    if (m > 0) _exit(0);
    // passthrough: the container's stdio is the caller's (a systemd unit's journal).
    int devnull = cfg.log_driver == "passthrough" ? -1 : open("/dev/null", O_RDWR);
    if (devnull >= 0) {
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(devnull, 2);
    }
    // Keep the binary's fd and the socket clear of fd 3 before placing the socket there.
    // (Above every target: 3, 4, and 5… for the published ports' sockets.)
    int hi = int(10 + np);
    int exe = fcntl(self.get(), F_DUPFD_CLOEXEC, hi);
    int sock = fcntl(sp.write.get(), F_DUPFD_CLOEXEC, hi);
    int lk = cfg.start_lock_fd >= 0 ? fcntl(cfg.start_lock_fd, F_DUPFD_CLOEXEC, hi) : -1;
    for (size_t i = 0; i < np; ++i) pf[i] = fcntl(cfg.port_fds[i], F_DUPFD_CLOEXEC, hi);
    if (exe < 0 || sock < 0 || dup2(sock, 3) < 0) _exit(1);  // dup2 clears close-on-exec on fd 3
    // Nothing else of the caller's reaches the monitor: an inherited pipe (`skiff run -d … |
    // cat`, a script's fd 7) would stay open until the container exits, and its reader hang.
    if (syscall(SYS_close_range, 4u, ~0u, CLOSE_RANGE_CLOEXEC) < 0)
      for (int fd = 4; fd < 1024; ++fd) (void)fcntl(fd, F_SETFD, FD_CLOEXEC);
    // The start lock goes on fd 4 (dup2 clears close-on-exec there).
    if (cfg.start_lock_fd >= 0 && (lk < 0 || dup2(lk, 4) < 0)) _exit(1);
    // The published ports' sockets on 5, 6, … (the monitor is told how many in its argv).
    for (size_t i = 0; i < np; ++i)
      if (pf[i] < 0 || dup2(pf[i], int(5 + i)) < 0) _exit(1);
    execveat(exe, "", argv, environ, AT_EMPTY_PATH);
    _exit(127);
  }
  sp.write.reset();
  (void)wait_child(pid);
  Launch l;
  l.sync_ = std::move(sp.read);
  auto msg = TRY(recv_sync(l.sync_.get()));
  auto* created = std::get_if<proto::Created>(&msg);
  if (!created) return fail(EPROTO, "unexpected message from the monitor");
  l.container_pid_ = created->pid;
  l.monitor_pid_ = created->monitor_pid;
  return l;
}

Status Launch::go() {
  TRY_CTX(ipc::send_packet(sync_.get(), proto::kGo), "start the container");
  auto msg = recv_sync(sync_.get());
  sync_.reset();
  if (!msg) return msg.error();
  if (!std::holds_alternative<proto::Started>(*msg)) return fail(EPROTO, "unexpected message from the monitor");
  return ok();
}

}  // namespace skiff::monitor
