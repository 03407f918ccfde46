// Docker's default seccomp profile, as data.
//
// Source: moby's profiles/seccomp (default_linux.go and the default.json generated from it)
// as shipped by Docker Engine 28 — the state moby/profiles was extracted at (moby commit
// e1281f09, July 2025): syscalls up to Linux 6.13 (moby#50077), lsm_* behind CAP_SYS_ADMIN
// (moby#50097), socket() for every family but AF_VSOCK, io_uring_* not allowed (moby#46762),
// add_key/keyctl/request_key not allowed, unshare behind CAP_SYS_ADMIN.
//
// Later moby/profiles work not (yet) followed here, to be revisited deliberately: allowing the
// keyring syscalls (moby/profiles#2), socket() by an allow-list of address families, a
// LoongArch archMap entry, and unshare() outside the CAP_SYS_ADMIN gate.
//
// Semantics: the default action is ERRNO(EPERM); every entry below is an allow rule unless it
// says otherwise. `includes`/`excludes` are evaluated per container against its bounding set,
// the host arch (moby's names: amd64, arm64, x86, …) and the kernel version; see seccomp.hpp.
// Keep one syscall group per entry, in moby's order, each with the reason it exists.
#include <cerrno>
#include <span>
#include <string_view>

#include "skiff/runtime/seccomp.hpp"

