// Argument parsing with pflag/cobra semantics (CONVENTIONS.md §2).
#include <unistd.h>

#include <algorithm>

#include "command.hpp"
#include "skiff/util/strings.hpp"
#include "skiff/util/time.hpp"

namespace skiff::cli {

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

const CmdSpec* find_command(std::span<const std::string> words, size_t& used) {
  auto matches = [](const CmdSpec& c, std::string_view name) {
    if (c.path == name) return true;
    for (auto& a : split(c.aliases, ';'))
      if (!a.empty() && a == name) return true;
    return false;
  };
  if (words.size() >= 2) {
    std::string two = words[0] + " " + words[1];
    for (auto& c : commands())
      if (matches(c, two)) {
        used = 2;
        return &c;
      }
  }
  if (!words.empty()) {
    for (auto& c : commands())
      if (matches(c, words[0])) {
        used = 1;
        return &c;
      }
  }
  used = 0;
  return nullptr;
}

static Error usage_error(std::string msg) { return Error{kUsage, std::move(msg)}; }

static std::string flag_display(const OptSpec& o) {
  if (o.short_name) return fmt::format("-{}, --{}", o.short_name, o.name);
  return fmt::format("--{}", o.name);
}

// Checks a value against the option's type, as pflag does when it sets the flag.
static Status check_value(const OptSpec& o, const std::string& v) {
  auto bad = [&](std::string_view why) {
    return fail(usage_error(fmt::format("invalid argument \"{}\" for \"{}\" flag: {}", v, flag_display(o), why)));
  };
  switch (o.type) {
    case OptType::Bool:
      if (!parse_bool(v)) return bad(fmt::format("strconv.ParseBool: parsing \"{}\": invalid syntax", v));
      break;
    case OptType::Int:
      if (!parse_int(v)) return bad(fmt::format("strconv.ParseInt: parsing \"{}\": invalid syntax", v));
      break;
    case OptType::Uint:
      if (!parse_uint(v)) return bad(fmt::format("strconv.ParseUint: parsing \"{}\": invalid syntax", v));
      break;
    case OptType::Duration:
      if (!parse_go_duration(v) && !parse_int(v)) return bad(fmt::format("time: invalid duration \"{}\"", v));
      break;
    case OptType::Bytes:
      if (!parse_ram_size(v)) return bad("invalid size");
      break;
    default:
      break;
  }
  return ok();
}

static const OptSpec kHelpOpt{"help", 0, OptType::Bool, "Print usage"};

Result<ParsedArgs> parse_args(const CmdSpec& cmd, std::span<const std::string> args,
                              GlobalOptions* globals) {
  ParsedArgs out;
  auto find_long = [&](std::string_view name, bool& is_global) -> const OptSpec* {
    is_global = false;
    for (auto& o : cmd.opts)
      if (o.name == name) return &o;
    if (name == "help") return &kHelpOpt;
    for (auto& o : global_options())
      if (o.name == name && o.name != "version") {
        is_global = true;
        return &o;
      }
    return nullptr;
  };
  auto find_short = [&](char c) -> const OptSpec* {
    for (auto& o : cmd.opts)
      if (o.short_name == c) return &o;
    return nullptr;
  };
  auto store = [&](const OptSpec& o, bool is_global, std::string v) -> Status {
    TRY(check_value(o, v));
    if (o.type == OptType::Bool) v = *parse_bool(v) ? "true" : "false";
    if (is_global && globals) {
      if (o.name == "root") globals->root = v;
      else if (o.name == "runroot") globals->runroot = v;
      else if (o.name == "storage-driver") globals->storage_driver = v;
      else if (o.name == "log-level") globals->log_level = v;
      return ok();
    }
    out.values[std::string(o.name)].push_back(std::move(v));
    return ok();
  };

  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") {
      // Before the first positional, `--` ends the options and is dropped; for commands that
      // stop at the first positional, later `--` never reaches here (it is passed through).
      for (size_t j = i + 1; j < args.size(); ++j) out.positional.push_back(args[j]);
      break;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      auto [name, val] = split_once(std::string_view(a).substr(2), '=');
      bool is_global;
      const OptSpec* o = find_long(name, is_global);
      if (!o) return usage_error(fmt::format("unknown flag: --{}", name));
      if (o->type == OptType::Bool) {
        TRY(store(*o, is_global, val.value_or("true")));
      } else if (val) {
        TRY(store(*o, is_global, *val));
      } else {
        if (i + 1 >= args.size()) return usage_error(fmt::format("flag needs an argument: --{}", name));
        TRY(store(*o, is_global, args[++i]));
      }
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        char c = a[k];
        const OptSpec* o = find_short(c);
        if (!o) {
          if (c == 'h' && !find_short('h')) {
            // Not Docker (where -h is --hostname on run), but helpful elsewhere: skiff ps -h.
            out.values["help"].push_back("true");
            continue;
          }
          return usage_error(fmt::format("unknown shorthand flag: '{}' in {}", c, a));
        }
        if (o->type == OptType::Bool) {
          if (k + 1 < a.size() && a[k + 1] == '=') {
            TRY(store(*o, false, a.substr(k + 2)));
            break;
          }
          TRY(store(*o, false, "true"));
          continue;
        }
        std::string rest = a.substr(k + 1);
        if (!rest.empty()) {
          if (rest[0] == '=') rest = rest.substr(1);
          TRY(store(*o, false, rest));
        } else {
          if (i + 1 >= args.size())
            return usage_error(fmt::format("flag needs an argument: '{}' in -{}", c, c));
          TRY(store(*o, false, args[++i]));
        }
        break;
      }
      continue;
    }
    out.positional.push_back(a);
    if (!cmd.interspersed) {
      for (size_t j = i + 1; j < args.size(); ++j) out.positional.push_back(args[j]);
      break;
    }
  }
  if (out.flag("help")) return out;
  int n = int(out.positional.size());
  auto plural = [](int k) { return k == 1 ? "argument" : "arguments"; };
  std::string name = fmt::format("skiff {}", cmd.path);
  if (cmd.min_args == cmd.max_args && n != cmd.min_args) {
    if (cmd.min_args == 0)
      return usage_error(fmt::format("\"{}\" accepts no arguments.", name));
    return usage_error(fmt::format("\"{}\" requires exactly {} {}.", name, cmd.min_args, plural(cmd.min_args)));
  }
  if (n < cmd.min_args)
    return usage_error(fmt::format("\"{}\" requires at least {} {}.", name, cmd.min_args, plural(cmd.min_args)));
  if (cmd.max_args >= 0 && n > cmd.max_args)
    return usage_error(fmt::format("\"{}\" requires at most {} {}.", name, cmd.max_args, plural(cmd.max_args)));
  return out;
}

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

