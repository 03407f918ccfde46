#define BOOST_TEST_DYN_LINK
// Docker's (pflag/cobra's) parsing rules, conventions-research.md §2, over a small fake table.
#include <boost/test/unit_test.hpp>

#include "fake_table.hpp"
#include "skiff/util/strings.hpp"

using namespace skiff;
using namespace skiff::cli;
using Action = Invocation::Action;
using Strings = std::vector<std::string>;

namespace {

Invocation R(Strings argv) { return resolve(fake::kTable, argv); }

// Runs and expects success; returns the parsed arguments.
ParsedArgs ok_args(Strings argv) {
  Invocation inv = R(argv);
  BOOST_TEST_REQUIRE((inv.action == Action::Run), "not run: " << inv.text);
  return inv.args;
}

// Expects a usage failure; returns the stderr text.
std::string fail_text(Strings argv) {
  Invocation inv = R(argv);
  BOOST_TEST_REQUIRE((inv.action == Action::Fail), "did not fail");
  BOOST_TEST(inv.status == 125);
  return inv.text;
}

const CmdSpec& cmd(std::string_view path) {
  for (auto& c : fake::kCommands)
    if (c.path == path) return c;
  BOOST_FAIL("no command " << path);
  return fake::kCommands[0];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_parse)

BOOST_AUTO_TEST_CASE(global_options_before_the_command) {
  Invocation inv = R({"--root", "/x", "--log-level=debug", "version"});
  BOOST_TEST((inv.action == Action::Run));
  BOOST_TEST(inv.cmd->path == "version");
  BOOST_TEST(inv.global.root == "/x");
  BOOST_TEST(inv.global.log_level == "debug");
}

BOOST_AUTO_TEST_CASE(global_long_options_anywhere_before_the_image) {
  BOOST_TEST(R({"version", "--root", "/y"}).global.root == "/y");
  BOOST_TEST(R({"logs", "web", "--root=/z"}).global.root == "/z");
  Invocation run = R({"run", "--root", "/r", "img"});
  BOOST_TEST(run.global.root == "/r");
  BOOST_TEST(run.args.positional == Strings{"img"});
  // After IMAGE it belongs to the container's command.
  Invocation after = R({"run", "img", "--root", "/r"});
  BOOST_TEST(after.global.root.empty());
  BOOST_TEST(after.args.positional == (Strings{"img", "--root", "/r"}));
  // Between a group and its command too (podman's persistent flags).
  Invocation grp = R({"container", "--root", "/g", "logs", "web"});
  BOOST_TEST(grp.global.root == "/g");
  BOOST_TEST(grp.cmd->path == "container logs");
  BOOST_TEST(grp.invoked_as == "container logs");
}

BOOST_AUTO_TEST_CASE(version_is_top_level_only) {
  Invocation v = R({"-v"});
  BOOST_TEST((v.action == Action::Print));
  BOOST_TEST(v.text == "skiff version " SKIFF_VERSION "\n");
  BOOST_TEST(R({"--version"}).text == v.text);
  // In run, -v is --volume.
  BOOST_TEST(ok_args({"run", "-v", "/a:/b", "img"}).list("volume") == Strings{"/a:/b"});
  BOOST_TEST(fail_text({"version", "--version"}) == "Error: unknown flag: --version\nSee 'skiff version --help'.\n");
}

BOOST_AUTO_TEST_CASE(run_stops_at_the_image) {
  auto a = ok_args({"run", "img", "echo", "-n", "hi", "-e", "--rm"});
  BOOST_TEST(a.positional == (Strings{"img", "echo", "-n", "hi", "-e", "--rm"}));
  BOOST_TEST(!a.has("rm"));
  BOOST_TEST(!a.has("env"));
}

BOOST_AUTO_TEST_CASE(dash_dash_before_the_image_is_dropped_after_it_kept) {
  auto before = ok_args({"run", "--rm", "--", "img", "echo", "--help"});
  BOOST_TEST(before.flag("rm"));
  BOOST_TEST(before.dash);
  BOOST_TEST(before.positional == (Strings{"img", "echo", "--help"}));
  auto after = ok_args({"run", "img", "sh", "-c", "echo $0 $1", "--", "x"});
  BOOST_TEST(after.positional == (Strings{"img", "sh", "-c", "echo $0 $1", "--", "x"}));
  BOOST_TEST(!after.dash);
}

BOOST_AUTO_TEST_CASE(other_commands_are_interspersed) {
  auto logs = ok_args({"logs", "web", "--tail", "1"});
  BOOST_TEST(logs.positional == Strings{"web"});
  BOOST_TEST(logs.str("tail") == "1");
  auto rm = ok_args({"rm", "web", "-f", "db"});
  BOOST_TEST(rm.flag("force"));
  BOOST_TEST(rm.positional == (Strings{"web", "db"}));
  // `--` ends the options and is dropped; what follows is positional.
  auto dash = ok_args({"rm", "--", "-f", "--x"});
  BOOST_TEST(!dash.has("force"));
  BOOST_TEST(dash.positional == (Strings{"-f", "--x"}));
}

BOOST_AUTO_TEST_CASE(lone_dash_and_empty_words_are_positionals) {
  BOOST_TEST(ok_args({"rm", "-"}).positional == Strings{"-"});
  BOOST_TEST(ok_args({"rm", ""}).positional == Strings{""});
}

BOOST_AUTO_TEST_CASE(short_clusters) {
  auto itd = ok_args({"run", "-itd", "img"});
  BOOST_TEST(itd.flag("interactive"));
  BOOST_TEST(itd.flag("tty"));
  BOOST_TEST(itd.flag("detach"));
  BOOST_TEST(itd.positional == Strings{"img"});
  auto dp = ok_args({"run", "-dp", "8080:80", "img"});
  BOOST_TEST(dp.flag("detach"));
  BOOST_TEST(dp.list("publish") == Strings{"8080:80"});
  BOOST_TEST(dp.positional == Strings{"img"});
  auto glued = ok_args({"run", "-dp8080:80", "img"});
  BOOST_TEST(glued.flag("detach"));
  BOOST_TEST(glued.list("publish") == Strings{"8080:80"});
}

BOOST_AUTO_TEST_CASE(attached_values) {
  BOOST_TEST(ok_args({"run", "-e=A=1", "img"}).list("env") == Strings{"A=1"});
  BOOST_TEST(ok_args({"run", "-eA=1", "img"}).list("env") == Strings{"A=1"});
  BOOST_TEST(ok_args({"run", "--env=A=1", "img"}).list("env") == Strings{"A=1"});
  BOOST_TEST(ok_args({"run", "--env", "A=1", "img"}).list("env") == Strings{"A=1"});
  BOOST_TEST(ok_args({"run", "--env=", "img"}).list("env") == Strings{""});
}

BOOST_AUTO_TEST_CASE(booleans) {
  BOOST_TEST(!ok_args({"run", "--rm=false", "img"}).flag("rm", true));
  BOOST_TEST(ok_args({"run", "--rm=1", "img"}).str("rm") == "true");
  BOOST_TEST(ok_args({"run", "--rm=F", "img"}).str("rm") == "false");
  BOOST_TEST(!ok_args({"run", "-t=false", "img"}).flag("tty", true));
  auto it = ok_args({"run", "-it=false", "img"});
  BOOST_TEST(it.flag("interactive"));
  BOOST_TEST(!it.flag("tty", true));
  // `--rm false` does not take "false": it becomes the IMAGE.
  auto sp = ok_args({"run", "--rm", "false", "img"});
  BOOST_TEST(sp.flag("rm"));
  BOOST_TEST(sp.positional == (Strings{"false", "img"}));
}

BOOST_AUTO_TEST_CASE(last_value_wins_lists_accumulate) {
  auto a = ok_args({"run", "--name", "a1", "--name=a2", "-e", "A=1", "--env", "B=2", "-eC=3", "img"});
  BOOST_TEST(a.str("name") == "a2");
  BOOST_TEST(a.values.at("name") == (Strings{"a1", "a2"}));
  BOOST_TEST(a.list("env") == (Strings{"A=1", "B=2", "C=3"}));
  BOOST_TEST(R({"--root", "/a", "--root", "/b", "version"}).global.root == "/b");
}

BOOST_AUTO_TEST_CASE(help_flag_and_h) {
  Invocation h = R({"logs", "-h"});
  BOOST_TEST((h.action == Action::Print));
  BOOST_TEST(h.text == command_help(cmd("container logs")));
  BOOST_TEST(R({"logs", "--help"}).text == h.text);  // no argument-count error with --help
  BOOST_TEST(R({"container", "logs", "--help"}).text == h.text);
  BOOST_TEST(R({"--help", "logs"}).text == h.text);
  // run uses -h for --hostname (Docker); --help still works.
  BOOST_TEST(ok_args({"run", "-h", "box", "img"}).str("hostname") == "box");
  BOOST_TEST((R({"run", "--help"}).action == Action::Print));
}

BOOST_AUTO_TEST_CASE(help_for_groups_and_main) {
  BOOST_TEST(R({}).text == main_help(fake::kTable));
  BOOST_TEST(R({"--help"}).text == main_help(fake::kTable));
  BOOST_TEST(R({"-h"}).text == main_help(fake::kTable));
  std::string g = group_help("container", fake::kTable);
  BOOST_TEST(R({"container"}).text == g);
  BOOST_TEST(R({"container", "--help"}).text == g);
  BOOST_TEST(R({"container", "-h"}).text == g);
  BOOST_TEST((R({"container", "--help"}).action == Action::Print));
  BOOST_TEST(R({"container", "--help"}).status == 0);
  // `skiff help …`
  BOOST_TEST(*help_for(fake::kTable, Strings{"run"}) == command_help(cmd("container run")));
  BOOST_TEST(*help_for(fake::kTable, Strings{"container", "run"}) == command_help(cmd("container run")));
  BOOST_TEST(*help_for(fake::kTable, Strings{"container"}) == g);
  BOOST_TEST(*help_for(fake::kTable, Strings{}) == main_help(fake::kTable));
  BOOST_TEST(help_for(fake::kTable, Strings{"bogus"}).error().msg == "unknown help topic \"bogus\"");
}

BOOST_AUTO_TEST_CASE(help_text_is_dockers_layout) {
  std::string h = command_help(cmd("container run"));
  BOOST_TEST(h.rfind("\nUsage:  skiff container run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\n"
                     "Run a command in a new container\n\n"
                     "Aliases:\n  skiff container run, skiff run\n\n"
                     "Examples:\n  $ skiff run --rm busybox echo hi\n\n"
                     "Options:\n",
                     0) == 0);
  // Aligned on the longest left column plus three spaces; defaults shown; hidden ones not.
  BOOST_TEST(h.find("  -d, --detach             Run in background\n") != std::string::npos);
  BOOST_TEST(h.find("  -e, --env list           Set environment variables\n") != std::string::npos);
  BOOST_TEST(h.find("      --restart string     Restart policy (default \"no\")\n") != std::string::npos);
  BOOST_TEST(h.find("      --stop-timeout int   Timeout to stop\n") != std::string::npos);
  BOOST_TEST(h.find("secret-opt") == std::string::npos);
  BOOST_TEST(h.find("--help") == std::string::npos);
  std::string m = main_help(fake::kTable);
  BOOST_TEST(m.find("Management Commands:\n  container  Manage containers\n") != std::string::npos);
  BOOST_TEST(m.find("  logs     Fetch the logs of a container\n") != std::string::npos);
  BOOST_TEST(m.find("__complete") == std::string::npos);
  std::string g = group_help("container", fake::kTable);
  BOOST_TEST(g.find("  rm     Remove one or more containers\n") != std::string::npos);
  BOOST_TEST(g.find("remove") == std::string::npos);  // aliases are not listed
}

BOOST_AUTO_TEST_CASE(docker_error_texts) {
  BOOST_TEST(fail_text({"version", "--bogus"}) == "Error: unknown flag: --bogus\nSee 'skiff version --help'.\n");
  BOOST_TEST(fail_text({"version", "--bogus=1"}) == "Error: unknown flag: --bogus\nSee 'skiff version --help'.\n");
  BOOST_TEST(fail_text({"--bogus"}) == "Error: unknown flag: --bogus\nSee 'skiff --help'.\n");
  BOOST_TEST(fail_text({"rm", "-x", "c"}) == "Error: unknown shorthand flag: 'x' in -x\nSee 'skiff rm --help'.\n");
  BOOST_TEST(fail_text({"rm", "-fx", "c"}).find("unknown shorthand flag: 'x' in -x\n") != std::string::npos);
  BOOST_TEST(fail_text({"run", "-xd", "img"}).find("unknown shorthand flag: 'x' in -xd\n") != std::string::npos);
  BOOST_TEST(fail_text({"run", "--name"}) == "Error: flag needs an argument: --name\nSee 'skiff run --help'.\n");
  BOOST_TEST(fail_text({"run", "-dp"}).find("Error: flag needs an argument: 'p' in -p\n") == 0);
  BOOST_TEST(fail_text({"container", "run", "--rm=yes", "img"}) ==
             "Error: invalid argument \"yes\" for \"--rm\" flag: strconv.ParseBool: parsing \"yes\": invalid syntax\n"
             "See 'skiff container run --help'.\n");
  BOOST_TEST(fail_text({"run", "-t=maybe", "img"}).find(
                 "invalid argument \"maybe\" for \"-t, --tty\" flag: strconv.ParseBool: parsing \"maybe\": invalid syntax") !=
             std::string::npos);
  BOOST_TEST(fail_text({"run", "--stop-timeout", "x", "img"}).find(
                 "invalid argument \"x\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing \"x\": invalid syntax") !=
             std::string::npos);
  BOOST_TEST(fail_text({"run", "-m", "lots", "img"}).find("invalid argument \"lots\" for \"-m, --memory\" flag") !=
             std::string::npos);
  BOOST_TEST(fail_text({"rm", "---x"}).find("bad flag syntax: ---x") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(argument_counts) {
  BOOST_TEST(fail_text({"logs"}) == "Error: \"skiff logs\" requires exactly 1 argument.\nSee 'skiff logs --help'.\n");
  BOOST_TEST(fail_text({"container", "rm"}).find("\"skiff container rm\" requires at least 1 argument.") !=
             std::string::npos);
  BOOST_TEST(fail_text({"version", "x"}).find("\"skiff version\" accepts no arguments.") != std::string::npos);
  BOOST_TEST(fail_text({"help", "a", "b", "c"}).find("\"skiff help\" requires at most 2 arguments.") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(unknown_command_suggests_the_nearest) {
  BOOST_TEST(fail_text({"vresion"}) ==
             "Error: unknown command \"vresion\" for \"skiff\"\n\nDid you mean this?\n\tversion\n\n"
             "Run 'skiff --help' for usage.\n");
  BOOST_TEST(fail_text({"lgos"}).find("Did you mean this?\n\tlogs\n") != std::string::npos);
  BOOST_TEST(fail_text({"zzzzzz"}) == "Error: unknown command \"zzzzzz\" for \"skiff\"\nRun 'skiff --help' for usage.\n");
  BOOST_TEST(fail_text({"container", "runn"}) ==
             "Error: unknown command \"runn\" for \"skiff container\"\n\nDid you mean this?\n\trun\n\n"
             "Run 'skiff container --help' for usage.\n");
  // Closest first; prefixes count (cobra).
  auto s = suggest_commands(fake::kTable, "st");
  BOOST_TEST(s == (Strings{"start", "stop", "rm"}));
  BOOST_TEST(suggest_commands(fake::kTable, "__complete").empty());  // hidden commands are never offered
}

BOOST_AUTO_TEST_CASE(docker_commands_skiff_lacks_say_so) {
  // "login" is within cobra's distance of "logs", but it is a Docker command: no guess.
  BOOST_TEST(fail_text({"login"}) ==
             "skiff: 'login' is a docker command that skiff does not implement yet.\n"
             "See 'skiff --help' for the commands skiff has.\n");
  BOOST_TEST(fail_text({"network", "ls"}).find("'network' is a docker command") != std::string::npos);
  BOOST_TEST(fail_text({"container", "pause", "x"}) ==
             "skiff: 'container pause' is a docker command that skiff does not implement yet.\n"
             "See 'skiff container --help' for the commands skiff has.\n");
  // Not Docker commands: cobra's suggestions as before.
  BOOST_TEST(fail_text({"logn"}).find("Did you mean this?\n\tlogs\n") != std::string::npos);
  BOOST_TEST(fail_text({"container", "lgs"}).find("unknown command \"lgs\"") != std::string::npos);
  // A Docker command the table has runs, whatever the Docker list says.
  BOOST_TEST(is_docker_command("container logs"));
  BOOST_TEST((R({"container", "logs", "x"}).action == Action::Run));
  BOOST_TEST(help_for(fake::kTable, Strings{"login"}).error().msg ==
             "'login' is a docker command that skiff does not implement yet");
}

BOOST_AUTO_TEST_CASE(real_table_never_reports_its_own_commands_missing) {
  auto docker = docker_commands();
  BOOST_TEST(std::is_sorted(docker.begin(), docker.end()));
  size_t have = 0, lack = 0;
  for (std::string_view path : docker) {
    Strings words = split(path, ' ');
    size_t used = 0;
    const CmdSpec* c = find_command(table(), words, used);
    bool in_table = c && used == words.size();
    bool is_group = words.size() == 1 && find_group(table(), words[0]);
    words.push_back("--help");
    Invocation inv = resolve(table(), words);
    bool reported = inv.text.find("does not implement yet") != std::string::npos;
    BOOST_TEST(reported == !(in_table || is_group), path << ": " << inv.text);
    (in_table || is_group ? have : lack)++;
  }
  BOOST_TEST(have > 40);  // run, ps, images, …
  BOOST_TEST(lack > 0);
}

BOOST_AUTO_TEST_CASE(aliases_and_invoked_names) {
  BOOST_TEST(R({"rm", "x"}).cmd->path == "container rm");
  BOOST_TEST(R({"container", "remove", "x"}).cmd->path == "container rm");
  BOOST_TEST(R({"container", "remove", "x"}).invoked_as == "container remove");
  BOOST_TEST(R({"logs", "x"}).invoked_as == "logs");
}

BOOST_AUTO_TEST_CASE(raw_commands_get_every_word) {
  auto a = ok_args({"__complete", "run", "--rm", "--bogus", "-"});
  BOOST_TEST(a.positional == (Strings{"run", "--rm", "--bogus", "-"}));
  auto g = R({"--root", "/x", "__complete", "--root", "/y", ""});
  BOOST_TEST(g.global.root == "/x");
  BOOST_TEST(g.args.positional == (Strings{"--root", "/y", ""}));
}

BOOST_AUTO_TEST_SUITE_END()
