// A container's filesystem: cp, diff, commit, export; image import; system prune.
#include <fcntl.h>
#include <unistd.h>

#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/fsops.hpp"
#include "skiff/engine/prune.hpp"
#include "skiff/engine/resources.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/fs.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

namespace {

// Docker's splitCpArg: an absolute path or one starting with "." is local; otherwise
// "NAME:PATH" names a container path.
std::pair<std::string, std::string> split_cp_arg(const std::string& arg) {
  if (!arg.empty() && arg[0] == '/') return {"", arg};
  auto colon = arg.find(':');
  if (colon == std::string::npos || arg[0] == '.') return {"", arg};
  return {arg.substr(0, colon), arg.substr(colon + 1)};
}

}  // namespace

Result<int> cmd_cp(Context& ctx, const ParsedArgs& a) {
  auto [src_ctr, src] = split_cp_arg(a.positional[0]);
  auto [dst_ctr, dst] = split_cp_arg(a.positional[1]);
  if (!src_ctr.empty() && !dst_ctr.empty()) return fail(kInvalid, "copying between containers is not supported");
  if (src_ctr.empty() && dst_ctr.empty()) return fail(kInvalid, "must specify at least one container source");
  if (src.empty()) return fail(kInvalid, "source can not be empty");
  if (dst.empty()) return fail(kInvalid, "destination can not be empty");
  engine::CpOptions o;
  o.archive = a.flag("archive");
  o.follow_link = a.flag("follow-link");
  auto* e = ctx.engine;
  if (!src_ctr.empty()) {
    if (dst == "-") {
      if (stdout_is_tty()) return fail(kInvalid, "cowardly refusing to write a tar stream to a terminal: redirect it");
      flush_out();
      FdSink sink(1);
      TRY(engine::copy_from_container_to(*e, src_ctr, src, sink, o));
      return 0;
    }
    // Podman: a file copied to /dev/stdout (a device, pipe or socket) is written there.
    if (is_stream_destination(dst)) {
      TRY(copy_file_to_stream(*e, src_ctr, src, dst, o));
      return 0;
    }
    TRY(engine::copy_from_container(*e, src_ctr, src, dst, o));
    return 0;
  }
  if (src == "-") {
    FdSource in(0);
    TRY(engine::copy_to_container_from(*e, in, dst_ctr, dst, o));
    return 0;
  }
  TRY(engine::copy_to_container(*e, src, dst_ctr, dst, o));
  return 0;
}

Result<int> cmd_diff(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto changes = TRY(engine::container_changes(*e, a.positional[0]));
  std::string format = a.str("format");
  if (format.empty()) {
    for (auto& c : changes) outf("{} {}\n", c.letter(), c.path);
    return 0;
  }
  if (format != "json") return fail(kInvalid, fmt::format("unsupported --format \"{}\": only json is", format));
  // Podman's object: the kinds that occur, in this order.
  Json j = Json::object();
  for (auto [kind, key] : {std::pair{engine::Change::Modified, "changed"}, std::pair{engine::Change::Added, "added"},
                           std::pair{engine::Change::Deleted, "deleted"}}) {
    Json list = Json::array();
    for (auto& c : changes)
      if (c.kind == kind) list.push_back(c.path);
    if (!list.empty()) j[key] = list;
  }
  out(to_json_pretty(j) + "\n");
  return 0;
}

Result<int> cmd_commit(Context& ctx, const ParsedArgs& a) {
  engine::CommitOptions o;
  o.author = a.str("author");
  o.message = a.str("message");
  o.changes = a.list("change");
  o.pause = a.flag("pause", true);
  if (a.positional.size() > 1) o.reference = a.positional[1];
  auto* e = ctx.engine;
  // --pause (the default): a running container with a cgroup is frozen while its layer is read.
  bool paused_here = false;
  if (o.pause)
    if (auto c = engine::find_container(*e, a.positional[0]);
        c && c->state.status == engine::RunState::Running && !c->state.paused && !engine::live_cgroup(*e, *c).empty())
      paused_here = bool(engine::pause_container(*e, c->rec.id));
  auto committed = engine::commit_container(*e, a.positional[0], o);
  if (committed)  // Docker's order: pause, commit, unpause
    if (auto c = engine::find_container(*e, a.positional[0]))
      engine::container_event(*e, c->rec, "commit",
                              {{"comment", o.message}, {"imageID", committed->image_id}, {"imageRef", o.reference}});
  if (paused_here) (void)engine::unpause_container(*e, a.positional[0]);
  auto res = TRY(std::move(committed));
  outf("{}\n", res.image_id);
  return 0;
}

