// Argument parsing with pflag/cobra semantics (conventions-research.md §2): the same rules,
// the same error texts, so scripts written for `docker` keep working.
#include <unistd.h>

#include <algorithm>

#include "command.hpp"
#include "format.hpp"
#include "skiff/engine/engine.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

// ---- ParsedArgs, Context -----------------------------------------------------------------------

std::string ParsedArgs::str(std::string_view name, std::string_view dflt) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::string(dflt);
  return it->second.back();
}

bool ParsedArgs::flag(std::string_view name, bool dflt) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return dflt;
  return parse_bool(it->second.back()).value_or(dflt);
}

std::vector<std::string> ParsedArgs::list(std::string_view name) const {
  auto it = values.find(name);
  if (it == values.end()) return {};
  return it->second;
}

int64_t ParsedArgs::num(std::string_view name, int64_t dflt) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return dflt;
  return parse_int(it->second.back()).value_or(dflt);
}

Result<const Paths*> Context::paths() {
  if (!paths_) {
    auto p = resolve_paths(global.root, global.runroot);
    if (!p) return p.error();
    // The run root the store records (read only: Engine::open records a take-over).
    if (auto st = engine::settle_run_root(*p, false); !st) return st.error();
    paths_ = std::move(*p);
  }
  return &*paths_;
}

std::string type_name(OptType t) {
  switch (t) {
    case OptType::Bool: return "";
    case OptType::String: return "string";
    case OptType::Int: return "int";
    case OptType::Uint: return "uint";
    case OptType::Duration: return "duration";
    case OptType::Bytes: return "bytes";
    case OptType::List: return "list";
    case OptType::Map: return "map";
  }
  return "";
}

// ---- finding commands ----------------------------------------------------------------------------

bool command_has_name(const CmdSpec& c, std::string_view name) {
  if (c.path == name) return true;
  for (auto& a : split(c.aliases, ';'))
    if (!a.empty() && a == name) return true;
  return false;
}

const CmdSpec* find_command(const Table& t, std::span<const std::string> words, size_t& used) {
  if (words.size() >= 2) {
    std::string two = words[0] + " " + words[1];
    for (auto& c : t.commands)
      if (command_has_name(c, two)) {
        used = 2;
        return &c;
      }
  }
  if (!words.empty()) {
    for (auto& c : t.commands)
      if (command_has_name(c, words[0])) {
        used = 1;
        return &c;
      }
  }
  used = 0;
  return nullptr;
}

const GroupSpec* find_group(const Table& t, std::string_view name) {
  for (auto& g : t.groups)
    if (g.name == name) return &g;
  return nullptr;
}

// ---- the flag set of a command -------------------------------------------------------------------

static constexpr OptSpec kHelpOpt{"help", 'h', OptType::Bool, "Print usage"};
static constexpr OptSpec kHelpLongOnly{"help", 0, OptType::Bool, "Print usage"};

// Global options other than --version are accepted by every command (podman's persistent flags).
static bool inherited(const FlagSet& fs, const OptSpec& g) {
  return (!fs.cmd && !fs.group) || g.name != "version";
}

// -h means --help unless the command uses it (run/create: --hostname).
static const OptSpec& help_opt(const FlagSet& fs) {
  if (fs.cmd)
    for (auto& o : fs.cmd->opts)
      if (o.short_name == 'h') return kHelpLongOnly;
  return kHelpOpt;
}

const OptSpec* FlagSet::find_long(std::string_view name, bool* global) const {
  if (global) *global = false;
  if (cmd)
    for (auto& o : cmd->opts)
      if (o.name == name) return &o;
  if (name == "help") return &help_opt(*this);
  for (auto& o : table->globals)
    if (o.name == name && inherited(*this, o)) {
      if (global) *global = true;
      return &o;
    }
  return nullptr;
}

const OptSpec* FlagSet::find_short(char c, bool* global) const {
  if (global) *global = false;
  if (cmd)
    for (auto& o : cmd->opts)
      if (o.short_name == c) return &o;
  if (help_opt(*this).short_name == c) return &help_opt(*this);
  for (auto& o : table->globals)
    if (o.short_name == c && inherited(*this, o)) {
      if (global) *global = true;
      return &o;
    }
  return nullptr;
}

