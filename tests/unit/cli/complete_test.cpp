#define BOOST_TEST_DYN_LINK
// `__complete` (cobra's protocol) over the fake table, with a fake candidate source; and the
// store-layout source over a temporary store.
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "cli/complete.hpp"
#include "fake_table.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::cli;
using Strings = std::vector<std::string>;

namespace {

struct FakeSource : CompSource {
  struct Ctr {
    std::string name, id;
    bool running;
  };
  std::vector<Ctr> ctrs = {
      {"web", std::string(64, 'a'), true},
      {"worker", "ab" + std::string(62, '1'), false},
      {"db", "ab" + std::string(62, '2'), false},
  };
  bool keep(Which w, const Ctr& c) { return w == Which::All || (w == Which::Running) == c.running; }
  std::vector<std::string> container_names(Which w, std::string_view prefix) override {
    Strings out;
    for (auto& c : ctrs)
      if (keep(w, c) && c.name.starts_with(prefix)) out.push_back(c.name);
    return out;
  }
  std::vector<std::string> container_ids(Which w, std::string_view prefix) override {
    Strings out;
    for (auto& c : ctrs)
      if (keep(w, c) && c.id.starts_with(prefix)) out.push_back(c.id);
    return out;
  }
  std::vector<ImageName> image_names() override {
    return {{"docker.io/library/busybox:latest", "busybox:latest", std::string(64, 'b')},
            {"localhost:5000/app:v1", "localhost:5000/app:v1", std::string(64, 'a')},
            {"docker.io/library/alpine:3", "alpine:3", "a1" + std::string(62, '3')},
            {"localhost:5000/team/tool:latest", "localhost:5000/team/tool:latest", std::string(64, 'a')}};
  }
  std::vector<std::string> image_ids() override {
    return {std::string(64, 'b'), std::string(64, 'a'), "a1" + std::string(62, '3'), "c0ffee" + std::string(58, '0')};
  }
  // registries.conf: localhost:5000 is the unqualified-search registry.
  std::vector<std::string> short_name_refs(std::string_view name) override {
    auto out = CompSource::short_name_refs(name);
    std::string n(name);
    if (n.find(':') == std::string::npos) n += ":latest";
    out.push_back("localhost:5000/" + n);
    return out;
  }
  std::vector<std::string> volume_names(std::string_view prefix) override {
    return std::string_view("data").starts_with(prefix) ? Strings{"data"} : Strings{};
  }
};

GlobalOptions g_seen;
int g_made = 0;

CompResult C(Strings args) {
  g_made = 0;
  g_seen = {};
  return complete(fake::kTable, args, [](const GlobalOptions& g) -> std::unique_ptr<CompSource> {
    ++g_made;
    g_seen = g;
    return std::make_unique<FakeSource>();
  });
}

// Candidate values without descriptions.
Strings values(const CompResult& r) {
  Strings out;
  for (auto& c : r.candidates) out.push_back(c.substr(0, c.find('\t')));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_complete)

BOOST_AUTO_TEST_CASE(command_names_with_summaries) {
  auto r = C({""});
  BOOST_TEST(r.directive == kCompNoFileComp);
  BOOST_TEST(values(r) == (Strings{"container", "help", "logs", "rm", "run", "shell", "start", "stop", "version"}));
  BOOST_TEST(r.candidates[0] == "container\tManage containers");
  BOOST_TEST(values(C({"v"})) == Strings{"version"});
  BOOST_TEST(values(C({"r"})) == (Strings{"rm", "run"}));
  BOOST_TEST(values(C({"__"})).empty());  // hidden
  BOOST_TEST(g_made == 0);                // no store access for names
  // In a group: its subcommands (not their aliases).
  BOOST_TEST(values(C({"container", ""})) == (Strings{"logs", "rm", "run", "start", "stop"}));
  BOOST_TEST(values(C({"container", "s"})) == (Strings{"start", "stop"}));
  BOOST_TEST(values(C({"--root", "/x", "container", "--root", "/y", "r"})) == (Strings{"rm", "run"}));
}

BOOST_AUTO_TEST_CASE(unknown_command_is_an_error_with_default_directive) {
  auto r = C({"bogus", ""});
  BOOST_TEST(r.directive == kCompDefault);
  BOOST_TEST(r.candidates.empty());
  BOOST_TEST(r.error == "unable to find a command for arguments: [bogus]");
}

BOOST_AUTO_TEST_CASE(flag_names) {
  auto r = C({"run", "--na"});
  BOOST_TEST(r.candidates == Strings{"--name\tAssign a name"});
  BOOST_TEST(r.directive == kCompNoFileComp);
  // "-": globals (inherited) first, then the command's, shorthands too; hidden ones never.
  auto all = values(C({"logs", "-"}));
  BOOST_TEST(all == (Strings{"--log-level", "--root", "--follow", "-f", "--help", "-h", "--tail", "-n"}));
  // Top level: --version and -v too.
  BOOST_TEST(values(C({"-"})) == (Strings{"--help", "-h", "--log-level", "--root", "--version", "-v"}));
  BOOST_TEST(values(C({"--l"})) == Strings{"--log-level"});
  // run: -h is --hostname, so --help has no shorthand.
  auto run = values(C({"run", "-"}));
  BOOST_TEST((std::find(run.begin(), run.end(), "-h") != run.end()));
  BOOST_TEST((std::find(run.begin(), run.end(), "--secret-opt") == run.end()));
  BOOST_TEST(C({"run", "-h"}).candidates == Strings{"-h\tContainer host name"});
}

BOOST_AUTO_TEST_CASE(flags_already_given_are_not_offered_again_unless_repeatable) {
  auto v = values(C({"run", "--rm", "-e", "A=1", "--root", "/x", "--r"}));
  BOOST_TEST(v == Strings{"--restart"});  // --rm and --root given
  auto e = values(C({"run", "-e", "A=1", "--e"}));
  BOOST_TEST(e == (Strings{"--env", "--env-file"}));
}

BOOST_AUTO_TEST_CASE(flag_values) {
  auto lvl = C({"--log-level", ""});
  BOOST_TEST(values(lvl) == (Strings{"debug", "info", "warn"}));
  BOOST_TEST(lvl.directive == kCompNoFileComp);
  BOOST_TEST(values(C({"--log-level=d"})) == Strings{"debug"});
  BOOST_TEST(values(C({"run", "--restart", "on"})) == Strings{"on-failure"});
  BOOST_TEST(values(C({"run", "--restart=a"})) == Strings{"always"});
  BOOST_TEST(C({"--root", ""}).directive == kCompFilterDirs);
  BOOST_TEST(C({"run", "-w", ""}).directive == kCompFilterDirs);
  BOOST_TEST(C({"run", "-itw", ""}).directive == kCompFilterDirs);  // last letter of a cluster
  BOOST_TEST(C({"run", "--env-file", ""}).directive == kCompDefault);  // files
  auto name = C({"run", "--name", ""});
  BOOST_TEST(name.directive == kCompNoFileComp);
  BOOST_TEST(name.candidates.empty());
  BOOST_TEST(values(C({"run", "-v", ""})) == Strings{"data"});
  BOOST_TEST(values(C({"rm", "-s", "TE"})) == Strings{"TERM"});
  BOOST_TEST(values(C({"rm", "--signal=SIGK"})) == Strings{"SIGKILL"});
  BOOST_TEST(values(C({"rm", "-s", "S"})) == (Strings{"SEGV", "STKFLT", "STOP", "SYS"}));
  // The signal names come from parse_signal's table: every number once, sorted.
  BOOST_TEST(values(C({"rm", "-s", ""})) ==
             (Strings{"ABRT", "ALRM", "BUS", "CHLD", "CONT", "FPE", "HUP", "ILL", "INT", "IO", "KILL",
                      "PIPE", "PROF", "PWR", "QUIT", "SEGV", "STKFLT", "STOP", "SYS", "TERM", "TRAP",
                      "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ"}));
  // A bool takes no value: the word after it is an argument (an image for run).
  BOOST_TEST(values(C({"run", "--rm", "b"})) == (Strings{"busybox:latest", "busybox"}));
  // An unknown flag before the word: nothing, and cobra's message on stderr.
  auto bad = C({"run", "--bogus", ""});
  BOOST_TEST(bad.directive == kCompDefault);
  BOOST_TEST(bad.candidates.empty());
  BOOST_TEST(bad.error == "Error while parsing flags from args [--bogus]: unknown flag: --bogus");
  BOOST_TEST(C({"run", "--bogus=x"}).error == "Subcommand 'run' does not support flag 'bogus'");
}

BOOST_AUTO_TEST_CASE(positionals) {
  // Nothing typed: repo:tag as Docker shows them, untagged images by short ID.
  auto imgs = C({"run", ""});
  BOOST_TEST(values(imgs) == (Strings{"busybox:latest", "localhost:5000/app:v1", "alpine:3",
                                      "localhost:5000/team/tool:latest", "c0ffee000000"}));
  BOOST_TEST(imgs.directive == kCompNoFileComp);
  BOOST_TEST(values(C({"run", "docker.io/library/b"})) ==
             (Strings{"docker.io/library/busybox:latest", "docker.io/library/busybox"}));
  BOOST_TEST(values(C({"run", "localhost:5000/"})) ==
             (Strings{"localhost:5000/app:v1", "localhost:5000/team/tool:latest", "localhost:5000/team/tool"}));
  // The short names that find the image (localhost:5000 is a search registry), with and
  // without :latest; a tail that means another image (`tool` is localhost:5000/tool) is not.
  BOOST_TEST(values(C({"run", "ap"})) == (Strings{"app:v1"}));
  BOOST_TEST(values(C({"run", "te"})) == (Strings{"team/tool:latest", "team/tool"}));
  BOOST_TEST(values(C({"run", "to"})).empty());
  // IDs: untagged ones always, tagged ones once two hex digits are typed.
  BOOST_TEST(values(C({"run", "c"})) == Strings{"c0ffee000000"});
  BOOST_TEST(values(C({"run", "a1"})) == Strings{"a13333333333"});
  BOOST_TEST(values(C({"run", "a"})) == (Strings{"app:v1", "alpine:3"}));
  // After IMAGE: the container's command line, the shell's file completion.
  auto after = C({"run", "busybox", ""});
  BOOST_TEST(after.directive == kCompDefault);
  BOOST_TEST(after.candidates.empty());
  BOOST_TEST(C({"run", "busybox", "-"}).directive == kCompDefault);
  BOOST_TEST(C({"run", "busybox", "--rm"}).candidates.empty());
  // `--` before the image: no more flags, still the image.
  BOOST_TEST(values(C({"run", "--", "al"})) == Strings{"alpine:3"});
  BOOST_TEST(C({"run", "--", "-"}).candidates.empty());
  // Containers by state; IDs once two hex digits are typed.
  BOOST_TEST(values(C({"start", ""})) == (Strings{"worker", "db"}));
  BOOST_TEST(values(C({"stop", ""})) == Strings{"web"});
  BOOST_TEST(values(C({"rm", "w"})) == (Strings{"web", "worker"}));
  BOOST_TEST(values(C({"start", "ab"})) == (Strings{"ab1111111111", "ab2222222222"}));
  BOOST_TEST(values(C({"logs", "-f", "wo"})) == Strings{"worker"});
  // The store is the one named on the line.
  C({"--root", "/tmp/store", "logs", ""});
  BOOST_TEST(g_seen.root == "/tmp/store");
  C({"logs", "--root=/tmp/s2", ""});
  BOOST_TEST(g_seen.root == "/tmp/s2");
  // No more positionals than max_args.
  auto full = C({"logs", "web", ""});
  BOOST_TEST(full.directive == kCompNoFileComp);
  BOOST_TEST(full.candidates.empty());
  // Enum positionals, and `help` completes command names.
  BOOST_TEST(values(C({"shell", ""})) == (Strings{"bash", "zsh"}));
  BOOST_TEST(values(C({"help", "ve"})) == Strings{"version"});
  BOOST_TEST(values(C({"help", "container", "l"})) == Strings{"logs"});
  BOOST_TEST(C({"help", "version", ""}).candidates.empty());
}

BOOST_AUTO_TEST_CASE(help_ends_completion) {
  auto r = C({"logs", "--help", ""});
  BOOST_TEST(r.directive == kCompNoFileComp);
  BOOST_TEST(r.candidates.empty());
  BOOST_TEST(C({"-v", ""}).candidates.empty());
}

BOOST_AUTO_TEST_CASE(protocol_output) {
  CompResult r;
  r.candidates = {"run\tRun a command", "rm", "x\tline one\nline two", "  pad\t  "};
  r.directive = 6;
  BOOST_TEST(render_candidates(r, true) == "run\tRun a command\nrm\nx\tline one\npad\n:6\n");
  BOOST_TEST(render_candidates(r, false) == "run\nrm\nx\npad\n:6\n");
  BOOST_TEST(render_candidates(CompResult{}, true) == ":0\n");
  BOOST_TEST(directive_names(0) == "ShellCompDirectiveDefault");
  BOOST_TEST(directive_names(4) == "ShellCompDirectiveNoFileComp");
  BOOST_TEST(directive_names(6) == "ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp");
  BOOST_TEST(directive_names(63) ==
             "ShellCompDirectiveError, ShellCompDirectiveNoSpace, ShellCompDirectiveNoFileComp, "
             "ShellCompDirectiveFilterFileExt, ShellCompDirectiveFilterDirs, ShellCompDirectiveKeepOrder");
  BOOST_TEST(directive_names(64) == "ERROR: unexpected ShellCompDirective value: 64");
}

BOOST_AUTO_TEST_CASE(scripts_call_complete) {
  for (auto sh : {"bash", "zsh", "fish"}) {
    std::string s = completion_script(sh, true);
    BOOST_TEST(s.find(" __complete") != std::string::npos);
    BOOST_TEST(s.find("__completeNoDesc") == std::string::npos);
    BOOST_TEST(completion_script(sh, false).find("__completeNoDesc") != std::string::npos);
  }
  BOOST_TEST(completion_script("bash", true).find("complete -o default -F __start_skiff skiff") != std::string::npos);
  BOOST_TEST(completion_script("zsh", true).starts_with("#compdef skiff\n"));
  BOOST_TEST(completion_script("fish", true).find("complete -c skiff ") != std::string::npos);
  BOOST_TEST(completion_script("tcsh", true).empty());
}

// ---- the store-layout source ----

struct TempStore {
  std::string dir;
  TempStore() {
    char t[] = "/tmp/skiff-comp-XXXXXX";
    dir = mkdtemp(t);
  }
  ~TempStore() { (void)remove_tree(dir); }
  void link(const std::string& target, const std::string& path) {
    BOOST_REQUIRE(symlink(target.c_str(), (dir + "/" + path).c_str()) == 0);
  }
  void file(const std::string& path, const std::string& text = "") {
    BOOST_REQUIRE(write_file_atomic(dir + "/" + path, text, 0644, false));
  }
  void mkdir(const std::string& path) { BOOST_REQUIRE(mkdir_p(dir + "/" + path)); }
};

BOOST_AUTO_TEST_CASE(store_layout_source) {
  TempStore s;
  std::string web(64, 'a'), db = "ab" + std::string(62, 'c'), fresh = "ab" + std::string(62, 'd');
  for (auto& p : {"g/names/containers", "g/names/images", "g/images", "g/volumes/data/_data", "g/volumes/cache"})
    s.mkdir(p);
  for (auto& id : {web, db, fresh}) s.mkdir("g/containers/" + id);
  s.link("../../containers/" + web, "g/names/containers/web");
  s.link("../../containers/" + db, "g/names/containers/db");
  s.link("../../containers/" + fresh, "g/names/containers/fresh");
  s.mkdir("r/c/" + web.substr(0, 12));
  s.file("r/c/" + web.substr(0, 12) + "/monitor.json", "{}");
  s.mkdir("r/c/" + db.substr(0, 12));
  s.file("r/c/" + db.substr(0, 12) + "/monitor.json", "{}");
  s.file("r/c/" + db.substr(0, 12) + "/exit", "0");
  s.link("../../images/" + std::string(64, 'e') + ".json", "g/names/images/" + escape_ref("docker.io/library/busybox:latest"));
  s.link("../../images/" + std::string(64, 'f') + ".json", "g/names/images/" + escape_ref("localhost:5000/team/app:v1"));
  // Docker's familiar rule: library/ stays before two components (the completion's own copy of
  // the rule dropped it and offered "team/app:2").
  s.link("../../images/" + std::string(64, 'f') + ".json",
         "g/names/images/" + escape_ref("docker.io/library/team/app:2"));
  s.link("../../images/" + std::string(64, 'f') + ".json",
         "g/names/images/" + escape_ref("localhost:5000/team/app@sha256:" + std::string(64, '0')));

  auto src = store_source(s.dir + "/g", s.dir + "/r");
  auto sorted = [](Strings v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  using W = CompSource::Which;
  BOOST_TEST(sorted(src->container_names(W::All, "")) == (Strings{"db", "fresh", "web"}));
  BOOST_TEST(src->container_names(W::Running, "") == Strings{"web"});
  BOOST_TEST(sorted(src->container_names(W::Stopped, "")) == (Strings{"db", "fresh"}));
  BOOST_TEST(src->container_names(W::All, "f") == Strings{"fresh"});
  BOOST_TEST(sorted(src->container_ids(W::Stopped, "ab")) == (Strings{db, fresh}));
  BOOST_TEST(src->container_ids(W::Running, "ab").empty());
  Strings fam;
  for (auto& i : src->image_names()) fam.push_back(i.familiar + "=" + i.full + "@" + i.id.substr(0, 2));
  BOOST_TEST(sorted(fam) == (Strings{"busybox:latest=docker.io/library/busybox:latest@ee",
                                     "library/team/app:2=docker.io/library/team/app:2@ff",
                                     "localhost:5000/team/app:v1=localhost:5000/team/app:v1@ff"}));
  s.mkdir("g/images/" + std::string(64, 'e'));
  s.mkdir("g/images/" + std::string(64, 'f'));
  s.mkdir("g/images/.tmp-1234");
  BOOST_TEST(sorted(src->image_ids()) == (Strings{std::string(64, 'e'), std::string(64, 'f')}));
  BOOST_TEST(src->short_name_refs("busybox") == Strings{"docker.io/library/busybox:latest"});
  BOOST_TEST(sorted(src->volume_names("")) == (Strings{"cache", "data"}));

  // Another boot: nothing is running.
  s.file("r/boot_id", "not-this-boot\n");
  BOOST_TEST(store_source(s.dir + "/g", s.dir + "/r")->container_names(W::Running, "").empty());
  // A missing store has no candidates (and is not created).
  auto none = store_source(s.dir + "/nope", s.dir + "/nope2");
  BOOST_TEST(none->container_names(W::All, "").empty());
  BOOST_TEST(none->image_names().empty());
  BOOST_TEST(!path_exists(s.dir + "/nope"));
}

BOOST_AUTO_TEST_CASE(ref_escaping) {
  BOOST_TEST(escape_ref("docker.io/library/busybox:latest") == "docker.io%2Flibrary%2Fbusybox:latest");
  BOOST_TEST(unescape_ref("docker.io%2flibrary%2Fbusybox:latest") == "docker.io/library/busybox:latest");
  BOOST_TEST(unescape_ref("a%25b%2") == "a%b%2");
}

BOOST_AUTO_TEST_SUITE_END()
