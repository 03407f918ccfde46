// `skiff __complete`: cobra's getCompletions() over our command table. The decisions follow
// cobra (spf13/cobra completions.go) step by step, so shells see what they would see from
// docker or podman: which word is being completed (a command, a flag name, a flag's value, a
// positional), which candidates, and which directive.
#include "complete.hpp"

#include <algorithm>
#include <set>

#include "skiff/engine/lifecycle.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

namespace {


// cobra's isFlagArg: "--x…" or "-x…".
bool is_flag_arg(std::string_view a) {
  return (a.size() >= 3 && a[0] == '-' && a[1] == '-') || (a.size() >= 2 && a[0] == '-' && a[1] != '-');
}

// Go's %v of a []string.
std::string go_list(std::span<const std::string> v) { return "[" + join({v.begin(), v.end()}, " ") + "]"; }

// The command the words lead to (cobra's Find) and the words left for it.
struct Level {
  std::string group;             ///< set at a group's level (or a command in a group)
  const CmdSpec* cmd = nullptr;  ///< nullptr: the top level or a group
  std::vector<std::string> rest;
  FlagSet flags(const Table& t) const { return FlagSet{&t, cmd, cmd == nullptr && !group.empty()}; }
};

// Does option word `w` (at flag set `fs`) take the next word as its value?
bool takes_next(const FlagSet& fs, std::string_view w) {
  if (w.find('=') != std::string_view::npos) return false;
  const OptSpec* o = nullptr;
  if (w.starts_with("--")) {
    o = fs.find_long(w.substr(2));
  } else {
    // A cluster: only its last letter can take the next word, and only if nothing follows it.
    for (size_t k = 1; k < w.size(); ++k) {
      o = fs.find_short(w[k]);
      if (!o) return false;
      if (o->type != OptType::Bool) return k + 1 == w.size();
    }
  }
  return o && o->type != OptType::Bool;
}

Result<Level> find_level(const Table& t, std::span<const std::string> words) {
  Level lvl;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    if (lvl.cmd || w == "--") {
      lvl.rest.insert(lvl.rest.end(), words.begin() + long(i), words.end());
      break;
    }
    if (w.size() > 1 && w[0] == '-') {
      lvl.rest.push_back(w);
      if (takes_next(lvl.flags(t), w) && i + 1 < words.size()) lvl.rest.push_back(words[++i]);
      continue;
    }
    size_t used = 0;
    if (lvl.group.empty()) {
      const CmdSpec* c = find_command(t, std::span(&w, 1), used);
      if (c) lvl.cmd = c;
      else if (find_group(t, w)) lvl.group = w;
      else return fail(kUsage, fmt::format("unable to find a command for arguments: {}", go_list(words)));
      continue;
    }
    std::string two[2] = {lvl.group, w};
    if (const CmdSpec* c = find_command(t, two, used); c && used == 2) {
      lvl.cmd = c;
      continue;
    }
    lvl.rest.push_back(w);  // cobra: a group with an unknown word just has an argument
  }
  return lvl;
}

// Dynamic and static candidates for a value or positional of kind `comp`.
struct Candidates {
  const Table& t;
  const SourceFactory& make_source;
  const GlobalOptions& globals;
  std::unique_ptr<CompSource> source;

  CompSource* src() {
    if (!source && make_source) source = make_source(globals);
    return source.get();
  }

  void add_containers(CompSource::Which which, const std::string& prefix, std::vector<std::string>& out) {
    CompSource* s = src();
    if (!s) return;
    for (auto& n : s->container_names(which, prefix)) out.push_back(std::move(n));
    // Short IDs once two hex digits are typed (podman does the same).
    if (prefix.size() >= 2 && is_hex(prefix))
      for (auto& id : s->container_ids(which, prefix)) out.push_back(id.substr(0, 12));
  }

