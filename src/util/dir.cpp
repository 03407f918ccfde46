#include "skiff/util/dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>

namespace skiff {

Dir& Dir::operator=(Dir&& o) noexcept {
  if (this != &o) {
    if (d_) closedir(d_);
    d_ = std::exchange(o.d_, nullptr);
    err_ = o.err_;
  }
  return *this;
}

Dir::~Dir() {
  if (d_) closedir(d_);
}

Result<Dir> Dir::adopt(UniqueFd fd) {
  DIR* d = fdopendir(fd.get());
  if (!d) return fail_errno("opendir");
  (void)fd.release();  // the DIR owns it now
  Dir out;
  out.d_ = d;
  return out;
}

Result<Dir> Dir::open_at(int dirfd, std::string_view path, int flags) {
  auto fd = TRY(skiff::open_at(dirfd, path, O_RDONLY | O_DIRECTORY | flags));
  auto d = adopt(std::move(fd));
  if (!d) return fail(d.error().code, fmt::format("opendir `{}`: {}", path, strerror(d.error().code)));
  return d;
}

Result<Dir> Dir::dup_of(int fd) {
  int dup = fcntl(fd, F_DUPFD_CLOEXEC, 0);
  if (dup < 0) return fail_errno("dup");
  auto d = TRY(adopt(UniqueFd(dup)));
  rewinddir(d.d_);
  return d;
}

int Dir::fd() const { return d_ ? dirfd(d_) : -1; }

struct dirent* Dir::next() {
  if (!d_) return nullptr;
  for (;;) {
    errno = 0;
    struct dirent* e = readdir(d_);
    if (!e) {
      err_ = errno;
      return nullptr;
    }
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) return e;
  }
}

static Status each(Dir& d, const std::function<Status(int, const struct dirent&)>& fn) {
  while (struct dirent* e = d.next()) TRY(fn(d.fd(), *e));
  if (d.error()) return fail_errno("read directory", d.error());
  return ok();
}

Status for_each_entry(int fd, const std::function<Status(int, const struct dirent&)>& fn) {
  auto d = TRY(Dir::dup_of(fd));
  return each(d, fn);
}

Status for_each_entry_at(int dirfd, std::string_view path, const std::function<Status(int, const struct dirent&)>& fn,
                         int flags) {
  auto d = TRY(Dir::open_at(dirfd, path, flags));
  return each(d, fn);
}

}  // namespace skiff
