// Podman's commands and selections that Docker lacks: --all/--latest/--filter target
// selection for the container verbs, `container|image|volume exists`, `untag`, `image tree`.
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <set>

#include "handlers.hpp"
#include "output.hpp"
#include "skiff/engine/volumes.hpp"
#include "skiff/oci/digest.hpp"
#include "skiff/oci/reference.hpp"
#include "skiff/storage/store.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

std::vector<std::string> local_candidates(const std::string& text);
Result<storage::ImageRecord> find_image(storage::Store& store, const std::string& text,
                                        const std::vector<std::string>* candidates = nullptr);

namespace {
using oci::familiar;
}  // namespace

Result<std::vector<std::string>> target_containers(engine::Engine& e, const ParsedArgs& a, const Context& ctx,
                                                   TargetScope scope) {
  bool all = a.flag("all"), latest = a.flag("latest");
  auto filters = a.list("filter");
  bool selecting = all || latest || !filters.empty();
  if (!selecting) {
    if (a.positional.empty())
      return Error{kUsage, fmt::format("\"skiff {}\" requires at least 1 argument.",
                                       ctx.invoked_as.empty() ? std::string(ctx.cmd->path) : ctx.invoked_as)};
    return a.positional;
  }
  if ((all || latest) && !a.positional.empty())
    return fail(kInvalid, "--all, --latest and containers cannot be used together (name either, not both)");
  if (all && latest) return fail(kInvalid, "--all and --latest cannot be used together");
  std::vector<engine::Container> list;
  if (!filters.empty()) {
    list = TRY(filter_containers(e, filters));
    // Filters narrow the named containers when some are given, as Podman does.
    if (!a.positional.empty()) {
      std::set<std::string> ids;
      for (auto& ref : a.positional)
        if (auto c = engine::find_container(e, ref)) ids.insert(c->rec.id);
      std::erase_if(list, [&](const engine::Container& c) { return !ids.count(c.rec.id); });
    }
  } else {
    list = TRY(engine::list_containers(e));
  }
  std::vector<std::string> out;
  if (latest) {
    if (list.empty()) return fail(kNotFound, "no containers to act on: the store has none (--latest)");
    out.push_back(list.front().rec.id);  // newest first
    return out;
  }
  for (auto& c : list) {
    bool running = c.state.status == engine::RunState::Running || c.state.status == engine::RunState::Restarting;
    if (all && scope == TargetScope::Running && !running) continue;
    if (all && scope == TargetScope::Stopped && running) continue;
    out.push_back(c.rec.id);
  }
  return out;
}

Result<int> cmd_container_exists(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto c = engine::find_container(*e, a.positional[0]);
  if (c) return 0;
  if (c.error().code == kNotFound) return 1;
  return c.error();
}

Result<int> cmd_image_exists(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(false));
  auto img = find_image(*store, a.positional[0]);
  if (img) return 0;
  if (img.error().code == kNotFound) return 1;
  return img.error();
}

Result<int> cmd_volume_exists(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  auto v = engine::find_volume(*e, a.positional[0]);
  if (v) return 0;
  if (v.error().code == kNotFound) return 1;
  return v.error();
}

// podman untag IMAGE [NAME...]: without names, every tag and digest of the image goes (the
// image stays, as <none>); with names, those (each must name this image).
Result<int> cmd_untag(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(true));
  auto img = TRY(find_image(*store, a.positional[0]));
  if (img.tags.empty() && img.digests.empty()) img = TRY(store->lookup_image(img.id));
  std::vector<std::string> names;
  if (a.positional.size() == 1) {
    names = img.tags;
    names.insert(names.end(), img.digests.begin(), img.digests.end());
  } else {
    for (size_t i = 1; i < a.positional.size(); ++i) {
      const std::string& text = a.positional[i];
      std::string found;
      for (auto& cand : local_candidates(text)) {
        if (std::find(img.tags.begin(), img.tags.end(), cand) != img.tags.end() ||
            std::find(img.digests.begin(), img.digests.end(), cand) != img.digests.end()) {
          found = cand;
          break;
        }
      }
      if (found.empty())
        return fail(kNotFound, fmt::format("{}: image {} has no such name: tag not known", text,
                                           oci::truncate_id(img.id)));
      names.push_back(found);
    }
  }
  for (auto& n : names) TRY_CTX(store->untag_image(n), "untag {}", familiar(n));
  return 0;
}

