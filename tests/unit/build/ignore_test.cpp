#define BOOST_TEST_DYN_LINK
#include <boost/test/unit_test.hpp>

#include <string>

#include "skiff/build/context.hpp"

using namespace skiff;
using namespace skiff::build;

namespace {

IgnoreMatcher rules(std::string_view text) {
  auto m = IgnoreMatcher::parse(text);
  BOOST_REQUIRE_MESSAGE(m.has_value(), "parse failed: " << (m ? "" : m.error().msg));
  return std::move(*m);
}

struct MatchCase {
  const char* pattern;
  const char* name;
  int want;  // 1 match, 0 no match, -1 bad pattern
};

}  // namespace

BOOST_AUTO_TEST_SUITE(build_ignore)

// Go's path/filepath match_test.go table.
BOOST_AUTO_TEST_CASE(go_filepath_match) {
  const MatchCase cases[] = {
      {"abc", "abc", 1},
      {"*", "abc", 1},
      {"*c", "abc", 1},
      {"a*", "a", 1},
      {"a*", "abc", 1},
      {"a*", "ab/c", 0},
      {"a*/b", "abc/b", 1},
      {"a*/b", "a/c/b", 0},
      {"a*b*c*d*e*/f", "axbxcxdxe/f", 1},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/f", 1},
      {"a*b*c*d*e*/f", "axbxcxdxe/xxx/f", 0},
      {"a*b*c*d*e*/f", "axbxcxdxexxx/fff", 0},
      {"a*b?c*x", "abxbbxdbxebxczzx", 1},
      {"a*b?c*x", "abxbbxdbxebxczzy", 0},
      {"ab[c]", "abc", 1},
      {"ab[b-d]", "abc", 1},
      {"ab[e-g]", "abc", 0},
      {"ab[^c]", "abc", 0},
      {"ab[^b-d]", "abc", 0},
      {"ab[^e-g]", "abc", 1},
      {"a\\*b", "a*b", 1},
      {"a\\*b", "ab", 0},
      {"a?b", "a\u263Ab", 1},
      {"a[^a]b", "a\u263Ab", 1},
      {"a???b", "a\u263Ab", 0},
      {"a[^a][^a][^a]b", "a\u263Ab", 0},
      {"[a-\u03B6]*", "\u03B1", 1},
      {"*[a-\u03B6]", "A", 0},
      {"a?b", "a/b", 0},
      {"a*b", "a/b", 0},
      {"[\\]a]", "]", 1},
      {"[\\-]", "-", 1},
      {"[x\\-]", "x", 1},
      {"[x\\-]", "-", 1},
      {"[x\\-]", "z", 0},
      {"[\\-x]", "x", 1},
      {"[\\-x]", "-", 1},
      {"[\\-x]", "a", 0},
      {"[]a]", "]", -1},
      {"[-]", "-", -1},
      {"[x-]", "x", -1},
      {"[x-]", "-", -1},
      {"[x-]", "z", -1},
      {"[-x]", "x", -1},
      {"[-x]", "-", -1},
      {"[-x]", "a", -1},
      {"\\", "a", -1},
      {"[a-b-c]", "a", -1},
      {"[", "a", -1},
      {"[^", "a", -1},
      {"[^bc", "a", -1},
      {"a[", "a", -1},
      {"a[", "ab", -1},
      {"a[", "x", -1},
      {"a/b[", "x", -1},
      {"*x", "xxx", 1},
  };
  for (const auto& c : cases) {
    auto r = path_match(c.pattern, c.name);
    int got = r ? (*r ? 1 : 0) : -1;
    BOOST_TEST(got == c.want, "Match(" << c.pattern << ", " << c.name << ") = " << got);
  }
}

