#define BOOST_TEST_DYN_LINK
// The rules of THE command table (src/cli/commands.cpp): every command added later is checked
// by these tests, so help, man pages and completion stay complete and unambiguous.
#include <boost/test/unit_test.hpp>
#include <set>

#include "cli/command.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using namespace skiff::cli;

namespace {

std::vector<std::string> names_of(const CmdSpec& c) {
  std::vector<std::string> v{std::string(c.path)};
  if (!c.aliases.empty())
    for (auto& a : split(c.aliases, ';')) v.push_back(a);
  return v;
}

// The command's options plus the implicit --help (and -h when free) and the inherited globals.
std::vector<OptSpec> effective_opts(const CmdSpec& c) {
  std::vector<OptSpec> v(c.opts.begin(), c.opts.end());
  bool h_taken = false;
  for (auto& o : c.opts) h_taken |= o.short_name == 'h';
  v.push_back(OptSpec{"help", h_taken ? '\0' : 'h', OptType::Bool, "Print usage"});
  for (auto& g : global_options())
    if (g.name != "version") v.push_back(g);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_commands)

BOOST_AUTO_TEST_CASE(sorted_by_path) {
  auto cmds = commands();
  for (size_t i = 1; i < cmds.size(); ++i) {
    bool ordered = cmds[i - 1].path < cmds[i].path;
    BOOST_TEST(ordered, "out of order: " << cmds[i - 1].path << " / " << cmds[i].path);
  }
  auto gs = groups();
  for (size_t i = 1; i < gs.size(); ++i) {
    bool ordered = gs[i - 1].name < gs[i].name;
    BOOST_TEST(ordered, "groups out of order: " << gs[i - 1].name << " / " << gs[i].name);
  }
}

BOOST_AUTO_TEST_CASE(no_duplicate_paths_or_aliases) {
  std::set<std::string> seen;
  for (auto& c : commands())
    for (auto& n : names_of(c)) {
      BOOST_TEST(!n.empty(), "empty alias in " << c.path << " (stray ';'?)");
      BOOST_TEST(trim(n) == n, "spaces around alias '" << n << "'");
      BOOST_TEST(seen.insert(n).second, "name used twice: " << n);
    }
  // A one-word name must not shadow a group.
  for (auto& g : groups()) BOOST_TEST(!seen.count(std::string(g.name)), "command named like group " << g.name);
}

BOOST_AUTO_TEST_CASE(names_have_one_or_two_words_and_groups_exist) {
  for (auto& c : commands())
    for (auto& n : names_of(c)) {
      auto words = split(n, ' ');
      BOOST_TEST(words.size() <= 2u, n << ": at most two words");
      if (words.size() == 2) BOOST_TEST(find_group(table(), words[0]) != nullptr, n << ": no group " << words[0]);
    }
}

BOOST_AUTO_TEST_CASE(no_duplicate_flags_within_a_command) {
  for (auto& c : commands()) {
    std::set<std::string> longs;
    std::set<char> shorts;
    for (auto& o : effective_opts(c)) {
      BOOST_TEST(longs.insert(std::string(o.name)).second, c.path << ": --" << o.name << " twice");
      if (o.short_name) BOOST_TEST(shorts.insert(o.short_name).second, c.path << ": -" << o.short_name << " twice");
    }
  }
  std::set<std::string> longs;
  std::set<char> shorts{'h'};  // the top level's -h is --help
  for (auto& o : global_options()) {
    BOOST_TEST(longs.insert(std::string(o.name)).second, "global --" << o.name << " twice");
    if (o.short_name) BOOST_TEST(shorts.insert(o.short_name).second, "global -" << o.short_name << " twice");
  }
}

BOOST_AUTO_TEST_CASE(every_command_is_documented) {
  for (auto& c : commands()) {
    // A command with neither arguments nor options may have an empty usage line.
    BOOST_TEST((!c.usage.empty() || (c.max_args == 0 && c.opts.empty())), c.path << ": no usage");
    BOOST_TEST(!c.summary.empty(), c.path << ": no summary");
    BOOST_TEST(c.handler != nullptr, c.path << ": no handler");
    if (!c.summary.empty()) {
      BOOST_TEST((c.summary[0] >= 'A' && c.summary[0] <= 'Z'), c.path << ": summary starts lowercase");
      BOOST_TEST(c.summary.back() != '.', c.path << ": summary ends with a period");
    }
    BOOST_TEST((c.max_args < 0 || c.max_args >= c.min_args), c.path << ": max_args < min_args");
    BOOST_TEST((c.usage.find("[OPTIONS]") == std::string_view::npos || !c.opts.empty()),
               c.path << ": usage says [OPTIONS] but there are none");
  }
  for (auto& g : groups()) BOOST_TEST(!g.summary.empty(), g.name << ": no summary");
}

BOOST_AUTO_TEST_CASE(every_visible_option_has_help) {
  auto check = [](std::string_view where, const OptSpec& o) {
    BOOST_TEST(!o.name.empty(), where << ": option without a name");
    BOOST_TEST(o.name.substr(0, 1) != "-", where << ": --" << o.name << " written with dashes");
    if (o.hidden) return;
    BOOST_TEST(!o.help.empty(), where << ": --" << o.name << " has no help");
    if (!o.help.empty()) {
      BOOST_TEST((o.help[0] >= 'A' && o.help[0] <= 'Z'), where << ": --" << o.name << " help starts lowercase");
      BOOST_TEST(o.help.back() != '.', where << ": --" << o.name << " help ends with a period");
    }
    if (o.type == OptType::Bool) BOOST_TEST((o.comp == Comp::None), where << ": bool --" << o.name << " completes");
  };
  for (auto& c : commands())
    for (auto& o : c.opts) check(c.path, o);
  for (auto& o : global_options()) check("global", o);
}

BOOST_AUTO_TEST_CASE(enum_completions_have_values) {
  for (auto& c : commands()) {
    for (auto& o : c.opts) {
      if (o.comp == Comp::Enum) BOOST_TEST(!trim(o.values).empty(), c.path << ": --" << o.name << " enum without values");
      else BOOST_TEST(o.values.empty(), c.path << ": --" << o.name << " has values but is not Comp::Enum");
    }
    if (c.arg_comp == Comp::Enum) BOOST_TEST(!trim(c.arg_values).empty(), c.path << ": enum positional without values");
    else BOOST_TEST(c.arg_values.empty(), c.path << ": arg_values but arg_comp is not Comp::Enum");
  }
  for (auto& o : global_options())
    if (o.comp == Comp::Enum) BOOST_TEST(!trim(o.values).empty(), "global --" << o.name);
}

BOOST_AUTO_TEST_CASE(hidden_commands_start_with_underscores) {
  for (auto& c : commands()) {
    bool internal = c.path.substr(0, 2) == "__";
    BOOST_TEST(c.hidden == internal, c.path << ": hidden iff the path starts with \"__\"");
    for (auto& a : names_of(c)) BOOST_TEST((a.substr(0, 2) == "__") == internal, c.path << ": alias " << a);
  }
}

BOOST_AUTO_TEST_CASE(table_lookups_find_every_name) {
  for (auto& c : commands())
    for (auto& n : names_of(c)) {
      auto words = split(n, ' ');
      size_t used = 0;
      BOOST_TEST(find_command(words, used) == &c, n);
      BOOST_TEST(used == words.size());
    }
}

BOOST_AUTO_TEST_SUITE_END()