// podman image tree: the image, its size and its layers (with the names of the images whose
// top layer each one is); --whatrequires: the images built on this one.
Result<int> cmd_image_tree(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  storage::Store* store = TRY(e->store(false));
  auto found = TRY(find_image(*store, a.positional[0]));
  auto img = TRY(store->lookup_image(found.id));
  auto images = TRY(store->list_images());
  std::map<std::string, std::vector<std::string>> top_of;  // top layer → names of images
  for (auto& i : images) {
    auto full = store->lookup_image(i.id, false);
    if (!full || full->top_layer.empty()) continue;
    std::vector<std::string> names;
    for (auto& t : i.tags) names.push_back(t);
    top_of[full->top_layer].insert(top_of[full->top_layer].end(), names.begin(), names.end());
  }
  outf("Image ID: {}\n", oci::truncate_id(img.id).substr(0, 12));
  std::vector<std::string> tags;
  for (auto& t : img.tags) tags.push_back(t);
  outf("Tags:     [{}]\n", join(tags, " "));
  outf("Size:     {}\n", human_size(double(img.size), 4));
  if (a.flag("whatrequires")) {
    // Images whose layer chain contains this image's top layer (and are not it).
    std::vector<std::string> kids;
    for (auto& i : images) {
      if (i.id == img.id || img.top_layer.empty()) continue;
      auto full = store->lookup_image(i.id, false);
      if (!full) continue;
      bool on_top = false;
      for (auto& l : full->layers) on_top |= l.chain_id == img.top_layer;
      if (on_top && full->top_layer != img.top_layer)
        kids.push_back(fmt::format("ID: {} Top Layer of: [{}]", oci::truncate_id(i.id).substr(0, 12), join(i.tags, " ")));
    }
    for (size_t k = 0; k < kids.size(); ++k) outf("{}{}\n", k + 1 == kids.size() ? "└── " : "├── ", kids[k]);
    return 0;
  }
  outf("Image Layers\n");
  for (size_t k = 0; k < img.layers.size(); ++k) {
    auto& l = img.layers[k];
    auto info = store->layer_info(l.chain_id);
    std::string size = info ? human_size(double(info->size)) : "?";
    std::string hex = l.chain_id.size() > 7 ? l.chain_id.substr(7, 12) : l.chain_id;
    std::string line = fmt::format("ID: {} Size: {:>7}", hex, size);
    auto it = top_of.find(l.chain_id);
    if (it != top_of.end() && !it->second.empty()) line += fmt::format(" Top Layer of: [{}]", join(it->second, " "));
    outf("{}{}\n", k + 1 == img.layers.size() ? "└── " : "├── ", line);
  }
  return 0;
}

}  // namespace skiff::cli

namespace skiff::cli {

Result<std::vector<std::string>> with_dependents(engine::Engine& e, const std::vector<std::string>& refs) {
  // Depth first: a container's dependents go before it (they need it while they run).
  auto list = TRY(engine::list_containers(e));
  std::map<std::string, std::vector<std::string>> dependents;  // id → ids that require it
  for (auto& c : list) {
    auto full = engine::find_container(e, c.rec.id);
    if (!full) continue;
    for (auto& req : full->rec.extra.requires_) dependents[req].push_back(c.rec.id);
  }
  std::vector<std::string> out;
  std::set<std::string> seen;
  std::function<void(const std::string&)> visit = [&](const std::string& id) {
    if (!seen.insert(id).second) return;
    for (auto& d : dependents[id]) visit(d);
    out.push_back(id);
  };
  for (auto& ref : refs) {
    auto c = engine::find_container(e, ref);
    if (!c) {
      out.push_back(ref);  // reported by the removal
      continue;
    }
    visit(c->rec.id);
  }
  return out;
}

Result<std::optional<WaitConditions>> wait_conditions(const ParsedArgs& a) {
  if (!a.has("condition") && !a.has("interval")) return std::optional<WaitConditions>();
  static const std::set<std::string> kKnown = {"configured", "created", "exited",  "healthy", "initialized",
                                               "paused",     "removing", "running", "stopped", "stopping",
                                               "unhealthy"};
  WaitConditions w;
  for (auto& v : a.list("condition"))
    for (auto& c : split(v, ',')) {
      if (!kKnown.count(c))
        return fail(kInvalid, fmt::format("{} is not a valid wait condition (one of: configured, created, exited, "
                                          "healthy, initialized, paused, removing, running, stopped, stopping, "
                                          "unhealthy)", go_quote(c)));
      w.states.push_back(c);
    }
  if (w.states.empty()) w.states = {"stopped"};
  std::string iv = a.str("interval", "250ms");
  auto d = parse_go_duration(iv);
  if (!d) {
    auto ms = parse_int(iv);  // Podman: a bare number is milliseconds
    if (!ms || *ms < 0) return fail(kInvalid, fmt::format("invalid --interval {}: a duration such as 250ms or 1s", go_quote(iv)));
    w.interval_ns = *ms * 1000000;
  } else {
    w.interval_ns = *d;
  }
  if (w.interval_ns <= 0) w.interval_ns = 250000000;
  return std::optional<WaitConditions>(std::move(w));
}

Result<int> wait_for_conditions(engine::Engine& e, const std::string& ref, const WaitConditions& w) {
  auto first = TRY(engine::find_container(e, ref));
  const std::string id = first.rec.id;
  for (;;) {
    auto c = engine::find_container(e, id);
    if (!c) {
      if (std::find(w.states.begin(), w.states.end(), "removing") != w.states.end()) return -1;
      return c.error();
    }
    std::string st = engine::status_name(c->state.status);
    bool stopped = c->state.status == engine::RunState::Exited || c->state.status == engine::RunState::Dead;
    bool ever_ran = c->state.started_at != 0 || stopped;
    for (auto& want : w.states) {
      bool hit = want == st || (want == "stopped" && (stopped || (c->state.status == engine::RunState::Created && ever_ran))) ||
                 (want == "configured" && c->state.status == engine::RunState::Created) ||
                 (want == "initialized" && c->state.status == engine::RunState::Created);
      if (hit) return stopped || want == "stopped" ? c->state.exit_code : -1;
    }
    usleep(useconds_t(w.interval_ns / 1000));
  }
}

}  // namespace skiff::cli

