// stop, kill, restart, rm, container prune, rename, wait, logs, inspect, top.
#include <unistd.h>

#include "docker_types.hpp"
#include "format.hpp"
#include "handlers.hpp"
#include "output.hpp"
#include "skiff/gotmpl/tabwriter.hpp"
#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

// cmd_images.cpp: inspect's shared steps.
Json container_inspect_json(engine::Engine& e, const engine::Container& c, bool size);
void inspect_object(const std::string& format, Json j, const Json& type, Json& all, bool& template_failed);
Result<int> inspect_result(const std::string& format, const Json& all, bool failed, bool template_failed);

namespace {

// Runs `op` for each positional; prints the reference on success (Docker's output), reports
// each failure and keeps going; the command fails if any did. `missing_ok` (rm -f): a missing
// container is reported but is no failure, as Docker's `rm -f` (so `set -e` scripts and
// `ExecStartPre=docker rm -f web` go on).
Result<int> for_each(const std::vector<std::string>& refs, const std::function<Status(const std::string&)>& op,
                     bool print = true, bool missing_ok = false, bool missing_ok_exit1 = false) {
  bool failed = false, only_missing = true;
  for (auto& ref : refs) {
    auto st = op(ref);
    if (!st) {
      bool missing = st.error().code == kNotFound;
      // Podman's rm -f: a missing container is no error, and is not reported either.
      if (missing && missing_ok && podman_personality()) continue;
      flush_out();
      print_error(st.error(), "");
      if (!(missing_ok && missing)) failed = true;
      only_missing &= missing;
      continue;
    }
    if (print) outf("{}\n", ref);
  }
  // Podman's rm: exit 1 when the only failures were missing containers.
  if (failed && only_missing && missing_ok_exit1 && podman_personality()) return 1;
  if (failed) return fail(kPartial, "");
  return 0;
}

std::optional<int> timeout_flag(const ParsedArgs& a) {
  for (auto* name : {"time", "timeout"})
    if (a.has(name)) return int(a.num(name));
  return std::nullopt;
}

// Docker's `logs -t` stamps: RFC3339 with all nine digits (jsonmessage.RFC3339NanoFixed),
// so that they line up: "2026-11-22T08:17:07.454605630Z".
std::string rfc3339_nano_fixed(int64_t ns) {
  std::string s = format_rfc3339(ns);  // "…:07Z"
  return s.substr(0, s.size() - 1) + fmt::format(".{:09d}Z", ((ns % 1000000000) + 1000000000) % 1000000000);
}

}  // namespace

Result<int> cmd_stop(Context& ctx, const ParsedArgs& args) {
  auto e = TRY(open_engine(ctx, true));
  auto targets = TRY(service_targets(*e, ctx, args));
  if (!targets) return 0;  // --ignore: nothing left
  const ParsedArgs& a = *targets;
  auto t = timeout_flag(a);
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::Running));
  return for_each(refs, [&](const std::string& ref) { return engine::stop_container(*e, ref, t); });
}

Result<int> cmd_kill(Context& ctx, const ParsedArgs& args) {
  auto e = TRY(open_engine(ctx, true));
  auto targets = TRY(service_targets(*e, ctx, args));
  if (!targets) return 0;  // --ignore: nothing left
  const ParsedArgs& a = *targets;
  std::string s = a.str("signal", "KILL");
  auto sig = engine::parse_signal(s);
  if (!sig) return fail(kInvalid, fmt::format("invalid signal: {}", s));
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::Running));
  return for_each(refs, [&](const std::string& ref) { return engine::kill_container(*e, ref, *sig); });
}

Result<int> cmd_restart(Context& ctx, const ParsedArgs& args) {
  auto e = TRY(open_engine(ctx, true));
  auto targets = TRY(service_targets(*e, ctx, args));
  if (!targets) return 0;  // --ignore: nothing left
  const ParsedArgs& a = *targets;
  auto t = timeout_flag(a);
  auto refs = TRY(target_containers(*e, a, ctx, a.flag("running") ? TargetScope::Running : TargetScope::All));
  return for_each(refs, [&](const std::string& ref) -> Status {
    TRY(engine::stop_container(*e, ref, t));
    return engine::start_container(*e, ref, ctx.global.log_level);
  });
}

