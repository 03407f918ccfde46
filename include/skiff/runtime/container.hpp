#pragma once
// The runtime: turns an oci::Spec into a process (what crun/runc do). Called by the monitor,
// which must be single-threaded (it clones with new namespaces and the child may allocate).
//
// Start sequence (DESIGN.md "Start sequence"; the order matters for security):
//   M = the caller (monitor), C = the container's first process.
//   M: clone3(NEWUSER|NEWNS|NEWPID|NEWUTS|NEWIPC[|NEWNET]) → C
//   M: newuidmap/newgidmap on C, then tells C "mapped"
//   C: become root in the userns; make "/" MS_REC|MS_PRIVATE; mount the rootfs (overlay or a
//      bind of the vfs copy) in C's own mount namespace
//   C: mounts from the spec, each target resolved by fd inside the rootfs (openat2
//      RESOLVE_IN_ROOT) and mounted onto /proc/self/fd/N: proc, /dev tmpfs, devpts, shm,
//      mqueue, sysfs, cgroup, volumes, /etc/{hosts,hostname,resolv.conf}; /dev device binds
//   C: sethostname; pivot_root(".", "."); detach the old root
//   C: masked paths (ro tmpfs / bind of /dev/null after checking it is char 1:3) and
//      read-only paths (locked flags kept), read-only root
//   C: setsid; with a terminal: open ptmx in the container's devpts, send the master to M
//   C: close every fd but the sync socket and the stdio (no host directory fd may stay
//      reachable as /proc/self/fd/N: CVE-2024-21626); resolve the user in the container's
//      /etc/passwd and /etc/group; open the working directory inside the root (RESOLVE_IN_ROOT,
//      no magic links; created if missing), fchdir to it and check getcwd lies under the root
//   C: bounding set, keepcaps, groups, setresgid/setresuid, capset, ambient, no_new_privs,
//      seccomp last; then waits for "go" and execve()s. An exec failure comes back to M
//      over the close-on-exec sync socket (EOF there = exec succeeded).

#include <sys/types.h>

#include "skiff/oci/runtime_spec.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff::runtime {

/// The container's stdio when it has no terminal. -1 = /dev/null inside the container.
struct Stdio {
  int in = -1, out = -1, err = -1;
};

/// A created container process: set up and blocked before execve until start().
class Container {
 public:
  Container() = default;
  Container(Container&& o) noexcept
      : pid_(std::exchange(o.pid_, -1)), pidfd_(std::move(o.pidfd_)), sync_(std::move(o.sync_)),
        pty_master_(std::move(o.pty_master_)), netns_(std::move(o.netns_)), userns_(std::move(o.userns_)) {}
  Container& operator=(Container&& o) noexcept {
    if (this != &o) {
      kill_and_reap();
      pid_ = std::exchange(o.pid_, -1);
      pidfd_ = std::move(o.pidfd_);
      sync_ = std::move(o.sync_);
      pty_master_ = std::move(o.pty_master_);
      netns_ = std::move(o.netns_);
      userns_ = std::move(o.userns_);
    }
    return *this;
  }
  ~Container();

  pid_t pid() const { return pid_; }
  /// pidfd of the process (pidfd_open), or -1 on kernels without it.
  int pidfd() const { return pidfd_.get(); }
  /// The PTY master (terminal containers), taken by the caller.
  UniqueFd take_pty_master() { return std::move(pty_master_); }
  /// The process's network and user namespaces (Spec::send_ns_fds), taken by the caller.
  UniqueFd take_netns() { return std::move(netns_); }
  UniqueFd take_userns() { return std::move(userns_); }
  /// Lets the process execve. Returns once the exec happened, or the exec error:
  /// kCommandNotFound (127), kCannotInvoke (126), or another error (125).
  Status start();
  /// Forget the process (the caller now owns reaping it).
  void release() { pid_ = -1; }

 private:
  friend Result<Container> create(const oci::Spec& spec, const Stdio& stdio);
  friend Result<Container> exec(const oci::Spec& spec, pid_t target, uint64_t target_start, const Stdio& stdio);
  friend Status await_ready(Container& c);
  void kill_and_reap();
  pid_t pid_ = -1;
  UniqueFd pidfd_;
  UniqueFd sync_;
  UniqueFd pty_master_;
  UniqueFd netns_, userns_;
};

/// Runs the start sequence up to "ready to exec". Errors name the step that failed
/// ("mount `/proc`: permission denied", "unable to find user foo: …").
Result<Container> create(const oci::Spec& spec, const Stdio& stdio);

/// Starts `spec.process` inside the running container whose first process is `target` (with
/// start time `target_start`, so a reused pid is refused): joins its user, mount, pid, uts,
/// ipc, net and cgroup namespaces (spec.new_userns / new_netns say which exist), then the same
/// tail as create(): terminal or stdio, user, environment, capabilities, seccomp; waits for
/// start(). The caller must be single-threaded; the exec'd process is its child (cloned with
/// CLONE_PARENT by a helper that joins the namespaces).
Result<Container> exec(const oci::Spec& spec, pid_t target, uint64_t target_start, const Stdio& stdio);

/// Reads the setup messages of a created/exec'd process until it is ready.
Status await_ready(Container& c);

/// Resolves "user[:group]" against passwd/group file contents as Docker does (names or
/// numeric ids; a numeric uid not in passwd is fine; a name that is missing is an error:
/// "unable to find user NAME: no matching entries in passwd file"). Returns uid, gid, the
/// supplementary gids (from /etc/group membership plus `extra` groups) and HOME.
struct ResolvedUser {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> groups;
  std::string home = "/";
};
Result<ResolvedUser> resolve_user(const std::string& spec, const std::string& passwd,
                                  const std::string& group, const std::vector<std::string>& extra);

/// Checks the numeric ids of "user[:group]" and of `extra` groups (names are resolved later,
/// against the image): each within 0-2147483647, runc's range ("uids and gids must be in range
/// 0-2147483647"), never truncated to 32 bits.
Status check_user_ids(const std::string& spec, const std::vector<std::string>& extra);

/// Looks up `cmd` in `path` (":"-separated) within the container root (as seen by the calling
/// process, after pivot_root): the first regular, executable file. Empty if none.
std::string lookup_executable(const std::string& cmd, const std::string& path);

}  // namespace skiff::runtime
