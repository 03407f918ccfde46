// skiff-systemd-generator (`skiff __systemd-generator`): the Quadlet-style systemd generator
// (quadlet.hpp). systemd runs it with its output directories at boot and at every
// daemon-reload; --dryrun prints the units instead.
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "handlers.hpp"
#include "output.hpp"
#include "quadlet.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

namespace {

std::vector<std::string> search_dirs(bool user) {
  if (const char* env = getenv("QUADLET_UNIT_DIRS"); env && *env) return split(env, ':');
  if (!user) return {"/etc/containers/systemd", "/usr/share/containers/systemd"};
  std::string cfg;
  if (const char* x = getenv("XDG_CONFIG_HOME"); x && *x) cfg = x;
  else if (const char* h = getenv("HOME"); h && *h) cfg = std::string(h) + "/.config";
  std::vector<std::string> dirs;
  if (!cfg.empty()) dirs.push_back(cfg + "/containers/systemd");
  dirs.push_back(fmt::format("/etc/containers/systemd/users/{}", getuid()));
  dirs.push_back("/etc/containers/systemd/users");
  return dirs;
}

std::string self_path() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : "/usr/bin/skiff";
}

}  // namespace

Result<int> cmd_systemd_generator(Context&, const ParsedArgs& a) {
  bool dryrun = a.flag("dryrun");
  const char* scope = getenv("SYSTEMD_SCOPE");
  bool user = a.flag("user") || (scope && std::string_view(scope) == "user");
  if (!dryrun && a.positional.empty())
    return fail(kUsage, "missing output directory (systemd passes three; or use --dryrun)");
  std::string outdir = dryrun ? "" : a.positional[0];
  std::string exe = self_path();
  // The binary itself when called through a generator link: its real path, not the link's.
  std::set<std::string> seen;
  int rc = 0;
  for (auto& dir : search_dirs(user)) {
    auto names = list_dir(dir);
    if (!names) continue;
    std::sort(names->begin(), names->end());
    for (auto& n : *names) {
      auto dot = n.rfind('.');
      if (dot == std::string::npos || dot == 0) continue;
      std::string kind = n.substr(dot + 1), base = n.substr(0, dot);
      if (kind == "kube") {
        err(fmt::format("skiff-systemd-generator: {}/{}: .kube files are not supported yet\n", dir, n));
        continue;
      }
      if (kind != "container" && kind != "volume" && kind != "network" && kind != "pod") continue;
      if (!seen.insert(n).second) continue;  // an earlier directory's file of that name wins
      std::string path = dir + "/" + n;
      auto g = [&]() -> Result<quadlet::Generated> {
        auto text = TRY(read_file(path, 1 << 20));
        auto f = TRY(quadlet::parse(path, text));
        return quadlet::generate(f, base, kind, exe);
      }();
      if (!g) {
        err(fmt::format("skiff-systemd-generator: {}: {}\n", path, g.error().msg));
        rc = 1;
        continue;
      }
      for (auto& w : g->warnings) err(fmt::format("skiff-systemd-generator: {}\n", w));
      if (dryrun) {
        outf("---{}---\n{}\n", g->unit_name, g->text);
        continue;
      }
      if (auto st = write_file_atomic(outdir + "/" + g->unit_name, g->text, 0644, false); !st) {
        err(fmt::format("skiff-systemd-generator: write {}/{}: {}\n", outdir, g->unit_name, st.error().msg));
        rc = 1;
        continue;
      }
      // [Install] WantedBy=/RequiredBy=: generated units cannot be enabled, so the links
      // `systemctl enable` would make go into the output directory.
      auto link = [&](const std::string& target, const char* suffix) {
        std::string d = outdir + "/" + target + suffix;
        (void)mkdir(d.c_str(), 0755);
        std::string l = d + "/" + g->unit_name;
        (void)unlink(l.c_str());
        if (symlink(("../" + g->unit_name).c_str(), l.c_str()) < 0)
          err(fmt::format("skiff-systemd-generator: link {}: {}\n", l, strerror(errno)));
      };
      for (auto& t : g->wanted_by) link(t, ".wants");
      for (auto& t : g->required_by) link(t, ".requires");
    }
  }
  return rc;
}

}  // namespace skiff::cli
