#pragma once
// Child processes: spawning helper programs (newuidmap, …) and owning forked children.

#include <sys/types.h>

#include <string>
#include <vector>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

/// A forked child that is killed (SIGKILL) and reaped on destruction unless waited or released.
class ChildProcess {
 public:
  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ChildProcess(ChildProcess&& o) noexcept : pid_(o.release()) {}
  ChildProcess& operator=(ChildProcess&& o) noexcept;
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  /// Waits for exit; returns the raw wait status.
  Result<int> wait();
  /// Forgets the child (it is someone else's to reap).
  pid_t release() { return std::exchange(pid_, -1); }

 private:
  pid_t pid_ = -1;
};

/// waitpid(pid, …, 0) retried on EINTR: the raw wait status of our child `pid`.
Result<int> wait_child(pid_t pid);

/// pidfd_open(2): an fd that polls readable when `pid` exits and that signals that very process
/// even after its pid is reused. ESRCH: gone; ENOSYS: a kernel before 5.3.
Result<UniqueFd> pidfd_open(pid_t pid);

struct ProgramResult {
  int status = 0;        ///< raw wait status
  std::string out, err;  ///< captured stdout / stderr (bounded)
  bool ok() const;       ///< exited with 0
  int exit_code() const; ///< exit code, or 128+signal
};

/// Runs argv[0] (searched in PATH) with argv, stdin from /dev/null (or `input`), waits, and
/// captures output. Fails only if the program cannot be started.
Result<ProgramResult> run_program(const std::vector<std::string>& argv, const std::string& input = "");

/// Runs several programs at once (posix_spawn, stdin /dev/null) and waits for all of them;
/// results in the same order. Used for newuidmap + newgidmap, which are independent.
Result<std::vector<ProgramResult>> run_programs(const std::vector<std::vector<std::string>>& argvs);

/// Finds `name` in PATH (or returns it if it contains '/'); empty if not found/executable.
std::string find_in_path(const std::string& name);

/// Number of threads in this process (from /proc/self/stat); unshare/setns of a user
/// namespace need 1.
int thread_count();

/// Start time of `pid` in clock ticks since boot (field 22 of /proc/pid/stat), 0 if gone
/// (a zombie counts as gone).
/// A pid plus its start time identifies a process even after the pid is reused.
uint64_t process_start_time(pid_t pid);

/// Formats a wait status as Docker's exit code: the exit status, or 128+signal.
int exit_code_from_status(int status);

}  // namespace skiff
