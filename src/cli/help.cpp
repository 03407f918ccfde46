// --help text, in Docker's layout, generated from the command table.
#include <algorithm>

#include "command.hpp"
#include "skiff/util/strings.hpp"

namespace skiff::cli {

static std::string opt_left(const OptSpec& o) {
  std::string left = o.short_name ? fmt::format("  -{}, --{}", o.short_name, o.name)
                                  : fmt::format("      --{}", o.name);
  std::string t = type_name(o.type);
  if (!t.empty()) left += " " + t;
  return left;
}

static std::string opt_help(const OptSpec& o) {
  std::string h(o.help);
  if (!o.dflt.empty()) {
    if (o.type == OptType::String) h += fmt::format(" (default \"{}\")", o.dflt);
    else h += fmt::format(" (default {})", o.dflt);
  }
  return h;
}

static std::string options_block(std::span<const OptSpec> opts) {
  std::vector<const OptSpec*> v;
  for (auto& o : opts)
    if (!o.hidden) v.push_back(&o);
  std::sort(v.begin(), v.end(), [](auto* a, auto* b) { return a->name < b->name; });
  size_t width = 0;
  for (auto* o : v) width = std::max(width, opt_left(*o).size());
  std::string out;
  for (auto* o : v) {
    std::string left = opt_left(*o);
    out += left + std::string(width - left.size() + 3, ' ') + opt_help(*o) + "\n";
  }
  return out;
}

std::string command_help(const CmdSpec& cmd) {
  std::string out = fmt::format("\nUsage:  skiff {} {}\n\n{}\n", cmd.path, cmd.usage, cmd.summary);
  if (!cmd.description.empty()) out += fmt::format("\n{}\n", trim(cmd.description));
  std::vector<std::string> names{"skiff " + std::string(cmd.path)};
  for (auto& a : split(cmd.aliases, ';'))
    if (!a.empty()) names.push_back("skiff " + a);
  if (names.size() > 1) out += fmt::format("\nAliases:\n  {}\n", join(names, ", "));
  // Subcommands of a group (e.g. `skiff container --help`) are listed by main_help(group).
  std::vector<OptSpec> all(cmd.opts.begin(), cmd.opts.end());
  if (!all.empty()) out += "\nOptions:\n" + options_block(all);
  out += "\n";
  return out;
}

static std::string commands_block(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (auto& r : rows) width = std::max(width, r.first.size());
  std::string out;
  for (auto& r : rows) out += fmt::format("  {}{}{}\n", r.first, std::string(width - r.first.size() + 2, ' '), r.second);
  return out;
}

std::string main_help() {
  std::string out =
      "\nUsage:  skiff [OPTIONS] COMMAND\n\n"
      "A daemonless, rootless container engine: Docker's commands, no daemon, no root.\n";
  std::vector<std::pair<std::string, std::string>> mgmt, cmds;
  for (auto& g : groups()) mgmt.emplace_back(g.name, g.summary);
  for (auto& c : commands()) {
    if (c.hidden) continue;
    // Top-level names: the path if it has no space, and single-word aliases.
    std::vector<std::string> top;
    if (c.path.find(' ') == std::string_view::npos) top.emplace_back(c.path);
    for (auto& a : split(c.aliases, ';'))
      if (!a.empty() && a.find(' ') == std::string::npos) top.push_back(a);
    for (auto& t : top) cmds.emplace_back(t, std::string(c.summary));
  }
  std::sort(cmds.begin(), cmds.end());
  cmds.erase(std::unique(cmds.begin(), cmds.end()), cmds.end());
  out += "\nManagement Commands:\n" + commands_block(mgmt);
  out += "\nCommands:\n" + commands_block(cmds);
  out += "\nGlobal Options:\n" + options_block(global_options());
  out += "\nRun 'skiff COMMAND --help' for more information on a command.\n\n";
  return out;
}

std::string group_help(std::string_view group) {
  std::string summary;
  for (auto& g : groups())
    if (g.name == group) summary = std::string(g.summary);
  std::string out = fmt::format("\nUsage:  skiff {} COMMAND\n\n{}\n\nCommands:\n", group, summary);
  std::vector<std::pair<std::string, std::string>> rows;
  std::string prefix = std::string(group) + " ";
  for (auto& c : commands()) {
    if (c.hidden) continue;
    std::vector<std::string> names{std::string(c.path)};
    for (auto& a : split(c.aliases, ';')) names.push_back(a);
    for (auto& n : names)
      if (n.rfind(prefix, 0) == 0) {
        rows.emplace_back(n.substr(prefix.size()), std::string(c.summary));
        break;
      }
  }
  std::sort(rows.begin(), rows.end());
  out += commands_block(rows);
  out += fmt::format("\nRun 'skiff {} COMMAND --help' for more information on a command.\n\n", group);
  return out;
}

}  // namespace skiff::cli