Result<int> cmd_rm(Context& ctx, const ParsedArgs& args) {
  auto e = TRY(open_engine(ctx, true));
  auto targets = TRY(service_targets(*e, ctx, args));
  if (!targets) return 0;  // --ignore: nothing left
  const ParsedArgs& a = *targets;
  bool force = a.flag("force"), volumes = a.flag("volumes");
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::All));
  bool depend = a.flag("depend");
  if (depend || a.flag("all")) refs = TRY(with_dependents(*e, refs));
  // -t N with --force: a running container gets a graceful stop (N seconds) first (Podman).
  auto t = a.has("time") ? std::optional<int>(int(a.num("time"))) : std::nullopt;
  return for_each(
      refs,
      [&](const std::string& ref) -> Status {
        // Podman: a container others --requires goes after them (rm --depend), not before.
        if (auto c = engine::find_container(*e, ref)) {
          auto deps = engine::dependents_of(*e, c->rec.id);
          if (!deps.empty()) {
            std::vector<std::string> names;
            for (auto& d : deps)
              if (auto dc = engine::find_container(*e, d)) names.push_back(dc->rec.name);
            return fail(kConflict, fmt::format("container {} has dependent containers which must be removed before it: "
                                               "{} (remove them first, or use --depend)", c->rec.name, join(names, ", ")));
          }
        }
        if (force && t)
          if (auto c = engine::find_container(*e, ref); c && c->state.status == engine::RunState::Running)
            (void)engine::stop_container(*e, ref, t);
        return engine::remove_container(*e, ref, force, volumes);
      },
      true, force, true);
}

Result<PruneReport> prune_containers(engine::Engine& e, const std::vector<std::string>& filters) {
  PruneReport rep;
  auto list = TRY(engine::list_containers(e));
  for (auto& c : list) {
    if (c.state.status != engine::RunState::Exited && c.state.status != engine::RunState::Created) continue;
    if (c.state.status == engine::RunState::Created && c.state.monitor_pid > 0) continue;
    bool skip = false;
    for (auto& f : filters) {
      auto [k, v] = split_once(f, '=');
      if (k == "label") {
        auto [lk, lv] = split_once(v.value_or(""), '=');
        const Json& labels = c.rec.config.labels;
        bool has = labels.is_object() && labels.contains(lk) && (!lv || labels[lk] == *lv);
        skip |= !has;
      } else if (k == "until") {
        auto t = parse_time_filter(v.value_or(""), now_ns());
        if (!t) return fail(kInvalid, fmt::format("invalid filter 'until={}'", v.value_or("")));
        skip |= c.rec.created >= *t;
      } else {
        return fail(kInvalid, fmt::format("invalid filter '{}'", k));
      }
    }
    if (skip) continue;
    if (engine::remove_container(e, c.rec.id, false, false)) rep.lines.push_back(c.rec.id);
  }
  // Also what creates and removals killed half-way left behind (not containers yet/any more).
  engine::sweep_containers(e, true);
  return rep;
}

Result<int> cmd_container_prune(Context& ctx, const ParsedArgs& a) {
  if (!a.flag("force") &&
      !confirm("WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] "))
    return 0;
  auto e = TRY(open_engine(ctx, true));
  auto rep = TRY(prune_containers(*e, a.list("filter")));
  out("Deleted Containers:\n");
  for (auto& id : rep.lines) outf("{}\n", id);
  out("\nTotal reclaimed space: 0B\n");
  return 0;
}

Result<int> cmd_rename(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, true));
  TRY(engine::rename_container(*e, a.positional[0], a.positional[1]));
  return 0;
}

