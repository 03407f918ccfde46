#pragma once
// The monitor's two records, one struct each, with the one serialiser and parser shared by
// their writer (the monitor) and their readers (the engine's state derivation, exec, cp):
//   <run dir>/monitor.json       MonitorRecord: who runs the container now (atomic, no fsync)
//   <state dir>/exit.json        ExitRecord: the latest exit, also between restarts
// Keys on disk are camelCase (`monitorPid`, `exitCode`, …) and stay as written by earlier
// versions; a missing key reads as the field's zero value.

#include <sys/types.h>

#include <cstdint>
#include <string>

#include "skiff/util/json.hpp"
#include "skiff/util/result.hpp"

namespace skiff::monitor {

/// monitor.json: written at setup (started_at 0: waiting for the CLI's "go") and at each start.
struct MonitorRecord {
  pid_t monitor_pid = 0;
  uint64_t monitor_start = 0;  ///< the monitor's start time (/proc/<pid>/stat), pins the pid
  pid_t pid = 0;               ///< the container's first process (host pid)
  uint64_t pid_start = 0;
  int64_t started_at = 0;      ///< ns since epoch; 0 before the process runs
  int restart_count = 0;
  int64_t written_at = 0;      ///< ns since epoch
  std::string boot_id;         ///< /proc/sys/kernel/random/boot_id when written
};

/// exit.json: the last exit of the container's process.
struct ExitRecord {
  int exit_code = 0;
  int64_t finished_at = 0, started_at = 0;  ///< ns since epoch
  int restart_count = 0;
  std::string error;  ///< why the start failed ("" for a normal exit)
  bool oom_killed = false;
};

Json to_json(const MonitorRecord& m);
MonitorRecord monitor_record_from_json(const Json& j);
Json to_json(const ExitRecord& x);
ExitRecord exit_record_from_json(const Json& j);

/// `<run_dir>/monitor.json` (atomic, not synced: the run root is volatile).
Status write_monitor_record(const std::string& run_dir, const MonitorRecord& m);
Result<MonitorRecord> read_monitor_record(const std::string& run_dir);
/// `<state_dir>/exit.json` (atomic; `sync`: fsync it).
Status write_exit_record(const std::string& state_dir, const ExitRecord& x, bool sync);
Result<ExitRecord> read_exit_record(const std::string& state_dir);

}  // namespace skiff::monitor