std::string suggest_command(std::string_view word) {
  std::string best;
  size_t best_d = 3;
  auto consider = [&](std::string_view name) {
    if (name.find(' ') != std::string_view::npos) return;
    size_t d = edit_distance(word, name);
    if (d < best_d || (d == best_d && !best.empty() && name < best)) {
      best_d = d;
      best = std::string(name);
    }
    // A prefix match counts too (cobra's SuggestionsMinimumDistance plus prefix rule).
    if (best.empty() && name.size() > word.size() && name.substr(0, word.size()) == word) best = std::string(name);
  };
  for (auto& c : commands()) {
    if (c.hidden) continue;
    consider(c.path);
    for (auto& a : split(c.aliases, ';')) consider(a);
  }
  for (auto& g : groups()) consider(g.name);
  return best;
}

int exit_status_for(const Error& e) {
  if (e.code == kCannotInvoke) return 126;
  if (e.code == kCommandNotFound) return 127;
  return 125;
}

void print_error(const Error& e, std::string_view invoked) {
  std::string text = fmt::format("Error: {}\n", e.msg);
  if (e.code == kUsage) {
    if (!invoked.empty()) text += fmt::format("See 'skiff {} --help'.\n", invoked);
    else text += "See 'skiff --help'.\n";
  }
  (void)!::write(2, text.data(), text.size());
}

}  // namespace skiff::cli