Result<int> cmd_export(Context& ctx, const ParsedArgs& a) {
  std::string output = a.str("output");
  if (output.empty() && stdout_is_tty())
    return fail(kInvalid, "cowardly refusing to save to a terminal. Use the -o flag or redirect");
  auto* e = ctx.engine;
  if (output.empty() || output == "-") {
    flush_out();
    FdSink sink(1);
    TRY(engine::export_container(*e, a.positional[0], sink));
    return 0;
  }
  // A temporary name first: a failed export leaves no truncated tarball under the real name.
  std::string tmp = output + ".skiff-" + random_hex(4);
  auto fd = TRY_CTX(open_path(tmp, O_WRONLY | O_CREAT | O_EXCL, 0644), "failed to export container: open {}", output);
  FdSink sink(fd.get());
  Status st = engine::export_container(*e, a.positional[0], sink);
  if (st && fsync(fd.get()) < 0) st = fail_errno(fmt::format("write {}", output));
  fd.reset();
  if (st && rename(tmp.c_str(), output.c_str()) < 0) st = fail_errno(fmt::format("write {}", output));
  if (!st) {
    (void)unlink(tmp.c_str());
    return st.error();
  }
  return 0;
}

Result<int> cmd_import(Context& ctx, const ParsedArgs& a) {
  engine::ImportOptions o;
  o.source = a.positional[0];
  if (a.positional.size() > 1) o.reference = a.positional[1];
  o.message = a.str("message");
  o.changes = a.list("change");
  o.platform = a.str("platform");
  if (o.source.find("://") != std::string::npos)
    return fail(kUnsupported, fmt::format("importing from a URL ({}) is not supported: download it first", o.source));
  UniqueFd fd;
  int in = 0;
  if (o.source != "-") {
    fd = TRY_CTX(open_path(o.source, O_RDONLY), "import {}", o.source);
    in = fd.get();
  }
  auto* e = ctx.engine;
  FdSource src(in);
  auto id = TRY(engine::import_image(*e, src, o));
  outf("{}\n", id);
  return 0;
}

Result<int> cmd_system_prune(Context& ctx, const ParsedArgs& a) {
  bool all = a.flag("all"), volumes = a.flag("volumes");
  if (!a.flag("force")) {
    std::string q = "WARNING! This will remove:\n  - all stopped containers\n";
    if (volumes) q += "  - all anonymous volumes not used by at least one container\n";
    q += all ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n";
    q += "\nAre you sure you want to continue? [y/N] ";
    if (!confirm(q)) return 0;
  }
  auto* e = ctx.engine;
  auto filters = a.list("filter");
  uint64_t reclaimed = 0;
  auto section = [&](const char* title, const PruneReport& r) {
    reclaimed += r.reclaimed;
    if (r.lines.empty()) return;
    outf("{}:\n", title);
    for (auto& l : r.lines) outf("{}\n", l);
    out("\n");
  };
  // Docker's order: containers first (they hold images and volumes), then volumes, images.
  auto report = [](engine::Pruned p) { return PruneReport{std::move(p.removed), p.reclaimed}; };
  section("Deleted Containers", report(TRY(engine::prune_containers(*e, filters))));
  if (volumes) section("Deleted Volumes", report(TRY(engine::prune_volumes(*e, false, filters))));
  section("Deleted Images", TRY(prune_images(*e, all, filters)));
  outf("Total reclaimed space: {}\n", human_size(double(reclaimed)));
  return 0;
}

}  // namespace skiff::cli
