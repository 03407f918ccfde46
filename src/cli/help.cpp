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

// pflag: strings quoted, other kinds bare ("(default 10s)", "(default \"warn\")").
static std::string opt_help(const OptSpec& o) {
  std::string h(o.help);
  if (!o.dflt.empty()) {
    if (o.type == OptType::String) h += fmt::format(" (default {})", go_quote(o.dflt));
    else h += fmt::format(" (default {})", o.dflt);
  }
  return h;
}

// pflag's FlagUsages: left column padded to the longest, then three spaces.
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

static std::string indent(std::string_view text, std::string_view by) {
  std::string out;
  for (auto& line : split(trim(text), '\n')) out += line.empty() ? "\n" : fmt::format("{}{}\n", by, line);
  return out;
}

// Reflows prose paragraphs to `width` columns; paragraphs with indented or "- " lines (lists,
// examples) are kept as written.
static std::string wrap(std::string_view text, size_t width) {
  std::string out;
  for (auto& para : split(replace_all(trim(text), "\n\n", "\f"), '\f')) {
    if (!out.empty()) out += "\n";
    if (para.find("\n ") != std::string::npos || para.find("\n- ") != std::string::npos || para[0] == ' ' ||
        para.starts_with("- ")) {
      out += para + "\n";
      continue;
    }
    size_t col = 0;
    for (auto& word : split(replace_all(para, "\n", " "), ' ')) {
      if (word.empty()) continue;
      if (col > 0 && col + 1 + utf8_width(word) > width) {
        out += "\n";
        col = 0;
      }
      if (col > 0) {
        out += ' ';
        ++col;
      }
      out += word;
      col += utf8_width(word);
    }
    out += "\n";
  }
  return out;
}

std::string command_help(const CmdSpec& cmd) {
  std::string out = fmt::format("\nUsage:  skiff {} {}\n\n{}\n", cmd.path, cmd.usage, cmd.summary);
  if (!cmd.description.empty()) out += "\n" + wrap(cmd.description, 80);
  std::vector<std::string> names{"skiff " + std::string(cmd.path)};
  for (auto& a : split(cmd.aliases, ';'))
    if (!a.empty()) names.push_back("skiff " + a);
  if (names.size() > 1) out += fmt::format("\nAliases:\n  {}\n", join(names, ", "));
  if (!cmd.examples.empty()) out += "\nExamples:\n" + indent(cmd.examples, "  ");
  bool any = std::any_of(cmd.opts.begin(), cmd.opts.end(), [](auto& o) { return !o.hidden; });
  if (any) out += "\nOptions:\n" + options_block(cmd.opts);
  out += "\n";
  return out;
}

std::vector<std::pair<std::string, std::string>> command_names(const Table& t, std::string_view group) {
  std::vector<std::pair<std::string, std::string>> rows;
  if (group.empty()) {
    for (auto& g : t.groups) rows.emplace_back(g.name, g.summary);
    for (auto& c : t.commands) {
      if (c.hidden) continue;
      if (c.path.find(' ') == std::string_view::npos) rows.emplace_back(c.path, c.summary);
      for (auto& a : split(c.aliases, ';'))
        if (!a.empty() && a.find(' ') == std::string::npos) rows.emplace_back(a, c.summary);
    }
  } else {
    std::string prefix = std::string(group) + " ";
    for (auto& c : t.commands) {
      if (c.hidden) continue;
      std::vector<std::string> names{std::string(c.path)};
      for (auto& a : split(c.aliases, ';')) names.push_back(a);
      for (auto& n : names)
        if (n.starts_with(prefix) && n.find(' ', prefix.size()) == std::string::npos) {
          rows.emplace_back(n.substr(prefix.size()), std::string(c.summary));
          break;
        }
    }
  }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end(), [](auto& a, auto& b) { return a.first == b.first; }),
             rows.end());
  return rows;
}

static std::string commands_block(const std::vector<std::pair<std::string, std::string>>& rows) {
  size_t width = 0;
  for (auto& r : rows) width = std::max(width, r.first.size());
  std::string out;
  for (auto& r : rows) out += fmt::format("  {}{}{}\n", r.first, std::string(width - r.first.size() + 2, ' '), r.second);
  return out;
}

std::string main_help(const Table& t) {
  std::string out = fmt::format("\nUsage:  skiff [OPTIONS] COMMAND\n\n{}.\n", kProgramSummary);
  std::vector<std::pair<std::string, std::string>> mgmt, cmds;
  for (auto& g : t.groups) mgmt.emplace_back(g.name, g.summary);
  for (auto& row : command_names(t))
    if (!find_group(t, row.first)) cmds.push_back(row);
  if (!mgmt.empty()) out += "\nManagement Commands:\n" + commands_block(mgmt);
  out += "\nCommands:\n" + commands_block(cmds);
  out += "\nGlobal Options:\n" + options_block(t.globals);
  out += "\nRun 'skiff COMMAND --help' for more information on a command.\n\n";
  return out;
}

std::string group_help(std::string_view group, const Table& t) {
  const GroupSpec* g = find_group(t, group);
  std::string out = fmt::format("\nUsage:  skiff {} COMMAND\n\n{}\n\nCommands:\n", group, g ? g->summary : "");
  out += commands_block(command_names(t, group));
  out += fmt::format("\nRun 'skiff {} COMMAND --help' for more information on a command.\n\n", group);
  return out;
}

Result<std::string> help_for(const Table& t, std::span<const std::string> words) {
  if (words.empty()) return main_help(t);
  size_t used = 0;
  const CmdSpec* c = find_command(t, words, used);
  if (c && used == words.size()) return command_help(*c);
  if (words.size() == 1 && find_group(t, words[0])) return group_help(words[0], t);
  std::string path = join({words.begin(), words.end()}, " ");
  if (is_docker_command(path))
    return fail(kNotFound, fmt::format("'{}' is a docker command that skiff does not implement yet", path));
  return fail(kUsage, fmt::format("unknown help topic {}", go_quote(join({words.begin(), words.end()}, " "))));
}

}  // namespace skiff::cli