namespace skiff::runtime {
namespace {

using Names = std::span<const std::string_view>;

struct TableArg {
  uint32_t index;
  uint64_t value;
  uint64_t value_two;
  SeccompOp op;
};

struct TableFilter {
  Names caps{};
  Names arches{};
  KernelVersion min_kernel{};  // 0.0 = none
};

struct TableRule {
  Names names;
  SeccompAction action = SeccompAction::kAllow;
  int errno_ret = -1;  // -1: none
  std::span<const TableArg> args{};
  TableFilter includes{};
  TableFilter excludes{};
  std::string_view comment{};
};

struct TableArch {
  std::string_view arch;
  Names sub_arches;
};

// --- archMap: the native arch and the compat ABIs its kernel also runs -------------------
constexpr std::string_view kX86_64Subs[] = {"SCMP_ARCH_X86", "SCMP_ARCH_X32"};
constexpr std::string_view kAarch64Subs[] = {"SCMP_ARCH_ARM"};
constexpr std::string_view kMips64Subs[] = {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"};
constexpr std::string_view kMips64N32Subs[] = {"SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64"};
constexpr std::string_view kMipsel64Subs[] = {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64N32"};
constexpr std::string_view kMipsel64N32Subs[] = {"SCMP_ARCH_MIPSEL", "SCMP_ARCH_MIPSEL64"};
constexpr std::string_view kS390xSubs[] = {"SCMP_ARCH_S390"};

constexpr TableArch kArchMap[] = {
    {"SCMP_ARCH_X86_64", kX86_64Subs},
    {"SCMP_ARCH_AARCH64", kAarch64Subs},
    {"SCMP_ARCH_MIPS64", kMips64Subs},
    {"SCMP_ARCH_MIPS64N32", kMips64N32Subs},
    {"SCMP_ARCH_MIPSEL64", kMipsel64Subs},
    {"SCMP_ARCH_MIPSEL64N32", kMipsel64N32Subs},
    {"SCMP_ARCH_S390X", kS390xSubs},
    {"SCMP_ARCH_RISCV64", {}},
};

// --- the groups -----------------------------------------------------------------------------

// Safe for everyone: file, memory, signal, time, IPC and socket calls that only act on the
// caller's own resources or are checked by namespaced permissions. Names that do not exist on
// an arch (chown32 on x86_64, …) are skipped at compile time.
constexpr std::string_view kAllowAlways[] = {
    "accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat", "capget",
    "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime", "clock_adjtime64",
    "clock_getres", "clock_getres_time64", "clock_gettime", "clock_gettime64",
    "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range", "connect",
    "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create", "epoll_create1",
    "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2", "epoll_wait", "epoll_wait_old",
    "eventfd", "eventfd2", "execve", "execveat", "exit", "exit_group", "faccessat", "faccessat2",
    "fadvise64", "fadvise64_64", "fallocate", "fanotify_mark", "fchdir", "fchmod", "fchmodat",
    "fchmodat2", "fchown", "fchown32", "fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr",
    "flistxattr", "flock", "fork", "fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64",
    "fstatfs", "fstatfs64", "fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue",
    "futex_time64", "futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd",
    "getdents", "getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid",
    "getgid32", "getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp",
    "getpid", "getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
    "getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
    "getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32", "getxattr",
    "getxattrat", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
    "io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents", "io_pgetevents_time64",
    "ioprio_get", "ioprio_set", "io_setup", "io_submit", "ipc", "kill", "landlock_add_rule",
    "landlock_create_ruleset", "landlock_restrict_self", "lchown", "lchown32", "lgetxattr",
    "link", "linkat", "listen", "listmount", "listxattr", "listxattrat", "llistxattr", "_llseek",
    "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise", "map_shadow_stack",
    "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir", "mkdirat", "mknod",
    "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2", "mprotect", "mq_getsetattr",
    "mq_notify", "mq_open", "mq_timedreceive", "mq_timedreceive_time64", "mq_timedsend",
    "mq_timedsend_time64", "mq_unlink", "mremap", "mseal", "msgctl", "msgget", "msgrcv",
    "msgsnd", "msync", "munlock", "munlockall", "munmap", "name_to_handle_at", "nanosleep",
    "newfstatat", "_newselect", "open", "openat", "openat2", "pause", "pidfd_open",
    "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc", "pkey_free", "pkey_mprotect", "poll",
    "ppoll", "ppoll_time64", "prctl", "pread64", "preadv", "preadv2", "prlimit64",
    "process_mrelease", "pselect6", "pselect6_time64", "pwrite64", "pwritev", "pwritev2", "read",
    "readahead", "readlink", "readlinkat", "readv", "recv", "recvfrom", "recvmmsg",
    "recvmmsg_time64", "recvmsg", "remap_file_pages", "removexattr", "removexattrat", "rename",
    "renameat", "renameat2", "restart_syscall", "riscv_hwprobe", "rmdir", "rseq",
    "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo", "rt_sigreturn",
    "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64", "rt_tgsigqueueinfo",
    "sched_getaffinity", "sched_getattr", "sched_getparam", "sched_get_priority_max",
    "sched_get_priority_min", "sched_getscheduler", "sched_rr_get_interval",
    "sched_rr_get_interval_time64", "sched_setaffinity", "sched_setattr", "sched_setparam",
    "sched_setscheduler", "sched_yield", "seccomp", "select", "semctl", "semget", "semop",
    "semtimedop", "semtimedop_time64", "send", "sendfile", "sendfile64", "sendmmsg", "sendmsg",
    "sendto", "setfsgid", "setfsgid32", "setfsuid", "setfsuid32", "setgid", "setgid32",
    "setgroups", "setgroups32", "setitimer", "setpgid", "setpriority", "setregid", "setregid32",
    "setresgid", "setresgid32", "setresuid", "setresuid32", "setreuid", "setreuid32",
    "setrlimit", "set_robust_list", "setsid", "setsockopt", "set_thread_area",
    "set_tid_address", "setuid", "setuid32", "setxattr", "setxattrat", "shmat", "shmctl",
    "shmdt", "shmget", "shutdown", "sigaltstack", "signalfd", "signalfd4", "sigprocmask",
    "sigreturn", "socketcall", "socketpair", "splice", "stat", "stat64", "statfs", "statfs64",
    "statmount", "statx", "symlink", "symlinkat", "sync", "sync_file_range", "syncfs", "sysinfo",
    "tee", "tgkill", "time", "timer_create", "timer_delete", "timer_getoverrun",
    "timer_gettime", "timer_gettime64", "timer_settime", "timer_settime64", "timerfd_create",
    "timerfd_gettime", "timerfd_gettime64", "timerfd_settime", "timerfd_settime64", "times",
    "tkill", "truncate", "truncate64", "ugetrlimit", "umask", "uname", "unlink", "unlinkat",
    "uretprobe", "utime", "utimensat", "utimensat_time64", "utimes", "vfork", "vmsplice",
    "wait4", "waitid", "waitpid", "write", "writev",
};

// ptrace could bypass seccomp before Linux 4.8; from 4.8 on it is as safe as the rest.
constexpr std::string_view kPtraceFamily[] = {"process_vm_readv", "process_vm_writev", "ptrace"};

// socket(2): any family but AF_VSOCK (40), which reaches the hypervisor's host, not the
// container's network namespace.
constexpr std::string_view kSocket[] = {"socket"};
constexpr TableArg kNotVsock[] = {{0, 40, 0, SeccompOp::kNe}};

// personality(2): only the query (0xffffffff) and the harmless personas: PER_LINUX (0),
// PER_LINUX32 (8), UNAME26 (0x20000), PER_LINUX32|UNAME26 (0x20008). Others (ADDR_NO_RANDOMIZE,
// READ_IMPLIES_EXEC, …) weaken exploit mitigations.
constexpr std::string_view kPersonality[] = {"personality"};
constexpr TableArg kPersonaLinux[] = {{0, 0x0, 0, SeccompOp::kEq}};
constexpr TableArg kPersonaLinux32[] = {{0, 0x0008, 0, SeccompOp::kEq}};
constexpr TableArg kPersonaUname26[] = {{0, 0x20000, 0, SeccompOp::kEq}};
constexpr TableArg kPersonaLinux32Uname26[] = {{0, 0x20008, 0, SeccompOp::kEq}};
constexpr TableArg kPersonaQuery[] = {{0, 0xffffffff, 0, SeccompOp::kEq}};

// Arch-specific calls, allowed only where they exist.
constexpr std::string_view kPpc64leOnly[] = {"sync_file_range2", "swapcontext"};
constexpr std::string_view kArchPpc64le[] = {"ppc64le"};
constexpr std::string_view kArmOnly[] = {"arm_fadvise64_64", "arm_sync_file_range",
                                         "sync_file_range2", "breakpoint", "cacheflush",
                                         "set_tls"};
constexpr std::string_view kArchArm[] = {"arm", "arm64"};
constexpr std::string_view kArchPrctl[] = {"arch_prctl"};
constexpr std::string_view kArchAmd64X32[] = {"amd64", "x32"};
constexpr std::string_view kModifyLdt[] = {"modify_ldt"};
constexpr std::string_view kArchAmd64X32X86[] = {"amd64", "x32", "x86"};
constexpr std::string_view kS390Only[] = {"s390_pci_mmio_read", "s390_pci_mmio_write",
                                          "s390_runtime_instr"};
constexpr std::string_view kArchS390[] = {"s390", "s390x"};
constexpr std::string_view kRiscvOnly[] = {"riscv_flush_icache"};
constexpr std::string_view kArchRiscv64[] = {"riscv64"};

// Capability-gated groups: the syscall is allowed when the container holds the capability
// that the kernel would check anyway (so --cap-add makes the call usable, not just legal).
constexpr std::string_view kOpenByHandle[] = {"open_by_handle_at"};
constexpr std::string_view kCapDacReadSearch[] = {"CAP_DAC_READ_SEARCH"};

constexpr std::string_view kSysAdminGroup[] = {
    "bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
    "lookup_dcookie", "lsm_get_self_attr", "lsm_list_modules", "lsm_set_self_attr", "mount",
    "mount_setattr", "move_mount", "open_tree", "perf_event_open", "quotactl", "quotactl_fd",
    "setdomainname", "sethostname", "setns", "syslog", "umount", "umount2", "unshare",
};
constexpr std::string_view kCapSysAdmin[] = {"CAP_SYS_ADMIN"};

// clone(2) without CAP_SYS_ADMIN: no new namespaces. Mask = CLONE_NEWNS | CLONE_NEWUTS |
// CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWCGROUP = 0x7E020000;
// the flags are argument 0, argument 1 on s390.
constexpr std::string_view kClone[] = {"clone"};
constexpr uint64_t kCloneNsMask = 0x7E020000;
constexpr TableArg kCloneNoNsArg0[] = {{0, kCloneNsMask, 0, SeccompOp::kMaskedEq}};
constexpr TableArg kCloneNoNsArg1[] = {{1, kCloneNsMask, 0, SeccompOp::kMaskedEq}};

// clone3(2) passes its flags in memory, out of seccomp's reach: without CAP_SYS_ADMIN answer
// ENOSYS so the libc falls back to clone(2), whose flags the rule above can check.
constexpr std::string_view kClone3[] = {"clone3"};

constexpr std::string_view kReboot[] = {"reboot"};
constexpr std::string_view kCapSysBoot[] = {"CAP_SYS_BOOT"};
constexpr std::string_view kChroot[] = {"chroot"};
constexpr std::string_view kCapSysChroot[] = {"CAP_SYS_CHROOT"};
constexpr std::string_view kModules[] = {"delete_module", "init_module", "finit_module"};
constexpr std::string_view kCapSysModule[] = {"CAP_SYS_MODULE"};
constexpr std::string_view kAcct[] = {"acct"};
constexpr std::string_view kCapSysPacct[] = {"CAP_SYS_PACCT"};
constexpr std::string_view kPtraceGroup[] = {"kcmp", "pidfd_getfd", "process_madvise",
                                             "process_vm_readv", "process_vm_writev", "ptrace"};
constexpr std::string_view kCapSysPtrace[] = {"CAP_SYS_PTRACE"};
constexpr std::string_view kIoPorts[] = {"iopl", "ioperm"};
constexpr std::string_view kCapSysRawio[] = {"CAP_SYS_RAWIO"};
constexpr std::string_view kSetTime[] = {"settimeofday", "stime", "clock_settime",
                                         "clock_settime64"};
constexpr std::string_view kCapSysTime[] = {"CAP_SYS_TIME"};
constexpr std::string_view kVhangup[] = {"vhangup"};
constexpr std::string_view kCapSysTtyConfig[] = {"CAP_SYS_TTY_CONFIG"};
constexpr std::string_view kMempolicy[] = {"get_mempolicy", "mbind", "set_mempolicy",
                                           "set_mempolicy_home_node"};
constexpr std::string_view kCapSysNice[] = {"CAP_SYS_NICE"};
constexpr std::string_view kSyslog[] = {"syslog"};
constexpr std::string_view kCapSyslog[] = {"CAP_SYSLOG"};
constexpr std::string_view kBpf[] = {"bpf"};
constexpr std::string_view kCapBpf[] = {"CAP_BPF"};
constexpr std::string_view kPerfEventOpen[] = {"perf_event_open"};
constexpr std::string_view kCapPerfmon[] = {"CAP_PERFMON"};

using enum SeccompAction;

constexpr TableRule kDockerDefault[] = {
    // Everything safe for everyone.
    {.names = kAllowAlways},
    // ptrace and process_vm_*: safe since Linux 4.8 closed the seccomp bypass.
    {.names = kPtraceFamily, .includes = {.min_kernel = {4, 8}}},
    // socket(): every address family but AF_VSOCK.
    {.names = kSocket, .args = kNotVsock},
    // personality(): harmless personas and the query only.
    {.names = kPersonality, .args = kPersonaLinux},
    {.names = kPersonality, .args = kPersonaLinux32},
    {.names = kPersonality, .args = kPersonaUname26},
    {.names = kPersonality, .args = kPersonaLinux32Uname26},
    {.names = kPersonality, .args = kPersonaQuery},
    // Arch-specific calls.
    {.names = kPpc64leOnly, .includes = {.arches = kArchPpc64le}},
    {.names = kArmOnly, .includes = {.arches = kArchArm}},
    {.names = kArchPrctl, .includes = {.arches = kArchAmd64X32}},
    {.names = kModifyLdt, .includes = {.arches = kArchAmd64X32X86}},
    {.names = kS390Only, .includes = {.arches = kArchS390}},
    {.names = kRiscvOnly, .includes = {.arches = kArchRiscv64}},
    // open_by_handle_at(): the "shocker" escape; needs CAP_DAC_READ_SEARCH anyway.
    {.names = kOpenByHandle, .includes = {.caps = kCapDacReadSearch}},
    // Mounts, namespaces, BPF, tracing, host names: container admin only.
    {.names = kSysAdminGroup, .includes = {.caps = kCapSysAdmin}},
    // clone() without CAP_SYS_ADMIN: threads and processes, no namespaces.
    {.names = kClone,
     .args = kCloneNoNsArg0,
     .excludes = {.caps = kCapSysAdmin, .arches = kArchS390}},
    {.names = kClone,
     .args = kCloneNoNsArg1,
     .includes = {.arches = kArchS390},
     .excludes = {.caps = kCapSysAdmin},
     .comment = "s390 parameter ordering for clone is different"},
    // clone3() without CAP_SYS_ADMIN: ENOSYS, so the libc uses clone().
    {.names = kClone3, .action = kErrno, .errno_ret = ENOSYS, .excludes = {.caps = kCapSysAdmin}},
    // Each of these is checked by the kernel against the named capability.
    {.names = kReboot, .includes = {.caps = kCapSysBoot}},
    {.names = kChroot, .includes = {.caps = kCapSysChroot}},
    {.names = kModules, .includes = {.caps = kCapSysModule}},
    {.names = kAcct, .includes = {.caps = kCapSysPacct}},
    {.names = kPtraceGroup, .includes = {.caps = kCapSysPtrace}},
    {.names = kIoPorts, .includes = {.caps = kCapSysRawio}},
    {.names = kSetTime, .includes = {.caps = kCapSysTime}},
    {.names = kVhangup, .includes = {.caps = kCapSysTtyConfig}},
    {.names = kMempolicy, .includes = {.caps = kCapSysNice}},
    {.names = kSyslog, .includes = {.caps = kCapSyslog}},
    {.names = kBpf, .includes = {.caps = kCapBpf}},
    {.names = kPerfEventOpen, .includes = {.caps = kCapPerfmon}},
};

std::vector<std::string> to_strings(Names names) { return {names.begin(), names.end()}; }

SeccompFilter to_filter(const TableFilter& f) {
  SeccompFilter out{to_strings(f.caps), to_strings(f.arches), std::nullopt};
  if (f.min_kernel != KernelVersion{}) out.min_kernel = f.min_kernel;
  return out;
}

}  // namespace

SeccompProfile default_seccomp_profile() {
  SeccompProfile p;
  p.default_action = SeccompAction::kErrno;
  p.default_errno_ret = EPERM;
  for (const TableArch& a : kArchMap)
    p.arch_map.push_back({std::string(a.arch), to_strings(a.sub_arches)});
  for (const TableRule& r : kDockerDefault) {
    SeccompRule out;
    out.names = to_strings(r.names);
    out.action = r.action;
    if (r.errno_ret >= 0) out.errno_ret = static_cast<uint32_t>(r.errno_ret);
    for (const TableArg& a : r.args) out.args.push_back({a.index, a.value, a.value_two, a.op});
    out.includes = to_filter(r.includes);
    out.excludes = to_filter(r.excludes);
    out.comment = std::string(r.comment);
    p.syscalls.push_back(std::move(out));
  }
  return p;
}

}  // namespace skiff::runtime