namespace skiff::cli {

Status start_requirements(engine::Engine& e, const engine::ContainerRecord& r, const std::string& log_level) {
  for (auto& req : r.extra.requires_) {
    auto c = engine::find_container(e, req);
    if (!c) return fail(kNotFound, fmt::format("container {} requires container {}, which is gone", r.name, req.substr(0, 12)));
    if (c->state.status == engine::RunState::Running) continue;
    TRY(start_requirements(e, c->rec, log_level));
    TRY_CTX(engine::start_container(e, c->rec.id, log_level), "start {} (required by {})", c->rec.name, r.name);
  }
  return ok();
}

Status start_with_requirements(engine::Engine& e, const std::string& ref, const std::string& log_level) {
  auto c = TRY(engine::find_container(e, ref));
  TRY(start_requirements(e, c.rec, log_level));
  return engine::start_container(e, ref, log_level);
}

}  // namespace skiff::cli

namespace skiff::cli {

Result<std::vector<std::string>> attach_streams(const ParsedArgs& a) {
  std::vector<std::string> out;
  for (auto& v : a.list("attach")) {
    std::string s = to_lower(v);
    if (s != "stdin" && s != "stdout" && s != "stderr")
      return fail(kInvalid, fmt::format("invalid argument {} for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR",
                                        go_quote(v)));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(s);
  }
  return out;
}

void podman_create_options(const ParsedArgs& a, engine::CreateOptions& o) {
  engine::PodmanCreate& p = o.podman;
  // --group-add keep-groups (Podman, rootless): the process keeps the user's groups.
  if (std::erase(o.group_add, std::string("keep-groups")) > 0) p.keep_groups = true;
  p.requires_ = a.list("requires");
  p.userns = a.str("userns");
  p.annotations = a.list("annotation");
  p.tz = a.str("tz");
  p.env_host = a.flag("env-host");
  p.http_proxy = a.flag("http-proxy", true);
  p.user_given = a.has("user");
  p.passwd_entry = a.str("passwd-entry");
  p.systemd = a.str("systemd", "true");
  p.uidmap = a.list("uidmap");
  p.gidmap = a.list("gidmap");
  p.subuidname = a.str("subuidname");
  p.subgidname = a.str("subgidname");
  p.timeout = a.num("timeout");
  p.attach = attach_streams(a).value_or(std::vector<std::string>{});
  // Podman: an --entrypoint that is a JSON array of strings is the words of the entrypoint.
  if (std::string ep = a.str("entrypoint"); ep.starts_with("[")) {
    if (auto j = parse_json(ep, "--entrypoint"); j && j->is_array()) {
      std::vector<std::string> words;
      bool all_strings = true;
      for (auto& w : *j) {
        all_strings &= w.is_string();
        if (w.is_string()) words.push_back(w.get<std::string>());
      }
      if (all_strings) p.entrypoint_json = words;
    }
  }
}

}  // namespace skiff::cli

// ---- cp CONTAINER:FILE /dev/stdout -----------------------------------------------------------

#include <fcntl.h>
#include <sys/stat.h>

#include "skiff/engine/fsops.hpp"
#include "skiff/util/fd.hpp"
#include "skiff/util/stream.hpp"

