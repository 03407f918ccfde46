// monitor.json and exit.json: the only place that knows their keys.
#include "skiff/monitor/state_records.hpp"

namespace skiff::monitor {

Json to_json(const MonitorRecord& m) {
  Json j = Json::object();
  j["monitorPid"] = m.monitor_pid;
  j["monitorStart"] = m.monitor_start;
  j["pid"] = m.pid;
  j["pidStart"] = m.pid_start;
  j["startedAt"] = m.started_at;
  j["restartCount"] = m.restart_count;
  j["writtenAt"] = m.written_at;
  j["bootId"] = m.boot_id;
  return j;
}

MonitorRecord monitor_record_from_json(const Json& j) {
  MonitorRecord m;
  m.monitor_pid = pid_t(json_int(j, "monitorPid"));
  m.monitor_start = uint64_t(json_int(j, "monitorStart"));
  m.pid = pid_t(json_int(j, "pid"));
  m.pid_start = uint64_t(json_int(j, "pidStart"));
  m.started_at = json_int(j, "startedAt");
  m.restart_count = int(json_int(j, "restartCount"));
  m.written_at = json_int(j, "writtenAt");
  m.boot_id = json_str(j, "bootId");
  return m;
}

Json to_json(const ExitRecord& x) {
  Json j = Json::object();
  j["exitCode"] = x.exit_code;
  j["finishedAt"] = x.finished_at;
  j["startedAt"] = x.started_at;
  j["restartCount"] = x.restart_count;
  j["error"] = x.error;
  j["oomKilled"] = x.oom_killed;
  return j;
}

ExitRecord exit_record_from_json(const Json& j) {
  ExitRecord x;
  x.exit_code = int(json_int(j, "exitCode"));
  x.finished_at = json_int(j, "finishedAt");
  x.started_at = json_int(j, "startedAt");
  x.restart_count = int(json_int(j, "restartCount"));
  x.error = json_str(j, "error");
  x.oom_killed = json_bool(j, "oomKilled");
  return x;
}

Status write_monitor_record(const std::string& run_dir, const MonitorRecord& m) {
  return write_json_atomic(run_dir + "/monitor.json", to_json(m), 0600, false);
}

Result<MonitorRecord> read_monitor_record(const std::string& run_dir) {
  auto j = TRY(read_json_file(run_dir + "/monitor.json", 1 << 20));
  return monitor_record_from_json(j);
}

Status write_exit_record(const std::string& state_dir, const ExitRecord& x, bool sync) {
  return write_json_atomic(state_dir + "/exit.json", to_json(x), 0644, sync);
}

Result<ExitRecord> read_exit_record(const std::string& state_dir) {
  auto j = TRY(read_json_file(state_dir + "/exit.json", 1 << 20));
  return exit_record_from_json(j);
}

}  // namespace skiff::monitor
