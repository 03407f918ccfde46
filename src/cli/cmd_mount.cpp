// podman mount / umount for containers (engine/mount.hpp): paths, the listing, Podman's
// rootless refusal.
#include <unistd.h>

#include "command.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/engine/mount.hpp"
#include "skiff/util/json.hpp"

namespace skiff::cli {

namespace {

Status check_allowed(const Context& ctx, std::string_view verb) {
  if (engine::mount_allowed()) return ok();
  std::string tool = podman_personality() ? "podman" : "skiff";
  (void)ctx;
  return fail(kInvalid, fmt::format("cannot run command \"{} {}\" in rootless mode, must execute `{} unshare` first",
                                  tool, verb, tool));
}

// The positionals, or --all / --latest (then full IDs).
Result<std::vector<std::string>> targets(engine::Engine& e, const ParsedArgs& a, const Context& ctx) {
  return target_containers(e, a, ctx, TargetScope::All);
}

Result<int> each(const std::vector<std::string>& refs, const std::function<Status(const std::string&)>& op) {
  bool failed = false;
  for (auto& ref : refs) {
    if (auto st = op(ref); !st) {
      flush_out();
      print_error(st.error(), "");
      failed = true;
    }
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

}  // namespace

Result<int> cmd_mount(Context& ctx, const ParsedArgs& a) {
  TRY(check_allowed(ctx, "mount"));
  auto e = TRY(open_engine(ctx, false));
  if (!a.positional.empty() || a.flag("all") || a.flag("latest")) {
    auto refs = TRY(targets(*e, a, ctx));
    return each(refs, [&](const std::string& ref) -> Status {
      auto path = TRY(engine::mount_container(*e, ref));
      outf("{}\n", path);
      return ok();
    });
  }
  // No container named: the mounted ones.
  auto list = TRY(engine::mounted_containers(*e));
  std::string format = a.str("format");
  bool full = a.flag("no-trunc") || a.flag("notruncate");
  if (format == "json") {
    Json arr = Json::array();
    for (auto& m : list) arr.push_back(Json{{"id", m.id}, {"Names", Json::array({m.name})}, {"mountpoint", m.path}});
    outf("{}\n", list.empty() ? std::string("[]") : arr.dump(1));
    return 0;
  }
  if (!format.empty()) return fail(kInvalid, fmt::format("invalid --format {}: mount takes json", go_quote(format)));
  // Podman's table: ID and path, two spaces apart (every ID has the same width).
  for (auto& m : list) outf("{}  {}\n", full ? m.id : m.id.substr(0, 12), m.path);
  return 0;
}

Result<int> cmd_umount(Context& ctx, const ParsedArgs& a) {
  TRY(check_allowed(ctx, "umount"));
  auto e = TRY(open_engine(ctx, false));
  bool force = a.flag("force");
  if (a.flag("all")) {
    // --all: every mounted container, by full ID.
    if (!a.positional.empty()) return fail(kInvalid, "--all and containers cannot be used together");
    std::vector<std::string> ids;
    for (auto& m : TRY(engine::mounted_containers(*e))) ids.push_back(m.id);
    return each(ids, [&](const std::string& id) -> Status {
      TRY(engine::unmount_container(*e, id, force));
      outf("{}\n", id);
      return ok();
    });
  }
  auto refs = TRY(targets(*e, a, ctx));
  return each(refs, [&](const std::string& ref) -> Status {
    TRY(engine::unmount_container(*e, ref, force));
    outf("{}\n", ref);
    return ok();
  });
}

}  // namespace skiff::cli
