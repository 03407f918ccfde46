#include "skiff/util/userns.hpp"

#include <sched.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>

#include "skiff/util/fd.hpp"
#include "skiff/util/ipc.hpp"
#include "skiff/util/process.hpp"
#include "skiff/util/strings.hpp"

namespace skiff {

// Child protocol: child → parent "U" after unshare (or "E<code>\n<msg>" if it failed);
// parent → child "M" once mapped (or closes the pipe on failure); child → parent the final
// status on the result pipe: empty = success, ipc::encode_error = failure.
void report_and_exit(int fd, const Error& e) {
  std::string s = ipc::encode_error(e);
  (void)!::write(fd, s.data(), s.size());
  _exit(1);
}

static Error parse_child_error(const std::string& s) { return ipc::decode_error(s); }

Result<UsernsWorker> start_in_userns(const IdMap& map, std::function<Status()> fn,
                                     std::vector<int> keep_fds, bool close_others) {
  auto to_parent = TRY(make_pipe());
  auto to_child = TRY(make_pipe());
  auto result = TRY(make_pipe());
  pid_t pid = fork();
  if (pid < 0) return fail_errno("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    to_parent.read.reset();
    to_child.write.reset();
    result.read.reset();
    keep_fds.insert(keep_fds.end(),
                    {to_parent.write.get(), to_child.read.get(), result.write.get()});
    if (close_others) close_other_fds(std::move(keep_fds));
    if (map.userns) {
      if (unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0)
        report_and_exit(result.write.get(), errno_error("unshare a user namespace"));
      (void)!::write(to_parent.write.get(), "U", 1);
      char c;
      if (::read(to_child.read.get(), &c, 1) != 1) _exit(1);
      if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
        report_and_exit(result.write.get(), errno_error("become root in the user namespace"));
    }
    to_parent.write.reset();
    to_child.read.reset();
    Status st = fn();
    if (!st) report_and_exit(result.write.get(), st.error());
    _exit(0);
  }
  ChildProcess child(pid);
  to_parent.write.reset();
  to_child.read.reset();
  result.write.reset();
  if (map.userns) {
    char c;
    ssize_t n = ::read(to_parent.read.get(), &c, 1);
    if (n == 1) {
      if (auto st = apply_idmap(pid, map); !st) {
        to_child.write.reset();
        (void)child.wait();
        return st.error();
      }
      (void)!::write(to_child.write.get(), "M", 1);
    }
  }
  return UsernsWorker(std::move(child), std::move(result.read));
}

Status UsernsWorker::wait() {
  auto msg = read_all(result_.get(), 1 << 20);
  auto status = TRY(child_.wait());
  if (msg && !msg->empty()) return parse_child_error(*msg);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return fail(EIO, fmt::format("storage worker died ({})", exit_code_from_status(status)));
  return ok();
}

Status run_in_userns(const IdMap& map, const std::function<Status()>& fn) {
  auto w = TRY(start_in_userns(map, fn, {}, /*close_others=*/false));
  return w.wait();
}

Status run_as_store_owner(const IdMap& map, const std::function<Status()>& fn) {
  if (!map.userns) return fn();
  return run_in_userns(map, fn);
}

}  // namespace skiff