std::vector<std::pair<const OptSpec*, bool>> FlagSet::all() const {
  std::vector<std::pair<const OptSpec*, bool>> globals, local;
  for (auto& o : table->globals)
    if (inherited(*this, o)) (cmd || group ? globals : local).emplace_back(&o, true);
  if (cmd)
    for (auto& o : cmd->opts) local.emplace_back(&o, false);
  local.emplace_back(&help_opt(*this), false);
  auto by_name = [](auto& a, auto& b) { return a.first->name < b.first->name; };
  std::sort(globals.begin(), globals.end(), by_name);
  std::sort(local.begin(), local.end(), by_name);
  globals.insert(globals.end(), local.begin(), local.end());
  return globals;
}

// ---- pflag ---------------------------------------------------------------------------------------

static Error usage_error(std::string msg) { return Error{kUsage, std::move(msg)}; }

// Go's %q of a byte.
static std::string quote_char(char c) {
  if (c == '\'') return "'\\''";
  if (c == '\\') return "'\\\\'";
  if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f) return fmt::format("'\\x{:02x}'", (unsigned char)c);
  return fmt::format("'{}'", c);
}

// Checks a value against the option's type, as pflag does when it sets the flag.
static Status check_value(const OptSpec& o, const std::string& v) {
  auto bad = [&](std::string_view why) {
    std::string name = o.short_name ? fmt::format("-{}, --{}", o.short_name, o.name) : fmt::format("--{}", o.name);
    return fail(usage_error(fmt::format("invalid argument {} for {} flag: {}", go_quote(v), go_quote(name), why)));
  };
  switch (o.type) {
    case OptType::Bool:
      if (!parse_bool(v)) return bad(fmt::format("strconv.ParseBool: parsing {}: invalid syntax", go_quote(v)));
      break;
    case OptType::Int:
      if (!parse_int(v)) return bad(fmt::format("strconv.ParseInt: parsing {}: invalid syntax", go_quote(v)));
      break;
    case OptType::Uint:
      if (!parse_uint(v)) return bad(fmt::format("strconv.ParseUint: parsing {}: invalid syntax", go_quote(v)));
      break;
    case OptType::Duration:
      if (!parse_go_duration(v) && !parse_int(v)) return bad(fmt::format("time: invalid duration {}", go_quote(v)));
      break;
    case OptType::Bytes:
      if (!parse_ram_size(v) || (!v.empty() && v[0] == '-')) return bad(fmt::format("invalid size: '{}'", v));
      break;
    default:
      break;
  }
  return ok();
}

static void set_global(GlobalOptions& g, std::string_view name, const std::string& v) {
  if (name == "root") g.root = v;
  else if (name == "runroot") g.runroot = v;
  else if (name == "storage-driver") g.storage_driver = v;
  else if (name == "log-level") g.log_level = v;
  else if (name == "cgroup-manager") g.cgroup_manager = v;
  else set_podman_global(g.podman, name, v);
}

namespace {

// One pass of pflag's parseArgs over `args`.
struct FlagParser {
  const FlagSet& fs;
  std::span<const std::string> args;
  ParsedArgs& out;
  GlobalOptions* globals;
  size_t i = 0;  // index of the next unread argument

  Status store(const OptSpec& o, bool global, std::string v) {
    TRY(check_value(o, v));
    if (o.type == OptType::Bool) v = *parse_bool(v) ? "true" : "false";
    if (global && o.name != "version") {
      if (globals) set_global(*globals, o.name, v);
      return ok();
    }
    out.values[std::string(o.name)].push_back(std::move(v));
    return ok();
  }

  // "--name", "--name=value", "--name value".
  Status parse_long(const std::string& s) {
    std::string_view body = std::string_view(s).substr(2);
    if (body.empty() || body[0] == '-' || body[0] == '=') return usage_error(fmt::format("bad flag syntax: {}", s));
    auto [name, val] = split_once(body, '=');
    bool global = false;
    const OptSpec* o = fs.find_long(name, &global);
    if (!o) return usage_error(fmt::format("unknown flag: --{}", name));
    if (val) return store(*o, global, *val);
    if (o->type == OptType::Bool) return store(*o, global, "true");  // `--rm false`: false stays an arg
    if (i >= args.size()) return usage_error(fmt::format("flag needs an argument: {}", s));
    return store(*o, global, args[i++]);
  }

