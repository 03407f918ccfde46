// Podman compatibility that is not a command: Podman's global options.
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <limits.h>
#include <unistd.h>

#include <optional>

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

namespace skiff::cli {

namespace {
Personality g_personality = Personality::Docker;

// "<prefix>No such container: X" → X (the phrase ends the message).
std::optional<std::string> after(const std::string& msg, std::string_view phrase, std::string& prefix) {
  auto at = msg.find(phrase);
  if (at == std::string::npos) return std::nullopt;
  prefix = msg.substr(0, at);
  return msg.substr(at + phrase.size());
}
}  // namespace

Personality personality() { return g_personality; }
std::string_view personality_name() { return g_personality == Personality::Podman ? "podman" : "docker"; }

Status init_personality(std::string_view argv0) {
  if (const char* env = getenv("SKIFF_COMPAT"); env && *env) {
    std::string_view v = env;
    if (v == "podman") g_personality = Personality::Podman;
    else if (v == "docker" || v == "skiff") g_personality = Personality::Docker;
    else return fail(kInvalid, fmt::format("unknown SKIFF_COMPAT value {}: use docker or podman", go_quote(v)));
    return ok();
  }
  auto slash = argv0.rfind('/');
  std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  g_personality = base == "podman" || base.starts_with("podman-") ? Personality::Podman : Personality::Docker;
  return ok();
}

std::string personality_error(const Error& e) {
  if (g_personality != Personality::Podman) return e.msg;
  std::string pre;
  if (auto x = after(e.msg, "No such container: ", pre))
    return fmt::format("{}no container with name or ID {} found: no such container", pre, go_quote(*x));
  if (auto x = after(e.msg, "No such image: ", pre)) return fmt::format("{}{}: image not known", pre, *x);
  if (auto x = after(e.msg, "No such object: ", pre))
    return fmt::format("{}inspecting object: no such object: {}", pre, go_quote(*x));
  if (auto x = after(e.msg, "no such volume: ", pre))
    return fmt::format("{}no volume with name {} found: no such volume", pre, go_quote(*x));
  return e.msg;
}

}  // namespace skiff::cli
