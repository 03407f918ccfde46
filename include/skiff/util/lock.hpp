#pragma once
// flock(2) locks: per open file description, released by the kernel on exit or kill -9.
// Lock order everywhere: container lock, then store lock (never the reverse).

#include <string_view>

#include "skiff/util/fd.hpp"
#include "skiff/util/result.hpp"

namespace skiff {

enum class LockMode { Shared, Exclusive };

/// A held lock; released when destroyed.
class FileLock {
 public:
  FileLock() = default;
  explicit FileLock(UniqueFd fd) : fd_(std::move(fd)) {}
  bool held() const { return fd_.valid(); }
  void release() { fd_.reset(); }
  int fd() const { return fd_.get(); }

 private:
  UniqueFd fd_;
};

/// Opens (creating, mode 0600) and locks `path`. With `wait` false a busy lock is EWOULDBLOCK.
Result<FileLock> lock_file(std::string_view path, LockMode mode, bool wait = true);

}  // namespace skiff