  // "-abc", "-dp 8080:80", "-dp8080:80", "-e=A=1", "-t=false".
  Status parse_short(const std::string& s) {
    std::string_view shorthands = std::string_view(s).substr(1);
    while (!shorthands.empty()) {
      char c = shorthands[0];
      bool global = false;
      const OptSpec* o = fs.find_short(c, &global);
      if (!o) return usage_error(fmt::format("unknown shorthand flag: {} in -{}", quote_char(c), shorthands));
      if (shorthands.size() > 2 && shorthands[1] == '=') {
        TRY(store(*o, global, std::string(shorthands.substr(2))));
        shorthands = {};
      } else if (o->type == OptType::Bool) {
        TRY(store(*o, global, "true"));
        shorthands.remove_prefix(1);
      } else if (shorthands.size() > 1) {
        TRY(store(*o, global, std::string(shorthands.substr(1))));
        shorthands = {};
      } else if (i < args.size()) {
        TRY(store(*o, global, args[i++]));
        shorthands = {};
      } else {
        return usage_error(fmt::format("flag needs an argument: {} in -{}", quote_char(c), shorthands));
      }
    }
    return ok();
  }

  Status run(bool interspersed) {
    while (i < args.size()) {
      const std::string& s = args[i++];
      if (s.size() < 2 || s[0] != '-') {  // "", "-", "word": a positional
        out.positional.push_back(s);
        if (!interspersed) break;
        continue;
      }
      if (s == "--") {
        out.dash = true;
        break;
      }
      TRY(s[1] == '-' ? parse_long(s) : parse_short(s));
    }
    // After `--`, or after the first positional of a non-interspersed command: all positional.
    for (; i < args.size(); ++i) out.positional.push_back(args[i]);
    return ok();
  }
};

}  // namespace

Status parse_flags(const FlagSet& flags, std::span<const std::string> args, bool interspersed,
                   ParsedArgs& out, GlobalOptions* globals) {
  FlagParser p{flags, args, out, globals};
  return p.run(interspersed);
}

Status check_arg_count(const CmdSpec& cmd, const ParsedArgs& a, std::string_view invoked) {
  int n = int(a.positional.size()), lo = cmd.min_args, hi = cmd.max_args;
  auto plural = [](int k) { return k == 1 ? "argument" : "arguments"; };
  std::string name = fmt::format("skiff {}", invoked.empty() ? cmd.path : invoked);
  if (lo == hi && n != lo) {
    if (lo == 0) return usage_error(fmt::format("\"{}\" accepts no arguments.", name));
    return usage_error(fmt::format("\"{}\" requires exactly {} {}.", name, lo, plural(lo)));
  }
  if (lo > 0 && hi > lo && (n < lo || n > hi))
    return usage_error(fmt::format("\"{}\" requires at least {} and at most {} {}.", name, lo, hi, plural(hi)));
  if (n < lo) return usage_error(fmt::format("\"{}\" requires at least {} {}.", name, lo, plural(lo)));
  if (hi >= 0 && n > hi) return usage_error(fmt::format("\"{}\" requires at most {} {}.", name, hi, plural(hi)));
  return ok();
}

Result<ParsedArgs> parse_args(const Table& t, const CmdSpec& cmd, std::span<const std::string> args,
                              GlobalOptions* globals) {
  ParsedArgs out;
  if (cmd.raw_args) {
    out.positional.assign(args.begin(), args.end());
    return out;
  }
  TRY(parse_flags(FlagSet{&t, &cmd}, args, cmd.interspersed, out, globals));
  if (!out.flag("help")) TRY(check_arg_count(cmd, out));
  return out;
}

// ---- suggestions ---------------------------------------------------------------------------------