// moby/patternmatcher's TestMatches table (paths already clean).
BOOST_AUTO_TEST_CASE(patternmatcher_matches) {
  const MatchCase cases[] = {
      {"**", "file", 1},
      {"**/", "file", 1},
      {"**", "dir/file", 1},
      {"**/", "dir/file", 1},
      {"**/**", "dir/file", 1},
      {"dir/**", "dir/file", 1},
      {"dir/**", "dir/dir2/file", 1},
      {"**/dir", "dir", 1},
      {"**/dir", "dir/file", 1},
      {"**/dir2/*", "dir/dir2/file", 1},
      {"**/dir2/**", "dir/dir2/dir3/file", 1},
      {"**file", "file", 1},
      {"**file", "dir/file", 1},
      {"**/file", "dir/file", 1},
      {"**file", "dir/dir/file", 1},
      {"**/file", "dir/dir/file", 1},
      {"**/file*", "dir/dir/file", 1},
      {"**/file*", "dir/dir/file.txt", 1},
      {"**/file*txt", "dir/dir/file.txt", 1},
      {"**/file*.txt", "dir/dir/file.txt", 1},
      {"**/file*.txt*", "dir/dir/file.txt", 1},
      {"**/**/*.txt", "dir/dir/file.txt", 1},
      {"**/**/*.txt2", "dir/dir/file.txt", 0},
      {"**/*.txt", "file.txt", 1},
      {"**/**/*.txt", "file.txt", 1},
      {"a**/*.txt", "a/file.txt", 1},
      {"a**/*.txt", "a/dir/file.txt", 1},
      {"a**/*.txt", "a/dir/dir/file.txt", 1},
      {"a/*.txt", "a/dir/file.txt", 0},
      {"a/*.txt", "a/file.txt", 1},
      {"a/*.txt**", "a/file.txt", 1},
      {"a[b-d]e", "ae", 0},
      {"a[b-d]e", "ace", 1},
      {"a[b-d]e", "aae", 0},
      {"a[^b-d]e", "aze", 1},
      {".*", ".foo", 1},
      {".*", "foo", 0},
      {"abc.def", "abcdef", 0},
      {"abc.def", "abc.def", 1},
      {"abc.def", "abcZdef", 0},
      {"abc?def", "abcZdef", 1},
      {"abc?def", "abcdef", 0},
      {"a\\\\", "a\\", 1},
      {"**/foo/bar", "foo/bar", 1},
      {"**/foo/bar", "dir/foo/bar", 1},
      {"**/foo/bar", "dir/dir2/foo/bar", 1},
      {"abc/**", "abc", 0},
      {"abc/**", "abc/def", 1},
      {"abc/**", "abc/def/ghi", 1},
      {"**/.foo", ".foo", 1},
      {"**/.foo", "bar.foo", 0},
      {"a(b)c/def", "a(b)c/def", 1},
      {"a(b)c/def", "a(b)c/xyz", 0},
      {"a.|)$(}+{bc", "a.|)$(}+{bc", 1},
      {"dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
       "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 1},
      {"dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", 1},
  };
  for (const auto& c : cases) {
    auto m = IgnoreMatcher::from_patterns({c.pattern});
    BOOST_REQUIRE_MESSAGE(m.has_value(), c.pattern);
    BOOST_TEST(int(m->excluded(c.name)) == c.want, "Matches(" << c.pattern << ", " << c.name << ")");
  }
}

// The examples of Docker's .dockerignore documentation.
BOOST_AUTO_TEST_CASE(docker_documentation_examples) {
  auto m = rules("# comment\n*/temp*\n*/*/temp*\ntemp?\n");
  BOOST_TEST(m.excluded("somedir/temporary.txt"));
  BOOST_TEST(m.excluded("somedir/temp"));
  BOOST_TEST(m.excluded("somedir/temp/inside"));
  BOOST_TEST(!m.excluded("temporary.txt"));
  BOOST_TEST(m.excluded("somedir/subdir/temporary.txt"));
  BOOST_TEST(!m.excluded("a/b/c/temporary.txt"));
  BOOST_TEST(m.excluded("tempa"));
  BOOST_TEST(m.excluded("tempb"));
  BOOST_TEST(!m.excluded("tempab"));
  BOOST_TEST(!m.excluded("# comment"));

  auto go = rules("**/*.go\n");
  BOOST_TEST(go.excluded("main.go"));
  BOOST_TEST(go.excluded("a/b/c/x.go"));
  BOOST_TEST(!go.excluded("a/b/c/x.gox"));

  auto md = rules("*.md\n!README.md\n");
  BOOST_TEST(md.excluded("CHANGES.md"));
  BOOST_TEST(!md.excluded("README.md"));

  auto md2 = rules("*.md\n!README*.md\nREADME-secret.md\n");
  BOOST_TEST(md2.excluded("CHANGES.md"));
  BOOST_TEST(!md2.excluded("README-public.md"));
  BOOST_TEST(md2.excluded("README-secret.md"));

  auto md3 = rules("*.md\nREADME-secret.md\n!README*.md\n");
  BOOST_TEST(!md3.excluded("README-secret.md"));
  BOOST_TEST(!md3.excluded("README.md"));
  BOOST_TEST(md3.excluded("other.md"));
}

BOOST_AUTO_TEST_CASE(paths_are_cleaned) {
  auto m = rules("/foo/bar\n./baz\n  spaced  \nx/../y\n!/foo/bar/keep\n");
  BOOST_TEST(m.excluded("foo/bar"));
  BOOST_TEST(m.excluded("foo/bar/deep/file"));
  BOOST_TEST(!m.excluded("foo/bar/keep"));
  BOOST_TEST(m.excluded("baz"));
  BOOST_TEST(m.excluded("spaced"));
  BOOST_TEST(m.excluded("y"));
  BOOST_TEST(!m.excluded("x"));
  BOOST_TEST((m.patterns() == std::vector<std::string>{"foo/bar", "baz", "spaced", "y", "!foo/bar/keep"}));
}

BOOST_AUTO_TEST_CASE(last_match_wins_and_directories) {
  auto m = rules("dir\n!dir/keep.txt\n");
  BOOST_TEST(m.excluded("dir"));
  BOOST_TEST(m.excluded("dir/other"));
  BOOST_TEST(!m.excluded("dir/keep.txt"));
  BOOST_TEST(m.may_include_below("dir"));
  BOOST_TEST(!m.may_include_below("other"));

  auto all = rules("*\n!src\n");
  BOOST_TEST(all.excluded("Makefile"));
  BOOST_TEST(!all.excluded("src"));
  BOOST_TEST(!all.excluded("src/main.c"));  // the exception covers what is below it

  auto deep = rules("**\n!**/*.c\n");
  BOOST_TEST(deep.excluded("a/b.h"));
  BOOST_TEST(!deep.excluded("a/b.c"));
  BOOST_TEST(deep.may_include_below("a/very/deep"));

  auto none = rules("");
  BOOST_TEST(none.empty());
  BOOST_TEST(!none.excluded("anything"));
}

BOOST_AUTO_TEST_CASE(comments_bom_and_errors) {
  auto m = rules("\xEF\xBB\xBF" "a\n  # not a comment when indented?\n#b\n");
  BOOST_TEST(m.excluded("a"));
  BOOST_TEST(!m.excluded("b"));
  // An indented '#' is a pattern, as Docker reads it (only column 1 starts a comment).
  BOOST_TEST(m.excluded("# not a comment when indented?"));
  auto bad = IgnoreMatcher::parse("ok\n[\n");
  BOOST_REQUIRE(!bad.has_value());
  BOOST_TEST(bad.error().msg.find("line 2") != std::string::npos, bad.error().msg);
  auto bang = IgnoreMatcher::parse("!\n");
  BOOST_REQUIRE(!bang.has_value());
  BOOST_TEST(bang.error().msg.find("illegal exclusion pattern") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(crlf_and_trailing_slashes) {
  auto m = rules("node_modules/\r\n*.log\r\n!keep.log\r\n");
  BOOST_TEST(m.excluded("node_modules"));
  BOOST_TEST(m.excluded("node_modules/x/y.js"));
  BOOST_TEST(m.excluded("a.log"));
  BOOST_TEST(!m.excluded("keep.log"));
  BOOST_TEST((m.patterns() == std::vector<std::string>{"node_modules", "*.log", "!keep.log"}));
}

BOOST_AUTO_TEST_CASE(pathological_patterns_stay_fast) {
  // Backtracking without a memo takes exponential time on these.
  auto m = rules("**/**/**/**/**/**/**/**/**/**/**/**/x\n*a*a*a*a*a*a*a*a*a*a*a*a*a*b\n");
  std::string deep;
  for (int i = 0; i < 60; ++i) deep += "a/";
  deep += "y";
  std::string flat(200, 'a');
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  BOOST_TEST(!m.excluded(deep));
  BOOST_TEST(!m.excluded(flat));
  clock_gettime(CLOCK_MONOTONIC, &t1);
  BOOST_TEST(t1.tv_sec - t0.tv_sec < 2);
  auto long_pattern = IgnoreMatcher::parse(std::string(5000, 'a') + "\n");
  BOOST_REQUIRE(!long_pattern.has_value());
  BOOST_TEST(long_pattern.error().msg.find("longer than 4096") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