Result<int> cmd_wait(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  bool failed = false;
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::All));
  auto conditions = TRY(wait_conditions(a));
  for (auto& ref : refs) {
    auto code = conditions ? wait_for_conditions(*e, ref, *conditions) : engine::wait_container(*e, ref);
    if (!code) {
      flush_out();
      print_error(code.error(), "");
      failed = true;
      continue;
    }
    outf("{}\n", *code);
    flush_out();
  }
  if (failed) return fail(kPartial, "");
  return 0;
}

Result<int> cmd_logs(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  auto refs = TRY(target_containers(*e, a, ctx, TargetScope::All));
  engine::LogOptions o;
  o.follow = a.flag("follow");
  o.timestamps = a.flag("timestamps");
  std::string tail = a.str("tail", "all");
  if (tail != "all") {
    auto n = parse_int(tail);
    if (!n) return fail(kInvalid, fmt::format("invalid value for --tail: {}", tail));
    o.tail = *n < 0 ? -1 : *n;
  }
  int64_t now = now_ns();
  for (auto* k : {"since", "until"}) {
    if (!a.has(k)) continue;
    auto t = parse_time_filter(a.str(k), now);
    if (!t) return fail(kInvalid, fmt::format("invalid value for --{}: {}", k, a.str(k)));
    (std::string_view(k) == "since" ? o.since : o.until) = *t;
  }
  if (o.follow && refs.size() > 1) return fail(kInvalid, "--follow takes one container (run one `logs -f` per container)");
  // Podman: several containers prefix their lines with the short ID, --names with the name;
  // --color paints the prefix, one color per container.
  bool prefix = refs.size() > 1 || a.flag("names");
  static const char* kColors[] = {"\033[0;32m", "\033[0;33m", "\033[0;34m", "\033[0;35m", "\033[0;36m", "\033[0;31m"};
  flush_out();
  for (size_t i = 0; i < refs.size(); ++i) {
    auto c = TRY(engine::find_container(*e, refs[i]));
    std::string pre;
    if (prefix) {
      std::string who = a.flag("names") ? c.rec.name : c.rec.id.substr(0, 12);
      pre = a.flag("color") ? fmt::format("{}{}\033[0m ", kColors[i % 6], who) : who + " ";
    }
    TRY(engine::read_logs(*e, c, o, [&](const engine::LogLine& l) {
      int fd = l.is_stderr ? 2 : 1;
      // A long line comes in pieces: its prefix and timestamp go before the first.
      if (l.first && !pre.empty()) (void)write_all(fd, pre);
      if (o.timestamps && l.first) (void)write_all(fd, rfc3339_nano_fixed(l.time) + " ");
      if (!l.text.empty()) (void)write_all(fd, l.text);
    }));
  }
  return 0;
}

Result<int> cmd_container_inspect(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  std::string format = a.str("format");
  Json all = Json::array();
  bool failed = false, template_failed = false;
  for (auto& ref : a.positional) {
    auto c = engine::find_container(*e, ref);
    if (!c) {
      flush_out();
      print_error(c.error(), "");
      failed = true;
      continue;
    }
    inspect_object(format, container_inspect_json(*e, *c, a.flag("size")), container_json_type(), all, template_failed);
  }
  return inspect_result(format, all, failed, template_failed);
}

Result<int> cmd_top(Context& ctx, const ParsedArgs& a) {
  auto e = TRY(open_engine(ctx, false));
  std::vector<std::string> ps_args(a.positional.begin() + 1, a.positional.end());
  auto rows = TRY(engine::top_container(*e, a.positional[0], ps_args));
  // Docker's CLI: the titles and rows through a tabwriter (min width 20, padding 3).
  gotmpl::TabWriter::Options o;
  o.min_width = 20;
  gotmpl::TabWriter tw(o);
  std::string outp;
  for (auto& r : rows) tw.write(join(r, "\t") + "\n", outp);
  tw.flush(outp);
  out(outp);
  return 0;
}

}  // namespace skiff::cli
