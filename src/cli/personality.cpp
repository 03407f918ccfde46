// Podman compatibility that is not a command: Podman's global options.
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <limits.h>
#include <unistd.h>

#include "command.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/log.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

void set_podman_global(PodmanGlobals& g, std::string_view name, const std::string& v) {
  if (name == "noout") g.noout = v == "true";
  else if (name == "tmpdir") g.tmpdir = v;
  else if (name == "volumepath") g.volumepath = v;
  else if (name == "events-backend") g.events_backend = v;
  else if (name == "runtime-flag") g.runtime_flags.push_back(v);
}

Status apply_podman_globals(const PodmanGlobals& g) {
  if (!g.events_backend.empty() && g.events_backend != "file" && g.events_backend != "journald" &&
      g.events_backend != "none")
    return fail(kInvalid, fmt::format("invalid --events-backend {}: use file, journald or none",
                                      go_quote(g.events_backend)));
  for (auto& f : g.runtime_flags)
    log::debug("--runtime-flag {}: ignored (skiff is its own OCI runtime)", f);
  if (!g.tmpdir.empty()) {
    struct stat st;
    if (stat(g.tmpdir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
      return fail(kInvalid, fmt::format("--tmpdir {}: not a directory (create it first)", g.tmpdir));
    setenv("TMPDIR", g.tmpdir.c_str(), 1);
  }
  if (g.noout) {
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd < 0) return fail(errno, "--noout: open /dev/null");
    dup2(fd, 1);
    close(fd);
  }
  return ok();
}

Status check_volumepath(const PodmanGlobals& g, const std::string& graph_root) {
  if (g.volumepath.empty()) return ok();
  std::string want = graph_root + "/volumes";
  auto real = [](const std::string& p) {
    char buf[PATH_MAX];
    return realpath(p.c_str(), buf) ? std::string(buf) : p;
  };
  std::string a = g.volumepath, b = want;
  while (a.size() > 1 && a.back() == '/') a.pop_back();
  if (a == b || real(a) == real(b)) return ok();
  return fail(kInvalid, fmt::format("--volumepath {}: skiff keeps volumes in the store, {} (choose the store with --root)",
                                    g.volumepath, want));
}

}  // namespace skiff::cli