  // Images by the names users pull and run them by. An empty word: each `repo:tag` as Docker
  // shows it (`busybox:latest`, `quay.io/x/y:1`), and untagged images by short ID. Once
  // something is typed, also the full reference, the same without `:latest`, and the short
  // names that mean this image here (`busybox:latest`, `busybox` for REG/busybox:latest when
  // REG is an unqualified-search registry: what `run busybox` finds); IDs of tagged images too
  // once two hex digits are typed (as for containers).
  static void add_images(CompSource& s, const std::string& prefix, std::vector<std::string>& out) {
    std::set<std::string> seen, tagged;
    auto offer = [&](const std::string& v) {
      if (v.starts_with(prefix) && seen.insert(v).second) out.push_back(v);
    };
    auto untagged = [](const std::string& ref) {  // "a/b:latest" → "a/b"; else ""
      size_t colon = ref.rfind(':');
      if (colon == std::string::npos || ref.find('/', colon) != std::string::npos) return std::string();
      return ref.compare(colon + 1, std::string::npos, "latest") == 0 ? ref.substr(0, colon) : std::string();
    };
    for (auto& img : s.image_names()) {
      if (!img.id.empty()) tagged.insert(img.id);
      offer(img.familiar);
      if (prefix.empty()) continue;
      offer(img.full);
      for (auto& r : {img.familiar, img.full})
        if (auto bare = untagged(r); !bare.empty()) offer(bare);
      // Shorter forms: every tail of the path after the registry ("team/app:1", "app:1").
      std::string_view rest = img.full;
      while (true) {
        size_t slash = rest.find('/');
        size_t colon = rest.rfind(':');
        if (slash == std::string_view::npos || (colon != std::string_view::npos && slash > colon)) break;
        rest.remove_prefix(slash + 1);
        std::string form(rest);
        if (!form.starts_with(prefix) && !untagged(form).starts_with(prefix)) continue;
        auto refs = s.short_name_refs(form);
        if (std::find(refs.begin(), refs.end(), img.full) == refs.end()) continue;
        offer(form);
        // Without the tag only where the bare name means this very image (its first candidate
        // present locally is what `run` takes; the tag "latest" is the default).
        if (auto bare = untagged(form); !bare.empty()) offer(bare);
      }
    }
    bool hex = prefix.size() >= 2 && is_hex(prefix);
    for (auto& id : s.image_ids())
      if (!tagged.count(id) || hex) offer(id.substr(0, 12));
  }

  // Returns the directive.
  int values(Comp comp, std::string_view enum_values, const std::string& prefix, std::vector<std::string>& out) {
    switch (comp) {
      case Comp::None: return kCompNoFileComp;
      case Comp::Files: return kCompDefault;
      case Comp::Dirs: return kCompFilterDirs;
      case Comp::Enum:
        for (auto& v : split(enum_values, ' '))
          if (!v.empty() && v.starts_with(prefix)) out.push_back(v);
        return kCompNoFileComp;
      case Comp::Containers: add_containers(CompSource::Which::All, prefix, out); return kCompNoFileComp;
      case Comp::RunningContainers: add_containers(CompSource::Which::Running, prefix, out); return kCompNoFileComp;
      case Comp::StoppedContainers: add_containers(CompSource::Which::Stopped, prefix, out); return kCompNoFileComp;
      case Comp::Images:
        if (CompSource* s = src()) add_images(*s, prefix, out);
        return kCompNoFileComp;
      case Comp::Volumes:
        if (CompSource* s = src()) out = s->volume_names(prefix);
        return kCompNoFileComp;
      case Comp::Networks:
        if (CompSource* s = src()) out = s->network_names(prefix);
        return kCompNoFileComp;
      case Comp::Pods:
        if (CompSource* s = src()) out = s->pod_names(prefix);
        return kCompNoFileComp;
      case Comp::Signals:
        // KILL, TERM, … (as Docker's --signal default is written); SIGKILL, … once "SIG" is typed.
        for (auto& v : engine::signal_names()) {
          std::string sig = prefix.starts_with("SI") ? "SIG" + v : v;
          if (sig.starts_with(prefix)) out.push_back(sig);
        }
        return kCompNoFileComp;
      case Comp::Commands: return kCompNoFileComp;  // handled by the caller (needs the position)
      case Comp::CopyPaths: {
        // "NAME:" as Docker's cp completion offers; after the ':' a container path (nothing
        // to offer), and a local path falls back to the shell's file names.
        if (prefix.find(':') != std::string::npos) return kCompNoFileComp;
        std::vector<std::string> names;
        add_containers(CompSource::Which::All, prefix, names);
        for (auto& n : names) out.push_back(n + ":");
        return out.empty() ? kCompDefault : kCompNoSpace;
      }
    }
    return kCompNoFileComp;
  }
};

