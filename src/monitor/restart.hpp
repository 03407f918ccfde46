#pragma once
// The monitor's restart policy (Docker's restartmanager): whether an exit of the container is
// followed by a new run, and the delay before it. Pure functions: src/monitor/monitor.cpp
// keeps the state (restart count, the last delay) and the timer.

#include <cstdint>
#include <string>

namespace skiff::monitor {

/// Whether the container runs again after exiting with `exit_code` under `policy` (no |
/// on-failure | always | unless-stopped; anything else is "no"), `max` the on-failure retry
/// limit (0 = unlimited) and `restarts` the restarts done so far. Never after a stop.
bool should_restart(const std::string& policy, int max, int exit_code, int restarts, bool stopping);

/// The delay before the next run, from the previous one (`prev_ms`, 0 before the first restart)
/// and how long the run that just ended lasted (`ran_ns`): 100 ms, doubling up to 1 min, back to
/// 100 ms after a run of 10 s or more.
int64_t next_restart_delay_ms(int64_t prev_ms, int64_t ran_ns);

}  // namespace skiff::monitor
