#pragma once
// The resource-limit options of `create`/`run` (Docker's names, types and help; Podman's
// --cgroups), parsed by src/engine/resources.cpp. Included by command_opts.hpp only.

// clang-format off
#define SKIFF_RESOURCE_OPTS                                                                                    \
  {"blkio-weight", 0, OptType::Uint, "Block IO (relative weight), between 10 and 1000, or 0 to disable", "0"}, \
  {"blkio-weight-device", 0, OptType::List, "Block IO weight (relative device weight)", {}, Comp::Files},        \
  {"cgroup-parent", 0, OptType::String, "Optional parent cgroup for the container"},                            \
  {"cgroupns", 0, OptType::String, "Cgroup namespace to use (host|private)", {}, Comp::Enum, "host private"},    \
  {"cgroups", 0, OptType::String, "Control container cgroup configuration (enabled, disabled, no-conmon, split)", \
   "enabled", Comp::Enum, "enabled disabled no-conmon split"},                                                   \
  {"cpu-period", 0, OptType::Int, "Limit CPU CFS (Completely Fair Scheduler) period"},                          \
  {"cpu-quota", 0, OptType::Int, "Limit CPU CFS (Completely Fair Scheduler) quota"},                            \
  {"cpu-rt-period", 0, OptType::Int, "Limit CPU real-time period in microseconds"},                             \
  {"cpu-rt-runtime", 0, OptType::Int, "Limit CPU real-time runtime in microseconds"},                           \
  {"cpu-shares", 'c', OptType::Int, "CPU shares (relative weight)"},                                            \
  {"cpus", 0, OptType::String, "Number of CPUs"},                                                               \
  {"cpuset-cpus", 0, OptType::String, "CPUs in which to allow execution (0-3, 0,1)"},                           \
  {"cpuset-mems", 0, OptType::String, "MEMs in which to allow execution (0-3, 0,1)"},                           \
  {"device", 0, OptType::List, "Add a host device to the container", {}, Comp::Files},                          \
  {"device-cgroup-rule", 0, OptType::List, "Add a rule to the cgroup allowed devices list"},                    \
  {"device-read-bps", 0, OptType::List, "Limit read rate (bytes per second) from a device"},                    \
  {"device-read-iops", 0, OptType::List, "Limit read rate (IO per second) from a device"},                      \
  {"device-write-bps", 0, OptType::List, "Limit write rate (bytes per second) to a device"},                    \
  {"device-write-iops", 0, OptType::List, "Limit write rate (IO per second) to a device"},                      \
  {"kernel-memory", 0, OptType::Bytes, "Kernel memory limit (ignored, as Docker's)"},                           \
  {"memory", 'm', OptType::Bytes, "Memory limit"},                                                              \
  {"memory-reservation", 0, OptType::Bytes, "Memory soft limit"},                                               \
  {"memory-swap", 0, OptType::String, "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"},   \
  {"memory-swappiness", 0, OptType::Int, "Tune container memory swappiness (0 to 100)", "-1"},                  \
  {"oom-kill-disable", 0, OptType::Bool, "Disable OOM Killer"},                                                 \
  {"oom-score-adj", 0, OptType::Int, "Tune host's OOM preferences (-1000 to 1000)"},                            \
  {"pids-limit", 0, OptType::Int, "Tune container pids limit (set -1 for unlimited)"},                          \
  {"shm-size", 0, OptType::Bytes, "Size of /dev/shm"}
// clang-format on