void add_names(const Table& t, std::string_view group, std::string_view prefix, std::vector<std::string>& out) {
  for (auto& [name, summary] : command_names(t, group))
    if (name.starts_with(prefix)) out.push_back(summary.empty() ? name : name + "\t" + summary);
}

}  // namespace

CompResult complete(const Table& t, std::span<const std::string> args, const SourceFactory& make_source) {
  CompResult r;
  std::string cur = args.empty() ? "" : args.back();
  std::span<const std::string> words = args.empty() ? args : args.first(args.size() - 1);

  auto level = find_level(t, words);
  if (!level) {
    r.error = level.error().msg;
    return r;
  }
  const FlagSet fs = level->flags(t);
  const CmdSpec* cmd = level->cmd;
  if (cmd && cmd->raw_args) {  // __complete, __completeNoDesc: nothing to offer
    r.directive = kCompNoFileComp;
    return r;
  }
  bool interspersed = cmd ? cmd->interspersed : true;

  // Is this a flag's value? `--opt=PARTIAL`, `-o=PARTIAL`, or the word after `--opt` / `-o`.
  std::vector<std::string> finalargs = level->rest;
  std::string prefix = cur;
  const OptSpec* flag = nullptr;
  std::string flag_name, flag_error;
  bool with_equal = false;
  if (!cur.empty() && cur[0] == '-') {
    if (size_t eq = cur.find('='); eq != std::string::npos) {
      flag_name = cur.starts_with("--") ? cur.substr(2, eq - 2) : cur.substr(eq - 1, 1);
      prefix = cur.substr(eq + 1);
      with_equal = true;
    }
  } else if (!finalargs.empty() && is_flag_arg(finalargs.back()) &&
             finalargs.back().find('=') == std::string::npos) {
    const std::string& prev = finalargs.back();
    flag_name = prev.starts_with("--") ? prev.substr(2) : prev.substr(prev.size() - 1);
    finalargs.pop_back();
  }
  if (!flag_name.empty()) {
    // cobra's findFlag: a one-letter name is a shorthand.
    flag = flag_name.size() == 1 ? fs.find_short(flag_name[0]) : fs.find_long(flag_name);
    if (!flag) {
      flag_error = fmt::format("Subcommand '{}' does not support flag '{}'",
                               cmd ? std::string(cmd->path.substr(cmd->path.rfind(' ') + 1))
                                   : (level->group.empty() ? "skiff" : level->group),
                               flag_name);
      finalargs = level->rest;
      prefix = cur;
    } else if (!with_equal && flag->type == OptType::Bool) {
      flag = nullptr;  // `--rm PARTIAL`: a bool takes no value, PARTIAL is an argument
      finalargs = level->rest;
    }
  }

  // Parse what is complete: which options are set, how many positionals, `--` seen.
  ParsedArgs parsed;
  GlobalOptions globals;
  if (auto st = parse_flags(fs, finalargs, interspersed, parsed, &globals); !st) {
    r.error = fmt::format("Error while parsing flags from args {}: {}", go_list(finalargs), st.error().msg);
    return r;
  }
  // After `--`, or past the first positional of run/create/exec, nothing is an option.
  bool flag_completion = !parsed.dash && (interspersed || parsed.positional.empty());
  if (!flag_error.empty() && flag_completion) {
    r.error = flag_error;
    return r;
  }
  if (parsed.has("help") || parsed.has("version")) {
    r.directive = kCompNoFileComp;
    return r;
  }
  Candidates cands{t, make_source, globals, nullptr};

  // A flag's value.
  if (flag && flag_completion) {
    r.directive = cands.values(flag->comp, flag->values, prefix, r.candidates);
    return r;
  }

  // Flag names: `-` offers every short and long form, `--net` the matching long ones.
  if (!flag && !cur.empty() && cur[0] == '-' && cur.find('=') == std::string::npos && flag_completion) {
    auto is_set = [&](const OptSpec& o, bool global) {
      if (o.type == OptType::List || o.type == OptType::Map) return false;  // repeatable
      if (!global || o.name == "version") return parsed.has(o.name);
      return (o.name == "root" && !globals.root.empty()) || (o.name == "runroot" && !globals.runroot.empty()) ||
             (o.name == "storage-driver" && !globals.storage_driver.empty()) ||
             (o.name == "log-level" && !globals.log_level.empty());
    };
    for (auto [o, global] : fs.all()) {
      if (o->hidden || is_set(*o, global)) continue;
      std::string lng = fmt::format("--{}", o->name);
      if (lng.starts_with(cur)) r.candidates.push_back(fmt::format("{}\t{}", lng, o->help));
      if (o->short_name && fmt::format("-{}", o->short_name).starts_with(cur))
        r.candidates.push_back(fmt::format("-{}\t{}", o->short_name, o->help));
    }
    r.directive = kCompNoFileComp;
    return r;
  }

  // Subcommand names (at the top level or in a group).
  if (!cmd) {
    if (parsed.positional.empty() && !parsed.has("version")) {
      add_names(t, level->group, cur, r.candidates);
      r.directive = kCompNoFileComp;
    }
    return r;
  }

  // Positionals. The command line after IMAGE (run/create) or CONTAINER (exec) is the
  // container's: the shell completes file names.
  int n = int(parsed.positional.size());
  if (!interspersed && n >= 1) return r;
  if (cmd->max_args >= 0 && n >= cmd->max_args) {
    r.directive = kCompNoFileComp;
    return r;
  }
  if (cmd->arg_comp == Comp::Commands) {
    if (n == 0) add_names(t, {}, cur, r.candidates);
    else if (n == 1 && find_group(t, parsed.positional[0])) add_names(t, parsed.positional[0], cur, r.candidates);
    r.directive = kCompNoFileComp;
    return r;
  }
  r.directive = cands.values(cmd->arg_comp, cmd->arg_values, cur, r.candidates);
  return r;
}

std::string render_candidates(const CompResult& r, bool descriptions) {
  std::string out;
  for (std::string c : r.candidates) {
    if (!descriptions) c = c.substr(0, c.find('\t'));
    c = c.substr(0, c.find('\n'));
    out += trim(c);
    out += '\n';
  }
  out += fmt::format(":{}\n", r.directive);
  return out;
}

std::string directive_names(int d) {
  if (d >= 64 || d < 0) return fmt::format("ERROR: unexpected ShellCompDirective value: {}", d);
  static constexpr std::pair<int, std::string_view> kNames[] = {
      {kCompError, "ShellCompDirectiveError"},           {kCompNoSpace, "ShellCompDirectiveNoSpace"},
      {kCompNoFileComp, "ShellCompDirectiveNoFileComp"}, {kCompFilterFileExt, "ShellCompDirectiveFilterFileExt"},
      {kCompFilterDirs, "ShellCompDirectiveFilterDirs"}, {kCompKeepOrder, "ShellCompDirectiveKeepOrder"},
  };
  std::vector<std::string> names;
  for (auto& [bit, name] : kNames)
    if (d & bit) names.emplace_back(name);
  return names.empty() ? "ShellCompDirectiveDefault" : join(names, ", ");
}

}  // namespace skiff::cli
