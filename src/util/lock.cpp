#include "skiff/util/lock.hpp"

#include <fcntl.h>
#include <sys/file.h>

namespace skiff {

Result<FileLock> lock_file(std::string_view path, LockMode mode, bool wait) {
  auto fd = open_path(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0600);
  if (!fd) return fd.error();
  int op = (mode == LockMode::Shared ? LOCK_SH : LOCK_EX) | (wait ? 0 : LOCK_NB);
  for (;;) {
    if (flock(fd->get(), op) == 0) break;
    if (errno == EINTR) continue;
    return fail_errno(fmt::format("lock `{}`", path));
  }
  return FileLock(std::move(*fd));
}

}  // namespace skiff
