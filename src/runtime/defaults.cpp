// Container defaults as data (STYLE.md §5). Each table says where it comes from; change the
// policy here, and the unit tests in tests/unit/runtime/defaults_test.cpp, together.
#include "skiff/runtime/defaults.hpp"

#include <glob.h>
#include <linux/capability.h>
#include <sys/resource.h>

#include <algorithm>

namespace skiff::runtime {
namespace {

// Podman's default_capabilities (containers/common pkg/config, containers.conf since Podman 4.0).
// Docker's default adds CAP_AUDIT_WRITE, CAP_MKNOD and CAP_NET_RAW: rootless they buy little
// (no device nodes in a userns, ping works through net.ipv4.ping_group_range) and widen the
// attack surface, which is why Podman dropped them.
constexpr int kDefaultCaps[] = {
    CAP_CHOWN,             //  0 chown(2) any file
    CAP_DAC_OVERRIDE,      //  1 bypass file permission checks
    CAP_FOWNER,            //  3 bypass owner checks (chmod, utime)
    CAP_FSETID,            //  4 keep set-user-ID bits on modification
    CAP_KILL,              //  5 signal any process in the container
    CAP_SETGID,            //  6 change gids (su, login, daemons dropping privileges)
    CAP_SETUID,            //  7 change uids
    CAP_SETPCAP,           //  8 drop capabilities from the bounding set
    CAP_NET_BIND_SERVICE,  // 10 bind ports below 1024
    CAP_SYS_CHROOT,        // 18 chroot(2)
    CAP_SETFCAP,           // 31 set file capabilities
};

// Masked paths: kernel information that is global (not namespaced) or that leaks host
// details. Podman's list (containers/common pkg/config default_linux.go, podman
// pkg/util/mount_opts), which is Docker's (moby oci/defaults.go) plus /sys/fs/selinux and the
// thermal_throttle directories, minus /proc/asound that Podman makes read-only instead.
constexpr std::string_view kMaskedPaths[] = {
    "/proc/acpi",                     // ACPI tables and events of the host
    "/proc/interrupts",               // per-CPU interrupt counts of the host (side channel)
    "/proc/kcore",                    // the host's physical memory as an ELF core
    "/proc/keys",                     // keyrings visible to the user, keyring is not namespaced
    "/proc/latency_stats",            // kernel latency statistics
    "/proc/sched_debug",              // scheduler state of every host process
    "/proc/scsi",                     // SCSI devices, writable rescan interface
    "/proc/timer_list",               // pending timers with host process names
    "/proc/timer_stats",              // timer statistics (older kernels)
    "/sys/devices/virtual/powercap",  // RAPL energy counters (Platypus side channel)
    "/sys/firmware",                  // firmware tables (ACPI, DMI, EFI variables)
    "/sys/fs/selinux",                // the host's SELinux policy interface
    "/sys/devices/system/cpu/cpu*/thermal_throttle",  // CPU thermal counters (side channel)
};

// Read-only paths: interfaces that configure the host kernel if written.
constexpr std::string_view kReadonlyPaths[] = {
    "/proc/asound",         // sound cards (Docker masks it; Podman, and we, make it read-only)
    "/proc/bus",            // PCI/USB buses, writable config space
    "/proc/fs",             // filesystem tunables (nfsd, ...)
    "/proc/irq",            // IRQ affinity of the host
    "/proc/sys",            // sysctls; namespaced ones are set before this (step 9)
    "/proc/sysrq-trigger",  // magic SysRq: reboot, crash, OOM-kill the host
};

// The starting environment. Docker (container.CreateDaemonEnvironment): PATH, HOSTNAME, and
// TERM=xterm only with -t; the image's Env then replaces PATH if it sets one. Podman sets
// TERM=xterm always and adds container=podman; we keep Docker's TERM rule and take Podman's
// `container` variable, which is how systemd (and systemd-detect-virt) inside a container
// learns it runs in one; an unknown value is reported as "container-other".
constexpr DefaultEnv kDefaultEnv[] = {
    {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", EnvWhen::kAlways},
    {"HOSTNAME", "", EnvWhen::kHostname},
    {"TERM", "xterm", EnvWhen::kWithTty},
    {"container", "skiff", EnvWhen::kAlways},
};

// Podman's default rlimits (libpod container_internal_linux.go, define.RLimitDefaultValue
// = 1048576), applied when the user gives no --ulimit for that resource; clamped to the
// engine's own limits when it cannot raise them (rootless). Docker sets none and inherits
// containerd's (nofile 1024:524288 since Docker 25).
constexpr uint64_t kRlimitDefault = 1048576;
constexpr DefaultRlimit kDefaultRlimits[] = {
    {RLIMIT_NOFILE, kRlimitDefault, kRlimitDefault},  // open files
    {RLIMIT_NPROC, kRlimitDefault, kRlimitDefault},   // processes of the (container) uid
};

}  // namespace

std::span<const int> default_capabilities() { return kDefaultCaps; }
std::span<const std::string_view> default_masked_paths() { return kMaskedPaths; }
std::span<const std::string_view> default_readonly_paths() { return kReadonlyPaths; }
std::span<const DefaultEnv> default_environment() { return kDefaultEnv; }
std::span<const DefaultRlimit> default_rlimits_table() { return kDefaultRlimits; }

std::vector<std::string> expand_path_patterns(std::span<const std::string_view> paths) {
  std::vector<std::string> out;
  for (std::string_view p : paths) {
    if (p.find('*') == std::string_view::npos) {
      out.emplace_back(p);
      continue;
    }
    std::string pattern(p);
    glob_t g{};
    if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
      for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
    }
    globfree(&g);
  }
  return out;
}

std::vector<std::string> container_environment(std::span<const std::string> config_env, bool tty,
                                               std::string_view hostname) {
  std::vector<std::string> env;
  for (const DefaultEnv& d : kDefaultEnv) {
    switch (d.when) {
      case EnvWhen::kAlways:
        env.push_back(std::string(d.name) + "=" + std::string(d.value));
        break;
      case EnvWhen::kWithTty:
        if (tty) env.push_back(std::string(d.name) + "=" + std::string(d.value));
        break;
      case EnvWhen::kHostname:
        env.push_back(std::string(d.name) + "=" + std::string(hostname));
        break;
    }
  }
  // ReplaceOrAppendEnvValues: same name (up to '=') replaces in place, else appends.
  auto key = [](std::string_view kv) { return kv.substr(0, kv.find('=')); };
  for (const std::string& kv : config_env) {
    auto it = std::find_if(env.begin(), env.end(),
                           [&](const std::string& e) { return key(e) == key(kv); });
    if (it != env.end())
      *it = kv;
    else
      env.push_back(kv);
  }
  return env;
}

}  // namespace skiff::runtime
