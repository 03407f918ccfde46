#include "skiff/util/plugin.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <mutex>

#include "skiff/util/fd.hpp"
#include "skiff/util/log.hpp"

// Provided by the assembler stub that .incbin's out/libskiff-io.so (see the Makefile). Weak so
// that unit-test binaries, which link the plugin objects directly, need no blob.
extern "C" {
extern const char skiff_plugin_start[] __attribute__((weak));
extern const char skiff_plugin_end[] __attribute__((weak));
}

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

namespace skiff {

namespace {
std::mutex g_mu;
void* g_handle = nullptr;
std::atomic<bool> g_loaded{false};
std::string g_error;

Status load_plugin_locked() {
  if (g_handle) return ok();
  if (!g_error.empty()) return fail(ELIBACC, g_error);
  auto start = reinterpret_cast<uintptr_t>(skiff_plugin_start);
  auto end = reinterpret_cast<uintptr_t>(skiff_plugin_end);
  if (!start || !end || end <= start) {
    g_error = "the I/O plugin is not embedded in this binary";
    return fail(ELIBACC, g_error);
  }
  size_t size = size_t(end - start);
  // MFD_EXEC is needed where vm.memfd_noexec=1; older kernels reject the unknown flag.
  int fd = memfd_create("skiff-io", MFD_CLOEXEC | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) fd = memfd_create("skiff-io", MFD_CLOEXEC);
  if (fd < 0) {
    g_error = fmt::format("load the I/O plugin: memfd_create: {}", strerror(errno));
    return fail(ELIBACC, g_error);
  }
  UniqueFd mfd(fd);
  if (auto w = write_all(fd, std::string_view(skiff_plugin_start, size)); !w) {
    g_error = "load the I/O plugin: " + w.error().msg;
    return fail(ELIBACC, g_error);
  }
  std::string path = fd_path(fd);
  void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!h) {
    g_error = fmt::format("load the I/O plugin: {}", dlerror());
    return fail(ELIBACC, g_error);
  }
  g_handle = h;
  g_loaded = true;
  log::debug("loaded the I/O plugin ({} bytes)", size);
  return ok();
}
}  // namespace

Result<void*> plugin_symbol(const char* name) {
  // Unit tests (and any binary linking the plugin objects) export the symbols themselves.
  if (void* p = dlsym(RTLD_DEFAULT, name)) return p;
  std::lock_guard<std::mutex> lk(g_mu);
  TRY(load_plugin_locked());
  void* p = dlsym(g_handle, name);
  if (!p) return fail(ELIBACC, fmt::format("the I/O plugin has no symbol `{}`", name));
  return p;
}

bool plugin_loaded() { return g_loaded.load(); }

}  // namespace skiff
