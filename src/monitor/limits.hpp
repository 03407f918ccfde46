#pragma once
// The monitor's share of resource limits: the container's cgroup after its exit (OOM kills,
// removal) and the events it reports (src/monitor/limits.cpp).
#include <string>

#include "skiff/oci/runtime_spec.hpp"

namespace skiff::monitor {

/// Whether the kernel killed a process of the container for memory (its cgroup's counters).
bool container_oom_killed(const oci::Spec& spec);

/// Removes the container's cgroup once it is gone for good (a missing one is fine).
void remove_container_cgroup(const oci::Spec& spec);

}  // namespace skiff::monitor
