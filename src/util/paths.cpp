#include "skiff/util/paths.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>

#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff {

bool lookup_user(uid_t uid, std::string& name, std::string& home) {
  auto text = read_file("/etc/passwd");
  if (!text) return false;
  for (auto& line : split(*text, '\n')) {
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    if (parse_uint(f[2]) == std::optional<uint64_t>(uid)) {
      name = f[0];
      home = f[5];
      return true;
    }
  }
  return false;
}

Status ensure_private_dir(const std::string& path, uid_t uid) {
  if (mkdir(path.c_str(), 0700) < 0 && errno != EEXIST)
    return fail_errno(fmt::format("mkdir `{}`", path));
  struct stat st;
  if (lstat(path.c_str(), &st) < 0) return fail_errno(fmt::format("stat `{}`", path));
  if (!S_ISDIR(st.st_mode))
    return fail(EPERM, fmt::format("`{}` is not a directory (refusing to use it)", path));
  if (st.st_uid != uid)
    return fail(EPERM, fmt::format("`{}` is owned by uid {}, not {} (refusing to use it)", path,
                                   st.st_uid, uid));
  if (st.st_mode & 077)
    return fail(EPERM, fmt::format("`{}` has mode {:o}; it must be 0700 (refusing to use it)",
                                   path, st.st_mode & 07777));
  return ok();
}

static std::string env_or(const char* name, const std::string& dflt) {
  const char* v = getenv(name);
  return (v && *v) ? std::string(v) : dflt;
}

Result<Paths> resolve_paths(const std::string& root_override, const std::string& runroot_override) {
  Paths p;
  p.uid = geteuid();
  p.gid = getegid();
  p.rootless = p.uid != 0;
  std::string pw_home;
  if (!lookup_user(p.uid, p.user, pw_home)) p.user = std::to_string(p.uid);
  p.home = env_or("HOME", pw_home.empty() ? "/" : pw_home);
  p.config_home = env_or("XDG_CONFIG_HOME", p.home + "/.config");
  if (!p.rootless) {
    p.graph_root = "/var/lib/skiff";
    p.runtime_dir = "/run";
    p.run_root = "/run/skiff";
    p.runtime_dir_source = "rootful default";
  } else {
    p.graph_root = env_or("XDG_DATA_HOME", p.home + "/.local/share") + "/skiff";
    const char* xdg = getenv("XDG_RUNTIME_DIR");
    if (xdg && *xdg) {
      p.runtime_dir = xdg;
      p.runtime_dir_source = "$XDG_RUNTIME_DIR";
      // The same checks as for the fallback: another user who owns it, or may write to it,
      // could replace our run root (sockets, monitor configs) under us. Only when the run
      // root comes from it (an explicit --runroot does not use it).
      if (runroot_override.empty()) {
        struct stat st;
        if (stat(xdg, &st) < 0)
          return fail_errno(fmt::format("XDG_RUNTIME_DIR `{}`", xdg));
        const char* fix = "fix it, or unset XDG_RUNTIME_DIR, or give --runroot";
        if (!S_ISDIR(st.st_mode))
          return fail(EPERM, fmt::format("XDG_RUNTIME_DIR `{}` is not a directory (refusing to use it; {})", xdg, fix));
        if (st.st_uid != p.uid)
          return fail(EPERM, fmt::format("XDG_RUNTIME_DIR `{}` is owned by uid {}, not {} (refusing to use it; {})",
                                         xdg, st.st_uid, p.uid, fix));
        if (st.st_mode & 022)
          return fail(EPERM, fmt::format("XDG_RUNTIME_DIR `{}` has mode {:o}: others may write to it; it must be "
                                         "0700 (refusing to use it; {})", xdg, st.st_mode & 07777, fix));
        if (auto st2 = ensure_private_dir(std::string(xdg) + "/skiff", p.uid); !st2)
          return wrap(st2.error(), "the run root under XDG_RUNTIME_DIR is unsafe");
      }
    } else {
      // su, sudo, cron: no session. /run/user/$UID only if it is ours and private; else a
      // private directory under $TMPDIR that we create and verify (another user could have
      // made it first: then we refuse rather than use it).
      std::string run_user = fmt::format("/run/user/{}", p.uid);
      struct stat st;
      if (lstat(run_user.c_str(), &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == p.uid &&
          (st.st_mode & 077) == 0) {
        p.runtime_dir = run_user;
        p.runtime_dir_source = run_user + " (XDG_RUNTIME_DIR unset)";
      } else {
        std::string tmp = env_or("TMPDIR", "/tmp");
        std::string dir = fmt::format("{}/skiff-run-{}", tmp, p.uid);
        if (auto st2 = ensure_private_dir(dir, p.uid); !st2)
          return wrap(st2.error(), "XDG_RUNTIME_DIR is unset and the fallback runtime directory is unsafe");
        p.runtime_dir = dir;
        p.runtime_dir_source = dir + " (XDG_RUNTIME_DIR unset)";
      }
    }
    p.run_root = p.runtime_dir + "/skiff";
  }
  if (!root_override.empty()) p.graph_root = root_override;
  if (!runroot_override.empty()) {
    p.run_root = runroot_override;
    p.run_root_explicit = true;
  }
  return p;
}

}  // namespace skiff
