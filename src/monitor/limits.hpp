#pragma once
// The monitor's share of resource limits and events: the container's cgroup after each exit
// (OOM kills, the `pause` record), its removal, and the start/oom/die events
// (src/monitor/limits.cpp).
#include <string>

#include "skiff/monitor/monitor.hpp"

namespace skiff::monitor {

/// After the container's process started (every start, restarts too): the "start" event.
void container_started(const Config& cfg);

/// After each exit: whether the kernel killed a process of the container for memory (its
/// cgroup's counters); clears the `paused` record; the "oom" and "die" events.
bool container_exited_checks(const Config& cfg, int exit_code);

/// Removes the container's cgroup once it is gone for good (a missing one is fine).
void remove_container_cgroup(const oci::Spec& spec);

}  // namespace skiff::monitor
