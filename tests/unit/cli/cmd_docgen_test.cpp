#define BOOST_TEST_DYN_LINK
// `skiff __docgen man`: the markdown pages made from a (fake) table, and prose merging.
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include "cli/handlers.hpp"
#include "fake_table.hpp"
#include "skiff/util/fs.hpp"

using namespace skiff;
using namespace skiff::cli;

namespace {

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

struct ProseDir {
  std::string dir;
  ProseDir() {
    char t[] = "/tmp/skiff-prose-XXXXXX";
    dir = mkdtemp(t);
  }
  ~ProseDir() { (void)remove_tree(dir); }
  void add(const std::string& page, const std::string& text) {
    BOOST_REQUIRE(write_file_atomic(dir + "/" + page + ".md", text, 0644, false));
  }
};

}  // namespace

BOOST_AUTO_TEST_SUITE(cli_docgen)

BOOST_AUTO_TEST_CASE(one_page_per_command_group_and_alias) {
  auto files = man_pages(fake::kTable, "");
  BOOST_TEST_REQUIRE(files.has_value());
  std::vector<std::string> names;
  for (auto& [name, text] : *files) names.push_back(name);
  BOOST_TEST(names == (std::vector<std::string>{
                          "skiff-container-logs.1.md", "skiff-container-remove.1.md", "skiff-container-rm.1.md",
                          "skiff-container-run.1.md", "skiff-container-start.1.md", "skiff-container-stop.1.md",
                          "skiff-container.1.md", "skiff-help.1.md", "skiff-logs.1.md", "skiff-rm.1.md",
                          "skiff-run.1.md", "skiff-shell.1.md", "skiff-start.1.md", "skiff-stop.1.md",
                          "skiff-version.1.md", "skiff.1.md"}));
  // An alias's page is the whole page under its own name (no `.so` stub: `man -l` resolves a
  // stub against the current directory, so it only worked once installed).
  const std::string& run = files->at("skiff-run.1.md");
  const std::string& canonical = files->at("skiff-container-run.1.md");
  BOOST_TEST(run.starts_with("% skiff-run 1\n\n## NAME\n\nskiff\\-run - Run a command in a new container\n"));
  BOOST_TEST(run.substr(run.find("## SYNOPSIS")) == canonical.substr(canonical.find("## SYNOPSIS")));
  BOOST_TEST(has(files->at("skiff-container-remove.1.md"), "**skiff container rm**"));
}

BOOST_AUTO_TEST_CASE(command_page_layout) {
  auto files = man_pages(fake::kTable, "");
  BOOST_TEST_REQUIRE(files.has_value());
  const std::string& run = files->at("skiff-container-run.1.md");
  BOOST_TEST(run.rfind("% skiff-container-run 1\n\n## NAME\n\nskiff\\-container\\-run - Run a command in a new container\n", 0) ==
             0);
  BOOST_TEST(has(run, "## SYNOPSIS\n\n**skiff container run** [*options*] *image* [*command*] [*arg* ...]\n\n"
                      "**skiff run** [*options*] *image* [*command*] [*arg* ...]\n"));
  BOOST_TEST(has(run, "## DESCRIPTION\n\nRun a command in a new container.\n"));
  // Options sorted, short forms, types, defaults, repeatable, enum values; hidden ones absent.
  BOOST_TEST(has(run, "#### **--detach**, **-d**\n\nRun in background.\n"));
  BOOST_TEST(has(run, "#### **--env**, **-e**=*list*\n\nSet environment variables. This option can be repeated.\n"));
  BOOST_TEST(has(run, "#### **--restart**=*string*\n\nRestart policy. The default is **no**. Valid values: **no**, "
                      "**on-failure**, **always**, **unless-stopped**.\n"));
  BOOST_TEST(!has(run, "secret-opt"));
  BOOST_TEST(run.find("--detach") < run.find("--env**"));
  BOOST_TEST(run.find("--env**") < run.find("--workdir"));
  BOOST_TEST(has(run, "## EXAMPLES\n\n```\n$ skiff run --rm busybox echo hi\n```\n"));
  BOOST_TEST(has(run, "## SEE ALSO\n\n**skiff(1)**, **skiff-container(1)**\n"));
  const std::string& version = files->at("skiff-version.1.md");
  BOOST_TEST(has(version, "## DESCRIPTION\n\nPrints the version.\n"));
  BOOST_TEST(!has(version, "## EXAMPLES"));
  BOOST_TEST(has(version, "## SEE ALSO\n\n**skiff(1)**\n"));
}