namespace skiff::cli {

namespace {

// Reads the tar stream of one file and writes the file's bytes to `fd_`: headers (PAX and GNU
// long-name records included) are skipped, the first regular file's data is written; a
// directory is refused.
class TarFileSink : public ByteSink {
 public:
  explicit TarFileSink(int fd) : fd_(fd) {}
  Status write(std::string_view data) override {
    while (!data.empty()) {
      if (data_left_ > 0 || pad_left_ > 0) {
        uint64_t& left = data_left_ > 0 ? data_left_ : pad_left_;
        size_t n = size_t(std::min<uint64_t>(left, data.size()));
        if (&left == &data_left_ && writing_) TRY(write_checked(data.substr(0, n)));
        left -= n;
        data.remove_prefix(n);
        if (data_left_ == 0 && writing_) {
          writing_ = false;
          done_ = true;
        }
        continue;
      }
      size_t n = std::min(data.size(), size_t(512) - header_.size());
      header_.append(data.substr(0, n));
      data.remove_prefix(n);
      if (header_.size() < 512) continue;
      TRY(take_header());
      header_.clear();
    }
    return ok();
  }
  Status close() override {
    if (!done_) return fail(kInvalid, "the source is not a regular file: only a file can be copied to a device or pipe");
    return ok();
  }

 private:
  Status write_checked(std::string_view d) {
    if (!write_all(fd_, d)) return fail_errno("write the file");
    return ok();
  }
  Status take_header() {
    if (header_.find_first_not_of('\0') == std::string::npos) return ok();  // end blocks
    uint64_t size = 0;
    for (size_t i = 124; i < 136 && header_[i]; ++i)
      if (header_[i] >= '0' && header_[i] <= '7') size = size * 8 + uint64_t(header_[i] - '0');
    char type = header_[156];
    data_left_ = size;
    pad_left_ = (512 - size % 512) % 512;
    if (done_) return ok();
    if (type == '5') return fail(kInvalid, "the source is a directory: copy a directory to a directory, or stream it with `-`");
    if (type == '0' || type == '\0' || type == '7') {
      writing_ = true;
      if (size == 0) {
        writing_ = false;
        done_ = true;
      }
    }
    return ok();
  }
  int fd_;
  std::string header_;
  uint64_t data_left_ = 0, pad_left_ = 0;
  bool writing_ = false, done_ = false;
};

}  // namespace

bool is_stream_destination(const std::string& dst) {
  struct stat st;
  return stat(dst.c_str(), &st) == 0 && (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

Status copy_file_to_stream(engine::Engine& e, const std::string& ctr, const std::string& src, const std::string& dst,
                           const engine::CpOptions& o) {
  auto fd = TRY_CTX(open_path(dst, O_WRONLY | O_APPEND), "open {}", dst);
  flush_out();
  TarFileSink sink(fd.get());
  return engine::copy_from_container_to(e, ctr, src, sink, o);
}

}  // namespace skiff::cli

// ---- unshare -------------------------------------------------------------------------------

#include <sys/wait.h>

#include "skiff/util/userns.hpp"
#include "skiff/util/process.hpp"

namespace skiff::cli {

// podman unshare [COMMAND [ARG...]]: the command (default $SHELL) in the user namespace skiff
// uses for its storage (container root = the user, 1..N = the subordinate ids) and a private
// mount namespace; as root, the command as is. Exits with the command's status.
Result<int> cmd_unshare(Context& ctx, const ParsedArgs& a) {
  auto* e = ctx.engine;
  std::vector<std::string> argv = a.positional;
  if (argv.empty()) {
    const char* sh = getenv("SHELL");
    argv.push_back(sh && *sh ? sh : "/bin/sh");
  }
  auto code_pipe = TRY(make_pipe());
  setenv("CONTAINERS_GRAPHROOT", e->graph().c_str(), 1);
  setenv("CONTAINERS_RUNROOT", e->run().c_str(), 1);
  flush_out();
  auto st = run_in_userns(e->idmap(), [&]() -> Status {
    pid_t pid = fork();
    if (pid < 0) return fail_errno("fork");
    if (pid == 0) {
      std::vector<char*> av;
      for (auto& s : argv) av.push_back(const_cast<char*>(s.c_str()));
      av.push_back(nullptr);
      execvp(av[0], av.data());
      int err = errno;
      (void)!::write(2, fmt::format("Error: {}: {}\n", argv[0], strerror(err)).c_str(),
                     fmt::format("Error: {}: {}\n", argv[0], strerror(err)).size());
      _exit(err == ENOENT ? 127 : 126);
    }
    int status = wait_child(pid).value_or(0);
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::string s = std::to_string(code);
    (void)!::write(code_pipe.write.get(), s.data(), s.size());
    return ok();
  });
  code_pipe.write.reset();
  TRY(st);
  auto text = read_all(code_pipe.read.get(), 64);
  return int(parse_int(text ? *text : "").value_or(125));
}

}  // namespace skiff::cli