static size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::vector<std::string> suggest_commands(const Table& t, std::string_view word, std::string_view group) {
  std::string w = to_lower(word);
  std::vector<std::pair<size_t, std::string>> hits;
  for (auto& [name, summary] : command_names(t, group)) {
    size_t d = edit_distance(w, to_lower(name));
    bool prefix = name.size() > w.size() && to_lower(name).compare(0, w.size(), w) == 0;
    if (d <= 2 || prefix) hits.emplace_back(prefix ? std::min<size_t>(d, 1) : d, name);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::string> out;
  for (auto& h : hits) out.push_back(h.second);
  return out;
}

// ---- Docker's commands ---------------------------------------------------------------------------

// Every command of Docker's CLI (27.x, with its aliases, and the compose and buildx plugins users
// type as commands), as typed after `docker`. A command line that names one of these that the
// table does not have gets a plain "not implemented yet" instead of a guess ("login" is not
// "logs"). This list only describes Docker: it never needs shrinking when skiff gains a command,
// because the command table is looked up first (a command skiff has is never reported missing).
constexpr std::string_view kDockerCommands[] = {
    "attach", "build", "builder", "builder build", "builder prune", "buildx", "checkpoint",
    "checkpoint create", "checkpoint list", "checkpoint ls", "checkpoint remove", "checkpoint rm", "commit",
    "compose", "config", "config create", "config inspect", "config list", "config ls", "config remove",
    "config rm", "container", "container attach", "container commit", "container cp", "container create",
    "container diff", "container exec", "container export", "container inspect", "container kill",
    "container list", "container logs", "container ls", "container pause", "container port", "container prune",
    "container ps", "container remove", "container rename", "container restart", "container rm", "container run",
    "container start", "container stats", "container stop", "container top", "container unpause",
    "container update", "container wait", "context", "context create", "context export", "context import",
    "context inspect", "context list", "context ls", "context remove", "context rm", "context show",
    "context update", "context use", "cp", "create", "diff", "events", "exec", "export", "history", "image",
    "image build", "image history", "image import", "image inspect", "image list", "image load", "image ls",
    "image prune", "image pull", "image push", "image remove", "image rm", "image save", "image tag", "images",
    "import", "info", "inspect", "kill", "load", "login", "logout", "logs", "manifest", "manifest annotate",
    "manifest create", "manifest inspect", "manifest push", "manifest rm", "network", "network connect",
    "network create", "network disconnect", "network inspect", "network list", "network ls", "network prune",
    "network remove", "network rm", "node", "node demote", "node inspect", "node list", "node ls",
    "node promote", "node ps", "node remove", "node rm", "node update", "pause", "plugin", "plugin create",
    "plugin disable", "plugin enable", "plugin inspect", "plugin install", "plugin list", "plugin ls",
    "plugin push", "plugin remove", "plugin rm", "plugin set", "plugin upgrade", "port", "ps", "pull", "push",
    "rename", "restart", "rm", "rmi", "run", "save", "search", "secret", "secret create", "secret inspect",
    "secret list", "secret ls", "secret remove", "secret rm", "service", "service create", "service inspect",
    "service list", "service logs", "service ls", "service ps", "service remove", "service rm",
    "service rollback", "service scale", "service update", "stack", "stack config", "stack deploy",
    "stack list", "stack ls", "stack ps", "stack remove", "stack rm", "stack services", "start", "stats", "stop",
    "swarm", "swarm ca", "swarm init", "swarm join", "swarm join-token", "swarm leave", "swarm unlock",
    "swarm unlock-key", "swarm update", "system", "system df", "system events", "system info", "system prune",
    "tag", "top", "trust", "trust inspect", "trust key", "trust revoke", "trust sign", "trust signer", "unpause",
    "update", "version", "volume", "volume create", "volume inspect", "volume list", "volume ls",
    "volume prune", "volume remove", "volume rm", "volume update", "wait",
};

bool is_docker_command(std::string_view path) {
  return std::binary_search(std::begin(kDockerCommands), std::end(kDockerCommands), path);
}

std::span<const std::string_view> docker_commands() { return kDockerCommands; }

// cobra: `unknown command "x" for "skiff"`, then "Did you mean this?" and the hint. A command
// Docker has and skiff has not yet says so plainly instead.
static std::string unknown_command_text(const Table& t, std::string_view word, std::string_view group) {
  std::string where = group.empty() ? "skiff" : fmt::format("skiff {}", group);
  std::string path = group.empty() ? std::string(word) : fmt::format("{} {}", group, word);
  if (is_docker_command(path))
    return fmt::format("skiff: '{}' is a docker command that skiff does not implement yet.\n"
                       "See '{} --help' for the commands skiff has.\n",
                       path, where);
  std::string text = fmt::format("Error: unknown command {} for {}\n", go_quote(word), go_quote(where));
  auto sug = suggest_commands(t, word, group);
  if (!sug.empty()) {
    text += "\nDid you mean this?\n";
    for (auto& s : sug) text += fmt::format("\t{}\n", s);
    text += "\n";
  }
  text += fmt::format("Run '{} --help' for usage.\n", where);
  return text;
}

// ---- resolving a whole command line --------------------------------------------------------------

std::string error_text(const Error& e, std::string_view invoked) {
  std::string text = fmt::format("Error: {}\n", personality_error(e));
  if (e.code == kUsage)
    text += fmt::format("See '{}{}{} --help'.\n", podman_personality() ? "podman" : "skiff", invoked.empty() ? "" : " ", invoked);
  return text;
}

void print_error(const Error& e, std::string_view invoked) {
  std::string text = error_text(e, invoked);
  (void)!::write(2, text.data(), text.size());
}

int exit_status_for(const Error& e) {
  if (e.code == kCannotInvoke) return 126;
  if (e.code == kCommandNotFound) return 127;
  if (e.code == kTemplateFailed) return 1;
  return 125;
}

Invocation resolve(const Table& t, std::span<const std::string> argv) {
  Invocation inv;
  auto print = [&](std::string text) {
    inv.action = Invocation::Action::Print;
    inv.text = std::move(text);
    inv.status = 0;
    return std::move(inv);
  };
  auto failure = [&](std::string text) {
    inv.action = Invocation::Action::Fail;
    inv.text = std::move(text);
    inv.status = 125;
    return std::move(inv);
  };

  // Global options, up to the first word (Docker: `skiff --root /x ps`).
  ParsedArgs top;
  if (auto st = parse_flags(FlagSet{&t, nullptr}, argv, false, top, &inv.global); !st)
    return failure(error_text(st.error(), ""));
  if (top.flag("version")) return print(fmt::format("skiff version {}\n", SKIFF_VERSION));
  bool help = top.flag("help");
  std::vector<std::string> words = std::move(top.positional);
  if (words.empty()) return print(main_help(t));

  // A group: more global options may follow it (`skiff container --root /x ls`).
  std::string group;
  size_t used = 0;
  if (find_group(t, words[0]) && !find_command(t, std::span(words).first(1), used)) {
    group = words[0];
    ParsedArgs sub;
    std::span<const std::string> rest(words.begin() + 1, words.end());
    if (auto st = parse_flags(FlagSet{&t, nullptr, true}, rest, false, sub, &inv.global); !st)
      return failure(error_text(st.error(), group));
    help = help || sub.flag("help");
    if (sub.positional.empty()) return print(group_help(group, t));
    words.resize(1);
    words.insert(words.end(), sub.positional.begin(), sub.positional.end());
  }

  const CmdSpec* cmd = find_command(t, words, used);
  if (!cmd || (!group.empty() && used != 2)) return failure(unknown_command_text(t, words[group.empty() ? 0 : 1], group));
  inv.cmd = cmd;
  for (size_t k = 0; k < used; ++k) inv.invoked_as += (k ? " " : "") + words[k];
  if (help) return print(command_help(*cmd));

  std::span<const std::string> rest(words.begin() + long(used), words.end());
  if (cmd->raw_args) {
    inv.args.positional.assign(rest.begin(), rest.end());
  } else {
    if (auto st = parse_flags(FlagSet{&t, cmd}, rest, cmd->interspersed, inv.args, &inv.global); !st)
      return failure(error_text(st.error(), inv.invoked_as));
    if (inv.args.flag("help")) return print(command_help(*cmd));
    if (auto st = check_arg_count(*cmd, inv.args, inv.invoked_as); !st)
      return failure(error_text(st.error(), inv.invoked_as));
  }
  inv.action = Invocation::Action::Run;
  return inv;
}

}  // namespace skiff::cli