BOOST_AUTO_TEST_CASE(main_and_group_pages) {
  auto files = man_pages(fake::kTable, "");
  BOOST_TEST_REQUIRE(files.has_value());
  const std::string& main = files->at("skiff.1.md");
  BOOST_TEST(has(main, "## GLOBAL OPTIONS\n\n#### **--log-level**=*string*\n\nLog level. The default is **warn**. Valid "
                       "values: **debug**, **info**, **warn**.\n"));
  BOOST_TEST(has(main, "#### **--version**, **-v**\n"));
  BOOST_TEST(has(main, "## COMMANDS\n\n**skiff-container(1)**\n: Manage containers.\n\n**skiff-container-logs(1)**\n"));
  BOOST_TEST(!has(main, "__complete"));
  const std::string& group = files->at("skiff-container.1.md");
  BOOST_TEST(has(group, "**rm**\n: Remove one or more containers. See **skiff-container-rm(1)**.\n"));
  BOOST_TEST(!has(group, "remove"));
}

BOOST_AUTO_TEST_CASE(prose_is_merged) {
  ProseDir p;
  p.add("skiff-container-run",
        "<!-- comment -->\n## DESCRIPTION\n\nMore about run.\n\n## OPTIONS\n\n#### **--restart**=*string*\n\n"
        "Policies:\n\n```\n## not a heading\n```\n\n## NOTES\n\nA note.\n\n## EXAMPLES\n\nMore examples.\n\n"
        "## SEE ALSO\n\n**skiff-logs(1)**\n");
  p.add("skiff", "## ENVIRONMENT\n\n**HOME**\n: Home.\n");
  auto files = man_pages(fake::kTable, p.dir);
  BOOST_TEST_REQUIRE(files.has_value(), (files ? "" : files.error().msg));
  const std::string& run = files->at("skiff-container-run.1.md");
  BOOST_TEST(has(run, "Run a command in a new container.\n\nMore about run.\n\n## OPTIONS"));
  BOOST_TEST(has(run, "**unless-stopped**.\n\nPolicies:\n\n```\n## not a heading\n```\n\n#### **--rm**"));
  BOOST_TEST(has(run, "## NOTES\n\nA note.\n\n## EXAMPLES\n\n```\n$ skiff run --rm busybox echo hi\n```\n\nMore examples.\n"));
  BOOST_TEST(has(run, "## SEE ALSO\n\n**skiff(1)**, **skiff-container(1)**, **skiff-logs(1)**\n"));
  BOOST_TEST(run.find("## NOTES") > run.find("## OPTIONS"));
  BOOST_TEST(!has(run, "comment"));
  BOOST_TEST(has(files->at("skiff.1.md"), "## ENVIRONMENT\n\n**HOME**\n: Home.\n"));
}

BOOST_AUTO_TEST_CASE(prose_gives_an_option_its_value_format) {
  ProseDir p;
  p.add("skiff-container-run", "## OPTIONS\n\n#### --env=NAME=VALUE\n\nA bare NAME copies it.\n\n"
                                "#### **--restart**=*no|on-failure[:N]*\n\nPolicies.\n");
  auto files = man_pages(fake::kTable, p.dir);
  BOOST_TEST_REQUIRE(files.has_value(), (files ? "" : files.error().msg));
  const std::string& run = files->at("skiff-container-run.1.md");
  BOOST_TEST(has(run, "#### **--env**, **-e**=*NAME=VALUE*\n\nSet environment variables. This option can be "
                      "repeated.\n\nA bare NAME copies it.\n"));
  BOOST_TEST(has(run, "#### **--restart**=*no\\|on-failure\\[:N\\]*\n"));
  // The alias's page gets the same.
  BOOST_TEST(has(files->at("skiff-run.1.md"), "#### **--env**, **-e**=*NAME=VALUE*\n"));
  BOOST_TEST(has(run, "#### **--detach**, **-d**\n"));  // no prose: unchanged
}

BOOST_AUTO_TEST_CASE(prose_must_match_the_table) {
  {
    ProseDir p;
    p.add("skiff-container-run", "## OPTIONS\n\n#### --bogus\n\nText.\n");
    auto r = man_pages(fake::kTable, p.dir);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(has(r.error().msg, "no option --bogus"));
  }
  {
    ProseDir p;
    p.add("skiff-nonesuch", "## DESCRIPTION\n\nText.\n");
    auto r = man_pages(fake::kTable, p.dir);
    BOOST_TEST_REQUIRE(!r.has_value());
    BOOST_TEST(has(r.error().msg, "skiff-nonesuch.md: no such page"));
  }
}

BOOST_AUTO_TEST_CASE(real_table_pages_build_with_the_committed_prose) {
  // The committed prose (man/prose) must fit the real table; make check-docs checks the output.
  if (!path_exists("man/prose")) {
    BOOST_TEST_MESSAGE("not run from the source tree: man/prose not checked");
    return;
  }
  auto files = man_pages(table(), "man/prose");
  BOOST_TEST(files.has_value(), (files ? "" : files.error().msg));
}

BOOST_AUTO_TEST_SUITE_END()
