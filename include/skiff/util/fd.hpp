#pragma once
// Owners for kernel handles: every fd has exactly one owner and is closed on every path.

#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "skiff/util/result.hpp"

namespace skiff {

/// An owned file descriptor (fish's autoclose_fd_t). Closing never retries on EINTR.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    reset(o.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  ~UniqueFd() { reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  explicit operator bool() const noexcept { return fd_ >= 0; }
  /// Gives up ownership and returns the fd.
  [[nodiscard]] int release() noexcept { return std::exchange(fd_, -1); }
  /// Closes the current fd (if any) and takes `fd`.
  void reset(int fd = -1) noexcept;

 private:
  int fd_;
};

/// Both ends of a pipe or socketpair.
struct Pipe {
  UniqueFd read, write;
};

/// pipe2(O_CLOEXEC | extra_flags).
Result<Pipe> make_pipe(int extra_flags = 0);

/// socketpair(AF_UNIX, type | SOCK_CLOEXEC); `read` and `write` are just the two ends.
Result<Pipe> make_socketpair(int type);

/// openat(dirfd, path, flags | O_CLOEXEC, mode) as a UniqueFd; errors name the path.
Result<UniqueFd> open_at(int dirfd, std::string_view path, int flags, mode_t mode = 0);

/// open(path, flags | O_CLOEXEC, mode).
inline Result<UniqueFd> open_path(std::string_view path, int flags, mode_t mode = 0) {
  return open_at(-100 /*AT_FDCWD*/, path, flags, mode);
}

/// Writes all of `data`, retrying on EINTR and short writes.
Status write_all(int fd, std::string_view data);

/// Reads until EOF into a string (at most `limit` bytes; more is an error).
Result<std::string> read_all(int fd, size_t limit = 64u << 20);

/// Reads at most `n` bytes (one read(2), retried on EINTR). Returns 0 at EOF.
Result<size_t> read_some(int fd, void* buf, size_t n);

/// Sends `fd` over a unix socket with SCM_RIGHTS, with a one-byte payload `tag`.
Status send_fd(int sock, int fd, char tag = 'F');

/// Receives one fd sent by send_fd.
Result<UniqueFd> recv_fd(int sock);

/// "/proc/self/fd/N": a path that reaches an fd (for mount targets and long socket paths).
std::string fd_path(int fd);

/// In a freshly forked child: closes every fd >= 3 not in `keep` (close_range(2), with a loop
/// over the gaps on kernels before 5.9).
void close_other_fds(std::vector<int> keep);

}  // namespace skiff
